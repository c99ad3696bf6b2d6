"""The Japan scenarios on their committed data: the tables add up to the statistics they come from,
the baseline, the backtest and every policy variant load and run, and the backtest's validation
table is produced (at reduced scale, so the suite stays quick)."""

import csv
from pathlib import Path

import h5py
import numpy as np
import pandas as pd
import pytest

from conftest import REPO, run_ok
from migsim_analysis.validate import validation_table

DATA = REPO / "scenarios" / "data" / "japan"
OBSERVED = REPO / "analysis" / "observed"
BASELINE = REPO / "scenarios" / "japan_baseline.yaml"
BACKTEST = REPO / "scenarios" / "backtest_2019.yaml"
VARIANTS = sorted((REPO / "scenarios" / "variants").glob("*.yaml"))
SMALL = "0.02"  # one agent per 50 persons: about 60,000 agents


def status_map():
    with open(DATA / "isa_status_map.csv", encoding="utf-8") as f:
        return {row["isa_status"]: row["status"] for row in csv.DictReader(f)}


def observed_status_totals(date):
    """ISA national stock by model status on `date`, from the observed tables."""
    isa = pd.read_csv(OBSERVED / "isa_residents.csv")
    rows = isa[(isa["date"] == date) & (isa["series"] == "status")]
    mapping = status_map()
    rows = rows[rows["category"].isin(mapping)]
    return rows.groupby(rows["category"].map(mapping))["persons"].sum()


def test_municipality_table_covers_japan():
    municipalities = pd.read_csv(DATA / "municipalities.csv")
    assert len(municipalities) == 1741
    assert municipalities["code"].is_unique
    assert municipalities["prefecture"].nunique() == 47
    assert (municipalities["population"] > 0).all()


def test_stock_2019_equals_isa_end_2019_by_status():
    stock = pd.read_csv(DATA / "stock_2019-12.csv")
    by_status = stock.groupby("status")["persons"].sum()
    expected = observed_status_totals("2019-12")
    for status, persons in expected.items():
        assert by_status.get(status, 0) == persons, status
    assert stock["persons"].sum() == 2_933_137  # ISA total, end of 2019


def test_stock_2022_equals_isa_end_2022_total_and_ssw():
    stock = pd.read_csv(DATA / "stock_2022-12.csv")
    assert stock["persons"].sum() == 3_075_213  # ISA total, end of 2022
    ssw = stock[stock["status"].isin(["SSW1", "SSW2"])]["persons"].sum()
    assert ssw == 130_923  # SSW stock, end of 2022
    assert set(stock["municipality"]) <= set(pd.read_csv(DATA / "municipalities.csv")["code"])


def test_myanmar_peru_and_cambodia_are_origins_split_from_the_isa_other():
    """The three origins the statistics name outside the ISA municipal table come out of its その他 column:
    the table's eleven columns keep their 2022-06 shares, Myanmar holds its SSW1 figure and Peru lives where
    the Brazilians do (docs/japan_data.md)."""
    stock = pd.read_csv(DATA / "stock_2022-12.csv")
    by_origin = stock.groupby("origin")["persons"].sum()
    assert {"myanmar", "peru", "cambodia"} <= set(by_origin.index)
    ssw1 = stock[stock["status"] == "SSW1"].groupby("origin")["persons"].sum()
    assert abs(ssw1["myanmar"] - 5956) < 0.01 * 5956  # FACTS §D, 2022-12
    # Peru: Brazil's residents per MHLW worker (2020) and Brazil's places.
    assert 0.2 * by_origin["brazil"] < by_origin["peru"] < 0.25 * by_origin["brazil"]
    prefecture = stock.merge(pd.read_csv(DATA / "municipalities.csv")[["code", "prefecture"]],
                             left_on="municipality", right_on="code")
    by_pref = prefecture.groupby(["origin", "prefecture"])["persons"].sum()
    assert by_pref["peru"].idxmax() == by_pref["brazil"].idxmax() == 23  # Aichi
    # The eleven ISA columns: the split origins counted in `other` give the table's national shares.
    isa = pd.read_csv(OBSERVED / "isa_residents.csv")
    observed = isa[(isa["series"] == "nationality") & (isa["date"] == "2022-06")].set_index("category")["persons"]
    pooled = by_origin.drop(["myanmar", "peru", "cambodia"])
    pooled["other"] += by_origin[["myanmar", "peru", "cambodia"]].sum()
    share = pooled / pooled.sum()
    observed_share = observed / observed.sum()
    for origin in observed.index:
        assert abs(share[origin] - observed_share[origin]) < 0.01, origin


