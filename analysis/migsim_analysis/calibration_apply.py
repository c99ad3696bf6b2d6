"""Write a calibration's best.yaml into the scenario files, in place (docs/validation.md, Calibration).

    PYTHONPATH=analysis /usr/bin/python3 -m migsim_analysis calibrate-apply BEST.yaml \\
        [--scenario scenarios/backtest_2019.yaml] [--dry-run]

Each value of BEST.yaml goes into the file of the scenario's ``extends`` chain that defines it (the
most derived file that sets the key, whose value is in force), as the merge of ``migsim`` does it:
mappings merge key by key, anything else (a list, a number) is replaced whole by the more derived
file. Only the text of each changed number is replaced (comments, order and style stay), floats
with 4 significant digits, integers as integers. Every key is resolved before any file is written;
each file is written atomically, and afterwards ``migsim validate`` must show BEST.yaml's values in
the resolved scenario, otherwise the files are put back.
"""

import os
import re
import signal
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

import yaml

from .calibration import (DEFAULT_SPEC, REPO, SpecError, _binary, _dotted, _interrupt, expand, load_spec,
                          resolved_scenario)

DIGITS = 4      # significant digits of a float written into a scenario, like the scenarios' calibrated values


class VerificationFailed(Exception):
    """The files were written but the resolved scenario does not hold BEST.yaml's values."""


# --------------------------------------------------------------------------------------------
# Numbers


def _is_number(value):
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def rounded(value):
    """The value as the scenarios hold it: integers exact, floats to DIGITS significant digits."""
    return value if isinstance(value, int) else float(f"{value:.{DIGITS}g}")


def number_text(value):
    """The YAML text of a value: '0.1582', '36', '1.0e-05' (a float always reads back as a float)."""
    if isinstance(value, int):
        return str(value)
    text = f"{value:.{DIGITS}g}"
    mantissa, _, exponent = text.partition("e")
    if "." not in mantissa and mantissa not in ("inf", "-inf", "nan"):
        mantissa += ".0"
    return mantissa + (f"e{exponent}" if exponent else "")


_CONSTRUCTOR = yaml.constructor.SafeConstructor()
_PLAIN_FLOAT = re.compile(r"[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?")


def _scalar(node):
    """A scalar node's value; a plain 1e-5 (a string to PyYAML, a number to migsim) counts as a float."""
    value = _CONSTRUCTOR.construct_object(node)
    if isinstance(value, str) and node.style is None and _PLAIN_FLOAT.fullmatch(value):
        return float(value)
    return value


# --------------------------------------------------------------------------------------------
# The extends chain, merged as migsim merges it


@dataclass(eq=False)
class Layer:
    path: Path          # as the user named it (the top file) or joined from ``extends``
    text: str
    root: yaml.MappingNode


@dataclass
class Placed:
    """A value that one file sets whole (a number, a list, a table): the file and its node."""
    layer: Layer
    node: yaml.Node


class Merged(dict):
    """A mapping of the resolved scenario: key -> Merged | Placed. ``table``: the CSV table (Placed) it
    was laid over, which holds the keys no file spells out."""
    table = None


def _is_table(node):
    return isinstance(node, yaml.MappingNode) and any(k.value == "csv" for k, _ in node.value)


def _show(path):
    """A path as the user reads it: from the working folder when it lies below it."""
    relative = os.path.relpath(path)
    return relative if not relative.startswith("..") else str(path)


def _location(layer, node):
    return f"{_show(layer.path)}:{node.start_mark.line + 1}:{node.start_mark.column + 1}"


