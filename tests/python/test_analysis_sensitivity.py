"""Sensitivity: Sobol indices on the Ishigami function (known analytic values), Morris on a linear function
(known elementary effects), and both on real sweeps when `migsim sweep` exists."""

import math

import numpy as np
import pytest
from conftest import QUICKSTART, has_sweep_command, run_ok
from scipy.stats import qmc

from migsim_analysis import morris, morris_indices, open_sweep, seed_noise_share, sobol, sobol_indices


def ishigami(x, a=7.0, b=0.1):
    return np.sin(x[:, 0]) + a * np.sin(x[:, 1]) ** 2 + b * x[:, 2] ** 4 * np.sin(x[:, 0])


def ishigami_indices(a=7.0, b=0.1):
    """The analytic first-order and total indices (Ishigami and Homma 1990; Sobol' and Levitan 1999)."""
    v1 = 0.5 * (1 + b * math.pi ** 4 / 5) ** 2
    v2 = a ** 2 / 8
    v13 = b ** 2 * math.pi ** 8 * (1 / 18 - 1 / 50)
    variance = v1 + v2 + v13
    return [v1 / variance, v2 / variance, 0.0], [(v1 + v13) / variance, v2 / variance, v13 / variance]


def saltelli_design(k, n, seed=1):
    """Blocks A, B and AB_i (A with column i from B) of n rows on [-pi, pi]^k, laid out as a sweep's runs."""
    sample = qmc.Sobol(2 * k, seed=seed).random(n) * 2 * math.pi - math.pi
    a, b = sample[:, :k], sample[:, k:]
    blocks = [a, b] + [np.where(np.arange(k) == i, b, a) for i in range(k)]
    x = np.concatenate(blocks)
    return x, np.repeat(np.arange(k + 2), n), np.tile(np.arange(n), k + 2)


def test_sobol_indices_of_ishigami_match_the_analytic_values():
    x, block, row = saltelli_design(3, 2 ** 12)
    table = sobol_indices(ishigami(x), block, row, k=3, n_boot=200)
    first, total = ishigami_indices()
    assert np.allclose(table["S1"], first, atol=0.03), table
    assert np.allclose(table["ST"], total, atol=0.03), table
    assert (table["S1_low"] < table["S1"]).all() and (table["S1"] < table["S1_high"]).all()
    assert (table["ST_low"] <= table["ST"]).all() and (table["ST"] <= table["ST_high"]).all()


def test_sobol_refuses_an_incomplete_design():
    x, block, row = saltelli_design(3, 16)
    with pytest.raises(ValueError, match="incomplete"):
        sobol_indices(ishigami(x)[:-1], block[:-1], row[:-1], k=3, n_boot=0)


def test_morris_effects_of_a_linear_function_are_its_slopes():
    rng = np.random.default_rng(3)
    slopes = np.array([3.0, -2.0, 0.0])
    x, trajectory, step, changed = [], [], [], []
    for t in range(6):                              # six trajectories of one-factor-at-a-time steps
        point = rng.choice([0.0, 1 / 3], size=3)
        x.append(point.copy()), trajectory.append(t), step.append(0), changed.append(-1)
        for s, i in enumerate(rng.permutation(3), start=1):
            point[i] += 2 / 3 if point[i] < 0.5 else -2 / 3
            x.append(point.copy()), trajectory.append(t), step.append(s), changed.append(i)
    x = np.array(x)
    stats = morris_indices(x, x @ slopes + 5.0, trajectory, step, changed, n_boot=50)
    assert np.allclose(stats["mu"], slopes) and np.allclose(stats["mu_star"], np.abs(slopes))
    assert np.allclose(stats["sigma"], 0.0)


# ---------------------------------------------------------------------------------------------
# Real sweeps


def _sweep(tmp_path_factory, name, text):
    if not has_sweep_command():
        pytest.skip("needs migsim sweep")
    folder = tmp_path_factory.mktemp(name)
    (folder / f"{name}.yaml").write_text(f"base: {QUICKSTART}\nscale: 0.0625\nseed: 11\n" + text)
    out = folder / f"{name}.h5"
    run_ok("sweep", folder / f"{name}.yaml", "-o", out)
    return open_sweep(out)


FACTORS = ("factors:\n"
           "  statuses.TITP.abscond_rate_per_year: {min: 0.0, max: 0.1}\n"
           "  statuses.SSW1.exit_rate_per_year: {min: 0.02, max: 0.3}\n")


@pytest.fixture(scope="module")
def morris_sweep(tmp_path_factory):
    return _sweep(tmp_path_factory, "morris", "design: morris\nsamples: 3\nreplicates: 2\n" + FACTORS)


@pytest.fixture(scope="module")
def saltelli_sweep(tmp_path_factory):
    return _sweep(tmp_path_factory, "saltelli", "design: saltelli\nsamples: 6\nreplicates: 1\n" + FACTORS)


def test_morris_on_a_real_sweep_ranks_the_ssw1_exit_rate_first(morris_sweep):
    table = morris(morris_sweep, "stock")
    last = table[table["year"] == table["year"].max()].set_index("factor")
    assert set(last.index) == set(morris_sweep.factors)
    exit_rate = [f for f in last.index if "SSW1" in f][0]
    assert last["mu_star"].idxmax() == exit_rate and last.loc[exit_rate, "mu"] < 0   # more exits, fewer residents
    noise = seed_noise_share(morris_sweep, "stock")
    later = noise[noise["year"] > noise["year"].min()]
    assert ((later["seed_noise_share"] >= 0) & (later["seed_noise_share"] <= 1)).all()


def test_sobol_on_a_real_sweep_gives_an_index_per_factor_and_year(saltelli_sweep):
    table = sobol(saltelli_sweep, "stock", n_boot=50)
    years = saltelli_sweep["national"]["year"].values
    assert len(table) == len(years) * len(saltelli_sweep.factors)
    last = table[table["year"] == years[-1]].set_index("factor")
    assert last["ST"].idxmax().startswith("statuses_SSW1")
