// millrace/core/batch.hpp — the type-erased batch that travels between lowered stages.
// Inside a stage records are typed (std::vector<T>); between stages the executor only moves
// ownership, so one erased box per batch costs a few nanoseconds per batch, not per record.
#pragma once

#include <cassert>
#include <cstddef>
#include <cstdint>
#include <typeinfo>
#include <utility>
#include <vector>

namespace millrace::detail {

class any_batch {
  struct vtable {
    void (*destroy)(void*) noexcept;
    std::size_t (*size)(const void*) noexcept;
    const std::type_info* type;
  };
  template <class T>
  static const vtable* vtable_for() noexcept {
    static const vtable vt{
        [](void* p) noexcept { delete static_cast<std::vector<T>*>(p); },
        [](const void* p) noexcept { return static_cast<const std::vector<T>*>(p)->size(); },
        &typeid(T)};
    return &vt;
  }

 public:
  any_batch() noexcept = default;
  template <class T>
  explicit any_batch(std::vector<T>&& v) : ptr_(new std::vector<T>(std::move(v))), vt_(vtable_for<T>()) {}
  any_batch(any_batch&& o) noexcept
      : ptr_(std::exchange(o.ptr_, nullptr)), vt_(std::exchange(o.vt_, nullptr)), first_(std::exchange(o.first_, no_ordinal)) {}
  any_batch& operator=(any_batch&& o) noexcept {
    if (this != &o) {
      reset();
      ptr_ = std::exchange(o.ptr_, nullptr);
      vt_ = std::exchange(o.vt_, nullptr);
      first_ = std::exchange(o.first_, no_ordinal);
    }
    return *this;
  }
  any_batch(const any_batch&) = delete;
  any_batch& operator=(const any_batch&) = delete;
  ~any_batch() { reset(); }

  bool has_value() const noexcept { return ptr_ != nullptr; }
  std::size_t size() const noexcept { return ptr_ ? vt_->size(ptr_) : 0; }

  /// "Not known": the first_ordinal() of a batch whose records no longer map one to one to the
  /// source's (after a filter, a batch operator, a merge, a barrier).
  static constexpr std::uint64_t no_ordinal = ~std::uint64_t(0);
  /// Index in the source's stream of this batch's first record; record i is first_ordinal() + i.
  /// Set by the driver for the source's batches and kept by stages that keep one record for each
  /// (read only when an operator fails, to name the failing record: operator_error::ordinal()).
  std::uint64_t first_ordinal() const noexcept { return first_; }
  /// Sets first_ordinal() (no_ordinal: not known).
  void set_first_ordinal(std::uint64_t first) noexcept { first_ = first; }

  /// The typed vector; an empty box yields a fresh empty vector.
  template <class T>
  std::vector<T>& get() {
    if (!ptr_) {
      ptr_ = new std::vector<T>();
      vt_ = vtable_for<T>();
    }
    assert(*vt_->type == typeid(T) && "millrace: batch type mismatch between lowered stages");
    return *static_cast<std::vector<T>*>(ptr_);
  }
  /// Moves the typed vector out, leaving the box empty.
  template <class T>
  std::vector<T> take() {
    if (!ptr_) return {};
    std::vector<T> v = std::move(get<T>());
    reset();
    return v;
  }
  void reset() noexcept {
    if (ptr_) vt_->destroy(ptr_);
    ptr_ = nullptr;
    vt_ = nullptr;
    first_ = no_ordinal;
  }

 private:
  void* ptr_ = nullptr;
  const vtable* vt_ = nullptr;
  std::uint64_t first_ = no_ordinal;
};

}  // namespace millrace::detail
