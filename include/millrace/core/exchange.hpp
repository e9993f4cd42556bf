// millrace/core/exchange.hpp — the keyed exchange (shuffle): records are routed by key to one of P
// partitions and come out partition 0 first, then 1, ..., each sorted by key, ties in input order
// (by `position` for records that carry one). A barrier: everything upstream completes first. In
// one process each partition is an external_sorter under one shared memory budget: nothing touches
// the disk while the records fit, beyond it sorted runs are spilled and merged. Needs xxhash.h.
//   auto p = source | mr::exchange([](const edge& e) { return e.band; }, {.partitions = 4})
//                   | mr::stage(link_buckets{}) | sink;
//   auto q = source | mr::exchange({.spill = {.memory_budget = 1 << 30, .tmp_dir = "/scratch"}});  // T itself
#pragma once

#include <concepts>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <tuple>
#include <type_traits>
#include <utility>
#include <vector>

#include <millrace/core/element.hpp>
#include <millrace/core/error.hpp>
#include <millrace/core/position.hpp>
#include <millrace/core/serialize.hpp>
#include <millrace/core/spill.hpp>

namespace millrace {

/// Options of mr::exchange: the number of partitions, the spill budget and directory, where to put the totals.
struct exchange_options {
  /// P: records go to partition exchange_hash(key) % P.
  std::size_t partitions = 1;
  /// The budget (shared by all partitions), where runs are spilled, fsync.
  spill_options spill{};
  /// When set, filled with the sorters' totals once the last record has left the exchange.
  std::shared_ptr<spill_stats> stats{};
};

/// The partitioning hash of a key: deterministic across runs, machines and library versions (unlike
/// std::hash). Built in: integers and enums (XXH3-64 of the value widened to 64 bits), strings and
/// string views (XXH3-64 of the bytes), record_position, pairs and tuples (XXH3-64 of the elements'
/// hashes), and any other serializable key (XXH3-64 of its serialized bytes). Specialize it for a
/// key whose equal values may serialize differently:
///   template <> struct millrace::exchange_hash<my_key> {
///     std::uint64_t operator()(const my_key& k) const { return mr::exchange_hash<std::string>{}(k.name); } };
template <class K>
struct exchange_hash {
  std::uint64_t operator()(const K& k) const {
    if constexpr (std::is_integral_v<K> || std::is_enum_v<K>) {
      using U = std::conditional_t<std::is_enum_v<K>, std::underlying_type<K>, std::type_identity<K>>;
      using V = typename U::type;
      const std::uint64_t w = std::is_signed_v<V> ? std::uint64_t(std::int64_t(V(k))) : std::uint64_t(V(k));
      return XXH3_64bits(&w, sizeof w);
    } else if constexpr (std::is_convertible_v<const K&, std::string_view>) {
      const std::string_view s(k);
      return XXH3_64bits(s.data(), s.size());
    } else if constexpr (std::is_same_v<K, record_position>) {
      const std::uint64_t w[2] = {k.input, k.offset};
      return XXH3_64bits(w, sizeof w);
    } else if constexpr (detail::is_specialization_of<K, std::pair>::value || detail::is_specialization_of<K, std::tuple>::value) {
      return std::apply(
          [](const auto&... e) {
            const std::uint64_t h[] = {0, exchange_hash<std::remove_cvref_t<decltype(e)>>{}(e)...};
            return XXH3_64bits(h + 1, sizeof h - sizeof h[0]);
          },
          k);
    } else {
      static_assert(serializable<K>,
                    "millrace: an exchange key with partitions > 1 needs a hash: make the key serializable "
                    "or specialize millrace::exchange_hash<K>");
      const std::string b = to_bytes(k);
      return XXH3_64bits(b.data(), b.size());
    }
  }
};

namespace detail {

/// The exchange's order: by key, then (for records with a record_position `position`) by
/// position; the sorts are stable, so other ties keep input order.
template <class In, class KeyFn>
struct exchange_less {
  KeyFn key;
  bool operator()(const In& a, const In& b) const {
    decltype(auto) ka = std::invoke(key, a);
    decltype(auto) kb = std::invoke(key, b);
    if (ka < kb) return true;
    if constexpr (positioned<In>) {
      if (kb < ka) return false;
      return record_position(a.position) < record_position(b.position);
    } else {
      return false;
    }
  }
};

/// The key of mr::exchange(options): the record itself.
struct identity_key {
  template <class T>
  const T& operator()(const T& t) const noexcept {
    return t;
  }
};

/// One run's exchange: a sorter per partition, one spill directory, one budget.
template <class In, class KeyFn>
class exchange_state {
 public:
  using less = exchange_less<In, KeyFn>;
  using sorter = external_sorter<In, less>;
  using key_type = std::remove_cvref_t<std::invoke_result_t<const KeyFn&, const In&>>;

