// One field's open places in a month's labour market, and how an opening is drawn from them.
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <stdexcept>
#include <utility>
#include <vector>

#include "employers/employer_store.hpp"
#include "engine/arrays.hpp"
#include "engine/rng.hpp"

namespace migsim {

// The open places of one field's employers, one entry each, grouped by municipality (employers
// are stored by field, then prefecture, then municipality, so a prefecture's places are one range). Within a municipality, the places of employers who
// recruit abroad from any origin come first, then those of small employers who recruit only from
// origins their municipality has an agreement with, so an applicant draws among the places that
// could take them. An opening is drawn uniformly over all places (a listed place, drawn again
// while taken, else by counting through the municipalities' open counts), or a municipality
// first in proportion to the places it offers an origin times a pull; a taken place leaves its
// open range. Places only close during a market, so the counts when a table was built bound the
// current ones.
class OpenPlaces {
 public:
  struct Opening {
    std::size_t segment, position;
  };
  // An open place, with what a seeker compares (the wage offered, where) and what decides whom
  // its employer recruits abroad, so a draw reads one entry.
  // Twelve bytes: where it is comes from its segment (a small table that stays in cache).
  struct Place {
    std::uint32_t employer, wage_yen;
    std::uint16_t segment;
    std::uint8_t owner_origin;
    bool agreement_only;  // a small employer without a diaspora owner: recruits through agreements
  };

  // Lists the open places counted by count_open (this month, before the market; nothing fills a
  // place between), each written straight to where it goes.
  void build(const EmployerStore& e, std::uint32_t first, std::size_t origins) {
    slots_.resize(counted_places_);  // every slot is written below
    // One municipality's employers at a time: those open to all origins, then agreement-only ones.
    for (std::size_t x = 0; x < segments_.size(); ++x) {
      const auto& s = segments_[x];
      const auto [employers_from, employers_to] = segment_employers_[x];
      std::uint32_t cursor[2] = {s.begin, s.restricted_begin()};  // open to all, agreement-only
      for (std::uint32_t k = employers_from; k < employers_to; ++k) {
        const std::uint32_t entry = open_[k - first];
        const std::uint32_t open = entry & kOpenMask;
        if (open == 0) continue;
        const bool restricted = (entry & kAgreementOnly) != 0;
        const Place place{k, e.wage_yen[k], static_cast<std::uint16_t>(x), e.owner_origin[k], restricted};
        auto& at = cursor[restricted ? 1 : 0];
        for (std::uint32_t j = open; j > 0; --j) slots_[at++] = place;
      }
    }
    total_ = static_cast<std::int64_t>(slots_.size());
    pulled_.resize(origins);
    for (auto& table : pulled_) table.built = false;
  }

  // The open places of employers [first, end), counted once a month, before the applicants are
  // spread over the fields by them: each employer's, with whether it recruits abroad only through
  // agreements (a small employer without a diaspora owner), kept for build(), and each
  // municipality's of both kinds (its segment), in one pass over the employers. An employer's
  // counts take no branch on whether it is full or of which kind (as good as random).
  std::int64_t count_open(const EmployerStore& e, std::uint32_t first, std::uint32_t end,
                          std::int64_t small_employer_places, const std::vector<std::uint16_t>& prefecture_of) {
    open_.resize(end - first);
    segments_.clear();
    segment_employers_.clear();
    if (runs_first_ != first || runs_end_ != end) find_runs(e, first, end);
    std::size_t places = 0;
    for (const auto& run : runs_) {
      std::uint32_t open_all = 0, open_restricted = 0;
      for (std::uint32_t k = run.from; k < run.to; ++k) {
        const std::uint32_t capacity = e.capacity[k];
        const std::uint32_t open = capacity - std::min(e.filled[k], capacity);
        const bool restricted =
            static_cast<std::int64_t>(capacity) <= small_employer_places && e.owner_origin[k] == kNone8;
        open_[k - first] = open | (restricted ? kAgreementOnly : 0U);
        open_all += restricted ? 0U : open;
        open_restricted += restricted ? open : 0U;
      }
      if (open_all + open_restricted > 0) {
        const auto begin = static_cast<std::uint32_t>(places);
        segments_.push_back(
            {run.municipality, prefecture_of[run.municipality], begin, open_all, open_restricted, open_all});
        segment_employers_.push_back({run.from, run.to});
        places += open_all + open_restricted;
      }
    }
    // Positions are drawn as 32-bit numbers, and an entry's top bit is its kind.
    if (places > kOpenMask) throw std::length_error("a field offers more than 2^31 open places");
    counted_places_ = places;
    // Each prefecture's segments: consecutive, as its employers are.
    prefecture_segments_.assign(prefectures_, {0, 0});
    prefecture_open_.assign(prefectures_, 0);
    for (std::size_t x = segments_.size(); x-- > 0;) {
      auto& range = prefecture_segments_[segments_[x].prefecture];
      if (range.second == 0) range.second = static_cast<std::uint32_t>(x + 1);
      range.first = static_cast<std::uint32_t>(x);
      prefecture_open_[segments_[x].prefecture] += segments_[x].open();
    }
    // And its slots, looked up by every seeker bound to it.
    prefecture_slots_.resize(prefectures_);
    for (std::size_t p = 0; p < prefectures_; ++p) {
      const auto [first_segment, end_segment] = prefecture_segments_[p];
      prefecture_slots_[p] = {0, 0};
      if (first_segment == end_segment) continue;
      prefecture_slots_[p] = {segments_[first_segment].begin, end_segment < segments_.size()
                                                                  ? segments_[end_segment].begin
                                                                  : static_cast<std::uint32_t>(counted_places_)};
    }
    return static_cast<std::int64_t>(places);
  }

