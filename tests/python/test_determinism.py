"""Reproducibility: the data depend on the scenario and the seed only, never on the number of threads."""

import h5py
import numpy as np
import pytest
from conftest import QUICKSTART, datasets, differing_datasets, result_attributes, run_ok

FAST = ("--scale", "0.125", "-q")


def run(tmp_path, name, *args):
    out = tmp_path / f"{name}.h5"
    run_ok("run", QUICKSTART, *FAST, "-o", out, *args)
    return out


def test_thread_count_does_not_change_the_data(tmp_path):
    files = {threads: run(tmp_path, f"threads{threads}", "--threads", threads) for threads in (1, 2, 8)}
    reference = files[1]
    assert len(datasets(reference)) > 30  # every group, every measure and axis
    for threads in (2, 8):
        assert differing_datasets(reference, files[threads]) == [], f"--threads {threads} differs from --threads 1"
        assert result_attributes(reference) == result_attributes(files[threads])
    with h5py.File(files[8], "r") as f:
        assert f.attrs["threads"] == 8


def test_same_seed_gives_the_same_data(tmp_path):
    a = run(tmp_path, "a", "--seed", 11)
    b = run(tmp_path, "b", "--seed", 11)
    assert differing_datasets(a, b) == []


def test_different_seed_gives_different_flows(tmp_path):
    a = run(tmp_path, "a", "--seed", 11)
    b = run(tmp_path, "b", "--seed", 12)
    with h5py.File(a, "r") as fa, h5py.File(b, "r") as fb:
        assert fa.attrs["seed"] == 11 and fb.attrs["seed"] == 12
        assert not np.array_equal(fa["national/entries"][()], fb["national/entries"][()])
        assert not np.array_equal(fa["national/stock"][-1], fb["national/stock"][-1])
        # The initial stock is the scenario's census, whatever the seed.
        assert fa["national/stock"][0].sum() == pytest.approx(fb["national/stock"][0].sum(), rel=0.01)
