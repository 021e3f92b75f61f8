#include <gtest/gtest.h>

#include <random>

#include "core/bit_packing.h"
#include "core/quant_math.h"

namespace adderq {
namespace {

TEST(BitPacking, RoundTripEveryWidth) {
  std::mt19937 rng(1);
  for (int bits = 2; bits <= 8; ++bits) {
    std::uniform_int_distribution<int> d(quant::WeightCodeMin(bits), quant::WeightCodeMax(bits));
    std::vector<int8_t> codes(1001);
    for (auto& c : codes) c = int8_t(d(rng));
    const auto packed = PackCodes(codes, bits);
    EXPECT_EQ(packed.size(), (codes.size() * size_t(bits) + 7) / 8);
    auto back = UnpackCodes(packed, codes.size(), bits);
    ASSERT_TRUE(back.ok()) << back.status().message();
    EXPECT_EQ(back.value(), codes) << bits << " bits";
  }
}

TEST(BitPacking, KnownLayout) {
  // 4-bit codes -1, 2 -> nibbles 0xF (first, low) and 0x2 (second, high).
  const std::vector<int8_t> codes{-1, 2};
  EXPECT_EQ(PackCodes(codes, 4), std::vector<uint8_t>{0x2F});
}

TEST(BitPacking, WrongSizeIsAnError) {
  std::vector<uint8_t> packed(3);
  EXPECT_FALSE(UnpackCodes(packed, 10, 4).ok());  // needs 5 bytes
  EXPECT_FALSE(UnpackCodes(packed, 3, 9).ok());
}

}  // namespace
}  // namespace adderq
