"""A level set from the steady state its data assume (docs/validation.md: the student channel, the family
joins). The 2020-2022 data cannot tell such a level: the border closure dominates them. This finds the value
of one scenario key at which the backtest without its border closure keeps one status's stock of 2019-12
flat to 2022-10, by bisection on full-scale runs; the status's stock must grow with the key.

    PYTHONPATH=analysis /usr/bin/python3 analysis/calibration/steady_state.py [--binary build/migsim]
        [--status STUDENT --key statuses.STUDENT.channel_multiplier --low 0.3 --high 1.5]
    PYTHONPATH=analysis /usr/bin/python3 analysis/calibration/steady_state.py --status DEPENDENT \
        --key family.join_rate_per_month --low 0.0002 --high 0.004

The students: make_japan.py sets every channel's entries as the 2019 stock over a mean stay, i.e. it takes
the 2019 stock for a steady state, and the calibrated exit rate fixes the model's own mean stay. The
dependants: their stock stood near 200,000 in 2019-2021 (ISA), so the rate at which families join is the
one that holds it there.
"""

import argparse
import subprocess
import sys
import tempfile
from pathlib import Path

import h5py

REPO = Path(__file__).resolve().parents[2]
BACKTEST = REPO / "scenarios" / "backtest_2019.yaml"


def drift(binary, status, key, value, work):
    """The status's stock at the backtest's last census over its first, without the closure."""
    out = Path(work) / f"steady_{value:.8g}.h5"
    subprocess.run([str(binary), "run", str(BACKTEST), "--set", "events=[]", "--set", f"{key}={value:.8g}", "-q",
                    "-o", str(out)], check=True, cwd=REPO, capture_output=True)
    with h5py.File(out, "r") as f:
        index = list(f["national/status"].asstr()[:]).index(status)
        stock = f["national/stock"][:].sum(axis=(2, 3))[:, index]
    out.unlink()
    return float(stock[-1] / stock[0])


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--binary", default=str(REPO / "build" / "migsim"))
    parser.add_argument("--status", default="STUDENT")
    parser.add_argument("--key", default="statuses.STUDENT.channel_multiplier")
    parser.add_argument("--low", type=float, default=0.3)
    parser.add_argument("--high", type=float, default=1.5)
    parser.add_argument("--tolerance", type=float, default=0.005, help="of the drift (default 0.005)")
    parser.add_argument("--steps", type=int, default=20, help="bisection steps at most (default 20)")
    args = parser.parse_args(argv)
    low, high = args.low, args.high
    with tempfile.TemporaryDirectory() as work:
        def at(value):
            return drift(args.binary, args.status, args.key, value, work)
        if not at(low) < 1 < at(high):
            sys.exit(f"the flat {args.key} is not between {low} and {high}")
        for _ in range(args.steps):  # the drift is a draw: it need not reach the tolerance
            middle = (low + high) / 2
            ratio = at(middle)
            print(f"{args.key} {middle:.6g}: {args.status} 2022-10 / 2019-12 = {ratio:.4f}")
            if abs(ratio - 1) <= args.tolerance:
                break
            low, high = (middle, high) if ratio < 1 else (low, middle)
        else:
            sys.exit(f"no value within {args.tolerance} of flat after {args.steps} steps (last {middle:.4g})")
    print(f"steady: {args.key} = {middle:.4g}")


if __name__ == "__main__":
    main()
