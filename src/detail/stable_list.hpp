#pragma once

// A list that only grows at its end and never moves what it holds (addresses stay valid until
// clear()), kept in chunks of `kChunk` elements: one allocation per chunk rather than per
// element, and no slack between elements. A session keeps its records in one: std::deque would
// allocate a 512-byte block for every two of them.

#include <cstddef>
#include <iterator>
#include <memory>
#include <new>
#include <type_traits>
#include <utility>
#include <vector>

namespace tabula::detail {

template <class T, std::size_t kChunk = 256>
class StableList {
 public:
  StableList() = default;
  StableList(const StableList&) = delete;
  StableList& operator=(const StableList&) = delete;
  ~StableList() { clear(); }

  template <class... Args>
  T& emplace_back(Args&&... args) {
    if (size_ == chunks_.size() * kChunk)
      chunks_.push_back(std::make_unique_for_overwrite<Chunk>());
    T* at = slot(size_);
    ::new (static_cast<void*>(at)) T(std::forward<Args>(args)...);
    ++size_;
    return *at;
  }

  // Destroys every element; the first chunk is kept for what comes next.
  void clear() noexcept {
    for (std::size_t i = size_; i > 0; --i) slot(i - 1)->~T();
    size_ = 0;
    if (chunks_.size() > 1) chunks_.resize(1);
  }

  std::size_t size() const noexcept { return size_; }
  bool empty() const noexcept { return size_ == 0; }

  template <class List, class Ref>
  class Iterator {
   public:
    using iterator_category = std::forward_iterator_tag;
    using value_type = T;
    using difference_type = std::ptrdiff_t;
    using pointer = std::remove_reference_t<Ref>*;
    using reference = Ref;
    Iterator() = default;
    Iterator(List* list, std::size_t i) : list_(list), i_(i) {}
    reference operator*() const { return *list_->slot(i_); }
    pointer operator->() const { return list_->slot(i_); }
    Iterator& operator++() {
      ++i_;
      return *this;
    }
    Iterator operator++(int) {
      Iterator old = *this;
      ++i_;
      return old;
    }
    friend bool operator==(const Iterator& a, const Iterator& b) { return a.i_ == b.i_; }

   private:
    List* list_ = nullptr;
    std::size_t i_ = 0;
  };
  using iterator = Iterator<StableList, T&>;
  using const_iterator = Iterator<const StableList, const T&>;
  iterator begin() noexcept { return {this, 0}; }
  iterator end() noexcept { return {this, size_}; }
  const_iterator begin() const noexcept { return {this, 0}; }
  const_iterator end() const noexcept { return {this, size_}; }

 private:
  struct Chunk {
    alignas(T) std::byte bytes[sizeof(T) * kChunk];
  };
  T* slot(std::size_t i) const noexcept {
    return std::launder(
        reinterpret_cast<T*>(chunks_[i / kChunk]->bytes + sizeof(T) * (i % kChunk)));
  }

  std::vector<std::unique_ptr<Chunk>> chunks_;
  std::size_t size_ = 0;
};

}  // namespace tabula::detail
