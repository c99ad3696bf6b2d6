"""docs/analysis.md, run as written: its sh blocks in bash, its python blocks in the installed package's
Python, its `yaml file=PATH` blocks written to PATH, all in order, from a folder that looks like the
repository's top folder (scenarios/, analysis/ and build/migsim linked in). The report it writes is
checked here too: its images exist and headless Chromium shows it."""

import os
import re
import shutil
import subprocess
import sys

import matplotlib.image
import numpy as np
import pytest
from conftest import MIGSIM, REPO, has_sweep_command

from migsim_analysis.report import image_sources

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


def check_report(folder, screenshot):
    """The report's index.html: every <img> exists, and headless Chromium shows a page that is not blank."""
    index = folder / "index.html"
    html = index.read_text(encoding="utf-8")
    sources = image_sources(index)
    assert len(sources) >= 10 and all((folder / s).is_file() and (folder / s).stat().st_size > 0 for s in sources)
    assert "Headline" in html and "<tr><th>replicates</th><td>3</td></tr>" in html       # provenance of the sweep
    assert "ssw1_closed against baseline" in html and "quickstart against baseline" in html
    for link in re.findall(r'href="(data/[^"]+)"', html):
        assert (folder / link).is_file(), link
    assert not list(folder.rglob("*.partial"))
    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    assert chromium, "chromium is needed (scripts/bootstrap.sh installs it)"
    subprocess.run([chromium, "--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars",
                    f"--screenshot={screenshot}", "--window-size=1200,1600", index.as_uri()],
                   capture_output=True, timeout=120, check=True)
    pixels = matplotlib.image.imread(screenshot)[..., :3]
    # Not blank: a real share of the page is not background white, and it holds colour (tables, figures).
    assert (pixels.mean(axis=2) < 0.9).mean() > 0.02
    assert np.abs(pixels[..., 0] - pixels[..., 2]).max() > 0.2


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
    check_report(results / "report", tmp_path / "screenshot.png")
    assert matplotlib.image.imread(results / "ssw1_effect.png").std() > 0.02
    # The package was installed from the link to analysis/, not found through PYTHONPATH.
    assert (tmp_path / "home" / ".venvs" / "migsim" / "bin" / "migsim-analysis").is_file()
    shutil.rmtree(tmp_path / "home")
