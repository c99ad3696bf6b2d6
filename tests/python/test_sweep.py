"""`migsim sweep` on tiny real sweeps of the quickstart (a run takes a fraction of a second).

Every result is compared dataset by dataset; the only dataset allowed to differ between equal sweeps
is runs/wall_seconds (how long each run took).
"""

import json
import os
import shutil
import signal
import subprocess
import time

import h5py
import numpy as np
import pytest
import xarray as xr

from conftest import GROUPS, MIGSIM, QUICKSTART, REPO, migsim, run_ok

SWEEPS = REPO / "scenarios" / "sweeps"
TIMING = {"runs/wall_seconds"}


def write_sweep(folder, text, name="sweep.yaml"):
    path = folder / name
    path.write_text(f"base: {QUICKSTART}\n" + text)
    return path


GRID = """seed: 7
replicates: 2
variants:
  baseline: {}
  fewer_titp: {set: {statuses.TITP.exit_rate_per_year: 0.08}}
design: grid
factors:
  statuses.TES.job_search_rate_per_month: [0.02, 0.05]
"""


def contents(path):
    out = {}
    with h5py.File(path, "r") as f:
        f.visititems(lambda n, o: out.__setitem__(n, o[()]) if isinstance(o, h5py.Dataset) else None)
    return out


def assert_same_datasets(a, b):
    da, db = contents(a), contents(b)
    assert sorted(da) == sorted(db)
    for name in da:
        if name in TIMING:
            continue
        x, y = da[name], db[name]
        same = np.array_equal(x, y, equal_nan=True) if x.dtype.kind == "f" else np.array_equal(x, y)
        assert same, f"{name} differs"


@pytest.fixture(scope="module")
def grid_result(tmp_path_factory):
    folder = tmp_path_factory.mktemp("grid")
    sweep = write_sweep(folder, GRID)
    out = folder / "grid.h5"
    result = run_ok("sweep", sweep, "-o", out, "--jobs", "1")
    return sweep, out, result


def test_grid_result_holds_every_run_with_its_design(grid_result):
    sweep, out, result = grid_result
    assert "8/8 runs done, 0 failed" in result.stderr
    assert not (out.parent / "grid.h5.parts").exists()  # the parts are gone once the result is whole
    with h5py.File(out, "r") as f:
        assert f.attrs["kind"] == "sweep" and f.attrs["format_version"] == 2
        assert f.attrs["design"] == "grid" and f.attrs["run_count"] == 8 and f.attrs["replicates"] == 2
        assert f.attrs["sweep_yaml"] == sweep.read_text()
        design = json.loads(f.attrs["design_json"])
        assert design["type"] == "grid" and design["factors"][0]["values"] == [0.02, 0.05]
        runs = f["runs"]
        # run = ((variant * points) + point) * replicates + replicate
        assert [v.decode() for v in runs["variant"][()]] == ["baseline"] * 4 + ["fewer_titp"] * 4
        assert list(runs["point"][()]) == [0, 0, 1, 1] * 2
        assert list(runs["replicate"][()]) == [0, 1] * 4
        factor = runs["statuses_TES_job_search_rate_per_month"]
        assert list(factor[()]) == [0.02, 0.02, 0.05, 0.05] * 2
        assert factor.attrs["key_path"] == "statuses.TES.job_search_rate_per_month"
        assert [s.decode() for s in runs["status"][()]] == ["ok"] * 8
        # Common random numbers: the seed is the replicate's, whatever the point and variant.
        seeds = runs["seed"][()]
        assert len(set(seeds[0::2])) == 1 and len(set(seeds[1::2])) == 1 and seeds[0] != seeds[1]
        stock = f["national/stock"]
        assert stock.shape[0] == 8 and stock.dims[0][0].name == "/national/run"
        assert not np.array_equal(stock[0], stock[1])  # replicates differ
        assert not np.array_equal(stock[0], stock[4])  # so do variants


def test_common_random_numbers_pair_the_replicates(tmp_path):
    sweep = write_sweep(tmp_path, """seed: 5
replicates: 6
factors:
  statuses.TES.job_search_rate_per_month: [0.02, 0.05]
output: {groups: [national], years: [2030]}
""")
    out = tmp_path / "out.h5"
    run_ok("sweep", sweep, "-o", out)
    with h5py.File(out, "r") as f:
        total = f["national/stock"][()].sum(axis=(1, 2, 3, 4))
    low, high = total[:6], total[6:]  # replicate r at each point
    paired = np.std(high - low, ddof=1)
    unpaired = np.sqrt(np.var(low, ddof=1) + np.var(high, ddof=1))
    assert paired < unpaired / 4