def load_chain(top):
    """The files of ``top``'s extends chain, most derived first (SpecError: file:line:col: why)."""
    layers, seen, path, named_at = [], set(), Path(top), "--scenario"
    while True:
        if not path.is_file():
            raise SpecError(f"{named_at}: no scenario file {path}")
        if path.resolve() in seen:
            raise SpecError(f"{path}: extends cycle: this file is already in the chain")
        seen.add(path.resolve())
        text = path.read_text()
        try:
            root = yaml.compose(text, Loader=yaml.SafeLoader)
        except yaml.YAMLError as e:
            mark = getattr(e, "problem_mark", None)
            where = f"{path}:{mark.line + 1}:{mark.column + 1}" if mark else str(path)
            raise SpecError(f"{where}: not valid YAML: {getattr(e, 'problem', e)}") from None
        if not isinstance(root, yaml.MappingNode):
            raise SpecError(f"{path}:1:1: expected a mapping of scenario keys at the top")
        layer = Layer(path, text, root)
        layers.append(layer)
        base = next((v for k, v in root.value if k.value == "extends"), None)
        if base is None:
            return layers
        if not isinstance(base, yaml.ScalarNode) or not base.value:
            raise SpecError(f"{_location(layer, base)}: key 'extends': expected the path of a base scenario file")
        named_at = f"{_location(layer, base)}: key 'extends'"
        path = Path(os.path.normpath(path.parent / base.value))


def _merge(below, layer, node):
    """``node`` of ``layer`` laid over ``below`` (None, Merged or Placed), like migsim's merge."""
    if not isinstance(node, yaml.MappingNode) or _is_table(node):
        return Placed(layer, node)
    if isinstance(below, Merged):
        out = below
    else:
        out = Merged()
        if isinstance(below, Placed) and _is_table(below.node):
            out.table = below               # migsim expands the table, then merges the keys over its rows
    for key_node, value_node in node.value:
        key = key_node.value
        out[key] = _merge(out.get(key), layer, value_node)
    return out


def merged_chain(layers):
    tree = None
    for layer in reversed(layers):
        tree = _merge(tree, layer, layer.root)
    tree.pop("extends", None)
    return tree


# --------------------------------------------------------------------------------------------
# BEST.yaml's values against the files


@dataclass
class Change:
    layer: Layer
    node: yaml.ScalarNode
    key: str            # key path, as error messages and --set write it
    old: str
    new: str

    @property
    def line(self):
        return self.node.start_mark.line + 1


def _best_position(root, at):
    """'line:column' in BEST.yaml of the key path ``at`` (its deepest part found), from the composed ``root``."""
    node, found = root, root
    for part in at:
        if isinstance(node, yaml.MappingNode):
            node = next((v for k, v in node.value if k.value == str(part)), None)
        elif isinstance(node, yaml.SequenceNode) and isinstance(part, int) and part < len(node.value):
            node = node.value[part]
        else:
            node = None
        if node is None:
            break
        found = node
    return f"{found.start_mark.line + 1}:{found.start_mark.column + 1}" if found is not None else "1:1"


