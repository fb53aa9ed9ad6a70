// AES-256-GCM against published vectors: the GCM specification's AES-256 test cases (McGrew and
// Viega, the vectors NIST SP 800-38D's validation uses) and a CAVP gcmEncryptExtIV256 entry.
#include "ndbucket/crypto/aes_gcm.hpp"

#include <gtest/gtest.h>

#include "crypto/crypto_test_util.hpp"
#include "support/test_util.hpp"

namespace ndbucket::testing {
namespace {

using crypto::Aes256Gcm;
using crypto::kGcmTagSize;

struct GcmVector {
  const char* name;
  const char* key;
  const char* nonce;
  const char* aad;
  const char* plaintext;
  const char* ciphertext;
  const char* tag;
};

const GcmVector kVectors[] = {
    {"spec_case_13", "0000000000000000000000000000000000000000000000000000000000000000",
     "000000000000000000000000", "", "", "", "530f8afbc74536b9a963b4f1c4cb738b"},
    {"spec_case_14", "0000000000000000000000000000000000000000000000000000000000000000",
     "000000000000000000000000", "", "00000000000000000000000000000000",
     "cea7403d4d606b6e074ec5d3baf39d18", "d0d1c8a799996bf0265b98b5d48ab919"},
    {"spec_case_16", "feffe9928665731c6d6a8f9467308308feffe9928665731c6d6a8f9467308308",
     "cafebabefacedbaddecaf888", "feedfacedeadbeeffeedfacedeadbeefabaddad2",
     "d9313225f88406e5a55909c5aff5269a86a7a9531534f7da2e4c303d8a318a721c3c0c95956809532fcf0e24"
     "49a6b525b16aedf5aa0de657ba637b39",
     "522dc1f099567d07f47f37a32a84427d643a8cdcbfe5c0c97598a2bd2555d1aa8cb08e48590dbb3da7b08b10"
     "56828838c5f61e6393ba7a0abcc9f662",
     "76fc6ece0f4e1768cddf8853bb2d551b"},
    {"cavp_ext_iv_256", "83688deb4af8007f9b713b47cfa6c73e35ea7a3aa4ecdb414dded03bf7a0fd3a",
     "0b459724904e010a46901cf3", "794a14ccd178c8ebfd1379dc704c5e208f9d8424",
     "33d893a2114ce06fc15d55e454cf90c3", "cc66bee423e3fcd4c0865715e9586696",
     "0fb291bd3dba94a1dfd8b286cfb97ac5"},
};

void PrintTo(const GcmVector& vector, std::ostream* os) { *os << vector.name; }

class GcmVectors : public ::testing::TestWithParam<GcmVector> {};

TEST_P(GcmVectors, SealMatchesAndOpenVerifies) {
  const GcmVector& v = GetParam();
  Bytes key = from_hex(v.key), nonce = from_hex(v.nonce), aad = from_hex(v.aad);
  Bytes plaintext = from_hex(v.plaintext);
  Bytes expected = from_hex(v.ciphertext);
  Bytes tag = from_hex(v.tag);
  expected.insert(expected.end(), tag.begin(), tag.end());

  Aes256Gcm gcm(key);
  Bytes sealed(plaintext.size() + kGcmTagSize);
  gcm.seal(nonce, aad, plaintext, sealed);
  EXPECT_EQ(sealed, expected);

  Bytes opened(plaintext.size());
  ASSERT_TRUE(gcm.open(nonce, aad, expected, opened));
  EXPECT_EQ(opened, plaintext);

  // In place, both ways, with the same object (the contexts keep their keys).
  Bytes buffer = plaintext;
  buffer.resize(plaintext.size() + kGcmTagSize);
  gcm.seal(nonce, aad, ByteSpan(buffer).first(plaintext.size()), buffer);
  EXPECT_EQ(buffer, expected);
  ASSERT_TRUE(gcm.open(nonce, aad, buffer, MutableByteSpan(buffer).first(plaintext.size())));
  EXPECT_TRUE(std::equal(plaintext.begin(), plaintext.end(), buffer.begin()));
}

TEST_P(GcmVectors, AnyAlteredByteFailsToOpen) {
  const GcmVector& v = GetParam();
  Aes256Gcm gcm(from_hex(v.key));
  Bytes nonce = from_hex(v.nonce), aad = from_hex(v.aad);
  Bytes sealed = from_hex(v.ciphertext);
  Bytes tag = from_hex(v.tag);
  sealed.insert(sealed.end(), tag.begin(), tag.end());
  Bytes out(sealed.size() - kGcmTagSize);
  for (std::size_t i = 0; i < sealed.size(); ++i) {
    Bytes altered = sealed;
    altered[i] ^= std::byte{0x01};
    EXPECT_FALSE(gcm.open(nonce, aad, altered, out)) << "byte " << i;
  }
  Bytes other_nonce = nonce;
  other_nonce[11] ^= std::byte{0x80};
  EXPECT_FALSE(gcm.open(other_nonce, aad, sealed, out));
  Bytes other_aad = aad;
  other_aad.push_back(std::byte{0});
  EXPECT_FALSE(gcm.open(nonce, other_aad, sealed, out));
  // A good open after failures still works: a failed tag leaves no state behind.
  EXPECT_TRUE(gcm.open(nonce, aad, sealed, out));
}

INSTANTIATE_TEST_SUITE_P(Published, GcmVectors, ::testing::ValuesIn(kVectors),
                         [](const auto& param_info) { return std::string(param_info.param.name); });

TEST(Aes256Gcm, RefusesWrongSizes) {
  EXPECT_EQ(error_code_of([] { Aes256Gcm gcm(Bytes(16)); }), ErrorCode::InvalidArgument);
  Aes256Gcm gcm(Bytes(32));
  Bytes out(20);
  EXPECT_EQ(error_code_of([&] { gcm.seal(Bytes(16), {}, Bytes(4), out); }),
            ErrorCode::InvalidArgument);
  EXPECT_EQ(error_code_of([&] { gcm.seal(Bytes(12), {}, Bytes(5), out); }),
            ErrorCode::InvalidArgument);
  EXPECT_EQ(error_code_of([&] { (void)gcm.open(Bytes(12), {}, Bytes(10), out); }),
            ErrorCode::InvalidArgument);
}

TEST(Aes256Gcm, LargeInputsRoundTrip) {
  Bytes key(32, std::byte{7});
  Bytes nonce(12, std::byte{9});
  Bytes plaintext(3 * 1024 * 1024 + 5);
  for (std::size_t i = 0; i < plaintext.size(); ++i) plaintext[i] = static_cast<std::byte>(i * 31);
  Aes256Gcm gcm(key);
  Bytes sealed(plaintext.size() + kGcmTagSize);
  gcm.seal(nonce, as_bytes("aad"), plaintext, sealed);
  Bytes opened(plaintext.size());
  ASSERT_TRUE(gcm.open(nonce, as_bytes("aad"), sealed, opened));
  EXPECT_TRUE(opened == plaintext);
}

}  // namespace
}  // namespace ndbucket::testing
