#!/usr/bin/env python3
"""Calibrate migsim's behavioural parameters against the observations of 2019-2022.

    /usr/bin/python3 analysis/calibrate.py [--scenario scenarios/backtest_2019.yaml] [--scale 0.1]
        [--budget 150] [--seed N] [--out analysis/calibration]

Run from the repository root (any folder works; paths are taken relative to the current folder).
``--scenario-rev REV`` takes the scenario files from a git commit instead of the working tree, so
that a recorded calibration can be repeated after its results were written into the scenarios.
``MIGSIM_BIN`` overrides the binary (default ``build/migsim``). The method is described in
docs/validation.md, section "Calibration".

**What is fitted.** Eight behavioural parameters (``PARAMETERS`` below), each searched in a range:

====================== ============= ====================================================================
parameter              range         how it reaches the scenario (``migsim run --set``)
====================== ============= ====================================================================
applicant_multiplier   0.3 - 3       ``origins.<o>.orientation_to_work_abroad`` = base × value, every origin
closure_admit_share    0.02 - 0.6    ``events[0].admit_share`` (the 2020-04..2022-03 border closure)
titp_to_ssw1_pass_rate 0.02 - 0.9    ``statuses.TITP.transitions[k].pass_rate`` (k: the transition to SSW1)
exit_multiplier        0.3 - 4       every status's ``exit_rate_per_year`` = base × value (statuses
                                     without the key have rate 0 and are left alone)
family_join_rate       0.002 - 0.1   ``family.join_rate_per_month``
titp_abscond_rate      0.002 - 0.06  ``statuses.TITP.abscond_rate_per_year``
student_exit_rate      0.02 - 0.4    ``statuses.STUDENT.exit_rate_per_year`` (set after the multiplier,
                                     so it overrides it for STUDENT)
ssw1_entry_multiplier  0.1 - 3       ``origins.<o>.channels.SSW1`` = base × value, every origin
====================== ============= ====================================================================

"base" is the value in the resolved scenario (``migsim validate``; origins from their CSV table,
orientation 1 where the table has none). The baseline point (the scenario as it is: multipliers 1,
the other parameters at their scenario values) is evaluated first; its objective is the "before".

**Objective.** Each evaluation runs the backtest once (``migsim run SCENARIO --scale S --seed N
--set ... -q``) and scores it with ``migsim_analysis.validate.validation_table`` over the window
2020-2022. The objective is the unweighted mean of the model's ARD over the ten series
``isa_total, isa_status, isa_prefecture, isa_nationality, ssw_total, mhlw_total, mhlw_nationality,
arrivals, departures, missing_interns`` (equal weights: a total counts as much as a breakdown). A
run that fails, or leaves a series out, scores infinity.

**Common random numbers.** Every evaluation uses the same seed (``--seed``, default the scenario's
own), so two parameter vectors are compared on the same random draws and the objective is a
deterministic function of the parameters: the whole search is repeatable. (It is still rough:
a small change of a parameter can move individual draws.) Results do not depend on the number of
threads, so runs go ``--jobs`` at a time (default 2) with ``--threads`` each.

**Search.** In the unit cube ``u`` in [0, 1]^8 with a log scale for every parameter
(value = lo × (hi / lo)^u; all the ranges span a factor of 10 or more):

1. the baseline point (1 run);
2. a Latin hypercube of ``--initial`` points (default 40; scipy.stats.qmc, seed ``--search-seed``);
3. Nelder-Mead (scipy.optimize.minimize, adaptive, bounded to the cube) from the best point so
   far, with an initial simplex of side 0.25; when a Nelder-Mead pass ends without improving, the
   next starts from the best point with half the side (restarts stop below 0.02). The passes
   continue until the budget is spent.

Every run counts against ``--budget`` (default 150) except repeats of an already evaluated vector
(cached). Afterwards, outside the budget: the best vector is written as a scenario fragment
(best.yaml), the fragment is checked by running ``SCENARIO + best.yaml`` (a temporary scenario that
extends SCENARIO) at the calibration scale, which must reproduce the best objective, and once at
``--final-scale`` (default 1.0); the baseline is also run at full scale, for comparison.

**Outputs** (in ``--out``, default analysis/calibration):

- ``evaluations.csv``: one row per run: eval, stage, scale, the eight parameters, the model ARD of
  every series (``ard_<series>``), objective, seconds, error;
- ``best.yaml``: the best parameters in scenario syntax (keys for japan_baseline.yaml; origins;
  the closure's admit_share for backtest_2019.yaml);
- ``validation_best.txt``: the validation tables (model and naive ARD per series) of the best
  parameters at the calibration scale and at full scale, and of the baseline, for comparison.

With the defaults (150 runs at scale 0.1, two at a time on two cores) the calibration takes about
7 minutes, the final full-scale checks included.

The binary is copied once at the start (after waiting up to ``--wait`` seconds if it is missing,
e.g. during a rebuild), so that a rebuild during the calibration cannot mix two versions; its
version and SHA-256 are recorded.
"""

