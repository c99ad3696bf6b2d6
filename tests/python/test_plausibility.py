"""The first forecast year of the Japan baseline is plausible against the last observed years
(docs/validation.md, Plausibility of the first forecast years): no status loses holders to the end
of its stay before its first holders can have reached it; SSW1 conversions inside Japan and
admissions from abroad stay within a band of their 2021-2022 pace; no status's stock jumps from
2022 to 2023 by more than a factor (or, for a status still ramping up, its last observed yearly
growth) without a dated policy event. Run at reduced scale for one year."""

import h5py
import numpy as np
import pandas as pd
import pytest
import yaml

from conftest import REPO, run_ok

BASELINE = REPO / "scenarios" / "japan_baseline.yaml"
OBSERVED = REPO / "analysis" / "observed"
SCALE = "0.05"

# The thresholds of docs/validation.md.
ROUTE_BAND = (0.5, 2.0)         # a route's 2023 flow against its last observed yearly pace
STOCK_JUMP = 1.5                # a status's stock 2022 -> 2023, up or down
EXIT_HAZARD_MARGIN = 1.5        # exits of a status none of whose holders can reach its maximum stay
FIRST_HOLDERS = {"SSW1": "2019-04"}   # when each status with a maximum stay took its first holders


@pytest.fixture(scope="module")
def first_year(tmp_path_factory):
    """The baseline's census of 2022 (its input) and of 2023, and its resolved scenario."""
    out = tmp_path_factory.mktemp("plausibility") / "baseline_2023.h5"
    run_ok("run", BASELINE, "--scale", SCALE, "--set", "end=2023-12", "-q", "-o", out)
    with h5py.File(out, "r") as f:
        statuses = list(f["national/status"].asstr()[:])
        years = [int(y) for y in f["national/year"][:]]
        assert years == [2022, 2023]

        def by_status(name):
            return pd.Series(f[f"national/{name}"][1].sum(axis=(1, 2)), index=statuses).astype(float)
        data = {"stock_2022": pd.Series(f["national/stock"][0].sum(axis=(1, 2)), index=statuses).astype(float),
                **{name: by_status(name) for name in ("stock", "entries", "exits", "transitions_in")}}
        scenario = yaml.safe_load(f.attrs["scenario_yaml"])
    return data, scenario


def route_pace(category):
    """Persons a year who took an SSW route between the two route observations (2021-06, 2022-12)."""
    ssw = pd.read_csv(OBSERVED / "ssw.csv")
    route = ssw[(ssw["series"] == "route") & (ssw["category"] == category)].set_index("date")["persons"]
    return (route["2022-12"] - route["2021-06"]) / 1.5


def months_since(date, year, month):
    y, m = (int(x) for x in date.split("-"))
    return (year - y) * 12 + (month - m)


def test_no_status_loses_holders_to_expiry_before_its_first_holders_can_reach_it(first_year):
    data, scenario = first_year
    for status, since in FIRST_HOLDERS.items():
        rule = scenario["statuses"][status]
        # Through the end of 2023 nobody who got the status from `since` on has reached its maximum stay.
        assert months_since(since, 2023, 12) < rule["max_stay_months"], f"{status}: the check no longer applies"
        mean_stock = (data["stock_2022"][status] + data["stock"][status]) / 2
        rate = data["exits"][status] / mean_stock
        assert rate <= EXIT_HAZARD_MARGIN * rule["exit_rate_per_year"], (
            f"{status} lost {rate:.1%} of its holders in 2023: more than its exit hazard allows")


def test_ssw1_routes_keep_their_last_observed_pace(first_year):
    data, _ = first_year
    for what, simulated, category in (
            ("status changes into SSW1 inside Japan", data["transitions_in"]["SSW1"], "change_of_status_in_japan"),
            ("SSW1 admissions from abroad", data["entries"]["SSW1"], "admitted_from_abroad")):
        pace = route_pace(category)
        ratio = simulated / pace
        assert ROUTE_BAND[0] <= ratio <= ROUTE_BAND[1], (
            f"{what}: {simulated:,.0f} in 2023 against {pace:,.0f} a year in 2021-06 to 2022-12 (x{ratio:.2f})")


def last_observed_growth(status):
    """A status still ramping up may keep growing as fast as it did in its last observed year:
    SSW1's holders 2021-12 -> 2022-12 (observed/ssw.csv: SSW1 in 2021, SSW in all in 2022, when SSW2
    held a handful); 1 for the others (the data have no 2022 stock by status)."""
    if status != "SSW1":
        return 1.0
    ssw = pd.read_csv(OBSERVED / "ssw.csv").set_index(["date", "series", "category"])["persons"]
    return ssw[("2022-12", "total", "all")] / ssw[("2021-12", "ssw1", "all")]


def test_no_stock_jumps_from_2022_to_2023_without_a_dated_policy_event(first_year):
    data, scenario = first_year
    # A status that a dated event of 2023 opens wider may move more: SSW2, which SSW1's rule change of
    # 2023-09 opens to eleven fields.
    changed = {tr["to"] for e in scenario.get("events", [])
               if e.get("type") == "status_rule" and str(e["date"]).startswith("2023")
               for tr in e.get("set", {}).get("transitions", [])}
    assert changed == {"SSW2"}
    for status, before in data["stock_2022"].items():
        if status in changed or before == 0:
            continue
        factor = data["stock"][status] / before
        assert 1 / STOCK_JUMP <= factor <= max(STOCK_JUMP, last_observed_growth(status)), (
            f"{status}: stock {before:,.0f} at the end of 2022 -> {data['stock'][status]:,.0f} a year later "
            f"(x{factor:.2f}) with no dated policy event")
    assert np.isfinite(list(data["stock"])).all()
