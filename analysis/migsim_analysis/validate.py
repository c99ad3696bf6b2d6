"""Validation of a run against observed statistics: ARD per series, for the model and for a naive forecast.

    from migsim_analysis.validate import validation_table
    table = validation_table("run.h5")                    # pandas.DataFrame, one row per series
    table.attrs["skipped"]                                # {series: why it could not be compared}

Command line: ``python3 -m migsim_analysis validate RUN.h5 [--years 2020-2022] [--csv OUT.csv]``.
The method is described in docs/validation.md.

**Metric.** For one series, with ``sim[y, c]`` and ``obs[y, c]`` the simulated and observed values of
category ``c`` in year ``y``::

    ARD = mean over the years y of the window of  sum_c |sim[y, c] - obs[y, c]| / sum_c obs[y, c]

where the sums run over the categories observed in year ``y`` (and present in the run). The naive
forecast carries forward, for each category, its last observation strictly before the window (the
latest earlier year that has that category); its ARD uses the same years and categories. A model
that "beats naive" has the lower ARD.

**Time alignment.** The run writes one record per census year ``Y``, taken at the census month
(``census_month`` of the scenario, read from the file's ``scenario_yaml`` attribute; default 10,
October). An observation dated year ``Y`` is compared with the run's record ``Y``:

- ISA stocks (residents, SSW) are at the end of December ``Y``: two months after an October
  census. Where a year has no December figure, its latest date is used (ISA 2022-06 stands for
  2022: four months before the October 2022 census; the notes say so).
- MHLW workers are at the end of October ``Y``: the same month as a census in October.
- Flows (resident-register arrivals and departures, missing technical interns) are counted over
  calendar year ``Y``; the run's record ``Y`` holds the flows of the 12 months up to its census
  (November ``Y-1`` to October ``Y`` for an October census), a two-month shift. The run's first
  record is its initial census and holds no flows, so it is never used for flow series.
- The run's first record is its input stock, not a simulated one; when a stock series uses it,
  the notes say so.
"""

import math
import re
from dataclasses import dataclass, field
from pathlib import Path

import h5py
import numpy as np
import pandas as pd

from .load import open_group, provenance

OBSERVED_DIR = Path(__file__).resolve().parents[1] / "observed"
REPO = Path(__file__).resolve().parents[2]
STATUS_MAP_FILE = REPO / "scenarios" / "data" / "japan" / "isa_status_map.csv"
DEFAULT_YEARS = (2020, 2022)
DEFAULT_CENSUS_MONTH = 10

COLUMNS = ["series", "years", "categories", "observations", "ard_model", "ard_naive", "beats_naive",
           "naive_from", "notes"]
SERIES = ("isa_total", "isa_status", "isa_prefecture", "isa_nationality", "ssw_total", "ssw_grade", "ssw_route",
          "ssw_nationality", "mhlw_total", "mhlw_nationality", "mhlw_status_group", "arrivals", "departures", "missing_interns")

# MHLW notified foreign workers (外国人雇用状況): special permanent residents need no notification.
MHLW_NOT_NOTIFIED = ("SPECIAL_PERMANENT",)
# ISA statuses that may not work at all (left out when OTHER is split between MHLW groups).
MHLW_NOT_WORKING = ("cultural_activities", "trainee")
# Model status -> MHLW status group (OTHER is split, see _mhlw_status_group). SSW is 専門的・技術的分野 in
# MHLW's tables; students' and dependants' part-time work is 資格外活動 (activities outside status).
MHLW_STATUS_GROUPS = {"TITP": "tech_intern", "TES": "tech_intern", "SSW1": "professional_technical",
                      "SSW2": "professional_technical", "ENGINEER": "professional_technical",
                      "HIGHLY_SKILLED": "professional_technical", "PERMANENT": "status_based",
                      "SPOUSE_OR_LONG_TERM": "status_based", "STUDENT": "outside_status",
                      "DEPENDENT": "outside_status"}
MHLW_GROUP_NAMES = ["professional_technical", "tech_intern", "status_based", "outside_status",
                    "designated_activities"]

