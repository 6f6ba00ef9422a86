"""The pre-commit hooks, run by the real `pre-commit` on a temporary git repository."""
from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).parent.parent
PRE_COMMIT = shutil.which("pre-commit", path=os.path.dirname(sys.executable)) or shutil.which("pre-commit")
pytestmark = pytest.mark.skipif(PRE_COMMIT is None or not (ROOT / ".git").exists(),
                                reason="needs pre-commit (the dev extra) and a git checkout of paralift")

RACY = """from numba import njit, prange


@njit(parallel=True)
def prefix(a, n):
    for i in prange(1, n):
        a[i] += a[i - 1]
"""
CLEAN = """from numba import njit, prange


@njit(parallel=True)
def scale(a, n):
    for i in prange(n):
        a[i] = 2.0 * a[i]
"""
MARKED = """# paralift: numba
def double(a, n):
    for i in range(n):
        a[i] = 2.0 * a[i]


def untouched(a, n):
    for i in range(n):
        a[i] = a[i] + 1.0
"""


@pytest.fixture(scope="module")
def repo(tmp_path_factory):
    work = tmp_path_factory.mktemp("precommit")
    git = work / "repo"
    git.mkdir()
    for args in (["init", "-q"], ["config", "user.email", "t@example.com"], ["config", "user.name", "t"]):
        subprocess.run(["git", *args], cwd=git, check=True)
    env = dict(os.environ, PRE_COMMIT_HOME=str(work / "cache"))
    return git, env


def _try(repo, hook: str, *files: str):
    git, env = repo
    subprocess.run(["git", "add", *files], cwd=git, check=True)
    return subprocess.run([PRE_COMMIT, "try-repo", str(ROOT), hook, "--files", *files], cwd=git, env=env,
                          capture_output=True, text=True, timeout=900)


def test_the_check_hook_fails_on_a_race_and_passes_clean_code(repo):
    git, _ = repo
    (git / "racy.py").write_text(RACY)
    (git / "clean.py").write_text(CLEAN)
    bad = _try(repo, "paralift-check", "racy.py")
    assert bad.returncode == 1, bad.stdout + bad.stderr
    assert "racy.py:6:5: error PL101 racy-loop" in bad.stdout
    good = _try(repo, "paralift-check", "clean.py")
    assert good.returncode == 0, good.stdout + good.stderr
    assert "Passed" in good.stdout


def test_the_rewrite_hook_rewrites_marked_functions_once(repo):
    git, _ = repo
    path = git / "marked.py"
    path.write_text(MARKED)
    first = _try(repo, "paralift-rewrite", "marked.py")
    assert first.returncode == 1, first.stdout + first.stderr  # pyupgrade's contract: changed, so fail
    text = path.read_text()
    assert "for i in numba.prange(n):" in text and "@numba.njit(parallel=True)" in text
    assert "def untouched(a, n):\n    for i in range(n):" in text  # not marked: left alone
    second = _try(repo, "paralift-rewrite", "marked.py")
    assert second.returncode == 0, second.stdout + second.stderr
    assert path.read_text() == text
