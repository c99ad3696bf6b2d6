"""Validation against observed statistics (analysis/migsim_analysis/validate.py, docs/validation.md).

Unit tests of the metric and the naive forecast on hand-made frames, then the validation of real
runs of the quickstart.

The validation of the Japan backtest (scenarios/backtest_2019.yaml) is tested in test_japan.py; here
the quickstart moved to a 2019-10 start reaches every series.
"""

import math
import os
import subprocess
import sys

import h5py
import numpy as np
import pandas as pd
import pytest
from conftest import ANALYSIS, QUICKSTART, run_ok

from migsim_analysis.validate import (COLUMNS, FALLBACK_STATUS_MAP, SERIES, ard, naive_base_years, naive_forecast,
                                      parse_years, status_mapping, validation_table)

NAN = np.nan


def analysis_cli(*args):
    env = dict(os.environ, PYTHONPATH=str(ANALYSIS))
    return subprocess.run([sys.executable, "-m", "migsim_analysis", *map(str, args)],
                          capture_output=True, text=True, env=env, timeout=120)


# ---------------------------------------------------------------------------------------------
# The metric and the naive forecast


def test_ard_of_one_year_is_total_absolute_deviation_over_observed_total():
    obs = pd.Series({"a": 100.0, "b": 100.0})
    assert ard(pd.Series({"a": 110.0, "b": 90.0}), obs) == pytest.approx(0.1)
    assert ard(obs, obs) == 0.0
    # Deviations do not cancel across categories, and a larger category weighs more.
    assert ard(pd.Series({"a": 130.0, "b": 70.0}), obs) == pytest.approx(0.3)
    assert ard(pd.Series({"a": 1.0, "b": 10.0}), pd.Series({"a": 2.0, "b": 8.0})) == pytest.approx(3 / 10)


def test_ard_is_the_mean_over_years_of_observed_cells_only():
    obs = pd.DataFrame({"a": [100.0, 50.0, NAN], "b": [100.0, NAN, NAN]}, index=[2020, 2021, 2022])
    sim = pd.DataFrame({"a": [110.0, 60.0, 5.0], "b": [90.0, 999.0, 5.0]}, index=[2020, 2021, 2022])
    # 2020: 20 / 200 = 0.1; 2021: only a is observed, 10 / 50 = 0.2; 2022: nothing observed, ignored.
    assert ard(sim, obs) == pytest.approx((0.1 + 0.2) / 2)
    assert math.isnan(ard(sim, obs.iloc[2:]))


def test_ard_refuses_missing_simulated_cells_and_a_zero_observed_total():
    obs = pd.DataFrame({"a": [100.0], "b": [100.0]}, index=[2020])
    with pytest.raises(ValueError, match="categories"):
        ard(pd.DataFrame({"a": [100.0]}, index=[2020]), obs)
    with pytest.raises(ValueError, match="year 2020"):
        ard(pd.DataFrame({"a": [100.0], "b": [100.0]}, index=[2021]), obs)
    with pytest.raises(ValueError, match="total"):
        ard(pd.Series({"a": 1.0}), pd.Series({"a": 0.0}))


def test_naive_forecast_carries_each_category_last_earlier_observation():
    obs = pd.DataFrame(
        {"a": [1.0, NAN, 3.0, NAN, 5.0, 6.0],        # last before 2020: 2019
         "b": [NAN, 10.0, NAN, NAN, NAN, NAN],       # last before 2020: 2018
         "c": [NAN, NAN, NAN, NAN, 7.0, 8.0]},       # first observed in the window: no naive value
        index=[2017, 2018, 2019, 2020, 2021, 2022])
    naive = naive_forecast(obs, [2020, 2021, 2022])
    assert list(naive.index) == [2020, 2021, 2022]
    assert list(naive["a"]) == [3.0, 3.0, 3.0] and list(naive["b"]) == [10.0] * 3
    assert naive["c"].isna().all()
    base = naive_base_years(obs, 2020)
    assert base["a"] == 2019 and base["b"] == 2018 and pd.isna(base["c"])
    # Strictly before the start: the window's own observations are never used.
    assert list(naive_forecast(obs, [2022], start=2021)["a"]) == [3.0]
    assert list(naive_forecast(obs, [2022], start=2022)["a"]) == [5.0]
    # The naive ARD on the observed cells of the window: 2021 |3-5|/5, 2022 |3-6|/6 for a alone.
    assert ard(naive[["a"]], obs.loc[[2021, 2022], ["a"]]) == pytest.approx((2 / 5 + 3 / 6) / 2)