# ISA status of residence (the 36 base columns, see analysis/observed/README.md) -> model status.
# Used when scenarios/data/japan/isa_status_map.csv does not exist, and for any base status that
# file leaves out. The ISA sums (tech_intern, highly_skilled_professional, ssw) are never mapped:
# they would count their parts twice.
FALLBACK_STATUS_MAP = {
    "tech_intern_1a": "TITP", "tech_intern_1b": "TITP", "tech_intern_2a": "TITP",
    "tech_intern_2b": "TITP", "tech_intern_3a": "TITP", "tech_intern_3b": "TITP",
    "ssw1": "SSW1",
    "ssw2": "SSW2",
    "engineer_humanities": "ENGINEER",
    "highly_skilled_professional_1a": "HIGHLY_SKILLED", "highly_skilled_professional_1b": "HIGHLY_SKILLED",
    "highly_skilled_professional_1c": "HIGHLY_SKILLED", "highly_skilled_professional_2": "HIGHLY_SKILLED",
    "student": "STUDENT",
    "permanent": "PERMANENT",
    "spouse_of_japanese": "SPOUSE_OR_LONG_TERM", "spouse_of_permanent": "SPOUSE_OR_LONG_TERM",
    "long_term_resident": "SPOUSE_OR_LONG_TERM",
    "special_permanent": "SPECIAL_PERMANENT",
    "dependent": "DEPENDENT",
    **{s: "OTHER" for s in (
        "professor", "artist", "religious_activities", "journalist", "business_manager",
        "legal_accounting_services", "medical_services", "researcher", "instructor",
        "intra_company_transferee", "nursing_care", "entertainer", "skilled_labor",
        "cultural_activities", "trainee", "designated_activities")},
}
ISA_STATUS_SUMS = ("total", "tech_intern", "highly_skilled_professional", "ssw")


# --------------------------------------------------------------------------------------------
# The metric and the naive forecast


def _as_frame(values):
    """A year x category DataFrame; a Series (one year, indexed by category) becomes a one-row frame."""
    if isinstance(values, pd.Series):
        return values.to_frame().T.reset_index(drop=True)
    if isinstance(values, pd.DataFrame):
        return values
    raise TypeError(f"expected a pandas Series or DataFrame, got {type(values).__name__}")


def _per_year_deviation(sim, obs, denominator):
    """Mean over the observed years of sum_c |sim - obs| / denominator(simulated, observed), over the
    cells observed in ``obs``; each must have a simulated value (ValueError otherwise)."""
    obs, sim = _as_frame(obs), _as_frame(sim)
    per_year = []
    for year, row in obs.iterrows():
        row = row.dropna()
        if row.empty:
            continue
        if year not in sim.index:
            raise ValueError(f"no simulated values for year {year}")
        missing = [c for c in row.index if c not in sim.columns or pd.isna(sim.at[year, c])]
        if missing:
            raise ValueError(f"no simulated value for year {year}, categories {missing}")
        simulated, observed = sim.loc[year, row.index].astype(float), row.astype(float)
        per_year.append(float((simulated - observed).abs().sum()) / denominator(year, simulated, observed))
    return float(np.mean(per_year)) if per_year else math.nan


def ard(sim, obs):
    """Mean over years of sum_c |sim - obs| / sum_c obs: the average relative deviation.

    ``obs`` and ``sim`` are DataFrames indexed by year with one column per category (NaN where a
    category is not observed that year), or Series indexed by category for a single year. Only the
    cells observed in ``obs`` count; ``sim`` must have a value in each of them (ValueError
    otherwise, and when a year's observed total is 0). Years with no observed cell are ignored;
    NaN when there is none at all.
    """
    def observed_total(year, simulated, observed):
        total = float(observed.sum())
        if total <= 0:
            raise ValueError(f"observed total of year {year} is {total:g}; ARD needs a positive total")
        return total

    return _per_year_deviation(sim, obs, observed_total)


def symmetric_ard(sim, obs):
    """Like ``ard`` with the mean of both sides as denominator: sum_c |sim - obs| / (sum_c (sim + obs) / 2).

    Symmetric: overshooting by a factor k scores what undershooting by k does, 2 (k - 1) / (k + 1)
    (for a total, 2 tanh(|ln(sim / obs)| / 2)), where ARD gives k - 1 and 1 - 1/k. Bounded by 2, and
    defined for cells observed as 0 (a year where both sides are 0 scores 0). Same cells and years
    as ``ard``; NaN when there is none.
    """
    def mean_of_both(year, simulated, observed):
        both = float(simulated.sum() + observed.sum()) / 2
        return both if both > 0 else math.inf

    return _per_year_deviation(sim, obs, mean_of_both)