import argparse
import concurrent.futures
import csv
import hashlib
import io
import math
import os
import shlex
import shutil
import subprocess
import sys
import tarfile
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
import yaml
from scipy.optimize import minimize
from scipy.stats import qmc

sys.path.insert(0, str(Path(__file__).resolve().parent))
from migsim_analysis.validate import SERIES, format_table, validation_table  # noqa: E402

REPO = Path(__file__).resolve().parents[1]
WINDOW = (2020, 2022)
OBJECTIVE_SERIES = ("isa_total", "isa_status", "isa_prefecture", "isa_nationality", "ssw_total", "mhlw_total",
                    "mhlw_nationality", "arrivals", "departures", "missing_interns")
assert set(OBJECTIVE_SERIES) <= set(SERIES)


@dataclass(frozen=True)
class Parameter:
    name: str
    lo: float
    hi: float
    meaning: str


PARAMETERS = (
    Parameter("applicant_multiplier", 0.3, 3.0, "x origins.<o>.orientation_to_work_abroad, every origin"),
    Parameter("closure_admit_share", 0.02, 0.6, "events[0].admit_share (border closure 2020-04..2022-03)"),
    Parameter("titp_to_ssw1_pass_rate", 0.02, 0.9, "statuses.TITP.transitions[k].pass_rate (to SSW1)"),
    Parameter("exit_multiplier", 0.3, 4.0, "x statuses.<s>.exit_rate_per_year, every status that has one"),
    Parameter("family_join_rate", 0.002, 0.1, "family.join_rate_per_month"),
    Parameter("titp_abscond_rate", 0.002, 0.06, "statuses.TITP.abscond_rate_per_year"),
    Parameter("student_exit_rate", 0.02, 0.4, "statuses.STUDENT.exit_rate_per_year (after the multiplier)"),
    Parameter("ssw1_entry_multiplier", 0.1, 3.0, "x origins.<o>.channels.SSW1, every origin"),
)
NAMES = [p.name for p in PARAMETERS]
LO = np.array([p.lo for p in PARAMETERS])
HI = np.array([p.hi for p in PARAMETERS])


def to_params(u):
    """Unit cube -> parameter values (log scale in every coordinate)."""
    u = np.clip(np.asarray(u, dtype=float), 0.0, 1.0)
    return LO * (HI / LO) ** u


def to_unit(x):
    """Parameter values -> unit cube (inverse of to_params)."""
    return np.log(np.asarray(x, dtype=float) / LO) / np.log(HI / LO)


def fmt(value):
    """The text of a value on the command line and in best.yaml (6 significant digits)."""
    return f"{value:.6g}"


# --------------------------------------------------------------------------------------------
# The scenario's base values


