"""Where foreign residents live and move (issue 23), on the 2019 backtest at reduced scale: students
work part-time in the prefecture of their school and do not move between prefectures for a job;
interns are hired where interns work, so the prefectures of TITP entries follow the TITP stock's;
a move to another prefecture costs, so Tokyo no longer draws residents from the rest of the country
(the jumin registers show it losing them on balance, 2019-2021). Each is checked against the same
run with the mechanism switched off."""

import h5py
import numpy as np
import pytest

from conftest import REPO, run_ok

BACKTEST = REPO / "scenarios" / "backtest_2019.yaml"
SCALE = "0.05"
SWITCHED_OFF = ("statuses.STUDENT.job_search_area=country", "statuses.DEPENDENT.job_search_area=country",
                "statuses.TITP.hiring_follows_stock=0", "behaviour.move_cost=0")


def run(tmp_path_factory, name, *settings):
    out = tmp_path_factory.mktemp("where") / f"{name}.h5"
    args = ["run", BACKTEST, "--scale", SCALE, "-q", "-o", out]
    for s in settings:
        args += ["--set", s]
    run_ok(*args)
    return out


@pytest.fixture(scope="module")
def backtest(tmp_path_factory):
    return run(tmp_path_factory, "backtest")


@pytest.fixture(scope="module")
def switched_off(tmp_path_factory):
    return run(tmp_path_factory, "switched_off", *SWITCHED_OFF)


def prefecture_group(path):
    """The prefecture group's cubes (year, prefecture, status, field) summed over fields, with the
    status and prefecture names."""
    with h5py.File(path, "r") as f:
        g = f["prefecture"]
        names = {d: [x.decode() if isinstance(x, bytes) else str(x) for x in g[d][()]]
                 for d in ("status", "prefecture_name")}
        cubes = {m: g[m][()].astype(np.int64).sum(axis=3) for m in ("stock", "entries", "moves_in", "moves_out")}
    return cubes, names["status"], names["prefecture_name"]


def student_moves(path):
    cubes, statuses, _ = prefecture_group(path)
    return int(cubes["moves_in"][:, :, statuses.index("STUDENT")].sum())


def titp_entry_shares(path):
    """Per prefecture: its share of the TITP entries of the run, and of the initial TITP stock."""
    cubes, statuses, prefectures = prefecture_group(path)
    titp = statuses.index("TITP")
    entries = cubes["entries"][1:, :, titp].sum(axis=0)
    stock = cubes["stock"][0, :, titp]
    return entries / entries.sum(), stock / stock.sum(), prefectures


def tokyo_net_moves(path):
    cubes, _, prefectures = prefecture_group(path)
    tokyo = next(i for i, name in enumerate(prefectures) if "Tokyo" in name)
    return int((cubes["moves_in"] - cubes["moves_out"])[:, tokyo].sum())


def test_students_do_not_move_between_prefectures_for_part_time_jobs(backtest, switched_off):
    assert student_moves(backtest) == 0
    assert student_moves(switched_off) > 1000  # students searching the whole country do move


def test_titp_entries_go_to_the_prefectures_where_interns_work(backtest, switched_off):
    entries, stock, prefectures = titp_entry_shares(backtest)
    tokyo = next(i for i, name in enumerate(prefectures) if "Tokyo" in name)
    entries_off, stock_off, _ = titp_entry_shares(switched_off)
    # Half the sum of absolute differences of the prefecture shares: 0.105 with the mechanism off
    # at full scale, 0.053 on (before the calibration of the merged model); 0.084 on at this scale.
    assert 0.5 * np.abs(entries - stock).sum() < 0.8 * 0.5 * np.abs(entries_off - stock_off).sum()
    # The field's share alone sends interns to Tokyo (3.0 times its share of the stock with this file's
    # mechanisms off, at this scale); hiring by place brings that down (2.4 times).
    assert entries_off[tokyo] > 2 * stock_off[tokyo]
    assert entries[tokyo] / stock[tokyo] < 0.9 * entries_off[tokyo] / stock_off[tokyo]


def test_tokyo_loses_residents_to_the_other_prefectures_on_balance(backtest, switched_off):
    assert tokyo_net_moves(backtest) < 0  # jumin: -7,810 in 2020, -6,063 in 2021
    assert tokyo_net_moves(switched_off) > 0
