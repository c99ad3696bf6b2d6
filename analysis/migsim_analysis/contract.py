"""The output contract (DESIGN §5; v1 runs, v2 runs and sweeps) as data, and check_contract()."""

import h5py
import numpy as np

from .load import open_group

FORMAT_VERSION = 2
KNOWN_VERSIONS = (1, 2)

ROOT_ATTRIBUTES = ("format_version", "migsim_version", "scenario_yaml", "seed", "threads", "scale", "created")
# What version 2 adds at the root (both kinds), and what a sweep file has instead of a run's seed and scale.
V2_ROOT_ATTRIBUTES = ("kind", "Conventions", "title", "history")
SWEEP_ROOT_ATTRIBUTES = ("format_version", "migsim_version", "kind", "Conventions", "title", "history", "sweep_yaml",
                         "design", "replicates", "run_count")
RUNS_DATASETS = ("variant", "replicate", "point", "seed", "status")

_NATIONAL_DIMS = ("year", "status", "field", "origin")
_PREFECTURE_DIMS = ("year", "prefecture", "status", "field")
_MUNICIPALITY_DIMS = ("year", "municipality")
_MARKET_DIMS = ("year", "prefecture", "field")

# group -> {dataset: dimensions}; a file may hold more datasets, never fewer or renamed ones.
GROUPS = {
    "national": {
        name: _NATIONAL_DIMS
        for name in (
            "stock", "workers", "entries", "exits", "absconded", "transitions_in", "transitions_out",
            "field_changes_in", "field_changes_out", "employer_changes", "family_joined",
        )
    },
    "prefecture": {
        name: _PREFECTURE_DIMS
        for name in ("stock", "entries", "exits", "moves_in", "moves_out", "employer_changes")
    },
    "municipality": {
        name: _MUNICIPALITY_DIMS
        for name in ("foreign_residents", "foreign_workers", "school_age_children", "ajts",
                     "integration_index", "agreements")
    },
    "labour_market": {
        name: _MARKET_DIMS
        for name in ("vacancies_posted", "vacancies_unfilled", "cap_blocked", "mean_wage_yen")
    },
}

# Groups whose datasets all count persons, hence integers.
_INTEGER_GROUPS = ("national", "prefecture")
_LABEL_COORDS = ("status", "field", "origin")
_CODE_COORDS = ("prefecture", "municipality")

# stock[y] = stock[y-1] + sum(gains) - sum(losses), in every cell, for every year after the first.
_GAINS = ("entries", "transitions_in", "field_changes_in")
_LOSSES = ("exits", "absconded", "transitions_out", "field_changes_out")


def _is_text(values):
    return all(isinstance(v, str) for v in np.asarray(values).ravel())


def _check_root(f):
    problems = []
    version = f.attrs.get("format_version")
    sweep = f.attrs.get("kind") == "sweep"
    needed = SWEEP_ROOT_ATTRIBUTES if sweep else ROOT_ATTRIBUTES + (V2_ROOT_ATTRIBUTES if version == 2 else ())
    for name in needed:
        if name not in f.attrs:
            problems.append(f"root attribute '{name}' is missing")
    if version is not None and version not in KNOWN_VERSIONS:
        problems.append(
            f"root attribute format_version is {version!r}; this check knows versions "
            f"{', '.join(map(str, KNOWN_VERSIONS))}")
    if "scenario_yaml" in f.attrs:
        text = f.attrs["scenario_yaml"]
        if not isinstance(text, str) or not text.strip():
            problems.append("root attribute 'scenario_yaml' is not a non-empty text")
    if sweep:
        if "runs" not in f or not isinstance(f["runs"], h5py.Group):
            problems.append("group 'runs' is missing")
        else:
            problems += [f"group 'runs': dataset '{name}' is missing" for name in RUNS_DATASETS if name not in f["runs"]]
    return problems


