"""Calibration of behavioural parameters against the observed statistics, with Optuna (docs/validation.md).

    PYTHONPATH=analysis /usr/bin/python3 -m migsim_analysis calibrate analysis/calibration/spec.yaml \\
        --trials 150 --jobs 2 --out results/calibration

The spec file (YAML) is the whole definition of a calibration: the backtest scenario, its scale, the
seeds every trial runs (common random numbers), the fit and held-back windows with their series,
the sampler's seed, and the parameters: each with its range, its search scale (log or linear) and
the scenario key paths it sets (``sets``: the value itself) or scales (``multiplies``: the value
times the path's value in the resolved scenario). ``*`` in a path stands for every key of a mapping
that has the rest of the path.

Each trial runs the scenario once per seed with the parameters as ``migsim run --set`` overrides and
scores every run with the symmetric ARD (``validate.symmetric_ard``) of each series; the objective
is the mean over the fit window's series, then over the seeds. The held-back window is scored the
same way and reported, never optimised. The study lives in an SQLite file (Optuna's RDBStorage):
``--jobs N`` worker processes share it, and running the same command again continues it (trials
interrupted by a kill are run again with the same parameters).
"""

import contextlib
import csv
import fcntl
import hashlib
import io
import math
import multiprocessing
import os
import re
import shlex
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import warnings
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import optuna
import yaml

from .validate import SERIES, format_table, parse_years, symmetric_ard, validation_tables

REPO = Path(__file__).resolve().parents[2]
DEFAULT_SPEC = REPO / "analysis" / "calibration" / "spec.yaml"
STUDY_NAME = "calibration"
BOUND_SHARE = 0.02          # a best value this close to a bound (share of the searched width) is a finding
HELD_WIDTH = 1e-3           # a range this narrow (share of its upper bound) holds the parameter: not a finding
VALUE_FORMAT = "{:.6g}"     # the text of a value on migsim's command line and in best.yaml
MAX_FAILURES_IN_A_ROW = 3   # a worker stops then: the failure is in the set-up, not in one point


class SpecError(Exception):
    """Bad input (spec file, scenario, study): one line for the user, exit status 2."""


def fmt(value):
    return VALUE_FORMAT.format(value)


# --------------------------------------------------------------------------------------------
# The spec file


def _yaml_with_marks(path):
    """(data, marks): the YAML file as Python objects, and {key path tuple: (line, column)} (1-based)."""
    text = Path(path).read_text()
    try:
        node = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.YAMLError as e:
        mark = getattr(e, "problem_mark", None)
        where = f"{path}:{mark.line + 1}:{mark.column + 1}" if mark else str(path)
        raise SpecError(f"{where}: not valid YAML: {getattr(e, 'problem', e)}") from None
    marks = {}
    constructor = yaml.constructor.SafeConstructor()

    def build(n, at):
        marks[at] = (n.start_mark.line + 1, n.start_mark.column + 1)
        if isinstance(n, yaml.MappingNode):
            out = {}
            for key_node, value_node in n.value:
                key = constructor.construct_object(key_node)
                if key in out:
                    line, col = key_node.start_mark.line + 1, key_node.start_mark.column + 1
                    raise SpecError(f"{path}:{line}:{col}: key '{_dotted(at + (key,))}' appears twice")
                out[key] = build(value_node, at + (key,))
            return out
        if isinstance(n, yaml.SequenceNode):
            return [build(v, at + (i,)) for i, v in enumerate(n.value)]
        return constructor.construct_object(n)

    return (build(node, ()) if node is not None else None), marks


def _dotted(at):
    text = ""
    for part in at:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else str(part))
    return text


@dataclass
class Parameter:
    name: str
    low: float
    high: float
    log: bool
    sets: list = field(default_factory=list)          # key paths (may hold *)
    multiplies: list = field(default_factory=list)
    where: dict = field(default_factory=dict)           # (sets|multiplies|range, index) -> "file:line:col: key '...'"

    def distribution(self):
        return optuna.distributions.FloatDistribution(self.low, self.high, log=self.log)

    def position(self, value):
        """Where value lies in the range, 0 to 1, on the search scale."""
        if self.log:
            return math.log(value / self.low) / math.log(self.high / self.low)
        return (value - self.low) / (self.high - self.low)


@dataclass
class Spec:
    path: Path
    sha256: str
    scenario: Path
    scale: float
    seeds: list
    fit_years: tuple
    fit_series: list
    held_back_years: tuple
    held_back_series: list
    sampler_seed: int
    startup_trials: int
    parameters: list


_TOP_KEYS = {"scenario", "scale", "seeds", "fit", "held_back", "sampler", "parameters"}
_PARAMETER_KEYS = {"range", "scale", "sets", "multiplies"}


