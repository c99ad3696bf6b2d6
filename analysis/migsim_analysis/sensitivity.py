"""Sensitivity of outputs to the factors of a sweep: Morris elementary effects, Sobol indices, seed noise.

    from migsim_analysis import open_sweep, morris, sobol, seed_noise_share
    sweep = open_sweep("morris.h5")       # design: morris (runs: trajectory, step, changed_factor)
    morris(sweep, "stock")                # per year and factor: mu, mu_star, sigma (+ bootstrap interval)
    sobol(open_sweep("saltelli.h5"), "stock")   # per year and factor: S1, ST with bootstrap intervals
    seed_noise_share(sweep, "stock")      # per year: share of the output's spread that is between replicates

Outputs are a group's variable summed over every dimension but year (means and indices averaged).
Replicates of a design point are averaged before the indices are computed; seed_noise_share says
how much of the variance they carried.

**Morris.** Factor values are mapped to [0, 1] over their range (on a log scale for ``scale: log``
factors); along a trajectory, the step that changes factor i gives the elementary effect
EE = (y_step - y_previous) / (x_i,step - x_i,previous). mu = mean EE, mu_star = mean |EE|, sigma =
sd EE over the trajectories: in output units per whole range of the factor.

**Sobol.** With matrices A, B and AB_i (A with column i from B), f the output and V the variance of
f over A and B together: first order S_i = mean(f(B) (f(AB_i) - f(A))) / V (Saltelli et al. 2010),
total ST_i = mean((f(A) - f(AB_i))^2) / (2V) (Jansen 1999). Intervals: percentile bootstrap over
the base-sample rows.
"""

import contextlib
import warnings

import numpy as np
import pandas as pd

from .load import aggregate


def morris_indices(x_unit, y, trajectory, step, changed_factor, n_boot=0, confidence=0.95, seed=0):
    """Morris statistics from trajectories, for one output or several.

    ``x_unit`` (points x factors, values scaled to [0, 1]), ``y`` (points, or points x outputs), and per
    point its ``trajectory``, ``step`` (0..k) and ``changed_factor`` (-1 at step 0). Returns a dict of
    arrays (factors, or factors x outputs): mu, mu_star, sigma, and with ``n_boot`` mu_star_low/high
    (bootstrap over trajectories).
    """
    x_unit = np.asarray(x_unit, float)
    y = np.asarray(y, float)
    single = y.ndim == 1
    y = y[:, None] if single else y
    k = x_unit.shape[1]
    trajectories = np.unique(trajectory)
    effects = np.full((len(trajectories), k, y.shape[1]), np.nan)
    for t_index, t in enumerate(trajectories):
        rows = np.flatnonzero(np.asarray(trajectory) == t)
        rows = rows[np.argsort(np.asarray(step)[rows])]
        for before, after in zip(rows[:-1], rows[1:]):
            i = int(changed_factor[after])
            delta = x_unit[after, i] - x_unit[before, i]
            if i >= 0 and delta != 0:
                effects[t_index, i] = (y[after] - y[before]) / delta

    def stats_of(ee):
        return np.nanmean(ee, axis=0), np.nanmean(np.abs(ee), axis=0), np.nanstd(ee, axis=0, ddof=1)

    with _quiet():
        mu, mu_star, sigma = stats_of(effects)
        out = {"mu": mu, "mu_star": mu_star, "sigma": sigma}
        if n_boot:
            rng = np.random.default_rng(seed)
            draws = np.array([np.nanmean(np.abs(effects[rng.integers(0, len(trajectories), len(trajectories))]), axis=0)
                              for _ in range(n_boot)])
            alpha = (1 - confidence) / 2
            out["mu_star_low"], out["mu_star_high"] = np.nanquantile(draws, [alpha, 1 - alpha], axis=0)
    return {name: value[:, 0] for name, value in out.items()} if single else out


def sobol_indices(y, block, row, k, n_boot=500, confidence=0.95, seed=0):
    """First-order (Saltelli 2010) and total (Jansen) Sobol indices of one output, with bootstrap intervals.

    ``y`` holds the output of each design point; ``block`` says its matrix (0 = A, 1 = B, 2 + i = AB_i)
    and ``row`` its base-sample row. Returns a DataFrame with one row per factor index 0..k-1:
    S1, S1_low, S1_high, ST, ST_low, ST_high.
    """
    y, block, row = np.asarray(y, float), np.asarray(block), np.asarray(row)
    rows = np.unique(row)
    position = {r: j for j, r in enumerate(rows)}
    matrix = np.full((k + 2, len(rows)), np.nan)
    for value, b, r in zip(y, block, row):
        matrix[int(b), position[r]] = value
    if np.isnan(matrix).any():
        raise ValueError("the Saltelli design is incomplete: some (design_block, design_row) has no output")

    def indices(m):
        f_a, f_b, f_ab = m[0], m[1], m[2:]
        variance = np.var(np.concatenate([f_a, f_b]), ddof=1)
        if variance == 0:
            return np.full(k, np.nan), np.full(k, np.nan)
        first = np.mean(f_b * (f_ab - f_a), axis=1) / variance
        total = 0.5 * np.mean((f_a - f_ab) ** 2, axis=1) / variance
        return first, total

    first, total = indices(matrix)
    rng = np.random.default_rng(seed)
    draws = [indices(matrix[:, rng.integers(0, len(rows), len(rows))]) for _ in range(n_boot)]
    alpha = (1 - confidence) / 2
    frame = pd.DataFrame({"S1": first, "ST": total})
    if n_boot:
        with _quiet():
            for name, j in (("S1", 0), ("ST", 1)):
                values = np.array([d[j] for d in draws])
                frame[f"{name}_low"], frame[f"{name}_high"] = np.nanquantile(values, [alpha, 1 - alpha], axis=0)
    return frame[[c for c in ("S1", "S1_low", "S1_high", "ST", "ST_low", "ST_high") if c in frame]]