def test_naive_forecast_without_earlier_years_is_all_missing():
    obs = pd.DataFrame({"a": [1.0, 2.0]}, index=[2021, 2022])
    assert naive_forecast(obs, [2021, 2022]).isna().all().all()


def test_parse_years():
    assert parse_years("2020-2022") == (2020, 2022)
    assert parse_years("2022") == (2022, 2022)
    with pytest.raises(ValueError):
        parse_years("2022-2020")
    with pytest.raises(ValueError):
        parse_years("twenty")


def test_status_mapping_falls_back_to_the_built_in_table(tmp_path):
    mapping, note = status_mapping(tmp_path / "absent.csv")
    assert len(mapping) == 36 and "fallback" in note
    assert mapping["tech_intern_2b"] == "TITP" and mapping["long_term_resident"] == "SPOUSE_OR_LONG_TERM"
    assert mapping["nursing_care"] == "OTHER" and "tech_intern" not in mapping  # sums are never mapped
    # A file wins where it has a row; the fallback fills in what it leaves out.
    path = tmp_path / "map.csv"
    path.write_text("isa_status,isa_column_ja,status\nnursing_care,介護,SSW1\ntech_intern,技能実習,TITP\n",
                    encoding="utf-8")
    mapping, note = status_mapping(path)
    assert mapping["nursing_care"] == "SSW1" and mapping["student"] == "STUDENT" and len(mapping) == 36
    assert "map.csv" in note and "tech_intern" not in mapping


def test_fallback_map_covers_the_36_base_statuses_of_the_observed_tables():
    observed = pd.read_csv(ANALYSIS / "observed" / "prefecture_residents_by_status.csv", usecols=["status"])
    base = set(observed["status"]) - {"total", "tech_intern", "highly_skilled_professional", "ssw"}
    assert base == set(FALLBACK_STATUS_MAP)


# ---------------------------------------------------------------------------------------------
# Real runs


@pytest.fixture(scope="module")
def quickstart_from_2019(tmp_path_factory):
    """The quickstart moved to 2019-10 .. 2022-10 (census records 2019-2022): every series has data."""
    out = tmp_path_factory.mktemp("validate") / "quickstart_2019.h5"
    run_ok("run", QUICKSTART, "--set", "start=2019-10", "--set", "end=2022-10", "-q", "-o", out)
    return out


def test_quickstart_table_has_the_series_it_can_compute(quickstart_h5):
    path, _ = quickstart_h5
    table = validation_table(path)
    assert list(table.columns) == COLUMNS
    # The quickstart starts at the 2022-10 census: in 2020-2022 only its initial stock (2022) is simulated,
    # so stocks observed in 2022 can be compared; ISA statuses and the SSW1/SSW2 split (last observed 2021-12),
    # the flows and the SSW routes (split by the run's inflows: none in a run's first record) cannot.
    assert list(table["series"]) == ["isa_total", "isa_prefecture", "isa_nationality", "ssw_total", "ssw_nationality",
                                     "mhlw_total", "mhlw_nationality"]
    assert set(table.attrs["skipped"]) == {"isa_status", "ssw_grade", "ssw_route", "mhlw_status_group", "arrivals",
                                           "departures", "missing_interns"}
    assert "initial census" in table.attrs["skipped"]["arrivals"]
    assert (table["years"] == "2022").all()
    assert np.isfinite(table["ard_model"].astype(float)).all() and (table["ard_model"] >= 0).all()
    with_naive = table[table["naive_from"] != ""]
    assert np.isfinite(with_naive["ard_naive"].astype(float)).all()
    assert set(with_naive["beats_naive"]) <= {True, False}
    nationality = table.set_index("series").loc["isa_nationality"]
    assert math.isnan(nationality["ard_naive"]) and nationality["beats_naive"] is None  # only 2022-06 observed
    assert "usa" in nationality["notes"] and nationality["categories"] == 8  # folded into other
    prefectures = table.set_index("series").loc["isa_prefecture"]
    assert prefectures["categories"] == 5 and "42 in all" in prefectures["notes"]


def test_isa_total_is_the_national_stock_against_the_december_total(quickstart_h5):
    path, _ = quickstart_h5
    row = validation_table(path).set_index("series").loc["isa_total"]
    with h5py.File(path, "r") as f:
        years = list(f["national/year"][:])
        simulated = float(f["national/stock"][years.index(2022)].sum())
    observed = pd.read_csv(ANALYSIS / "observed" / "isa_residents.csv")
    total = observed[observed["series"] == "total"].set_index("date")["persons"]
    assert row["ard_model"] == pytest.approx(abs(simulated - total["2022-12"]) / total["2022-12"])
    assert row["ard_naive"] == pytest.approx(abs(total["2019-12"] - total["2022-12"]) / total["2022-12"])
    assert row["naive_from"] == "2019" and row["observations"] == 1


