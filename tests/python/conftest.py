"""Shared set-up for the end-to-end tests: where the migsim binary and the quickstart are, how to run it.

MIGSIM_BIN names the binary (default: <repo>/build/migsim). Every output goes under pytest's tmp_path.
"""

import os
import shutil
import subprocess
import sys
from pathlib import Path

import h5py
import numpy as np
import pytest

REPO = Path(__file__).resolve().parents[2]
QUICKSTART = REPO / "scenarios" / "quickstart.yaml"
ANALYSIS = REPO / "analysis"
MIGSIM = Path(os.environ.get("MIGSIM_BIN", REPO / "build" / "migsim"))
GROUPS = ("national", "prefecture", "municipality", "labour_market")
# Root attributes that describe the run rather than its results: they may differ between equal runs.
RUN_ATTRIBUTES = {"threads", "created", "start_time", "end_time", "history"}

if str(ANALYSIS) not in sys.path:
    sys.path.insert(0, str(ANALYSIS))


def migsim(*args, cwd=None):
    """Run the migsim binary; returns the CompletedProcess (text stdout/stderr, never raises on exit status)."""
    if not (MIGSIM.is_file() and os.access(MIGSIM, os.X_OK)):
        pytest.fail(f"no migsim binary at {MIGSIM}: build it (cmake -S . -B build && cmake --build build) "
                    "or set MIGSIM_BIN", pytrace=False)
    return subprocess.run([str(MIGSIM), *map(str, args)], capture_output=True, text=True, cwd=cwd, timeout=300)


def run_ok(*args, cwd=None):
    """Run migsim and require exit status 0, showing its stderr otherwise."""
    result = migsim(*args, cwd=cwd)
    assert result.returncode == 0, f"migsim {' '.join(map(str, args))} exited {result.returncode}:\n{result.stderr}"
    return result


def datasets(path):
    """Every dataset of the file as {"group/name": numpy array}."""
    out = {}
    with h5py.File(path, "r") as f:
        f.visititems(lambda name, obj: out.__setitem__(name, obj[()]) if isinstance(obj, h5py.Dataset) else None)
    return out


def differing_datasets(a, b):
    """Names of the datasets that are missing from one file or hold different values."""
    da, db = datasets(a), datasets(b)
    names = sorted(set(da) | set(db))
    return [n for n in names if n not in da or n not in db or not np.array_equal(da[n], db[n])]


def result_attributes(path):
    """Root attributes minus those describing the run itself (threads, times)."""
    with h5py.File(path, "r") as f:
        return {k: v for k, v in f.attrs.items() if k not in RUN_ATTRIBUTES}


@pytest.fixture(scope="module")
def quickstart_h5(tmp_path_factory):
    """One run of the quickstart at its own settings; returns (path to the file, migsim's stdout)."""
    out = tmp_path_factory.mktemp("quickstart") / "quickstart.h5"
    result = run_ok("run", QUICKSTART, "-o", out)
    return out, result.stdout


# ---------------------------------------------------------------------------------------------
# Runs shared by the analysis tests (tests/python/test_analysis_*.py), made once per session.

ANALYSIS_SEEDS = (1, 2, 3)
# A policy with a known effect: SSW1 closed to new entries from abroad lowers the SSW1 stock.
SSW1_CLOSED = ("--set", "statuses.SSW1.entries_open=false")


@pytest.fixture(scope="session")
def quickstart_replicates(tmp_path_factory):
    """The quickstart at scale 1/8, seeds 1-3, as it is and with SSW1 closed: {"base": [paths], "closed": [paths]}."""
    folder = tmp_path_factory.mktemp("replicates")
    runs = {"base": [], "closed": []}
    for seed in ANALYSIS_SEEDS:
        for name, extra in (("base", ()), ("closed", SSW1_CLOSED)):
            out = folder / f"{name}-{seed}.h5"
            run_ok("run", QUICKSTART, "--scale", "0.125", "--seed", seed, "-q", *extra, "-o", out)
            runs[name].append(out)
    return runs


@pytest.fixture(scope="session")
def japan_small(tmp_path_factory):
    """Japan (47 prefectures, 1,741 municipalities) at scale 0.02."""
    out = tmp_path_factory.mktemp("japan") / "japan.h5"
    run_ok("run", REPO / "scenarios" / "japan_baseline.yaml", "--scale", "0.02", "-q", "-o", out)
    return out


def has_sweep_command():
    """Whether the binary has `migsim sweep` (the sweep tests need a real sweep file)."""
    if not (MIGSIM.is_file() and os.access(MIGSIM, os.X_OK)):
        return False
    result = subprocess.run([str(MIGSIM), "sweep", "--help"], capture_output=True, text=True, timeout=60)
    return result.returncode == 0 and "sweep" in result.stdout.lower()


def format_1_copy(path, copy):
    """A copy of a format 2 run file with what format 2 added taken out: a file as format 1 runs were
    written (same datasets and values, no municipality coordinates, no CF attributes)."""
    shutil.copyfile(path, copy)
    with h5py.File(copy, "r+") as f:
        for name in ("kind", "Conventions", "title", "history", "table_files"):
            if name in f.attrs:
                del f.attrs[name]
        f.attrs["format_version"] = np.int32(1)
        for group in f.values():
            for name in ("municipality_latitude", "municipality_longitude", "municipality_prefecture"):
                if name in group:
                    del group[name]
            for name in list(group.attrs):
                del group.attrs[name]
            for dataset in group.values():
                if "coordinates" in dataset.attrs:
                    del dataset.attrs["coordinates"]
    return copy
