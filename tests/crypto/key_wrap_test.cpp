// AES key wrap against RFC 3394's vectors for a 256-bit KEK (sections 4.3 and 4.6).
#include "ndbucket/crypto/key_wrap.hpp"

#include <gtest/gtest.h>

#include "crypto/crypto_test_util.hpp"
#include "support/test_util.hpp"

namespace ndbucket::testing {
namespace {

const char* const kKek = "000102030405060708090A0B0C0D0E0F101112131415161718191A1B1C1D1E1F";

TEST(AesKeyWrap, Rfc3394Section4_3Wraps128BitsUnderA256BitKek) {
  Bytes wrapped =
      crypto::aes_key_wrap(from_hex(kKek), from_hex("00112233445566778899AABBCCDDEEFF"));
  EXPECT_EQ(wrapped, from_hex("64E8C3F9CE0F5BA263E9777905818A2A93C8191E7D6E8AE7"));
  auto key = crypto::aes_key_unwrap(from_hex(kKek), wrapped);
  ASSERT_TRUE(key.has_value());
  EXPECT_TRUE(std::ranges::equal(key->span(), from_hex("00112233445566778899AABBCCDDEEFF")));
}

TEST(AesKeyWrap, Rfc3394Section4_6Wraps256BitsUnderA256BitKek) {
  Bytes data = from_hex("00112233445566778899AABBCCDDEEFF000102030405060708090A0B0C0D0E0F");
  Bytes expected =
      from_hex("28C9F404C4B810F4CBCCB35CFB87F8263F5786E2D80ED326CBC7F0E71A99F43BFB988B9B7A02DD21");
  EXPECT_EQ(crypto::aes_key_wrap(from_hex(kKek), data), expected);
  auto key = crypto::aes_key_unwrap(from_hex(kKek), expected);
  ASSERT_TRUE(key.has_value());
  EXPECT_TRUE(std::ranges::equal(key->span(), data));
}

TEST(AesKeyWrap, AlteredOrShortInputAndWrongKeyFailTheIntegrityCheck) {
  Bytes data(32, std::byte{0x42});
  Bytes wrapped = crypto::aes_key_wrap(from_hex(kKek), data);
  for (std::size_t i = 0; i < wrapped.size(); ++i) {
    Bytes altered = wrapped;
    altered[i] ^= std::byte{0x10};
    EXPECT_FALSE(crypto::aes_key_unwrap(from_hex(kKek), altered).has_value()) << i;
  }
  Bytes other_kek = from_hex(kKek);
  other_kek[0] ^= std::byte{1};
  EXPECT_FALSE(crypto::aes_key_unwrap(other_kek, wrapped).has_value());
  EXPECT_FALSE(crypto::aes_key_unwrap(from_hex(kKek), ByteSpan(wrapped).first(39)).has_value());
  EXPECT_FALSE(crypto::aes_key_unwrap(from_hex(kKek), ByteSpan(wrapped).first(16)).has_value());
  EXPECT_FALSE(crypto::aes_key_unwrap(from_hex(kKek), {}).has_value());
  EXPECT_EQ(error_code_of([&] { crypto::aes_key_wrap(Bytes(16), data); }),
            ErrorCode::InvalidArgument);
  EXPECT_EQ(error_code_of([&] { crypto::aes_key_wrap(from_hex(kKek), Bytes(12)); }),
            ErrorCode::InvalidArgument);
}

}  // namespace
}  // namespace ndbucket::testing
