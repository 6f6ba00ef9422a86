"""Replay a proven dependence: run its loop as a prange under the race log, on the
witness's values, and see the race happen.

A reason that says two iterations touch one element comes with a witness (parameter values
and both iterations). Here the loop is turned into `numba.prange` (run as Python, with
every element access logged per iteration: `verify.races`), the arguments are made from the
witness (its sizes and scalars; arrays as long as it says, or long enough), and the
function is called in a fresh process. The claim holds when the log sees two iterations
of the loop touch one element, one of them writing.
"""
from __future__ import annotations

import json
import os
import subprocess
import sys
from dataclasses import dataclass

from paralift.diagnostics import Diagnostic
from paralift.ir import nodes as ir
from paralift.verify.signature import signature

_RUNNER = r'''
import contextlib, io, json, os, sys
os.environ["NUMBA_DISABLE_JIT"] = "1"
import numpy as np
from paralift.verify.races import DataRace, install_prange, track
install_prange()
out = []
def make(recipe):
    rng = np.random.default_rng(0)
    args = []
    for kind, value in recipe:
        if kind == "array":
            args.append(np.round(rng.normal(size=tuple(value)), 3))
        elif kind == "dtype":
            args.append(getattr(np, value))
        elif kind == "index":
            args.append(rng.integers(0, max(min(value), 1), size=tuple(value)).astype(np.int64))
        else:
            args.append(value)
    return args


def run(job, recipe):
    ns = {}
    try:
        with contextlib.redirect_stdout(io.StringIO()):  # a kernel may print
            exec(compile(job["source"], job["path"], "exec"), ns)
            ns[job["function"]](*track(make(recipe)))
        return "no race"
    except DataRace as err:
        return "race: " + str(err)[:300]
    except Exception as err:
        return f"error: {type(err).__name__}: {str(err)[:200]}"


for job in json.loads(sys.stdin.read()):
    got = [run(job, recipe) for recipe in job["args"]]
    out.append(next((g for g in got if g.startswith("race")), " / ".join(got)))
print(json.dumps(out))
'''


@dataclass(frozen=True)
class Job:
    function: str
    line: int
    reason: str


def prange_source(source: str, loop: ir.Loop) -> str | None:
    """The source with `loop` (a `range` loop) run by `numba.prange`."""
    lines = source.splitlines(keepends=True)
    text = lines[loop.span.line - 1]
    head = f"for {loop.var} in range("
    if loop.form != "range" or head not in text:
        return None
    lines[loop.span.line - 1] = text.replace(head, f"for {loop.var} in numba.prange(", 1)
    return "import numba\n" + "".join(lines)


def arguments(kernel: ir.Kernel, reason: Diagnostic, module: ir.Module | None = None,
              shared: bool = False) -> list | None:
    """(kind, value) per parameter, from the witness; None if one cannot be made. An extent
    the witness leaves free may be anything: `shared` picks another of its choices."""
    w = reason.witness
    given = dict(w.params)
    big = 2 * max([abs(v) for _, v in w.params + w.earlier + w.later] + [1]) + 6
    out = []
    specs = signature(kernel, module)
    if not any(s.name == w.array and s.role == "array" for s in specs):
        return None  # a global, or an array the tester cannot make yet
    for spec in specs:
        if spec.role in ("size", "value"):
            out.append(("scalar", given.get(spec.name, 3)))
        elif spec.role == "array":  # the witness's extents; a free one long enough, or, when
            # `shared`, the extent another array has there (`A[:] = B` needs them alike)
            shape = [given.get(_extent(spec.name, d), next((v for k, v in given.items() if shared and k in
                               {_extent(o.name, d) for o in specs}), big)) for d in range(max(spec.rank, 1))]
            out.append(("index" if spec.index else "array", shape))
        elif spec.role == "dtype":
            out.append(("dtype", "float64"))
        else:
            return None
    return out


def _extent(array: str, d: int) -> str:
    return f"len({array})" if d == 0 else f"{array}.shape[{d}]"


def replay(jobs: list[dict]) -> list[str]:
    """Each job: source, path, function, args. One process for all of them."""
    env = dict(os.environ, NUMBA_DISABLE_JIT="1")
    done = subprocess.run([sys.executable, "-c", _RUNNER], input=json.dumps(jobs), capture_output=True,
                          text=True, env=env, timeout=600)
    if done.returncode != 0:
        raise RuntimeError(done.stderr[-2000:])
    return json.loads(done.stdout)
