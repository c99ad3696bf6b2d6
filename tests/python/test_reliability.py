"""Faults and hostile inputs (issue 26): exit status, one clean line, and no file destroyed or left behind.

Each test runs the real binary on real files under pytest's tmp_path. docs/reliability.md lists the promises.
"""

import os
import random
import shutil
import signal
import subprocess
import time

import h5py
import pytest
import yaml
from conftest import MIGSIM, QUICKSTART, REPO, differing_datasets, migsim, run_ok

KEEP = b"an older result the user wants to keep\n"


def one_line(result, status):
    assert result.returncode == status, result.stderr
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1, result.stderr
    return lines[0]


def temporaries(folder):
    return sorted(p.name for p in folder.glob("*.tmp-*"))


def quickstart_extending(tmp_path, name, body):
    path = tmp_path / name
    path.write_text(f"extends: {QUICKSTART}\n{body}")
    return path


# Defect 1: a full disk.
def test_a_full_disk_ends_the_run_with_one_line_and_no_temporary_file(tmp_path):
    if os.geteuid() != 0 or shutil.which("mount") is None:
        pytest.skip("needs root to mount a 1 MiB tmpfs (CI runs as root)")
    disk = tmp_path / "disk"
    disk.mkdir()
    if subprocess.run(["mount", "-t", "tmpfs", "-o", "size=1m", "tmpfs", str(disk)]).returncode != 0:
        pytest.skip("cannot mount a tmpfs here")
    try:
        out = disk / "out.h5"
        result = migsim("run", REPO / "scenarios" / "japan_baseline.yaml", "--scale", "0.1", "-q", "-o", out)
        line = one_line(result, 1)
        assert line == f"migsim: cannot write {out}: No space left on device"
        assert list(disk.iterdir()) == []  # neither the output nor its temporary file
    finally:
        subprocess.run(["umount", str(disk)])


# Defect 2: -o that would replace what it must not.
@pytest.mark.parametrize("target", ["scenario", "base", "table", "folder", "fifo"])
def test_output_that_is_an_input_a_folder_or_a_special_file_is_refused_before_the_run(tmp_path, target):
    base = tmp_path / "base.yaml"
    base.write_text(QUICKSTART.read_text())
    table = tmp_path / "municipalities.csv"
    shutil.copy(REPO / "tests" / "scenarios" / "tables" / "municipalities.csv", table)
    scenario = tmp_path / "s.yaml"
    scenario.write_text("extends: base.yaml\nmunicipalities: {csv: municipalities.csv}\n")
    folder = tmp_path / "results"
    folder.mkdir()
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    out = {"scenario": scenario, "base": base, "table": table, "folder": folder, "fifo": fifo}[target]
    before = {p: p.read_bytes() for p in (scenario, base, table)}
    line = one_line(migsim("run", scenario, "-q", "-o", out), 2)
    assert "-o" in line and str(out) in line
    assert {p: p.read_bytes() for p in (scenario, base, table)} == before
    assert folder.is_dir() and fifo.is_fifo()
    assert temporaries(tmp_path) == []


# Defect 3: limits while reading, and a run too large for the machine.
def test_a_municipalities_table_over_65535_rows_is_refused_where_the_limit_is_crossed(tmp_path):
    table = tmp_path / "municipalities.csv"
    with table.open("w") as f:
        f.write("code,name,prefecture,population\n")
        for k in range(70_000):
            f.write(f"{100000 + k},m{k},22,1000\n")
    scenario = quickstart_extending(tmp_path, "s.yaml", f"municipalities: {{csv: {table}}}\n")
    line = one_line(migsim("validate", scenario), 2)
    assert f"{table}:65537:1:" in line and "65535 rows" in line


def test_a_scenario_with_a_line_over_1_mib_is_refused(tmp_path):
    scenario = tmp_path / "long.yaml"
    scenario.write_text("name: long\ndescription: " + "x" * (2 << 20) + "\n")
    line = one_line(migsim("validate", scenario), 2)
    assert f"{scenario}:2:1:" in line and "lines of at most 1 MiB" in line


def test_a_run_estimated_above_max_memory_is_refused_before_it_starts(tmp_path):
    scenario = quickstart_extending(tmp_path, "many.yaml", "origins:\n  vietnam: {applicants_per_year: 100000000}\n")
    out = tmp_path / "out.h5"
    out.write_bytes(KEEP)
    line = one_line(migsim("run", scenario, "-o", out), 2)
    assert "--max-memory" in line and "agents" in line and "GiB" in line
    assert out.read_bytes() == KEEP and temporaries(tmp_path) == []
    # The same scenario with a small enough limit for the quickstart itself.
    one_line(migsim("run", QUICKSTART, "-o", out, "--max-memory", "100M"), 2)
    run_ok("run", QUICKSTART, "-q", "--scale", "0.0625", "-o", out, "--max-memory", "2G")


