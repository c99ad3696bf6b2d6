"""calibrate-apply: a calibration's best.yaml written into the scenario files that define its keys."""

import os
import shutil
import subprocess

import yaml
from conftest import MIGSIM, REPO

from migsim_analysis.calibration import expand
from migsim_analysis.calibration_apply import number_leaves, number_text, rounded

BACKTEST = "backtest_2019.yaml"
BASELINE = "japan_baseline.yaml"


def scenarios_copy(folder):
    """scenarios/*.yaml and scenarios/data/japan/*.yaml copied into folder, the CSV tables linked (read only)."""
    folder.mkdir()
    for path in (REPO / "scenarios").glob("*.yaml"):
        shutil.copy2(path, folder / path.name)
    data = folder / "data" / "japan"
    data.mkdir(parents=True)
    for path in (REPO / "scenarios" / "data" / "japan").iterdir():
        if path.suffix == ".yaml":
            shutil.copy2(path, data / path.name)
        else:
            os.symlink(path, data / path.name)
    return folder


def snapshot(folder):
    """{relative path: bytes} of the files copied (not the linked tables)."""
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*"))
            if p.is_file() and not p.is_symlink()}


def apply(monkeypatch, capsys, *args):
    from migsim_analysis.__main__ import main
    monkeypatch.setenv("MIGSIM_BIN", str(MIGSIM))
    status = main(["calibrate-apply", *map(str, args)])
    out, err = capsys.readouterr()
    return status, out, err


def resolved(folder):
    out = subprocess.run([str(MIGSIM), "validate", str(folder / BACKTEST)], capture_output=True, text=True,
                         check=True)
    return yaml.safe_load(out.stdout)


def changed_lines(before, after):
    """The (old, new) lines that differ; the files must have as many lines, unchanged elsewhere."""
    a, b = before.decode().splitlines(keepends=True), after.decode().splitlines(keepends=True)
    assert len(a) == len(b)
    return [(x, y) for x, y in zip(a, b) if x != y]


def best_with_changes(tmp_path):
    """The committed best.yaml (as the committed scenarios hold it) with six values changed, and those
    values as they stand in the scenarios before: (path, {key: (old text, new text)})."""
    best = yaml.safe_load((REPO / "analysis" / "calibration" / "best.yaml").read_text())
    closure = best["events"][0]
    pass_rates = best["statuses"]["TITP"]["transitions"][0]["pass_rate_by_year"]
    old = {"applicants_multiplier": best["applicants_multiplier"], "admit_share": closure["admit_share"],
           "TITP": closure["admit_share_by_status"]["TITP"], "catch_up_months": closure["catch_up_months"],
           "2021": pass_rates[2021], "ENGINEER": best["statuses"]["ENGINEER"]["exit_rate_per_year"]}
    best["applicants_multiplier"] = 0.7512345
    closure["admit_share"] = 0.123456
    closure["admit_share_by_status"]["TITP"] = 0.41
    closure["catch_up_months"] = 7
    pass_rates[2021] = 0.3
    best["statuses"]["ENGINEER"]["exit_rate_per_year"] = 0.2
    path = tmp_path / "best.yaml"
    path.write_text("# Calibrated parameters (a test's best.yaml)\n" + yaml.safe_dump(best, sort_keys=False))
    text = {key: number_text(rounded(value)) for key, value in old.items()}
    new = {"applicants_multiplier": "0.7512", "admit_share": "0.1235", "TITP": "0.41", "catch_up_months": "7",
           "2021": "0.3", "ENGINEER": "0.2"}
    return path, {key: (text[key], new[key]) for key in old}