  // The number of prefectures whose places are kept apart (before the first count_open).
  void set_prefectures(std::size_t prefectures) { prefectures_ = prefectures; }

  std::int64_t open() const { return total_; }
  // Asks for the last open places of a segment (of both kinds): taking a place there swaps it
  // with the last one of its kind, a second scattered read.
  [[gnu::always_inline]] void prefetch_ends(std::size_t segment) const {
    const auto& s = segments_[segment];
    if (s.open_all > 0) __builtin_prefetch(&slots_[s.begin + s.open_all - 1], 1);
    if (s.open_restricted > 0) __builtin_prefetch(&slots_[s.restricted_begin() + s.open_restricted - 1], 1);
  }
  // Asks for the listed place a uniform draw whose first word is `word` looks at first.
  [[gnu::always_inline]] void prefetch_first(std::uint32_t word) const {
    if (!slots_.empty())  // a field with no open place draws none
      __builtin_prefetch(&slots_[Stream::scaled_below(word, static_cast<std::uint32_t>(slots_.size()))]);
  }
  // Whether pulled() for `origin` is known to find nothing (its table, built, offers no place).
  bool offers_none(std::size_t origin) const { return pulled_[origin].built && !pulled_[origin].any; }
  std::uint32_t employer(const Opening& o) const { return slots_[o.position].employer; }
  const Place& place(const Opening& o) const { return slots_[o.position]; }
  std::uint16_t municipality(const Opening& o) const { return segments_[o.segment].municipality; }
  std::uint16_t prefecture(const Opening& o) const { return segments_[o.segment].prefecture; }
  // Asks for the listed place a draw in prefecture p whose first word is `word` looks at first.
  [[gnu::always_inline]] void prefetch_first_in(std::size_t p, std::uint32_t word) const {
    const auto [from, to] = prefecture_slots(p);
    if (to > from) __builtin_prefetch(&slots_[from + Stream::scaled_below(word, to - from)]);
  }

  // An open place drawn uniformly: a listed place, drawn again while it is taken (few are in a
  // month), else by counting.
  Opening uniform(Stream& r) const {
    for (int attempt = 0; attempt < 8; ++attempt) {
      const std::size_t position = r.below(static_cast<std::uint32_t>(slots_.size()));
      const auto& place = slots_[position];
      const auto& s = segments_[place.segment];
      if (place.agreement_only ? position - s.restricted_begin() < s.open_restricted : position - s.begin < s.open_all)
        return {place.segment, position};
    }
    return uniform(r.below(static_cast<std::uint32_t>(total_)));
  }

