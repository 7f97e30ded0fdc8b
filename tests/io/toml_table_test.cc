#include "io/toml_table.h"

#include <gtest/gtest.h>

namespace vigil::io {
namespace {

toml::table Parse(const char* text) {
  toml::table t;
  const Status s = ParseToml(text, "t.toml", &t);
  EXPECT_TRUE(s.ok()) << s.message();
  return t;
}

TEST(TomlTableTest, ReadsTypedValuesAndReportsLeftoverKeys) {
  const toml::table root = Parse("s = \"x\"\ni = 3\nf = 2.5\nb = true\nl = [\"a\", \"b\"]\n[sub]\nk = 1\n[[arr]]\nv = 1\n[[arr]]\nv = 2\n");
  TomlTable r(root, "t.toml", "");
  std::string s;
  int i = 0;
  double f = 0;
  bool b = false;
  std::vector<std::string> l;
  ASSERT_TRUE(r.String("s", &s, true).ok());
  ASSERT_TRUE(r.Integer("i", &i, 0, 10).ok());
  ASSERT_TRUE(r.Number("f", &f, 0, 10).ok());
  ASSERT_TRUE(r.Bool("b", &b).ok());
  ASSERT_TRUE(r.StringList("l", &l).ok());
  EXPECT_EQ(s, "x");
  EXPECT_EQ(i, 3);
  EXPECT_EQ(f, 2.5);
  EXPECT_TRUE(b);
  EXPECT_EQ(l, (std::vector<std::string>{"a", "b"}));
  auto sub = r.Table("sub");
  ASSERT_TRUE(sub.ok() && *sub != nullptr);
  auto arr = r.TableArray("arr");
  ASSERT_TRUE(arr.ok());
  EXPECT_EQ(arr->size(), 2u);
  EXPECT_TRUE(r.CheckNoUnknownKeys().ok());
  double absent = 7;
  EXPECT_TRUE(r.Number("absent", &absent, 0, 1).ok());
  EXPECT_EQ(absent, 7);  // unchanged
}

TEST(TomlTableTest, ErrorsAreLocated) {
  const toml::table root = Parse("n = \"x\"\nr = 50\ntypo = 1\nc = \"blue\"\n");
  TomlTable r(root, "t.toml", "unit[0]");
  double n = 0;
  EXPECT_EQ(r.Number("n", &n, 0, 1, false, "GB/s").message(), "t.toml:1:5: unit[0].n: expected a number GB/s");
  EXPECT_EQ(r.Number("r", &n, 0, 10, false, "W").message(), "t.toml:2:5: unit[0].r: 50 is out of range 0..10 W");
  EXPECT_EQ(r.Number("m", &n, 0, 10, true).message(), "t.toml: [unit[0]] missing required key 'm'");
  int c = -1;
  EXPECT_EQ(r.Choice("c", {"red", "green"}, &c).message(), "t.toml:4:5: unit[0].c: 'blue' is not one of red, green");
  EXPECT_EQ(r.CheckNoUnknownKeys().message(), "t.toml:3:1: unknown key 'unit[0].typo'");
  EXPECT_FALSE(r.Table("n").ok());
  EXPECT_FALSE(r.TableArray("r").ok());
  toml::table bad;
  EXPECT_EQ(ParseToml("a = \n", "bad.toml", &bad).message().rfind("bad.toml:1:", 0), 0u);
}

}  // namespace
}  // namespace vigil::io