def test_values_land_in_the_file_that_defines_them_and_nothing_else_moves(tmp_path, monkeypatch, capsys):
    folder = scenarios_copy(tmp_path / "scenarios")
    best, values = best_with_changes(tmp_path)
    before = snapshot(folder)
    status, out, err = apply(monkeypatch, capsys, best, "--scenario", folder / BACKTEST)
    assert status == 0, err
    after = snapshot(folder)
    assert {p for p in after if after[p] != before[p]} == {BACKTEST, BASELINE}

    # The closure is the backtest's own: its event lines change there, in place, each keeping its comment
    # and every other character.
    backtest = changed_lines(before[BACKTEST], after[BACKTEST])
    assert len(backtest) == 3
    for key, (old, new) in ((k, values[k]) for k in ("admit_share", "TITP", "catch_up_months")):
        assert any(line.replace(f"{key}: {old}", f"{key}: {new}") == changed for line, changed in backtest), key
    assert "# calibrated (analysis/calibration/best.yaml) but catch_up_months" in "".join(n for _, n in backtest)
    # The rates are the baseline's: exactly those lines change, the same way.
    baseline = changed_lines(before[BASELINE], after[BASELINE])
    assert len(baseline) == 3
    for key, (old, new) in ((k, values[k]) for k in ("2021", "ENGINEER", "applicants_multiplier")):
        label = "exit_rate_per_year" if key == "ENGINEER" else key
        assert any(line.replace(f"{label}: {old}", f"{label}: {new}") == changed for line, changed in baseline), key
    # One line per changed key, file:line key old -> new, and the count.
    old, new = values["admit_share"]
    assert f"{BACKTEST}:" in out and f"events[0].admit_share {old} -> {new}" in out
    old, new = values["ENGINEER"]
    assert f"statuses.ENGINEER.exit_rate_per_year {old} -> {new}" in out
    assert "changed 6 value(s) in 2 file(s)" in out

    tree = resolved(folder)
    assert expand(tree, "statuses.ENGINEER.exit_rate_per_year") == {"statuses.ENGINEER.exit_rate_per_year": 0.2}
    assert tree["events"][0]["admit_share_by_status"]["TITP"] == 0.41
    assert tree["statuses"]["TITP"]["transitions"][0]["pass_rate_by_year"][2021] == 0.3

    # Applying again changes nothing: every byte stays.
    status, out, err = apply(monkeypatch, capsys, best, "--scenario", folder / BACKTEST)
    assert status == 0, err
    assert "changed 0 value(s) in 0 file(s)" in out
    assert snapshot(folder) == after


def test_dry_run_prints_the_changes_and_writes_nothing(tmp_path, monkeypatch, capsys):
    folder = scenarios_copy(tmp_path / "scenarios")
    best, values = best_with_changes(tmp_path)
    before = snapshot(folder)
    status, out, err = apply(monkeypatch, capsys, best, "--scenario", folder / BACKTEST, "--dry-run")
    assert status == 0, err
    old, new = values["ENGINEER"]
    assert f"statuses.ENGINEER.exit_rate_per_year {old} -> {new}" in out and "would change 6 value(s)" in out
    assert snapshot(folder) == before


def _untouched_on_error(tmp_path, monkeypatch, capsys, text):
    folder = scenarios_copy(tmp_path / "scenarios")
    best = tmp_path / "best.yaml"
    best.write_text(text)
    before = snapshot(folder)
    listing = sorted(p.name for p in folder.rglob("*"))
    status, out, err = apply(monkeypatch, capsys, best, "--scenario", folder / BACKTEST)
    assert status == 2
    assert snapshot(folder) == before
    assert sorted(p.name for p in folder.rglob("*")) == listing      # no temporary file left
    lines = err.strip().splitlines()
    assert len(lines) == 1 and str(best) in lines[0]
    return lines[0]


def test_a_key_no_file_defines_is_an_error_and_nothing_is_written(tmp_path, monkeypatch, capsys):
    # A good key first: the error must come before anything is written.
    message = _untouched_on_error(tmp_path, monkeypatch, capsys,
                                  "applicants_multiplier: 0.5\nstatuses:\n  TITP: {exit_rate_per_yaer: 0.1}\n")
    assert "best.yaml:3:30: key 'statuses.TITP.exit_rate_per_yaer'" in message and "defined in no file" in message


def test_a_list_item_with_no_counterpart_in_the_file_is_an_error(tmp_path, monkeypatch, capsys):
    message = _untouched_on_error(
        tmp_path, monkeypatch, capsys,
        "statuses:\n  STUDENT:\n    transitions:\n    - {after_months: 24, pass_rate: 0.1, requires_japanese: B1, "
        "to: ENGINEER, cost: 3}\n")
    assert "best.yaml:4:85: key 'statuses.STUDENT.transitions[0].cost'" in message and "no counterpart" in message


def test_a_value_from_a_csv_table_is_out_of_scope(tmp_path, monkeypatch, capsys):
    message = _untouched_on_error(tmp_path, monkeypatch, capsys, "origins:\n  Vietnam: {applicants_per_year: 5}\n")
    assert "origins.Vietnam" in message and "origins.csv" in message


def test_a_synthetic_pair_writes_into_the_base_and_the_derived_file(tmp_path, monkeypatch, capsys):
    base = REPO / "scenarios" / "quickstart.yaml"
    derived = tmp_path / "derived.yaml"
    # A key of the quickstart that the derived file does not set lives in the quickstart: the copy gets it.
    shutil.copy2(base, tmp_path / "quickstart.yaml")
    derived.write_text("# derived\nextends: quickstart.yaml\nname: derived\n\nbehaviour:\n"
                       "  move_cost: 0.5   # ours\n")
    quick = yaml.safe_load((tmp_path / "quickstart.yaml").read_text())
    status_name = next(iter(quick["statuses"]))
    best = tmp_path / "best.yaml"
    best.write_text(f"behaviour: {{move_cost: 0.25}}\nstatuses:\n  {status_name}: {{exit_rate_per_year: 0.0123456}}\n")
    before_base = (tmp_path / "quickstart.yaml").read_text()
    monkeypatch.chdir(tmp_path)         # paths from the working folder, not the repository's
    status, out, err = apply(monkeypatch, capsys, "best.yaml", "--scenario", "derived.yaml")
    assert status == 0, err
    assert (tmp_path / "derived.yaml").read_text().endswith("behaviour:\n  move_cost: 0.25   # ours\n")
    lines = [(a, b) for a, b in zip(before_base.splitlines(), (tmp_path / "quickstart.yaml").read_text().splitlines())
             if a != b]
    assert len(lines) == 1 and "exit_rate_per_year: 0.01235" in lines[0][1]
    assert "derived.yaml:6 behaviour.move_cost 0.5 -> 0.25" in out
    assert "the resolved scenario holds BEST.yaml's values" in out