class Base:
    """What the parameters act on, read from the resolved scenario (``migsim validate``)."""

    def __init__(self, binary, scenario):
        out = subprocess.run([str(binary), "validate", str(scenario)], capture_output=True, text=True, cwd=os.getcwd())
        if out.returncode != 0:
            raise SystemExit(f"calibrate: migsim validate {scenario} failed:\n{out.stderr}")
        tree = yaml.safe_load(out.stdout)        # the first line is a '# ...: valid.' comment
        self.tree = tree
        self.seed = int(tree.get("seed", 1))
        statuses = tree["statuses"]
        self.exit_rates = {s: float(v["exit_rate_per_year"]) for s, v in statuses.items()
                           if v and "exit_rate_per_year" in v}
        for needed in ("TITP", "STUDENT"):
            if needed not in statuses:
                raise SystemExit(f"calibrate: the scenario has no status {needed}")
        transitions = statuses["TITP"].get("transitions") or []
        to_ssw1 = [k for k, t in enumerate(transitions) if t.get("to") == "SSW1"]
        if not to_ssw1:
            raise SystemExit("calibrate: statuses.TITP has no transition to SSW1")
        self.titp_transition_index = to_ssw1[0]
        self.titp_transitions = transitions
        self.titp_pass_rate = float(transitions[self.titp_transition_index].get("pass_rate", 1.0))
        self.titp_abscond = float(statuses["TITP"].get("abscond_rate_per_year", 0.0))
        self.student_exit = float(self.exit_rates.get("STUDENT", 0.0))
        self.join_rate = float((tree.get("family") or {}).get("join_rate_per_month", 0.05))
        self.events = tree.get("events") or []
        if not self.events or self.events[0].get("type") != "border_closure":
            raise SystemExit("calibrate: events[0] of the scenario is not a border_closure")
        self.admit_share = float(self.events[0].get("admit_share", 0.0))
        self.orientation, self.ssw1_weight = self._origins(tree["origins"])

    @staticmethod
    def _origins(origins):
        """{origin: base orientation_to_work_abroad}, {origin: base channels.SSW1 weight}."""
        if isinstance(origins, dict) and "csv" in origins:
            path = Path(origins["csv"])
            path = path if path.is_absolute() else Path(os.getcwd()) / path
            table = pd.read_csv(path, dtype={origins.get("key", "name"): str})
            key = origins.get("key", "name")
            orientation = table["orientation_to_work_abroad"] if "orientation_to_work_abroad" in table else \
                pd.Series(np.nan, index=table.index)
            ssw1 = table["channels.SSW1"] if "channels.SSW1" in table else pd.Series(np.nan, index=table.index)
            names = table[key].tolist()
            return ({o: 1.0 if pd.isna(v) else float(v) for o, v in zip(names, orientation)},
                    {o: None if pd.isna(v) else float(v) for o, v in zip(names, ssw1)})
        orientation = {o: float((v or {}).get("orientation_to_work_abroad", 1.0)) for o, v in origins.items()}
        ssw1 = {o: (v or {}).get("channels", {}).get("SSW1") for o, v in origins.items()}
        return orientation, {o: None if w is None else float(w) for o, w in ssw1.items()}

    def baseline(self):
        """The parameter vector of the scenario as it is."""
        return np.array([1.0, self.admit_share, self.titp_pass_rate, 1.0, self.join_rate, self.titp_abscond,
                         self.student_exit, 1.0])

    def settings(self, x):
        """Parameter vector -> ordered {key path: value text} of the scenario keys it sets."""
        p = dict(zip(NAMES, x))
        out = {}
        for origin, base in self.orientation.items():
            out[f"origins.{origin}.orientation_to_work_abroad"] = fmt(min(100.0, base * p["applicant_multiplier"]))
        for origin, base in self.ssw1_weight.items():
            if base is not None:
                out[f"origins.{origin}.channels.SSW1"] = fmt(min(1e6, base * p["ssw1_entry_multiplier"]))
        out["events[0].admit_share"] = fmt(p["closure_admit_share"])
        out[f"statuses.TITP.transitions[{self.titp_transition_index}].pass_rate"] = fmt(p["titp_to_ssw1_pass_rate"])
        for status, base in self.exit_rates.items():
            if base > 0:
                out[f"statuses.{status}.exit_rate_per_year"] = fmt(min(1.0, base * p["exit_multiplier"]))
        out["statuses.STUDENT.exit_rate_per_year"] = fmt(p["student_exit_rate"])   # overrides the multiplier
        out["family.join_rate_per_month"] = fmt(p["family_join_rate"])
        out["statuses.TITP.abscond_rate_per_year"] = fmt(p["titp_abscond_rate"])
        return out