def plan_changes(best_path, best, tree, best_root=None):
    """The Changes that put ``best`` (a mapping) into the files; SpecError names BEST.yaml, the line and
    column of the key (from ``best_root``, BEST.yaml composed) and the key."""
    changes, unchanged, claimed = [], [0], {}

    def fail(at, message):
        raise SpecError(f"{best_path}:{_best_position(best_root, at)}: key '{_dotted(at)}': {message}")

    def table_error(at, value, placed):
        while isinstance(value, (dict, list)) and value:      # name the key BEST.yaml sets, not the table
            if isinstance(value, dict):
                key, value = next(iter(value.items()))
                at += (str(key),)
            else:
                at, value = at + (0,), value[0]
        csv = next(v.value for k, v in placed.node.value if k.value == "csv")
        fail(at, f"comes from the table {csv} ({_location(placed.layer, placed.node)}); calibrate-apply writes "
                 "only values the scenario files spell out")

    def in_merged(value, merged, at):
        if not isinstance(value, dict):
            fail(at, "is a mapping of the resolved scenario, BEST.yaml gives a single value")
        for key, sub in value.items():
            here = at + (str(key),)
            if str(key) in merged:
                target = merged[str(key)]
                if isinstance(target, Merged):
                    in_merged(sub, target, here)
                else:
                    in_file(sub, target.layer, target.node, here)
            elif merged.table is not None:
                table_error(here, sub, merged.table)
            else:
                fail(here, "is defined in no file of the scenario's extends chain")

    def in_file(value, layer, node, at):
        """Inside a value one file sets whole: BEST.yaml must give it whole, item for item."""
        where = _location(layer, node)
        kind = {yaml.MappingNode: "a mapping", yaml.SequenceNode: "a list"}.get(type(node), repr(node.value))
        if _is_table(node):
            table_error(at, value, Placed(layer, node))
        if isinstance(value, dict):
            if not isinstance(node, yaml.MappingNode):
                fail(at, f"BEST.yaml gives a mapping, {where} holds {kind}")
            keys = {k.value: v for k, v in node.value}
            given = {str(key) for key in value}
            for key in keys:
                if key not in given:
                    fail(at + (key,), f"is set at {where} but not in BEST.yaml, which gives this value whole")
            for key, sub in value.items():
                if str(key) not in keys:
                    fail(at + (str(key),), f"has no counterpart at {where}")
                in_file(sub, layer, keys[str(key)], at + (str(key),))
        elif isinstance(value, list):
            if not isinstance(node, yaml.SequenceNode):
                fail(at, f"BEST.yaml gives a list, {where} holds {kind}")
            if len(value) != len(node.value):
                fail(at, f"BEST.yaml gives {len(value)} items, {where} has {len(node.value)}")
            for i, (sub, child) in enumerate(zip(value, node.value)):
                in_file(sub, layer, child, at + (i,))
        else:
            if not isinstance(node, yaml.ScalarNode):
                fail(at, f"BEST.yaml gives {value!r}, {where} holds {kind}")
            if id(node) in claimed and claimed[id(node)] != at:
                fail(at, f"is the same YAML node as '{_dotted(claimed[id(node)])}' ({where}, an alias)")
            claimed[id(node)] = at
            old = _scalar(node)
            if not (_is_number(value) and _is_number(old)):
                if old != value:
                    fail(at, f"is {old!r} at {where}, BEST.yaml gives {value!r}: calibrate-apply writes numbers only")
                unchanged[0] += 1
                return
            new = value if isinstance(value, int) else float(value)
            if rounded(new) == rounded(old):
                unchanged[0] += 1
                return
            changes.append(Change(layer, node, _dotted(at), layer.text[node.start_mark.index:node.end_mark.index],
                                  number_text(new)))

    if not isinstance(best, dict) or not best:
        raise SpecError(f"{best_path}: expected a mapping of scenario keys (a calibration's best.yaml)")
    in_merged(best, tree, ())
    return changes, unchanged[0]


def edited_texts(changes):
    """{Layer: new text}: each change's span replaced, back to front so the earlier indices hold."""
    out = {}
    for layer in dict.fromkeys(c.layer for c in changes):
        text = layer.text
        for c in sorted((c for c in changes if c.layer is layer), key=lambda c: c.node.start_mark.index,
                        reverse=True):
            text = text[:c.node.start_mark.index] + c.new + text[c.node.end_mark.index:]
        out[layer.path] = text
    return out


def write_atomically(path, text):
    """Replace ``path`` with ``text`` at once (a temporary file in its folder, then os.replace)."""
    path = Path(path).resolve()        # a linked scenario: replace the file, not the link
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "w") as f:
            f.write(text)
            f.flush()
            os.fsync(f.fileno())
        os.chmod(tmp, path.stat().st_mode & 0o7777)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def number_leaves(value, at=()):
    """{key path: number} of every number in BEST.yaml."""
    if isinstance(value, dict):
        return {k: v for key, sub in value.items() for k, v in number_leaves(sub, at + (str(key),)).items()}
    if isinstance(value, list):
        return {k: v for i, sub in enumerate(value) for k, v in number_leaves(sub, at + (i,)).items()}
    return {_dotted(at): value} if _is_number(value) else {}


def verify(binary, scenario, best):
    """The keys whose resolved value differs from BEST.yaml's (after rounding), as lines."""
    tree = resolved_scenario(binary, scenario)
    wrong = []
    for key, value in number_leaves(best).items():
        try:
            got = expand(tree, key)[key]
        except (ValueError, KeyError) as e:
            wrong.append(f"{key}: {e}")
            continue
        if not _is_number(got) or rounded(got) != rounded(value):
            wrong.append(f"{key}: resolved {got!r}, BEST.yaml {value!r}")
    return wrong


