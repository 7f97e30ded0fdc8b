// A bounded multi-producer queue with blocking and non-blocking push: the ingest queue between
// the MQTT network thread and the scoring thread. Its capacity bounds memory under overload.
//
//   serve::BoundedQueue<Item> q(10000);
//   q.Push(std::move(item));              // waits while full (policy "block")
//   if (!q.TryPush(std::move(item))) ...  // refuses when full (policy "drop")
//   std::optional<Item> it = q.PopFor(std::chrono::milliseconds(50));
//   if (q.WaitFor(std::chrono::milliseconds(50))) while (auto it = q.TryPop()) ...
//
// Close() wakes everyone: pushes then fail, pops drain what is left and then return nullopt.
// Thread-safe.
#pragma once

#include <chrono>
#include <condition_variable>
#include <deque>
#include <mutex>
#include <optional>

namespace vigil::serve {

template <typename T>
class BoundedQueue {
 public:
  explicit BoundedQueue(size_t capacity) : capacity_(capacity) {}

  bool Push(T item) {
    std::unique_lock<std::mutex> lock(mu_);
    not_full_.wait(lock, [&] { return closed_ || items_.size() < capacity_; });
    if (closed_) return false;
    items_.push_back(std::move(item));
    not_empty_.notify_one();
    return true;
  }
  bool TryPush(T item) {
    std::lock_guard<std::mutex> lock(mu_);
    if (closed_ || items_.size() >= capacity_) return false;
    items_.push_back(std::move(item));
    not_empty_.notify_one();
    return true;
  }
  template <typename Rep, typename Period>
  std::optional<T> PopFor(std::chrono::duration<Rep, Period> timeout) {
    std::unique_lock<std::mutex> lock(mu_);
    if (!not_empty_.wait_for(lock, timeout, [&] { return closed_ || !items_.empty(); })) return std::nullopt;
    if (items_.empty()) return std::nullopt;  // closed and drained
    T item = std::move(items_.front());
    items_.pop_front();
    not_full_.notify_one();
    return item;
  }
  // Waits until an item is there or the queue is closed (true), or `timeout` passes (false).
  template <typename Rep, typename Period>
  bool WaitFor(std::chrono::duration<Rep, Period> timeout) {
    std::unique_lock<std::mutex> lock(mu_);
    return not_empty_.wait_for(lock, timeout, [&] { return closed_ || !items_.empty(); });
  }
  std::optional<T> TryPop() { return PopFor(std::chrono::milliseconds(0)); }
  void Close() {
    std::lock_guard<std::mutex> lock(mu_);
    closed_ = true;
    not_full_.notify_all();
    not_empty_.notify_all();
  }
  size_t size() const {
    std::lock_guard<std::mutex> lock(mu_);
    return items_.size();
  }
  size_t capacity() const { return capacity_; }

 private:
  const size_t capacity_;
  mutable std::mutex mu_;
  std::condition_variable not_full_, not_empty_;
  std::deque<T> items_;  // guarded by mu_
  bool closed_ = false;  // guarded by mu_
};

}  // namespace vigil::serve