def naive_forecast(obs, years, start=None):
    """The last observation strictly before ``start`` (default: the first of ``years``), carried forward.

    ``obs`` is a year x category DataFrame (NaN where not observed). Returns a DataFrame indexed by
    ``years`` with the same columns: for each category, its value in the latest year before ``start``
    that has one (NaN if none).
    """
    years = list(years)
    start = min(years) if start is None else start
    earlier = obs.sort_index()
    earlier = earlier[earlier.index < start]
    last = earlier.ffill().iloc[-1] if len(earlier) else pd.Series(np.nan, index=obs.columns)
    return pd.DataFrame([last.to_numpy()] * len(years), index=pd.Index(years, name=obs.index.name),
                        columns=obs.columns)


def naive_base_years(obs, start):
    """For each category, the year whose observation the naive forecast carries forward (NaN if none)."""
    earlier = obs.sort_index()
    earlier = earlier[earlier.index < start]
    return earlier.apply(lambda column: column.last_valid_index()) if len(earlier) else \
        pd.Series(np.nan, index=obs.columns, dtype=float)


# --------------------------------------------------------------------------------------------
# Observed data


def _read(observed_dir, name, **kwargs):
    path = Path(observed_dir) / name
    if not path.is_file():
        raise FileNotFoundError(f"observed table {path} is missing")
    return pd.read_csv(path, **kwargs)


def _wide(rows, year_column="year"):
    """Long rows (year, category, persons) -> DataFrame year x category."""
    frame = rows.pivot_table(index=year_column, columns="category", values="persons", aggfunc="sum")
    frame.index = frame.index.astype(int)
    frame.index.name = "year"
    frame.columns.name = "category"
    return frame.sort_index().astype(float)


def _isa_by_year(rows):
    """ISA rows with a ``date`` (YYYY-MM) -> (year x category frame, {year: note}).

    Year Y is the end of December Y; a year without a December figure uses its latest date.
    """
    rows = rows.assign(year=rows["date"].str[:4].astype(int), month=rows["date"].str[5:7].astype(int))
    chosen = rows.groupby("year")["month"].transform("max")
    rows = rows[rows["month"] == chosen]
    notes = {int(y): f"{y} = ISA {y}-{m:02d} (no December figure)"
             for y, m in rows.groupby("year")["month"].max().items() if m != 12}
    return _wide(rows), notes


class _Observed:
    """The observed tables, read once."""

    def __init__(self, observed_dir):
        self.dir = Path(observed_dir)
        self.isa = _read(self.dir, "isa_residents.csv")
        self.mhlw = _read(self.dir, "mhlw_workers.csv")
        self.ssw = _read(self.dir, "ssw.csv")
        self.flows = _read(self.dir, "flows.csv")
        by_status = _read(self.dir, "prefecture_residents_by_status.csv", dtype={"prefecture_code": str},
                          usecols=["prefecture_code", "prefecture"])
        codes = by_status.dropna().drop_duplicates()
        self.prefecture_code = {name: int(code) for name, code in zip(codes["prefecture"], codes["prefecture_code"])}
        self.prefecture_name = {code: name for name, code in self.prefecture_code.items()}

    def isa_series(self, series):
        return _isa_by_year(self.isa[self.isa["series"] == series])

    def flow(self, *series):
        rows = self.flows[self.flows["series"].isin(series)]
        if rows.empty:
            return pd.DataFrame(columns=["all"], dtype=float)
        # A year counts only if every part is observed (departures = departures_abroad + other_removals).
        wide = rows.pivot_table(index="year", columns="series", values="persons", aggfunc="sum")
        wide = wide.reindex(columns=list(series)).dropna()
        out = wide.sum(axis=1).to_frame("all").astype(float)
        out.index = out.index.astype(int)
        out.index.name = "year"
        return out


def status_mapping(path=STATUS_MAP_FILE):
    """ISA base status -> model status, and a note on where it came from.

    Read from ``path`` (columns isa_status, isa_column_ja, status) when it exists, with
    FALLBACK_STATUS_MAP for any base status it leaves out; FALLBACK_STATUS_MAP alone otherwise.
    """
    path = Path(path)
    if not path.is_file():
        return dict(FALLBACK_STATUS_MAP), f"status mapping: built-in fallback ({path.name} not found)"
    table = pd.read_csv(path, dtype=str)
    if not {"isa_status", "status"} <= set(table.columns):
        raise ValueError(f"{path}: expected columns isa_status, status; found {', '.join(table.columns)}")
    table = table.dropna(subset=["isa_status", "status"])
    mapping = {k.strip(): v.strip() for k, v in zip(table["isa_status"], table["status"])
               if k.strip() not in ISA_STATUS_SUMS}
    left_out = [s for s in FALLBACK_STATUS_MAP if s not in mapping]
    note = f"status mapping: {path.name}"
    if left_out:
        note += f" (fallback for {_names(left_out)})"
    return {**{s: FALLBACK_STATUS_MAP[s] for s in left_out}, **mapping}, note