def test_a_sweep_run_is_the_single_run_with_its_overrides(grid_result, tmp_path):
    _, out, _ = grid_result
    with h5py.File(out, "r") as f:
        seed = int(f["runs/seed"][6])  # variant fewer_titp, point 1, replicate 0
        swept = {name: f[f"{name}"][6] for name in ("national/stock", "prefecture/entries", "municipality/ajts")}
    single = tmp_path / "single.h5"
    run_ok("run", QUICKSTART, "-o", single, "-q", "--seed", seed, "--set", "statuses.TITP.exit_rate_per_year=0.08",
           "--set", "statuses.TES.job_search_rate_per_month=0.05")
    with h5py.File(single, "r") as f:
        for name, values in swept.items():
            assert np.array_equal(f[name][()], values), name


def test_xarray_opens_every_group_with_run_and_labels(grid_result):
    _, out, _ = grid_result
    for group in GROUPS + ("runs",):
        ds = xr.open_dataset(out, group=group, engine="h5netcdf")
        assert ds.sizes["run"] == 8
        assert list(ds["run"].values) == list(range(8))
        if group == "prefecture":
            assert "prefecture_name" in ds.coords and ds["stock"].dims[:2] == ("run", "year")
        if group == "municipality":
            for name in ("municipality_name", "municipality_latitude", "municipality_longitude"):
                assert name in ds.coords
        if group == "runs":
            assert ds["statuses_TES_job_search_rate_per_month"].attrs["scale"] == "grid"
        ds.close()


def test_jobs_one_and_two_give_the_same_datasets(grid_result, tmp_path):
    sweep, out, _ = grid_result
    two = tmp_path / "two.h5"
    run_ok("sweep", sweep, "-o", two, "--jobs", "2")
    assert_same_datasets(out, two)


SLURM = REPO / "scripts" / "slurm"


def run_script(script, sweep, out, **env):
    """Runs an sbatch script with bash, as Slurm would, with its inputs in the environment."""
    environment = dict(os.environ, SWEEP=str(sweep), OUT=str(out), MIGSIM=str(MIGSIM), **env)
    result = subprocess.run(["bash", str(SLURM / script)], capture_output=True, text=True, env=environment,
                            cwd=REPO, timeout=300)
    assert result.returncode == 0, result.stderr
    return result


@pytest.mark.skipif(shutil.which("mpirun") is None, reason="no mpirun")
def test_mpirun_gives_the_same_datasets(grid_result, tmp_path):
    # scripts/slurm/sweep_mpi.sbatch on this machine: two ranks, as root.
    sweep, out, _ = grid_result
    ranks = tmp_path / "ranks.h5"
    run_script("sweep_mpi.sbatch", sweep, ranks, MPIRUN_FLAGS="--allow-run-as-root --oversubscribe -np 2")
    assert_same_datasets(out, ranks)


def test_two_shards_merged_give_the_same_datasets(grid_result, tmp_path):
    # scripts/slurm/sweep_array.sbatch as array tasks 3 and 4 of --array=3-4, then sweep_merge.sbatch.
    sweep, out, _ = grid_result
    merged = tmp_path / "sharded.h5"
    for task in ("3", "4"):
        run_script("sweep_array.sbatch", sweep, merged, SLURM_ARRAY_TASK_ID=task, SLURM_ARRAY_TASK_COUNT="2",
                   SLURM_ARRAY_TASK_MIN="3", SLURM_CPUS_PER_TASK="2")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["sharded.shard-1-of-2.h5", "sharded.shard-2-of-2.h5"]
    run_script("sweep_merge.sbatch", sweep, merged)
    assert_same_datasets(out, merged)


def test_a_merge_names_the_missing_shard(grid_result, tmp_path):
    sweep, _, _ = grid_result
    out = tmp_path / "out.h5"
    run_ok("sweep", sweep, "-o", out, "--shard", "2/3")
    result = migsim("sweep-merge", sweep, "-o", out)
    assert result.returncode == 2
    assert "run 0 is in none of the 1 shard files" in result.stderr
    assert not out.exists()


def start_sweep(*args):
    return subprocess.Popen([str(MIGSIM), "sweep", *map(str, args)], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)


def wait_for_parts(parts, count, process):
    deadline = time.time() + 120
    while time.time() < deadline:
        if parts.exists() and len(list(parts.glob("run-*.h5"))) >= count:
            return
        assert process.poll() is None, "the sweep ended before it could be interrupted"
        time.sleep(0.01)
    pytest.fail("no parts appeared")


LONGER = """seed: 3
replicates: 4
design: grid
factors:
  statuses.TES.job_search_rate_per_month: [0.01, 0.02, 0.03, 0.04]
"""


