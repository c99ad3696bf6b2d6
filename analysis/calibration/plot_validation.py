#!/usr/bin/python3
"""The backtest and the baseline's first years side by side with the observed series up to 2022.

usage: PYTHONPATH=analysis /usr/bin/python3 analysis/calibration/plot_validation.py BACKTEST.h5 BASELINE.h5 -o OUT.png

BACKTEST.h5 is a run of scenarios/backtest_2019.yaml, BASELINE.h5 one of scenarios/japan_baseline.yaml
(docs/validation.md, "The backtest and the baseline against the data", gives the commands). Six panels:
ISA foreign residents, TITP, SSW1 and SSW2, students, MHLW workers (notified: without special permanent
residents, as validate compares them) and arrivals from abroad. Observed points are end of December (ISA)
or end of October (MHLW) or calendar years (arrivals); each run record is at its census month.
"""

import argparse
import sys
from pathlib import Path

import h5py
import matplotlib
import matplotlib.ticker

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import pandas as pd  # noqa: E402

OBSERVED = Path(__file__).resolve().parents[1] / "observed"
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from migsim_analysis.validate import MHLW_NOT_NOTIFIED, status_mapping  # noqa: E402


def run_series(path):
    """{name: pandas.Series by year} of a run: total, TITP, SSW1, SSW2, STUDENT stock; notified workers; entries."""
    with h5py.File(path, "r") as f:
        statuses = list(f["national/status"].asstr()[:])
        years = [int(y) for y in f["national/year"][:]]
        stock = f["national/stock"][:].sum(axis=(2, 3))
        workers = f["national/workers"][:].sum(axis=(2, 3))
        entries = f["national/entries"][:].sum(axis=(1, 2, 3))
    notified = [k for k, s in enumerate(statuses) if s not in MHLW_NOT_NOTIFIED]
    out = {"total": stock.sum(axis=1), "workers": workers[:, notified].sum(axis=1), "arrivals": entries}
    for status in ("TITP", "SSW1", "SSW2", "STUDENT"):
        out[status] = stock[:, statuses.index(status)]
    frame = pd.DataFrame(out, index=years)
    frame.loc[years[0], "arrivals"] = float("nan")      # the first record is the initial census: no flows
    return frame


def observed_series():
    """{name: pandas.Series by year} of the observed tables, to 2022."""
    isa = pd.read_csv(OBSERVED / "isa_residents.csv")
    dec = isa[isa["date"].str.endswith("-12")].assign(year=lambda t: t["date"].str[:4].astype(int))
    mapping, _ = status_mapping()
    status = dec[dec["series"] == "status"]
    status = status[status["category"].isin(mapping)]
    by_status = status.groupby(["year", status["category"].map(mapping)])["persons"].sum().unstack()
    ssw = pd.read_csv(OBSERVED / "ssw.csv")
    ssw_dec = ssw[ssw["date"].str.endswith("-12")].assign(year=lambda t: t["date"].str[:4].astype(int))
    mhlw = pd.read_csv(OBSERVED / "mhlw_workers.csv")
    flows = pd.read_csv(OBSERVED / "flows.csv")
    return {
        "total": dec[dec["series"] == "total"].set_index("year")["persons"],
        "TITP": by_status["TITP"],
        "SSW1": ssw_dec[ssw_dec["series"].isin(["ssw1", "total"])].groupby("year")["persons"].max(),
        "SSW2": ssw_dec[ssw_dec["series"] == "ssw2"].set_index("year")["persons"],
        "STUDENT": by_status["STUDENT"],
        "workers": mhlw[(mhlw["series"] == "total") & (mhlw["year"] >= 2018)].set_index("year")["persons"],
        "arrivals": flows[flows["series"] == "arrivals_from_abroad"].set_index("year")["persons"],
    }


PANELS = [("total", "ISA foreign residents"), ("TITP", "TITP (technical interns)"),
          ("SSW1", "SSW1 (SSW2 dashed)"), ("STUDENT", "students"),
          ("workers", "MHLW workers (notified)"), ("arrivals", "arrivals from abroad (per year)")]


def plot(backtest, baseline, out):
    bt, bl, obs = run_series(backtest), run_series(baseline), observed_series()
    fig, axes = plt.subplots(2, 3, figsize=(13, 7), constrained_layout=True)
    for ax, (name, title) in zip(axes.flat, PANELS):
        ax.plot(obs[name].index, obs[name].values / 1e3, "o", color="black", label="observed (to 2022)")
        ax.plot(bt.index, bt[name] / 1e3, "-", color="tab:blue", label="backtest (from 2019-10)")
        ax.plot(bl.index, bl[name] / 1e3, "-", color="tab:red", label="baseline (from 2022-12)")
        if name == "SSW1":
            ax.plot(obs["SSW2"].index, obs["SSW2"].values / 1e3, "s", color="grey", label="observed SSW2")
            ax.plot(bt.index, bt["SSW2"] / 1e3, "--", color="tab:blue")
            ax.plot(bl.index, bl["SSW2"] / 1e3, "--", color="tab:red")
        ax.set_title(title)
        ax.set_ylabel("thousands")
        ax.set_ylim(bottom=0)
        ax.grid(alpha=0.3)
        ax.xaxis.set_major_locator(matplotlib.ticker.MaxNLocator(integer=True))
    axes.flat[0].legend(loc="lower right", fontsize=8)
    fig.suptitle("Backtest (2019-10 to 2022-10) and baseline (from 2022-12) against the observed series")
    fig.savefig(out, dpi=110)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("backtest", type=Path)
    parser.add_argument("baseline", type=Path)
    parser.add_argument("-o", "--out", type=Path, required=True)
    args = parser.parse_args()
    plot(args.backtest, args.baseline, args.out)
    print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