# --------------------------------------------------------------------------------------------
# One evaluation


class BudgetExhausted(Exception):
    pass


def score(table):
    """{series: model ARD} and the objective (mean over OBJECTIVE_SERIES; inf if any is missing)."""
    ards = {row.series: float(row.ard_model) for row in table.itertuples(index=False)}
    values = [ards.get(s, math.nan) for s in OBJECTIVE_SERIES]
    objective = float(np.mean(values)) if all(np.isfinite(values)) else math.inf
    return ards, objective


class Evaluator:
    """Runs migsim for parameter vectors, caches the results, counts the budget, logs every run."""

    def __init__(self, binary, scenario, base, scale, seed, threads, jobs, budget, workdir, log_path):
        self.binary, self.scenario, self.base = binary, scenario, base
        self.scale, self.seed, self.threads, self.jobs = scale, seed, threads, jobs
        self.budget, self.workdir = budget, Path(workdir)
        self.cache = {}                     # key (the --set texts) -> (objective, ards)
        self.used = 0
        self.best = (math.inf, None, None)  # (objective, x, ards)
        self.rows = []
        self.log_path = Path(log_path)
        self.columns = (["eval", "stage", "scale"] + NAMES + [f"ard_{s}" for s in OBJECTIVE_SERIES]
                        + ["objective", "seconds", "error"])
        with open(self.log_path, "w", newline="") as f:
            csv.writer(f).writerow(self.columns)
        self.pool = concurrent.futures.ThreadPoolExecutor(max_workers=jobs)

    @property
    def remaining(self):
        return self.budget - self.used

    def command(self, x, output, scale=None, scenario=None, with_settings=True):
        cmd = [str(self.binary), "run", str(scenario or self.scenario), "--scale", fmt(scale or self.scale),
               "--seed", str(self.seed), "--threads", str(self.threads), "-q", "-o", str(output)]
        if with_settings:
            for key, value in self.base.settings(x).items():
                cmd += ["--set", f"{key}={value}"]
        return cmd

    def run(self, x, tag, scale=None, scenario=None, with_settings=True):
        """One run and its validation table: (table or None, seconds, error text)."""
        output = self.workdir / f"{tag}.h5"
        start = time.monotonic()
        cmd = self.command(x, output, scale, scenario, with_settings)
        proc = subprocess.run(cmd, capture_output=True, text=True)
        if proc.returncode != 0:
            return None, time.monotonic() - start, f"migsim exit {proc.returncode}: {proc.stderr.strip()[-300:]}"
        try:
            table = validation_table(output, years=WINDOW)
        except Exception as e:  # noqa: BLE001 - any failure scores infinity, with its reason logged
            return None, time.monotonic() - start, f"validation: {e}"
        finally:
            output.unlink(missing_ok=True)
        return table, time.monotonic() - start, ""

    def record(self, stage, x, ards, objective, seconds, error, scale):
        row = [len(self.rows) + 1, stage, fmt(scale)] + [fmt(v) for v in x] + \
              [("" if s not in ards else f"{ards[s]:.6f}") for s in OBJECTIVE_SERIES] + \
              [f"{objective:.6f}", f"{seconds:.2f}", error]
        self.rows.append(row)
        with open(self.log_path, "a", newline="") as f:
            csv.writer(f).writerow(row)
        return row[0]

    def evaluate_many(self, xs, stage):
        """Evaluate vectors (in parallel, at most the remaining budget of new ones); their objectives."""
        keys = [tuple(self.base.settings(x).values()) for x in xs]
        todo, seen = [], set()
        for x, key in zip(xs, keys):
            if key not in self.cache and key not in seen:
                seen.add(key)
                todo.append((x, key))
        todo = todo[:max(0, self.remaining)]
        futures = [self.pool.submit(self.run, x, f"eval{self.used + i + 1}") for i, (x, _) in enumerate(todo)]
        self.used += len(todo)
        for (x, key), future in zip(todo, futures):
            table, seconds, error = future.result()
            ards, objective = score(table) if table is not None else ({}, math.inf)
            n = self.record(stage, x, ards, objective, seconds, error, self.scale)
            self.cache[key] = (objective, ards)
            if objective < self.best[0]:
                self.best = (objective, np.array(x), ards)
            mark = " *" if self.best[0] == objective else ""
            print(f"[{n:4d}/{self.budget}] {stage:<12} objective {objective:8.4f}   best {self.best[0]:.4f}"
                  f"   {seconds:5.1f} s{mark}{'   ' + error if error else ''}", flush=True)
        return [self.cache[k][0] if k in self.cache else math.inf for k in keys]

    def objective_unit(self, u, stage):
        """The objective at a point of the unit cube, for scipy; BudgetExhausted when no run is left."""
        x = to_params(u)
        key = tuple(self.base.settings(x).values())
        if key not in self.cache and self.remaining <= 0:
            raise BudgetExhausted
        return self.evaluate_many([x], stage)[0]

    def close(self):
        self.pool.shutdown()


