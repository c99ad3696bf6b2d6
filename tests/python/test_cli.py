"""The command line: help, exit statuses, validate and info as a user meets them."""

import re

import h5py
import pytest
from conftest import QUICKSTART, migsim, run_ok

STATUSES = ("TITP", "TES", "SSW1", "SSW2", "ENGINEER", "HIGHLY_SKILLED", "STUDENT", "PERMANENT",
            "SPOUSE_OR_LONG_TERM", "SPECIAL_PERMANENT", "DEPENDENT", "OTHER")


@pytest.mark.parametrize("args", [("--help",), ("run", "--help"), ("validate", "--help"), ("info", "--help")])
def test_help_exits_zero(args):
    result = run_ok(*args)
    assert "migsim" in result.stdout and result.stderr == ""


def test_subcommand_help_describes_its_options():
    assert "--seed" in run_ok("run", "--help").stdout and "--threads" in run_ok("run", "--help").stdout
    assert "--set" in run_ok("validate", "--help").stdout


def test_version_matches_the_file_attribute(tmp_path):
    version = run_ok("--version").stdout.split()[-1]
    out = tmp_path / "v.h5"
    run_ok("run", QUICKSTART, "--scale", "0.0625", "--set", "end=2023-10", "-q", "-o", out)
    with h5py.File(out, "r") as f:
        assert f.attrs["migsim_version"] == version


def test_no_command_prints_usage_and_exits_2():
    result = migsim()
    assert result.returncode == 2 and "usage" in result.stdout


def test_unknown_command_exits_2():
    result = migsim("frobnicate", "x.yaml")
    assert result.returncode == 2
    assert "frobnicate" in result.stderr


def test_unknown_option_exits_2():
    result = migsim("run", QUICKSTART, "--sed", "3")
    assert result.returncode == 2 and "command line" in result.stderr


def test_missing_scenario_file_exits_2(tmp_path):
    missing = tmp_path / "no_such_scenario.yaml"
    for command in ("run", "validate"):
        result = migsim(command, missing, *(("-o", tmp_path / "x.h5") if command == "run" else ()))
        assert result.returncode == 2, command
        assert "no_such_scenario.yaml" in result.stderr
    assert not (tmp_path / "x.h5").exists()


def test_validate_prints_the_resolved_scenario():
    result = run_ok("validate", QUICKSTART)
    assert result.stdout.startswith("#") and "valid" in result.stdout.splitlines()[0]
    assert "\nstatuses:\n" in result.stdout
    for status in STATUSES:
        assert re.search(rf"^  {status}:$", result.stdout, re.M), status
    assert "seed: 20221031" in result.stdout


def test_validate_applies_overrides():
    result = run_ok("validate", QUICKSTART, "--set", "seed=99", "--set", "statuses.TITP.max_stay_months=36")
    assert re.search(r"^seed: 99$", result.stdout, re.M)
    titp = result.stdout.split("  TITP:\n")[1].split("\n  TES:")[0]
    assert "max_stay_months: 36" in titp


def test_info_prints_the_national_stock_by_year(quickstart_h5):
    path, _ = quickstart_h5
    result = run_ok("info", path)
    line = next(l for l in result.stdout.splitlines() if l.startswith("national stock by year:"))
    totals = dict(item.split("=") for item in line.split(":", 1)[1].split())
    with h5py.File(path, "r") as f:
        years = f["national/year"][()]
        stock = f["national/stock"][()]
    assert [int(y) for y in totals] == list(years)
    assert [int(v) for v in totals.values()] == [int(s.sum()) for s in stock]
    assert "seed            20221031" in result.stdout


def test_info_on_a_file_that_is_not_hdf5_exits_2(tmp_path):
    bogus = tmp_path / "notes.h5"
    bogus.write_text("just some text\n")
    result = migsim("info", bogus)
    assert result.returncode == 2
    assert "notes.h5" in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1


def test_info_on_a_missing_file_exits_2(tmp_path):
    result = migsim("info", tmp_path / "missing.h5")
    assert result.returncode == 2 and "missing.h5" in result.stderr