# --------------------------------------------------------------------------------------------
# The run


class _Run:
    def __init__(self, path):
        self.path = Path(path)
        attrs = provenance(self.path)
        self.census_month = _census_month(attrs.get("scenario_yaml", ""))
        with h5py.File(self.path, "r") as f:
            self.groups = {g for g in f if isinstance(f[g], h5py.Group)}
        if "national" not in self.groups:
            raise KeyError(f"{self.path}: group 'national' is missing")
        self.national = open_group(self.path, "national")
        self.prefecture = open_group(self.path, "prefecture") if "prefecture" in self.groups else None
        self.years = [int(y) for y in self.national["year"].values]
        self.first_year = self.years[0]

    def national_by(self, measure, dim=None, status=None):
        """year x category frame of a national measure, summed over every axis but ``dim``."""
        data = self.national[measure]
        if status is not None:
            data = data.sel(status=list(status))
        keep = ("year",) + ((dim,) if dim else ())
        summed = data.sum(dim=[d for d in data.dims if d not in keep])
        if dim is None:
            frame = summed.to_pandas().to_frame("all")
        else:
            frame = summed.transpose("year", dim).to_pandas()
            frame.columns = [str(c) for c in frame.columns]
        frame.index = frame.index.astype(int)
        frame.index.name = "year"
        frame.columns.name = "category"
        return frame.astype(float)

    def labels(self, dim):
        return [str(v) for v in self.national[dim].values]


def _census_month(scenario_yaml):
    """The scenario's top-level ``census_month`` (default 10), read from the resolved YAML text."""
    match = re.search(r"^census_month:\s*(\d+)", scenario_yaml or "", flags=re.MULTILINE)
    return int(match.group(1)) if match else DEFAULT_CENSUS_MONTH


# --------------------------------------------------------------------------------------------
# The series


class _Skip(Exception):
    """A series that cannot be compared with this run or these data; the message says why."""


@dataclass
class _Spec:
    obs: pd.DataFrame                  # year x category, every observed year (NaN: not observed)
    sim: pd.DataFrame                  # year x category, the run's usable records
    flow: bool = False
    complete: bool = False             # observed categories partition the whole: unmatched run categories matter
    year_notes: dict = field(default_factory=dict)
    notes: list = field(default_factory=list)
    label: dict = field(default_factory=dict)   # category -> readable name, for notes


def _names(items, limit=6):
    items = [str(i) for i in items]
    if len(items) <= limit:
        return ", ".join(items)
    return ", ".join(items[:limit]) + f", … ({len(items)} in all)"


def _flow_sim(run, frame):
    """Flows of the run without its first record (the initial census, whose flows are 0 by construction)."""
    return frame[frame.index != run.first_year]


def _isa_total(obs, run, status_map):
    frame, year_notes = obs.isa_series("total")
    return _Spec(frame, run.national_by("stock"), year_notes=year_notes)


def _isa_status(obs, run, status_map):
    mapping, source = status_map
    rows = obs.isa[(obs.isa["series"] == "status") & ~obs.isa["category"].isin(ISA_STATUS_SUMS)]
    frame, year_notes = _isa_by_year(rows)
    model = frame.T.groupby(lambda s: mapping.get(s, "OTHER")).sum(min_count=1).T
    model.columns.name = "category"
    notes = [source]
    unmapped = sorted(set(frame.columns) - set(mapping))
    if unmapped:
        notes.append(f"ISA statuses not in the mapping counted as OTHER: {_names(unmapped)}")
    return _Spec(model, run.national_by("stock", "status"), complete=True, year_notes=year_notes, notes=notes)


