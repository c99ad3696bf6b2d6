"""Loading migsim output files: runs and sweeps as mappings of xarray Datasets, tidy frames, CSV.

    run = open_run("run.h5")            # Run: {"national": Dataset, "prefecture": ..., ...}
    run["national"]["stock"]            # DataArray (year, status, field, origin), persons
    run.attrs["seed"]                   # provenance (root attributes) as plain Python values
    sweep = open_sweep("sweep.h5")      # Sweep: the same groups with a leading `run` dimension
    sweep["national"]["stock"].sel(run=sweep["national"].variant == "baseline")
    to_frame(run["national"]["stock"])  # tidy pandas frame: one row per cell
    export_csv(run, "out/")             # one CSV per group (utf-8; excel=True adds a BOM)

Both file versions are read: v1 (single runs, format_version 1) and v2 (runs and sweeps, the
layout of docs/output_format.md). Every group is read whole into memory and the file is closed.
"""

import json
from collections.abc import Mapping
from pathlib import Path

import h5py
import numpy as np
import pandas as pd
import xarray as xr

GROUP_ORDER = ("national", "prefecture", "municipality", "labour_market")
# Variables that label a dimension (names, positions); they become coordinates when a v1 file lacks
# the `coordinates` attribute that would attach them.
LABEL_VARIABLES = ("prefecture_name", "municipality_name", "municipality_latitude", "municipality_longitude",
                   "municipality_prefecture")
# Bookkeeping of the `runs` group that is not a factor.
RUN_COLUMNS = ("variant", "replicate", "point", "seed", "status", "message", "wall_seconds",
               "design_block", "design_row", "trajectory", "step", "changed_factor")


# The runs' `status` ("ok" | "failed") would clash with the status-of-residence dimension.
RUN_COORDINATE_NAMES = {"status": "run_status"}


class BadFile(ValueError):
    """A file that is missing, not HDF5, or not a migsim output of the kind asked for."""


def _plain(value):
    """An HDF5 attribute value as a plain Python value (str, int, float, list)."""
    if isinstance(value, bytes):
        return value.decode("utf-8")
    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, np.ndarray):
        return [_plain(v) for v in value.tolist()]
    return value


def _root(path):
    """(root attributes, names of the groups) of an HDF5 file, or BadFile saying why it cannot be read."""
    path = Path(path)
    if not path.exists():
        raise BadFile(f"{path}: no such file")
    if path.is_dir():
        raise BadFile(f"{path}: is a directory, expected an HDF5 file")
    try:
        with h5py.File(path, "r") as f:
            attrs = {name: _plain(value) for name, value in f.attrs.items()}
            groups = [g for g in f if isinstance(f[g], h5py.Group)]
    except OSError as e:
        raise BadFile(f"{path}: cannot be read as HDF5 ({e})") from None
    return attrs, groups


def provenance(path):
    """Return the root attributes of the file (format_version, seed, scenario_yaml, ...) as a dict."""
    return _root(path)[0]


def open_group(path, group):
    """Return one group of the file (e.g. "national") as an in-memory xarray.Dataset.

    Label variables (prefecture_name, municipality_name, latitude, longitude) are coordinates.
    The file is closed on return, so it may be overwritten or removed afterwards.
    """
    with xr.open_dataset(path, group=group, engine="h5netcdf") as ds:
        ds = ds.load()
    labels = [name for name in LABEL_VARIABLES if name in ds.data_vars]
    return ds.set_coords(labels) if labels else ds


def file_kind(path):
    """"run" or "sweep": a v2 file says so in its `kind` attribute; a v1 file is a run."""
    attrs, groups = _root(path)
    return _kind(path, attrs, groups)


def _kind(path, attrs, groups):
    if "format_version" not in attrs:
        raise BadFile(f"{path}: not a migsim output file (no root attribute format_version)")
    kind = attrs.get("kind", "run")
    if kind not in ("run", "sweep"):
        raise BadFile(f"{path}: root attribute kind is {kind!r}, expected 'run' or 'sweep'")
    if not any(g in groups for g in GROUP_ORDER):
        raise BadFile(f"{path}: none of the groups {', '.join(GROUP_ORDER)} is present")
    return kind