def test_an_interrupt_after_writing_puts_the_files_back(tmp_path, monkeypatch, capsys):
    """Ctrl-C (or SIGTERM, which main turns into it) while migsim checks the written files: exit 130, every
    file as it was, no temporary file left."""
    import migsim_analysis.calibration_apply as calibration_apply

    def interrupted(*args):
        raise KeyboardInterrupt
    folder = scenarios_copy(tmp_path / "scenarios")
    best, _ = best_with_changes(tmp_path)
    before, listing = snapshot(folder), sorted(p.name for p in folder.rglob("*"))
    monkeypatch.setattr(calibration_apply, "verify", interrupted)
    status, out, err = apply(monkeypatch, capsys, best, "--scenario", folder / BACKTEST)
    assert status == 130 and "interrupted; the files are as before" in err
    assert snapshot(folder) == before and sorted(p.name for p in folder.rglob("*")) == listing


def test_a_value_migsim_rejects_leaves_the_files_as_they_were(tmp_path, monkeypatch, capsys):
    shutil.copy2(REPO / "scenarios" / "quickstart.yaml", tmp_path / "quickstart.yaml")
    before = (tmp_path / "quickstart.yaml").read_bytes()
    best = tmp_path / "best.yaml"
    best.write_text("statuses:\n  TITP: {exit_rate_per_year: -3.5}\n")
    status, out, err = apply(monkeypatch, capsys, best, "--scenario", tmp_path / "quickstart.yaml")
    assert status == 2
    assert "the files are as before" in err
    assert "statuses.TITP.exit_rate_per_year" in err
    assert (tmp_path / "quickstart.yaml").read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["best.yaml", "quickstart.yaml"]


def test_the_committed_best_yaml_over_the_committed_scenarios(tmp_path, monkeypatch, capsys):
    """The committed scenarios hold the committed best.yaml's values (the calibration was applied with this
    command, docs/validation.md): applying it again changes nothing, and the resolved scenario holds every
    value of best.yaml."""
    folder = scenarios_copy(tmp_path / "scenarios")
    best = REPO / "analysis" / "calibration" / "best.yaml"
    before = snapshot(folder)
    status, out, err = apply(monkeypatch, capsys, best, "--scenario", folder / BACKTEST)
    assert status == 0, err
    assert "the resolved scenario holds BEST.yaml's values" in out
    printed = [line for line in out.splitlines() if " -> " in line]
    after = snapshot(folder)
    changed = sum(len(changed_lines(before[p], after[p])) for p in after if after[p] != before[p])
    assert changed == len({line.split()[0] for line in printed}) == 0   # file:line, one per changed line
    assert "changed 0 value(s) in 0 file(s)" in out
    tree = resolved(folder)
    for key, value in number_leaves(yaml.safe_load(best.read_text())).items():
        assert rounded(expand(tree, key)[key]) == rounded(value), key


def test_by_default_it_applies_to_the_scenario_best_yaml_names(monkeypatch, capsys):
    """The committed best.yaml's Use: line names scenarios/backtest_2019.yaml; a dry run writes nothing."""
    files = [REPO / "scenarios" / BACKTEST, REPO / "scenarios" / BASELINE]
    before = [p.read_bytes() for p in files]
    status, out, err = apply(monkeypatch, capsys, REPO / "analysis" / "calibration" / "best.yaml", "--dry-run")
    assert status == 0, err
    assert "backtest_2019.yaml)" in out.splitlines()[-1] and "would change" in out
    assert [p.read_bytes() for p in files] == before


def test_a_missing_base_file_names_the_extends_key(tmp_path, monkeypatch, capsys):
    (tmp_path / "derived.yaml").write_text("name: derived\nextends: nowhere.yaml\n")
    (tmp_path / "best.yaml").write_text("behaviour: {move_cost: 0.25}\n")
    status, out, err = apply(monkeypatch, capsys, tmp_path / "best.yaml", "--scenario", tmp_path / "derived.yaml")
    assert status == 2
    assert "derived.yaml:2:10: key 'extends': no scenario file" in err and "nowhere.yaml" in err
