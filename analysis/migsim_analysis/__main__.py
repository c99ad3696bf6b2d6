"""migsim-analysis: check, summarise, validate, compare, export, plot and report migsim output files.

Exit status: 0 done; 1 the file has contract problems (check) or nothing could be compared
(validate); 2 bad input (a missing or unreadable file, a bad option), with one line on stderr.
"""

import argparse
import os
import sys

from . import calibration, calibration_apply
from .compare import compare, format_comparison
from .contract import check_contract
from .load import BadFile, Sweep, export_csv, open_output, summary_table
from .validate import DEFAULT_YEARS, format_table, parse_years, validation_table

PROG = "migsim-analysis"
FIGURES = ("stock", "nationality", "flows", "labour-market", "map", "points", "compare", "validation")


class UsageError(Exception):
    """A command line that cannot be carried out; the message says why."""


def _years_argument(text):
    try:
        return parse_years(text)
    except ValueError as e:
        raise argparse.ArgumentTypeError(str(e)) from None


def _parser():
    parser = argparse.ArgumentParser(prog=PROG, description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    commands = parser.add_subparsers(dest="command", required=True)
    check = commands.add_parser("check", help="check a file against the output contract; exit 1 on any problem")
    check.add_argument("file")

    summary = commands.add_parser("summary", help="print the national stock by status and year (persons) of each "
                                                  "file; a sweep: of each variant, mean over its runs")
    summary.add_argument("files", nargs="+", metavar="file")
    summary.add_argument("--years", type=int, nargs="+", help="only these census years")

    validate = commands.add_parser(
        "validate", help="compare a run with the observed statistics (analysis/observed): ARD per series, "
                         "model and naive forecast; exit 1 if no series can be compared")
    validate.add_argument("file")
    validate.add_argument("--years", type=_years_argument, default=DEFAULT_YEARS, metavar="FIRST-LAST",
                          help="validation window, e.g. 2020-2022 (the default) or 2022")
    validate.add_argument("--csv", metavar="OUT.csv", help="also write the table (with its notes) to this CSV file")

    comp = commands.add_parser(
        "compare", help="paired differences OTHER - BASE per measure and year, with a confidence interval and "
                        "the Monte-Carlo standard error (BASE, OTHER: run files, or one sweep with --variants)")
    comp.add_argument("files", nargs="*", metavar="file",
                      help="BASE.h5 OTHER.h5, or SWEEP.h5 with --variants BASE OTHER")
    comp.add_argument("--base", nargs="+", metavar="RUN.h5", help="the baseline's replicates (run files)")
    comp.add_argument("--other", nargs="+", metavar="RUN.h5", help="the variant's replicates, same seeds in order")
    comp.add_argument("--variants", nargs=2, metavar=("BASE", "OTHER"), help="two variants of one sweep file")
    comp.add_argument("--group", default="national", help="output group (default national)")
    comp.add_argument("--measures", nargs="+", help="variables to compare (default: every one over year)")
    comp.add_argument("--by", nargs="+", default=[], help="dimensions to keep, e.g. status (default: totals)")
    comp.add_argument("--years", type=int, nargs="+", help="only these census years in the printed table")
    comp.add_argument("--confidence", type=float, default=0.95, help="interval level (default 0.95)")
    comp.add_argument("--precision", type=float, metavar="FRACTION",
                      help="also say how many replicates give a half-width of FRACTION of the base mean")
    comp.add_argument("--csv", metavar="OUT.csv", help="write the whole table (every year) to this CSV file")

    export = commands.add_parser("export", help="write each group of a run or sweep as a tidy CSV file")
    export.add_argument("file")
    export.add_argument("-o", "--output", required=True, metavar="DIR", help="directory for <group>.csv")
    export.add_argument("--groups", nargs="+", help="only these groups")
    export.add_argument("--excel", action="store_true", help="UTF-8 with a byte-order mark, for spreadsheets")

    figure = commands.add_parser("figure", help=f"draw one figure ({', '.join(FIGURES)}) as PNG or SVG")
    figure.add_argument("kind", choices=FIGURES)
    figure.add_argument("files", nargs="*", metavar="file", help="the run or sweep (compare: BASE OTHER)")
    figure.add_argument("--base", nargs="+", metavar="RUN.h5", help="compare: the baseline's replicates")
    figure.add_argument("--other", nargs="+", metavar="RUN.h5", help="compare: the variant's replicates")
    figure.add_argument("--variants", nargs=2, metavar=("BASE", "OTHER"), help="compare: two variants of one sweep")
    figure.add_argument("-o", "--output", required=True, metavar="OUT.png|OUT.svg")
    figure.add_argument("--measure", help="map/points: foreign_residents, foreign_workers, ajts_per_1000_children, "
                                          "integration_index, agreements; compare: a national variable")
    figure.add_argument("--year", type=int, help="map/points/labour-market: census year (default: the last)")

    report = commands.add_parser("report", help="write figures, data and index.html for a run or sweep")
    report.add_argument("file")
    report.add_argument("--compare", nargs="+", default=[], metavar="OTHER.h5", help="files compared with it")
    report.add_argument("-o", "--output", required=True, metavar="DIR")
    report.add_argument("--svg", action="store_true", help="write each figure as SVG too")

    calibration.add_parser(commands)
    calibration_apply.add_parser(commands)
    return parser


def main(argv=None):
    parser = _parser()
    args = parser.parse_args(argv)
    try:
        status = COMMANDS[args.command](args)
        sys.stdout.flush()
        return status
    except KeyboardInterrupt:
        print(f"{PROG} {args.command}: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        # The reader (e.g. `| head`) has gone: stop quietly, like any Unix filter.
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return 141
    except (BadFile, UsageError, FileNotFoundError, IsADirectoryError, PermissionError, KeyError, ValueError,
            OSError) as e:
        message = e.args[0] if isinstance(e, KeyError) and e.args else str(e)
        print(f"{PROG} {args.command}: {message}", file=sys.stderr)
        return 2


def _check(args):
    if not os.path.exists(args.file):
        raise BadFile(f"{args.file}: no such file")
    problems = check_contract(args.file)
    for problem in problems:
        print(f"{args.file}: {problem}")
    if not problems:
        print(f"{args.file}: follows the output contract")
    return 1 if problems else 0


def _summary(args):
    tables = []
    for path in args.files:
        obj = open_output(path)
        if isinstance(obj, Sweep):
            tables += [(f"{path} [{v}, mean of its runs]", summary_table(path, args.years, variant=v))
                       for v in obj.variants]
        else:
            tables.append((path, summary_table(path, args.years)))
    for i, (name, table) in enumerate(tables):
        table.loc["total"] = table.sum()
        if len(tables) > 1:
            print(("\n" if i else "") + f"== {name}")
        print(table.to_string())
    return 0


def _validate(args):
    if isinstance(open_output(args.file), Sweep):
        raise UsageError(f"{args.file}: validate takes a single-run file, this is a sweep")
    table = validation_table(args.file, years=args.years)
    print(format_table(table))
    if args.csv:
        table.to_csv(args.csv, index=False)
    return 0 if len(table) else 1


def _sides(args):
    """(base, other) for compare and figure compare."""
    if args.base or args.other:
        if not (args.base and args.other) or args.files:
            raise UsageError("give --base RUN.h5... and --other RUN.h5... (and no other file)")
        if len(args.base) != len(args.other):
            raise UsageError(f"--base has {len(args.base)} runs and --other {len(args.other)}: pair them by seed")
        return [open_output(p) for p in args.base], [open_output(p) for p in args.other]
    if getattr(args, "variants", None):
        if len(args.files) != 1:
            raise UsageError("--variants takes one sweep file")
        sweep = open_output(args.files[0])
        if not isinstance(sweep, Sweep):
            raise UsageError(f"{args.files[0]}: --variants needs a sweep file, this is a single run")
        return sweep.variant(args.variants[0]), sweep.variant(args.variants[1])
    if len(args.files) != 2:
        raise UsageError("expected BASE.h5 OTHER.h5, --base/--other runs, or one sweep file with --variants")
    return tuple(_whole(open_output(p)) for p in args.files)


def _whole(obj):
    return obj.select() if isinstance(obj, Sweep) else obj


def _compare(args):
    base, other = _sides(args)
    table = compare(base, other, measures=args.measures, group=args.group, by=args.by, confidence=args.confidence,
                    precision=args.precision)
    if args.csv:
        table.to_csv(args.csv, index=False)
    print(format_comparison(table, years=args.years))
    return 0


def _export(args):
    obj = open_output(args.file)
    for group in args.groups or []:
        if group not in obj:
            raise UsageError(f"{args.file}: no group '{group}' (it has {', '.join(obj)})")
    for path in export_csv(obj, args.output, excel=args.excel, groups=args.groups):
        print(path)
    return 0


def _figure(args):
    from . import figures

    if args.kind == "compare":
        base, other = _sides(args)
        path = figures.comparison_figure(base, other, args.output, measure=args.measure or "stock")
    else:
        if len(args.files) != 1 or args.base or args.other or args.variants:
            raise UsageError(f"figure {args.kind} takes one file")
        obj = open_output(args.files[0])
        subject = obj.variant(obj.variants[0]) if isinstance(obj, Sweep) else obj
        if args.kind == "stock":
            path = figures.stock_figure(subject, args.output, by="status")
        elif args.kind == "nationality":
            path = figures.stock_figure(subject, args.output, by="origin")
        elif args.kind == "flows":
            path = figures.flows_figure(subject, args.output)
        elif args.kind == "labour-market":
            path = figures.labour_market_figure(subject, args.output, year=args.year)
        elif args.kind == "map":
            path = figures.prefecture_map(subject, args.output, measure=args.measure or "foreign_residents",
                                          year=args.year)
        elif args.kind == "points":
            path = figures.municipality_map(subject, args.output, measure=args.measure or "foreign_residents",
                                            year=args.year)
        else:
            if isinstance(obj, Sweep):
                raise UsageError("figure validation takes a single-run file")
            path = figures.validation_figure(obj.path, args.output)
    print(path)
    return 0


def _report(args):
    from .report import write_report

    index = write_report(args.file, args.output, compare_with=args.compare, svg=args.svg)
    print(index)
    return 0


COMMANDS = {"check": _check, "summary": _summary, "validate": _validate, "compare": _compare, "export": _export,
            "figure": _figure, "report": _report, "calibrate": calibration.main,
            "calibrate-apply": calibration_apply.main}

if __name__ == "__main__":
    sys.exit(main())
