#include "detect/iforest_serialize.h"

#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <limits>
#include <vector>

#include "detect/iforest_random.h"
#include "detect/iforest_score.h"

namespace vigil::detect {
namespace {

// Byte layout (see iforest_serialize.h): header 28 bytes, then one u32 size per tree, then
// 16-byte node records.
constexpr size_t kHeaderBytes = 8 + 4 + 4 + 4 + 8;

IForest SmallForest(uint32_t trees = 3) {
  IForestRandom rng(17);
  std::vector<float> x(40 * 2);
  for (float& v : x) v = static_cast<float>(rng.UniformUnit());
  Result<IForest> f = BuildIForest(x.data(), 40, 2, {.trees = trees, .subsample = 8, .seed = 4});
  EXPECT_TRUE(f.ok());
  return std::move(f).value();
}

std::vector<uint8_t> Save(const IForest& f) {
  core::ByteWriter w;
  SaveIForest(f, w);
  return w.bytes();
}

Status Load(const std::vector<uint8_t>& bytes, IForest* out) {
  core::ByteReader r(bytes, "m.vgm");
  return LoadIForest(r, out);
}

size_t NodeOffset(const IForest& f, size_t node) { return kHeaderBytes + 4 * f.trees() + 16 * node; }

void PutU32(std::vector<uint8_t>* b, size_t at, uint32_t v) { std::memcpy(b->data() + at, &v, 4); }
void PutF32(std::vector<uint8_t>* b, size_t at, float v) { std::memcpy(b->data() + at, &v, 4); }

// Index of the first split node.
size_t FirstSplit(const IForest& f) {
  for (size_t i = 0; i < f.nodes.size(); ++i) {
    if (f.nodes[i].leaf_size == 0) return i;
  }
  return 0;
}

TEST(IForestSerializeTest, RoundTripIsBitExact) {
  const IForest f = SmallForest();
  const std::vector<uint8_t> bytes = Save(f);
  EXPECT_EQ(bytes.size(), NodeOffset(f, f.nodes.size()));
  IForest g;
  ASSERT_TRUE(Load(bytes, &g).ok());
  EXPECT_EQ(Save(g), bytes);
  EXPECT_EQ(g.cells, f.cells);
  EXPECT_EQ(g.log2_rows, f.log2_rows);
  EXPECT_EQ(g.inv_norm, f.inv_norm);
  IForestRandom rng(5);
  std::vector<float> x(50 * 2);
  for (float& v : x) v = static_cast<float>(rng.UniformUnit() * 1.4 - 0.2);
  std::vector<float> a(50), b(50);
  ScoreIForest(f, x.data(), 50, a.data(), nullptr);
  ScoreIForest(g, x.data(), 50, b.data(), nullptr);
  EXPECT_EQ(a, b);
}

TEST(IForestSerializeTest, EveryTruncationIsCorruptionNotACrash) {
  const IForest f = SmallForest(2);
  const std::vector<uint8_t> bytes = Save(f);
  for (size_t n = 0; n < bytes.size(); ++n) {
    const std::vector<uint8_t> cut(bytes.begin(), bytes.begin() + n);
    IForest g;
    Status s = Load(cut, &g);
    ASSERT_EQ(s.code(), StatusCode::kCorruption) << "length " << n;
    ASSERT_NE(s.message().find("m.vgm: offset "), std::string::npos) << s.message();
  }
}

TEST(IForestSerializeTest, EverySingleByteFlipIsRejectedOrHarmless) {
  // A flipped byte either fails to load or loads a forest that still scores safely.
  const IForest f = SmallForest(2);
  const std::vector<uint8_t> bytes = Save(f);
  for (size_t i = 0; i < bytes.size(); ++i) {
    for (uint8_t mask : {0x01, 0x80, 0xFF}) {
      std::vector<uint8_t> bad = bytes;
      bad[i] ^= mask;
      IForest g;
      if (!Load(bad, &g).ok()) continue;
      if (g.dim > 1024) continue;  // a flipped dim byte can pass; don't allocate huge probes
      std::vector<float> probe(2 * g.dim, 0.5f);
      probe[g.dim] = -3.0f;
      float scores[2];
      ScoreIForest(g, probe.data(), 2, scores, nullptr);
      ASSERT_GT(scores[0], 0.0f) << "byte " << i;
      ASSERT_LE(scores[0], 1.0f) << "byte " << i;
    }
  }
}

TEST(IForestSerializeTest, BackwardChildIsRejectedWithFieldAndOffset) {
  const IForest f = SmallForest();
  std::vector<uint8_t> bytes = Save(f);
  const size_t split = FirstSplit(f);
  const size_t at = NodeOffset(f, split) + 12;  // left child
  PutU32(&bytes, at, 0);
  IForest g;
  Status s = Load(bytes, &g);
  EXPECT_EQ(s.code(), StatusCode::kCorruption);
  EXPECT_NE(s.message().find("field 'iforest.left'"), std::string::npos) << s.message();
  EXPECT_NE(s.message().find("offset " + std::to_string(at) + ":"), std::string::npos) << s.message();
  EXPECT_NE(s.message().find("left child 0 outside"), std::string::npos) << s.message();
}

TEST(IForestSerializeTest, ChildPastTheTreeIsRejected) {
  const IForest f = SmallForest();
  std::vector<uint8_t> bytes = Save(f);
  const uint32_t tree0_size = f.tree_begin[1];
  PutU32(&bytes, NodeOffset(f, FirstSplit(f)) + 12, tree0_size - 1);  // right child would be past the end
  IForest g;
  Status s = Load(bytes, &g);
  EXPECT_EQ(s.code(), StatusCode::kCorruption);
  EXPECT_NE(s.message().find("outside"), std::string::npos) << s.message();
}

TEST(IForestSerializeTest, OrphanedChildIsRejected) {
  // Re-point a split at its left child's children: the left child then has no parent.
  const IForest f = SmallForest();
  size_t split = 0;
  while (f.nodes[split].leaf_size != 0 || f.nodes[f.nodes[split].left].leaf_size != 0) ++split;
  ASSERT_LT(split, f.tree_begin[1]) << "fixture needs two split levels in tree 0";
  std::vector<uint8_t> bytes = Save(f);
  PutU32(&bytes, NodeOffset(f, split) + 12, f.nodes[f.nodes[split].left].left);
  IForest g;
  Status s = Load(bytes, &g);
  EXPECT_EQ(s.code(), StatusCode::kCorruption);
  EXPECT_NE(s.message().find("node " + std::to_string(f.nodes[split].left) + ": is the child of no node"),
            std::string::npos)
      << s.message();
}

TEST(IForestSerializeTest, SharedChildIsRejected) {
  // Two splits claiming the same children: point the root's right child (if a split) at the
  // pair the root's left child owns.
  const IForest f = SmallForest();
  const IForestNode& root = f.nodes[0];
  ASSERT_EQ(root.leaf_size, 0u);
  uint32_t a = root.left, b = root.left + 1;
  if (f.nodes[a].leaf_size != 0) std::swap(a, b);
  ASSERT_EQ(f.nodes[a].leaf_size, 0u) << "fixture needs a split below the root";
  // Make node `other` (the root's other child) a split pointing at a's children; it needs
  // its leaf fields replaced by split fields.
  const uint32_t other = a == root.left ? root.left + 1 : root.left;
  std::vector<uint8_t> bytes = Save(f);
  const size_t at = NodeOffset(f, other);
  PutU32(&bytes, at, 0);                     // split
  PutU32(&bytes, at + 4, 0);                 // feature 0
  PutF32(&bytes, at + 8, 0.5f);              // threshold
  PutU32(&bytes, at + 12, f.nodes[a].left);  // children a owns; whichever claims second fails
  IForest g;
  Status s = Load(bytes, &g);
  EXPECT_EQ(s.code(), StatusCode::kCorruption);
  EXPECT_NE(s.message().find("already has a parent"), std::string::npos) << s.message();
}

TEST(IForestSerializeTest, BadFeatureAndThresholdAreRejected) {
  const IForest f = SmallForest();
  const size_t split = NodeOffset(f, FirstSplit(f));
  {
    std::vector<uint8_t> bytes = Save(f);
    PutU32(&bytes, split + 4, 2);  // dim is 2
    IForest g;
    Status s = Load(bytes, &g);
    EXPECT_NE(s.message().find("field 'iforest.feature'"), std::string::npos) << s.message();
    EXPECT_NE(s.message().find("feature 2 >= dim 2"), std::string::npos) << s.message();
  }
  for (float bad : {std::numeric_limits<float>::quiet_NaN(), std::numeric_limits<float>::infinity()}) {
    std::vector<uint8_t> bytes = Save(f);
    PutF32(&bytes, split + 8, bad);
    IForest g;
    Status s = Load(bytes, &g);
    EXPECT_NE(s.message().find("non-finite threshold"), std::string::npos) << s.message();
  }
}

TEST(IForestSerializeTest, HeaderFieldsAreValidated) {
  const IForest f = SmallForest();
  struct Case {
    size_t at;
    uint32_t value;
    const char* expect;
  };
  const Case cases[] = {
      {0, 0, "dim 0 outside"},                        // dim (low word)
      {8, 1, "subsample 1 < 2"},                      // ψ
      {12, 5, "height limit 5 != ceil(log2 8) = 3"},  // height_limit
      {16, 0, "trees cannot fit"},                    // trees = 0
      {16, 1000000, "trees cannot fit"},              // more trees than bytes
      {20, 2, "node count 2 impossible"},             // nodes < trees
  };
  for (const Case& c : cases) {
    std::vector<uint8_t> bytes = Save(f);
    PutU32(&bytes, c.at, c.value);
    IForest g;
    Status s = Load(bytes, &g);
    EXPECT_EQ(s.code(), StatusCode::kCorruption) << c.expect;
    EXPECT_NE(s.message().find(c.expect), std::string::npos) << s.message();
  }
  // A huge ψ with a small forest: the leaf sizes no longer add up.
  std::vector<uint8_t> bytes = Save(f);
  PutU32(&bytes, 8, 0xFFFFFFFFu);
  PutU32(&bytes, 12, 32);
  IForest g;
  Status s = Load(bytes, &g);
  EXPECT_EQ(s.code(), StatusCode::kCorruption);
  EXPECT_NE(s.message().find("expected subsample 4294967295"), std::string::npos) << s.message();
}

TEST(IForestSerializeTest, TreeSizesAndLeafSizesAreValidated) {
  const IForest f = SmallForest();
  {
    std::vector<uint8_t> bytes = Save(f);
    PutU32(&bytes, kHeaderBytes, 2);  // even node count
    IForest g;
    Status s = Load(bytes, &g);
    EXPECT_NE(s.message().find("field 'iforest.tree_size'"), std::string::npos) << s.message();
  }
  {
    // Move one node from tree 0 to tree 1: both sizes stay odd-or-not and the sum matches,
    // but the structures break.
    std::vector<uint8_t> bytes = Save(f);
    const uint32_t s0 = f.tree_begin[1], s1 = f.tree_begin[2] - f.tree_begin[1];
    PutU32(&bytes, kHeaderBytes, s0 - 2);
    PutU32(&bytes, kHeaderBytes + 4, s1 + 2);
    IForest g;
    EXPECT_EQ(Load(bytes, &g).code(), StatusCode::kCorruption);
  }
  {
    // A leaf claiming one more training row than it had.
    std::vector<uint8_t> bytes = Save(f);
    size_t leaf = 0;
    while (f.nodes[leaf].leaf_size == 0) ++leaf;
    PutU32(&bytes, NodeOffset(f, leaf), f.nodes[leaf].leaf_size + 1);
    IForest g;
    Status s = Load(bytes, &g);
    EXPECT_NE(s.message().find("field 'iforest.leaf_size'"), std::string::npos) << s.message();
  }
  {
    // A leaf with a non-canonical (non-zero) threshold.
    std::vector<uint8_t> bytes = Save(f);
    size_t leaf = 0;
    while (f.nodes[leaf].leaf_size == 0) ++leaf;
    PutF32(&bytes, NodeOffset(f, leaf) + 8, 1.0f);
    IForest g;
    Status s = Load(bytes, &g);
    EXPECT_NE(s.message().find("leaf with non-zero threshold"), std::string::npos) << s.message();
    EXPECT_NE(s.message().find("field 'iforest.threshold'"), std::string::npos) << s.message();
  }
}

TEST(IForestSerializeTest, TooDeepTreeIsRejected) {
  // ψ = 4 allows depth 2. A caterpillar of depth 3 has 4 leaves of one row each and 7
  // nodes, so it passes every size check and must be caught by depth.
  core::ByteWriter w;
  w.U64(1);  // dim
  w.U32(4);  // ψ
  w.U32(2);  // height limit
  w.U32(1);  // trees
  w.U64(7);  // nodes
  w.U32(7);  // tree 0 size
  auto node = [&](uint32_t leaf_size, uint32_t left) {
    w.U32(leaf_size);
    w.U32(0);
    w.F32(leaf_size > 0 ? 0.0f : 1.0f);
    w.U32(left);
  };
  node(0, 1);  // depth 0
  node(1, 0);  // depth 1
  node(0, 3);  // depth 1
  node(1, 0);  // depth 2
  node(0, 5);  // depth 2
  node(1, 0);  // depth 3
  node(1, 0);
  IForest g;
  core::ByteReader r(w.bytes(), "deep.vgm");
  Status s = LoadIForest(r, &g);
  EXPECT_EQ(s.code(), StatusCode::kCorruption);
  EXPECT_NE(s.message().find("tree 0 node 5: depth 3 exceeds height limit 2"), std::string::npos)
      << s.message();
  // Node 5 starts after 28 header bytes, one tree size and five 16-byte records.
  EXPECT_NE(s.message().find("deep.vgm: offset 112: field 'iforest.leaf_size'"), std::string::npos)
      << s.message();
}

TEST(IForestSerializeTest, DeepCaterpillarCannotForceAHugeAllocation) {
  // A valid-looking tree of depth 26 (ψ = 2^25 + 1, so the height limit is 26) would need
  // 2^27 cells: 53 node records must not make the loader allocate 1.5 GB.
  const uint32_t psi = (1u << 25) + 1, depth = 26;
  core::ByteWriter v;
  v.U64(1);
  v.U32(psi);
  v.U32(26);
  v.U32(1);
  v.U64(2 * depth + 1);
  v.U32(2 * depth + 1);
  auto split = [&](uint32_t left) {
    v.U32(0);
    v.U32(0);
    v.F32(1.0f);
    v.U32(left);
  };
  auto leaf = [&](uint32_t rows) {
    v.U32(rows);
    v.U32(0);
    v.F32(0.0f);
    v.U32(0);
  };
  // Index 0 splits into 1 (leaf) and 2; index 2k splits into 2k+1 (leaf) and 2k+2.
  split(1);
  for (uint32_t d = 1; d < depth; ++d) {
    leaf(1);
    split(2 * d + 1);
  }
  leaf(1);
  leaf(psi - depth);
  IForest g;
  core::ByteReader r(v.bytes(), "big.vgm");
  Status s = LoadIForest(r, &g);
  EXPECT_EQ(s.code(), StatusCode::kCorruption);
  EXPECT_NE(s.message().find("1 trees of depth 26 exceed the model size limit"), std::string::npos)
      << s.message();
}

}  // namespace
}  // namespace vigil::detect
