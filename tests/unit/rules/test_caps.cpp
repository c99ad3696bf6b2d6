// The cap ledger: a cap binds only while in force, a stock cap counts the holders of its statuses
// in its field, an admissions cap what it has let in; limits scale with the run.
#include <catch2/catch.hpp>

#include <vector>

#include "rules/caps.hpp"

using namespace migsim;

namespace {

// Two statuses, two fields; at scale 0.5 with the caps given.
Scenario scenario_with(std::vector<FieldCap> caps) {
  Scenario s;
  s.scale = 0.5;
  s.statuses.resize(2);
  s.fields.resize(2);
  s.caps = std::move(caps);
  return s;
}

FieldCap cap(FieldCap::Kind kind, std::uint8_t field, std::vector<std::uint8_t> statuses, std::int64_t persons) {
  FieldCap c;
  c.kind = kind;
  c.field = field;
  c.statuses = std::move(statuses);
  c.from = 100;
  c.to = 111;
  c.limit_persons = persons;
  return c;
}

constexpr std::size_t kFields = 2;
std::size_t status_field(std::size_t status, std::size_t field) { return status * kFields + field; }

}  // namespace

TEST_CASE("a stock cap counts the holders of its statuses in its field, only while in force", "[rules][caps]") {
  const auto s = scenario_with({cap(FieldCap::Kind::stock, 1, {1, 1}, 20)});
  CapLedger ledger(s);
  CHECK(ledger.limit_agents(0) == 10);          // 20 persons at one agent per two
  std::vector<std::int64_t> stock{0, 4, 0, 5};  // [status * fields + field]
  ledger.set_in_force(99);
  CHECK_FALSE(ledger.capped(status_field(0, 1)));
  CHECK(ledger.allows(0, 1, std::vector<std::int64_t>{0, 100, 0, 100}));
  ledger.set_in_force(100);
  CHECK(ledger.capped(status_field(0, 1)));
  CHECK(ledger.capped(status_field(1, 1)));
  CHECK_FALSE(ledger.capped(status_field(0, 0)));  // another field
  CHECK(ledger.allows(1, 1, stock));               // 9 holders: one more fits
  stock[status_field(0, 1)] = 5;
  CHECK_FALSE(ledger.allows(1, 1, stock));  // 10 holders
  CHECK(ledger.allows(1, 0, stock));        // field 0 is not capped
  ledger.set_in_force(112);
  CHECK(ledger.allows(1, 1, stock));
}

TEST_CASE("an admissions cap counts what it let in, whatever the stock", "[rules][caps]") {
  const auto s = scenario_with({cap(FieldCap::Kind::admissions, 0, {1, 0}, 4)});  // status 0 only
  CapLedger ledger(s);
  ledger.set_in_force(105);
  const std::vector<std::int64_t> stock{1000, 0, 0, 0};
  REQUIRE(ledger.limit_agents(0) == 2);
  CHECK_FALSE(ledger.capped(status_field(1, 0)));
  CHECK(ledger.allows(0, 0, stock));
  ledger.count_admission(status_field(0, 0));
  ledger.count_admission(status_field(1, 0));  // not counted by this cap
  CHECK(ledger.admitted(0) == 1);
  CHECK(ledger.allows(0, 0, stock));
  ledger.count_admission(status_field(0, 0));
  CHECK_FALSE(ledger.allows(0, 0, stock));
}

TEST_CASE("a cap's limit follows the cap multiplier", "[rules][caps]") {
  auto s = scenario_with({cap(FieldCap::Kind::stock, 0, {1, 1}, 30)});
  s.cap_multiplier = 0.5;
  CHECK(CapLedger(s).limit_agents(0) == 7);  // 30 × 0.5 × 0.5, whole agents
}
