"""Golden digests: the output of two fixed runs, dataset by dataset, must not change by a byte.

Refactoring the engine (moving code between units, renaming) must leave every dataset as it was; the
digests in tests/golden/digests.json say what the runs below wrote. Attributes are left out (they
describe the run and the file, and change with the output contract, not with the model).

A deliberate change of the model changes the digests: regenerate them in the same commit and say
in its message why the output changed:

    MIGSIM_BIN=build/migsim /usr/bin/python3 tests/python/test_golden.py --update
"""

import hashlib
import json
import sys
import tempfile
from pathlib import Path

import h5py

sys.path.insert(0, str(Path(__file__).resolve().parent))
from conftest import QUICKSTART, REPO, run_ok  # noqa: E402

DIGESTS = REPO / "tests" / "golden" / "digests.json"
# Each run: its name in the digest file and the command-line arguments after `migsim run`.
RUNS = {
    "quickstart": [QUICKSTART, "--threads", "2"],
    "japan_baseline_scale_0.1": [REPO / "scenarios" / "japan_baseline.yaml", "--scale", "0.1", "--threads", "2"],
}


def dataset_digests(path):
    """{"group/name": sha256 of its dtype, shape and raw bytes} for every dataset of the file."""
    digests = {}

    def visit(name, obj):
        if isinstance(obj, h5py.Dataset):
            data = obj[()]
            h = hashlib.sha256()
            h.update(data.dtype.str.encode())
            h.update(repr(data.shape).encode())
            if data.dtype.kind == "O":  # variable-length strings: their bytes, not the objects' addresses
                h.update(b"\0".join(x if isinstance(x, bytes) else str(x).encode() for x in data.ravel()))
            else:
                h.update(data.tobytes())
            digests[name] = h.hexdigest()

    with h5py.File(path, "r") as f:
        f.visititems(visit)
    return dict(sorted(digests.items()))


def run_digests(name, directory):
    out = Path(directory) / f"{name}.h5"
    run_ok("run", *RUNS[name], "-q", "-o", out)
    return dataset_digests(out)


def test_golden_digests(tmp_path):
    expected = json.loads(DIGESTS.read_text())
    assert sorted(expected) == sorted(RUNS), f"{DIGESTS} names other runs than {sorted(RUNS)}"
    for name in RUNS:
        got = run_digests(name, tmp_path)
        assert sorted(got) == sorted(expected[name]), f"{name}: other datasets than the golden ones"
        changed = [d for d in got if got[d] != expected[name][d]]
        assert not changed, (f"{name}: datasets differ from the golden digests: {changed} "
                             "(a deliberate model change regenerates them: see this file's docstring)")


if __name__ == "__main__":
    if sys.argv[1:] != ["--update"]:
        sys.exit(f"usage: MIGSIM_BIN=build/migsim {sys.argv[0]} --update   (writes {DIGESTS})")
    with tempfile.TemporaryDirectory() as directory:
        digests = {name: run_digests(name, directory) for name in RUNS}
    DIGESTS.write_text(json.dumps(digests, indent=1, sort_keys=True) + "\n")
    print(f"wrote {DIGESTS}: {sum(len(d) for d in digests.values())} datasets of {len(digests)} runs")