def test_every_series_from_a_2019_start(quickstart_from_2019):
    table = validation_table(quickstart_from_2019)
    assert list(table["series"]) == list(SERIES) and not table.attrs["skipped"]
    assert np.isfinite(table["ard_model"].astype(float)).all()
    rows = table.set_index("series")
    assert rows.loc["isa_status", "years"] == "2020-2021" and rows.loc["isa_status", "categories"] == 11
    assert rows.loc["arrivals", "years"] == "2020-2022" and rows.loc["missing_interns", "years"] == "2022"
    assert "absconded" in rows.loc["departures", "notes"]
    # MHLW nationalities first listed in 2020 have no naive value and are left out of both ARDs.
    assert "indonesia, nepal" in rows.loc["mhlw_nationality", "notes"]
    # SSW1/SSW2 from the ISA tables to 2021-12; routes observed 2021-06 (for 2021) and 2022-12, never before.
    assert rows.loc["ssw_grade", "years"] == "2020-2021" and rows.loc["ssw_grade", "categories"] == 2
    assert rows.loc["ssw_route", "years"] == "2021-2022" and "2021 = ISA 2021-06" in rows.loc["ssw_route", "notes"]
    first_observed_in_window = table["series"].isin(["isa_nationality", "ssw_route"])
    assert np.isfinite(table[~first_observed_in_window]["ard_naive"].astype(float)).all()
    # A window of one year uses that year alone, and its naive forecast starts just before it.
    one = validation_table(quickstart_from_2019, years=(2021, 2021)).set_index("series")
    assert (one["years"] == "2021").all() and one.loc["isa_total", "naive_from"] == "2020"


def test_mhlw_series_count_notified_workers_and_split_other_by_its_isa_mix(quickstart_from_2019):
    # MHLW counts the workers employers notify: special permanent residents are not among them.
    from migsim_analysis.validate import _Observed, _Run, _mhlw_status_group, _notified_workers, status_mapping
    run = _Run(quickstart_from_2019)
    with h5py.File(quickstart_from_2019, "r") as f:
        statuses = [s.decode() if isinstance(s, bytes) else str(s) for s in f["national/status"][:]]
        workers = f["national/workers"][:].sum(axis=(2, 3))                                  # year x status
    notified, notes = _notified_workers(run)
    kept = [k for k, s in enumerate(statuses) if s != "SPECIAL_PERMANENT"]
    assert np.allclose(notified["all"].to_numpy(), workers[:, kept].sum(axis=1))
    # The status groups share out exactly the notified workers (OTHER split between two groups).
    spec = _mhlw_status_group(_Observed(ANALYSIS / "observed"), run, status_mapping())
    assert np.allclose(spec.sim.sum(axis=1).to_numpy(), notified["all"].to_numpy())
    assert set(spec.obs.columns) <= set(spec.sim.columns)
    row = validation_table(quickstart_from_2019).set_index("series").loc["mhlw_status_group"]
    assert row["years"] == "2020-2021" and row["naive_from"] == "2017-2018"


def test_run_without_the_prefecture_group_skips_that_series(tmp_path):
    out = tmp_path / "national_only.h5"
    run_ok("run", QUICKSTART, "--set", "output.groups=[national]", "--set", "end=2023-10", "-q", "-o", out)
    table = validation_table(out)
    assert "isa_prefecture" not in set(table["series"])
    assert "prefecture" in table.attrs["skipped"]["isa_prefecture"]


def test_validate_command_prints_the_table(quickstart_h5, tmp_path):
    path, _ = quickstart_h5
    csv = tmp_path / "validation.csv"
    result = analysis_cli("validate", path, "--years", "2020-2022", "--csv", csv)
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0].split()[:2] == ["series", "years"] and "ARD model" in lines[0] and "ARD naive" in lines[0]
    assert any(line.startswith("isa_total ") for line in lines)
    assert any(line.startswith("skipped: ") and "arrivals" in line for line in lines)
    written = pd.read_csv(csv)
    assert list(written.columns) == COLUMNS and len(written) == 7


def test_validate_command_exits_1_when_nothing_can_be_compared(quickstart_h5):
    result = analysis_cli("validate", quickstart_h5[0], "--years", "2030-2031")
    assert result.returncode == 1 and "no series could be compared" in result.stdout


def test_validate_command_rejects_a_bad_window(quickstart_h5):
    result = analysis_cli("validate", quickstart_h5[0], "--years", "2022-2020")
    assert result.returncode == 2 and "ends before it starts" in result.stderr
