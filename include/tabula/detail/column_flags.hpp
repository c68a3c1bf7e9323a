#pragma once

// One flag per column of a table (which columns a record has set, say). Tables of up to 64
// columns keep the flags in one word, so copying them allocates nothing: a session copies them
// for every row it inserts. 16 bytes: every record and every journaled insert holds one.

#include <algorithm>
#include <cstddef>
#include <cstdint>

namespace tabula::detail {

class ColumnFlags {
 public:
  ColumnFlags() noexcept = default;
  explicit ColumnFlags(std::size_t columns) : size_(columns) {
    if (wide()) bits_.wide = new std::uint64_t[words()]();
  }
  ColumnFlags(const ColumnFlags& other) : size_(other.size_), bits_(other.bits_) {
    if (wide()) {
      bits_.wide = new std::uint64_t[words()];
      std::copy_n(other.bits_.wide, words(), bits_.wide);
    }
  }
  ColumnFlags(ColumnFlags&& other) noexcept : size_(other.size_), bits_(other.bits_) {
    other.size_ = 0;
    other.bits_.narrow = 0;
  }
  ColumnFlags& operator=(const ColumnFlags& other) {
    if (this != &other) *this = ColumnFlags(other);
    return *this;
  }
  ColumnFlags& operator=(ColumnFlags&& other) noexcept {
    if (this != &other) {
      release();
      size_ = other.size_;
      bits_ = other.bits_;
      other.size_ = 0;
      other.bits_.narrow = 0;
    }
    return *this;
  }
  ~ColumnFlags() { release(); }

  std::size_t size() const noexcept { return size_; }
  bool test(std::size_t i) const noexcept { return (word(i) >> (i % kNarrow)) & 1U; }
  bool operator[](std::size_t i) const noexcept { return test(i); }
  void set(std::size_t i, bool on = true) noexcept {
    std::uint64_t bit = std::uint64_t{1} << (i % kNarrow);
    std::uint64_t& w = word(i);
    w = on ? (w | bit) : (w & ~bit);
  }
  void reset(std::size_t i) noexcept { set(i, false); }

  // Every flag set in `other` (of the same size) is set here too.
  bool contains(const ColumnFlags& other) const noexcept {
    if (!wide()) return (bits_.narrow & other.bits_.narrow) == other.bits_.narrow;
    for (std::size_t w = 0; w < words(); ++w) {
      if ((bits_.wide[w] & other.bits_.wide[w]) != other.bits_.wide[w]) return false;
    }
    return true;
  }

  friend bool operator==(const ColumnFlags& a, const ColumnFlags& b) noexcept {
    if (a.size_ != b.size_) return false;
    if (!a.wide()) return a.bits_.narrow == b.bits_.narrow;
    return std::equal(a.bits_.wide, a.bits_.wide + a.words(), b.bits_.wide);
  }

 private:
  static constexpr std::size_t kNarrow = 64;
  bool wide() const noexcept { return size_ > kNarrow; }
  std::size_t words() const noexcept { return (size_ + kNarrow - 1) / kNarrow; }
  std::uint64_t word(std::size_t i) const noexcept {
    return wide() ? bits_.wide[i / kNarrow] : bits_.narrow;
  }
  std::uint64_t& word(std::size_t i) noexcept {
    return wide() ? bits_.wide[i / kNarrow] : bits_.narrow;
  }
  void release() noexcept {
    if (wide()) delete[] bits_.wide;
  }

  // The flags themselves up to 64 columns, else the words they take on the heap.
  union Bits {
    std::uint64_t narrow;
    std::uint64_t* wide;
  };
  std::size_t size_ = 0;
  Bits bits_{0};
};

}  // namespace tabula::detail
