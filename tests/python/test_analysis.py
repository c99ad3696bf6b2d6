"""The analysis package on real runs: summary_table, provenance, check_contract and its command line."""

import os
import shutil
import subprocess
import sys

import h5py
import numpy as np
import pytest
from conftest import ANALYSIS

from migsim_analysis import check_contract, open_group, provenance, summary_table


def analysis_cli(*args):
    env = dict(os.environ, PYTHONPATH=str(ANALYSIS))
    return subprocess.run([sys.executable, "-m", "migsim_analysis", *map(str, args)],
                          capture_output=True, text=True, env=env, timeout=120)


@pytest.fixture
def tampered(quickstart_h5, tmp_path):
    """A copy of the quickstart run, to be damaged by the test."""
    copy = tmp_path / "copy.h5"
    shutil.copyfile(quickstart_h5[0], copy)
    return copy


def test_summary_table_is_stock_by_status_and_year(quickstart_h5):
    path, _ = quickstart_h5
    table = summary_table(path)
    national = open_group(path, "national")
    assert list(table.columns) == list(range(2022, 2031))
    assert list(table.index) == list(national["status"].values)
    assert np.array_equal(table.to_numpy(), national["stock"].sum(dim=("field", "origin")).values.T)
    # The reform: TES is empty before 2027 and grows after it; TITP shrinks once closed.
    assert table.loc["TES", 2026] == 0 and table.loc["TES", 2030] > 0
    assert table.loc["TITP", 2030] < table.loc["TITP", 2026]


def test_summary_table_selects_years(quickstart_h5):
    table = summary_table(quickstart_h5[0], years=[2022, 2030])
    assert list(table.columns) == [2022, 2030]
    assert table[2022].sum() == summary_table(quickstart_h5[0])[2022].sum()


def test_open_group_leaves_the_file_closed(quickstart_h5, tmp_path):
    copy = tmp_path / "copy.h5"
    shutil.copyfile(quickstart_h5[0], copy)
    ds = open_group(copy, "labour_market")
    copy.unlink()  # the data stay usable once the file is gone
    assert int(ds["mean_wage_yen"].max()) > 100_000
    assert ds["cap_blocked"].dims == ("year", "prefecture", "field")


def test_provenance_is_plain_python(quickstart_h5):
    attrs = provenance(quickstart_h5[0])
    assert attrs["format_version"] == 2 and isinstance(attrs["format_version"], int)
    assert attrs["seed"] == 20221031 and attrs["scale"] == 0.25
    assert attrs["scenario_yaml"].startswith("name: quickstart")


def test_check_command_passes_a_real_run(quickstart_h5):
    result = analysis_cli("check", quickstart_h5[0])
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.strip().endswith("follows the output contract")


def test_summary_command_prints_the_table(quickstart_h5):
    result = analysis_cli("summary", quickstart_h5[0])
    assert result.returncode == 0, result.stderr
    table = summary_table(quickstart_h5[0])
    lines = result.stdout.splitlines()
    total = next(l for l in lines if l.startswith("total")).split()[1:]
    assert [int(v) for v in total] == list(table.sum())
    assert any(l.startswith("SSW2 ") for l in lines)


def test_check_finds_a_broken_stock_identity(tampered):
    with h5py.File(tampered, "r+") as f:
        f["national/stock"][4, 0, 0, 0] += 4
    problems = check_contract(tampered)
    assert problems and all("stock identity" in p for p in problems)
    assert any("year 2026" in p and "status=TITP" in p for p in problems)
    result = analysis_cli("check", tampered)
    assert result.returncode == 1 and "stock identity" in result.stdout


def test_check_finds_missing_attributes_and_datasets(tampered):
    with h5py.File(tampered, "r+") as f:
        del f.attrs["seed"]
        del f["labour_market/cap_blocked"]
    problems = check_contract(tampered)
    assert any("'seed'" in p for p in problems)
    assert any("labour_market" in p and "cap_blocked" in p for p in problems)


def test_check_reports_a_file_that_is_not_hdf5(tmp_path):
    bogus = tmp_path / "bogus.h5"
    bogus.write_text("not a file of cubes\n")
    assert len(check_contract(bogus)) == 1
    result = analysis_cli("check", bogus)
    assert result.returncode == 1 and result.stdout.count("\n") == 1
