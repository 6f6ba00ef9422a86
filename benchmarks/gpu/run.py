"""Run paralift's CUDA outputs on an NVIDIA GPU against the sequential versions.

    python benchmarks/gpu/run.py              # on a machine with an NVIDIA GPU (and nvcc)
    python benchmarks/gpu/run.py --simulate   # anywhere: tiny sizes, Numba's CUDA simulator
                                              # and the C tester's CUDA emulation

Python: `kernels.py` is rewritten with `--target cuda` (verified), and each host function is
timed against the original compiled by `numba.njit` (serial): with host arrays (the
transfers counted) and with arrays already on the device. C: `kernels.c` is rewritten to
`.cu`, built with `nvcc -O3` as a shared library, and timed against the original built
with `gcc -O2`, both called through ctypes. Every result is checked against the
sequential one before its time is printed. Best of three runs after a warm-up.
"""
from __future__ import annotations

import argparse
import ctypes
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

HERE = Path(__file__).parent


def best(f, repeat: int = 3) -> float:
    f()  # warm-up: compiles, allocates
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        f()
        times.append(time.perf_counter() - t0)
    return min(times)


def gpu_present() -> str | None:
    """Why there is no usable GPU, or None."""
    if shutil.which("nvidia-smi") is None:
        return "no nvidia-smi: this machine has no NVIDIA driver"
    from numba import cuda
    return None if cuda.is_available() else "Numba sees no CUDA device"


def python_cases(sim: bool):
    rng = np.random.default_rng(0)
    n1, n2, nj, steps = (1000, 12, 12, 2) if sim else (1 << 24, 1024, 2048, 50)
    x, y = rng.random(n1), rng.random(n1)
    A, B = rng.random((n2, n2)), rng.random((n2, n2))
    a = rng.random((nj, nj))
    return [
        ("saxpy", lambda: (2.0, x.copy(), y.copy(), n1), 2),
        ("dot", lambda: (x, y, n1), None),
        ("matmul", lambda: (A, B, np.zeros((n2, n2)), n2), 2),
        ("jacobi_2d", lambda: (a.copy(), np.zeros((nj, nj)), nj, steps), 0),
    ]


def run_python(sim: bool) -> list[tuple]:
    import numba

    from paralift.rewriting import rewrite_source
    source = (HERE / "kernels.py").read_text()
    res = rewrite_source(source, "kernels.py", target="cuda")
    if res.refused:
        raise SystemExit("\n".join(v.summary() for v in res.refused))
    original, candidate = {}, {}
    exec(compile(source, "kernels.py", "exec"), original)  # noqa: S102 - our own benchmark kernels
    exec(compile(res.result, "kernels_cuda.py", "exec"), candidate)  # noqa: S102
    from numba import cuda
    rows = []
    for name, make, out in python_cases(sim):
        serial = numba.njit(original[name])
        args_s, args_c = make(), make()
        expect, got = serial(*args_s), candidate[name](*args_c)
        value = (lambda r, a: r) if out is None else (lambda r, a: a[out])
        ok = np.allclose(value(expect, args_s), value(got, args_c), rtol=1e-9, atol=1e-9)
        t_serial = best(lambda: serial(*make()))
        t_host = best(lambda: candidate[name](*make()))
        resident = [cuda.to_device(v) if isinstance(v, np.ndarray) else v for v in make()]
        t_device = best(lambda: (candidate[name](*resident), cuda.synchronize()))  # launches are async
        rows.append(("numba.cuda", name, t_serial, t_host, t_device, ok))
    return rows


def _lib(path: Path, cmd: list[str]) -> ctypes.CDLL:
    subprocess.run(cmd, check=True)
    return ctypes.CDLL(str(path))