def load_spec(path):
    """The spec file as a Spec; SpecError (file:line:column: key: what was expected) when it is wrong."""
    path = Path(path)
    if not path.is_file():
        raise SpecError(f"{path}: no such spec file")
    data, marks = _yaml_with_marks(path)

    def fail(at, message):
        line, col = marks.get(at, marks.get(at[:-1], (1, 1)))
        raise SpecError(f"{path}:{line}:{col}: key '{_dotted(at)}': {message}")

    def get(mapping, at, key, kind, what):
        if not isinstance(mapping, dict) or key not in mapping:
            fail(at, f"missing key '{key}' ({what})")
        value = mapping[key]
        if kind is float and isinstance(value, int) and not isinstance(value, bool):
            value = float(value)
        if not isinstance(value, kind) or isinstance(value, bool):
            fail(at + (key,), f"expected {what}, got {value!r}")
        return value

    if not isinstance(data, dict):
        raise SpecError(f"{path}:1:1: expected a mapping with keys {', '.join(sorted(_TOP_KEYS))}")
    for key in data:
        if key not in _TOP_KEYS:
            fail((key,), f"unknown key (expected one of {', '.join(sorted(_TOP_KEYS))})")
    scenario = Path(get(data, (), "scenario", str, "a scenario file, relative to the repository root"))
    scenario = scenario if scenario.is_absolute() else REPO / scenario
    if not scenario.is_file():
        fail(("scenario",), f"no file {scenario}")
    scale = get(data, (), "scale", float, "a positive number")
    if not scale > 0:
        fail(("scale",), f"expected a positive number, got {scale}")
    seeds = get(data, (), "seeds", list, "a list of seeds (integers)")
    if not seeds or not all(isinstance(s, int) and not isinstance(s, bool) and s >= 0 for s in seeds) \
            or len(set(seeds)) != len(seeds):
        fail(("seeds",), f"expected a non-empty list of distinct integers >= 0, got {seeds!r}")

    def window(key):
        block = get(data, (), key, dict, "a mapping with years and series")
        for k in block:
            if k not in ("years", "series"):
                fail((key, k), "unknown key (expected years, series)")
        years = block.get("years")
        try:
            years = parse_years(str(years))
        except ValueError as e:
            fail((key, "years"), str(e))
        series = get(block, (key,), "series", list, "a list of series")
        for i, name in enumerate(series):
            if name not in SERIES:
                fail((key, "series", i), f"unknown series {name!r} (expected one of {', '.join(SERIES)})")
        if not series:
            fail((key, "series"), "expected at least one series")
        return years, list(series)

    fit_years, fit_series = window("fit")
    held_years, held_series = window("held_back")
    if not (held_years[0] > fit_years[1] or held_years[1] < fit_years[0]):
        fail(("held_back", "years"), f"overlaps the fit years {fit_years[0]}-{fit_years[1]}")
    sampler = get(data, (), "sampler", dict, "a mapping with seed and startup_trials")
    sampler_seed = get(sampler, ("sampler",), "seed", int, "an integer")
    startup = get(sampler, ("sampler",), "startup_trials", int, "an integer >= 1")
    if startup < 1:
        fail(("sampler", "startup_trials"), f"expected an integer >= 1, got {startup}")

    parameters = []
    for name, entry in get(data, (), "parameters", dict, "a mapping of parameter names").items():
        at = ("parameters", name)
        if not isinstance(name, str) or not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", name):
            fail(at, "expected a name of letters, digits and _")
        if not isinstance(entry, dict):
            fail(at, "expected a mapping with range, scale and sets or multiplies")
        for k in entry:
            if k not in _PARAMETER_KEYS:
                fail(at + (k,), f"unknown key (expected one of {', '.join(sorted(_PARAMETER_KEYS))})")
        bounds = get(entry, at, "range", list, "[low, high]")
        if len(bounds) != 2 or not all(isinstance(b, (int, float)) and not isinstance(b, bool) for b in bounds) \
                or not bounds[0] < bounds[1]:
            fail(at + ("range",), f"expected [low, high] with low < high, got {bounds!r}")
        kind = get(entry, at, "scale", str, "log or linear")
        if kind not in ("log", "linear"):
            fail(at + ("scale",), f"expected log or linear, got {kind!r}")
        if kind == "log" and bounds[0] <= 0:
            fail(at + ("range",), f"a log scale needs low > 0, got {bounds[0]}")
        paths = {}
        for how in ("sets", "multiplies"):
            if how in entry:
                value = entry[how]
                if not isinstance(value, list) or not value or not all(isinstance(p, str) for p in value):
                    fail(at + (how,), "expected a non-empty list of key paths")
                for i, p in enumerate(value):
                    try:
                        parse_path(p)
                    except ValueError as e:
                        fail(at + (how, i), str(e))
                paths[how] = list(value)
        if not paths:
            fail(at, "expected sets or multiplies (the key paths it acts on)")
        where = {}
        for key_at in [at + ("range",)] + [at + (how, i) for how in paths for i in range(len(paths[how]))]:
            line, col = marks[key_at]
            where[key_at[2:]] = f"{path}:{line}:{col}: key '{_dotted(key_at)}'"
        parameters.append(Parameter(name, float(bounds[0]), float(bounds[1]), kind == "log", paths.get("sets", []),
                                    paths.get("multiplies", []), where))
    if not parameters:
        fail(("parameters",), "expected at least one parameter")
    return Spec(path, hashlib.sha256(path.read_bytes()).hexdigest(), scenario, float(scale), list(seeds),
                fit_years, fit_series, held_years, held_series, sampler_seed, startup, parameters)