def _isa_prefecture(obs, run, status_map):
    if run.prefecture is None:
        raise _Skip("the run has no 'prefecture' group")
    rows = obs.isa[(obs.isa["series"] == "prefecture") & (obs.isa["category"] != "unknown")]
    unknown = sorted(set(rows["category"]) - set(obs.prefecture_code))
    if unknown:
        raise _Skip(f"no JIS code for observed prefectures {_names(unknown)}")
    rows = rows.assign(category=rows["category"].map(obs.prefecture_code))
    frame, year_notes = _isa_by_year(rows)
    stock = run.prefecture["stock"].sum(dim=("status", "field")).transpose("year", "prefecture").to_pandas()
    stock.index = stock.index.astype(int)
    stock.columns = [int(c) for c in stock.columns]
    stock.index.name, stock.columns.name = "year", "category"
    return _Spec(frame, stock.astype(float), year_notes=year_notes,
                 notes=["ISA prefecture unknown (未定・不詳) left out"], label=obs.prefecture_name)


def _fold_into_other(frame, kept, note):
    """The columns of ``frame`` not in ``kept`` are added to its 'other', when both have an 'other' (one
    side pools there what the other names); ``note`` says so, with {names} for those columns."""
    if "other" not in frame.columns or "other" not in kept:
        return frame, []
    extra = [c for c in frame.columns if c not in kept]
    if not extra:
        return frame, []
    folded = frame.drop(columns=extra)
    folded["other"] = frame[["other"] + extra].sum(axis=1, min_count=1)
    return folded, [note.format(names=_names(extra))]


def _isa_nationality(obs, run, status_map):
    frame, year_notes = obs.isa_series("nationality")
    frame, notes = _fold_into_other(frame, run.labels("origin"),
                                    "ISA nationalities {names} (not origins of the run) counted in other")
    # ISA's その他 pools origins of the run it does not name (Myanmar, Peru, Cambodia).
    sim, run_notes = _fold_into_other(run.national_by("stock", "origin"), set(frame.columns),
                                      "run origins {names} (not in the observed table) counted in other")
    return _Spec(frame, sim, complete=True, year_notes=year_notes, notes=notes + run_notes)


def _ssw_total(obs, run, status_map):
    statuses = [s for s in ("SSW1", "SSW2") if s in run.labels("status")]
    if not statuses:
        raise _Skip("the run has no status SSW1 or SSW2")
    frame, year_notes = _isa_by_year(obs.ssw[obs.ssw["series"] == "total"])
    notes = [] if len(statuses) == 2 else [f"the run has only {statuses[0]}"]
    return _Spec(frame, run.national_by("stock", status=statuses), year_notes=year_notes, notes=notes)


def _ssw_grade(obs, run, status_map):
    if not {"SSW1", "SSW2"} <= set(run.labels("status")):
        raise _Skip("the run lacks status SSW1 or SSW2")
    rows = obs.ssw[obs.ssw["series"].isin(["ssw1", "ssw2"])]
    frame, year_notes = _isa_by_year(rows.assign(category=rows["series"].str.upper()))
    return _Spec(frame, run.national_by("stock", "status")[["SSW1", "SSW2"]], complete=True, year_notes=year_notes)


def _ssw_nationality(obs, run, status_map):
    if "SSW1" not in run.labels("status"):
        raise _Skip("the run has no status SSW1")
    frame, year_notes = _isa_by_year(obs.ssw[obs.ssw["series"] == "nationality"])
    notes = ["SSW1 holders; the statistics name the largest nationalities only"]
    return _Spec(frame, run.national_by("stock", "origin", status=["SSW1"]), year_notes=year_notes, notes=notes)


def _ssw_route(obs, run, status_map):
    """SSW holders by how they got the status: the run's SSW stock split in the proportions of its inflows.

    The run does not record a holder's route, so the SSW1 + SSW2 stock of record Y is divided as the
    run's inflows into SSW1 since its start up to Y are: entries (admitted from abroad) and
    transitions_in (change of status in Japan). SSW2 holders came through SSW1, so share its split.
    """
    statuses = run.labels("status")
    if not {"SSW1", "SSW2"} <= set(statuses):
        raise _Skip("the run lacks status SSW1 or SSW2")
    rows = obs.ssw[obs.ssw["series"] == "route"]
    frame, year_notes = _isa_by_year(rows)
    inflow = pd.concat({"admitted_from_abroad": run.national_by("entries", status=["SSW1"])["all"],
                        "change_of_status_in_japan": run.national_by("transitions_in", status=["SSW1"])["all"]},
                       axis=1).cumsum()
    share = inflow.div(inflow.sum(axis=1), axis=0)
    sim = share.mul(run.national_by("stock", status=["SSW1", "SSW2"])["all"], axis=0).dropna()
    sim.columns.name = "category"
    notes = ["sim = SSW stock split as the run's inflows into SSW1 since its start (entries; transitions_in)"]
    return _Spec(frame, sim, year_notes=year_notes, notes=notes)


