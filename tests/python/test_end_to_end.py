"""End to end: run the quickstart and read the file as users do (h5py, xarray, ncdump, the contract check)."""

import re
import shutil
import subprocess

import h5py
import numpy as np
import xarray as xr
from conftest import GROUPS, QUICKSTART, run_ok

from migsim_analysis import check_contract

STATUSES = ("TITP", "TES", "SSW1", "SSW2", "ENGINEER", "HIGHLY_SKILLED", "STUDENT", "PERMANENT",
            "SPOUSE_OR_LONG_TERM", "SPECIAL_PERMANENT", "DEPENDENT", "OTHER")


def test_run_writes_the_file_and_prints_a_summary(quickstart_h5):
    path, stdout = quickstart_h5
    assert path.is_file() and path.stat().st_size > 0
    assert "total stock" in stdout and f"wrote {path}" in stdout
    for status in STATUSES:
        assert re.search(rf"^{status}\s+\d", stdout, re.M), f"no summary row for {status}"
    assert not list(path.parent.glob("*.tmp-*")), "a temporary file was left behind"


def test_printed_summary_agrees_with_the_file(quickstart_h5):
    path, stdout = quickstart_h5
    header = next(line for line in stdout.splitlines() if line.startswith("persons"))
    years = [int(y) for y in header.split()[1:]]
    totals = [int(v) for v in re.search(r"^total stock\s+(.*)$", stdout, re.M).group(1).split()]
    with h5py.File(path, "r") as f:
        file_years = list(f["national/year"][()])
        stock = f["national/stock"][()]
    assert years[0] == file_years[0] and years[-1] == file_years[-1]
    for year, total in zip(years, totals):
        assert stock[file_years.index(year)].sum() == total


def test_root_attributes_record_the_provenance(quickstart_h5):
    path, _ = quickstart_h5
    with h5py.File(path, "r") as f:
        attrs = dict(f.attrs)
    for name in ("format_version", "migsim_version", "scenario_yaml", "seed", "threads", "scale", "created"):
        assert name in attrs, name
    assert attrs["format_version"] == 2
    assert "name: quickstart" in attrs["scenario_yaml"] and "statuses:" in attrs["scenario_yaml"]
    assert attrs["seed"] == 20221031 and attrs["scale"] == 0.25
    assert attrs["threads"] >= 1


def test_national_group_opens_with_xarray(quickstart_h5):
    path, _ = quickstart_h5
    with xr.open_dataset(path, group="national", engine="h5netcdf") as ds:
        assert ds["stock"].dims == ("year", "status", "field", "origin")
        assert ds["year"].dtype.kind == "i"
        assert list(ds["year"].values) == list(range(2022, 2031))
        for dim in ("status", "field", "origin"):
            assert all(isinstance(v, str) for v in ds[dim].values), dim
        assert tuple(ds["status"].values) == STATUSES
        assert "nursing_care" in ds["field"].values and "vietnam" in ds["origin"].values
        # Labels select cells: persons are whole multiples of 1/scale.
        titp_2022 = int(ds["stock"].sel(year=2022, status="TITP").sum())
        assert titp_2022 > 0 and titp_2022 % 4 == 0
        assert int(ds["entries"].sel(year=2023).sum()) > 0


def test_other_groups_open_with_xarray(quickstart_h5):
    path, _ = quickstart_h5
    expected = {
        "prefecture": ("stock", ("year", "prefecture", "status", "field")),
        "municipality": ("foreign_residents", ("year", "municipality")),
        "labour_market": ("vacancies_posted", ("year", "prefecture", "field")),
    }
    for group, (name, dims) in expected.items():
        with xr.open_dataset(path, group=group, engine="h5netcdf") as ds:
            assert ds[name].dims == dims, group
            for code in ("prefecture", "municipality"):
                if code in ds.dims:
                    assert ds[code].dtype.kind == "i", (group, code)
                    assert all(isinstance(v, str) for v in ds[f"{code}_name"].values), (group, code)
    with xr.open_dataset(path, group="municipality", engine="h5netcdf") as ds:
        toyota = ds["foreign_residents"].sel(municipality=23211)
        assert str(ds["municipality_name"].sel(municipality=23211).values) == "Toyota"
        assert (toyota > 0).all()
    with xr.open_dataset(path, group="prefecture", engine="h5netcdf") as ds:
        assert str(ds["prefecture_name"].sel(prefecture=13).values) == "Tokyo"


def test_prefecture_and_municipality_totals_match_national(quickstart_h5):
    path, _ = quickstart_h5
    with h5py.File(path, "r") as f:
        national = f["national/stock"][()].sum(axis=(1, 2, 3))
        prefecture = f["prefecture/stock"][()].sum(axis=(1, 2, 3))
        municipal = f["municipality/foreign_residents"][()].sum(axis=1)
    assert np.array_equal(national, prefecture)
    assert np.array_equal(national, municipal)


def test_ncdump_reads_the_file(quickstart_h5):
    path, _ = quickstart_h5
    ncdump = shutil.which("ncdump") or "/usr/bin/ncdump"
    result = subprocess.run([ncdump, "-h", str(path)], capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    for group in GROUPS:
        assert f"group: {group} {{" in result.stdout, group
    assert "stock(year, status, field, origin)" in result.stdout


def test_file_follows_the_contract(quickstart_h5):
    path, _ = quickstart_h5
    assert check_contract(path) == []


def test_scenario_chooses_the_groups(tmp_path):
    out = tmp_path / "two.h5"
    run_ok("run", QUICKSTART, "--scale", "0.0625", "--set", "end=2024-10",
           "--set", "output.groups=[national, municipality]", "-o", out, "-q")
    with h5py.File(out, "r") as f:
        assert sorted(k for k in f.keys()) == ["municipality", "national"]
    assert check_contract(out) == []