def test_killed_with_sigkill_and_resumed_gives_the_uninterrupted_result(tmp_path):
    sweep = write_sweep(tmp_path, LONGER)
    whole = tmp_path / "whole.h5"
    run_ok("sweep", sweep, "-o", whole, "--jobs", "2")
    out = tmp_path / "resumed.h5"
    parts = tmp_path / "resumed.h5.parts"
    process = start_sweep(sweep, "-o", out, "--jobs", "2")
    wait_for_parts(parts, 4, process)
    process.send_signal(signal.SIGKILL)
    process.wait()
    assert not out.exists()
    done = len(list(parts.glob("run-*.h5")))
    assert 4 <= done < 16
    # Without --resume the parts are not overwritten.
    refused = migsim("sweep", sweep, "-o", out)
    assert refused.returncode == 2 and "--resume" in refused.stderr
    result = run_ok("sweep", sweep, "-o", out, "--jobs", "2", "--resume")
    assert f"resuming: {done} of 16 runs already done" in result.stderr
    assert_same_datasets(whole, out)
    assert not parts.exists()
    assert [p.name for p in tmp_path.iterdir() if ".tmp-" in p.name] == []


def test_resume_refuses_parts_of_another_sweep_file(tmp_path):
    sweep = write_sweep(tmp_path, LONGER)
    out = tmp_path / "out.h5"
    process = start_sweep(sweep, "-o", out, "--jobs", "1")
    wait_for_parts(tmp_path / "out.h5.parts", 1, process)
    process.send_signal(signal.SIGKILL)
    process.wait()
    sweep.write_text(sweep.read_text().replace("seed: 3", "seed: 4"))
    result = migsim("sweep", sweep, "-o", out, "--resume")
    assert result.returncode == 2
    assert "another sweep file" in result.stderr
    assert not out.exists()


def test_sigterm_leaves_no_temporary_file(tmp_path):
    sweep = write_sweep(tmp_path, LONGER)
    out = tmp_path / "out.h5"
    process = start_sweep(sweep, "-o", out, "--jobs", "2")
    wait_for_parts(tmp_path / "out.h5.parts", 2, process)
    process.send_signal(signal.SIGTERM)
    process.wait(timeout=60)
    assert process.returncode == 143
    assert not out.exists()
    leftovers = [p for p in tmp_path.rglob("*") if ".tmp-" in p.name]
    assert leftovers == []
    # What was finished is kept: --resume completes the sweep.
    run_ok("sweep", sweep, "-o", out, "--resume")
    with h5py.File(out, "r") as f:
        assert [s.decode() for s in f["runs/status"][()]] == ["ok"] * 16


@pytest.mark.parametrize("design", ["sobol", "lhs", "saltelli", "morris"])
def test_sampled_designs_give_their_documented_points(design, tmp_path):
    scipy_qmc = pytest.importorskip("scipy.stats.qmc")
    text = f"""seed: 5
design: {design}
samples: 4
factors:
  statuses.TES.job_search_rate_per_month: {{min: 0.01, max: 0.05}}
  behaviour.change_threshold: {{min: 0.001, max: 0.1, scale: log}}
output: {{groups: [national], years: [2022, 2030]}}
"""
    sweep = write_sweep(tmp_path, text)
    out = tmp_path / "out.h5"
    run_ok("sweep", sweep, "-o", out)
    with h5py.File(out, "r") as f:
        a = f["runs/statuses_TES_job_search_rate_per_month"][()]
        b = f["runs/behaviour_change_threshold"][()]
        assert list(f["national/year"][()]) == [2022, 2030]
        unit_a = (a - 0.01) / 0.04
        unit_b = np.log(b / 0.001) / np.log(100)
        if design == "sobol":
            expected = scipy_qmc.Sobol(2, scramble=False).random(8)[1:5]
            np.testing.assert_allclose(np.c_[unit_a, unit_b], expected, atol=1e-12)
        elif design == "lhs":
            for u in (unit_a, unit_b):
                assert sorted(np.floor(u * 4).astype(int)) == [0, 1, 2, 3]
        elif design == "saltelli":
            block, row = f["runs/design_block"][()], f["runs/design_row"][()]
            assert len(a) == 4 * (2 + 2) and list(block) == [0] * 4 + [1] * 4 + [2] * 4 + [3] * 4
            sobol = scipy_qmc.Sobol(4, scramble=False).random(8)[1:5]
            expected_a = np.where(block == 1, sobol[row, 2], sobol[row, 0])
            expected_a = np.where(block == 2, sobol[row, 2], expected_a)
            np.testing.assert_allclose(unit_a, expected_a, atol=1e-12)
        else:
            step, changed = f["runs/step"][()], f["runs/changed_factor"][()]
            assert len(a) == 4 * 3 and list(step) == [0, 1, 2] * 4
            for k in range(len(a)):
                if step[k] == 0:
                    continue
                moved = [abs(unit_a[k] - unit_a[k - 1]) > 1e-9, abs(unit_b[k] - unit_b[k - 1]) > 1e-9]
                assert moved == [changed[k] == 0, changed[k] == 1]