def _mhlw(obs, series):
    rows = obs.mhlw[obs.mhlw["series"] == series]
    return _wide(rows)


def _notified_workers(run, dim=None):
    """The run's workers as MHLW counts them (notified foreign workers): special permanent residents need
    no notification and are left out; every other status is counted (docs/validation.md)."""
    statuses = [s for s in run.labels("status") if s not in MHLW_NOT_NOTIFIED]
    left_out = [s for s in run.labels("status") if s in MHLW_NOT_NOTIFIED]
    notes = [f"workers without {', '.join(left_out)} (not notified to MHLW)"] if left_out else []
    return run.national_by("workers", dim, status=statuses), notes


def _mhlw_total(obs, run, status_map):
    sim, notes = _notified_workers(run)
    return _Spec(_mhlw(obs, "total"), sim, notes=notes + _mhlw_month_note(run))


def _mhlw_nationality(obs, run, status_map):
    sim, notes = _notified_workers(run, "origin")
    notes = ["MHLW lists the largest nationalities only"] + notes + _mhlw_month_note(run)
    return _Spec(_mhlw(obs, "nationality"), sim, notes=notes)


def _other_professional_share(obs, status_map):
    """{year: share of OTHER's working statuses that MHLW counts as professional/technical}: the ISA stock of
    the statuses mapped to OTHER other than designated activities (MHLW's own group) and the statuses that
    may not work (cultural activities, trainee), over those plus designated activities, by ISA year."""
    mapping, _ = status_map
    rows = obs.isa[(obs.isa["series"] == "status") & ~obs.isa["category"].isin(ISA_STATUS_SUMS)]
    frame, _ = _isa_by_year(rows)
    other = [c for c in frame.columns if mapping.get(c, "OTHER") == "OTHER" and c not in MHLW_NOT_WORKING]
    professional = frame[[c for c in other if c != "designated_activities"]].sum(axis=1)
    return (professional / frame[other].sum(axis=1)).dropna().to_dict()


def _mhlw_status_group(obs, run, status_map):
    """MHLW status groups from the run's notified workers by status (MHLW_STATUS_GROUPS); OTHER is split
    between professional/technical and designated activities by its ISA mix of the nearest year."""
    rows = obs.mhlw[(obs.mhlw["series"] == "status_group") & obs.mhlw["category"].isin(MHLW_GROUP_NAMES)]
    by_status, notes = _notified_workers(run, "status")
    share = _other_professional_share(obs, status_map)
    if not share:
        raise _Skip("no ISA status mix to split OTHER")
    sim = pd.DataFrame(0.0, index=by_status.index, columns=MHLW_GROUP_NAMES)
    for status in by_status.columns:
        group = MHLW_STATUS_GROUPS.get(status)
        if group is not None:
            sim[group] += by_status[status]
    if "OTHER" in by_status.columns:
        nearest = [share[min(share, key=lambda y: (abs(y - year), -y))] for year in by_status.index]
        sim["professional_technical"] += by_status["OTHER"] * nearest
        sim["designated_activities"] += by_status["OTHER"] * (1 - np.array(nearest))
    sim.columns.name = "category"
    notes = ["MHLW status groups partial (not every group every year); OTHER split by its ISA mix "
             "(designated activities vs the professional statuses), SSW counted as professional"] + notes
    return _Spec(_wide(rows), sim, notes=notes + _mhlw_month_note(run))


def _mhlw_month_note(run):
    if run.census_month == 10:
        return []
    return [f"MHLW end of October vs census month {run.census_month}"]


def _arrivals(obs, run, status_map):
    notes = ["entries include family members who joined (family_joined not added again)"]
    return _Spec(obs.flow("arrivals_from_abroad"), _flow_sim(run, run.national_by("entries")), flow=True,
                 notes=notes)


def _departures(obs, run, status_map):
    sim = run.national_by("exits") + run.national_by("absconded")
    notes = ["sim = exits + absconded (absconders leave the modelled population)"]
    return _Spec(obs.flow("departures_abroad", "other_removals"), _flow_sim(run, sim), flow=True, notes=notes)


def _missing_interns(obs, run, status_map):
    if "TITP" not in run.labels("status"):
        raise _Skip("the run has no status TITP")
    sim = run.national_by("absconded", status=["TITP"])
    return _Spec(obs.flow("missing_tech_interns"), _flow_sim(run, sim), flow=True)


