// Key sources (memory, file, environment), key ids, wrapping with AES and RSA keys, RSA-OAEP
// interop with Python's `cryptography` (through NDBUCKET_PYTHON), and the text encodings.
#include "ndbucket/crypto/keys.hpp"

#include <gtest/gtest.h>
#include <stdlib.h>

#include <cstdio>

#include "crypto/crypto_test_util.hpp"
#include "ndbucket/core/base64.hpp"
#include "support/test_util.hpp"

namespace ndbucket::testing {
namespace {

using namespace crypto;

const char* const kHexKey = "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f";

SecretBytes fixed_key() { return SecretBytes(from_hex(kHexKey)); }

// One RSA key for the whole file: generating one takes a moment.
const RsaKey& test_rsa_key() {
  static const RsaKey key = RsaKey::generate(2048);
  return key;
}

TEST(MasterKey, WrapsAndUnwrapsDataKeys) {
  KeyPtr key = master_key(fixed_key());
  EXPECT_EQ(key->algorithm(), WrapAlgorithm::AesKeyWrap);
  EXPECT_TRUE(key->can_unwrap());
  Bytes data_key(32, std::byte{5});
  Bytes wrapped = key->wrap(data_key);
  EXPECT_EQ(wrapped.size(), 40u);
  EXPECT_TRUE(std::ranges::equal(key->unwrap(wrapped).span(), data_key));
  EXPECT_EQ(error_code_of([&] { key->wrap(Bytes(16)); }), ErrorCode::InvalidArgument);
  wrapped[3] ^= std::byte{1};
  EXPECT_EQ(error_code_of([&] { key->unwrap(wrapped); }), ErrorCode::Corrupt);
  EXPECT_EQ(error_code_of([&] { master_key(SecretBytes(16)); }), ErrorCode::InvalidArgument);
  EXPECT_EQ(error_code_of([&] { master_key(fixed_key(), std::string(256, 'x')); }),
            ErrorCode::InvalidArgument);
}

TEST(MasterKey, DefaultIdsAreStableAndDifferPerKey) {
  KeyPtr a = master_key(fixed_key());
  EXPECT_EQ(a->id(), master_key(fixed_key())->id());
  EXPECT_TRUE(a->id().starts_with("aes-"));
  EXPECT_EQ(a->id().size(), 4u + 16u);
  EXPECT_NE(a->id(), master_key(generate_master_key())->id());
  EXPECT_EQ(master_key(fixed_key(), "2026-q4")->id(), "2026-q4");
  EXPECT_EQ(a->id().find(kHexKey), std::string::npos);
}

TEST(MasterKey, LoadsFromFilesInEveryForm) {
  auto dir = fresh_test_dir("keys");
  std::string expected_id = master_key(fixed_key())->id();
  Bytes raw = from_hex(kHexKey);
  write_file(dir / "raw.key", raw);
  write_file(dir / "hex.key", as_bytes(std::string(kHexKey) + "\n"));
  write_file(dir / "b64.key", as_bytes("  " + base64_encode(raw) + "\r\n"));
  for (const char* name : {"raw.key", "hex.key", "b64.key"}) {
    EXPECT_EQ(master_key_from_file(dir / name)->id(), expected_id) << name;
  }
  write_file(dir / "short.key", as_bytes("abcdef"));
  write_file(dir / "badhex.key", as_bytes(std::string(63, 'a') + "g"));
  for (const char* name : {"short.key", "badhex.key"}) {
    try {
      master_key_from_file(dir / name);
      ADD_FAILURE() << name;
    } catch (const Error& error) {
      EXPECT_EQ(error.code(), ErrorCode::InvalidArgument);
      EXPECT_NE(std::string(error.what()).find(name), std::string::npos);
      EXPECT_EQ(std::string(error.what()).find("abcdef"), std::string::npos);
    }
  }
  EXPECT_EQ(error_code_of([&] { master_key_from_file(dir / "missing.key"); }), ErrorCode::NotFound);
}

TEST(MasterKey, LoadsFromTheEnvironment) {
  ::setenv("NDBUCKET_TEST_MASTER_KEY", kHexKey, 1);
  EXPECT_EQ(master_key_from_env("NDBUCKET_TEST_MASTER_KEY")->id(), master_key(fixed_key())->id());
  ::setenv("NDBUCKET_TEST_MASTER_KEY", base64_encode(from_hex(kHexKey)).c_str(), 1);
  EXPECT_EQ(master_key_from_env("NDBUCKET_TEST_MASTER_KEY", "k1")->id(), "k1");
  ::setenv("NDBUCKET_TEST_MASTER_KEY", "not a key", 1);
  EXPECT_EQ(error_code_of([] { master_key_from_env("NDBUCKET_TEST_MASTER_KEY"); }),
            ErrorCode::InvalidArgument);
  ::unsetenv("NDBUCKET_TEST_MASTER_KEY");
  EXPECT_EQ(error_code_of([] { master_key_from_env("NDBUCKET_TEST_MASTER_KEY"); }),
            ErrorCode::NotFound);
}

TEST(RsaKeys, PublicHalfWrapsButOnlyThePrivateHalfUnwraps) {
  const RsaKey& pair = test_rsa_key();
  KeyPtr reader = rsa_key_from_pem(pair.private_pem());
  KeyPtr writer = rsa_key_from_pem(pair.public_pem());
  EXPECT_EQ(reader->id(), writer->id());
  EXPECT_TRUE(reader->id().starts_with("rsa-"));
  EXPECT_TRUE(reader->can_unwrap());
  EXPECT_FALSE(writer->can_unwrap());
  Bytes data_key(32, std::byte{0xab});
  Bytes wrapped = writer->wrap(data_key);
  EXPECT_EQ(wrapped.size(), 256u);
  EXPECT_NE(writer->wrap(data_key), wrapped);  // OAEP is randomised
  EXPECT_TRUE(std::ranges::equal(reader->unwrap(wrapped).span(), data_key));
  EXPECT_EQ(error_code_of([&] { writer->unwrap(wrapped); }), ErrorCode::PermissionDenied);
  wrapped[100] ^= std::byte{1};
  EXPECT_EQ(error_code_of([&] { reader->unwrap(wrapped); }), ErrorCode::Corrupt);
}

TEST(RsaKeys, RefusesNonKeysAndSmallKeys) {
  EXPECT_EQ(error_code_of([] { RsaKey::from_pem("hello"); }), ErrorCode::InvalidArgument);
  EXPECT_EQ(error_code_of([] { RsaKey::generate(1024); }), ErrorCode::InvalidArgument);
  std::string pem = test_rsa_key().public_pem();
  pem[40] = pem[40] == 'A' ? 'B' : 'A';
  EXPECT_EQ(error_code_of([&] { RsaKey::from_pem(pem); }), ErrorCode::InvalidArgument);
  auto dir = fresh_test_dir("rsa");
  write_file(dir / "pub.pem", as_bytes(test_rsa_key().public_pem()));
  EXPECT_FALSE(rsa_key_from_file(dir / "pub.pem")->can_unwrap());
  ::setenv("NDBUCKET_TEST_RSA_KEY", test_rsa_key().private_pem().c_str(), 1);
  EXPECT_TRUE(rsa_key_from_env("NDBUCKET_TEST_RSA_KEY")->can_unwrap());
  ::unsetenv("NDBUCKET_TEST_RSA_KEY");
}

// Python's `cryptography` (OpenSSL underneath, but its own OAEP parameter plumbing) decrypts what
// we wrap and wraps what we decrypt.
TEST(RsaKeys, OaepSha256MatchesPythonCryptography) {
  auto dir = fresh_test_dir("rsa-interop");
  const RsaKey& pair = test_rsa_key();
  write_file(dir / "private.pem", as_bytes(pair.private_pem()));
  Bytes message = from_hex(kHexKey);
  write_file(dir / "ours.bin", pair.encrypt(message));
  const std::string script =
      "import sys\n"
      "from cryptography.hazmat.primitives import hashes, serialization\n"
      "from cryptography.hazmat.primitives.asymmetric import padding\n"
      "d = sys.argv[1]\n"
      "key = serialization.load_pem_private_key(open(d + '/private.pem', 'rb').read(), None)\n"
      "oaep = padding.OAEP(mgf=padding.MGF1(hashes.SHA256()), algorithm=hashes.SHA256(), "
      "label=None)\n"
      "open(d + '/decrypted.bin', 'wb').write(key.decrypt(open(d + '/ours.bin', 'rb').read(), "
      "oaep))\n"
      "open(d + '/theirs.bin', 'wb').write(key.public_key().encrypt(b'from python', oaep))\n";
  write_file(dir / "oaep.py", as_bytes(script));
  std::string command =
      std::string(NDBUCKET_PYTHON) + " " + (dir / "oaep.py").string() + " " + dir.string();
  ASSERT_EQ(std::system(command.c_str()), 0) << command;
  EXPECT_EQ(read_file(dir / "decrypted.bin"), message);
  auto theirs = pair.decrypt(read_file(dir / "theirs.bin"));
  ASSERT_TRUE(theirs.has_value());
  EXPECT_EQ(as_string_view(theirs->span()), "from python");
}

TEST(TextEncodings, Base64IsStrictAndRoundTrips) {
  for (std::size_t size = 0; size < 40; ++size) {
    Bytes bytes(size);
    for (std::size_t i = 0; i < size; ++i) bytes[i] = static_cast<std::byte>(i * 97 + size);
    auto decoded = base64_decode(base64_encode(bytes));
    ASSERT_TRUE(decoded.has_value()) << size;
    EXPECT_EQ(*decoded, bytes);
  }
  EXPECT_EQ(base64_encode(as_bytes("foobar")), "Zm9vYmFy");
  EXPECT_EQ(base64_encode(as_bytes("fo")), "Zm8=");
  for (const char* bad : {"Zm8", "Zm9=", "Z===", "Zm8=Zm8=", "Zm 8", "Zm8\n", "====", "Zm-_"}) {
    EXPECT_FALSE(base64_decode(bad).has_value()) << bad;
  }
  EXPECT_EQ(hex_encode(from_hex("00ff10")), "00ff10");
}

}  // namespace
}  // namespace ndbucket::testing
