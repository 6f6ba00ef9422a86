"""The user's own tests as a judge: their pytest suite, run with the rewrite in place.

`--pytest DIR`: the project (the nearest directory holding both the module and DIR) is
copied to a scratch directory, once with the original module and once with the rewritten
one in its place, and the suite runs in each. The user's files are never touched. The
rewrite is refused when the suite passes on the original and fails on the rewrite; a suite
that already fails on the original cannot judge, and says so.
"""
from __future__ import annotations

import os
import re
import shutil
import sys
from dataclasses import dataclass
from pathlib import Path

from paralift.verify import sandbox

_SKIP = shutil.ignore_patterns(".git", ".hg", ".venv", "venv", "env", "__pycache__", "node_modules", "build",
                               "dist", "*.egg-info", ".mypy_cache", ".pytest_cache", ".tox", ".nox")
TIMEOUT = 900.0
_SUMMARY = re.compile(r"^=*\s*(\d+ (?:passed|failed|error).*?) in [\d.]+s", re.M)
_COPY = re.compile(r"\S*paralift-suite-[^/\s]+/[^/\s]+/")  # the scratch copy's prefix, as pytest prints it


@dataclass(frozen=True)
class SuiteVerdict:
    ok: bool | None      # None: the suite cannot judge (it fails on the original too)
    message: str


def judge(module: str, original: str, rewritten: str, tests: str) -> SuiteVerdict:
    """Run `tests` with `module` as it was, then as rewritten."""
    base = _run(module, original, tests)
    if not base.ok:
        return SuiteVerdict(None, f"your tests ({tests}) fail on the original already, so they cannot judge the "
                                  f"rewrite: {base.message}")
    new = _run(module, rewritten, tests)
    if new.ok:
        return SuiteVerdict(True, f"your tests ({tests}) pass with the rewrite: {new.message}")
    return SuiteVerdict(False, f"your tests ({tests}) pass on the original but fail with the rewrite: {new.message}")


def _run(module: str, source: str, tests: str) -> SuiteVerdict:
    root = Path(os.path.commonpath([Path(module).resolve().parent, Path(tests).resolve()]))
    copy = Path(sandbox.scratch("paralift-suite-")) / root.name
    shutil.copytree(root, copy, ignore=_SKIP, symlinks=True)
    (copy / Path(module).resolve().relative_to(root)).write_text(source)
    target = copy / Path(tests).resolve().relative_to(root)
    done = sandbox.run([sys.executable, "-m", "pytest", "-q", "-x", "-p", "no:cacheprovider", "--rootdir",
                        str(copy), str(target)], TIMEOUT,
                       env={"PYTHONPATH": os.pathsep.join([str(copy), str(copy / "src")]),
                            "PYTHONDONTWRITEBYTECODE": "1"}, cwd=str(copy))
    shutil.rmtree(copy.parent, ignore_errors=True)
    text = (done.stdout or "") + (done.stderr or "")
    summary = next((m.group(1) for m in _SUMMARY.finditer(text)), None)
    if done.returncode == 0:
        return SuiteVerdict(True, summary or "passed")
    failing = next((_COPY.sub("", ln.strip()) for ln in text.splitlines()
                    if ln.startswith(("FAILED", "ERROR"))), None)
    return SuiteVerdict(False, failing or summary or text.strip().splitlines()[-1:][0] if text.strip() else
                        f"pytest exited {done.returncode}")