BAD = [
    ("seed: 1\nreplicates: 2\nfactorz: {}\n", "sweep.yaml:4:1: key 'factorz': unknown key"),
    ("design: halton\n", "sweep.yaml:2:9: key 'design': expected one of: grid, lhs, sobol, saltelli, morris"),
    ("design: lhs\nsamples: 4\nfactors:\n  statuses.TES.job_search_rate_per_month: [0.1, 0.2]\n",
     "key 'factors.statuses.TES.job_search_rate_per_month': expected a range {min, max} for a lhs design"),
    ("design: sobol\nsamples: 4\nfactors:\n  behaviour.change_threshold: {min: 0, max: 1, scale: log}\n",
     "key 'factors.behaviour.change_threshold.min': expected min greater than 0 on a log scale"),
    ("replicates: 0\n", "sweep.yaml:2:13: key 'replicates': expected a whole number from 1 to 100000"),
    ("factors:\n  statuses.TES.job_search_rate_per_mont: [0.1]\n",
     "sweep.yaml:3:3: key 'factors.statuses.TES.job_search_rate_per_mont': run 0 (variant base, point 0) is not a "
     "valid scenario"),
    ("factors:\n  statuses.TES.job_search_rate_per_month: [0.1, 7]\n",
     "key 'factors.statuses.TES.job_search_rate_per_month': run 1 (variant base, point 1) is not a valid scenario"),
    ("variants:\n  x: {file: nowhere.yaml}\n", "sweep.yaml:3:13: key 'variants.x.file': expected an existing scenario"),
    ("factors:\n  g: {multiplies: [behaviour.change_threshold], values: [2]}\n",
     "key 'factors.g': expected 'behaviour.change_threshold' to be a number in the scenario of variant 'base'"),
]


@pytest.mark.parametrize("text,message", BAD)
def test_bad_sweep_files_get_one_clear_error(text, message, tmp_path):
    sweep = write_sweep(tmp_path, text)
    out = tmp_path / "out.h5"
    result = migsim("sweep", sweep, "-o", out)
    assert result.returncode == 2, result.stderr
    assert message in result.stderr
    assert result.stderr.count("\n") == 1
    assert sorted(p.name for p in tmp_path.iterdir()) == ["sweep.yaml"]  # nothing written


def test_a_missing_base_is_named(tmp_path):
    sweep = tmp_path / "sweep.yaml"
    sweep.write_text("base: nowhere.yaml\n")
    result = migsim("sweep", sweep, "-o", tmp_path / "out.h5")
    assert result.returncode == 2
    assert "sweep.yaml:1:7: key 'base': expected an existing scenario file" in result.stderr


def test_plan_prints_the_runs_and_a_pilot_estimate(tmp_path):
    sweep = write_sweep(tmp_path, GRID)
    result = run_ok("sweep", sweep, "--plan")
    assert "= 8 runs" in result.stdout
    assert "run 4: variant fewer_titp, point 0, replicate 0:" in result.stdout
    assert "pilot run 0: ok" in result.stdout and "estimate for 8 runs" in result.stdout
    assert sorted(p.name for p in tmp_path.iterdir()) == ["sweep.yaml"]


@pytest.mark.parametrize("name", ["tes_period", "sensitivity", "policy_variants"])
def test_example_sweeps_validate(name):
    result = run_ok("sweep", SWEEPS / f"{name}.yaml", "--plan", "--no-pilot")
    assert ": valid." in result.stdout


@pytest.mark.parametrize("args,message", [
    (["--shard", "3/2"], "key '--shard': expected K/N with 1 <= K <= N"),
    (["--jobs", "-1"], "key '--jobs': expected a number of jobs from 0 to 1024"),
    (["--threads", "0"], "key '--threads': expected a number of threads from 1 to 1024"),
    (["--merge"], "out.shard-1-of-2.h5 and so on beside the result file; found none"),
])
def test_bad_command_lines_get_one_clear_error(args, message, tmp_path):
    sweep = write_sweep(tmp_path, GRID)
    result = migsim("sweep", sweep, "-o", tmp_path / "out.h5", *args, cwd=tmp_path)
    assert result.returncode == 2
    assert message in result.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == ["sweep.yaml"]
