"""Loading runs and sweeps (migsim_analysis.load) and the command line's handling of bad input, on real files."""

import os
import subprocess
import sys

import numpy as np
import pandas as pd
import pytest
from conftest import ANALYSIS, QUICKSTART, format_1_copy, has_sweep_command, run_ok

from migsim_analysis import BadFile, Run, check_contract, compare, export_csv, open_run, open_sweep, to_frame
from migsim_analysis.__main__ import main


def analysis_cli(*args, **kwargs):
    env = dict(os.environ, PYTHONPATH=str(ANALYSIS))
    return subprocess.run([sys.executable, "-m", "migsim_analysis", *map(str, args)],
                          capture_output=True, text=True, env=env, timeout=120, **kwargs)


def test_open_run_gives_named_dimensions_and_coordinates(japan_small):
    run = open_run(japan_small)
    assert isinstance(run, Run) and list(run) == ["national", "prefecture", "municipality", "labour_market"]
    stock = run["national"]["stock"]
    assert stock.dims == ("year", "status", "field", "origin")
    assert stock["year"].values[0] == 2022 and stock["year"].dtype.kind == "i"
    assert {"TITP", "SSW1", "PERMANENT"} <= set(stock["status"].values)
    assert "vietnam" in set(stock["origin"].values)
    # Names are coordinates attached to their dimension, so selections carry them along.
    prefecture = run["prefecture"]
    assert prefecture["prefecture_name"].dims == ("prefecture",) and "prefecture_name" in prefecture.coords
    assert str(prefecture["stock"].sel(prefecture=13)["prefecture_name"].values) == "Tokyo"
    assert "municipality_name" in run["municipality"].coords
    assert run.attrs["scenario_name"] == "japan_baseline" and run.attrs["scale"] == 0.02
    tokyo = open_run(japan_small, group="prefecture")["stock"].sel(prefecture=13).sum()
    assert int(tokyo) == int(prefecture["stock"].sel(prefecture=13).sum()) > 0


def test_format_1_files_still_open(quickstart_replicates, tmp_path):
    path = quickstart_replicates["base"][0]
    old = open_run(format_1_copy(path, tmp_path / "format1.h5"))
    new = open_run(path)
    assert old.attrs["format_version"] == 1 and new.attrs["format_version"] == 2
    assert "municipality_name" in old["municipality"].coords       # made a coordinate, as format 2 declares it
    assert "municipality_latitude" not in old["municipality"].variables
    assert "municipality_latitude" in new["municipality"].coords
    for group in new:
        for name in new[group].data_vars:
            assert np.array_equal(old[group][name].values, new[group][name].values), (group, name)
    assert check_contract(old.path) == [] and check_contract(path) == []


def test_to_frame_is_tidy(quickstart_replicates):
    path = quickstart_replicates["base"][0]
    stock = open_run(path)["national"]["stock"]
    frame = to_frame(stock)
    assert list(frame.columns) == ["year", "status", "field", "origin", "stock"]
    assert len(frame) == stock.size and frame["stock"].sum() == int(stock.sum())
    by_year = frame.groupby("year")["stock"].sum()
    assert by_year[2030] == int(stock.sel(year=2030).sum())


def test_export_csv_for_r_and_spreadsheets(japan_small, tmp_path):
    run = open_run(japan_small)
    plain = export_csv(run, tmp_path / "plain", groups=["labour_market"])
    excel = export_csv(run, tmp_path / "excel", excel=True, groups=["municipality"])
    assert plain[0].read_bytes()[:4] == b"year"                     # R: plain UTF-8
    assert excel[0].read_bytes()[:3] == b"\xef\xbb\xbf"             # spreadsheets: a byte-order mark
    municipalities = pd.read_csv(excel[0], encoding="utf-8-sig")
    assert {"year", "municipality", "municipality_name", "foreign_residents"} <= set(municipalities.columns)
    assert municipalities["foreign_residents"].sum() == int(run["municipality"]["foreign_residents"].sum())
    assert not list(tmp_path.rglob("*.partial"))


def test_export_command_writes_one_csv_per_group(quickstart_replicates, tmp_path, capsys):
    assert main(["export", str(quickstart_replicates["base"][0]), "-o", str(tmp_path / "csv"), "--excel"]) == 0
    names = sorted(p.name for p in (tmp_path / "csv").iterdir())
    assert names == ["labour_market.csv", "municipality.csv", "municipality_by_origin.csv", "national.csv",
                     "prefecture.csv"]
    assert capsys.readouterr().out.count(".csv") == 5