class Output(Mapping):
    """The groups of one output file: a read-only mapping group name -> xarray.Dataset.

    ``attrs`` holds the root attributes (provenance), ``path`` the file, ``kind`` "run" or "sweep".
    A group is read (whole, into memory) the first time it is asked for.
    """

    kind = None

    def __init__(self, path, attrs, groups):
        self.path = Path(path)
        self.attrs = attrs
        self._names = [g for g in GROUP_ORDER if g in groups]
        self._groups = {}

    def _load(self, group):
        return open_group(self.path, group)

    def __getitem__(self, group):
        if group not in self._names:
            raise KeyError(f"{self.path}: no group '{group}' (it has {', '.join(self._names) or 'none'})")
        if group not in self._groups:
            self._groups[group] = self._load(group)
        return self._groups[group]

    def __iter__(self):
        return iter(self._names)

    def __len__(self):
        return len(self._names)

    @property
    def name(self):
        """The scenario's name (v1 files without it: the file's stem)."""
        return str(self.attrs.get("scenario_name") or self.path.stem)

    def __repr__(self):
        return f"<{type(self).__name__} {self.path} groups={self._names}>"


class Run(Output):
    """One run: groups with dimensions (year, ...)."""

    kind = "run"


class Sweep(Output):
    """A sweep: groups with dimensions (run, year, ...) and the `runs` table as coordinates on `run`.

    ``runs`` is the `runs` group as a pandas DataFrame indexed by run; ``factors`` the names of the
    factor columns; ``design`` the parsed design_json (``{}`` when absent).
    """

    kind = "sweep"

    def __init__(self, path, attrs, groups, runs, reshape=False, parent=None, index=None):
        super().__init__(path, attrs, groups)
        self.runs = runs
        self._reshape = reshape
        # A selection reads its groups through the sweep it was selected from (read once, sliced).
        self._parent, self._index = parent, index
        text = attrs.get("design_json") or "{}"
        try:
            self.design = json.loads(text)
        except ValueError:
            raise BadFile(f"{path}: root attribute design_json is not JSON") from None
        # In the design's order: changed_factor and design_block count factors in that order.
        columns = [c for c in runs.columns if c not in RUN_COLUMNS]
        ordered = [dataset_name(f) for f in self.design.get("factors", [])]
        self.factors = [c for c in ordered if c in columns] + [c for c in columns if c not in ordered]

    def factor_info(self, column):
        """The design_json entry of a factor column (name, key_paths, min, max, scale), {} if none."""
        return next((f for f in self.design.get("factors", []) if dataset_name(f) == column), {})

    def _load(self, group):
        if self._parent is not None:
            return self._parent[group].isel(run=self._index)
        ds = open_group(self.path, group)
        if "run" not in ds.dims or ds.sizes["run"] != len(self.runs):
            raise BadFile(f"{self.path}: group '{group}' has no 'run' dimension of {len(self.runs)} runs")
        ds = ds.assign_coords({RUN_COORDINATE_NAMES.get(c, c): ("run", self.runs[c].to_numpy())
                               for c in self.runs.columns if c not in ("message", "wall_seconds")})
        return reshape_grid(ds, self.factors) if self._reshape else ds

    @property
    def variants(self):
        """The variants in run order."""
        return list(dict.fromkeys(self.runs["variant"]))

    def select(self, variant=None, ok_only=True):
        """The runs of one variant (all variants if None); failed runs left out unless ``ok_only`` is False.

        Not on a sweep opened with ``reshape=True`` (its runs are no longer one dimension).
        """
        if self._reshape:
            raise ValueError(f"{self.path}: select runs before reshaping (open_sweep without reshape=True)")
        keep = np.ones(len(self.runs), dtype=bool)
        if variant is not None:
            if variant not in self.variants:
                raise KeyError(f"{self.path}: no variant {variant!r} (variants: {', '.join(self.variants)})")
            keep &= (self.runs["variant"] == variant).to_numpy()
        if ok_only and "status" in self.runs:
            keep &= (self.runs["status"] == "ok").to_numpy()
        index = np.flatnonzero(keep)
        sub = Sweep(self.path, self.attrs, self._names, self.runs.iloc[index], parent=self, index=index)
        sub.label = variant if variant is not None else self.name
        return sub

    def variant(self, name):
        """The successful runs of variant ``name`` (a Sweep), e.g. for compare()."""
        return self.select(variant=name)


def dataset_name(factor):
    """The runs-group dataset of a design_json factor: its ``dataset``, else its name with every
    character outside [A-Za-z0-9_] as ``_``."""
    return factor.get("dataset") or "".join(c if c.isalnum() or c == "_" else "_" for c in str(factor.get("name", "")))


