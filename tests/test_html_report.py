"""`paralift analyze --format html`, rendered by headless Chromium (Debian's package)."""
from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from paralift.analysis import analyze_file

HERE = Path(__file__).parent
SOURCES = [HERE / "realworld" / "linalg.py", HERE / "realworld" / "stencils.py"]
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
pytestmark = pytest.mark.skipif(CHROMIUM is None, reason="Chromium is not installed (apt-get install chromium)")


def _chromium(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", *args],
                          capture_output=True, text=True, timeout=120)


def _report(tmp_path: Path) -> Path:
    page = tmp_path / "report.html"
    done = subprocess.run([sys.executable, "-m", "paralift", "analyze", "--format", "html", "-o", str(page),
                           *map(str, SOURCES)], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    return page


def test_the_page_colours_every_loop_by_its_verdict(tmp_path):
    dom = _chromium("--dump-dom", _report(tmp_path).as_uri()).stdout
    verdicts = [v.verdict for p in SOURCES for k in analyze_file(p).kernels for v in k.loops]
    for verdict in ("parallel", "reduction", "sequential"):
        assert len(re.findall(rf'class="line loop {verdict}"', dom)) == verdicts.count(verdict)
    assert "12 parallel" not in dom or verdicts.count("parallel") == 12
    assert "http" not in dom.split("<body", 1)[1].split("paralift analysis", 1)[0]  # nothing fetched


def test_the_reasons_are_in_the_page_and_shown_by_its_script(tmp_path):
    page = _report(tmp_path)
    closed = _chromium("--dump-dom", page.as_uri()).stdout
    opened = _chromium("--dump-dom", page.as_uri() + "#all").stdout
    assert closed.count('class="why" id=') == opened.count('class="why" id=') > 0
    assert closed.count("hidden") >= closed.count('class="why" id=')
    assert 'class="why" id="why-0-' in opened and " hidden" not in opened.split('class="why"', 1)[1][:60]
    assert "reads the element" in opened and "(PL201, line" in opened


def test_a_screenshot_renders(tmp_path):
    shot = tmp_path / "report.png"
    _chromium(f"--screenshot={shot}", "--window-size=1000,700", _report(tmp_path).as_uri() + "#all")
    assert shot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and shot.stat().st_size > 10_000