# --------------------------------------------------------------------------------------------
# The search


def simplex_around(u, side):
    """Initial Nelder-Mead simplex: u and u ± side along each axis (inward when + leaves the cube)."""
    points = [np.array(u, dtype=float)]
    for i in range(len(u)):
        v = np.array(u, dtype=float)
        v[i] = v[i] + side if v[i] + side <= 1.0 else v[i] - side
        points.append(np.clip(v, 0.0, 1.0))
    return np.array(points)


def search(ev, base, n_initial, search_seed):
    x0 = base.baseline()
    ev.evaluate_many([x0], "baseline")
    n_initial = max(0, min(n_initial, ev.remaining))
    if n_initial:
        sample = qmc.LatinHypercube(d=len(PARAMETERS), seed=search_seed).random(n_initial)
        ev.evaluate_many([to_params(u) for u in sample], "lhs")
    side, passes = 0.25, 0
    while ev.remaining > 0 and side >= 0.02:
        passes += 1
        stage = f"nm{passes}"
        start_obj = ev.best[0]
        simplex = simplex_around(to_unit(ev.best[1]), side)
        ev.evaluate_many([to_params(u) for u in simplex], stage)       # the first simplex, two at a time
        try:
            minimize(lambda u: ev.objective_unit(u, stage), simplex[0], method="Nelder-Mead",
                     bounds=[(0.0, 1.0)] * len(PARAMETERS),
                     options={"initial_simplex": simplex, "maxfev": 10 ** 6, "xatol": 2e-3, "fatol": 1e-4,
                              "adaptive": True})
        except BudgetExhausted:
            break
        if ev.best[0] >= start_obj - 1e-9:
            side /= 2


# --------------------------------------------------------------------------------------------
# Outputs


def flow(value):
    """A small YAML flow value: {a: 1, b: [x, y]}."""
    if isinstance(value, dict):
        return "{" + ", ".join(f"{k}: {flow(v)}" for k, v in value.items()) + "}"
    if isinstance(value, list):
        return "[" + ", ".join(flow(v) for v in value) + "]"
    if isinstance(value, float):
        return fmt(value)
    return str(value)


