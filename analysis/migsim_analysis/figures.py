"""Figures of runs and sweeps (matplotlib, Agg): PNG or SVG, chosen by the file name's suffix.

Every function takes what to plot and a path ending in .png or .svg, writes the figure (complete or
not at all) and returns the path. "What to plot" is a run file path, a Run, a Sweep selection
(``sweep.variant("x")``) or a list of run paths (replicates): lines are the median over replicates
and bands the 5-95 % range (the whole range for fewer than 20 replicates).

    stock_figure(run, "stock.png", by="status")       # or by="origin"
    flows_figure(run, "flows.svg")
    comparison_figure(base, other, "effect.png", measure="stock")
    labour_market_figure(run, "market.png")
    prefecture_map(run, "map.png", measure="foreign_residents")
    municipality_map(run, "points.png", measure="foreign_workers")
    sensitivity_figure(sobol(sweep, "stock"), "sobol.png")
    validation_figure("run.h5", "validation.png")

Colours: the Okabe-Ito palette (distinguishable with every common colour-vision deficiency), line
styles cycling after its eight colours; maps use viridis.
"""

from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
from matplotlib.ticker import FuncFormatter, MaxNLocator  # noqa: E402

from .compare import compare  # noqa: E402
from .load import aggregate, as_replicates, label_of, resolve  # noqa: E402

OKABE_ITO = ["#E69F00", "#56B4E9", "#009E73", "#F0E442", "#0072B2", "#D55E00", "#CC79A7", "#000000"]
LINE_STYLES = ["-", "--", ":", "-."]
FORMATS = (".png", ".svg")

# Tile map of Japan: JIS prefecture code -> (row, column), row 0 at the top, column 0 in the west.
# One square per prefecture, neighbours kept next to each other where the grid allows: Hokkaido and
# Tohoku down the north-east column, Kanto in the east, Chubu and Kinki across the middle, Chugoku
# west of them with Shikoku below, Kyushu in the south-west and Okinawa alone below it.
PREFECTURE_TILES = {
    1: (0, 11),
    2: (1, 11),
    5: (2, 10), 3: (2, 11),
    6: (3, 10), 4: (3, 11),
    17: (4, 7), 16: (4, 8), 15: (4, 9), 7: (4, 10),
    18: (5, 6), 21: (5, 7), 20: (5, 8), 10: (5, 9), 9: (5, 10), 8: (5, 11),
    32: (6, 2), 31: (6, 3), 28: (6, 4), 26: (6, 5), 25: (6, 6), 23: (6, 7), 19: (6, 8), 11: (6, 9), 13: (6, 10),
    12: (6, 11),
    35: (7, 1), 34: (7, 2), 33: (7, 3), 27: (7, 4), 29: (7, 5), 24: (7, 6), 22: (7, 7), 14: (7, 10),
    41: (8, 0), 40: (8, 1), 38: (8, 3), 37: (8, 4), 30: (8, 5),
    42: (9, 0), 43: (9, 1), 44: (9, 2), 39: (9, 3), 36: (9, 4),
    46: (10, 1), 45: (10, 2),
    47: (11, 0),
}

# What a map shows: measure -> (title, unit, how municipalities are combined into a prefecture).
MAP_MEASURES = {
    "foreign_residents": ("Foreign residents", "persons", "sum"),
    "foreign_workers": ("Foreign workers", "persons", "sum"),
    "ajts_per_1000_children": ("Assistant Japanese teachers per 1,000 foreign school-age children",
                               "AJTs per 1,000 children", "ratio"),
    "integration_index": ("Integration index (mean over municipalities)", "index, 0-1", "mean"),
    "agreements": ("Cooperation agreements with origins", "agreements", "sum"),
}

FLOWS = {
    "entries": "entries from abroad",
    "exits": "exits",
    "transitions_in": "status transitions",
    "field_changes_in": "field changes",
    "employer_changes": "employer changes",
    "absconded": "absconding",
    "family_joined": "family joined",
}


def _thousands(value, _position=None):
    return f"{value:,.0f}" if abs(value) >= 100 or value == 0 else f"{value:,.2g}"