# --------------------------------------------------------------------------------------------
# Key paths and the scenario's values


_SEGMENT = re.compile(r"(\*|[A-Za-z0-9_\-]+)((?:\[\d+\])*)")


def parse_path(text):
    """'statuses.*.transitions[0].pass_rate' -> ['statuses', '*', 'transitions', 0, 'pass_rate']."""
    parts = []
    for segment in text.split("."):
        match = _SEGMENT.fullmatch(segment)
        if not match:
            raise ValueError(f"bad key path {text!r} (expected names, * and [index] joined by dots)")
        parts.append(match.group(1))
        parts += [int(i) for i in re.findall(r"\[(\d+)\]", match.group(2))]
    return parts


def _is_number(value):
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def expand(tree, text):
    """{concrete key path: value} of the numbers ``text`` names in the resolved scenario ``tree``.

    A ``*`` matches every key of a mapping that has the rest of the path. ValueError says why a
    path names nothing.
    """
    parts = parse_path(text)
    found = {}

    def walk(node, i, at, wild):
        if i == len(parts):
            if _is_number(node):
                found[_dotted(at)] = node
            elif not wild:
                raise ValueError(f"'{_dotted(at)}' is {node!r}, not a number")
            return
        part = parts[i]
        if part == "*":
            if not isinstance(node, dict):
                raise ValueError(f"'{_dotted(at)}' is not a mapping, so '*' matches nothing")
            for key, child in node.items():
                walk(child, i + 1, at + (str(key),), True)
        elif isinstance(part, int):
            if not isinstance(node, list) or part >= len(node):
                if wild:
                    return
                size = len(node) if isinstance(node, list) else "no"
                raise ValueError(f"'{_dotted(at)}' has {size} items, so [{part}] is not there")
            walk(node[part], i + 1, at + (part,), wild)
        else:
            if isinstance(node, dict) and part not in node and part.isdigit() and int(part) in node:
                walk(node[int(part)], i + 1, at + (part,), wild)  # a mapping keyed by years
                return
            if isinstance(node, dict) and "csv" in node and part not in node:
                raise ValueError(f"'{_dotted(at)}' is a table ({node['csv']}); calibrate keys the resolved "
                                 "scenario spells out")
            if not isinstance(node, dict) or part not in node:
                if wild:
                    return
                keys = ", ".join(str(k) for k in node) if isinstance(node, dict) else "none"
                raise ValueError(f"'{_dotted(at + (part,))}' is not in the resolved scenario "
                                 f"('{_dotted(at) or 'top level'}' has: {_short(keys)})")
            walk(node[part], i + 1, at + (part,), wild)

    walk(tree, 0, (), False)
    if not found:
        raise ValueError(f"'{text}' matches no number in the resolved scenario")
    return found


def _short(text, limit=160):
    return text if len(text) <= limit else text[:limit] + ", …"


def resolved_scenario(binary, scenario, settings=None):
    """The resolved scenario tree (``migsim validate``); SpecError with migsim's message if it is rejected."""
    cmd = [str(binary), "validate", str(scenario)]
    for key, value in (settings or {}).items():
        cmd += ["--set", f"{key}={value}"]
    out = subprocess.run(cmd, capture_output=True, text=True, cwd=REPO)
    if out.returncode != 0:
        raise SpecError(out.stderr.strip().splitlines()[-1] if out.stderr.strip() else f"migsim exit {out.returncode}")
    return yaml.safe_load(out.stdout)


class Plan:
    """The spec's parameters applied to one scenario: their key paths, base values and the baseline point."""

    def __init__(self, spec, binary):
        self.spec = spec
        try:
            tree = resolved_scenario(binary, spec.scenario)
        except SpecError as e:
            raise SpecError(f"{spec.path}: scenario {spec.scenario} is rejected: {e}") from None
        self.actions = []           # (parameter, "sets" | "multiplies", {path: base value})
        self.baseline = {}
        for p in spec.parameters:
            for how in ("sets", "multiplies"):
                for i, text in enumerate(getattr(p, how)):
                    try:
                        values = expand(tree, text)
                    except ValueError as e:
                        raise SpecError(f"{p.where[(how, i)]}: {e}") from None
                    self.actions.append((p, how, values))
            first = next(values for q, how, values in self.actions if q is p)
            self.baseline[p.name] = 1.0 if not p.sets else float(next(iter(first.values())))
        self.tree = tree
        # migsim checks every key's range: the corners of the box must be valid scenarios.
        for corner in ("low", "high"):
            values = {p.name: getattr(p, corner) for p in spec.parameters}
            try:
                resolved_scenario(binary, spec.scenario, self.settings(values))
            except SpecError as e:
                culprit = next((p for p, _, paths in self.actions if any(k in str(e) for k in paths)), None)
                who = culprit.where[("range",)] if culprit else f"{spec.path}"
                raise SpecError(f"{who}: at the {corner} end of the ranges migsim rejects the scenario: {e}") from None

    def settings(self, values):
        """{parameter: value} -> ordered {key path: text} for ``--set``; a later parameter overrides an earlier."""
        out = {}
        for p, how, paths in self.actions:
            for path, base in paths.items():
                out[path] = fmt(values[p.name] if how == "sets" else base * values[p.name])
        return out

    def baseline_in_range(self):
        return all(p.low <= self.baseline[p.name] <= p.high for p in self.spec.parameters)

    def overlay(self, values):
        """The scenario keys the parameters set, as YAML merged over the scenario (lists whole)."""
        fragment = {}
        for path, text in self.settings(values).items():
            parts = parse_path(path)
            node, source = fragment, self.tree
            for i, part in enumerate(parts[:-1]):
                source = source[part]
                if isinstance(source, list):        # an overlay replaces a list whole: copy it once
                    if part not in node:
                        node[part] = yaml.safe_load(yaml.safe_dump(source))
                    _set(node[part], parts[i + 1:], text)
                    break
                node = node.setdefault(part, {})
            else:
                node[parts[-1]] = _number(text)
        return fragment