def best_yaml(base, x, header):
    """The best parameters as a scenario fragment (a valid overlay of the calibration scenario)."""
    s = base.settings(x)
    lines = [f"# {line}" for line in header]
    lines += ["#", "# --- for scenarios/japan_baseline.yaml: the new values of these keys ---",
              "statuses:"]
    for status in base.exit_rates:
        entries = []
        if status == "TITP":
            transitions = [dict(t) for t in base.titp_transitions]
            transitions[base.titp_transition_index]["pass_rate"] = float(s[
                f"statuses.TITP.transitions[{base.titp_transition_index}].pass_rate"])
            entries.append("    transitions:")
            entries += [f"      - {flow(t)}" for t in transitions]
        key = f"statuses.{status}.exit_rate_per_year"
        if key in s:
            entries.append(f"    exit_rate_per_year: {s[key]}")
        if status == "TITP":
            entries.append(f"    abscond_rate_per_year: {s['statuses.TITP.abscond_rate_per_year']}")
        if entries:
            lines.append(f"  {status}:")
            lines += entries
    lines += ["family:", f"  join_rate_per_month: {s['family.join_rate_per_month']}",
              "# Origins: japan_baseline.yaml reads them from data/japan/origins.csv, and a {csv: ...} table",
              "# cannot take inline entries beside it. Either put these values in the table (a column",
              "# orientation_to_work_abroad, new channels.SSW1 weights) or keep this mapping in a scenario",
              "# that extends japan_baseline.yaml, where it merges origin by origin.",
              "origins:"]
    for origin in base.orientation:
        entry = {"orientation_to_work_abroad": s[f"origins.{origin}.orientation_to_work_abroad"]}
        if f"origins.{origin}.channels.SSW1" in s:
            entry["channels"] = {"SSW1": s[f"origins.{origin}.channels.SSW1"]}
        lines.append(f"  {origin}: {flow(entry)}")
    events = [dict(e) for e in base.events]
    events[0]["admit_share"] = float(s["events[0].admit_share"])
    lines += ["# --- for scenarios/backtest_2019.yaml only (the whole events list; not for japan_baseline.yaml) ---",
              "events:"] + [f"  - {flow(e)}" for e in events]
    return "\n".join(lines) + "\n"


def table_block(title, table, objective):
    """One validation table with a title line and the objective."""
    naive = table.dropna(subset=["ard_naive"])
    beats = int(naive["beats_naive"].astype(bool).sum())
    return "\n".join([f"== {title}",
                      f"objective (mean model ARD over {len(OBJECTIVE_SERIES)} series): {objective:.4f}; "
                      f"model beats naive on {beats} of {len(naive)} series that have a naive forecast",
                      format_table(table), ""])


def git(*args):
    """Output of a read-only git command in the repository ('' if git or the repository is missing)."""
    try:
        out = subprocess.run(["git", "-C", str(REPO), *args], capture_output=True, text=True)
    except OSError:
        return ""
    return out.stdout.strip() if out.returncode == 0 else ""


def scenario_files(name, rev, tmp):
    """(scenario path to run, provenance text, resolved commit or None).

    Without ``rev`` the scenario is the working-tree file; the provenance names the git HEAD and says
    whether scenarios/ has uncommitted changes. With ``rev`` the top folder of the scenario (e.g.
    scenarios/, with its data tables) is extracted from that commit by ``git archive`` into ``tmp``.
    """
    if rev is None:
        head = git("rev-parse", "--short=12", "HEAD")
        dirty = bool(git("status", "--porcelain", "--", "scenarios"))
        where = f"working tree, git HEAD {head}" + (", scenarios/ with uncommitted changes" if dirty else "") \
            if head else "working tree, not in git"
        return Path(name), f"{name} ({where})", None
    commit = git("rev-parse", "--short=12", f"{rev}^{{commit}}")
    if not commit:
        raise SystemExit(f"calibrate: {rev!r} is not a commit of {REPO}")
    relative = (Path.cwd() / name).resolve().relative_to(REPO)
    archive = subprocess.run(["git", "-C", str(REPO), "archive", "--format=tar", commit, "--", relative.parts[0]],
                             capture_output=True, check=True).stdout
    with tarfile.open(fileobj=io.BytesIO(archive)) as tar:
        tar.extractall(tmp / "rev")
    path = tmp / "rev" / relative
    if not path.is_file():
        raise SystemExit(f"calibrate: commit {commit} has no {relative}")
    return path, f"{relative} as of git {commit}", commit


