"""Loading a migsim output file: one group as an xarray.Dataset, the provenance, a summary."""

import h5py
import numpy as np
import pandas as pd
import xarray as xr


def open_group(path, group):
    """Return one group of the file (e.g. "national") as an in-memory xarray.Dataset.

    The file is closed on return, so it may be overwritten or removed afterwards.
    """
    with xr.open_dataset(path, group=group, engine="h5netcdf") as ds:
        return ds.load()


def _plain(value):
    """An HDF5 attribute value as a plain Python value (str, int, float, list)."""
    if isinstance(value, bytes):
        return value.decode("utf-8")
    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, np.ndarray):
        return [_plain(v) for v in value.tolist()]
    return value


def provenance(path):
    """Return the root attributes of the file (format_version, seed, scenario_yaml, ...) as a dict."""
    with h5py.File(path, "r") as f:
        return {name: _plain(value) for name, value in f.attrs.items()}


def summary_table(path, years=None):
    """National stock in persons, one row per status and one column per census year.

    ``years`` optionally selects some census years (a KeyError names any year not in the file).
    """
    stock = open_group(path, "national")["stock"]
    if years is not None:
        stock = stock.sel(year=list(years))
    by_status = stock.sum(dim=("field", "origin"))
    table = by_status.transpose("status", "year").to_pandas()
    table.index = pd.Index([str(s) for s in table.index], name="status")
    table.columns = pd.Index([int(y) for y in table.columns], name="year")
    return table.astype("int64")