def _set(node, parts, text):
    for part in parts[:-1]:
        node = node[_key(node, part)]
    node[_key(node, parts[-1])] = _number(text)


def _key(node, part):
    """The key of ``node`` that path part ``part`` names: a mapping keyed by years has int keys, which a
    path (``pass_rate_by_year.2020``) spells as text."""
    if isinstance(node, dict) and part not in node:
        return next((k for k in node if str(k) == str(part)), part)
    return part


def _number(text):
    value = float(text)
    return int(value) if value.is_integer() and "e" not in text and "." not in text else value


# --------------------------------------------------------------------------------------------
# One trial


class TrialFailed(Exception):
    pass


@dataclass
class Runner:
    """What every worker needs to evaluate a trial (picklable)."""
    spec: Spec
    binary: Path
    workdir: Path
    threads: int
    fit_years: tuple
    fit_series: list
    held_back: bool

    def command(self, settings, seed, output, scenario=None):
        cmd = [str(self.binary), "run", str(scenario or self.spec.scenario), "--scale", fmt(self.spec.scale),
               "--seed", str(seed), "--threads", str(self.threads), "-q", "-o", str(output)]
        for key, value in settings.items():
            cmd += ["--set", f"{key}={value}"]
        return cmd

    def score_run(self, cmd, output):
        """Run one seed; ({series: sARD} fit, {series: sARD} held back, tables) or TrialFailed."""
        proc = subprocess.run(cmd, capture_output=True, text=True, cwd=REPO)
        try:
            if proc.returncode != 0:
                raise TrialFailed(f"migsim exit {proc.returncode}: {proc.stderr.strip()[-300:]}")
            windows = [self.fit_years] + ([self.spec.held_back_years] if self.held_back else [])
            series = list(dict.fromkeys(self.fit_series + (self.spec.held_back_series if self.held_back else [])))
            tables = validation_tables(output, windows, series=series, metric=symmetric_ard)
        finally:
            Path(output).unlink(missing_ok=True)
        scores = []
        for table, wanted in zip(tables, [self.fit_series, self.spec.held_back_series]):
            values = dict(zip(table["series"], table["ard_model"].astype(float)))
            missing = [s for s in wanted if s not in values]
            if missing:
                reasons = table.attrs["skipped"]
                raise TrialFailed("; ".join(f"{s} not compared in {_window_text(table.attrs['window'])}: "
                                            f"{reasons.get(s, 'skipped')}" for s in missing))
            scores.append({s: values[s] for s in wanted})
        return scores[0], (scores[1] if self.held_back else {})

    def evaluate(self, settings, tag):
        """The objective (mean over seeds of the mean fit sARD) and the trial's attributes."""
        fit, held = [], []
        for seed in self.spec.seeds:
            output = self.workdir / f"{tag}-seed{seed}.h5"
            f, h = self.score_run(self.command(settings, seed, output), output)
            fit.append(f)
            held.append(h)
        attrs = {f"fit_{s}": float(np.mean([f[s] for f in fit])) for s in fit[0]}
        attrs.update({f"held_back_{s}": float(np.mean([h[s] for h in held])) for s in held[0]})
        per_seed = [float(np.mean(list(f.values()))) for f in fit]
        attrs.update({f"objective_seed_{seed}": v for seed, v in zip(self.spec.seeds, per_seed)})
        if self.held_back:
            attrs["held_back"] = float(np.mean([np.mean(list(h.values())) for h in held]))
        return float(np.mean(per_seed)), attrs


def _window_text(years):
    return f"{min(years)}-{max(years)}" if min(years) != max(years) else str(min(years))


# --------------------------------------------------------------------------------------------
# The study


def _storage(path):
    # Workers in other processes write the same file: wait for SQLite's lock rather than fail.
    return optuna.storages.RDBStorage(f"sqlite:///{Path(path).resolve()}",
                                      engine_kwargs={"connect_args": {"timeout": 120}})


def _sampler(spec, n_complete):
    """TPE seeded from the spec's seed and the number of complete trials, so a resumed study asks
    what an uninterrupted one would (with one worker)."""
    seed = int(np.random.SeedSequence([spec.sampler_seed, n_complete]).generate_state(1)[0])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", optuna.exceptions.ExperimentalWarning)
        return optuna.samplers.TPESampler(seed=seed, n_startup_trials=spec.startup_trials, multivariate=True)


