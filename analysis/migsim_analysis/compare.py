"""Comparing a variant with a baseline: paired differences per replicate, with intervals.

    from migsim_analysis import compare, open_sweep
    sweep = open_sweep("sweep.h5")
    table = compare(sweep.variant("baseline"), sweep.variant("caps_lowered"), precision=0.01)
    compare("base.h5", "variant.h5")                    # two runs: one replicate, no interval
    compare(["b1.h5", "b2.h5"], ["v1.h5", "v2.h5"])      # runs with seeds 1, 2 each: replicates

Replicate r of the baseline and replicate r of the variant share their seed (common random
numbers: a sweep gives replicate r the same seed at every variant and point), so the difference
is taken per replicate and only then averaged; its spread is the spread of the policy effect,
not of the seed. With n replicates and d_r = other_r - base_r:

    difference = mean(d_r),  sd = sd(d_r),  mcse = sd / sqrt(n),
    interval   = difference ± t(1 - (1 - confidence)/2, n - 1) · mcse

and ``replicates_needed`` is the least n whose interval half-width t(n-1)·sd/sqrt(n) is at most
``precision`` · |base mean| (taking sd as known).
"""

import math

import numpy as np
import pandas as pd

from .load import aggregate, as_replicates, label_of, resolve

COLUMNS = ["measure", "year", "n", "base_mean", "other_mean", "difference", "ci_low", "ci_high", "mcse", "sd",
           "relative_difference", "paired_seeds"]


def replicates_needed(sd, half_width, confidence=0.95, limit=100_000):
    """The least number of replicates n >= 2 with t(n-1) · sd / sqrt(n) <= half_width.

    NaN when sd or half_width is not a positive finite number (0 when sd is 0: any n will do).
    """
    from scipy import stats  # here, not at the top: it costs the command line a third of a second

    if not (np.isfinite(sd) and np.isfinite(half_width)) or half_width <= 0:
        return math.nan
    if sd == 0:
        return 0
    q = 1 - (1 - confidence) / 2
    # Start from the normal approximation and walk up: t(n-1) > z, so the answer is never below it.
    n = max(2, math.ceil((stats.norm.ppf(q) * sd / half_width) ** 2))
    while n < limit and stats.t.ppf(q, n - 1) * sd / math.sqrt(n) > half_width:
        n += 1
    return n


def _pairs(base, other):
    """Indices into the base and other run dimensions of the runs paired by (point, replicate)."""
    keys = lambda ds: pd.DataFrame({"point": ds["point"].values, "replicate": ds["replicate"].values})  # noqa: E731
    b = keys(base).reset_index().rename(columns={"index": "base"})
    o = keys(other).reset_index().rename(columns={"index": "other"})
    if (b.duplicated(["point", "replicate"]).any() or o.duplicated(["point", "replicate"]).any()):
        raise ValueError("each side must hold one run per (point, replicate): select one variant of a sweep")
    pairs = b.merge(o, on=["point", "replicate"])
    if pairs.empty:
        raise ValueError("the two sides have no replicate in common")
    unpaired = len(b) + len(o) - 2 * len(pairs)
    return pairs["base"].to_numpy(), pairs["other"].to_numpy(), unpaired


