// millrace/core/batch.hpp — the type-erased batch that travels between lowered stages.
// Inside a stage records are typed (std::vector<T>); between stages the executor only moves
// ownership, so one erased box per batch costs a few nanoseconds per batch, not per record.
#pragma once

#include <cassert>
#include <cstddef>
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
  any_batch(any_batch&& o) noexcept : ptr_(std::exchange(o.ptr_, nullptr)), vt_(std::exchange(o.vt_, nullptr)) {}
  any_batch& operator=(any_batch&& o) noexcept {
    if (this != &o) {
      reset();
      ptr_ = std::exchange(o.ptr_, nullptr);
      vt_ = std::exchange(o.vt_, nullptr);
    }
    return *this;
  }
  any_batch(const any_batch&) = delete;
  any_batch& operator=(const any_batch&) = delete;
  ~any_batch() { reset(); }

  bool has_value() const noexcept { return ptr_ != nullptr; }
  std::size_t size() const noexcept { return ptr_ ? vt_->size(ptr_) : 0; }

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
  }

 private:
  void* ptr_ = nullptr;
  const vtable* vt_ = nullptr;
};

}  // namespace millrace::detail
