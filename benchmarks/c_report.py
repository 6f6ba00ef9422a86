"""Time paralift's OpenMP output against the serial -O2 build of the same C kernels.

    python benchmarks/c_report.py [--quick]

Both are built from `benchmarks/c/kernels.c` with gcc -O2 (the rewrite adds -fopenmp),
called through ctypes on the same inputs, timed as the best of 10 interleaved runs, and
checked against each other. Writes docs/openmp-benchmarks.md.
"""
from __future__ import annotations

import argparse
import copy
import ctypes
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from paralift.rewriting import rewrite_source  # noqa: E402

SOURCE = ROOT / "benchmarks" / "c" / "kernels.c"
D, L, I = ctypes.c_double, ctypes.c_long, ctypes.c_int


def inputs(name: str, quick: bool):
    rng = np.random.default_rng(1)
    r = lambda *s: rng.random(s)  # noqa: E731
    n2, n3 = (400, 2000) if not quick else (30, 60)
    if name == "gemm":
        n = n2
        return [I(n), D(1.5), D(1.2), r(n, n), r(n, n), r(n, n)]
    if name in ("atax",):
        n = n3
        return [I(n), r(n, n), r(n), np.zeros(n), np.zeros(n)]
    if name == "bicg":
        n = n3
        return [I(n), r(n, n), np.zeros(n), np.zeros(n), r(n), r(n)]
    if name == "mvt":
        n = n3
        return [I(n), r(n), r(n), r(n), r(n), r(n, n)]
    if name == "jacobi_2d":
        n = 1000 if not quick else 40
        return [I(20 if not quick else 2), I(n), r(n, n), r(n, n)]
    if name == "heat_3d":
        n = 120 if not quick else 12
        return [I(10 if not quick else 2), I(n), r(n, n, n), r(n, n, n)]
    if name == "covariance":
        n = n2
        return [I(n), r(n, n), np.zeros((n, n)), np.zeros(n)]
    if name == "spmv":
        rows, per = (300_000 if not quick else 100), 20
        rowptr = np.arange(0, rows * per + 1, per, dtype=np.int64)
        col = rng.integers(0, rows, rows * per).astype(np.int64)
        return [I(rows), rowptr, col, r(rows * per), r(rows), np.zeros(rows)]
    if name == "dot":
        n = 10_000_000 if not quick else 1000
        return [I(n), r(n), r(n)]
    raise KeyError(name)


KERNELS = ["gemm", "atax", "bicg", "mvt", "jacobi_2d", "heat_3d", "covariance", "spmv", "dot"]
RESTYPE = {"dot": D}


def build(source: str, flags: list[str], directory: str, tag: str) -> ctypes.CDLL:
    src, lib = Path(directory) / f"{tag}.c", Path(directory) / f"{tag}.so"
    src.write_text(source)
    subprocess.run(["gcc", "-O2", "-shared", "-fPIC", *flags, "-o", str(lib), str(src), "-lm"], check=True)
    return ctypes.CDLL(str(lib))


def call(fn, args):
    fresh = copy.deepcopy([a for a in args])
    raw = [a.ctypes.data_as(ctypes.c_void_p) if isinstance(a, np.ndarray) else a for a in fresh]
    t = time.perf_counter()
    ret = fn(*raw)
    return time.perf_counter() - t, fresh, ret


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--quick", action="store_true")
    ap.add_argument("--out", default=str(ROOT / "docs"))
    args = ap.parse_args()
    original = SOURCE.read_text()
    res = rewrite_source(original, "kernels.c", target="openmp", check=False)
    parallel = {p.name for p in res.plans if p.loops}
    import os
    threads = os.cpu_count()
    rows = []
    with tempfile.TemporaryDirectory() as d:
        serial = build(original, [], d, "serial")
        omp = build(res.result, ["-fopenmp"], d, "omp")
        for name in KERNELS:
            fs, fo = getattr(serial, name), getattr(omp, name)
            fs.restype = fo.restype = RESTYPE.get(name)
            data = inputs(name, args.quick)
            best = {"serial": float("inf"), "openmp": float("inf")}
            outs = {}
            for _ in range(10):
                for label, fn in (("serial", fs), ("openmp", fo)):
                    t, out, ret = call(fn, data)
                    best[label] = min(best[label], t)
                    outs[label] = (out, ret)
            (a, ra), (b, rb) = outs["serial"], outs["openmp"]
            same = all(np.allclose(x, y, rtol=1e-9, atol=1e-9) for x, y in zip(a, b) if isinstance(x, np.ndarray))
            same &= ra is None or np.isclose(ra, rb, rtol=1e-9)
            assert same, f"{name}: the OpenMP build disagrees with the serial one"
            rows.append((name, best["serial"], best["openmp"], name in parallel))
            print(f"{name:11} serial {best['serial'] * 1e3:8.2f} ms  openmp {best['openmp'] * 1e3:8.2f} ms  "
                  f"{best['serial'] / best['openmp']:.2f}x", flush=True)
    lines = [f"OpenMP benchmarks (gcc -O2 vs gcc -O2 -fopenmp, {threads} threads; best of 10 interleaved runs).",
             "", "| kernel | serial -O2 (ms) | paralift OpenMP (ms) | speedup |", "| --- | ---: | ---: | ---: |"]
    lines += [f"| {n}{'' if p else ' (left serial)'} | {s * 1e3:.2f} | {o * 1e3:.2f} | {s / o:.2f}x |"
              for n, s, o, p in rows]
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    (out / "openmp-benchmarks.md").write_text("\n".join(lines) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