def notified_workers_by_origin(stock):
    """Workers (field not none) as MHLW counts them: special permanent residents need no notification."""
    working = stock[(stock["field"] != "none") & (stock["status"] != "SPECIAL_PERMANENT")]
    return working.groupby("origin")["persons"].sum()


@pytest.mark.parametrize("stock_file, year, origins", [
    ("stock_2022-12.csv", 2022, ["china", "vietnam", "philippines"]),
    ("stock_2019-12.csv", 2019, ["vietnam"]),
])
def test_stock_workers_by_origin_match_mhlw_of_the_stock_year(stock_file, year, origins):
    """The work shares by origin give each origin MHLW's notified workers of the stock's year, where MHLW
    names the nationality that year."""
    workers = notified_workers_by_origin(pd.read_csv(DATA / stock_file))
    mhlw = pd.read_csv(OBSERVED / "mhlw_workers.csv")
    mhlw = mhlw[(mhlw["series"] == "nationality") & (mhlw["year"] == year)].set_index("category")["persons"]
    for origin in origins:
        assert abs(workers[origin] - mhlw[origin]) < 0.001 * mhlw[origin], (origin, workers[origin], mhlw[origin])


def test_establishments_match_the_mhlw_total():
    establishments = pd.read_csv(DATA / "establishments.csv")
    assert establishments["establishments"].sum() == 298_790  # MHLW, October 2022
    assert (establishments["establishments"] > 0).all()


@pytest.mark.parametrize("scenario", [BASELINE, BACKTEST, *VARIANTS], ids=lambda p: p.stem)
def test_every_japan_scenario_is_valid(scenario):
    resolved = run_ok("validate", scenario).stdout
    assert "municipalities:" in resolved


@pytest.fixture(scope="module")
def backtest_h5(tmp_path_factory):
    out = tmp_path_factory.mktemp("backtest") / "backtest.h5"
    result = run_ok("run", BACKTEST, "--scale", SMALL, "-o", out)
    return out, result.stdout


def test_backtest_starts_from_the_end_2019_stock(backtest_h5):
    path, _ = backtest_h5
    with h5py.File(path, "r") as f:
        years = list(f["national/year"][()])
        assert years == [2019, 2020, 2021, 2022]
        initial = f["national/stock"][0].sum()
        assert f["municipality/foreign_residents"].shape[1] == 1741
        assert f["prefecture/stock"].shape[1] == 47
    # Scaled stochastically per cell: within 1 % of the ISA total.
    assert abs(initial - 2_933_137) < 0.01 * 2_933_137


def test_backtest_validation_table_is_produced(backtest_h5):
    path, _ = backtest_h5
    table = validation_table(path)
    series = set(table["series"])
    for expected in ("isa_total", "isa_status", "isa_prefecture", "isa_nationality", "ssw_total", "ssw_nationality",
                     "mhlw_total", "mhlw_nationality", "arrivals", "departures", "missing_interns"):
        assert expected in series
    notes = table.set_index("series")["notes"]
    assert "myanmar, peru, cambodia" in notes["isa_nationality"] and "counted in other" in notes["isa_nationality"]
    assert "peru" not in notes["mhlw_nationality"]  # compared: an origin of the run
    assert "not in the run" not in notes["ssw_nationality"]  # Myanmar's SSW1 holders have a run counterpart
    computed = table[table["series"].isin(series)]
    assert np.isfinite(computed["ard_model"].astype(float)).all()
    # The naive forecast is there wherever a 2019 observation exists.
    assert np.isfinite(float(table.loc[table["series"] == "isa_total", "ard_naive"].iloc[0]))


def test_backtest_validate_command_prints_the_table(backtest_h5):
    import subprocess
    import sys

    path, _ = backtest_h5
    result = subprocess.run([sys.executable, "-m", "migsim_analysis", "validate", str(path)], capture_output=True,
                            text=True, cwd=REPO / "analysis")
    assert result.returncode == 0, result.stderr
    assert "ARD model" in result.stdout and "isa_prefecture" in result.stdout


