"""The calibration command (analysis/migsim_analysis/calibration.py): a small real study.

The study runs the quickstart moved to 2019-10 .. 2022-10 (six municipalities, a fraction of a second a run) with
two seeds and two parameters: three trials on two workers; a copy of its SQLite file is then continued.
"""

import csv
import math
import os
import shutil
import subprocess
import sys

import optuna
import pandas as pd
import pytest
import yaml
from conftest import ANALYSIS, MIGSIM, REPO

from migsim_analysis.calibration import bound_findings, load_spec
from migsim_analysis.validate import ard, symmetric_ard

SPEC = """\
scenario: {scenario}
scale: 1
seeds: [1, 2]
fit: {{years: 2020-2021, series: [isa_total, ssw_total, ssw_route, arrivals]}}
held_back: {{years: 2022, series: [isa_total, ssw_total, missing_interns]}}
sampler: {{seed: 7, startup_trials: 2}}
parameters:
  titp_to_ssw1_pass_rate: {{range: [0.05, 0.9], scale: log, sets: ["statuses.TITP.transitions[0].pass_rate"]}}
  exit_multiplier:
    range: [0.5, 2]
    scale: linear
    multiplies: ["statuses.*.exit_rate_per_year"]
"""


def backtest(folder):
    """The quickstart from the October 2019 census to October 2022: the years of the observations."""
    path = folder / "quickstart_2019.yaml"
    path.write_text(f"extends: {REPO / 'scenarios' / 'quickstart.yaml'}\nname: quickstart_2019\n"
                    "start: 2019-10\nend: 2022-10\n")
    return path


def write_spec(folder, text=None):
    path = folder / "spec.yaml"
    path.write_text(text or SPEC.format(scenario=backtest(folder)))
    return path


def calibrate(*args):
    env = dict(os.environ, PYTHONPATH=str(ANALYSIS), MIGSIM_BIN=str(MIGSIM))
    return subprocess.run([sys.executable, "-m", "migsim_analysis", "calibrate", *map(str, args)],
                          capture_output=True, text=True, env=env, timeout=600)


def calibrate_here(monkeypatch, capsys, *args):
    """The command in this process (no interpreter start-up): (exit status, stdout, stderr)."""
    from migsim_analysis.__main__ import main
    monkeypatch.setenv("MIGSIM_BIN", str(MIGSIM))
    status = main(["calibrate", *map(str, args)])
    out, err = capsys.readouterr()
    return status, out, err


def trials(out):
    with open(out / "trials.csv", newline="") as f:
        return list(csv.DictReader(f))


@pytest.fixture(scope="module")
def study(tmp_path_factory):
    folder = tmp_path_factory.mktemp("calibration")
    spec = write_spec(folder)
    out = folder / "out"
    result = calibrate(spec, "--trials", 3, "--jobs", 2, "--out", out)
    assert result.returncode == 0, result.stderr
    return spec, out, result


def test_symmetric_ard_scores_overshoot_and_undershoot_by_a_factor_alike():
    observed = pd.Series({"all": 15_663.0})
    for k in (1.25, 3.0, 6.0):
        over, under = symmetric_ard(observed * k, observed), symmetric_ard(observed / k, observed)
        assert over == pytest.approx(under) == pytest.approx(2 * (k - 1) / (k + 1))
        assert ard(observed * k, observed) > ard(observed / k, observed)     # ARD is lopsided
    # A breakdown: swapping simulated and observed gives the same score; 0 observed cells are fine.
    sim = pd.DataFrame({"SSW1": [12_000.0, 60_000.0], "SSW2": [50.0, 10.0]}, index=[2020, 2021])
    obs = pd.DataFrame({"SSW1": [15_663.0, 49_666.0], "SSW2": [0.0, 0.0]}, index=[2020, 2021])
    assert symmetric_ard(sim, obs) == pytest.approx(symmetric_ard(obs, sim))
    assert symmetric_ard(obs, obs) == 0