def _worker(runner, plan, study_path, target, ask_lock, worker):
    """Ask, evaluate and tell trials until the study holds ``target`` complete trials."""
    optuna.logging.set_verbosity(optuna.logging.WARNING)
    study = optuna.load_study(study_name=STUDY_NAME, storage=_storage(study_path))
    distributions = {p.name: p.distribution() for p in runner.spec.parameters}
    failures_in_a_row = 0
    while failures_in_a_row < MAX_FAILURES_IN_A_ROW:
        with ask_lock:      # count and ask as one step, so the workers never exceed the target
            trials = study.get_trials(deepcopy=False)
            done = sum(t.state == optuna.trial.TrialState.COMPLETE for t in trials)
            running = sum(t.state == optuna.trial.TrialState.RUNNING for t in trials)
            if done + running >= target:
                return
            study.sampler = _sampler(runner.spec, done)
            trial = study.ask(distributions)
        values = {p.name: trial.params[p.name] for p in runner.spec.parameters}
        start = time.monotonic()
        try:
            objective, attrs = runner.evaluate(plan.settings(values), f"w{worker}-t{trial.number}")
        except (TrialFailed, ValueError, KeyError, OSError) as e:
            trial.set_user_attr("error", str(e))
            trial.set_user_attr("seconds", round(time.monotonic() - start, 2))
            study.tell(trial, state=optuna.trial.TrialState.FAIL)
            failures_in_a_row += 1
            print(f"[trial {trial.number:4d}] failed: {e}", flush=True)
            continue
        failures_in_a_row = 0
        for key, value in attrs.items():
            trial.set_user_attr(key, value)
        trial.set_user_attr("seconds", round(time.monotonic() - start, 2))
        study.tell(trial, objective)
        best = study.best_trial
        held = f"  held back {attrs['held_back']:.4f}" if "held_back" in attrs else ""
        print(f"[trial {trial.number:4d}] objective {objective:.4f}{held}   best {best.value:.4f} "
              f"(trial {best.number})   {time.monotonic() - start:5.1f} s", flush=True)
    print(f"calibrate: worker {worker} stops: {MAX_FAILURES_IN_A_ROW} trials in a row failed", flush=True)


def _child(*args):
    """A worker process: an interrupt ends it quietly (the command reports it)."""
    try:
        _worker(*args)
    except KeyboardInterrupt:
        pass


def _study_settings(spec, runner, binary_sha):
    """What the objective depends on; a study is continued only with the same."""
    return {"spec_sha256": spec.sha256, "binary_sha256": binary_sha,
            "fit_years": _window_text(runner.fit_years), "fit_series": ",".join(runner.fit_series)}


def open_study(path, spec, runner, plan, binary_sha):
    """Create the study, or continue it: its interrupted trials are failed and queued again."""
    storage = _storage(path)
    wanted = _study_settings(spec, runner, binary_sha)
    existing = [s.study_name for s in optuna.study.get_all_study_summaries(storage)]
    if STUDY_NAME in existing:
        study = optuna.load_study(study_name=STUDY_NAME, storage=storage)
        for key, value in wanted.items():
            had = study.user_attrs.get(key)
            if had != value:
                raise SpecError(f"{path}: this study was made with {key} {had}, this command has {value}; "
                                "continue it with the same spec, binary and --refit-all, or use another --study")
        for t in study.get_trials(deepcopy=False, states=(optuna.trial.TrialState.RUNNING,)):
            storage.set_trial_user_attr(t._trial_id, "error", "interrupted (run again on resume)")
            storage.set_trial_state_values(t._trial_id, optuna.trial.TrialState.FAIL)
            kept = {k: v for k, v in t.user_attrs.items() if k == "kind"}
            study.enqueue_trial(t.params, user_attrs={**kept, "rerun_of": t.number})
        return study, True
    study = optuna.create_study(study_name=STUDY_NAME, storage=storage, direction="minimize")
    for key, value in wanted.items():
        study.set_user_attr(key, value)
    if plan.baseline_in_range():
        study.enqueue_trial(dict(plan.baseline), user_attrs={"kind": "baseline"})
    return study, False


@contextlib.contextmanager
def _only_user(path):
    """One calibrate command per study file at a time (flock, independent of SQLite's own locks)."""
    Path(path).parent.mkdir(parents=True, exist_ok=True)
    with open(path, "a+b") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise SpecError(f"{path}: another calibrate command is using this study") from None
        yield


# --------------------------------------------------------------------------------------------
# Outputs


def _write(path, text):
    """Write a file whole: a temporary beside it, renamed (no partial file, none left behind)."""
    path = Path(path)
    tmp = path.with_name(f".{path.name}.tmp-{os.getpid()}")
    try:
        tmp.write_text(text)
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)


