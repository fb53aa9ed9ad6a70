// Hashing helpers of the S3 backend against published vectors: NIST (FIPS 180-2 examples) for
// SHA-256, RFC 4231 for HMAC-SHA256, RFC 1321 for MD5, RFC 4648 for base64.
#include "store/s3/hashing.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "ndbucket/core/base64.hpp"
#include "ndbucket/core/error.hpp"
#include "support/test_util.hpp"

namespace ndbucket::s3 {
namespace {

using ndbucket::testing::error_code_of;

Bytes repeat(unsigned char value, std::size_t count) {
  return Bytes(count, static_cast<std::byte>(value));
}

std::string hex_of(const Sha256Digest& digest) { return to_hex(digest); }

TEST(ToHex, LowerCaseTwoDigitsPerByte) {
  Bytes bytes = {std::byte{0x00}, std::byte{0x0f}, std::byte{0xa5}, std::byte{0xff}};
  EXPECT_EQ(to_hex(bytes), "000fa5ff");
  EXPECT_EQ(to_hex({}), "");
}

TEST(Sha256, NistVectors) {
  EXPECT_EQ(sha256_hex(""), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  EXPECT_EQ(sha256_hex("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  EXPECT_EQ(sha256_hex("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq"),
            "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
  EXPECT_EQ(sha256_hex(repeat('a', 1000000)),
            "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
}

TEST(Sha256, DigestAndHexAgree) {
  EXPECT_EQ(hex_of(sha256(as_bytes("abc"))), sha256_hex("abc"));
  EXPECT_EQ(sha256(as_bytes("abc"))[0], std::byte{0xba});
}

TEST(Sha256, AwsExamplePayload) {
  // The body of AWS's SigV4 "PUT Object" example and its documented x-amz-content-sha256.
  EXPECT_EQ(sha256_hex("Welcome to Amazon S3."),
            "44ce7dd67c959e0d3524ffac1771dfbba87d2b6b4b4e99e42034a8b803f8b072");
}

TEST(Sha256Incremental, EverySplitPointMatchesOneShot) {
  const std::string text = "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq";
  for (std::size_t split = 0; split <= text.size(); ++split) {
    Sha256 hasher;
    hasher.update(std::string_view(text).substr(0, split));
    hasher.update(std::string_view(text).substr(split));
    EXPECT_EQ(hasher.finish_hex(),
              "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1")
        << "split at " << split;
  }
}

TEST(Sha256Incremental, MillionAInUnevenBlocks) {
  Sha256 hasher;
  std::size_t fed = 0;
  for (std::size_t block = 1; fed < 1000000; block = block * 3 + 1) {
    std::size_t n = std::min(block, 1000000 - fed);
    hasher.update(repeat('a', n));
    fed += n;
  }
  EXPECT_EQ(to_hex(hasher.finish()),
            "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
}

TEST(Sha256Incremental, NothingFedIsTheEmptyHash) {
  Sha256 hasher;
  EXPECT_EQ(hasher.finish_hex(), sha256_hex(""));
}

TEST(Sha256Incremental, FinishTwiceOrUpdateAfterFinishIsRejectedUntilReset) {
  Sha256 hasher;
  hasher.update("ab");
  hasher.finish();
  EXPECT_EQ(error_code_of([&] { hasher.finish(); }), ErrorCode::InvalidArgument);
  EXPECT_EQ(error_code_of([&] { hasher.update("c"); }), ErrorCode::InvalidArgument);
  hasher.reset();
  hasher.update("abc");
  EXPECT_EQ(hasher.finish_hex(), sha256_hex("abc"));
}

TEST(Sha256Incremental, ResetDiscardsWhatWasFed) {
  Sha256 hasher;
  hasher.update("garbage");
  hasher.reset();
  hasher.update("abc");
  EXPECT_EQ(hasher.finish_hex(), sha256_hex("abc"));
}

TEST(Sha256Incremental, MovedToObjectContinuesMovedFromIsRejected) {
  Sha256 first;
  first.update("a");
  Sha256 second = std::move(first);
  second.update("bc");
  EXPECT_EQ(second.finish_hex(), sha256_hex("abc"));
  // NOLINTNEXTLINE(bugprone-use-after-move): the contract for a moved-from object is tested.
  EXPECT_EQ(error_code_of([&] { first.update("x"); }), ErrorCode::InvalidArgument);
  first.reset();
  EXPECT_EQ(first.finish_hex(), sha256_hex(""));
}

struct HmacCase {
  const char* name;
  Bytes key;
  Bytes data;
  const char* expected;
};

TEST(HmacSha256, Rfc4231TestCases) {
  Bytes key4;
  for (int i = 1; i <= 25; ++i) key4.push_back(static_cast<std::byte>(i));
  const std::vector<HmacCase> cases = {
      {"1", repeat(0x0b, 20), to_bytes("Hi There"),
       "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7"},
      {"2", to_bytes("Jefe"), to_bytes("what do ya want for nothing?"),
       "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"},
      {"3", repeat(0xaa, 20), repeat(0xdd, 50),
       "773ea91e36800e46854db8ebd09181a72959098b3ef8c122d9635514ced565fe"},
      {"4", key4, repeat(0xcd, 50),
       "82558a389a443c0ea4cc819899f2083a85f0faa3e578f8077a2e3ff46729665b"},
      {"6", repeat(0xaa, 131), to_bytes("Test Using Larger Than Block-Size Key - Hash Key First"),
       "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54"},
      {"7", repeat(0xaa, 131),
       to_bytes("This is a test using a larger than block-size key and a larger than block-size "
                "data. The key needs to be hashed before being used by the HMAC algorithm."),
       "9b09ffa71b942fcb27635fbcd5b0e944bfdc63644f0713938a7f51535c3a35e2"},
  };
  for (const HmacCase& c : cases) {
    EXPECT_EQ(hex_of(hmac_sha256(c.key, c.data)), c.expected) << "RFC 4231 test case " << c.name;
  }
}

TEST(HmacSha256, Rfc4231TruncatedTestCase5) {
  // Test case 5 publishes only the first 128 bits.
  std::string mac = hex_of(hmac_sha256(repeat(0x0c, 20), to_bytes("Test With Truncation")));
  EXPECT_EQ(mac.substr(0, 32), "a3b6167473100ee06e0c796c2955552b");
}

TEST(HmacSha256, EmptyKeyAndEmptyData) {
  // Values from Python's hmac module; an empty key must mean "zero-length key", not "no key".
  EXPECT_EQ(hex_of(hmac_sha256({}, {})),
            "b613679a0814d9ec772f95d778c35fc5ff1697c493715653c6c712144292c5ad");
  EXPECT_EQ(hex_of(hmac_sha256({}, as_bytes("abc"))),
            "fd7adb152c05ef80dccf50a1fa4c05d5a3ec6da95575fc312ae7c5d091836351");
}

TEST(HmacSha256, AwsSigningKeyDerivation) {
  // AWS's documented example of deriving a SigV4 signing key (secret
  // "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY", 20120215, us-east-1, iam).
  std::string secret = "AWS4wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY";
  Sha256Digest key = hmac_sha256(as_bytes(secret), as_bytes("20120215"));
  key = hmac_sha256(key, as_bytes("us-east-1"));
  key = hmac_sha256(key, as_bytes("iam"));
  key = hmac_sha256(key, as_bytes("aws4_request"));
  EXPECT_EQ(hex_of(key), "f4780e2d9f65fa895f9c67b32ce1baf0b0d8a43505a000a1a9e090d414db404d");
}

TEST(Md5, Rfc1321TestSuite) {
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"", "d41d8cd98f00b204e9800998ecf8427e"},
      {"a", "0cc175b9c0f1b6a831c399e269772661"},
      {"abc", "900150983cd24fb0d6963f7d28e17f72"},
      {"message digest", "f96b697d7cb7938d525a2f31aaf161d0"},
      {"abcdefghijklmnopqrstuvwxyz", "c3fcd3d76192e4007dfb496cca67e13b"},
      {"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789",
       "d174ab98d277d9f5a5611c2c9f419d9f"},
      {"12345678901234567890123456789012345678901234567890123456789012345678901234567890",
       "57edf4a22be3c955ac49da2e2107b67a"},
  };
  for (const auto& [input, expected] : cases) {
    EXPECT_EQ(md5_hex(as_bytes(input)), expected) << '"' << input << '"';
    EXPECT_EQ(to_hex(md5(as_bytes(input))), expected);
    Md5 hasher;
    hasher.update(std::string_view(input).substr(0, input.size() / 2));
    hasher.update(std::string_view(input).substr(input.size() / 2));
    EXPECT_EQ(hasher.finish_hex(), expected) << '"' << input << '"';
  }
}

TEST(Md5, ContentMd5IsBase64OfTheRawDigest) {
  // The Content-MD5 of an empty body, as S3 documents it.
  EXPECT_EQ(md5_base64({}), "1B2M2Y8AsgTpgAmY7PhCfg==");
  EXPECT_EQ(md5_base64(as_bytes("abc")), "kAFQmDzST7DWlj99KOF/cg==");
  Md5 hasher;
  hasher.update("ab");
  hasher.update("c");
  EXPECT_EQ(hasher.finish_base64(), "kAFQmDzST7DWlj99KOF/cg==");
}

TEST(Md5Incremental, FinishTwiceIsRejectedUntilReset) {
  Md5 hasher;
  hasher.finish();
  EXPECT_EQ(error_code_of([&] { hasher.finish(); }), ErrorCode::InvalidArgument);
  hasher.reset();
  hasher.update("a");
  EXPECT_EQ(hasher.finish_hex(), "0cc175b9c0f1b6a831c399e269772661");
}

TEST(Base64, Rfc4648Vectors) {
  EXPECT_EQ(base64_encode(as_bytes("")), "");
  EXPECT_EQ(base64_encode(as_bytes("f")), "Zg==");
  EXPECT_EQ(base64_encode(as_bytes("fo")), "Zm8=");
  EXPECT_EQ(base64_encode(as_bytes("foo")), "Zm9v");
  EXPECT_EQ(base64_encode(as_bytes("foob")), "Zm9vYg==");
  EXPECT_EQ(base64_encode(as_bytes("fooba")), "Zm9vYmE=");
  EXPECT_EQ(base64_encode(as_bytes("foobar")), "Zm9vYmFy");
}

TEST(Base64, UsesPlusAndSlashNotTheUrlAlphabet) {
  EXPECT_EQ(base64_encode(Bytes{std::byte{0xfb}, std::byte{0xff}}), "+/8=");
  EXPECT_EQ(base64_encode(Bytes{std::byte{0xff}, std::byte{0xff}, std::byte{0xff}}), "////");
  EXPECT_EQ(base64_encode(Bytes{std::byte{0x00}}), "AA==");
}

TEST(SecureWipe, ZeroesTheBuffer) {
  std::string secret = "wJalrXUtnFEMI";
  secure_wipe(secret);
  EXPECT_EQ(secret, std::string(13, '\0'));
  Sha256Digest key = sha256(as_bytes("x"));
  secure_wipe(key);
  EXPECT_EQ(to_hex(key), std::string(64, '0'));
}

}  // namespace
}  // namespace ndbucket::s3