def compare(base, other, measures=None, group="national", by=(), confidence=0.95, precision=None):
    """Paired differences other - base per measure and year (and per ``by`` dimension), as a tidy DataFrame.

    ``base``/``other``: a run file path, a Run, a Sweep selection (``sweep.variant(name)``) or a list
    of run paths (replicates). Runs are paired by design point and replicate. ``measures``: variables
    of ``group`` (default: every variable over year); each is summed (means and indices averaged)
    over the dimensions not in ``by``. Columns: measure, year, the ``by`` dimensions, n, base_mean,
    other_mean, difference, ci_low, ci_high, mcse, sd, relative_difference (difference / base_mean),
    paired_seeds (whether paired runs had the same seed), and replicates_needed when ``precision``
    (a relative half-width, e.g. 0.01 for ±1 % of the base mean) is given. With one replicate the
    interval, sd and mcse are NaN. Runs without a partner (e.g. failed on one side) are left out;
    ``table.attrs["unpaired"]`` counts them.
    """
    from scipy import stats

    base, other = resolve(base), resolve(other)
    b_ds, o_ds = as_replicates(base, group), as_replicates(other, group)
    bi, oi, unpaired = _pairs(b_ds, o_ds)
    b_ds, o_ds = b_ds.isel(run=bi), o_ds.isel(run=oi)
    paired = bool(np.array_equal(np.asarray(b_ds["seed"].values), np.asarray(o_ds["seed"].values)))
    by = [by] if isinstance(by, str) else list(by)
    if measures is None:
        measures = [v for v in b_ds.data_vars if "year" in b_ds[v].dims and v in o_ds.data_vars]
    elif isinstance(measures, str):
        measures = [measures]
    keep = ("run", "year", *by)
    frames = []
    n = len(bi)
    q = 1 - (1 - confidence) / 2
    t = stats.t.ppf(q, n - 1) if n > 1 else math.nan
    for measure in measures:
        for name, ds in (("base", b_ds), ("other", o_ds)):
            if measure not in ds.data_vars:
                raise KeyError(f"no variable '{measure}' in group '{group}' of the {name} side")
        b = aggregate(b_ds[measure], keep).astype(float)
        o = aggregate(o_ds[measure], keep).astype(float)
        o = o.assign_coords(run=b["run"].values)
        d = o - b
        stat = {
            "base_mean": b.mean("run"),
            "other_mean": o.mean("run"),
            "difference": d.mean("run"),
            "sd": d.std("run", ddof=1) if n > 1 else d.mean("run") * np.nan,
        }
        frame = pd.concat({k: v.drop_vars([c for c in v.coords if c not in v.dims]).to_series()
                           for k, v in stat.items()}, axis=1).reset_index()
        frame.insert(0, "measure", measure)
        frames.append(frame)
    table = pd.concat(frames, ignore_index=True)
    table["n"] = n
    table["mcse"] = table["sd"] / math.sqrt(n)
    table["ci_low"] = table["difference"] - t * table["mcse"]
    table["ci_high"] = table["difference"] + t * table["mcse"]
    with np.errstate(divide="ignore", invalid="ignore"):
        table["relative_difference"] = table["difference"] / table["base_mean"].where(table["base_mean"] != 0)
    table["paired_seeds"] = paired
    columns = COLUMNS[:2] + by + COLUMNS[2:]
    if precision is not None:
        table["replicates_needed"] = pd.array(
            [replicates_needed(sd, precision * abs(mean), confidence) for sd, mean in zip(table["sd"], table["base_mean"])],
            dtype="Int64")
        columns.append("replicates_needed")
    table = table[columns]
    table.attrs.update(base=label_of(base), other=label_of(other), group=group, confidence=confidence,
                       unpaired=unpaired)
    return table


def format_comparison(table, years=None, measures=None):
    """The table as fixed-width text with the interval as ``[low, high]`` (NaN shown as n/a)."""
    rows = table
    if years is not None:
        rows = rows[rows["year"].isin(years)]
    if measures is not None:
        rows = rows[rows["measure"].isin(measures)]
    conf = table.attrs.get("confidence", 0.95)
    head = (f"{table.attrs.get('other', 'other')} - {table.attrs.get('base', 'base')} "
            f"(group {table.attrs.get('group', 'national')}, paired by replicate, {conf:.0%} interval)")
    shown = rows.copy()
    shown["interval"] = [
        "n/a" if not np.isfinite(lo) else f"[{lo:,.0f}, {hi:,.0f}]" for lo, hi in zip(rows["ci_low"], rows["ci_high"])]
    for c in ("base_mean", "other_mean", "difference", "mcse"):
        shown[c] = rows[c].map(lambda v: "n/a" if not np.isfinite(v) else f"{v:,.0f}")
    shown["relative_difference"] = rows["relative_difference"].map(
        lambda v: "n/a" if not np.isfinite(v) else f"{v:+.1%}")
    keep = [c for c in table.columns if c not in ("ci_low", "ci_high", "sd", "paired_seeds")]
    keep.insert(keep.index("difference") + 1, "interval")
    if table.attrs.get("unpaired"):
        head += f"\nleft out: {table.attrs['unpaired']} run(s) without a partner of the same point and replicate"
    return head + "\n" + shown[keep].to_string(index=False)
