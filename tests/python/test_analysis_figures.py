"""Figures and the HTML report on real runs: every figure function writes a non-empty image; the report's
images exist and headless Chromium shows a page that is not blank."""

import shutil
import subprocess

import matplotlib.image
import numpy as np
import pandas as pd
import pytest

from migsim_analysis import figures, open_run
from migsim_analysis.report import image_sources, write_report


def _image_ok(path):
    assert path.is_file() and path.stat().st_size > 2000, path
    if path.suffix == ".png":
        pixels = matplotlib.image.imread(path)
        assert pixels.std() > 0.02, f"{path} is blank"
    else:
        assert path.read_text().lstrip().startswith("<?xml") and "<svg" in path.read_text()


def test_run_figures_write_images(quickstart_replicates, tmp_path):
    base, closed = quickstart_replicates["base"], quickstart_replicates["closed"]
    written = [
        figures.stock_figure(base, tmp_path / "stock.png", by="status"),
        figures.stock_figure(base[0], tmp_path / "nationality.svg", by="origin"),
        figures.flows_figure(base, tmp_path / "flows.png"),
        figures.comparison_figure(base, closed, tmp_path / "compare.svg", measure="stock"),
        figures.labour_market_figure(base[0], tmp_path / "market.png"),
    ]
    for path in written:
        _image_ok(path)
    # SVG text stays text: the comparison names its interval.
    assert "95% interval (n = 3)" in (tmp_path / "compare.svg").read_text()


def test_maps_of_japan(japan_small, tmp_path):
    run = open_run(japan_small)
    for measure in figures.MAP_MEASURES:
        _image_ok(figures.prefecture_map(run, tmp_path / f"{measure}.png", measure=measure))
    # The prefecture tiles: 47 distinct squares, one per JIS code.
    assert sorted(figures.PREFECTURE_TILES) == list(range(1, 48))
    assert len(set(figures.PREFECTURE_TILES.values())) == 47
    points = figures.municipality_map(run, tmp_path / "points.svg", measure="ajts_per_1000_children")
    _image_ok(points)
    if not figures.has_coordinates(run):   # a v1 file: the tile map stands in, and says so
        assert "no municipality coordinates" in points.read_text()
    tokyo = figures.prefecture_values(run, "foreign_residents")[0][13]
    municipality = run["municipality"]
    in_tokyo = municipality["municipality"].values // 1000 == 13
    assert tokyo == municipality["foreign_residents"].isel(year=-1).values[in_tokyo].sum()


def test_validation_and_sensitivity_figures(japan_small, tmp_path):
    _image_ok(figures.validation_figure(japan_small, tmp_path / "validation.png"))
    sobol_table = pd.DataFrame({"measure": "stock", "year": 2030, "factor": ["a", "b"], "S1": [0.6, 0.1],
                                "S1_low": [0.5, 0.0], "S1_high": [0.7, 0.2], "ST": [0.8, 0.2],
                                "ST_low": [0.7, 0.1], "ST_high": [0.9, 0.3]})
    morris_table = pd.DataFrame({"measure": "stock", "year": 2030, "factor": ["a", "b"], "mu": [5.0, -1.0],
                                 "mu_star": [5.0, 2.0], "sigma": [1.0, 3.0]})
    _image_ok(figures.sensitivity_figure(sobol_table, tmp_path / "sobol.png"))
    _image_ok(figures.sensitivity_figure(morris_table, tmp_path / "morris.svg"))
    with pytest.raises(ValueError, match=r"\.png or \.svg"):
        figures.flows_figure(japan_small, tmp_path / "flows.jpg")


def test_report_shows_every_figure_in_a_browser(quickstart_replicates, tmp_path):
    base, closed = quickstart_replicates["base"][0], quickstart_replicates["closed"][0]
    out = tmp_path / "report"
    index = write_report(base, out, compare_with=[closed])
    html = index.read_text(encoding="utf-8")
    sources = image_sources(index)
    assert len(sources) >= 10 and all((out / s).is_file() and (out / s).stat().st_size > 0 for s in sources)
    assert "Headline" in html and "<tr><th>seed</th><td>1</td></tr>" in html   # the provenance: --seed 1
    assert f"{closed.stem} against {base.stem}" in html and "data/national_totals.csv" in html
    assert (out / "data" / "national_totals.csv").is_file()
    assert not list(out.rglob("*.partial"))

    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    assert chromium, "chromium is needed (scripts/bootstrap.sh installs it)"
    shot = tmp_path / "screenshot.png"
    subprocess.run([chromium, "--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars",
                    f"--screenshot={shot}", "--window-size=1200,1600", index.as_uri()],
                   capture_output=True, timeout=120, check=True)
    pixels = matplotlib.image.imread(shot)[..., :3]
    # Not blank: a real share of the page is not background white, and it holds colour (the figures).
    assert (pixels.mean(axis=2) < 0.9).mean() > 0.02
    assert np.abs(pixels[..., 0] - pixels[..., 2]).max() > 0.2
