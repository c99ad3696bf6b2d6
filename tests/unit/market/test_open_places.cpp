// One field's open places: every open place is drawn once before the field is full, and draws
// that follow an origin's pull reach only the places open to that origin.
#include <catch2/catch.hpp>

#include <cstdint>
#include <map>
#include <vector>

#include "engine/rng.hpp"
#include "market/open_places.hpp"

using namespace migsim;

namespace {

// One field's employers in two municipalities (0 and 1): `capacity` and `filled` per employer;
// an employer with capacity at most `small` and no diaspora owner recruits abroad only through
// an agreement.
EmployerStore field_of(const std::vector<std::uint16_t>& municipality, const std::vector<std::uint32_t>& capacity,
                       const std::vector<std::uint32_t>& filled, const std::vector<std::uint8_t>& owner) {
  EmployerStore store;
  for (std::size_t k = 0; k < municipality.size(); ++k) {
    store.field.push_back(0);
    store.municipality.push_back(municipality[k]);
    store.capacity.push_back(capacity[k]);
    store.filled.push_back(filled[k]);
    store.wage_yen.push_back(200'000 + static_cast<std::uint32_t>(k));
    store.conditions.push_back(128);
    store.owner_origin.push_back(owner[k]);
  }
  store.field_begin = {0, static_cast<std::uint32_t>(municipality.size())};
  return store;
}

constexpr std::int64_t kSmall = 3;  // places of a small employer
const std::vector<std::uint16_t> kPrefectureOf{0, 1};  // municipality m lies in prefecture m

OpenPlaces in_two_prefectures() {
  OpenPlaces places;
  places.set_prefectures(2);
  return places;
}

}  // namespace

TEST_CASE("open places are counted per employer and each is drawn once until none is left", "[market]") {
  // Employer 2 is full; employer 3 is small (agreement-only), employer 4 small but diaspora-owned.
  const auto store = field_of({0, 0, 0, 1, 1, 1}, {10, 5, 4, 3, 2, 8}, {4, 0, 9, 1, 0, 8},
                              {kNone8, kNone8, kNone8, kNone8, 2, kNone8});
  auto places = in_two_prefectures();
  REQUIRE(places.count_open(store, 0, 6, kSmall, kPrefectureOf) == 6 + 5 + 0 + 2 + 2 + 0);
  places.build(store, 0, 3);
  REQUIRE(places.open() == 15);
  Stream r(1, Purpose::matching, 0, 0);
  std::map<std::uint32_t, int> taken;
  while (places.open() > 0) {
    const auto opening = places.uniform(r);
    const auto employer = places.employer(opening);
    CHECK(places.municipality(opening) == store.municipality[employer]);
    CHECK(places.place(opening).wage_yen == store.wage_yen[employer]);
    CHECK(places.place(opening).agreement_only == (employer == 3));
    ++taken[employer];
    places.take(opening);
  }
  CHECK(taken == std::map<std::uint32_t, int>{{0, 6}, {1, 5}, {3, 2}, {4, 2}});
}

TEST_CASE("an origin's draws reach only the places open to it, where its pull is not zero", "[market]") {
  // Municipality 0: one large employer; municipality 1: a small one, agreement-only.
  const auto store = field_of({0, 1}, {20, 3}, {0, 0}, {kNone8, kNone8});
  auto places = in_two_prefectures();
  places.count_open(store, 0, 2, kSmall, kPrefectureOf);
  places.build(store, 0, 2);
  Stream r(2, Purpose::matching, 0, 0);
  auto draw = [&](std::size_t origin, auto pull, auto agrees) {
    std::map<std::uint16_t, int> where;
    for (int k = 0; k < 400; ++k)
      if (const auto opening = places.pulled(origin, pull, agrees, r)) ++where[places.municipality(*opening)];
    return where;
  };
  const auto everywhere = [](std::uint16_t) { return 1.0; };
  // Origin 0 has no agreement: only municipality 0's places.
  const auto no_agreement = draw(0, everywhere, [](std::uint16_t) { return false; });
  CHECK(no_agreement.size() == 1);
  CHECK(no_agreement.count(0) == 1);
  // Origin 1 has an agreement with municipality 1 and feels no pull to municipality 0.
  const auto agreement = draw(
      1, [](std::uint16_t m) { return m == 1 ? 1.0 : 0.0; }, [](std::uint16_t) { return true; });
  CHECK(agreement.size() == 1);
  CHECK(agreement.count(1) == 1);
}

TEST_CASE("an origin offered no place is told so without a draw", "[market]") {
  const auto store = field_of({0}, {2}, {0}, {kNone8});  // small, agreement-only
  auto places = in_two_prefectures();
  places.count_open(store, 0, 1, kSmall, kPrefectureOf);
  places.build(store, 0, 1);
  Stream r(3, Purpose::matching, 0, 0);
  CHECK_FALSE(places.offers_none(0));  // not known before its table is built
  CHECK_FALSE(places.pulled(
      0, [](std::uint16_t) { return 1.0; }, [](std::uint16_t) { return false; }, r));
  CHECK(places.offers_none(0));
}

TEST_CASE("draws in a prefecture reach each of its open places once, and none elsewhere", "[market]") {
  const auto store = field_of({0, 0, 1, 1}, {10, 5, 4, 3}, {4, 0, 1, 0}, {kNone8, kNone8, kNone8, 2});
  auto places = in_two_prefectures();
  places.count_open(store, 0, 4, kSmall, kPrefectureOf);
  places.build(store, 0, 3);
  Stream r(4, Purpose::matching, 0, 0);
  std::map<std::uint32_t, int> taken;
  while (const auto opening = places.uniform_in(1, r)) {
    CHECK(places.prefecture(*opening) == 1);
    ++taken[places.employer(*opening)];
    places.take(*opening);
  }
  CHECK(taken == std::map<std::uint32_t, int>{{2, 3}, {3, 3}});
  CHECK(places.open() == 6 + 5);  // prefecture 0's places are all still open
  CHECK(places.uniform_in(0, r));
}