def trials_csv(study, spec):
    """One row per trial: number, state, parameters, objective, held-back score, per-series scores, error."""
    trials = study.get_trials(deepcopy=False)
    attr_keys = []
    for t in trials:
        attr_keys += [k for k in t.user_attrs if k not in attr_keys]
    first = ["kind", "rerun_of", "held_back"]
    attr_keys = [k for k in first if k in attr_keys] + sorted(k for k in attr_keys if k not in first + ["error"])
    columns = ["number", "state"] + [p.name for p in spec.parameters] + ["objective"] + attr_keys + ["error"]
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(columns)
    for t in trials:
        cell = lambda v: fmt(v) if isinstance(v, float) else ("" if v is None else str(v))  # noqa: E731
        writer.writerow([t.number, t.state.name] + [cell(t.params.get(p.name)) for p in spec.parameters]
                        + [cell(t.value)] + [cell(t.user_attrs.get(k)) for k in attr_keys]
                        + [t.user_attrs.get("error", "")])
    return out.getvalue()


def bound_findings(spec, values):
    """Lines for the parameters whose best value is within BOUND_SHARE of a bound (search scale); a parameter
    held by a range narrower than HELD_WIDTH is said to be held instead (its bounds are the spec's choice)."""
    lines = []
    for p in spec.parameters:
        if p.high - p.low <= HELD_WIDTH * max(abs(p.high), abs(p.low)):
            lines.append(f"held: {p.name} = {fmt(values[p.name])} (range {fmt(p.low)}-{fmt(p.high)}), not fitted")
            continue
        where = p.position(values[p.name])
        for side, distance, bound in (("lower", where, p.low), ("upper", 1 - where, p.high)):
            if distance <= BOUND_SHARE:
                lines.append(f"finding: {p.name} = {fmt(values[p.name])} is within {BOUND_SHARE * 100:g} % of its "
                             f"{side} "
                             f"bound {fmt(bound)} ({'log' if p.log else 'linear'} scale): the fit wants a value "
                             f"outside the range; the parameter may stand in for something the model lacks")
    return lines


def _git(*args):
    try:
        out = subprocess.run(["git", "-C", str(REPO), *args], capture_output=True, text=True)
    except OSError:
        return ""
    return out.stdout.strip() if out.returncode == 0 else ""


def _provenance(spec):
    head = _git("rev-parse", "--short=12", "HEAD")
    if not head:
        return "not in git"
    dirty = _git("status", "--porcelain", "--", "scenarios", str(spec.path))
    return f"git {head}" + (" with uncommitted changes to the scenarios or the spec" if dirty else "")


def _relative(path):
    path = Path(path).resolve()
    try:
        return str(path.relative_to(REPO))
    except ValueError:
        return str(path)