def test_baseline_prints_the_headline_table(tmp_path):
    out = tmp_path / "baseline.h5"
    result = run_ok("run", BASELINE, "--scale", SMALL, "--set", "end=2025-12", "--set",
                    "output.summary_years=[2022, 2024, 2025]", "-o", out)
    lines = result.stdout.splitlines()
    header = next(line for line in lines if line.startswith("persons"))
    assert header.split()[1:] == ["2022", "2024", "2025"]
    assert any(line.startswith("TITP") for line in lines)
    assert "by nationality" in result.stdout
    assert any(line.strip().startswith("vietnam") for line in lines)


def test_baseline_at_full_scale_starts_from_the_statistics(tmp_path):
    """At scale 1 the initial census reproduces the input statistics exactly: one agent per person."""
    out = tmp_path / "initial.h5"
    run_ok("run", BASELINE, "--set", "end=2023-01", "-q", "-o", out)
    with h5py.File(out, "r") as f:
        assert f["national/stock"][0].sum() == 3_075_213  # ISA, end of 2022
        # The status axis follows japan_baseline.yaml, which lists every status from TITP on, not
        # data/japan/rules.yaml, which it extends and which names TITP and TES only.
        assert list(f["national/status"].asstr()[:2]) == ["TITP", "TES"]
        assert f["labour_market/employers"][0].sum() == 298_790  # MHLW establishments, October 2022
        # Notified workers (MHLW does not count special permanent residents) within 2 % of the MHLW count
        # of October 2022 (1,822,725).
        statuses = list(f["national/status"].asstr()[:])
        workers = f["national/workers"][0].sum(axis=(1, 2))
        notified = workers.sum() - workers[statuses.index("SPECIAL_PERMANENT")]
        assert abs(notified - 1_822_725) < 0.02 * 1_822_725


def test_a_table_can_be_replaced_from_the_command_line(tmp_path):
    """--set key={csv: FILE} reads that table (relative to the working folder) instead."""
    out = tmp_path / "other_stock.h5"
    run_ok("run", BASELINE, "--set", "end=2023-01", "--set", "initial_stock={csv: scenarios/data/japan/stock_2019-12.csv}",
           "-q", "-o", out, cwd=REPO)
    with h5py.File(out, "r") as f:
        assert f["national/stock"][0].sum() == 2_933_137  # the end-2019 stock, not the end-2022 one


def stock_by_status(path, year_index=-1):
    with h5py.File(path, "r") as f:
        statuses = [s.decode() if isinstance(s, bytes) else s for s in f["national/status"][()]]
        stock = f["national/stock"][year_index]
        out = {name: int(stock[k].sum()) for k, name in enumerate(statuses)}
        out["ajts"] = int(f["municipality/ajts"][year_index].sum())
        out["agreements"] = int(f["municipality/agreements"][year_index].sum())
    return out


@pytest.fixture(scope="module")
def variant_runs(tmp_path_factory):
    """The baseline and four variants to 2030 at reduced scale, same seed."""
    folder = tmp_path_factory.mktemp("variants")
    runs = {}
    for name, scenario in [("baseline", BASELINE)] + [(p.stem, p) for p in VARIANTS if p.stem in (
            "no_reform", "caps_lowered", "integration_push", "agreements_vn_id_ph")]:
        out = folder / f"{name}.h5"
        run_ok("run", scenario, "--scale", SMALL, "--set", "end=2030-12", "-q", "-o", out)
        runs[name] = stock_by_status(out)
    return runs


def test_policy_variants_move_the_outcomes_they_target(variant_runs):
    base = variant_runs["baseline"]
    # Without the reform TITP keeps taking entrants and TES never starts.
    assert variant_runs["no_reform"]["TES"] == 0 < base["TES"]
    assert variant_runs["no_reform"]["TITP"] > 2 * base["TITP"]
    # Halved caps hold TES (capped from 2027-04) below the baseline.
    assert variant_runs["caps_lowered"]["TES"] < base["TES"]
    # Integration portfolios everywhere: more assistant Japanese teachers (the baseline's
    # municipalities hire them too, as their budgets grow with their foreign residents).
    assert variant_runs["integration_push"]["ajts"] > 1.5 * base["ajts"]
    # Agreements with three origins in every municipality.
    assert variant_runs["agreements_vn_id_ph"]["agreements"] >= 3 * 1741