def _styled(i):
    return {"color": OKABE_ITO[i % len(OKABE_ITO)], "linestyle": LINE_STYLES[(i // len(OKABE_ITO)) % len(LINE_STYLES)]}


def _check_path(path):
    path = Path(path)
    if path.suffix.lower() not in FORMATS:
        raise ValueError(f"{path}: a figure is written as .png or .svg, not {path.suffix or 'no suffix'}")
    return path


def _save(fig, path):
    path = _check_path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(path.name + ".partial")
    try:
        # SVG text stays text (searchable, editable), not outlines.
        with plt.rc_context({"svg.fonttype": "none"}):
            fig.savefig(partial, format=path.suffix[1:].lower(), dpi=110, bbox_inches="tight")
        partial.replace(path)
    finally:
        plt.close(fig)
        if partial.exists():
            partial.unlink()
    return path


def _bands(da):
    """(median, low, high, description) over the run dimension."""
    n = da.sizes["run"]
    low_q, high_q = (0.05, 0.95) if n >= 20 else (0.0, 1.0)
    median = da.median("run")
    low, high = da.quantile(low_q, dim="run"), da.quantile(high_q, dim="run")
    what = "one run" if n == 1 else (f"median and range of {n} replicates" if n < 20 else
                                      f"median and 5-95 % of {n} replicates")
    return median, low, high, what


def _years_axis(ax):
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    ax.set_xlabel("census year")


def _replicates(obj, group):
    return as_replicates(obj, group)


def stock_figure(obj, path, by="status", measure="stock", top=12):
    """Stock over the census years, one line per status (``by="status"``) or nationality (``by="origin"``).

    The ``top`` largest categories in the last year get a line each; the rest are summed as "others".
    """
    obj = resolve(obj)
    ds = _replicates(obj, "national")
    da = aggregate(ds[measure], keep=("run", "year", by)).astype(float)
    last = da.isel(year=-1).mean("run")
    order = [str(c) for c in last.sortby(last, ascending=False)[by].values]
    shown, rest = order[:top], order[top:]
    fig, ax = plt.subplots(figsize=(8, 4.8))
    what = ""
    for i, category in enumerate(shown):
        median, low, high, what = _bands(da.sel({by: category}))
        style = _styled(i)
        ax.plot(da["year"], median, label=category, **style)
        ax.fill_between(da["year"], low, high, color=style["color"], alpha=0.2, linewidth=0)
    if rest:
        median, low, high, what = _bands(da.sel({by: rest}).sum(by))
        ax.plot(da["year"], median, label=f"{len(rest)} others", **_styled(len(shown)))
    noun = {"status": "status of residence", "origin": "nationality"}.get(by, by)
    ax.set_title(f"{label_of(obj)}: {measure} by {noun} ({what})")
    ax.set_ylabel(f"{measure} (persons)")
    ax.yaxis.set_major_formatter(FuncFormatter(_thousands))
    _years_axis(ax)
    ax.legend(fontsize=7, ncol=2, title=noun, title_fontsize=8)
    ax.grid(alpha=0.3)
    return _save(fig, path)


def flows_figure(obj, path):
    """Yearly flows (entries, exits, status transitions, employer changes, absconding, ...) of the nation.

    The first record is the initial census and holds no flows; it is left out.
    """
    obj = resolve(obj)
    ds = _replicates(obj, "national")
    fig, ax = plt.subplots(figsize=(8, 4.8))
    what = ""
    for i, (name, label) in enumerate((n, l) for n, l in FLOWS.items() if n in ds.data_vars):
        da = aggregate(ds[name], keep=("run", "year")).astype(float).isel(year=slice(1, None))
        median, low, high, what = _bands(da)
        style = _styled(i)
        ax.plot(da["year"], median, marker="o", markersize=3, label=label, **style)
        ax.fill_between(da["year"], low, high, color=style["color"], alpha=0.2, linewidth=0)
    ax.set_title(f"{label_of(obj)}: flows per year ({what})")
    ax.set_ylabel("persons per year (12 months to the census)")
    ax.yaxis.set_major_formatter(FuncFormatter(_thousands))
    _years_axis(ax)
    ax.legend(fontsize=8, ncol=2)
    ax.grid(alpha=0.3)
    return _save(fig, path)


def comparison_figure(base, other, path, measure="stock", group="national", confidence=0.95):
    """A variant against the baseline: both levels with replicate bands, and their paired difference
    with its confidence interval."""
    base, other = resolve(base), resolve(other)
    b = aggregate(_replicates(base, group)[measure], keep=("run", "year")).astype(float)
    o = aggregate(_replicates(other, group)[measure], keep=("run", "year")).astype(float)
    table = compare(base, other, measures=measure, group=group, confidence=confidence)
    unit = _unit(measure)
    fig, (top, bottom) = plt.subplots(2, 1, figsize=(8, 6.4), sharex=True, gridspec_kw={"height_ratios": [3, 2]})
    what = ""
    for i, (da, name) in enumerate(((b, label_of(base)), (o, label_of(other)))):
        median, low, high, what = _bands(da)
        style = _styled(4 if i == 0 else 5)
        top.plot(da["year"], median, label=name, **style)
        top.fill_between(da["year"], low, high, color=style["color"], alpha=0.25, linewidth=0)
    top.set_ylabel(f"{measure} ({unit})")
    top.set_title(f"{label_of(other)} against {label_of(base)}: {measure} ({what})")
    top.legend(fontsize=8)
    top.grid(alpha=0.3)
    years = table["year"].to_numpy()
    bottom.axhline(0, color="#000000", linewidth=0.8)
    bottom.plot(years, table["difference"], color=OKABE_ITO[5], marker="o", markersize=3,
                label="mean paired difference")
    if np.isfinite(table["ci_low"]).any():
        bottom.fill_between(years, table["ci_low"], table["ci_high"], color=OKABE_ITO[5], alpha=0.25, linewidth=0,
                            label=f"{confidence:.0%} interval (n = {int(table['n'].iloc[0])})")
    bottom.set_ylabel(f"difference ({unit})")
    bottom.legend(fontsize=8)
    bottom.grid(alpha=0.3)
    for ax in (top, bottom):
        ax.yaxis.set_major_formatter(FuncFormatter(_thousands))
    _years_axis(bottom)
    return _save(fig, path)


def _unit(measure):
    return "yen per month" if measure in ("mean_wage_yen", "wage_sd_yen") else ("index" if measure.endswith("_index") else "persons")


def labour_market_figure(obj, path, year=None):
    """By field: open places left unfilled at the census of ``year`` (default: the last) and admissions
    refused by a field cap, summed over all years of the run."""
    obj = resolve(obj)
    ds = _replicates(obj, "labour_market")
    year = int(ds["year"].values[-1]) if year is None else int(year)
    unfilled = aggregate(ds["vacancies_unfilled"], keep=("run", "year", "field")).sel(year=year).mean("run")
    blocked = aggregate(ds["cap_blocked"], keep=("run", "year", "field")).sum("year").mean("run")
    fields = [str(f) for f in ds["field"].values]
    order = np.argsort(unfilled.values + blocked.values)
    fig, axes = plt.subplots(1, 2, figsize=(10, 0.3 * len(fields) + 1.8), sharey=True)
    positions = np.arange(len(fields))
    axes[0].barh(positions, unfilled.values[order], color=OKABE_ITO[4])
    axes[0].set_xlabel(f"unfilled places at the census of {year} (persons)")
    axes[0].set_title("Unfilled vacancies")
    years = ds["year"].values
    axes[1].barh(positions, blocked.values[order], color=OKABE_ITO[5])
    axes[1].set_xlabel(f"admissions refused by a cap, {years[0]}-{years[-1]} (persons)")
    axes[1].set_title("Cap-blocked admissions")
    axes[0].set_yticks(positions, [fields[i] for i in order], fontsize=8)
    for ax in axes:
        ax.xaxis.set_major_formatter(FuncFormatter(_thousands))
        ax.grid(axis="x", alpha=0.3)
    fig.suptitle(f"{label_of(obj)}: labour market by field (mean over replicates)")
    return _save(fig, path)


def _norm(values, measure):
    """The colour scale: logarithmic for counts spread over more than two orders of magnitude (a few
    cities hold most foreign residents), linear otherwise. Returns (norm, note for the unit label)."""
    finite = np.asarray(values, float)
    finite = finite[np.isfinite(finite)]
    positive = finite[finite > 0]
    if MAP_MEASURES[measure][2] == "sum" and len(positive) and positive.max() / positive.min() > 100:
        return matplotlib.colors.LogNorm(vmin=positive.min(), vmax=positive.max(), clip=True), ", log scale"
    low, high = (float(finite.min()), float(finite.max())) if len(finite) else (0.0, 1.0)
    return matplotlib.colors.Normalize(vmin=low, vmax=high if high > low else low + 1), ""


def _municipality_values(ds, measure):
    """(numerator, denominator or None) per run and municipality for a map measure."""
    if measure == "ajts_per_1000_children":
        return ds["ajts"].astype(float), ds["school_age_children"].astype(float) / 1000.0
    if measure not in MAP_MEASURES:
        raise ValueError(f"map measure {measure!r} is not one of {', '.join(MAP_MEASURES)}")
    return ds[measure].astype(float), None


def prefecture_values(obj, measure, year=None):
    """The measure per prefecture (JIS code -> value) at ``year`` (default: the last), mean over replicates.

    Municipalities belong to the prefecture ``municipality_prefecture`` points at when the file has it
    (v2), else to the prefecture their LG code starts with (code // 1000).
    """
    obj = resolve(obj)
    ds = _replicates(obj, "municipality")
    year = int(ds["year"].values[-1]) if year is None else int(year)
    ds = ds.sel(year=year)
    prefecture = np.asarray(ds["municipality"].values, dtype=int) // 1000
    labels = obj[0] if isinstance(obj, list) else obj
    if "municipality_prefecture" in ds.coords and "prefecture" in labels:
        # v2: the position of each municipality's prefecture in the prefecture dimension.
        codes = np.asarray(labels["prefecture"]["prefecture"].values, dtype=int)
        position = np.asarray(ds["municipality_prefecture"].values, dtype=int)
        prefecture = np.where((position >= 0) & (position < len(codes)), codes[np.clip(position, 0, len(codes) - 1)],
                              prefecture)
    numerator, denominator = _municipality_values(ds, measure)
    how = MAP_MEASURES[measure][2]
    num = numerator.mean("run").to_series().groupby(prefecture)
    if how == "sum":
        values = num.sum()
    elif how == "mean":
        values = num.mean()
    else:
        den = denominator.mean("run").to_series().groupby(prefecture).sum()
        values = num.sum() / den.where(den > 0)
    return values, year


def prefecture_map(obj, path, measure="foreign_residents", year=None, note=""):
    """A tile map of Japan's 47 prefectures (PREFECTURE_TILES) coloured by a municipal measure."""
    obj = resolve(obj)
    values, year = prefecture_values(obj, measure, year)
    title, unit, _ = MAP_MEASURES[measure]
    names = _prefecture_names(obj)
    fig, ax = plt.subplots(figsize=(7.5, 7.5))
    cmap = plt.get_cmap("viridis")
    norm, scale_note = _norm(values.to_numpy(), measure)
    for code, (row, column) in PREFECTURE_TILES.items():
        value = values.get(code, np.nan)
        colour = cmap(norm(max(value, 1e-9))) if np.isfinite(value) else "#DDDDDD"
        ax.add_patch(matplotlib.patches.Rectangle((column, -row), 0.94, 0.94, facecolor=colour, edgecolor="white"))
        text_colour = "white" if np.isfinite(value) and float(norm(max(value, 1e-9))) < 0.6 else "black"
        ax.text(column + 0.47, -row + 0.47, names.get(code, str(code))[:5], ha="center", va="center", fontsize=6.5,
                color=text_colour)
    ax.set_xlim(-0.2, 12.2)
    ax.set_ylim(-11.2, 1.2)
    ax.set_aspect("equal")
    ax.axis("off")
    colourbar = fig.colorbar(matplotlib.cm.ScalarMappable(norm=norm, cmap=cmap), ax=ax, shrink=0.6)
    colourbar.set_label(unit + scale_note)
    colourbar.formatter = FuncFormatter(_thousands)
    colourbar.update_ticks()
    ax.set_title(f"{label_of(obj)}: {title}, {year}\n(prefecture tile map; grey: no data){note}", fontsize=10)
    return _save(fig, path)


def _prefecture_names(obj):
    try:
        ds = _replicates(obj, "prefecture")
    except KeyError:
        return {}
    return {int(c): str(n) for c, n in zip(ds["prefecture"].values, ds["prefecture_name"].values)}


def has_coordinates(obj):
    """Whether the municipalities carry latitude and longitude (format v2) for a point map."""
    ds = _replicates(obj, "municipality")
    return "municipality_latitude" in ds.variables and "municipality_longitude" in ds.variables


def municipality_map(obj, path, measure="foreign_residents", year=None):
    """Municipalities as points at their latitude and longitude, coloured by the measure.

    A file without coordinates (format v1) gets the prefecture tile map instead, and its title says so.
    Returns the path.
    """
    obj = resolve(obj)
    if not has_coordinates(obj):
        return prefecture_map(obj, path, measure, year,
                              note="\nno municipality coordinates in this file: prefecture tiles instead")
    ds = _replicates(obj, "municipality")
    year = int(ds["year"].values[-1]) if year is None else int(year)
    ds = ds.sel(year=year)
    numerator, denominator = _municipality_values(ds, measure)
    values = numerator.mean("run")
    if denominator is not None:
        den = denominator.mean("run")
        values = values / den.where(den > 0)
    lat = np.asarray(ds["municipality_latitude"].values, float)
    lon = np.asarray(ds["municipality_longitude"].values, float)
    v = np.asarray(values.values, float)
    ok = np.isfinite(lat) & np.isfinite(lon) & np.isfinite(v)
    title, unit, _ = MAP_MEASURES[measure]
    fig, ax = plt.subplots(figsize=(7.5, 7.5))
    order = np.argsort(v[ok])
    size = 8 if ok.sum() > 200 else 60          # all of Japan's municipalities, or a few
    norm, scale_note = _norm(v[ok], measure)
    points = ax.scatter(lon[ok][order], lat[ok][order], c=v[ok][order], s=size, cmap="viridis", norm=norm,
                        linewidths=0)
    colourbar = fig.colorbar(points, ax=ax, shrink=0.6)
    colourbar.set_label(unit + scale_note)
    colourbar.formatter = FuncFormatter(_thousands)
    colourbar.update_ticks()
    ax.set_xlabel("longitude (degrees east)")
    ax.set_ylabel("latitude (degrees north)")
    ax.set_aspect(1 / np.cos(np.deg2rad(36)))
    ax.grid(alpha=0.3)
    ax.set_title(f"{label_of(obj)}: {title}, {year}\n({int(ok.sum())} municipalities)", fontsize=10)
    return _save(fig, path)


def sensitivity_figure(table, path, year=None):
    """Bars per factor: Sobol S1 and ST (a sobol() table) or Morris mu* and sigma (a morris() table),
    with their bootstrap intervals, at ``year`` (default: the last)."""
    year = int(table["year"].max()) if year is None else int(year)
    rows = table[table["year"] == year]
    measure = rows["measure"].iloc[0]
    sobol_like = "S1" in rows
    pairs = (("S1", "first order S1"), ("ST", "total ST")) if sobol_like else \
        (("mu_star", "mu* (mean |elementary effect|)"), ("sigma", "sigma (sd of elementary effects)"))
    positions = np.arange(len(rows))
    fig, ax = plt.subplots(figsize=(8, 0.45 * len(rows) + 2))
    width = 0.4
    for j, (column, label) in enumerate(pairs):
        values = rows[column].to_numpy(float)
        errors = None
        if f"{column}_low" in rows:
            errors = np.abs(np.vstack([values - rows[f"{column}_low"].to_numpy(float),
                                       rows[f"{column}_high"].to_numpy(float) - values]))
        ax.barh(positions + (j - 0.5) * width, values, height=width, xerr=errors, color=OKABE_ITO[4 + j],
                label=label, capsize=2)
    ax.set_yticks(positions, rows["factor"], fontsize=8)
    ax.axvline(0, color="#000000", linewidth=0.8)
    if sobol_like:
        ax.set_xlabel("share of the output's variance (1)")
        kind = "Sobol indices"
    else:
        ax.set_xlabel(f"{measure} (persons per whole range of the factor)")
        kind = "Morris screening"
    ax.set_title(f"{kind} of {measure}, {year} (bars: bootstrap intervals)")
    ax.legend(fontsize=8)
    ax.grid(axis="x", alpha=0.3)
    return _save(fig, path)


def validation_figure(run_path, path, observed_dir=None):
    """Simulated totals against the observed ones (analysis/observed), one panel per series, every year
    either has: ISA residents and SSW, MHLW workers, arrivals, departures, missing technical interns."""
    from . import validate

    obs = validate._Observed(observed_dir or validate.OBSERVED_DIR)
    run = validate._Run(run_path)
    mapping = validate.status_mapping()
    panels = []
    for name in ("isa_total", "ssw_total", "mhlw_total", "arrivals", "departures", "missing_interns"):
        try:
            spec = validate._BUILDERS[name](obs, run, mapping)
        except validate._Skip:
            continue
        panels.append((name, spec))
    columns = 3
    rows = max(1, -(-len(panels) // columns))
    fig, axes = plt.subplots(rows, columns, figsize=(11, 3.2 * rows), squeeze=False)
    for ax, (name, spec) in zip(axes.ravel(), panels):
        observed = spec.obs.sum(axis=1, min_count=1).dropna()
        simulated = spec.sim.sum(axis=1)
        ax.plot(observed.index, observed.values, "o", color=OKABE_ITO[0], label="observed")
        ax.plot(simulated.index, simulated.values, "-", color=OKABE_ITO[4], label="simulated")
        ax.set_title(name.replace("_", " "), fontsize=9)
        ax.set_ylabel("persons" + (" per year" if spec.flow else ""), fontsize=8)
        ax.yaxis.set_major_formatter(FuncFormatter(_thousands))
        _years_axis(ax)
        ax.grid(alpha=0.3)
        ax.legend(fontsize=7)
    for ax in axes.ravel()[len(panels):]:
        ax.axis("off")
    fig.suptitle(f"{Path(run_path).stem}: simulated against observed (totals)")
    fig.tight_layout()
    return _save(fig, path)