def wait_for(path, seconds):
    deadline = time.monotonic() + seconds
    while not (path.is_file() and os.access(path, os.X_OK)):
        if time.monotonic() > deadline:
            raise SystemExit(f"calibrate: no executable {path} (set MIGSIM_BIN or build it)")
        print(f"calibrate: waiting for {path} ...", flush=True)
        time.sleep(5)
    time.sleep(1)   # let a writer finish


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                     formatter_class=argparse.ArgumentDefaultsHelpFormatter)
    parser.add_argument("--scenario", default="scenarios/backtest_2019.yaml", help="backtest scenario")
    parser.add_argument("--scale", type=float, default=0.1, help="scale of the calibration runs")
    parser.add_argument("--budget", type=int, default=150, help="runs for the search (baseline included)")
    parser.add_argument("--seed", type=int, default=None,
                        help="simulation seed of every run (common random numbers); default: the scenario's")
    parser.add_argument("--search-seed", type=int, default=2019, help="seed of the Latin hypercube")
    parser.add_argument("--initial", type=int, default=40, help="Latin hypercube points before Nelder-Mead")
    parser.add_argument("--jobs", type=int, default=2, help="runs at a time")
    parser.add_argument("--threads", type=int, default=None,
                        help="threads per run (default: cores / jobs; results do not depend on it)")
    parser.add_argument("--final-scale", type=float, default=1.0,
                        help="scale of the final check of the best parameters (0: skip)")
    parser.add_argument("--scenario-rev", metavar="REV", default=None,
                        help="take the scenario files from this git commit (git archive into a temporary "
                             "folder) instead of the working tree; default: the working tree")
    parser.add_argument("--out", default="analysis/calibration", help="output folder")
    parser.add_argument("--wait", type=float, default=600, help="seconds to wait for a missing binary")
    args = parser.parse_args(argv)
    if args.budget < 1 or args.jobs < 1:
        parser.error("--budget and --jobs must be at least 1")
    threads = args.threads if args.threads is not None else max(1, (os.cpu_count() or 1) // args.jobs)

    t0 = time.monotonic()
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    if args.scenario_rev is None and not Path(args.scenario).is_file():
        parser.error(f"no scenario {args.scenario}")
    source = Path(os.environ.get("MIGSIM_BIN", REPO / "build" / "migsim"))
    wait_for(source, args.wait)

    with tempfile.TemporaryDirectory(prefix="migsim-calibrate-") as tmp:
        binary = Path(tmp) / "migsim"
        shutil.copy2(source, binary)
        sha = hashlib.sha256(binary.read_bytes()).hexdigest()
        version = subprocess.run([str(binary), "--version"], capture_output=True, text=True).stdout.strip()
        scenario, provenance, rev = scenario_files(args.scenario, args.scenario_rev, Path(tmp))
        base = Base(binary, scenario)
        seed = base.seed if args.seed is None else args.seed
        # The command that reproduces this calibration, every setting that affects the result explicit.
        command = " ".join(shlex.quote(a) for a in [
            "/usr/bin/python3", "analysis/calibrate.py", "--scenario", args.scenario]
            + (["--scenario-rev", rev] if rev else []) + ["--scale", fmt(args.scale),
            "--budget", str(args.budget), "--seed", str(seed), "--search-seed", str(args.search_seed),
            "--initial", str(args.initial), "--final-scale", fmt(args.final_scale), "--out", str(out)])
        print(f"calibrate: {version} ({source}, sha256 {sha[:16]}), {provenance}, scale {fmt(args.scale)}, "
              f"seed {seed}, budget {args.budget}, {args.jobs} runs at a time x {threads} threads", flush=True)

        ev = Evaluator(binary, scenario, base, args.scale, seed, threads, args.jobs, args.budget, tmp,
                       out / "evaluations.csv")
        try:
            search(ev, base, args.initial, args.search_seed)
            search_seconds = time.monotonic() - t0
            x0 = base.baseline()
            before = ev.cache[tuple(base.settings(x0).values())][0]
            after, best_x, _ = ev.best
            if best_x is None:
                raise SystemExit(f"calibrate: no run succeeded (see {out / 'evaluations.csv'})")

            header = [
                "Calibrated behavioural parameters: analysis/calibrate.py (docs/validation.md, Calibration).",
                f"Backtest {provenance}; scale {fmt(args.scale)}, seed {seed}, window {WINDOW[0]}-{WINDOW[1]};",
                f"{ev.used} runs; objective (mean model ARD over {len(OBJECTIVE_SERIES)} series) "
                f"{after:.4f}, baseline {before:.4f}.",
                f"Binary: {version}, sha256 {sha}.",
                "Parameters: " + ", ".join(f"{n}={fmt(v)}" for n, v in zip(NAMES, best_x)) + ".",
                f"Reproduce: {command}",
            ]
            fragment = best_yaml(base, best_x, header)
            (out / "best.yaml").write_text(fragment)

            # The fragment as an overlay of the scenario must reproduce the best run.
            overlay = Path(tmp) / "calibrated.yaml"
            overlay.write_text(f"extends: {scenario.resolve()}\nname: {scenario.stem}_calibrated\n" + fragment)
            checks = []
            for what, path, x, with_settings, scale in (
                    ("best (best.yaml over the scenario)", overlay, best_x, False, args.scale),
                    ("best (best.yaml over the scenario)", overlay, best_x, False, args.final_scale),
                    ("baseline (the scenario as it is)", scenario, x0, False, args.scale),
                    ("baseline (the scenario as it is)", scenario, x0, False, args.final_scale)):
                if scale <= 0:
                    continue
                table, seconds, error = ev.run(x, f"check{len(checks)}", scale=scale, scenario=path,
                                               with_settings=with_settings)
                ards, objective = score(table) if table is not None else ({}, math.inf)
                stage = "check-best" if x is best_x else "check-baseline"
                ev.record(stage, x, ards, objective, seconds, error, scale)
                print(f"check: {what}, scale {fmt(scale)}: objective {objective:.4f} ({seconds:.1f} s)"
                      f"{'   ' + error if error else ''}", flush=True)
                checks.append((what, scale, table, objective))
        finally:
            ev.close()

    wall = time.monotonic() - t0
    reproduced = [o for w, s, t, o in checks if w.startswith("best") and s == args.scale]
    lines = [
        "Calibration of migsim's behavioural parameters (analysis/calibrate.py; method in docs/validation.md).",
        f"Reproduce: {command}",
        f"Binary: {version}, sha256 {sha}",
        f"Scenario: {provenance}.",
        f"Calibration scale {fmt(args.scale)}, seed {seed} (every run), "
        f"window {WINDOW[0]}-{WINDOW[1]}, budget {args.budget} runs ({ev.used} used), "
        f"search {search_seconds:.0f} s, total {wall:.0f} s.",
        f"Objective = mean model ARD over {', '.join(OBJECTIVE_SERIES)} (equal weights).",
        f"Objective at scale {fmt(args.scale)}: baseline {before:.4f} -> best {after:.4f}"
        + (f" (best.yaml over the scenario reproduces {reproduced[0]:.4f})" if reproduced else ""),
        "",
        "parameter               range            baseline     best",
    ]
    for p, b, v in zip(PARAMETERS, x0, best_x):
        lines.append(f"{p.name:<23} {fmt(p.lo):>6} - {fmt(p.hi):<6}  {fmt(b):>9}  {fmt(v):>9}")
    lines.append("")
    for what, scale, table, objective in checks:
        lines.append(table_block(f"{what}, scale {fmt(scale)}", table, objective) if table is not None
                     else f"== {what}, scale {fmt(scale)}\n(run failed)\n")
    (out / "validation_best.txt").write_text("\n".join(lines))
    print("\n".join(lines[:9 + len(PARAMETERS)]))
    print(f"wrote {out / 'evaluations.csv'}, {out / 'best.yaml'}, {out / 'validation_best.txt'} "
          f"in {wall:.0f} s", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