def write_outputs(out, study, spec, plan, runner, binary_sha, version, command, refit):
    """trials.csv, best.yaml and validation_best.txt (the best point re-run from best.yaml)."""
    out = Path(out)
    _write(out / "trials.csv", trials_csv(study, spec))
    complete = study.get_trials(deepcopy=False, states=(optuna.trial.TrialState.COMPLETE,))
    if not complete:
        raise TrialFailed(f"no trial completed (errors in {out / 'trials.csv'})")
    best = study.best_trial
    values = {p.name: best.params[p.name] for p in spec.parameters}
    baseline = next((t for t in complete if t.user_attrs.get("kind") == "baseline"), None)
    findings = bound_findings(spec, values)
    fit_text = _window_text(runner.fit_years)
    held = f"; held back {_window_text(spec.held_back_years)}: {best.user_attrs['held_back']:.4f}" \
        if "held_back" in best.user_attrs else ""
    header = [
        "Calibrated parameters: python3 -m migsim_analysis calibrate (docs/validation.md, Calibration).",
        f"Spec {_relative(spec.path)} (sha256 {spec.sha256[:16]}); scenario {_relative(spec.scenario)}; "
        f"{_provenance(spec)}.",
        f"Binary: {version}, sha256 {binary_sha}.",
        f"Scale {fmt(spec.scale)}, seeds {', '.join(map(str, spec.seeds))} (every trial); "
        f"fit {fit_text} on {', '.join(runner.fit_series)}.",
        f"Best: trial {best.number} of {len(complete)} complete; objective (mean symmetric ARD, mean over seeds) "
        f"{best.value:.4f}{held}" + (f"; baseline (trial {baseline.number}) {baseline.value:.4f}" if baseline else "")
        + ".",
        "Parameters: " + ", ".join(f"{p.name}={fmt(values[p.name])}" for p in spec.parameters) + ".",
        *findings,
        f"Reproduce: {command}",
        f"Use: a scenario that extends {_relative(spec.scenario)} and holds the keys below "
        "(lists are given whole, as an overlay replaces them).",
    ]
    fragment = plan.overlay(values)
    text = "\n".join(f"# {line}" for line in header) + "\n" + yaml.safe_dump(fragment, sort_keys=False,
                                                                               default_flow_style=None, width=120)
    _write(out / "best.yaml", text)

    # The fragment laid over the scenario must give the best trial's score at the first seed.
    seed = spec.seeds[0]
    with tempfile.TemporaryDirectory(prefix="migsim-calibrate-check-") as tmp:
        overlay = Path(tmp) / "best_over_scenario.yaml"
        overlay.write_text(f"extends: {spec.scenario.resolve()}\n" + yaml.safe_dump(fragment, sort_keys=False))
        output = Path(tmp) / "best.h5"
        proc = subprocess.run(runner.command({}, seed, output, scenario=overlay), capture_output=True, text=True,
                              cwd=REPO)
        if proc.returncode != 0:
            raise TrialFailed(f"best.yaml over the scenario does not run: {proc.stderr.strip()[-300:]}")
        windows = [runner.fit_years] + ([spec.held_back_years] if runner.held_back else [])
        ard_tables = validation_tables(output, windows)
        sard_tables = validation_tables(output, windows,
                                        series=list(dict.fromkeys(runner.fit_series + spec.held_back_series)),
                                        metric=symmetric_ard)
    rows = dict(zip(sard_tables[0]["series"], sard_tables[0]["ard_model"]))
    check = float(np.mean([rows[s] for s in runner.fit_series]))
    expected = best.user_attrs.get(f"objective_seed_{seed}")
    same = expected is not None and abs(check - expected) < 1e-9

    lines = [
        "Calibration (python3 -m migsim_analysis calibrate; method in docs/validation.md).",
        *header[1:4],
        f"Study: {len(study.trials)} trials, {len(complete)} complete; "
        + ("refit on all years." if refit else f"fit {fit_text}, held back {_window_text(spec.held_back_years)}."),
        f"Reproduce: {command}",
        "",
        "parameter                     range             scale     baseline       best",
    ]
    for p in spec.parameters:
        lines.append(f"{p.name:<29} {fmt(p.low):>7} - {fmt(p.high):<7} {('log' if p.log else 'linear'):<7} "
                     f"{fmt(plan.baseline[p.name]):>10} {fmt(values[p.name]):>10}")
    lines += [""] + (findings or ["no parameter within 2 % of a bound"]) + [""]
    lines.append("symmetric ARD, mean over seeds     baseline       best")
    lines.append(f"objective (fit {fit_text})".ljust(32) + (f"{baseline.value:>10.4f}" if baseline else f"{'-':>10}")
                 + f" {best.value:>10.4f}")
    for prefix, years, names in (("fit", fit_text, runner.fit_series),
                                 ("held_back", _window_text(spec.held_back_years), spec.held_back_series)):
        if prefix == "held_back" and not runner.held_back:
            continue
        for s in names:
            key = f"{prefix}_{s}"
            b = baseline.user_attrs.get(key) if baseline else None
            lines.append(f"  {s} ({years})".ljust(32) + (f"{b:>10.4f}" if b is not None else f"{'-':>10}")
                         + f" {best.user_attrs[key]:>10.4f}")
        if prefix == "held_back":
            b = baseline.user_attrs.get("held_back") if baseline else None
            lines.append("held back (mean)".ljust(32) + (f"{b:>10.4f}" if b is not None else f"{'-':>10}")
                         + f" {best.user_attrs['held_back']:>10.4f}")
    lines += ["", f"best.yaml over the scenario, seed {seed}: fit objective {check:.6f} "
                  f"({'reproduces' if same else 'DIFFERS FROM'} trial {best.number}: {expected})", ""]
    for table, sard, years in zip(ard_tables, sard_tables, windows):
        lines += [f"== best.yaml over the scenario, seed {seed}, {_window_text(_years_list(years))}: "
                  "ARD (the validate table)", format_table(table), "",
                  "== the same, symmetric ARD", format_table(sard), ""]
    _write(out / "validation_best.txt", "\n".join(lines))
    return best, findings, same


def _years_list(years):
    return list(range(years[0], years[1] + 1))


# --------------------------------------------------------------------------------------------
# The command


def add_parser(commands):
    """Register ``calibrate`` on the package's sub-command parser."""
    parser = commands.add_parser(
        "calibrate", help="fit behavioural parameters to the observations (Optuna, SQLite study, resumable)",
        description="Fit the parameters of SPEC to the observed series (docs/validation.md, Calibration). "
                    "Running the same command again continues the study.")
    parser.add_argument("spec", nargs="?", default=str(DEFAULT_SPEC), metavar="SPEC",
                        help="calibration spec (YAML; default analysis/calibration/spec.yaml)")
    parser.add_argument("--trials", type=int, default=150, metavar="N",
                        help="complete trials the study should hold at the end (default 150)")
    parser.add_argument("--jobs", type=int, default=1, metavar="N",
                        help="worker processes sharing the study (default 1)")
    parser.add_argument("--threads", type=int, default=None, metavar="N",
                        help="threads per migsim run (default: cores / jobs; results do not depend on it)")
    parser.add_argument("--out", default=None, metavar="DIR",
                        help="output folder (default results/calibration/SPEC_NAME)")
    parser.add_argument("--study", default=None, metavar="FILE",
                        help="the study's SQLite file (default OUT/study.sqlite3)")
    parser.add_argument("--refit-all", action="store_true",
                        help="fit on the fit and held-back years together (their series too); nothing held back")
    parser.add_argument("--check", action="store_true",
                        help="check the spec against the scenario and print the parameters; run nothing")
    return parser


