"""The `paralift analyze` command, run as a user runs it: a subprocess, real files."""
from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

GOOD = """\
def dot(a, b, n):
    s = 0.0
    for i in range(n):
        s += a[i] * b[i]
    return s


def prefix(a, n):
    for i in range(1, n):
        a[i] = a[i - 1] + 1.0
"""


def run(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess:
    env = dict(os.environ, COLUMNS="200", NO_COLOR="1")
    return subprocess.run([sys.executable, "-m", "paralift.cli", *args], capture_output=True,
                          text=True, cwd=cwd, env=env, timeout=120)


@pytest.fixture
def tree(tmp_path: Path) -> Path:
    (tmp_path / "good.py").write_text(GOOD)
    (tmp_path / "broken.py").write_text("def f(a, n):\n    for i in range(n)\n        a[i] = 0\n")
    (tmp_path / "empty.py").write_text("")
    (tmp_path / "latin1.py").write_bytes(b"def f(a):\n    return 'caf\xe9'\n")
    (tmp_path / "notes.txt").write_text("not python")
    (tmp_path / "pkg").mkdir()
    (tmp_path / "pkg" / "inner.py").write_text(GOOD)
    (tmp_path / "__pycache__").mkdir()
    (tmp_path / "__pycache__" / "skip.py").write_text("this is not python at all (")
    return tmp_path


def test_json_report_shape(tree: Path):
    proc = run("analyze", "--json", str(tree / "good.py"))
    assert proc.returncode == 0, proc.stderr
    (f,) = json.loads(proc.stdout)["files"]
    assert f["path"] == str(tree / "good.py") and f["language"] == "python" and f["errors"] == []
    dot, prefix = f["kernels"]
    assert (dot["name"], dot["line"]) == ("dot", 1)
    assert dot["loops"][0] | {"reasons": []} == {
        "line": 3, "var": "i", "depth": 0, "verdict": "reduction",
        "reductions": [{"op": "+", "target": "s"}], "private": [], "lastprivate": [],
        "induction": [], "reasons": [], "assumes_no_overlap": []}
    (loop,) = prefix["loops"]
    assert loop["verdict"] == "sequential"
    (reason,) = loop["reasons"]
    assert reason["code"] == "PL201" and reason["line"] == 10
    assert "`a[i - 1]`" in reason["message"] and "`a[i]`" in reason["message"]


def test_directory_walk_reports_errors_and_keeps_going(tree: Path):
    proc = run("analyze", "--json", str(tree))
    assert proc.returncode == 2
    assert "Traceback" not in proc.stderr
    files = {Path(f["path"]).name: f for f in json.loads(proc.stdout)["files"]}
    assert set(files) == {"good.py", "broken.py", "empty.py", "latin1.py", "inner.py"}
    assert files["good.py"]["kernels"] and files["inner.py"]["kernels"]
    (err,) = files["broken.py"]["errors"]
    assert err["code"] == "PL001" and err["line"] == 2 and "syntax error" in err["message"]
    (err,) = files["latin1.py"]["errors"]
    assert err["code"] == "PL002" and (err["line"], err["column"]) == (2, 15)
    assert "0xe9" in err["message"]
    assert files["empty.py"] == {"path": str(tree / "empty.py"), "language": "python",
                                 "kernels": [], "errors": [], "warnings": []}


def test_text_report_names_errors_with_position(tree: Path):
    proc = run("analyze", str(tree))
    assert proc.returncode == 2
    assert f"{tree / 'broken.py'}:2:" in proc.stdout
    assert "reduction(+:s)" in proc.stdout
    assert "a[i - 1]" in proc.stdout  # rich markup must not eat subscripts
    assert "1 iteration apart" in proc.stdout
    assert "had errors" in proc.stderr
    assert "Traceback" not in proc.stdout + proc.stderr


def test_missing_path_is_an_error_but_others_still_run(tree: Path):
    proc = run("analyze", "--json", str(tree / "nope.py"), str(tree / "good.py"))
    assert proc.returncode == 2
    files = json.loads(proc.stdout)["files"]
    assert files[0]["errors"][0]["code"] == "PL003"
    assert files[1]["kernels"]


def test_c_files_are_analyzed_and_broken_functions_reported(tmp_path: Path):
    (tmp_path / "k.c").write_text(
        "#include <math.h>\n"
        "void ok(int n, double *a) { for (int i = 0; i < n; i++) a[i] = sqrt(a[i]); }\n"
        "void broken(int n, double *a) { for (int i = 0; i < n; i++) a[i] = ; }\n"
        "void also_ok(int n, double *a) { for (int i = 1; i < n; i++) a[i] += a[i - 1]; }\n")
    proc = run("analyze", "--json", str(tmp_path / "k.c"))
    assert proc.returncode == 2
    (f,) = json.loads(proc.stdout)["files"]
    assert f["language"] == "c"
    assert [(k["name"], k["loops"][0]["verdict"]) for k in f["kernels"]] == [
        ("ok", "parallel"), ("also_ok", "sequential")]
    (err,) = f["errors"]
    assert err["code"] == "PL001" and err["line"] == 3


def test_unknown_suffix_given_explicitly_is_an_error(tmp_path: Path):
    (tmp_path / "k.f90").write_text("program x\nend\n")
    proc = run("analyze", "--json", str(tmp_path / "k.f90"))
    assert proc.returncode == 2
    assert json.loads(proc.stdout)["files"][0]["errors"][0]["code"] == "PL005"


def test_huge_file_is_analyzed(tmp_path: Path):
    kernels = [f"def k{n}(a, b, n):\n    for i in range(n):\n        b[i] = a[i] + {n}\n" for n in range(6700)]
    path = tmp_path / "huge.py"
    path.write_text("\n".join(kernels))
    assert len(path.read_text().splitlines()) > 20_000
    proc = run("analyze", "--json", str(path))
    assert proc.returncode == 0, proc.stderr[-2000:]
    (f,) = json.loads(proc.stdout)["files"]
    assert len(f["kernels"]) == 6700
    assert all(k["loops"][0]["verdict"] == "parallel" for k in f["kernels"])


def test_too_large_file_is_refused(tmp_path: Path):
    path = tmp_path / "big.py"
    path.write_text("x = 1\n" * 1_000_000)
    proc = run("analyze", "--json", str(path))
    assert proc.returncode == 2
    assert json.loads(proc.stdout)["files"][0]["errors"][0]["code"] == "PL004"


def test_files_are_never_modified(tree: Path):
    before = {p: p.read_bytes() for p in tree.rglob("*") if p.is_file()}
    run("analyze", str(tree))
    assert before == {p: p.read_bytes() for p in tree.rglob("*") if p.is_file()}


def test_help_explains_verdicts_and_exit_status():
    proc = run("analyze", "--help")
    assert proc.returncode == 0
    for word in ("parallel", "reduction", "sequential", "Exit status", "--json"):
        assert word in proc.stdout
