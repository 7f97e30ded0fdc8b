#include "core/byte_io.h"

#include <gtest/gtest.h>

#include <cmath>

namespace vigil::core {
namespace {

TEST(ByteIoTest, RoundTripsEveryType) {
  ByteWriter w;
  w.U8(7);
  w.U32(0xdeadbeef);
  w.U64(1ull << 40);
  w.I64(-5);
  w.F32(1.5f);
  w.F64(-2.25);
  w.Str("Pressure");
  std::vector<float> f = {1, 2, 3};
  std::vector<double> d = {4, 5};
  std::vector<uint32_t> u = {9};
  w.F32Array(f);
  w.F64Array(d);
  w.U32Array(u);

  ByteReader r(w.bytes(), "t.vgm");
  uint8_t a;
  uint32_t b;
  uint64_t c;
  int64_t e;
  float g;
  double h;
  std::string s;
  std::vector<float> f2;
  std::vector<double> d2;
  std::vector<uint32_t> u2;
  ASSERT_TRUE(r.U8("a", &a).ok());
  ASSERT_TRUE(r.U32("b", &b).ok());
  ASSERT_TRUE(r.U64("c", &c).ok());
  ASSERT_TRUE(r.I64("e", &e).ok());
  ASSERT_TRUE(r.F32("g", &g).ok());
  ASSERT_TRUE(r.F64("h", &h).ok());
  ASSERT_TRUE(r.Str("s", &s).ok());
  ASSERT_TRUE(r.F32Array("f", &f2).ok());
  ASSERT_TRUE(r.F64Array("d", &d2).ok());
  ASSERT_TRUE(r.U32Array("u", &u2).ok());
  EXPECT_EQ(a, 7);
  EXPECT_EQ(b, 0xdeadbeef);
  EXPECT_EQ(c, 1ull << 40);
  EXPECT_EQ(e, -5);
  EXPECT_EQ(g, 1.5f);
  EXPECT_EQ(h, -2.25);
  EXPECT_EQ(s, "Pressure");
  EXPECT_EQ(f2, f);
  EXPECT_EQ(d2, d);
  EXPECT_EQ(u2, u);
  EXPECT_EQ(r.remaining(), 0u);
}

TEST(ByteIoTest, TruncationNamesFieldAndOffset) {
  ByteWriter w;
  w.U32(1);
  ByteReader r(w.bytes(), "m.vgm", 100);
  uint32_t v;
  ASSERT_TRUE(r.U32("first", &v).ok());
  Status s = r.U64("second", nullptr);
  EXPECT_EQ(s.code(), StatusCode::kCorruption);
  EXPECT_EQ(s.message(), "m.vgm: offset 104: field 'second': truncated: need 8 bytes, 0 left");
}

TEST(ByteIoTest, HostileLengthsAreRejectedBeforeAllocating) {
  ByteWriter w;
  w.U64(1ull << 60);  // claims an enormous array
  ByteReader r(w.bytes(), "m.vgm");
  std::vector<float> out;
  Status s = r.F32Array("weights", &out);
  EXPECT_EQ(s.code(), StatusCode::kCorruption);
  EXPECT_NE(s.message().find("exceeds limit"), std::string::npos);

  ByteWriter w2;
  w2.U64(1000);  // plausible count, but the bytes are missing
  ByteReader r2(w2.bytes(), "m.vgm");
  s = r2.F32Array("weights", &out);
  EXPECT_NE(s.message().find("truncated"), std::string::npos);

  ByteWriter w3;
  w3.U32(1u << 30);
  ByteReader r3(w3.bytes(), "m.vgm");
  std::string str;
  s = r3.Str("name", &str);
  EXPECT_NE(s.message().find("exceeds limit"), std::string::npos);
}

TEST(ByteIoTest, AlignPadsToBoundary) {
  ByteWriter w;
  w.U8(1);
  w.Align(64);
  EXPECT_EQ(w.size(), 64u);
  ByteReader r(w.bytes(), "m");
  uint8_t v;
  ASSERT_TRUE(r.U8("v", &v).ok());
  ASSERT_TRUE(r.Align(64).ok());
  EXPECT_EQ(r.offset(), 64u);
}

}  // namespace
}  // namespace vigil::core