_BUILDERS = {
    "isa_total": _isa_total,
    "isa_status": _isa_status,
    "isa_prefecture": _isa_prefecture,
    "isa_nationality": _isa_nationality,
    "ssw_total": _ssw_total,
    "ssw_grade": _ssw_grade,
    "ssw_route": _ssw_route,
    "ssw_nationality": _ssw_nationality,
    "mhlw_total": _mhlw_total,
    "mhlw_nationality": _mhlw_nationality,
    "mhlw_status_group": _mhlw_status_group,
    "arrivals": _arrivals,
    "departures": _departures,
    "missing_interns": _missing_interns,
}


# --------------------------------------------------------------------------------------------
# Putting it together


def _years_text(years):
    years = sorted(years)
    if len(years) > 1 and years == list(range(years[0], years[-1] + 1)):
        return f"{years[0]}-{years[-1]}"
    return ",".join(str(y) for y in years)


def _evaluate(name, spec, window, run, metric=ard):
    """One row of the table, or _Skip."""
    obs, sim = spec.obs, spec.sim
    show = lambda cats: _names(spec.label.get(c, c) for c in cats)  # noqa: E731
    observed_years = [y for y in window if y in obs.index and obs.loc[y].notna().any()]
    simulated_years = [y for y in window if y in sim.index]
    years = [y for y in observed_years if y in simulated_years]
    if not years:
        why = (f"no year both observed ({_years_text(observed_years) or 'none'}) and simulated "
               f"({_years_text(simulated_years) or 'none'}) in {_years_text(window)}")
        if spec.flow and run.first_year in window:
            why += f"; the run's first record ({run.first_year}) is its initial census and holds no flows"
        raise _Skip(why)

    notes = list(spec.notes)
    not_in_run = set()
    cells = []                                  # (year, category) observed and simulated
    for y in years:
        observed = obs.loc[y].dropna().index
        not_in_run |= {c for c in observed if c not in sim.columns}
        cells += [(y, c) for c in observed if c in sim.columns]
    if not cells:
        raise _Skip(f"no observed category is in the run ({show(sorted(not_in_run))} observed)")
    if not_in_run:
        notes.append(f"observed, not in the run (left out): {show(sorted(not_in_run))}")
    if spec.complete:
        compared = {c for _, c in cells}
        unmatched = [c for c in sim.columns if c not in compared and sim.loc[years, c].sum() > 0]
        if unmatched:
            notes.append(f"run categories with no observed counterpart (not compared): {show(unmatched)}")

    start = window[0]
    naive = naive_forecast(obs, years, start=start)
    has_naive = [(y, c) for y, c in cells if pd.notna(naive.at[y, c])]
    if has_naive:
        dropped = sorted({c for y, c in cells if (y, c) not in set(has_naive)})
        if dropped:
            notes.append(f"no observation before {start}, left out of both ARDs: {show(dropped)}")
        cells = has_naive
    else:
        notes.append(f"naive n/a: no observation before {start}")

    zero_years = [y for y in years if sum(obs.at[yy, c] for yy, c in cells if yy == y) <= 0]
    if zero_years:
        notes.append(f"observed total 0 in {_years_text(zero_years)} (year left out)")
        cells = [(y, c) for y, c in cells if y not in zero_years]
        if not cells:
            raise _Skip("every observed total in the window is 0")
    years = sorted({y for y, _ in cells})
    categories = sorted({c for _, c in cells}, key=str)
    used = pd.DataFrame(np.nan, index=pd.Index(years, name="year"), columns=categories)
    for y, c in cells:
        used.at[y, c] = obs.at[y, c]

    ard_model = metric(sim.loc[years, categories], used)
    ard_naive = metric(naive.loc[years, categories], used) if has_naive else math.nan
    base = naive_base_years(obs[categories], start).dropna().astype(int) if has_naive else pd.Series(dtype=int)
    naive_from = "" if base.empty else (
        str(base.min()) if base.min() == base.max() else f"{base.min()}-{base.max()}")

    if not spec.flow and run.first_year in years:
        notes.append(f"{run.first_year} is the run's initial census (its input stock)")
    notes += [spec.year_notes[y] for y in years if y in spec.year_notes]
    return {
        "series": name,
        "years": _years_text(years),
        "categories": len(categories),
        "observations": len(cells),
        "ard_model": ard_model,
        "ard_naive": ard_naive,
        "beats_naive": (ard_model < ard_naive) if has_naive else None,
        "naive_from": naive_from,
        "notes": "; ".join(notes),
    }