@contextlib.contextmanager
def _quiet():
    """Silence numpy's warnings on all-NaN slices (a factor never changed: its statistics are NaN)."""
    with warnings.catch_warnings(), np.errstate(all="ignore"):
        warnings.simplefilter("ignore", RuntimeWarning)
        yield


# --------------------------------------------------------------------------------------------
# On sweeps


def output_by_run(sweep, measure, group="national"):
    """The measure summed over every dimension but run and year: DataArray (run, year)."""
    return aggregate(sweep[group][measure], keep=("run", "year")).astype(float)


def _by_point(sweep, y):
    """Outputs averaged over the replicates of each design point (and variant): (points frame, values)."""
    runs = sweep.runs.reset_index(drop=True)
    keys = ["variant", "point"]
    values = pd.DataFrame(np.asarray(y), index=runs.index)
    mean = values.groupby([runs[k] for k in keys], sort=False).mean()
    first = runs.groupby(keys, sort=False).first()
    return first.loc[mean.index], mean.to_numpy()


def unit_values(sweep, points):
    """The factor values of the points scaled to [0, 1] over each factor's range (log scale where declared)."""
    columns = []
    for name in sweep.factors:
        x = points[name].to_numpy(float)
        info = sweep.factor_info(name)
        lo = float(info.get("min", np.nanmin(x)))
        hi = float(info.get("max", np.nanmax(x)))
        if info.get("scale") == "log" and lo > 0:
            x, lo, hi = np.log(x), np.log(lo), np.log(hi)
        columns.append((x - lo) / (hi - lo) if hi > lo else np.zeros_like(x))
    return np.column_stack(columns)


def _ok(sweep):
    return sweep.select(ok_only=True) if "status" in sweep.runs else sweep


def morris(sweep, measure="stock", group="national", n_boot=200, confidence=0.95, seed=0):
    """Morris mu, mu_star, sigma per year and factor of a morris sweep, as a tidy DataFrame."""
    for needed in ("trajectory", "step", "changed_factor"):
        if needed not in sweep.runs:
            raise ValueError(f"{sweep.path}: not a Morris sweep (runs has no '{needed}')")
    sweep = _ok(sweep)
    y = output_by_run(sweep, measure, group)
    points, values = _by_point(sweep, y.values)
    stats = morris_indices(unit_values(sweep, points), values, points["trajectory"].to_numpy(),
                           points["step"].to_numpy(), points["changed_factor"].to_numpy(),
                           n_boot=n_boot, confidence=confidence, seed=seed)
    rows = []
    for j, year in enumerate(y["year"].values):
        for i, factor in enumerate(sweep.factors):
            rows.append({"measure": measure, "year": int(year), "factor": factor,
                         **{name: float(value[i, j]) for name, value in stats.items()}})
    return pd.DataFrame(rows)


def sobol(sweep, measure="stock", group="national", n_boot=500, confidence=0.95, seed=0):
    """Sobol S1 and ST per year and factor of a saltelli sweep, with bootstrap intervals, as a tidy DataFrame."""
    for needed in ("design_block", "design_row"):
        if needed not in sweep.runs:
            raise ValueError(f"{sweep.path}: not a Saltelli sweep (runs has no '{needed}')")
    sweep = _ok(sweep)
    y = output_by_run(sweep, measure, group)
    points, values = _by_point(sweep, y.values)
    frames = []
    for j, year in enumerate(y["year"].values):
        table = sobol_indices(values[:, j], points["design_block"].to_numpy(), points["design_row"].to_numpy(),
                              len(sweep.factors), n_boot=n_boot, confidence=confidence, seed=seed)
        table.insert(0, "factor", sweep.factors)
        table.insert(0, "year", int(year))
        table.insert(0, "measure", measure)
        frames.append(table)
    return pd.concat(frames, ignore_index=True)


def seed_noise_share(sweep, measure="stock", group="national"):
    """Per year, how much of the output's spread over the sweep is seed noise: the sum of squares of
    the runs about their design point's mean (over replicates) over the sum of squares about the
    overall mean (one-way analysis of variance, 0 to 1). Also the two sums of squares."""
    sweep = _ok(sweep)
    y = output_by_run(sweep, measure, group)
    runs = sweep.runs.reset_index(drop=True)
    values = pd.DataFrame(y.values, index=runs.index)
    point_mean = values.groupby([runs["variant"], runs["point"]]).transform("mean")
    within = ((values - point_mean) ** 2).sum()
    total = ((values - values.mean()) ** 2).sum()
    with np.errstate(divide="ignore", invalid="ignore"):
        share = within / total.where(total > 0)
    return pd.DataFrame({"measure": measure, "year": y["year"].values.astype(int),
                         "within_sum_of_squares": within.to_numpy(), "total_sum_of_squares": total.to_numpy(),
                         "seed_noise_share": share.to_numpy()})
