#include "pool/wait_histogram.hpp"

#include <algorithm>
#include <cmath>

namespace tabula::detail {

std::size_t WaitHistogram::bucket_of(std::chrono::microseconds wait) noexcept {
  if (wait.count() < 1) return 0;
  auto index = static_cast<std::size_t>(std::log2(static_cast<double>(wait.count())) * 8.0) + 1;
  return std::min(index, kBuckets - 1);
}

std::chrono::microseconds WaitHistogram::upper_bound(std::size_t bucket) noexcept {
  if (bucket == 0) return std::chrono::microseconds{0};
  return std::chrono::microseconds{
      static_cast<std::int64_t>(std::ceil(std::exp2(static_cast<double>(bucket) / 8.0)))};
}

void WaitHistogram::record(std::chrono::nanoseconds wait) noexcept {
  auto micros = std::chrono::duration_cast<std::chrono::microseconds>(wait);
  ++buckets_[bucket_of(micros)];
  ++count_;
  total_ += micros;
  max_ = std::max(max_, micros);
}

std::chrono::microseconds WaitHistogram::percentile(double fraction) const noexcept {
  if (count_ == 0) return std::chrono::microseconds{0};
  auto rank = static_cast<std::uint64_t>(std::ceil(fraction * static_cast<double>(count_)));
  rank = std::clamp<std::uint64_t>(rank, 1, count_);
  std::uint64_t seen = 0;
  for (std::size_t i = 0; i < kBuckets; ++i) {
    seen += buckets_[i];
    if (seen >= rank) return std::min(upper_bound(i), max_);
  }
  return max_;
}

}  // namespace tabula::detail
