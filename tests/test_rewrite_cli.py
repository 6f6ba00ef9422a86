"""`paralift rewrite` and `paralift verify` as a user (or pre-commit) runs them."""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

KERNELS = """\
def saxpy(alpha, x, y, n):
    for i in range(n):
        y[i] = alpha * x[i] + y[i]


def dot(a, b, n):
    s = 0.0
    for i in range(n):
        s += a[i] * b[i]
    return s
"""

# Python integers never overflow; Numba's int64 does: the tester must refuse this rewrite.
OVERFLOWS = """\
def big_sum(a, n):
    s = 0
    for i in range(n):
        s += i * 4611686018427387904
    return s
"""


def run(*args: str) -> subprocess.CompletedProcess:
    env = dict(os.environ, COLUMNS="200", NO_COLOR="1")
    return subprocess.run([sys.executable, "-m", "paralift.cli", *args], capture_output=True,
                          text=True, env=env, timeout=600)


@pytest.fixture
def kernels(tmp_path: Path) -> Path:
    path = tmp_path / "kernels.py"
    path.write_text(KERNELS)
    return path


def test_diff_is_the_default_and_touches_nothing(kernels: Path):
    proc = run("rewrite", str(kernels), "--target", "numba")
    assert proc.returncode == 1, proc.stderr
    assert proc.stdout.startswith(f"--- {kernels}\n+++ {kernels} (numba)\n")
    assert "+    for i in numba.prange(n):" in proc.stdout and "+@numba.njit(parallel=True)" in proc.stdout
    assert "verified: saxpy (1/2/4 threads, 40 inputs" in proc.stderr
    assert "verified: dot" in proc.stderr
    assert kernels.read_text() == KERNELS


def test_in_place_then_again_is_a_fixed_point(kernels: Path):
    proc = run("rewrite", str(kernels), "--in-place")
    assert proc.returncode == 1 and f"Rewriting {kernels}" in proc.stderr
    once = kernels.read_text()
    assert "numba.prange" in once
    again = run("rewrite", str(kernels), "--in-place")
    assert again.returncode == 0 and "Rewriting" not in again.stderr
    assert kernels.read_text() == once
    assert not list(kernels.parent.glob(".paralift-*"))  # no temporary file left behind


def test_output_file_function_filter_and_exit_zero(kernels: Path, tmp_path: Path):
    out = tmp_path / "out.py"
    proc = run("rewrite", str(kernels), "-o", str(out), "--function", "dot",
               "--exit-zero-even-if-changed")
    assert proc.returncode == 0, proc.stderr
    text = out.read_text()
    assert "def dot" in text and text.count("numba.prange") == 1
    assert "for i in range(n):\n        y[i]" in text  # saxpy untouched
    assert kernels.read_text() == KERNELS


def test_a_rewrite_that_fails_verification_is_not_written(tmp_path: Path):
    path = tmp_path / "overflow.py"
    path.write_text(OVERFLOWS)
    proc = run("rewrite", str(path), "--in-place")
    assert proc.returncode == 3, proc.stderr  # refused: its own status, not "unchanged"
    assert "not rewritten: NOT verified: big_sum" in proc.stderr
    assert "counterexample:" in proc.stderr
    assert "0 function(s) rewritten, 1 refused (not verified" in proc.stderr.splitlines()[-1]
    assert path.read_text() == OVERFLOWS
    unchecked = run("rewrite", str(path), "--in-place", "--no-verify")
    assert unchecked.returncode == 1 and "numba.prange" in path.read_text()


def test_bad_input_is_reported_and_left_alone(tmp_path: Path, kernels: Path):
    broken = tmp_path / "broken.py"
    broken.write_text("def f(a):\n    for i in range(3)\n        a[i] = 0\n")
    proc = run("rewrite", str(broken), str(kernels), "--in-place")
    assert proc.returncode == 2
    assert f"{broken}:2:" in proc.stderr and "Traceback" not in proc.stderr
    assert broken.read_text().startswith("def f(a):\n    for i in range(3)\n")
    assert "numba.prange" in kernels.read_text()  # the good file is still rewritten


def test_output_needs_one_input(kernels: Path, tmp_path: Path):
    proc = run("rewrite", str(kernels), str(kernels), "-o", str(tmp_path / "x.py"))
    assert proc.returncode == 2 and "-o needs exactly one input file" in proc.stderr


def test_verify_command(kernels: Path, tmp_path: Path):
    good = tmp_path / "good.py"
    assert run("rewrite", str(kernels), "-o", str(good)).returncode == 1
    proc = run("verify", str(kernels), str(good), "--function", "saxpy", "--function", "dot")
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert proc.stdout.count("verified:") == 2
    bad = tmp_path / "bad.py"
    bad.write_text(good.read_text().replace("s += a[i] * b[i]", "s += a[i] * b[i] + 1e-3"))
    proc = run("verify", str(kernels), str(bad), "--function", "dot")
    assert proc.returncode == 1 and "NOT verified: dot" in proc.stdout and "counterexample" in proc.stdout


def test_rewrite_help_explains_the_contract():
    proc = run("rewrite", "--help")
    for words in ("--in-place", "--diff", "--no-verify", "--function", "Exit status", "1, 2 and 4"):
        assert words in proc.stdout


C_KERNELS = """\
#include <math.h>

double norm2(int n, const double *x) {
    double s = 0.0;
    for (int i = 0; i < n; i++)  // keeps this comment
        s += x[i] * x[i];
    return sqrt(s);
}
"""


def test_c_file_in_place_gets_a_verified_pragma(tmp_path: Path):
    path = tmp_path / "norm.c"
    path.write_text(C_KERNELS)
    proc = run("rewrite", str(path), "--in-place")
    assert proc.returncode == 1, proc.stderr
    assert "verified: norm2 (1/2/4 threads" in proc.stderr
    text = path.read_text()
    assert "    #pragma omp parallel for reduction(+:s)\n    for (int i = 0; i < n; i++)  // keeps this comment" in text
    assert run("rewrite", str(path), "--in-place").returncode == 0  # a fixed point


def test_c_syntax_error_is_reported_and_nothing_written(tmp_path: Path):
    path = tmp_path / "bad.c"
    text = C_KERNELS + "void broken(int n, double *a) { for (int i = 0; i < n; i++) a[i] = ; }\n"
    path.write_text(text)
    proc = run("rewrite", str(path), "--in-place")
    assert proc.returncode == 2 and f"{path}:9:" in proc.stderr
    assert path.read_text() == text


def test_target_must_fit_the_language(tmp_path: Path):
    path = tmp_path / "k.c"
    path.write_text(C_KERNELS)
    proc = run("rewrite", str(path), "--target", "numba")
    assert proc.returncode == 2 and "--target numba rewrites python files" in proc.stderr
