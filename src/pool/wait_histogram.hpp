#pragma once

// A fixed-size log-scale histogram of checkout wait times, for the pool's percentiles. Recording
// is O(1) with no allocation; percentiles are accurate to the bucket width (about 9%). Not
// thread-safe: the pool records under its lock.

#include <array>
#include <chrono>
#include <cstdint>

namespace tabula::detail {

class WaitHistogram {
 public:
  void record(std::chrono::nanoseconds wait) noexcept;
  // Records `n` waits of zero at once.
  void record_zeros(std::uint64_t n) noexcept {
    buckets_[0] += n;
    count_ += n;
  }

  // The smallest recorded-bucket bound below which `fraction` (0..1] of the samples fall.
  std::chrono::microseconds percentile(double fraction) const noexcept;
  std::chrono::microseconds max() const noexcept { return max_; }
  std::chrono::microseconds total() const noexcept { return total_; }
  std::uint64_t count() const noexcept { return count_; }

 private:
  // Bucket 0 holds waits under 1 µs; bucket i (i >= 1) holds [1 µs * r^(i-1), 1 µs * r^i) with
  // r = 2^(1/8); 320 buckets reach past 10^12 µs.
  static constexpr std::size_t kBuckets = 320;
  static std::size_t bucket_of(std::chrono::microseconds wait) noexcept;
  static std::chrono::microseconds upper_bound(std::size_t bucket) noexcept;

  std::array<std::uint64_t, kBuckets> buckets_{};
  std::uint64_t count_ = 0;
  std::chrono::microseconds max_{0};
  std::chrono::microseconds total_{0};
};

}  // namespace tabula::detail
