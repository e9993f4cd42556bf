// millrace/core/serialize.hpp — how a record becomes bytes when it crosses an exchange or is
// spilled to disk: the customization point millrace::serializer<T> and the concept serializable<T>.
// Built in: trivially copyable types (bytes as in memory), std::string, std::vector, std::pair,
// std::tuple and std::optional of serializable types. Any other type: specialize serializer<T>.
//   struct doc { std::uint64_t id; std::string text; };
//   template <> struct millrace::serializer<doc> {
//     static void write(std::string& out, const doc& d) { mr::write_fields(out, d.id, d.text); }
//     static void read(std::string_view& in, doc& d) { mr::read_fields(in, d.id, d.text); }
//     static std::size_t size(const doc& d) { return mr::fields_size(d.id, d.text); }
//   };
#pragma once

#include <concepts>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <tuple>
#include <type_traits>
#include <utility>
#include <vector>

namespace millrace {

/// Thrown by serializer<T>::read on short or garbled input (never undefined behaviour). Readers of
/// spill files catch it and rethrow naming the file and the offset.
struct format_error : std::runtime_error {
  using std::runtime_error::runtime_error;
};

/// The customization point. A specialization provides
///   static void write(std::string& out, const T& v);   // appends the bytes of v
///   static void read(std::string_view& in, T& v);      // consumes them from the front of in,
///                                                      // throws format_error when they are short/bad
///   static std::size_t size(const T& v);               // how many bytes write() appends
/// read(write(v)) must give a value equal to v. The bytes are for this machine (host byte order for
/// the numbers inside trivially copyable types); lengths are LEB128 varints.
template <class T>
struct serializer;

/// T can cross an exchange: serializer<T> is specialized with write, read and size. Specialize it
/// before the first use of serializable<T> (a concept is decided once per type).
template <class T>
concept serializable = requires(std::string& out, std::string_view& in, const T& c, T& m) {
  serializer<T>::write(out, c);
  serializer<T>::read(in, m);
  { serializer<T>::size(c) } -> std::convertible_to<std::size_t>;
};

namespace detail {

template <class T, template <class...> class Tmpl>
struct is_specialization_of : std::false_type {};
template <template <class...> class Tmpl, class... A>
struct is_specialization_of<Tmpl<A...>, Tmpl> : std::true_type {};

// The containers with their own serializer: never serialized as raw bytes, even where the
// standard library makes them trivially copyable (std::optional<int>, std::pair of scalars).
template <class T>
inline constexpr bool has_structured_serializer =
    is_specialization_of<T, std::basic_string>::value || is_specialization_of<T, std::vector>::value ||
    is_specialization_of<T, std::pair>::value || is_specialization_of<T, std::tuple>::value ||
    is_specialization_of<T, std::optional>::value;

// Raw bytes are right for plain values: not for pointers (an address means nothing in another
// process or after a spill), nor for the containers above.
template <class T>
inline constexpr bool bytes_serializable = std::is_trivially_copyable_v<T> && !std::is_pointer_v<T> &&
                                           !std::is_member_pointer_v<T> && !std::is_array_v<T> &&
                                           !has_structured_serializer<T>;

[[noreturn]] inline void short_input(std::size_t need, std::size_t have, const char* what) {
  throw format_error(std::string("short input: ") + what + " needs " + std::to_string(need) + " bytes, " +
                     std::to_string(have) + " left");
}

}  // namespace detail

/// LEB128 (7 bits a byte): the length prefix of strings and vectors.
inline void write_varint(std::string& out, std::uint64_t v) {
  while (v >= 0x80) {
    out.push_back(static_cast<char>(static_cast<unsigned char>(v | 0x80)));
    v >>= 7;
  }
  out.push_back(static_cast<char>(static_cast<unsigned char>(v)));
}
/// Bytes write_varint uses for v (1 to 10).
inline std::size_t varint_size(std::uint64_t v) {
  std::size_t n = 1;
  while (v >= 0x80) {
    v >>= 7;
    ++n;
  }
  return n;
}
/// Reads a LEB128 varint from the front of `in` and advances it; format_error on a truncated or overlong one.
inline std::uint64_t read_varint(std::string_view& in) {
  std::uint64_t v = 0;
  for (unsigned shift = 0, i = 0; i < 10; ++i, shift += 7) {
    if (i >= in.size()) detail::short_input(i + 1, in.size(), "a length");
    const auto byte = static_cast<unsigned char>(in[i]);
    if (i == 9 && byte > 1) throw format_error("garbled input: a length does not fit 64 bits");
    v |= std::uint64_t(byte & 0x7f) << shift;
    if (!(byte & 0x80)) {
      in.remove_prefix(i + 1);
      return v;
    }
  }
  throw format_error("garbled input: a length does not fit 64 bits");
}

/// Trivially copyable values: their bytes as in memory (sizeof(T) bytes; padding included).
/// A bool must read back as 0 or 1.
template <class T>
  requires detail::bytes_serializable<T>
struct serializer<T> {
  /// Appends the sizeof(T) bytes of v.
  static void write(std::string& out, const T& v) {
    const auto n = out.size();
    out.resize(n + sizeof(T));
    std::memcpy(out.data() + n, &v, sizeof(T));
  }
  /// Copies sizeof(T) bytes from the front of in into v and advances in; format_error when in is
  /// short, or when a bool's byte is not 0 or 1.
  static void read(std::string_view& in, T& v) {
    if (in.size() < sizeof(T)) detail::short_input(sizeof(T), in.size(), "a trivially copyable value");
    if constexpr (std::is_same_v<T, bool>) {
      const auto b = static_cast<unsigned char>(in[0]);
      if (b > 1) throw format_error("garbled input: a bool is " + std::to_string(b));
    }
    std::memcpy(&v, in.data(), sizeof(T));
    in.remove_prefix(sizeof(T));
  }
  /// sizeof(T), whatever the value.
  static constexpr std::size_t size(const T&) { return sizeof(T); }
};

/// std::basic_string of a trivially copyable character type: length, then the characters.
template <class C, class Tr, class A>
  requires detail::bytes_serializable<C>
struct serializer<std::basic_string<C, Tr, A>> {
  using S = std::basic_string<C, Tr, A>;
  /// Appends the length (a varint), then the characters' bytes.
  static void write(std::string& out, const S& s) {
    write_varint(out, s.size());
    const auto n = out.size();
    out.resize(n + s.size() * sizeof(C));
    if (!s.empty()) std::memcpy(out.data() + n, s.data(), s.size() * sizeof(C));
  }
  /// Reads a length and that many characters into s, advancing in; format_error when in is short.
  static void read(std::string_view& in, S& s) {
    const std::uint64_t n = read_varint(in);
    if (n > in.size() / sizeof(C)) detail::short_input(std::size_t(n) * sizeof(C), in.size(), "a string");
    s.resize(std::size_t(n));
    if (n) std::memcpy(s.data(), in.data(), std::size_t(n) * sizeof(C));
    in.remove_prefix(std::size_t(n) * sizeof(C));
  }
  /// The varint's bytes plus size() * sizeof(C).
  static std::size_t size(const S& s) { return varint_size(s.size()) + s.size() * sizeof(C); }
};

namespace detail {
// The fewest bytes one value of T takes (0 when unknown): bounds the element count a vector's
// length prefix may claim, so that a garbled length is an error, not a huge allocation.
template <class T>
constexpr std::size_t min_serialized_size() {
  if constexpr (bytes_serializable<T>) return sizeof(T);
  else if constexpr (is_specialization_of<T, std::basic_string>::value || is_specialization_of<T, std::vector>::value ||
                     is_specialization_of<T, std::optional>::value)
    return 1;
  else return 0;
}
}  // namespace detail

/// std::vector<U>: count, then the elements (one memcpy when U is trivially copyable).
template <serializable U, class A>
struct serializer<std::vector<U, A>> {
  using V = std::vector<U, A>;
  /// Whether the elements go as one memcpy: U is trivially copyable and not bool (bools are checked).
  static constexpr bool bulk = detail::bytes_serializable<U> && !std::is_same_v<U, bool>;
  /// Appends the count (a varint), then each element (all at once when bulk).
  static void write(std::string& out, const V& v) {
    write_varint(out, v.size());
    if constexpr (bulk) {
      const auto n = out.size();
      out.resize(n + v.size() * sizeof(U));
      if (!v.empty()) std::memcpy(out.data() + n, v.data(), v.size() * sizeof(U));
    } else {
      for (const auto& e : v) serializer<U>::write(out, static_cast<const U&>(e));
    }
  }
  /// Replaces v's contents with the elements read from in, advancing it; format_error when the count
  /// claims more than in can hold, or an element is short or bad.
  static void read(std::string_view& in, V& v) {
    const std::uint64_t n = read_varint(in);
    constexpr std::size_t least = detail::min_serialized_size<U>();
    if (least && n > in.size() / least) detail::short_input(std::size_t(n) * least, in.size(), "a vector");
    v.clear();
    if constexpr (bulk) {
      v.resize(std::size_t(n));
      if (n) std::memcpy(v.data(), in.data(), std::size_t(n) * sizeof(U));
      in.remove_prefix(std::size_t(n) * sizeof(U));
    } else {
      v.reserve(std::size_t(std::min<std::uint64_t>(n, in.size())));
      for (std::uint64_t i = 0; i < n; ++i) {
        U e{};
        serializer<U>::read(in, e);
        v.push_back(std::move(e));
      }
    }
  }
  /// The count's varint plus each element's size (count * sizeof(U) when bulk).
  static std::size_t size(const V& v) {
    if constexpr (bulk) {
      return varint_size(v.size()) + v.size() * sizeof(U);
    } else {
      std::size_t n = varint_size(v.size());
      for (const auto& e : v) n += serializer<U>::size(static_cast<const U&>(e));
      return n;
    }
  }
};

/// Several values one after another: the building blocks of a user specialization.
template <class... F>
void write_fields(std::string& out, const F&... f) {
  (serializer<F>::write(out, f), ...);
}
/// Reads the fields in order from the front of `in` (the inverse of write_fields).
template <class... F>
void read_fields(std::string_view& in, F&... f) {
  (serializer<F>::read(in, f), ...);
}
/// Bytes write_fields writes for these fields.
template <class... F>
std::size_t fields_size(const F&... f) {
  return (std::size_t{0} + ... + serializer<F>::size(f));
}

/// std::pair<A, B>: first, then second.
template <serializable A, serializable B>
struct serializer<std::pair<A, B>> {
  /// Appends first, then second.
  static void write(std::string& out, const std::pair<A, B>& p) { write_fields(out, p.first, p.second); }
  /// Reads first, then second, advancing in.
  static void read(std::string_view& in, std::pair<A, B>& p) { read_fields(in, p.first, p.second); }
  /// The sum of both sizes.
  static std::size_t size(const std::pair<A, B>& p) { return fields_size(p.first, p.second); }
};

/// std::tuple<E...>: the elements in order.
template <serializable... E>
struct serializer<std::tuple<E...>> {
  /// Appends the elements in order.
  static void write(std::string& out, const std::tuple<E...>& t) {
    std::apply([&](const E&... e) { write_fields(out, e...); }, t);
  }
  /// Reads the elements in order, advancing in.
  static void read(std::string_view& in, std::tuple<E...>& t) {
    std::apply([&](E&... e) { read_fields(in, e...); }, t);
  }
  /// The sum of the elements' sizes.
  static std::size_t size(const std::tuple<E...>& t) {
    return std::apply([](const E&... e) { return fields_size(e...); }, t);
  }
};

/// std::optional<U>: a byte 0 (empty) or 1 followed by the value.
template <serializable U>
struct serializer<std::optional<U>> {
  /// Appends the flag byte (0 or 1), then the value when there is one.
  static void write(std::string& out, const std::optional<U>& o) {
    out.push_back(o ? '\1' : '\0');
    if (o) serializer<U>::write(out, *o);
  }
  /// Reads the flag, then the value when it is 1 (into o, emplaced if empty); format_error on a flag
  /// other than 0 or 1 or on short input.
  static void read(std::string_view& in, std::optional<U>& o) {
    if (in.empty()) detail::short_input(1, 0, "an optional");
    const char flag = in[0];
    if (flag != '\0' && flag != '\1') throw format_error("garbled input: an optional's flag is not 0 or 1");
    in.remove_prefix(1);
    if (flag == '\0') {
      o.reset();
      return;
    }
    if (!o) o.emplace();
    serializer<U>::read(in, *o);
  }
  /// 1, plus the value's size when there is one.
  static std::size_t size(const std::optional<U>& o) { return 1 + (o ? serializer<U>::size(*o) : 0); }
};

/// One value as a string, and back (the whole string must be consumed): handy in tests and for
/// keys stored in files.
template <serializable T>
std::string to_bytes(const T& v) {
  std::string out;
  out.reserve(serializer<T>::size(v));
  serializer<T>::write(out, v);
  return out;
}
/// A value from its bytes (to_bytes' inverse); format_error when bytes are missing or left over.
template <serializable T>
T from_bytes(std::string_view in) {
  T v{};
  serializer<T>::read(in, v);
  if (!in.empty()) throw format_error("garbled input: " + std::to_string(in.size()) + " bytes left after the value");
  return v;
}

namespace detail {
template <class>
inline constexpr bool serialize_always_false = false;
/// Instantiated when a type that is not serializable crosses an exchange: the compiler prints the
/// type as this template's argument.
template <class T>
struct type_crosses_an_exchange_but_is_not_serializable {
  static_assert(serialize_always_false<T>,
                "millrace: type X (the template argument of type_crosses_an_exchange_but_is_not_serializable) "
                "crosses an exchange but is not serializable: specialize millrace::serializer<X> with "
                "write(std::string&, const X&), read(std::string_view&, X&) and size(const X&) "
                "(see millrace/core/serialize.hpp and docs/exchange.md)");
  static constexpr bool value = true;  // the assertion above is the one error reported
};
template <class T>
constexpr bool require_serializable() {
  if constexpr (serializable<T>) return true;
  else return type_crosses_an_exchange_but_is_not_serializable<T>::value;
}
}  // namespace detail

}  // namespace millrace