def test_study_runs_and_writes_its_outputs(study):
    spec, out, result = study
    assert sorted(p.name for p in out.iterdir()) == ["best.yaml", "study.sqlite3", "trials.csv",
                                                     "validation_best.txt"]
    rows = trials(out)
    assert [r["state"] for r in rows] == ["COMPLETE"] * 3
    # The first trial is the scenario as it is: the pass rate as written, multiplier 1.
    assert rows[0]["kind"] == "baseline"
    assert float(rows[0]["titp_to_ssw1_pass_rate"]) == 0.5 and float(rows[0]["exit_multiplier"]) == 1
    for r in rows:      # the objective is the mean over the seeds (common to every trial)
        assert float(r["objective"]) == pytest.approx((float(r["objective_seed_1"]) + float(r["objective_seed_2"])) / 2,
                                                      rel=1e-5)
        assert math.isfinite(float(r["held_back"])) and float(r["held_back_missing_interns"]) >= 0
    best = min(rows, key=lambda r: float(r["objective"]))
    text = (out / "best.yaml").read_text()
    assert "# Reproduce: PYTHONPATH=analysis /usr/bin/python3 -m migsim_analysis calibrate" in text
    fragment = yaml.safe_load(text)
    titp = fragment["statuses"]["TITP"]
    assert titp["transitions"][0]["pass_rate"] == pytest.approx(float(best["titp_to_ssw1_pass_rate"]))
    assert titp["transitions"][0]["to"] == "SSW1"                      # the list is given whole
    assert titp["exit_rate_per_year"] == pytest.approx(0.04 * float(best["exit_multiplier"]), rel=1e-5)
    report = (out / "validation_best.txt").read_text()
    assert f"reproduces trial {best['number']}" in report
    assert "ARD (the validate table)" in report and "held back (mean)" in report
    assert f"best: trial {best['number']}" in result.stdout


def test_a_second_run_continues_the_study_and_reruns_an_interrupted_trial(study, tmp_path):
    spec, first, _ = study
    out = tmp_path / "out"
    out.mkdir()
    shutil.copy(first / "study.sqlite3", out / "study.sqlite3")
    # A trial left running, as by a killed calibration.
    stored = optuna.load_study(study_name="calibration", storage=f"sqlite:///{out / 'study.sqlite3'}")
    interrupted = stored.ask({"titp_to_ssw1_pass_rate": optuna.distributions.FloatDistribution(0.05, 0.9, log=True),
                              "exit_multiplier": optuna.distributions.FloatDistribution(0.5, 2)})
    result = calibrate(spec, "--trials", 4, "--out", out)
    assert result.returncode == 0, result.stderr
    assert "continuing study" in result.stdout and "(3 complete trials)" in result.stdout
    before, after = trials(first), trials(out)
    keep = ["number", "state", "titp_to_ssw1_pass_rate", "exit_multiplier", "objective"]
    assert [{k: r[k] for k in keep} for r in after[:3]] == [{k: r[k] for k in keep} for r in before]
    assert after[3]["number"] == str(interrupted.number) and after[3]["state"] == "FAIL"
    assert "interrupted" in after[3]["error"]
    rerun = after[4]
    assert rerun["state"] == "COMPLETE" and rerun["rerun_of"] == str(interrupted.number)
    assert float(rerun["titp_to_ssw1_pass_rate"]) == pytest.approx(interrupted.params["titp_to_ssw1_pass_rate"],
                                                                   rel=1e-5)
    assert len(after) == 5 and sum(r["state"] == "COMPLETE" for r in after) == 4


def test_a_bad_key_path_is_one_clear_line(tmp_path, monkeypatch, capsys):
    text = SPEC.format(scenario=backtest(tmp_path)).replace(
        "statuses.*.exit_rate_per_year", "statuses.TITPX.exit_rate_per_year")
    status, out, err = calibrate_here(monkeypatch, capsys, write_spec(tmp_path, text), "--trials", 1,
                                      "--out", tmp_path / "out")
    assert status == 2 and out == ""
    lines = err.strip().splitlines()
    assert len(lines) == 1, err
    assert f"{tmp_path / 'spec.yaml'}:12:18: key 'parameters.exit_multiplier.multiplies[0]': " in lines[0]
    assert "'statuses.TITPX' is not in the resolved scenario" in lines[0]
    assert not (tmp_path / "out").exists()


def test_spec_mistakes_name_the_file_line_and_key(tmp_path, monkeypatch, capsys):
    good = SPEC.format(scenario=backtest(tmp_path))
    for wrong, expected in (
            (good.replace("arrivals]", "arivals]"), ":4:67: key 'fit.series[3]': unknown series 'arivals'"),
            (good.replace("[0.5, 2]", "[2, 0.5]"),
             ":10:12: key 'parameters.exit_multiplier.range': expected [low, high]"),
            (good.replace("scale: linear", "scale: lin"),
             ":11:12: key 'parameters.exit_multiplier.scale': expected log or linear")):
        status, _, err = calibrate_here(monkeypatch, capsys, write_spec(tmp_path, wrong), "--out", tmp_path / "out")
        assert status == 2 and f"spec.yaml{expected}" in err, err
        assert len(err.strip().splitlines()) == 1


