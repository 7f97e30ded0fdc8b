#include "serve/bounded_queue.h"

#include <gtest/gtest.h>

#include <thread>

namespace vigil::serve {
namespace {

TEST(BoundedQueueTest, TryPushRefusesWhenFullAndPopDrainsInOrder) {
  BoundedQueue<int> q(2);
  EXPECT_TRUE(q.TryPush(1));
  EXPECT_TRUE(q.TryPush(2));
  EXPECT_FALSE(q.TryPush(3));
  EXPECT_EQ(q.size(), 2u);
  EXPECT_EQ(q.PopFor(std::chrono::milliseconds(0)), 1);
  EXPECT_EQ(q.PopFor(std::chrono::milliseconds(0)), 2);
  EXPECT_EQ(q.PopFor(std::chrono::milliseconds(1)), std::nullopt);
}

TEST(BoundedQueueTest, PushWaitsForRoomAndEveryItemArrivesOnce) {
  BoundedQueue<int> q(4);
  constexpr int kItems = 20000;
  std::thread producer([&] {
    for (int i = 0; i < kItems; ++i) ASSERT_TRUE(q.Push(i));
  });
  int expected = 0;
  while (expected < kItems) {
    std::optional<int> v = q.PopFor(std::chrono::seconds(5));
    ASSERT_TRUE(v.has_value());
    ASSERT_EQ(*v, expected++);
    ASSERT_LE(q.size(), q.capacity());
  }
  producer.join();
}

TEST(BoundedQueueTest, CloseWakesABlockedPusherAndLetsPopsDrain) {
  BoundedQueue<int> q(1);
  ASSERT_TRUE(q.Push(7));
  std::thread pusher([&] { EXPECT_FALSE(q.Push(8)); });
  q.Close();
  pusher.join();
  EXPECT_EQ(q.PopFor(std::chrono::seconds(1)), 7);
  EXPECT_EQ(q.PopFor(std::chrono::seconds(1)), std::nullopt);
  EXPECT_FALSE(q.TryPush(9));
}

TEST(BoundedQueueTest, WaitForSaysWhetherAnItemIsThereAndTryPopNeverWaits) {
  BoundedQueue<int> q(2);
  EXPECT_FALSE(q.WaitFor(std::chrono::milliseconds(1)));
  EXPECT_EQ(q.TryPop(), std::nullopt);
  std::thread producer([&] { ASSERT_TRUE(q.Push(5)); });
  EXPECT_TRUE(q.WaitFor(std::chrono::seconds(5)));
  producer.join();
  EXPECT_EQ(q.size(), 1u);  // waiting took nothing out
  EXPECT_EQ(q.TryPop(), 5);
  EXPECT_EQ(q.TryPop(), std::nullopt);
  q.Close();
  EXPECT_TRUE(q.WaitFor(std::chrono::seconds(5)));  // closed: returns at once
}

}  // namespace
}  // namespace vigil::serve
