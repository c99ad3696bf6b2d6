"""An HTML report of a run or a sweep: figures, headline table, comparisons, provenance, data links.

    from migsim_analysis.report import write_report
    write_report("run.h5", "report/", compare_with=["variant.h5"])   # -> report/index.html

Command line: ``migsim-analysis report RUN_OR_SWEEP.h5 [--compare OTHER.h5 ...] -o DIR``.

For a sweep, the first variant is the baseline: its replicates give the bands, and every other
variant is compared with it. Files given with ``--compare`` are compared with the baseline too (a
sweep among them contributes its first variant).
"""

import datetime
import os
from html.parser import HTMLParser
from pathlib import Path

import jinja2
import numpy as np
import pandas as pd

from . import figures
from .compare import compare
from .load import Sweep, aggregate, as_replicates, label_of, open_output, write_frame
from .sensitivity import morris, seed_noise_share, sobol

VERSION = "0.2.0"
HEADLINE_MEASURES = ("stock", "workers", "entries", "exits", "absconded", "transitions_in", "employer_changes")
COMPARED_MEASURES = ("stock", "workers", "entries", "exits", "absconded")
PROVENANCE_KEYS = ("scenario_name", "scenario_file", "kind", "format_version", "migsim_version", "seed", "sweep_seed",
                   "design", "replicates", "run_count", "scale", "persons_per_agent", "threads", "created",
                   "start_time", "end_time", "history", "sweep_file")


def _number(value, digits=0):
    if value is None or not np.isfinite(value):
        return "n/a"
    return f"{value:,.{digits}f}"


def _baseline(obj):
    """The selection the report describes: a run, or the first variant of a sweep."""
    if isinstance(obj, Sweep):
        return obj.variant(obj.variants[0])
    return obj


def _headline(base):
    ds = as_replicates(base, "national")
    years = [int(y) for y in ds["year"].values]
    first, last = years[0], years[-1]
    n = ds.sizes["run"]
    columns = ["measure (persons)", str(first), str(last)] + (["range over replicates", "replicates"] if n > 1 else [])
    rows = []
    for measure in HEADLINE_MEASURES:
        if measure not in ds.data_vars:
            continue
        da = aggregate(ds[measure], keep=("run", "year")).astype(float)
        # The first record is the initial census: it holds stocks, no flows.
        at_first = _number(float(da.sel(year=first).mean())) if measure in ("stock", "workers") else "–"
        row = [measure, at_first, _number(float(da.sel(year=last).mean()))]
        if n > 1:
            row += [f"{_number(float(da.sel(year=last).min()))} - {_number(float(da.sel(year=last).max()))}", str(n)]
        rows.append(row)
    note = (f"National totals, mean over {n} replicates." if n > 1 else "National totals of one run.") + \
        f" {first} is the initial census (no flows); flows of a year are the 12 months up to its census."
    return {"columns": columns, "rows": rows}, note, years


def _comparison(base, other, out, data_dir, index):
    table = compare(base, other, measures=[m for m in COMPARED_MEASURES], precision=0.01)
    name = f"compare_{index}_{_slug(label_of(other))}.csv"
    write_frame(table, data_dir / name)
    last = table[table["year"] == table["year"].max()]
    columns = ["measure (persons)", "base", "other", "difference", "95 % interval", "MCSE", "relative",
               "replicates for ±1 %"]
    rows = []
    for r in last.itertuples(index=False):
        interval = "n/a" if not np.isfinite(r.ci_low) else f"[{_number(r.ci_low)}, {_number(r.ci_high)}]"
        rel = "n/a" if not np.isfinite(r.relative_difference) else f"{r.relative_difference:+.1%}"
        need = "n/a" if pd.isna(r.replicates_needed) else str(int(r.replicates_needed))
        rows.append([r.measure, _number(r.base_mean), _number(r.other_mean), _number(r.difference), interval,
                     _number(r.mcse), rel, need])
    n = int(table["n"].iloc[0])
    note = ""
    if n < 2:
        note = "One replicate per side: no interval. Seed noise can be as large as a policy effect; use a sweep with replicates."
    elif not bool(table["paired_seeds"].iloc[0]):
        note = "The paired runs do not share their seeds: the differences are not common-random-number pairs."
    figure = figures.comparison_figure(base, other, out / f"compare_{index}.png")
    return {"base": label_of(base), "other": label_of(other), "columns": columns, "rows": rows,
            "csv": f"data/{name}", "note": note}, figure


def _slug(text):
    return "".join(c if c.isalnum() or c in "-_" else "_" for c in str(text))[:40]


def _sensitivity(obj, out, data_dir, figure_list):
    """Morris or Sobol indices of the national stock, and the seed-noise share, for a sweep with such a design."""
    if not isinstance(obj, Sweep):
        return None
    design = obj.design.get("type", obj.attrs.get("design"))
    measure = "stock"
    result = {"measure": measure, "csv": [], "noise_rows": []}
    if design == "morris":
        table = morris(obj, measure)
        result["text"] = ("Morris screening of the national stock: mu* (mean absolute elementary effect) and sigma, "
                          "per factor, with bootstrap intervals over trajectories.")
    elif design == "saltelli":
        table = sobol(obj, measure)
        result["text"] = ("Sobol indices of the national stock: first order (Saltelli 2010) and total (Jansen), "
                          "with bootstrap intervals.")
    else:
        table = None
        result["text"] = f"The design is {design}; sensitivity indices need a morris or saltelli design."
    if table is not None:
        write_frame(table, data_dir / "sensitivity.csv")
        result["csv"].append("data/sensitivity.csv")
        path = figures.sensitivity_figure(table, out / "sensitivity.png")
        figure_list.append({"src": path.name, "caption": f"Sensitivity of the national {measure} in its last year"})
    if int(obj.attrs.get("replicates", 1) or 1) > 1:
        noise = seed_noise_share(obj, measure)
        write_frame(noise, data_dir / "seed_noise.csv")
        result["csv"].append("data/seed_noise.csv")
        result["noise_rows"] = [(int(y), "n/a" if not np.isfinite(s) else f"{s:.1%}")
                                for y, s in zip(noise["year"], noise["seed_noise_share"])]
    return result