def test_the_shipped_spec_is_valid_for_the_backtest(monkeypatch, capsys):
    status, out, err = calibrate_here(monkeypatch, capsys, REPO / "analysis" / "calibration" / "spec.yaml", "--check")
    assert status == 0, err
    assert "valid" in out and "15 parameters" in out
    # One year of a mapping keyed by years is named on its own (the start-up years' multiplier).
    assert "ssw1_conversion_start_multiplier: 0.3-3 log" in out
    assert "multiplies statuses.TITP.transitions[0].pass_rate, statuses.TITP.transitions[0].pass_rate_by_year.2020\n" in out
    assert "ssw1_conversion_multiplier: 0.3-1.3 log" in out
    # The closure's share per channel is a key of a mapping inside the list of events.
    assert "sets events[0].admit_share_by_status.TITP" in out
    # A mapping keyed by year (the dated pass rates) is named key by key, as --set takes it.
    assert "statuses.TITP.transitions[0].pass_rate_by_year.2020" in out


def test_a_best_value_near_a_bound_is_a_finding(tmp_path):
    spec = load_spec(write_spec(tmp_path))
    assert bound_findings(spec, {"titp_to_ssw1_pass_rate": 0.5, "exit_multiplier": 1.0}) == []
    lines = bound_findings(spec, {"titp_to_ssw1_pass_rate": 0.052, "exit_multiplier": 1.98})
    assert len(lines) == 2
    assert "titp_to_ssw1_pass_rate = 0.052 is within 2 % of its lower bound 0.05 (log scale)" in lines[0]
    assert "exit_multiplier = 1.98 is within 2 % of its upper bound 2 (linear scale)" in lines[1]
    # A range that holds a parameter (the held-back fit's catch-up share) is no finding.
    held = next(p for p in spec.parameters if p.name == "titp_to_ssw1_pass_rate")
    held.low, held.high = 0.4999, 0.5001
    lines = bound_findings(spec, {"titp_to_ssw1_pass_rate": 0.4999, "exit_multiplier": 1.0})
    assert lines == ["held: titp_to_ssw1_pass_rate = 0.4999 (range 0.4999-0.5001), not fitted"]


def test_an_overlay_keeps_the_year_keys_of_a_dated_series():
    # The dated pass rates are a mapping keyed by years: a path names them as text (pass_rate_by_year.2020),
    # and the overlay must set the year's own key, not add a second one that the scenario reader refuses.
    from migsim_analysis.calibration import _set
    transitions = [{"to": "SSW1", "pass_rate": 0.01, "pass_rate_by_year": {2020: 0.1, 2021: 0.2}}]
    _set(transitions, [0, "pass_rate_by_year", "2020"], "0.25")
    assert transitions[0]["pass_rate_by_year"] == {2020: 0.25, 2021: 0.2}


def test_an_overlay_sets_a_closure_share_per_channel_inside_the_events(tmp_path):
    # events is a list: the overlay copies it whole, sets the channel's share inside it and keeps the rest,
    # and migsim takes the overlay laid over the scenario.
    from migsim_analysis.calibration import Plan
    spec = load_spec(REPO / "analysis" / "calibration" / "spec.yaml")
    plan = Plan(spec, MIGSIM)
    values = dict(plan.baseline, closure_titp_share=0.02, closure_student_share=0.3)
    closure = plan.overlay(values)["events"][0]
    assert closure["admit_share_by_status"]["TITP"] == 0.02
    assert closure["admit_share_by_status"]["STUDENT"] == 0.3
    assert closure["type"] == "border_closure" and closure["from"] is not None
    overlay = tmp_path / "best.yaml"
    overlay.write_text(f"extends: {REPO / spec.scenario}\n" + yaml.safe_dump(plan.overlay(values)))
    result = subprocess.run([str(MIGSIM), "validate", str(overlay)], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    assert "admit_share_by_status: {TITP: 0.02" in result.stdout or "TITP: 0.02" in result.stdout