  exchange_state(KeyFn key, exchange_options o)
      : key_(std::move(key)), opts_(std::move(o)), dir_(std::make_shared<spill::spill_dir>(opts_.spill.tmp_dir)) {
    if (opts_.partitions == 0) opts_.partitions = 1;
    parts_.reserve(opts_.partitions);
    for (std::size_t p = 0; p < opts_.partitions; ++p)
      parts_.emplace_back(opts_.spill, less{key_}, dir_, "p" + std::to_string(p));
  }

  void push(std::vector<In>&& batch) {
    const std::size_t P = parts_.size();
    for (auto& r : batch) {
      const std::size_t p = P == 1 ? 0 : std::size_t(exchange_hash<key_type>{}(std::invoke(key_, std::as_const(r))) % P);
      auto& s = parts_[p];
      const std::size_t before = s.buffered_bytes();
      s.push(std::move(r));
      buffered_ = buffered_ - before + s.buffered_bytes();  // the sorter may have spilled itself
      peak_ = std::max<std::uint64_t>(peak_, buffered_);
      // Over the shared budget: spill the largest buffer (at least 1/P of the total goes).
      while (buffered_ > opts_.spill.memory_budget) {
        sorter* big = &parts_[0];
        for (auto& q : parts_)
          if (q.buffered_bytes() > big->buffered_bytes()) big = &q;
        buffered_ -= big->buffered_bytes();
        big->spill();
      }
    }
  }

  /// Appends up to max records in output order; false once all are out.
  bool fill(std::vector<In>& out, std::size_t max) {
    while (out.size() < max) {
      if (!reader_) {
        if (next_part_ == parts_.size()) {
          finish();
          return false;
        }
        auto& s = parts_[next_part_++];
        buffered_ -= s.buffered_bytes();
        reader_.emplace(s.finish());
        add(s.stats());  // after finish(): its final spill and merge passes included
      }
      reader_->read(out, max - out.size());
      if (out.size() < max) reader_.reset();  // exhausted: its files are gone
    }
    return true;
  }

 private:
  void add(const spill_stats& s) {
    stats_.records += s.records;
    stats_.runs += s.runs;
    stats_.bytes_spilled += s.bytes_spilled;
    stats_.merge_passes += s.merge_passes;
  }
  void finish() {
    if (done_) return;
    done_ = true;
    reader_.reset();
    dir_.reset();  // the directory goes with its last user
    stats_.peak_buffered_bytes = peak_;
    if (opts_.stats) *opts_.stats = stats_;
  }