# --------------------------------------------------------------------------------------------
# The command


def add_parser(commands):
    parser = commands.add_parser(
        "calibrate-apply", help="write a calibration's best.yaml into the scenario files that define its keys",
        description="Write each value of BEST.yaml (python3 -m migsim_analysis calibrate) into the file of the "
                    "scenario's extends chain that defines it, replacing only the number (comments and layout "
                    "stay); then check the resolved scenario with migsim validate (docs/validation.md).")
    parser.add_argument("best", metavar="BEST.yaml", help="the calibration's best.yaml")
    parser.add_argument("--scenario", metavar="FILE",
                        help="the scenario it applies to (default: the one BEST.yaml's header names, else the "
                             "scenario of analysis/calibration/spec.yaml)")
    parser.add_argument("--dry-run", action="store_true", help="print the changes, write nothing")
    return parser


def _default_scenario(best_path, text):
    match = re.search(r"^# Use: a scenario that extends (\S+) and holds", text, re.MULTILINE)
    if match:
        path = Path(match.group(1))
        return path if path.is_absolute() else REPO / path
    return load_spec(DEFAULT_SPEC).scenario


def main(args):
    previous = signal.signal(signal.SIGTERM, _interrupt)    # a kill puts the files back like Ctrl-C
    try:
        return _main(args)
    except SpecError as e:
        print(f"calibrate-apply: {e}", file=sys.stderr)
        return 2
    except VerificationFailed as e:
        print(f"calibrate-apply: {e}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("calibrate-apply: interrupted; the files are as before", file=sys.stderr)
        return 130
    finally:
        signal.signal(signal.SIGTERM, previous)


def _main(args):
    best_path = Path(args.best)
    if not best_path.is_file():
        raise SpecError(f"{best_path}: no such file")
    text = best_path.read_text()
    try:
        best, best_root = yaml.safe_load(text), yaml.compose(text)
    except yaml.YAMLError as e:
        raise SpecError(f"{best_path}: not valid YAML: {e}") from None
    scenario = Path(args.scenario) if args.scenario else _default_scenario(best_path, text)
    layers = load_chain(scenario)
    changes, unchanged = plan_changes(best_path, best, merged_chain(layers), best_root)
    binary = None if args.dry_run else _binary()        # before anything is written

    for c in sorted(changes, key=lambda c: (layers.index(c.layer), c.node.start_mark.index)):
        print(f"{_show(c.layer.path)}:{c.line} {c.key} {c.old} -> {c.new}")
    files = len({c.layer.path for c in changes})

    def summary(verb):
        print(f"calibrate-apply: {verb} {len(changes)} value(s) in {files} file(s); {unchanged} already as BEST.yaml "
              f"has them ({_show(best_path)} over {_show(scenario)})")

    if args.dry_run:
        summary("would change")
        return 0

    texts = edited_texts(changes)
    originals = {layer.path: layer.text for layer in layers if layer.path in texts}
    written = []
    try:
        for path, new_text in texts.items():
            write_atomically(path, new_text)
            written.append(path)
        wrong = verify(binary, scenario.resolve(), best)   # migsim runs in the repository: an absolute path
    except BaseException as e:
        for path in written:
            write_atomically(path, originals[path])
        if isinstance(e, SpecError):
            raise SpecError(f"migsim rejects the scenario with BEST.yaml's values, the files are as before: {e}") \
                from None
        raise
    if wrong:
        for path in written:
            write_atomically(path, originals[path])
        raise VerificationFailed(f"after writing, the resolved {_show(scenario)} does not hold BEST.yaml's values, "
                                 "the files are as before: " + "; ".join(wrong))
    summary("changed")
    print(f"calibrate-apply: migsim validate {_show(scenario)}: the resolved scenario holds BEST.yaml's values")
    return 0
