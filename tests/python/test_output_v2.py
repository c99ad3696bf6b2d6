"""Output contract v2 of `migsim run`: a file that netCDF tools understand by itself."""

import hashlib
import json

import h5py
import numpy as np
import xarray as xr

from conftest import GROUPS, REPO, run_ok


def test_run_file_is_self_describing(quickstart_h5):
    path = quickstart_h5[0]
    with h5py.File(path, "r") as f:
        root = f.attrs
        assert root["format_version"] == 2 and root["kind"] == "run" and root["Conventions"] == "CF-1.8"
        assert root["title"].startswith("migsim run of quickstart")
        assert " run " in root["history"] and "--seed" in root["history"]
        for group in GROUPS:
            g = f[group]
            assert g.attrs["scenario_name"] == "quickstart" and g.attrs["format_version"] == 2
            assert g.attrs["seed"] == root["seed"] and g.attrs["migsim_version"] == root["migsim_version"]
            for name, ds in g.items():
                if ds.ndim == 1 and name in g and "CLASS" in ds.attrs:  # a dimension scale
                    assert ds.attrs.get("long_name"), f"{group}/{name} has no long_name"
                if ds.ndim >= 2:
                    assert ds.attrs["units"] in ("1", "JPY/month", "JPY/year"), f"{group}/{name}"
        assert f["national/stock"].attrs["units"] == "1"
        assert f["labour_market/mean_wage_yen"].attrs["units"] == "JPY/month"
    municipality = xr.open_dataset(path, group="municipality", engine="h5netcdf")
    for name in ("municipality_name", "municipality_latitude", "municipality_longitude", "municipality_prefecture"):
        assert name in municipality.coords
    assert municipality["municipality_latitude"].attrs["units"] == "degrees_north"
    assert np.isfinite(municipality["municipality_latitude"]).any()
    prefecture = xr.open_dataset(path, group="prefecture", engine="h5netcdf")
    assert "prefecture_name" in prefecture["stock"].coords


def test_table_files_are_named_with_their_checksums(tmp_path):
    out = tmp_path / "japan.h5"
    run_ok("run", REPO / "scenarios" / "japan_baseline.yaml", "--scale", "0.01", "-q", "-o", out, cwd=REPO)
    with h5py.File(out, "r") as f:
        tables = json.loads(f.attrs["table_files"])
    assert set(tables) >= {"initial_stock", "employers.establishments", "municipalities"}
    for entry in tables.values():
        assert entry["sha256"] == hashlib.sha256((REPO / entry["path"]).read_bytes()).hexdigest()
