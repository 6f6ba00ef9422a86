"""`--pytest DIR`: the user's own suite judges the rewrite, in a copy of their project."""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

KERNEL = "import numpy as np\n\n\ndef scale(a, out, s):\n    for i in range(a.shape[0]):\n        out[i] = a[i] * s\n"
TEST = ("import numpy as np\nimport kernels\n\n\ndef test_scale():\n    out = np.zeros(4)\n"
        "    kernels.scale(np.arange(4.0), out, 2.0)\n    assert out.tolist() == [0.0, 2.0, 4.0, 6.0]\n")


def _project(tmp_path: Path, test: str = TEST) -> Path:
    (tmp_path / "tests").mkdir()
    (tmp_path / "kernels.py").write_text(KERNEL)
    (tmp_path / "tests" / "test_kernels.py").write_text(test)
    return tmp_path


def _paralift(*args, cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "paralift", *args], capture_output=True, text=True, cwd=cwd)


def test_a_rewrite_the_suite_passes_is_written_and_the_project_is_untouched(tmp_path):
    root = _project(tmp_path)
    before = {p: p.read_bytes() for p in root.rglob("*") if p.is_file()}
    done = _paralift("rewrite", "kernels.py", "--pytest", "tests", cwd=root)
    assert done.returncode == 1, done.stderr
    assert "your tests (tests) pass with the rewrite: 1 passed" in done.stderr
    assert {p: p.read_bytes() for p in root.rglob("*") if p.is_file()} == before


def test_a_candidate_the_suite_fails_is_refused(tmp_path):
    root = _project(tmp_path)
    (root / "new.py").write_text(KERNEL.replace("a[i] * s", "a[i] * s + (i == 3)"))
    done = _paralift("verify", "kernels.py", "new.py", "--function", "scale", "--pytest", "tests", cwd=root)
    assert done.returncode == 1
    assert "pass on the original but fail with the rewrite: FAILED tests/test_kernels.py::test_scale" in done.stdout


def test_a_suite_that_fails_on_the_original_cannot_judge(tmp_path):
    root = _project(tmp_path, TEST.replace("6.0]", "7.0]"))
    done = _paralift("rewrite", "kernels.py", "--pytest", "tests", cwd=root)
    assert "fail on the original already, so they cannot judge" in done.stderr
    assert done.returncode == 1  # the tester verified it; the suite had no say