def _check_group(ds, group, dtypes, sweep=False):
    problems = []
    where = f"group '{group}'"
    for name, dims in GROUPS[group].items():
        if name not in ds.data_vars:
            problems.append(f"{where}: dataset '{name}' is missing")
            continue
        dims = ("run",) + dims if sweep else dims
        if ds[name].dims != dims:
            problems.append(f"{where}: dataset '{name}' has dimensions {ds[name].dims}, expected {dims}")
        # The stored type: xarray turns integers with a _FillValue (a sweep's failed runs) into floats.
        if group in _INTEGER_GROUPS and dtypes[name].kind not in "iu":
            problems.append(f"{where}: dataset '{name}' is {dtypes[name]}, expected integers")
    for dim in ds.dims:
        if dim not in ds.coords:
            problems.append(f"{where}: dimension '{dim}' has no coordinate")
            continue
        coord = ds.coords[dim]
        if dim == "year" and coord.dtype.kind not in "iu":
            problems.append(f"{where}: coordinate 'year' is {coord.dtype}, expected integers")
        if dim in _LABEL_COORDS and not _is_text(coord.values):
            problems.append(f"{where}: coordinate '{dim}' does not hold text labels")
        if dim in _CODE_COORDS:
            if coord.dtype.kind not in "iu":
                problems.append(f"{where}: coordinate '{dim}' is {coord.dtype}, expected integer codes")
            label = f"{dim}_name"
            if label not in ds.variables:
                problems.append(f"{where}: label variable '{label}' is missing")
            elif ds[label].dims != (dim,) or not _is_text(ds[label].values):
                problems.append(f"{where}: '{label}' should be text labels along '{dim}'")
    return problems


def _check_identity(ds):
    needed = ("stock",) + _GAINS + _LOSSES
    if any(name not in ds.data_vars for name in needed):
        return []  # already reported as missing datasets
    arrays = {name: ds[name].values.astype(np.int64) for name in needed}
    stock = arrays["stock"]
    expected = stock[:-1] + sum(arrays[n][1:] for n in _GAINS) - sum(arrays[n][1:] for n in _LOSSES)
    problems = []
    years = ds["year"].values
    for k in range(1, stock.shape[0]):
        wrong = np.argwhere(stock[k] != expected[k - 1])
        if len(wrong):
            cell = tuple(wrong[0])
            labels = ", ".join(
                f"{dim}={ds[dim].values[i]}" for dim, i in zip(ds["stock"].dims[1:], cell))
            problems.append(
                f"group 'national': stock identity fails in {len(wrong)} cell(s) of year {years[k]}, "
                f"first at {labels}: stock {stock[k][cell]}, expected {expected[k - 1][cell]}")
    return problems


def check_contract(path):
    """Check a migsim output file (a v1 or v2 run, or a v2 sweep) against the output contract.

    Returns a list of problems, one string each; an empty list means the file is fine. In a sweep,
    the stock identity is checked in every run that succeeded.
    """
    try:
        with h5py.File(path, "r") as f:
            problems = _check_root(f)
            sweep = f.attrs.get("kind") == "sweep"
            present = [g for g in GROUPS if g in f and isinstance(f[g], h5py.Group)]
            dtypes = {g: {n: f[g][n].dtype for n in f[g] if isinstance(f[g][n], h5py.Dataset)} for g in present}
            ok_runs = None
            if sweep and "runs" in f and "status" in f["runs"]:
                ok_runs = [i for i, s in enumerate(f["runs/status"][()])
                           if (s.decode() if isinstance(s, bytes) else str(s)) == "ok"]
    except (OSError, ValueError) as e:
        return [f"cannot open as HDF5: {e}"]
    if not present:
        problems.append(f"none of the groups {', '.join(GROUPS)} is present")
    for group in present:
        try:
            ds = open_group(path, group)
        except Exception as e:  # noqa: BLE001 - any failure to read is a problem to report
            problems.append(f"group '{group}': cannot be read by xarray/h5netcdf: {e}")
            continue
        problems += _check_group(ds, group, dtypes[group], sweep)
        if group == "national":
            if not sweep:
                problems += _check_identity(ds)
            elif "run" in ds.dims:
                for run in ok_runs if ok_runs is not None else range(ds.sizes["run"]):
                    problems += [f"run {run}: {p}" for p in _check_identity(ds.isel(run=run))]
    return problems
