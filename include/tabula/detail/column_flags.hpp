#pragma once

// One flag per column of a table (which columns a record has set, say). Tables of up to 64
// columns keep the flags in one word, so copying them allocates nothing: a session copies them
// for every row it inserts.

#include <cstddef>
#include <cstdint>
#include <vector>

namespace tabula::detail {

class ColumnFlags {
 public:
  ColumnFlags() = default;
  explicit ColumnFlags(std::size_t columns) : size_(columns) {
    if (columns > kNarrow) wide_.assign((columns + kNarrow - 1) / kNarrow, 0);
  }

  std::size_t size() const noexcept { return size_; }
  bool test(std::size_t i) const noexcept { return (word(i) >> (i % kNarrow)) & 1U; }
  bool operator[](std::size_t i) const noexcept { return test(i); }
  void set(std::size_t i, bool on = true) noexcept {
    std::uint64_t bit = std::uint64_t{1} << (i % kNarrow);
    std::uint64_t& w = word(i);
    w = on ? (w | bit) : (w & ~bit);
  }
  void reset(std::size_t i) noexcept { set(i, false); }

  friend bool operator==(const ColumnFlags&, const ColumnFlags&) = default;

 private:
  static constexpr std::size_t kNarrow = 64;
  std::uint64_t word(std::size_t i) const noexcept {
    return size_ <= kNarrow ? narrow_ : wide_[i / kNarrow];
  }
  std::uint64_t& word(std::size_t i) noexcept {
    return size_ <= kNarrow ? narrow_ : wide_[i / kNarrow];
  }

  std::size_t size_ = 0;
  std::uint64_t narrow_ = 0;
  std::vector<std::uint64_t> wide_;
};

}  // namespace tabula::detail
