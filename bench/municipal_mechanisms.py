#!/usr/bin/python3
"""The municipal mechanisms measured on japan_baseline: each switched off against the default, at
scale 0.1, over three seeds (the table of docs/model.md, "Measured effects of the municipal
mechanisms").

usage: /usr/bin/python3 bench/municipal_mechanisms.py [--migsim build/migsim] [--scale 0.1] [--out DIR]

For each mechanism it prints its target outcome with the default and switched off (mean of the
seeds), the difference, and the spread (max - min) of the three seeds with the default: an
effect larger than the spread stands out of seed noise."""
import argparse
import pathlib
import subprocess
import tempfile

import numpy as np
import xarray as xr

REPO = pathlib.Path(__file__).resolve().parent.parent
SEEDS = [20221231, 1, 2]
COUNCIL = [10205, 10524, 20203, 20205, 22130, 23201, 23211, 23219, 24201, 24202, 24207, 24210, 33208]
TOYOTA, KAWASAKI = 23211, 14130
FLAGS = ["language_classes", "consultation", "residents_assembly", "employer_subsidy"]


def municipal(path):
    return xr.open_dataset(path, group="municipality", engine="h5netcdf")


def column(m, code):
    return int(np.flatnonzero(m["municipality"].values == code)[0])


def council_policies(m, year):
    """Policies council members run (the four flags, and AJTs) at `year`."""
    rows = [column(m, c) for c in COUNCIL]
    y = m.sel(year=year)
    return float(sum(y[f].values[rows].sum() for f in FLAGS) + (y["ajts"].values[rows] > 0).sum())


def dependants_leaving(path, first, last):
    n = xr.open_dataset(path, group="national", engine="h5netcdf")
    return float(n["exits"].sel(year=slice(first, last), status="DEPENDENT").sum())


# name, the key switched off (--set), its target outcome and how it is read from a run
MECHANISMS = [
    ("budgets that grow with foreign residents", "municipal_policy.budget_yen_per_foreign_resident=0",
     "AJTs in Japan, 2040", lambda p: float(municipal(p)["ajts"].sel(year=2040).sum())),
    ("AJTs hired with the children who need Japanese", "municipal_policy.budget_yen_per_foreign_resident=0",
     "Toyota's AJTs, 2040", lambda p: float(municipal(p)["ajts"].sel(year=2040).values[column(municipal(p), TOYOTA)])),
    ("council peer diffusion", "municipal_policy.peer_effect=0",
     "policies run by the 13 council members, 2030", lambda p: council_policies(municipal(p), 2030)),
    ("AJTs teach children Japanese", "integration.ajt_learning_boost=0",
     "children who need Japanese instruction, 2040", lambda p: float(municipal(p)["children_needing_japanese"].sel(year=2040).sum())),
    ("AJT ability (mean 1 -> 0.5)", "municipal_policy.ajt_ability_mean=0.5",
     "children who need Japanese instruction, 2040", lambda p: float(municipal(p)["children_needing_japanese"].sel(year=2040).sum())),
    ("AJTs keep families here", "integration.ajt_family_stay_effect=0",
     "dependants who leave (DEPENDENT exits), 2023-2040", lambda p: dependants_leaving(p, 2023, 2040)),
    ("the assembly's voice", "municipal_policy.assembly_voice_effect=0",
     "Kawasaki's AJTs, 2025", lambda p: float(municipal(p)["ajts"].sel(year=2025).values[column(municipal(p), KAWASAKI)])),
]


def run(migsim, scale, seed, override, out):
    path = out / f"run_{seed}_{(override or 'default').replace('=', '_').replace('.', '_')}.h5"
    if not path.exists():
        cmd = [migsim, "run", str(REPO / "scenarios/japan_baseline.yaml"), "--scale", str(scale), "--seed", str(seed),
               "-q", "-o", str(path)]
        if override:
            cmd += ["--set", override]
        subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL)
    return path


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--migsim", default=str(REPO / "build/migsim"))
    parser.add_argument("--scale", type=float, default=0.1)
    parser.add_argument("--out", type=pathlib.Path, default=None, help="keep the runs here (default: a temporary folder)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        out = args.out or pathlib.Path(tmp)
        out.mkdir(parents=True, exist_ok=True)
        print("| mechanism | switched off | target outcome | default | off | difference | spread of 3 seeds |")
        print("|---|---|---|---|---|---|---|")
        for name, override, target, read in MECHANISMS:
            on = np.array([read(run(args.migsim, args.scale, s, None, out)) for s in SEEDS])
            off = np.array([read(run(args.migsim, args.scale, s, override, out)) for s in SEEDS])
            print(f"| {name} | `{override}` | {target} | {on.mean():,.0f} | {off.mean():,.0f} | "
                  f"{on.mean() - off.mean():+,.0f} | {np.ptp(on):,.0f} |")


if __name__ == "__main__":
    main()