def write_report(path, out_dir, compare_with=(), svg=False):
    """Write the figures, the data and ``index.html`` into ``out_dir``; returns the index.html path."""
    obj = open_output(path)
    others = [open_output(p) for p in compare_with]
    out = Path(out_dir)
    data_dir = out / "data"
    data_dir.mkdir(parents=True, exist_ok=True)
    base = _baseline(obj)
    figure_list = []

    def add(function, name, caption, *args, note="", **kwargs):
        png = function(*args, out / f"{name}.png", **kwargs)
        entry = {"src": png.name, "caption": caption, "note": note}
        if svg:
            entry["svg"] = function(*args, out / f"{name}.svg", **kwargs).name
        figure_list.append(entry)

    groups = set(obj)
    if "national" in groups:
        add(figures.stock_figure, "stock_by_status", "Stock by status of residence", base, by="status")
        add(figures.stock_figure, "stock_by_nationality", "Stock by nationality", base, by="origin")
        add(figures.flows_figure, "flows", "Flows per year", base)
    if "labour_market" in groups:
        add(figures.labour_market_figure, "labour_market", "Unfilled vacancies and cap-blocked admissions by field", base)
    if "municipality" in groups:
        for measure, (title, _, _) in figures.MAP_MEASURES.items():
            add(figures.prefecture_map, f"map_{measure}", f"{title} by prefecture", base, measure=measure)
        note = "" if figures.has_coordinates(base) else \
            "The file has no municipality coordinates (format v1): the prefecture tile map is shown instead."
        add(figures.municipality_map, "points_foreign_residents", "Foreign residents by municipality", base,
            measure="foreign_residents", note=note)
    if "national" in groups and obj.kind == "run":
        add(figures.validation_figure, "validation", "Simulated against observed statistics", path)

    comparisons = []
    pairs = []
    if isinstance(obj, Sweep):
        pairs += [obj.variant(v) for v in obj.variants[1:]]
    pairs += [_baseline(o) for o in others]
    for i, other in enumerate(pairs, start=1):
        entry, figure = _comparison(base, other, out, data_dir, i)
        comparisons.append(entry)
        figure_list.append({"src": figure.name, "caption": f"{entry['other']} against {entry['base']}: national stock"})

    sensitivity = _sensitivity(obj, out, data_dir, figure_list)
    headline, headline_note, years = _headline(base) if "national" in groups else ({"columns": [], "rows": []}, "", [])
    data_links = []
    if "national" in groups:
        totals = aggregate(as_replicates(base, "national")[list(HEADLINE_MEASURES)].to_array("measure"),
                           keep=("run", "year", "measure"))
        frame = totals.to_dataframe("persons").reset_index()[["measure", "run", "year", "persons"]]
        write_frame(frame, data_dir / "national_totals.csv")
        data_links.append(("data/national_totals.csv", "national totals per measure, replicate (run) and year"))
    for c in comparisons:
        data_links.append((c["csv"], f"paired comparison {c['other']} - {c['base']}, every measure and year"))

    attrs = obj.attrs
    provenance = [(k, attrs[k]) for k in PROVENANCE_KEYS if k in attrs]
    documents = [(k, attrs[k]) for k in ("scenario_yaml", "sweep_yaml", "base_scenario_yaml", "design_json")
                 if isinstance(attrs.get(k), str) and attrs.get(k)]
    environment = jinja2.Environment(loader=jinja2.PackageLoader("migsim_analysis", "templates"),
                                     autoescape=jinja2.select_autoescape(["html"]))
    text = environment.get_template("report.html").render(
        title=attrs.get("scenario_name") or Path(path).stem,
        kind=obj.kind,
        kind_text=(f"sweep of {attrs.get('run_count', '?')} runs ({attrs.get('design', '?')} design, "
                   f"variants: {', '.join(obj.variants)}; baseline {obj.variants[0]})") if isinstance(obj, Sweep)
        else f"single run, seed {attrs.get('seed')}",
        source_link=Path(os.path.relpath(Path(path).resolve(), out.resolve())).as_posix(),
        source_name=Path(path).name,
        written=datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ"),
        analysis_version=VERSION,
        headline=headline, headline_note=headline_note,
        comparisons=comparisons, confidence="95 %", last_year_text=str(years[-1]) if years else "the last year",
        sensitivity=sensitivity, figures=figure_list, data_links=data_links,
        provenance=provenance, documents=documents,
    )
    index = out / "index.html"
    partial = out / "index.html.partial"
    partial.write_text(text, encoding="utf-8")
    partial.replace(index)
    return index


def image_sources(index_html):
    """The src of every <img> in an HTML file (for checking that a report's images exist)."""
    sources = []

    class Images(HTMLParser):
        def handle_starttag(self, tag, attributes):
            if tag == "img":
                sources.append(dict(attributes).get("src"))

    Images().feed(Path(index_html).read_text(encoding="utf-8"))
    return sources

