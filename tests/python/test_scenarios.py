"""Scenario layering: `extends` (a file that changes a base scenario) and `--set` overrides."""

import os
import re

import h5py
import pytest
from conftest import QUICKSTART, migsim, run_ok


def child_scenario(tmp_path, how):
    base = QUICKSTART if how == "absolute" else os.path.relpath(QUICKSTART, tmp_path)
    path = tmp_path / "short.yaml"
    path.write_text(f"# the quickstart, three years shorter\nextends: {base}\nend: 2025-10\n")
    return path


@pytest.mark.parametrize("how", ["absolute", "relative"])
def test_extends_changes_only_what_the_file_says(tmp_path, how):
    # The extending file's keys must survive the merge, in the resolved scenario and in the run.
    scenario = child_scenario(tmp_path, how)
    validated = run_ok("validate", scenario)
    assert "to 2025-10" in validated.stdout.splitlines()[0]
    assert re.search(r"^end: 2025-10$", validated.stdout, re.M)
    assert not re.search(r"^extends:", validated.stdout, re.M)  # resolved: the chain is merged away
    out = tmp_path / "short.h5"
    run_ok("run", scenario, "--scale", "0.0625", "-q", "-o", out)
    with h5py.File(out, "r") as f:
        assert list(f["national/year"][()]) == [2022, 2023, 2024, 2025]
        assert f.attrs["seed"] == 20221031  # inherited from the base


@pytest.mark.parametrize("how", ["absolute", "relative"])
def test_extends_loads_the_base_scenario(tmp_path, how):
    scenario = child_scenario(tmp_path, how)
    validated = run_ok("validate", scenario)
    assert "name: quickstart" in validated.stdout and "\nstatuses:\n" in validated.stdout


def test_extends_a_missing_file_names_it(tmp_path):
    scenario = tmp_path / "orphan.yaml"
    scenario.write_text("extends: no_such_base.yaml\nend: 2025-10\n")
    result = migsim("validate", scenario)
    assert result.returncode == 2
    assert "orphan.yaml:1:" in result.stderr and "extends" in result.stderr and "no_such_base.yaml" in result.stderr


def test_set_end_shortens_the_run(tmp_path):
    out = tmp_path / "short.h5"
    run_ok("run", QUICKSTART, "--scale", "0.0625", "--set", "end=2025-10", "-q", "-o", out)
    with h5py.File(out, "r") as f:
        assert list(f["national/year"][()]) == [2022, 2023, 2024, 2025]
        for group in ("prefecture", "municipality", "labour_market"):
            assert list(f[f"{group}/year"][()]) == [2022, 2023, 2024, 2025]


def test_set_seed_is_recorded_in_the_file(tmp_path):
    out = tmp_path / "seven.h5"
    run_ok("run", QUICKSTART, "--scale", "0.0625", "--set", "end=2026-10", "--set", "seed=7", "-q", "-o", out)
    with h5py.File(out, "r") as f:
        assert f.attrs["seed"] == 7
        assert "\nseed: 7\n" in f.attrs["scenario_yaml"]
        assert f.attrs["scale"] == 0.0625


def test_scale_option_scales_counts_back_to_persons(tmp_path):
    out = tmp_path / "small.h5"
    run_ok("run", QUICKSTART, "--scale", "0.0625", "--set", "end=2023-10", "-q", "-o", out)
    with h5py.File(out, "r") as f:
        stock = f["national/stock"][()]
        assert f.attrs["persons_per_agent"] == 16
    assert (stock % 16 == 0).all()
    # The initial census is the scenario's, about 216,000 persons whatever the scale.
    assert 200_000 < stock[0].sum() < 230_000


QUICKSTART_STATUSES = ["TITP", "TES", "SSW1", "SSW2", "ENGINEER", "HIGHLY_SKILLED", "STUDENT", "PERMANENT",
                       "SPOUSE_OR_LONG_TERM", "SPECIAL_PERMANENT", "DEPENDENT", "OTHER"]
QUICKSTART_FIELDS = ["nursing_care", "construction", "industrial_products_manufacturing", "food_beverage_manufacturing",
                     "agriculture", "food_service", "it_professional", "other_services", "none"]


def axes(path):
    with h5py.File(path, "r") as f:
        return {name: list(f[f"national/{name}"].asstr()[()]) for name in ("status", "field", "origin")}


def test_axes_follow_the_most_derived_file_that_lists_every_key(tmp_path):
    """The Japan chain in small: a base that sets one rule of TES (as data/japan/rules.yaml does)
    under a file that lists every status from TITP on. The status axis follows the file that
    lists them all, not the base that happened to name TES first."""
    rules = tmp_path / "rules.yaml"
    rules.write_text("statuses:\n  TES: {max_stay_months: 36}\n")
    full = tmp_path / "full.yaml"
    full.write_text("extends: rules.yaml\n" + QUICKSTART.read_text(encoding="utf-8"), encoding="utf-8")
    out = tmp_path / "full.h5"
    run_ok("run", full, "--scale", "0.0625", "--set", "end=2023-10", "-q", "-o", out)
    assert axes(out)["status"] == QUICKSTART_STATUSES

    # A file that lists every field in another order reorders the field axis; one that changes a
    # few statuses leaves the status axis where it was.
    fields = "".join(f"  {name}: {{}}\n" for name in reversed(QUICKSTART_FIELDS))
    variant = tmp_path / "variant.yaml"
    variant.write_text("extends: full.yaml\nname: variant\nfields:\n" + fields +
                       "statuses:\n  SSW1: {exit_rate_per_year: 0.05}\n  OTHER: {exit_rate_per_year: 0.05}\n")
    out = tmp_path / "variant.h5"
    run_ok("run", variant, "--scale", "0.0625", "--set", "end=2023-10", "-q", "-o", out)
    got = axes(out)
    assert got["status"] == QUICKSTART_STATUSES
    assert got["field"] == list(reversed(QUICKSTART_FIELDS))
    assert got["origin"][0] == "vietnam"