def test_bad_files_are_one_line_errors_with_status_2(tmp_path, capsys):
    junk = tmp_path / "junk.h5"
    junk.write_text("not HDF5\n")
    for args, expected in ((("summary", tmp_path / "missing.h5"), "missing.h5: no such file"),
                           (("summary", junk), "junk.h5: cannot be read as HDF5"),
                           (("report", tmp_path, "-o", tmp_path / "r"), "is a directory"),
                           (("validate", junk), "junk.h5"),
                           (("compare", junk, junk), "junk.h5")):
        assert main([str(a) for a in args]) == 2, args
        err = capsys.readouterr().err
        assert err.count("\n") == 1 and expected in err, err
    with pytest.raises(BadFile, match="junk.h5"):
        open_run(junk)
    # The same through the installed entry point's module, in a process of its own: no traceback.
    result = analysis_cli("summary", junk)
    assert result.returncode == 2 and result.stderr.count("\n") == 1 and "Traceback" not in result.stderr


def test_a_closed_pipe_ends_quietly(quickstart_replicates):
    # The reader goes away before the command writes: no BrokenPipeError on stderr.
    env = dict(os.environ, PYTHONPATH=str(ANALYSIS))
    process = subprocess.Popen([sys.executable, "-m", "migsim_analysis", "summary", *quickstart_replicates["base"]],
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env)
    process.stdout.close()
    stderr = process.stderr.read().decode()
    assert process.wait(timeout=120) in (0, 141)
    assert stderr == ""


def test_summary_of_two_files(quickstart_replicates, capsys):
    base, closed = quickstart_replicates["base"][0], quickstart_replicates["closed"][0]
    assert main(["summary", str(base), str(closed), "--years", "2022", "2030"]) == 0
    out = capsys.readouterr().out
    assert out.count("== ") == 2 and str(closed) in out
    totals = [line for line in out.splitlines() if line.startswith("total")]
    assert len(totals) == 2


# ---------------------------------------------------------------------------------------------
# Sweep files (written by `migsim sweep`)


@pytest.fixture(scope="module")
def grid_sweep(tmp_path_factory):
    if not has_sweep_command():
        pytest.skip("needs migsim sweep")
    folder = tmp_path_factory.mktemp("sweep")
    sweep_file = folder / "grid.yaml"
    sweep_file.write_text(
        f"base: {QUICKSTART}\n"
        "scale: 0.125\n"
        "seed: 7\n"
        "replicates: 2\n"
        "design: grid\n"
        "factors:\n"
        "  statuses.TES.job_search_rate_per_month: [0.01, 0.05]\n"
        "variants:\n"
        "  baseline: {}\n"
        "  ssw1_closed: {set: {statuses.SSW1.entries_open: false}}\n")
    out = folder / "grid.h5"
    run_ok("sweep", sweep_file, "-o", out)
    return out


def test_open_sweep_gives_runs_with_their_factors(grid_sweep):
    sweep = open_sweep(grid_sweep)
    stock = sweep["national"]["stock"]
    assert stock.dims[:2] == ("run", "year")
    assert {"variant", "replicate", "seed", "point"} <= set(stock.coords)
    assert sweep.variants == ["baseline", "ssw1_closed"]
    assert len(sweep.factors) == 1 and sweep.factors[0] in stock.coords
    # Common random numbers: replicate r has the same seed in every variant and point.
    runs = sweep.runs
    assert (runs.groupby("replicate")["seed"].nunique() == 1).all()
    grid = open_sweep(grid_sweep, reshape=True)["national"]["stock"]
    assert {"variant", "replicate", sweep.factors[0]} <= set(grid.dims)
    assert grid.sizes["replicate"] == 2 and grid.sizes["variant"] == 2
    with pytest.raises(BadFile, match="open_sweep"):
        open_run(grid_sweep)
    assert np.isfinite(stock.sel(run=0).values).all() and (stock["run_status"] == "ok").all()
    assert check_contract(grid_sweep) == []
    # A sweep's replicates compare like runs': closing SSW1 lowers the SSW1 stock in each of them.
    table = compare(sweep.variant("baseline"), sweep.variant("ssw1_closed"), measures="stock", by="status")
    ssw1 = table[(table["status"] == "SSW1") & (table["year"] == 2030)]
    assert int(ssw1["n"].iloc[0]) == 4 and float(ssw1["difference"].iloc[0]) < 0


def test_summary_and_export_of_a_sweep(grid_sweep, tmp_path, capsys):
    assert main(["summary", str(grid_sweep), "--years", "2030"]) == 0
    out = capsys.readouterr().out
    assert "[baseline, mean of its runs]" in out and "[ssw1_closed, mean of its runs]" in out
    paths = export_csv(open_sweep(grid_sweep), tmp_path, groups=["national"])
    frame = pd.read_csv(paths[0])
    assert {"run", "variant", "replicate", "seed", "year", "status", "stock"} <= set(frame.columns)
