"""compare(): paired differences per replicate with intervals, on real runs with a known policy effect."""

import math

import numpy as np
import pytest
from scipy import stats

from migsim_analysis import compare, replicates_needed


def test_identical_runs_differ_by_zero(quickstart_replicates):
    base = quickstart_replicates["base"]
    one = compare(base[0], base[0])
    assert (one["difference"] == 0).all() and (one["n"] == 1).all()
    assert one["ci_low"].isna().all() and one["mcse"].isna().all()   # one replicate: no interval
    three = compare(base, base, by="status")
    assert (three["difference"] == 0).all() and (three["n"] == 3).all()
    assert (three["ci_low"] == 0).all() and (three["ci_high"] == 0).all() and three["paired_seeds"].all()
    assert set(three["measure"]) >= {"stock", "workers", "entries", "exits", "absconded"}


def test_closing_ssw1_entries_lowers_the_ssw1_stock(quickstart_replicates):
    table = compare(quickstart_replicates["base"], quickstart_replicates["closed"], measures=["stock", "entries"],
                    by="status", precision=0.05)
    ssw1 = table[(table["status"] == "SSW1") & (table["year"] >= 2024)]
    assert len(ssw1) == 2 * 7
    stock = ssw1[ssw1["measure"] == "stock"]
    # The effect is clear of the seed noise: the whole interval is below zero in every later year.
    assert (stock["ci_high"] < 0).all() and (stock["relative_difference"] < -0.1).all()
    first = table[(table["year"] == 2022)]
    assert (first["difference"] == 0).all()          # the initial census is the same input stock
    # The interval is the t interval of the per-replicate differences.
    row = stock.iloc[-1]
    half = stats.t.ppf(0.975, 2) * row["sd"] / math.sqrt(3)
    assert row["ci_high"] - row["difference"] == pytest.approx(half)
    assert row["mcse"] == pytest.approx(row["sd"] / math.sqrt(3))
    assert (stock["replicates_needed"] >= 2).all()


def test_runs_without_a_partner_are_left_out_and_counted(quickstart_replicates):
    table = compare(quickstart_replicates["base"][:2], quickstart_replicates["closed"][:1], measures="stock")
    assert (table["n"] == 1).all() and table.attrs["unpaired"] == 1


def test_replicates_needed_is_the_least_n_reaching_the_precision():
    for sd, half_width in ((10.0, 5.0), (3.0, 0.5), (1.0, 2.0)):
        n = replicates_needed(sd, half_width)
        reaches = lambda m: stats.t.ppf(0.975, m - 1) * sd / math.sqrt(m) <= half_width  # noqa: E731
        assert reaches(n) and (n == 2 or not reaches(n - 1))
    assert replicates_needed(0.0, 1.0) == 0 and np.isnan(replicates_needed(1.0, 0.0))