# Defect 6: directories and unreadable files name the reason.
def test_a_folder_as_scenario_and_a_missing_scenario_give_exit_2_with_the_reason(tmp_path):
    assert one_line(migsim("validate", tmp_path), 2) == f"migsim: {tmp_path}: expected a scenario file, but this is a folder"
    missing = tmp_path / "missing.yaml"
    line = one_line(migsim("run", missing, "-q", "-o", tmp_path / "out.h5"), 2)
    assert line == f"migsim: {missing}: cannot open the scenario file: No such file or directory"


# Defect 7: deep extends chains.
def extends_chain(tmp_path, length):
    previous = QUICKSTART
    for k in range(length - 1):
        path = tmp_path / f"level{k}.yaml"
        path.write_text(f"extends: {previous}\n")
        previous = path
    return previous


def test_extends_chains_load_up_to_64_files_and_longer_ones_are_refused(tmp_path):
    (tmp_path / "ok").mkdir()
    (tmp_path / "long").mkdir()
    run_ok("validate", extends_chain(tmp_path / "ok", 64))
    line = one_line(migsim("validate", extends_chain(tmp_path / "long", 2000)), 2)
    assert "at most 64 files" in line


# Defect 8: --set T.csv=FILE is what run reads, as validate shows.
def test_set_table_csv_is_applied_by_run_as_validate_shows(tmp_path):
    rows = yaml.safe_load(QUICKSTART.read_text())["initial_stock"]
    columns = ["municipality", "status", "field", "origin", "persons"]

    def stock(name, factor):
        path = tmp_path / name
        path.write_text(",".join(columns) + "\n" +
                        "".join(",".join(str(r[c] * factor if c == "persons" else r[c]) for c in columns) + "\n"
                                for r in rows))
        return path

    original, doubled = stock("stock.csv", 1), stock("doubled.csv", 2)
    scenario = quickstart_extending(tmp_path, "s.yaml", f"initial_stock: {{csv: {original}}}\n")
    resolved = run_ok("validate", scenario, "--set", f"initial_stock.csv={doubled}").stdout
    assert str(doubled) in resolved and str(original) not in resolved
    by_key = tmp_path / "by_key.h5"
    by_mapping = tmp_path / "by_mapping.h5"
    unchanged = tmp_path / "unchanged.h5"
    run_ok("run", scenario, "-q", "--scale", "0.0625", "-o", by_key, "--set", f"initial_stock.csv={doubled}")
    run_ok("run", scenario, "-q", "--scale", "0.0625", "-o", by_mapping, "--set", f"initial_stock={{csv: {doubled}}}")
    run_ok("run", scenario, "-q", "--scale", "0.0625", "-o", unchanged)
    assert differing_datasets(by_key, by_mapping) == []
    assert differing_datasets(by_key, unchanged) != []


# Defect 5 and the interrupt promise: random signals during real runs.
def test_random_kills_and_interrupts_never_damage_the_output_and_leave_no_temporary_file(tmp_path):
    out = tmp_path / "out.h5"
    run_ok("run", QUICKSTART, "-q", "--scale", "0.25", "-o", out)
    kept = out.read_bytes()
    with h5py.File(out, "r") as first:
        complete_years = first["national/stock"].shape[0]
    chooser = random.Random(26)
    for trial in range(9):
        signo = (signal.SIGKILL, signal.SIGINT, signal.SIGTERM)[trial % 3]
        process = subprocess.Popen([str(MIGSIM), "run", str(QUICKSTART), "-q", "-o", str(out)],
                                   stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
        time.sleep(chooser.uniform(0.05, 0.3))
        process.send_signal(signo)
        _, stderr = process.communicate(timeout=60)
        if process.returncode == 0:  # finished before the signal: a complete new output
            kept = out.read_bytes()
            continue
        if out.read_bytes() != kept:
            # The signal came after the finished file was renamed into place: the new output is
            # whole (every year written), only the exit status reports the interruption.
            with h5py.File(out, "r") as done:
                assert "end_time" in done.attrs, f"trial {trial}: the existing output changed"
                assert done["national/stock"].shape[0] == complete_years, f"trial {trial}: a partial output"
            kept = out.read_bytes()
        if signo == signal.SIGKILL or process.returncode == -signo:  # or before main() installed the handlers
            assert process.returncode == -signo
        else:
            assert process.returncode == 128 + signo
            assert f"migsim: interrupted by {signal.Signals(signo).name}; removed " in stderr
            assert not (tmp_path / f"out.h5.tmp-{process.pid}").exists()
    # What a SIGKILL left is removed by the next run to the same name, with a note.
    leftovers = temporaries(tmp_path)
    (tmp_path / "out.h5.tmp-999999999").write_bytes(b"left by a killed run")
    result = run_ok("run", QUICKSTART, "-q", "--scale", "0.0625", "-o", out)
    assert temporaries(tmp_path) == []
    assert result.stderr.count("left by a run that was killed") == len(leftovers) + 1


# Found by the fuzzer: names the system refuses are bad input, not an internal error.
def test_an_output_name_too_long_for_the_system_is_refused_with_the_reason(tmp_path):
    out = tmp_path / ("y" * 300 + ".h5")
    line = one_line(migsim("run", QUICKSTART, "-q", "-o", out), 2)
    assert "-o" in line and "File name too long" in line
    assert list(tmp_path.iterdir()) == []