def open_run(path, group=None):
    """Open a single-run file (v1 or v2).

    Returns a Run (a mapping group -> xarray.Dataset, with ``attrs`` for the provenance), or with
    ``group`` only that group's Dataset. A sweep file is refused (use open_sweep); BadFile names the file.
    """
    attrs, groups = _root(path)
    if _kind(path, attrs, groups) != "run":
        raise BadFile(f"{path}: is a sweep result file; open it with open_sweep")
    if group is not None:
        if group not in groups:
            raise BadFile(f"{path}: no group '{group}'")
        return open_group(path, group)
    return Run(path, attrs, groups)


def _runs_table(path):
    runs = open_group(path, "runs")
    frame = pd.DataFrame({name: runs[name].values for name in runs.data_vars if runs[name].dims == ("run",)})
    for name in ("variant", "status", "message"):
        if name in frame:
            frame[name] = frame[name].map(lambda v: v.decode() if isinstance(v, bytes) else str(v))
    frame.index = pd.Index(runs["run"].values if "run" in runs.coords else np.arange(len(frame)), name="run")
    return frame


def open_sweep(path, reshape=False):
    """Open a sweep result file (v2, kind "sweep").

    Returns a Sweep: a mapping group -> xarray.Dataset whose variables have a leading ``run``
    dimension, with ``variant``, ``replicate``, ``point``, ``seed``, ``run_status`` ("ok" | "failed")
    and one coordinate per factor (and the design's bookkeeping) on ``run`` (so ``ds.where(ds.variant == "x", drop=True)``, ``ds.groupby("replicate")`` work).
    Failed runs keep their rows (NaN values, status "failed"). ``sweep.runs`` is the runs table.

    ``reshape=True`` (grid designs only) replaces ``run`` by the dimensions (variant, factor..., replicate).
    """
    attrs, groups = _root(path)
    if _kind(path, attrs, groups) != "sweep":
        raise BadFile(f"{path}: is a single-run file; open it with open_run")
    if "runs" not in groups:
        raise BadFile(f"{path}: sweep file without its 'runs' group")
    runs = _runs_table(path)
    sweep = Sweep(path, attrs, groups, runs, reshape=reshape)
    if reshape and sweep.design.get("type", attrs.get("design")) != "grid":
        raise ValueError(f"{path}: only a grid sweep reshapes into factor dimensions "
                         f"(this design is {attrs.get('design')!r})")
    return sweep


def reshape_grid(ds, factors):
    """A grid sweep's Dataset with ``run`` unstacked into (variant, factor..., replicate) dimensions."""
    keys = ["variant", *factors, "replicate"]
    extra = [c for c in ds.coords if c not in keys and ds[c].dims == ("run",)]
    return ds.drop_vars(extra).set_index(run=keys).unstack("run")


def open_output(path):
    """A Run or a Sweep, whichever the file is."""
    return open_sweep(path) if file_kind(path) == "sweep" else open_run(path)


def as_replicates(obj, group):
    """The group of a run, of several runs or of a sweep, as a Dataset with a ``run`` dimension.

    ``obj`` is a path, a Run, a Sweep (e.g. ``sweep.variant("x")``) or a list of run paths/Runs
    (replicates: run i gets replicate i). Coordinates on run: replicate, point, seed.
    """
    if isinstance(obj, (list, tuple)):
        parts = [as_replicates(o, group) for o in obj]
        for i, part in enumerate(parts):
            part.coords["replicate"] = ("run", [i])
        return xr.concat(parts, dim="run", coords="different", compat="equals")
    if isinstance(obj, (str, Path)):
        obj = open_output(obj)
    ds = obj[group]
    if isinstance(obj, Sweep):
        return ds
    seed = obj.attrs.get("seed", -1)
    return ds.expand_dims(run=[0]).assign_coords(replicate=("run", [0]), point=("run", [0]), seed=("run", [seed]))


def resolve(obj):
    """Paths opened (a Run or a Sweep), lists resolved element by element; anything else as it is.

    Resolving once lets several functions share the groups an Output has already read.
    """
    if isinstance(obj, (list, tuple)):
        return [resolve(o) for o in obj]
    if isinstance(obj, (str, Path)):
        return open_output(obj)
    return obj