  KeyFn key_;
  exchange_options opts_;
  std::shared_ptr<spill::spill_dir> dir_;
  std::vector<sorter> parts_;
  std::size_t buffered_ = 0;
  std::uint64_t peak_ = 0;
  std::size_t next_part_ = 0;
  std::optional<typename sorter::sorted_reader> reader_;
  spill_stats stats_;
  bool done_ = false;
};

}  // namespace detail

// ---------------------------------------------------------------------------------------------
/// The exchange element (see the top of this file and docs/exchange.md). Its process stage is
/// serial and in input order, so what arrives is the input order for any thread count and batch
/// size; finish streams the partitions batch by batch, never all records at once.
template <class KeyFn>
struct exchange_op : detail::element_tag {
  KeyFn key;  ///< key(record): picks the partition (via exchange_hash) and the sort order within it
  exchange_options opts;  ///< partitions, spill budget and directory, stats destination
  std::string name;
  static constexpr const char* kind = "exchange";
  static constexpr bool is_barrier = true;
  using expects = std::conditional_t<std::is_same_v<KeyFn, detail::identity_key>, generic_parameter,
                                     detail::first_param_t<KeyFn>>;
  template <class In>
  static constexpr bool accepts = std::is_invocable_v<const KeyFn&, const In&>;
  template <class In>
  using output = In;

  template <class In>
  void lower(detail::plan& p, detail::stage_list& stages) const {
    static_assert(detail::require_serializable<In>());
    if constexpr (serializable<In>) lower_serializable<In>(p, stages);
  }

  /// (after the serializable check, so that a missing serializer gives one error)
  template <class In>
  void lower_serializable(detail::plan& p, detail::stage_list& stages) const {
    using K = std::remove_cvref_t<std::invoke_result_t<const KeyFn&, const In&>>;
    static_assert(requires(const K& a, const K& b) {
      { a < b } -> std::convertible_to<bool>;
    }, "millrace: mr::exchange's key must be ordered with < (a strict weak order over all keys)");
    static_assert(std::default_initializable<In>, "millrace: records crossing an exchange must be default-constructible");
    using state_t = detail::exchange_state<In, KeyFn>;

    detail::runtime_stage st;
    st.name = name;
    st.mode = detail::stage_mode::serial;
    st.ops.push_back(p.add_op(name, kind));
    auto* stats = &p.ops[st.ops[0]];
    const std::size_t op = st.ops[0];
    // The state of this run: lowering makes a fresh one, so running a pipeline twice is two runs.
    auto state = std::make_shared<state_t>(key, opts);
    st.process = [state, stats, name = name](detail::any_batch&& b) -> detail::any_batch {
      std::vector<In> in = b.take<In>();
      const std::size_t n = in.size();
      try {
        state->push(std::move(in));
      } catch (...) {
        detail::rethrow_as_operator_error(name);
      }
      stats->in.fetch_add(n, std::memory_order_relaxed);
      return {};
    };
    st.finish_as_source = [state, stats, op, name = name]() -> detail::runtime_source {
      detail::runtime_source s;
      s.name = name;
      s.op = op;
      s.fill = [state, stats, name](detail::any_batch& b, std::size_t max) -> bool {
        auto& out = b.get<In>();
        const std::size_t before = out.size();
        try {
          const bool more = state->fill(out, max ? max : 1);
          stats->out.fetch_add(out.size() - before, std::memory_order_relaxed);
          return more;
        } catch (...) {
          detail::rethrow_as_operator_error(name);
        }
      };
      return s;
    };
    stages.push_back(std::move(st));
  }
};

/// mr::exchange(key, options, "name"): route records by key(const T&) (totally ordered with <)
/// to options.partitions partitions, each sorted by key with ties in input order.
template <class KeyFn>
  requires(!std::is_same_v<std::remove_cvref_t<KeyFn>, exchange_options>)
exchange_op<std::decay_t<KeyFn>> exchange(KeyFn&& key, exchange_options opts = {}, std::string name = "exchange") {
  return {{}, std::forward<KeyFn>(key), std::move(opts), std::move(name)};
}

/// mr::exchange(options, "name"): the record is its own key.
inline exchange_op<detail::identity_key> exchange(exchange_options opts = {}, std::string name = "exchange") {
  return {{}, detail::identity_key{}, std::move(opts), std::move(name)};
}

}  // namespace millrace
