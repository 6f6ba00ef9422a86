"""Wavefronts against the loops as written: njit serial, paralift as written (nothing is
parallel there, so the same code), paralift with --transform auto and with --transform all,
interleaved, minimum of the rounds, ratios against njit serial.

    python benchmarks/wavefront_report.py [--rounds 5]

The kernels are tests/golden/transform/wavefront.py: a 2-d Gauss-Seidel sweep, the 9-point
one with its time loop, and a 2-d prefix sum.
"""
from __future__ import annotations

import argparse
import time
from pathlib import Path

import numba
import numpy as np

from paralift.rewriting import rewrite_source

SOURCE = Path(__file__).parent.parent / "tests" / "golden" / "transform" / "wavefront.py"
CASES = {"seidel": lambda: (np.random.default_rng(0).random((1500, 1500)), 1500),
         "seidel9": lambda: (np.random.default_rng(0).random((400, 400)), 400, 40),
         "prefix2": lambda: (np.random.default_rng(0).random((1500, 1500)), 1500, 1500)}


def variants() -> dict[str, dict]:
    text = SOURCE.read_text()
    out = {}
    for name, policy in (("as written", "none"), ("--transform auto", "auto"), ("--transform all", "all")):
        ns: dict = {}
        exec(compile(rewrite_source(text, str(SOURCE), check=False, transform=policy).result, str(SOURCE), "exec"), ns)
        out[name] = ns
    serial: dict = {}
    exec(compile(text, str(SOURCE), "exec"), serial)
    out = {"njit serial": {k: numba.njit(serial[k]) for k in CASES}, **out}
    for ns in out.values():  # the as-written and declined functions are plain Python: njit them
        for k in CASES:
            if not hasattr(ns[k], "py_func"):
                ns[k] = numba.njit(ns[k])
    return out


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--rounds", type=int, default=5)
    rounds = p.parse_args().rounds
    fns = variants()
    for kernel, make in CASES.items():
        args = make()
        best = {}
        for name, ns in fns.items():
            ns[kernel](*(a.copy() if isinstance(a, np.ndarray) else a for a in args))  # compile
        for _ in range(rounds):
            for name, ns in fns.items():
                fresh = tuple(a.copy() if isinstance(a, np.ndarray) else a for a in args)
                t = time.perf_counter()
                ns[kernel](*fresh)
                best[name] = min(best.get(name, float("inf")), time.perf_counter() - t)
        base = best["njit serial"]
        print(f"{kernel:8s} " + "  ".join(f"{n}: {base / t:.2f}x ({t * 1000:.1f} ms)" for n, t in best.items()))


if __name__ == "__main__":
    main()
