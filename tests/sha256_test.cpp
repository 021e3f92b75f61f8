#include <gtest/gtest.h>

#include "core/sha256.h"
#include "test_support.h"

namespace adderq {
namespace {

std::string Hex(const std::string& s) {
  return Sha256::HexDigest({reinterpret_cast<const uint8_t*>(s.data()), s.size()});
}

TEST(Sha256, KnownVectors) {
  EXPECT_EQ(Hex(""), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  EXPECT_EQ(Hex("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  EXPECT_EQ(Hex("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq"),
            "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
  EXPECT_EQ(Hex(std::string(1000000, 'a')), "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
}

TEST(Sha256, IncrementalEqualsOneShot) {
  std::vector<uint8_t> data(1000);
  for (size_t i = 0; i < data.size(); ++i) data[i] = uint8_t(i * 7);
  Sha256 s;
  for (size_t i = 0; i < data.size(); i += 37) s.Update(std::span(data).subspan(i, std::min<size_t>(37, data.size() - i)));
  const auto d = s.Finish();
  Sha256 t;
  t.Update(data);
  EXPECT_EQ(d, t.Finish());
}

TEST(Sha256, OfficialCheckpointMatchesPublishedDigest) {
  const std::string path = testing::SharedPath("checkpoints/resnet20_adder_cifar10.pth");
  if (path.empty()) GTEST_SKIP() << "../shared checkpoint not present";
  EXPECT_EQ(Sha256::HexDigest(testing::ReadAll(path)), "fe3ad7c15573d34cddd9b3ec2eed12d9c2c818e59cd7d0797a954d6f76ea375b");
}

}  // namespace
}  // namespace adderq