  // An open place of prefecture p drawn uniformly, as uniform() does over the field; none if the
  // prefecture has no open place left.
  std::optional<Opening> uniform_in(std::size_t p, Stream& r) const {
    if (prefecture_open_[p] == 0) return std::nullopt;
    const auto [from, to] = prefecture_slots(p);
    for (int attempt = 0; attempt < 8; ++attempt) {
      const std::size_t position = from + r.below(to - from);
      const auto& place = slots_[position];
      const auto& s = segments_[place.segment];
      if (place.agreement_only ? position - s.restricted_begin() < s.open_restricted : position - s.begin < s.open_all)
        return Opening{place.segment, position};
    }
    auto ticket = static_cast<std::int64_t>(r.below(prefecture_open_[p]));
    std::size_t x = prefecture_segments_[p].first;
    while (ticket >= segments_[x].open()) ticket -= segments_[x++].open();
    return Opening{x, segments_[x].at(static_cast<std::uint32_t>(ticket), true)};
  }

  // Place number `ticket` (below open()) in municipality order, counted through the segments:
  // needed after 8 taken places in a row, about 36 k times a run against 11.6 M places taken, so
  // the counts are not kept in a tree that every take would update.
  Opening uniform(std::int64_t ticket) const {
    std::size_t x = 0;
    while (ticket >= segments_[x].open()) ticket -= segments_[x++].open();
    return {x, segments_[x].at(static_cast<std::uint32_t>(ticket), true)};
  }

  // A place an applicant of `origin` could be recruited to: a municipality drawn in proportion
  // to the places it offered that origin when the origin's table was built (all, or all but the
  // agreement-only ones where it has no agreement with the origin) times pull(municipality), by
  // Walker's alias method (two draws, no search); kept with probability (offered now / offered
  // then), then one of the places it offers; none if not kept. After a few draws in a row not
  // kept, the table is built again from the places offered now, so a market that has taken most
  // of an origin's places does not spend its draws on them (and an origin offered none is told so
  // without a draw).
  template <class Pull, class Agrees>
  std::optional<Opening> pulled(std::size_t origin, Pull pull, Agrees agrees, Stream& r) {
    auto& table = pulled_[origin];
    if (!table.built) build_alias(table, pull, agrees);
    if (!table.any) return std::nullopt;
    auto segment = static_cast<std::size_t>(r.below(static_cast<std::uint32_t>(segments_.size())));
    if (r.uniform() >= table.keep[segment]) segment = table.alias[segment];
    const auto& s = segments_[segment];
    const bool agreement = table.agreement[segment] != 0;
    const std::uint32_t offered = s.open_all + (agreement ? s.open_restricted : 0);
    if (offered == 0 || r.uniform() * table.offered[segment] >= offered) {
      if (++table.not_kept == kRebuildAfter) table.built = false;
      return std::nullopt;
    }
    table.not_kept = 0;
    return Opening{segment, s.at(r.below(offered), agreement)};
  }

  void take(const Opening& o) {
    auto& s = segments_[o.segment];
    const std::size_t last =
        slots_[o.position].agreement_only ? s.restricted_begin() + --s.open_restricted : s.begin + --s.open_all;
    std::swap(slots_[o.position], slots_[last]);
    --total_;
    --prefecture_open_[s.prefecture];
  }

