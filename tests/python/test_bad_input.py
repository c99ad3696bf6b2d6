"""Bad input: exit status 2, one line on stderr saying where and what, and no output file touched or left."""

import re

import pytest
from conftest import QUICKSTART, migsim

KEEP = b"an older result the user wants to keep\n"


def broken_copy(tmp_path, old, new, name="broken.yaml"):
    """The quickstart with its first line `old` replaced by `new`; returns (path, 1-based line number)."""
    lines = QUICKSTART.read_text().splitlines(keepends=True)
    number = next(i for i, line in enumerate(lines) if line.rstrip("\n") == old)
    lines[number] = new + "\n"
    path = tmp_path / name
    path.write_text("".join(lines))
    return path, number + 1


def one_error_line(result):
    assert result.returncode == 2, result.stderr
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1, result.stderr
    return lines[0]


def assert_untouched(tmp_path, out):
    assert out.read_bytes() == KEEP
    assert not list(tmp_path.glob("*.tmp-*")), "a temporary output file was left behind"


def test_typo_in_a_key_names_file_line_column_and_key(tmp_path):
    scenario, line = broken_copy(tmp_path, "census_month: 10        # MHLW counts foreign workers at the end of October",
                                 "census_mnth: 10")
    out = tmp_path / "out.h5"
    out.write_bytes(KEEP)
    message = one_error_line(migsim("run", scenario, "-o", out))
    where = re.search(r"broken\.yaml:(\d+):(\d+):", message)
    assert where, message
    assert (int(where.group(1)), int(where.group(2))) == (line, 1)  # at the key
    assert "census_mnth" in message and "census_month" in message  # the key, and what was expected
    assert_untouched(tmp_path, out)


def test_bad_value_in_the_file_points_at_the_value(tmp_path):
    scenario, line = broken_copy(tmp_path, "    abscond_rate_per_year: 0.02", "    abscond_rate_per_year: often")
    out = tmp_path / "out.h5"
    out.write_bytes(KEEP)
    message = one_error_line(migsim("run", scenario, "-o", out))
    assert f"broken.yaml:{line}:28:" in message
    assert "statuses.TITP.abscond_rate_per_year" in message and "often" in message
    assert_untouched(tmp_path, out)


def test_bad_override_names_the_command_line_and_key(tmp_path):
    out = tmp_path / "out.h5"
    out.write_bytes(KEEP)
    message = one_error_line(migsim("run", QUICKSTART, "-o", out, "--set", "statuses.TITP.max_stay_months=abc"))
    assert "command line" in message
    assert "statuses.TITP.max_stay_months" in message and "abc" in message
    assert_untouched(tmp_path, out)


@pytest.mark.parametrize("args", [("--scale", "0.3"), ("--threads", "-1"), ("--set", "caps[99].limit_persons=0")])
def test_bad_options_leave_the_output_untouched(tmp_path, args):
    out = tmp_path / "out.h5"
    out.write_bytes(KEEP)
    message = one_error_line(migsim("run", QUICKSTART, "-o", out, *args))
    assert message.startswith("migsim: ")
    assert_untouched(tmp_path, out)


def test_bad_scenario_creates_no_output(tmp_path):
    scenario, _ = broken_copy(tmp_path, "census_month: 10        # MHLW counts foreign workers at the end of October",
                              "census_mnth: 10")
    out = tmp_path / "new.h5"
    one_error_line(migsim("run", scenario, "-o", out))
    assert not out.exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["broken.yaml"]


def test_output_in_a_missing_folder_is_refused(tmp_path):
    message = one_error_line(migsim("run", QUICKSTART, "-o", tmp_path / "nowhere" / "out.h5"))
    assert "nowhere" in message
    assert not (tmp_path / "nowhere").exists()


# Regression (bug in 061cce0, fixed in 929b904): an unknown key was located at its value, so a key
# whose value is a block mapping was reported at the line of its first child.
def test_unknown_key_with_a_block_value_is_reported_at_the_key(tmp_path):
    scenario, line = broken_copy(tmp_path, "employers:", "employerz:")
    message = one_error_line(migsim("validate", scenario))
    assert f"broken.yaml:{line}:1:" in message, message


# Regression (bug in 061cce0, fixed in 929b904): the list of expected keys repeated some keys.
def test_unknown_key_lists_each_expected_key_once(tmp_path):
    scenario, _ = broken_copy(tmp_path, "census_month: 10        # MHLW counts foreign workers at the end of October",
                              "census_mnth: 10")
    message = one_error_line(migsim("validate", scenario))
    expected = [k.strip() for k in message.split("expected one of:")[1].split(",")]
    assert len(expected) == len(set(expected)), message


@pytest.mark.parametrize("bands, key, expected", [
    ("[{status: TITP, from_months: 0, to_months: 61, share: 1}]", "initial_months_in_status[0].to_months",
     "at most TITP's max_stay_months (60)"),
    ("[{status: TITP, from_months: 0, to_months: 12, share: 0.5}, {status: TITP, from_months: 12, to_months: 36, "
     "share: 0.4}]", "initial_months_in_status[1].share", "add up to 1"),
])
def test_initial_months_bands_a_status_cannot_have_are_refused(tmp_path, bands, key, expected):
    scenario = tmp_path / "months.yaml"
    scenario.write_text(f"extends: {QUICKSTART}\ninitial_months_in_status: {bands}\n")
    message = one_error_line(migsim("validate", scenario))
    assert f"key '{key}'" in message and expected in message and "months.yaml:2:" in message


@pytest.mark.parametrize("setting, key, expected", [
    ("origins.korea.sending_push={from: 2025-01, to: 2024-01, applicant_multiplier: 2}",
     "origins.korea.sending_push.to", "on or after from"),
    ("employers.wage_ceiling_over_minimum=0.5", "employers.wage_ceiling_over_minimum", "at least 1"),
    ("employers.minimum_wage_revision_month=13", "employers.minimum_wage_revision_month", "1 to 12"),
    ("learning.skill_test_width_points=-1", "learning.skill_test_width_points", "0"),
])
def test_bad_market_keys_name_the_key_and_what_was_expected(tmp_path, setting, key, expected):
    """The keys of the sending push, the wage path and the skills test are checked like any other."""
    out = tmp_path / "out.h5"
    out.write_bytes(KEEP)
    message = one_error_line(migsim("run", QUICKSTART, "-o", out, "--set", setting))
    assert "command line" in message and key in message and expected in message, message
    assert_untouched(tmp_path, out)


@pytest.mark.parametrize("setting, key, expected", [
    ("statuses.PERMANENT.family_joins_as=SPOUSE", "statuses.PERMANENT.family_joins_as", "SPOUSE_OR_LONG_TERM"),
    ("events=[{type: status_rule, date: 2025-01, status: PERMANENT, set: {family_joins_as: DEPENDENT}}]",
     "family_joins_as", "fixed for the run"),
    ("statuses.ENGINEER.initial_families=some", "statuses.ENGINEER.initial_families", "reunited, by_months_in_status"),
    ("events=[{type: status_rule, date: 2025-01, status: ENGINEER, set: {initial_families: reunited}}]",
     "initial_families", "initial residents only"),
])
def test_bad_family_joins_as_names_the_key_and_what_was_expected(tmp_path, setting, key, expected):
    """The status a family joins as must be a defined status, and is not dated; so is how the initial residents'
    families are set up."""
    message = one_error_line(migsim("validate", QUICKSTART, "--set", setting))
    assert "command line" in message and key in message and expected in message, message