def _window(years):
    first, last = (years, years) if isinstance(years, int) else (min(years), max(years))
    return list(range(int(first), int(last) + 1))


def validation_table(run_path, observed_dir=OBSERVED_DIR, years=DEFAULT_YEARS, status_map=STATUS_MAP_FILE,
                     series=SERIES, metric=ard):
    """The validation table of a run: one row per series that can be compared.

    ``years``: the validation window, (first, last) inclusive, or one year (default 2020-2022).
    Columns: series, years (those used), categories, observations ((year, category) cells),
    ard_model, ard_naive (NaN when no observation precedes the window), beats_naive (True/False, or
    None when naive is n/a), naive_from (the years the naive forecast carries forward), notes.
    ``table.attrs``: "skipped" ({series: why}), "window" (list of years), "census_month".
    ``metric``: the score in the columns ard_model and ard_naive (``ard``, or e.g. ``symmetric_ard``).
    """
    return validation_tables(run_path, [years], observed_dir, status_map, series, metric)[0]


def validation_tables(run_path, windows, observed_dir=OBSERVED_DIR, status_map=STATUS_MAP_FILE, series=SERIES,
                      metric=ard):
    """``validation_table`` for several windows (a list of ``years``), reading the run and the data once."""
    run = _Run(run_path)
    obs = _Observed(observed_dir)
    mapping = status_mapping(status_map) if "isa_status" in series else None
    specs = {}
    for name in series:
        try:
            specs[name] = _BUILDERS[name](obs, run, mapping)
        except _Skip as why:
            specs[name] = why
    tables = []
    for years in windows:
        window = _window(years)
        rows, skipped = [], {}
        for name, spec in specs.items():
            try:
                if isinstance(spec, _Skip):
                    raise spec
                rows.append(_evaluate(name, spec, window, run, metric))
            except _Skip as why:
                skipped[name] = str(why)
        table = pd.DataFrame(rows, columns=COLUMNS)
        table.attrs.update(skipped=skipped, window=window, census_month=run.census_month, metric=metric.__name__)
        tables.append(table)
    return tables


def format_table(table):
    """The table as fixed-width text: one line per series, then the notes and the skipped series."""
    header = ["series", "years", "categories", "observations", "ARD model", "ARD naive", "model beats naive",
              "naive from"]
    cells = []
    for row in table.itertuples(index=False):
        beats = "n/a" if row.beats_naive is None or pd.isna(row.beats_naive) else ("yes" if row.beats_naive else "no")
        cells.append([row.series, row.years, str(row.categories), str(row.observations),
                      _number(row.ard_model), _number(row.ard_naive), beats, row.naive_from or "-"])
    widths = [max(len(h), *(len(c[i]) for c in cells)) if cells else len(h) for i, h in enumerate(header)]
    right = {2, 3, 4, 5}
    fmt = lambda values: "  ".join(  # noqa: E731
        v.rjust(w) if i in right else v.ljust(w) for i, (v, w) in enumerate(zip(values, widths))).rstrip()
    lines = [fmt(header)] + [fmt(c) for c in cells]
    if not cells:
        lines.append("(no series could be compared)")
    notes = [(row.series, row.notes) for row in table.itertuples(index=False) if row.notes]
    if notes:
        lines.append("notes:")
        lines += [f"  {name}: {text}" for name, text in notes]
    month = table.attrs.get("census_month", DEFAULT_CENSUS_MONTH)
    lines.append(f"time: run record Y (census month {month}) vs ISA end of December Y, MHLW end of October Y, "
                 f"flows of calendar year Y (run: the 12 months up to census Y)")
    skipped = table.attrs.get("skipped", {})
    if skipped:
        lines.append("skipped: " + "; ".join(f"{name} ({why})" for name, why in skipped.items()))
    return "\n".join(lines)


def _number(value):
    return "n/a" if value is None or pd.isna(value) else f"{value:.3f}"


def parse_years(text):
    """'2020-2022' -> (2020, 2022); '2022' -> (2022, 2022)."""
    match = re.fullmatch(r"\s*(\d{4})\s*(?:[-–:]\s*(\d{4}))?\s*", text)
    if not match:
        raise ValueError(f"expected YEAR or FIRST-LAST (e.g. 2020-2022), got {text!r}")
    first = int(match.group(1))
    last = int(match.group(2) or first)
    if last < first:
        raise ValueError(f"the window {text!r} ends before it starts")
    return first, last