 private:
  // A municipality's places: [begin, begin + all_at_start) open to any origin, the first
  // open_all of them still open; then the agreement-only ones, the first open_restricted open.
  struct Segment {
    std::uint16_t municipality, prefecture;
    std::uint32_t begin, open_all, open_restricted, all_at_start;
    std::uint32_t open() const { return open_all + open_restricted; }
    std::uint32_t restricted_begin() const { return begin + all_at_start; }
    // Open place number k: the open-to-all ones first, then (if counted) the agreement-only ones.
    std::size_t at(std::uint32_t k, bool with_restricted) const {
      return k < open_all || !with_restricted ? begin + k : restricted_begin() + (k - open_all);
    }
  };
  // Per employer of the field (count_open): its open places, with kAgreementOnly set if only
  // applicants of origins its municipality has an agreement with may take them.
  static constexpr std::uint32_t kAgreementOnly = 0x8000'0000U, kOpenMask = kAgreementOnly - 1;
  UninitialisedVector<std::uint32_t> open_;
  std::size_t counted_places_ = 0;    // their sum
  UninitialisedVector<Place> slots_;  // each open place once (resized without zero-filling: built anew each month)
  std::vector<Segment> segments_;
  std::vector<std::pair<std::uint32_t, std::uint32_t>> segment_employers_;  // each segment's [first, end)
  std::size_t prefectures_ = 0;
  // Each municipality's employers of the field, [from, to): employers never move, so they are
  // found once, not compared employer by employer every month.
  struct Run {
    std::uint16_t municipality;
    std::uint32_t from, to;
  };
  std::vector<Run> runs_;
  std::uint32_t runs_first_ = 0, runs_end_ = 0;
  void find_runs(const EmployerStore& e, std::uint32_t first, std::uint32_t end) {
    runs_.clear();
    for (std::uint32_t from = first; from < end;) {
      std::uint32_t to = from;
      while (to < end && e.municipality[to] == e.municipality[from]) ++to;
      runs_.push_back({e.municipality[from], from, to});
      from = to;
    }
    runs_first_ = first;
    runs_end_ = end;
  }
  std::vector<std::pair<std::uint32_t, std::uint32_t>> prefecture_segments_;  // each prefecture's [first, end)
  std::vector<std::uint32_t> prefecture_open_;  // each prefecture's places still open
  // The slots listed for prefecture p at the start of the market: [first, end).
  std::vector<std::pair<std::uint32_t, std::uint32_t>> prefecture_slots_;
  std::pair<std::uint32_t, std::uint32_t> prefecture_slots(std::size_t p) const { return prefecture_slots_[p]; }
  std::int64_t total_ = 0;
  struct Alias {
    bool built = false, any = false;
    int not_kept = 0;                     // draws in a row not kept
    std::vector<double> keep;             // probability of keeping the segment drawn
    std::vector<std::uint32_t> alias;     // where it goes otherwise
    std::vector<std::uint8_t> agreement;  // whether the segment's agreement-only places count
    std::vector<std::uint32_t> offered;   // places the segment offered when the table was built
  };
  static constexpr int kRebuildAfter = 8;
  std::vector<Alias> pulled_;                         // per origin, built on first use this market
  UninitialisedVector<std::uint32_t> small_, large_;  // Vose's stacks, reused

  // Vose's construction of the alias table for weights (places offered now) × pull.
  template <class Pull, class Agrees>
  void build_alias(Alias& table, Pull pull, Agrees agrees) {
    const std::size_t n = segments_.size();
    table.built = true;
    table.not_kept = 0;
    table.keep.resize(n);
    table.alias.resize(n);
    table.agreement.resize(n);
    table.offered.resize(n);
    // Through local pointers, in one pass: a byte stored through the table's vector could alias
    // anything, and would make every vector's address be read again each turn.
    double* const keep = table.keep.data();
    std::uint32_t* const alias = table.alias.data();
    std::uint8_t* const agreement = table.agreement.data();
    std::uint32_t* const offered = table.offered.data();
    const Segment* const segments = segments_.data();
    double total = 0.0;
    for (std::size_t k = 0; k < n; ++k) {
      const auto& s = segments[k];
      const bool agrees_here = agrees(s.municipality);
      agreement[k] = agrees_here ? 1 : 0;
      offered[k] = s.open_all + (agrees_here ? s.open_restricted : 0);
      total += (keep[k] = offered[k] * pull(s.municipality));
    }
    table.any = total > 0.0;
    if (!table.any) return;
    // The segments below and above the mean weight, as stacks in arrays sized for all (each
    // segment is on at most one of them at a time), through local pointers as above.
    small_.resize(n);
    large_.resize(n);
    std::uint32_t* const small = small_.data();
    std::uint32_t* const large = large_.data();
    std::size_t smalls = 0, larges = 0;
    const double scale = static_cast<double>(n) / total;
    for (std::size_t k = 0; k < n; ++k) {
      keep[k] *= scale;
      if (keep[k] < 1.0)
        small[smalls++] = static_cast<std::uint32_t>(k);
      else
        large[larges++] = static_cast<std::uint32_t>(k);
    }
    while (smalls > 0 && larges > 0) {
      const auto less = small[--smalls], more = large[larges - 1];
      alias[less] = more;
      keep[more] -= 1.0 - keep[less];
      if (keep[more] < 1.0) {
        --larges;
        small[smalls++] = more;
      }
    }
    // Rounding left-overs keep themselves (their alias, never read, is not written).
    for (std::size_t j = 0; j < smalls; ++j) keep[small[j]] = 1.0;
    for (std::size_t j = 0; j < larges; ++j) keep[large[j]] = 1.0;
  }
};

}  // namespace migsim
