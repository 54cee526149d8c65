#include "common/crc32c.h"

#include <random>
#include <string>

#include "gtest/gtest.h"

namespace passrl {
namespace {

// Bitwise reference (reflected polynomial 0x82F63B78), independent of both fast paths.
uint32_t BitwiseCrc32c(const std::string& s) {
  uint32_t crc = 0xFFFFFFFFu;
  for (unsigned char c : s) {
    crc ^= c;
    for (int k = 0; k < 8; ++k) crc = (crc & 1) ? (crc >> 1) ^ 0x82F63B78u : crc >> 1;
  }
  return ~crc;
}

TEST(Crc32cTest, StandardCheckValue) { EXPECT_EQ(Crc32c("123456789", 9), 0xE3069283u); }

TEST(Crc32cTest, MatchesBitwiseReferenceAtEveryLengthAndAlignment) {
  std::mt19937 rng(7);
  std::string data(1000, '\0');
  for (char& c : data) c = static_cast<char>(rng());
  for (size_t offset = 0; offset < 8; ++offset) {
    for (size_t n : {0, 1, 7, 8, 9, 63, 64, 65, 991}) {
      // In place: the fast path must handle a start that is not 8-byte aligned.
      EXPECT_EQ(Crc32c(data.data() + offset, n), BitwiseCrc32c(data.substr(offset, n)))
          << "offset " << offset << " length " << n;
    }
  }
}

TEST(Crc32cTest, ContinuesAcrossCalls) {
  const std::string a = "checkpoint chunk ", b = "number two, with an odd length";
  EXPECT_EQ(Crc32c(b.data(), b.size(), Crc32c(a.data(), a.size())), BitwiseCrc32c(a + b));
}

TEST(Crc32cTest, DetectsASingleBitFlip) {
  std::string s(4096, 'x');
  const uint32_t before = Crc32c(s.data(), s.size());
  s[2048] ^= 0x10;
  EXPECT_NE(Crc32c(s.data(), s.size()), before);
}

}  // namespace
}  // namespace passrl
