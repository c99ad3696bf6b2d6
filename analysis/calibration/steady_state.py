"""The student channel's level from the steady state its weight assumes (docs/validation.md, The student
channel). make_japan.py sets every channel's entries as the 2019 stock over a mean stay, i.e. it takes the
2019 stock for a steady state; the calibrated exit rate fixes the model's own mean stay. This finds the
`statuses.STUDENT.channel_multiplier` at which the backtest without its border closure keeps the
students of 2019-12 flat to 2022-10, by bisection on full-scale runs (the 2020-2022 data cannot tell the
multiplier: the closure dominates them).

    PYTHONPATH=analysis /usr/bin/python3 analysis/calibration/student_steady_state.py [--binary build/migsim]
"""

import argparse
import subprocess
import sys
import tempfile
from pathlib import Path

import h5py

REPO = Path(__file__).resolve().parents[2]
BACKTEST = REPO / "scenarios" / "backtest_2019.yaml"


def students_drift(binary, multiplier, work):
    """Students at the backtest's last census over its first, without the closure."""
    out = Path(work) / f"steady_{multiplier:.6f}.h5"
    subprocess.run([str(binary), "run", str(BACKTEST), "--set", "events=[]", "--set",
                    f"statuses.STUDENT.channel_multiplier={multiplier:.6f}", "-q", "-o", str(out)],
                   check=True, cwd=REPO, capture_output=True)
    with h5py.File(out, "r") as f:
        status = list(f["national/status"].asstr()[:]).index("STUDENT")
        stock = f["national/stock"][:].sum(axis=(2, 3))[:, status]
    out.unlink()
    return float(stock[-1] / stock[0])


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--binary", default=str(REPO / "build" / "migsim"))
    parser.add_argument("--low", type=float, default=0.3)
    parser.add_argument("--high", type=float, default=1.5)
    parser.add_argument("--tolerance", type=float, default=0.005, help="of the drift (default 0.005)")
    parser.add_argument("--steps", type=int, default=20, help="bisection steps at most (default 20)")
    args = parser.parse_args(argv)
    low, high = args.low, args.high
    with tempfile.TemporaryDirectory() as work:
        if not students_drift(args.binary, low, work) < 1 < students_drift(args.binary, high, work):
            sys.exit(f"the flat multiplier is not between {low} and {high}")
        for _ in range(args.steps):  # the drift is a draw: it need not reach the tolerance
            middle = (low + high) / 2
            drift = students_drift(args.binary, middle, work)
            print(f"channel_multiplier {middle:.4f}: students 2022-10 / 2019-12 = {drift:.4f}")
            if abs(drift - 1) <= args.tolerance:
                break
            low, high = (middle, high) if drift < 1 else (low, middle)
        else:
            sys.exit(f"no multiplier within {args.tolerance} of flat after {args.steps} steps (last {middle:.4g})")
    print(f"steady: statuses.STUDENT.channel_multiplier = {middle:.4g}")


if __name__ == "__main__":
    main()
