"""Figures on real runs: every figure function writes a non-empty image (the report is tested with the
worked example of docs/analysis.md, in test_analysis_docs.py)."""

import matplotlib.image
import pandas as pd
import pytest

from conftest import format_1_copy

from migsim_analysis import figures, open_run


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
    assert figures.has_coordinates(run)
    points = figures.municipality_map(run, tmp_path / "points.svg", measure="ajts_per_1000_children")
    _image_ok(points)
    assert "municipalities)" in points.read_text()         # the point map, not the fallback
    # A format 1 file has no coordinates: the tile map stands in, and says so.
    old = format_1_copy(japan_small, tmp_path / "format1.h5")
    fallback = figures.municipality_map(old, tmp_path / "fallback.svg", measure="foreign_residents")
    _image_ok(fallback)
    assert "no municipality coordinates" in fallback.read_text()
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
