"""Command line: ``python3 -m migsim_analysis check RUN.h5`` and ``python3 -m migsim_analysis summary RUN.h5``."""

import argparse
import sys

from .contract import check_contract
from .load import summary_table


def main(argv=None):
    parser = argparse.ArgumentParser(prog="python3 -m migsim_analysis", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)
    check = commands.add_parser("check", help="check a file against the output contract; exit 1 on any problem")
    check.add_argument("file")
    summary = commands.add_parser("summary", help="print the national stock by status and year (persons)")
    summary.add_argument("file")
    summary.add_argument("--years", type=int, nargs="+", help="only these census years")
    args = parser.parse_args(argv)

    if args.command == "check":
        problems = check_contract(args.file)
        for problem in problems:
            print(f"{args.file}: {problem}")
        if not problems:
            print(f"{args.file}: follows the output contract")
        return 1 if problems else 0

    try:
        table = summary_table(args.file, args.years)
    except (OSError, KeyError, ValueError) as e:
        print(f"{args.file}: {e}", file=sys.stderr)
        return 1
    table.loc["total"] = table.sum()
    print(table.to_string())
    return 0


if __name__ == "__main__":
    sys.exit(main())
