"""docs/analysis.md, run as written: its sh blocks in bash, its python blocks in the installed package's
Python, its `yaml file=PATH` blocks written to PATH, all in order, from a folder that looks like the
repository's top folder (scenarios/, analysis/ and build/migsim linked in)."""

import os
import re
import shutil
import sys

import matplotlib.image
import pytest
from conftest import MIGSIM, REPO, has_sweep_command

import subprocess

DOC = REPO / "docs" / "analysis.md"
BLOCK = re.compile(r"^```(\w+)([^\n]*)\n(.*?)^```", re.MULTILINE | re.DOTALL)


def blocks():
    return [(kind, info.strip(), body) for kind, info, body in BLOCK.findall(DOC.read_text(encoding="utf-8"))]


def script():
    """The document as one bash script (so that PATH set by one block holds in the next)."""
    lines = ["set -euo pipefail"]
    for i, (kind, info, body) in enumerate(blocks()):
        lines.append(f"echo '### block {i}' >&2")
        if kind == "sh":
            lines.append(body)
        elif kind == "python":
            lines.append(f"python3 - <<'PYTHON_BLOCK'\n{body}PYTHON_BLOCK")
        elif kind == "yaml" and info.startswith("file="):
            lines.append(f"mkdir -p \"$(dirname {info[5:]})\"\ncat > {info[5:]} <<'YAML_BLOCK'\n{body}YAML_BLOCK")
    return "\n".join(lines) + "\n"


def test_every_block_is_run():
    kinds = [(kind, info) for kind, info, _ in blocks()]
    assert all(k in ("sh", "python") or (k == "yaml" and i.startswith("file=")) for k, i in kinds), kinds
    assert sum(k == "sh" for k, _ in kinds) >= 5 and sum(k == "python" for k, _ in kinds) >= 3


def test_the_worked_example_runs_as_written(tmp_path):
    if not has_sweep_command():
        pytest.skip("needs migsim sweep")
    top = tmp_path / "repo"
    (top / "build").mkdir(parents=True)
    os.symlink(MIGSIM, top / "build" / "migsim")
    for name in ("scenarios", "analysis"):
        os.symlink(REPO / name, top / name)
    bin_dir = tmp_path / "bin"                      # `python3` is the Python running the tests
    bin_dir.mkdir()
    os.symlink(sys.executable, bin_dir / "python3")
    env = dict(os.environ, HOME=str(tmp_path / "home"), PATH=f"{bin_dir}:{os.environ['PATH']}",
               PIP_NO_INDEX="1", PYTHONDONTWRITEBYTECODE="1")
    env.pop("PYTHONPATH", None)
    (tmp_path / "script.sh").write_text(script())
    result = subprocess.run(["bash", str(tmp_path / "script.sh")], cwd=top, env=env, capture_output=True, text=True,
                            timeout=600)
    last_block = [l for l in result.stderr.splitlines() if l.startswith("### block")][-1:]
    assert result.returncode == 0, f"{last_block}: {result.stderr[-3000:]}"
    out = result.stdout
    assert "usage: migsim-analysis" in out and "SSW1" in out
    assert "ssw1_closed - baseline" in out and "interval" in out
    results = top / "results"
    for name in ("ssw1_effect.png", "workers_map.svg", "ssw1_closed_by_status.png", "flows.svg", "morris.png",
                 "report/index.html", "csv_excel/national.csv", "csv_excel/municipality.csv"):
        assert (results / name).is_file() and (results / name).stat().st_size > 0, name
    assert (results / "csv_excel" / "municipality.csv").read_bytes()[:3] == b"\xef\xbb\xbf"
    assert matplotlib.image.imread(results / "ssw1_effect.png").std() > 0.02
    # The package was installed from the link to analysis/, not found through PYTHONPATH.
    assert (tmp_path / "home" / ".venvs" / "migsim" / "bin" / "migsim-analysis").is_file()
    shutil.rmtree(tmp_path / "home")