def _binary():
    path = Path(os.environ.get("MIGSIM_BIN", REPO / "build" / "migsim"))
    if not (path.is_file() and os.access(path, os.X_OK)):
        raise SpecError(f"no executable {path} (build it, or set MIGSIM_BIN)")
    return path


def _interrupt(signum, frame):
    raise KeyboardInterrupt


def main(args):
    previous = signal.signal(signal.SIGTERM, _interrupt)    # a kill cleans up like Ctrl-C
    try:
        return _main(args)
    except SpecError as e:
        print(f"calibrate: {e}", file=sys.stderr)
        return 2
    except TrialFailed as e:
        print(f"calibrate: {e}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("calibrate: interrupted; the complete trials are in the study, run the same command to continue",
              file=sys.stderr)
        return 130
    finally:
        signal.signal(signal.SIGTERM, previous)


def _main(args):
    if args.trials < 1 or args.jobs < 1 or (args.threads is not None and args.threads < 1):
        raise SpecError("--trials, --jobs and --threads must be at least 1")
    spec = load_spec(args.spec)
    source = _binary()
    out = Path(args.out) if args.out else REPO / "results" / "calibration" / (
        spec.path.stem + ("_all_years" if args.refit_all else ""))
    study_path = Path(args.study) if args.study else out / "study.sqlite3"
    threads = args.threads or max(1, (os.cpu_count() or 1) // args.jobs)
    optuna.logging.set_verbosity(optuna.logging.WARNING)

    with tempfile.TemporaryDirectory(prefix="migsim-calibrate-") as tmp:
        binary = Path(tmp) / "migsim"          # a copy: a rebuild meanwhile cannot mix two versions
        shutil.copy2(source, binary)
        binary_sha = hashlib.sha256(binary.read_bytes()).hexdigest()
        version = subprocess.run([str(binary), "--version"], capture_output=True, text=True).stdout.strip()
        plan = Plan(spec, binary)
        if args.refit_all:
            fit_years = (min(spec.fit_years[0], spec.held_back_years[0]),
                         max(spec.fit_years[1], spec.held_back_years[1]))
            fit_series = list(dict.fromkeys(spec.fit_series + spec.held_back_series))
        else:
            fit_years, fit_series = spec.fit_years, spec.fit_series
        runner = Runner(spec, binary, Path(tmp), threads, fit_years, fit_series, not args.refit_all)
        if args.check:
            print(f"{spec.path}: valid. Scenario {_relative(spec.scenario)}, scale {fmt(spec.scale)}, "
                  f"seeds {', '.join(map(str, spec.seeds))}; fit {_window_text(fit_years)} on {len(fit_series)} "
                  f"series; {len(spec.parameters)} parameters, {len(plan.settings(plan.baseline))} keys set")
            for p in spec.parameters:
                keys = [k for q, _, paths in plan.actions if q is p for k in paths]
                print(f"  {p.name}: {fmt(p.low)}-{fmt(p.high)} {'log' if p.log else 'linear'}, "
                      f"baseline {fmt(plan.baseline[p.name])}, {'sets' if p.sets else 'multiplies'} "
                      f"{_short(', '.join(keys), 120)}")
            return 0
        command = " ".join(shlex.quote(a) for a in
                           ["PYTHONPATH=analysis", "/usr/bin/python3", "-m", "migsim_analysis", "calibrate",
                            _relative(spec.path), "--trials", str(args.trials), "--jobs", "1",
                            "--out", _relative(out), "--study", _relative(study_path)]
                           + (["--refit-all"] if args.refit_all else []))
        with _only_user(study_path):
            study, resumed = open_study(study_path, spec, runner, plan, binary_sha)
            before = len(study.get_trials(deepcopy=False, states=(optuna.trial.TrialState.COMPLETE,)))
            print(f"calibrate: {'continuing' if resumed else 'new'} study {study_path} ({before} complete trials), "
                  f"target {args.trials}; {args.jobs} worker(s) x {threads} thread(s); {version}", flush=True)
            lock = multiprocessing.get_context("fork").Lock()
            if args.jobs == 1:
                _worker(runner, plan, study_path, args.trials, lock, 0)
            else:
                context = multiprocessing.get_context("fork")
                workers = [context.Process(target=_child, args=(runner, plan, study_path, args.trials, lock, i))
                           for i in range(args.jobs)]
                for w in workers:
                    w.start()
                for w in workers:
                    w.join()
            study = optuna.load_study(study_name=STUDY_NAME, storage=_storage(study_path))
            out.mkdir(parents=True, exist_ok=True)
            best, findings, same = write_outputs(out, study, spec, plan, runner, binary_sha, version, command,
                                                 args.refit_all)
    held = f", held back {best.user_attrs['held_back']:.4f}" if "held_back" in best.user_attrs else ""
    print(f"best: trial {best.number}, objective {best.value:.4f}{held}: "
          + ", ".join(f"{p.name}={fmt(best.params[p.name])}" for p in spec.parameters))
    for line in findings:
        print(line)
    print(f"wrote {out / 'trials.csv'}, {out / 'best.yaml'}, {out / 'validation_best.txt'}")
    return 0 if same else 1
