#include "model/model_file.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

namespace vigil::model {
namespace {

TEST(ModelFileTest, WrapUnwrapRoundTrip) {
  std::vector<uint8_t> payload = {1, 2, 3, 4, 5};
  std::vector<uint8_t> file = WrapPayload(payload, 1, 1234);
  ASSERT_EQ(file.size(), 64u + 5);
  EXPECT_EQ(std::string(file.begin(), file.begin() + 8), "VIGILMDL");
  auto u = UnwrapPayload(file, "m.vgm");
  ASSERT_TRUE(u.ok()) << u.status().ToString();
  EXPECT_EQ(std::vector<uint8_t>(u->payload.begin(), u->payload.end()), payload);
  EXPECT_EQ(u->created_unix, 1234u);
}

TEST(ModelFileTest, EveryDamageIsNamed) {
  std::vector<uint8_t> file = WrapPayload(std::vector<uint8_t>{9, 9, 9}, 1, 0);
  auto msg = [](std::vector<uint8_t> bytes) { return UnwrapPayload(bytes, "m.vgm").status().message(); };
  EXPECT_EQ(msg({}), "m.vgm: empty file (not a vigil model)");
  EXPECT_EQ(msg({'P', 'K', 3, 4}), "m.vgm: offset 0: not a vigil model (bad magic; expected \"VIGILMDL\")");
  auto truncated = file;
  truncated.pop_back();
  EXPECT_EQ(msg(truncated),
            "m.vgm: offset 16: payload size field says 3 bytes but the file holds 2 (truncated file)");
  auto trailing = file;
  trailing.push_back(0);
  EXPECT_EQ(msg(trailing),
            "m.vgm: offset 16: payload size field says 3 bytes but the file holds 4 (trailing bytes)");
  auto flipped = file;
  flipped.at(65) ^= 1;  // a payload byte
  EXPECT_NE(msg(flipped).find("checksum mismatch"), std::string::npos);
  auto version = file;
  version[8] = 7;
  EXPECT_EQ(msg(version),
            "m.vgm: offset 8: field 'format_version': unsupported model format version 7 (this build reads "
            "versions 1 to 2)");
  for (size_t cut = 0; cut < file.size(); ++cut) {
    std::vector<uint8_t> part(file.begin(), file.begin() + static_cast<std::ptrdiff_t>(cut));
    EXPECT_FALSE(UnwrapPayload(part, "m").ok()) << cut;
  }
}

TEST(ModelFileTest, AtomicWriteAndMap) {
  std::string path = ::testing::TempDir() + "/vigil_model_file_test.bin";
  std::vector<uint8_t> data(1000, 7);
  ASSERT_TRUE(WriteFileAtomic(path, data).ok());
  auto mapped = MappedFile::Open(path);
  ASSERT_TRUE(mapped.ok());
  EXPECT_EQ(std::vector<uint8_t>(mapped->bytes().begin(), mapped->bytes().end()), data);
  std::filesystem::remove(path);
  auto missing = MappedFile::Open(path);
  EXPECT_EQ(missing.status().code(), StatusCode::kIOError);
  EXPECT_NE(missing.status().message().find("cannot open"), std::string::npos);
  EXPECT_FALSE(WriteFileAtomic("/nonexistent-dir/x.vgm", data).ok());
}

}  // namespace
}  // namespace vigil::model