def run_c(sim: bool) -> list[tuple]:
    from paralift.rewriting import rewrite_source
    from paralift.verify.cudatester import emulated
    source = (HERE / "kernels.c").read_text()
    res = rewrite_source(source, "kernels.c", target="cuda")
    if res.refused:
        raise SystemExit("\n".join(v.summary() for v in res.refused))
    work = Path(tempfile.mkdtemp(prefix="paralift-gpu-"))
    (work / "seq.c").write_text(source)
    seq = _lib(work / "seq.so", ["gcc", "-O2", "-shared", "-fPIC", "-o", str(work / "seq.so"), str(work / "seq.c")])
    if sim:
        (work / "cand.cpp").write_text(emulated(res.result))
        cand = _lib(work / "cand.so", ["g++", "-O2", "-std=c++17", "-shared", "-fPIC", "-o", str(work / "cand.so"),
                                       str(work / "cand.cpp")])
    else:
        (work / "cand.cu").write_text(res.result)
        cand = _lib(work / "cand.so", ["nvcc", "-O3", "-arch=native", "-shared", "-Xcompiler", "-fPIC",
                                       "-o", str(work / "cand.so"), str(work / "cand.cu")])
    rng = np.random.default_rng(0)
    n1, n2, nj, steps = (1000, 12, 12, 2) if sim else (1 << 24, 1024, 2048, 50)
    x, y = rng.random(n1), rng.random(n1)
    A, B = rng.random((n2, n2)), rng.random((n2, n2))
    a = rng.random((nj, nj))
    p = lambda v: v.ctypes.data_as(ctypes.c_void_p)  # noqa: E731
    d, i = ctypes.c_double, ctypes.c_int
    cases = [
        ("saxpy", lambda: [i(n1), d(2.0), x.copy(), y.copy()], 3),
        ("dot", lambda: [i(n1), x, y], None),
        ("matmul", lambda: [i(n2), A, B, np.zeros((n2, n2))], 3),
        ("jacobi_2d", lambda: [i(steps), i(nj), a.copy(), np.zeros((nj, nj))], 2),
    ]
    rows = []
    for name, make, out in cases:
        fs, fc = getattr(seq, name), getattr(cand, name)
        for f in (fs, fc):
            f.restype = ctypes.c_double if out is None else None

        def call(f, args):
            return f(*[p(v) if isinstance(v, np.ndarray) else v for v in args])
        args_s, args_c = make(), make()
        rs, rc = call(fs, args_s), call(fc, args_c)
        ok = np.allclose(rs, rc) if out is None else np.allclose(args_s[out], args_c[out])
        rows.append(("CUDA C", name, best(lambda: call(fs, make())), best(lambda: call(fc, make())), None, ok))
    shutil.rmtree(work, ignore_errors=True)
    return rows


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--simulate", action="store_true",
                   help="no GPU: tiny sizes, Numba's CUDA simulator, the CUDA C emulation (checks the script)")
    args = p.parse_args()
    if args.simulate:
        os.environ["NUMBA_ENABLE_CUDASIM"] = "1"
    else:
        why = gpu_present()
        if why:
            print(f"benchmarks/gpu: {why}; nothing to run (try --simulate)", file=sys.stderr)
            raise SystemExit(2)
    rows = run_python(args.simulate) + run_c(args.simulate)
    print("| backend | kernel | sequential s | CUDA s (with copies) | speedup | CUDA s (device arrays) | "
          "speedup | results |")
    print("| --- | --- | ---: | ---: | ---: | ---: | ---: | --- |")
    for backend, name, t_seq, t_host, t_dev, ok in rows:
        dev = f"{t_dev:.3g} | {t_seq / t_dev:.1f}x" if t_dev else "- | -"
        print(f"| {backend} | {name} | {t_seq:.3g} | {t_host:.3g} | {t_seq / t_host:.1f}x | {dev} | "
              f"{'same' if ok else 'DIFFERENT'} |")
    if not all(r[-1] for r in rows):
        raise SystemExit(1)


if __name__ == "__main__":
    main()