def label_of(obj):
    """A short name for a path, Run, Sweep selection or list of runs (for tables and legends)."""
    if isinstance(obj, (list, tuple)):
        return label_of(obj[0]) + f" ×{len(obj)}"
    if isinstance(obj, (str, Path)):
        return Path(obj).stem
    return getattr(obj, "label", None) or obj.path.stem


# --------------------------------------------------------------------------------------------
# Aggregation, tidy frames and CSV


def is_intensive(name):
    """Means and indices are averaged, not summed, over the dimensions they are aggregated over."""
    return name.startswith("mean_") or name.endswith("_index")


def aggregate(da, keep=("run", "year")):
    """Sum (or mean, for means and indices) over every dimension of ``da`` not in ``keep``."""
    drop = [d for d in da.dims if d not in keep]
    if not drop:
        return da
    return da.mean(dim=drop) if is_intensive(str(da.name)) else da.sum(dim=drop, min_count=1)


def to_frame(data, name=None):
    """A tidy pandas DataFrame: one row per cell, one column per dimension and coordinate, one per variable.

    ``data`` is a DataArray, a Dataset whose variables share their dimensions (select them, e.g.
    ``ds[["stock", "entries"]]``), or a Run/Sweep with ``name`` a group.
    """
    if isinstance(data, Output):
        data = data[name or "national"]
    if isinstance(data, xr.Dataset):
        shapes = {data[v].dims for v in data.data_vars}
        if len(shapes) > 1:
            raise ValueError("the variables have different dimensions "
                             f"({'; '.join(', '.join(s) for s in sorted(shapes))}): select those of one shape")
        frame = data.to_dataframe()
    else:
        frame = data.to_dataframe(name=data.name or name or "value")
    frame = frame.reset_index()
    for column in frame.columns:
        if frame[column].dtype == object:
            frame[column] = frame[column].map(lambda v: v.decode() if isinstance(v, bytes) else v)
    return frame


def split_by_dims(ds, group):
    """A group's variables in sets of equal dimensions: [(file stem, Dataset)], the largest set named after
    the group, the others ``<group>_by_<extra dims>`` (e.g. municipality_by_origin)."""
    sets = {}
    for v in ds.data_vars:
        sets.setdefault(ds[v].dims, []).append(v)
    main = max(sets, key=lambda dims: (len(sets[dims]), -len(dims)))
    out = []
    for dims, names in sets.items():
        extra = [d for d in dims if d not in main]
        stem = group if dims == main else f"{group}_by_{'_'.join(extra) or '_'.join(dims)}"
        out.append((stem, ds[names]))
    return out


def export_csv(obj, directory, excel=False, groups=None):
    """Write each group of a Run or Sweep as tidy CSV files in ``directory``; returns the paths.

    A group's variables of the same dimensions share a file: ``<group>.csv``, and e.g.
    ``municipality_by_origin.csv`` for those with one more dimension. ``excel=True`` writes UTF-8 with
    a byte-order mark, so that spreadsheet programs read the Japanese names right. Each file appears
    only complete (written under a temporary name, then renamed).
    """
    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    written = []
    for group in groups or list(obj):
        for stem, part in split_by_dims(obj[group], group):
            path = directory / f"{stem}.csv"
            write_frame(to_frame(part), path, excel=excel)
            written.append(path)
    return written


def write_frame(frame, path, excel=False):
    """A DataFrame to CSV, complete or not at all."""
    path = Path(path)
    partial = path.with_name(path.name + ".partial")
    try:
        frame.to_csv(partial, index=False, encoding="utf-8-sig" if excel else "utf-8")
        partial.replace(path)
    finally:
        if partial.exists():
            partial.unlink()
    return path


def summary_table(path, years=None, variant=None):
    """National stock in persons, one row per status and one column per census year.

    ``years`` optionally selects some census years (a KeyError names any year not in the file).
    For a sweep file, the mean over the successful runs of ``variant`` (default: all of them).
    """
    obj = open_output(path)
    if "national" not in obj:
        raise BadFile(f"{path}: no group 'national'")
    if isinstance(obj, Sweep):
        stock = obj.select(variant=variant)["national"]["stock"].mean(dim="run")
    else:
        stock = obj["national"]["stock"]
    if years is not None:
        stock = stock.sel(year=list(years))
    by_status = stock.sum(dim=("field", "origin"))
    table = by_status.transpose("status", "year").to_pandas()
    table.index = pd.Index([str(s) for s in table.index], name="status")
    table.columns = pd.Index([int(y) for y in table.columns], name="year")
    return table.round().astype("int64")
