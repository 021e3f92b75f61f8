#include <gtest/gtest.h>

#include <random>

#include "core/bit_packing.h"
#include "core/quant_math.h"

namespace adderq {
namespace {

TEST(BitPacking, RoundTripEveryWidthAndKind) {
  std::mt19937 rng(1);
  for (auto kind : {quant::WeightCodeKind::kSignedDoubled, quant::WeightCodeKind::kUnsigned})
    for (int bits = 2; bits <= 8; ++bits) {
      std::uniform_int_distribution<int> d(quant::WeightCodeMin(bits, kind), quant::WeightCodeMax(bits, kind));
      std::vector<int16_t> codes(1001);
      for (auto& c : codes) c = int16_t(d(rng));
      codes[0] = int16_t(quant::WeightCodeMin(bits, kind));
      codes[1] = int16_t(quant::WeightCodeMax(bits, kind));
      const auto packed = PackCodes(codes, bits);
      EXPECT_EQ(packed.size(), (codes.size() * size_t(bits) + 7) / 8);
      const CodeSign sign = kind == quant::WeightCodeKind::kUnsigned ? CodeSign::kUnsigned : CodeSign::kSigned;
      auto back = UnpackCodes(packed, codes.size(), bits, sign);
      ASSERT_TRUE(back.ok()) << back.status().message();
      EXPECT_EQ(back.value(), codes) << bits << " bits, " << quant::WeightCodeKindName(kind);
    }
}

TEST(BitPacking, KnownLayout) {
  // 4-bit codes -1, 2 -> nibbles 0xF (first, low) and 0x2 (second, high).
  const std::vector<int16_t> codes{-1, 2};
  EXPECT_EQ(PackCodes(codes, 4), std::vector<uint8_t>{0x2F});
  // The same nibbles read as unsigned codes are 15 and 2.
  auto back = UnpackCodes(std::vector<uint8_t>{0x2F}, 2, 4, CodeSign::kUnsigned);
  ASSERT_TRUE(back.ok());
  EXPECT_EQ(back.value(), (std::vector<int16_t>{15, 2}));
}

TEST(BitPacking, WrongSizeIsAnError) {
  std::vector<uint8_t> packed(3);
  EXPECT_FALSE(UnpackCodes(packed, 10, 4, CodeSign::kSigned).ok());  // needs 5 bytes
  EXPECT_FALSE(UnpackCodes(packed, 3, 9, CodeSign::kSigned).ok());
}

}  // namespace
}  // namespace adderq
