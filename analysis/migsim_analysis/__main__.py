"""Command line: ``python3 -m migsim_analysis check RUN.h5``, ``... summary RUN.h5`` and ``... validate RUN.h5``."""

import argparse
import sys

from . import calibration
from .contract import check_contract
from .load import summary_table
from .validate import DEFAULT_YEARS, format_table, parse_years, validation_table


def _years_argument(text):
    try:
        return parse_years(text)
    except ValueError as e:
        raise argparse.ArgumentTypeError(str(e)) from None


def main(argv=None):
    parser = argparse.ArgumentParser(prog="python3 -m migsim_analysis", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)
    check = commands.add_parser("check", help="check a file against the output contract; exit 1 on any problem")
    check.add_argument("file")
    summary = commands.add_parser("summary", help="print the national stock by status and year (persons)")
    summary.add_argument("file")
    summary.add_argument("--years", type=int, nargs="+", help="only these census years")
    validate = commands.add_parser(
        "validate", help="compare a run with the observed statistics (analysis/observed): ARD per series, "
                         "model and naive forecast; exit 1 if no series can be compared")
    validate.add_argument("file")
    validate.add_argument("--years", type=_years_argument, default=DEFAULT_YEARS, metavar="FIRST-LAST",
                          help="validation window, e.g. 2020-2022 (the default) or 2022")
    validate.add_argument("--csv", metavar="OUT.csv", help="also write the table (with its notes) to this CSV file")
    calibration.add_parser(commands)
    args = parser.parse_args(argv)
    if args.command == "calibrate":
        return calibration.main(args)

    if args.command == "check":
        problems = check_contract(args.file)
        for problem in problems:
            print(f"{args.file}: {problem}")
        if not problems:
            print(f"{args.file}: follows the output contract")
        return 1 if problems else 0

    if args.command == "validate":
        return _validate(args)

    try:
        table = summary_table(args.file, args.years)
    except (OSError, KeyError, ValueError) as e:
        print(f"{args.file}: {e}", file=sys.stderr)
        return 1
    table.loc["total"] = table.sum()
    print(table.to_string())
    return 0


def _validate(args):
    try:
        table = validation_table(args.file, years=args.years)
    except (OSError, KeyError, ValueError) as e:
        print(f"{args.file}: {e}", file=sys.stderr)
        return 1
    print(format_table(table))
    if args.csv:
        table.to_csv(args.csv, index=False)
    return 0 if len(table) else 1


if __name__ == "__main__":
    sys.exit(main())
