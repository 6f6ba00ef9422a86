"""The transformation benchmark (issue 16), Python side: each kernel of
`transform_kernels.py` four ways, interleaved, minimum of the rounds, ratios in one run.

    python -m benchmarks.transform_bench [--rounds 5] [--small] [KERNEL ...]

Variants: njit serial (the text as written, compiled), hand `prange` on the loops as
written (`transform_hand.py`), paralift as written (`rewrite --transform none`) and
paralift with `--transform auto`. paralift's text is rewritten unverified here (the
benchmark measures speed; the tests verify); every variant's outputs are checked against
njit serial's. `benchmarks/test_transform_speed.py` runs the same in pytest-benchmark form.
"""
from __future__ import annotations

import argparse
import inspect
import time
from dataclasses import dataclass, field

import numba
import numpy as np

from benchmarks import transform_hand, transform_kernels
from benchmarks.transform_kernels import KERNELS, make_inputs
from paralift.rewriting import rewrite_source

BASELINE = "njit serial"


def rewritten(policy: str) -> dict:
    """The kernels module as paralift rewrites it; what it leaves serial is njit'ed as is."""
    source = inspect.getsource(transform_kernels)
    ns: dict = {"__name__": f"transform_kernels_{policy}"}
    exec(compile(rewrite_source(source, "transform_kernels.py", check=False, transform=policy).result,
                 f"transform_kernels ({policy})", "exec"), ns)
    return {k: ns[k] if hasattr(ns[k], "py_func") else numba.njit(ns[k]) for k in KERNELS}


def variants() -> dict[str, dict]:
    return {BASELINE: {k: numba.njit(getattr(transform_kernels, k)) for k in KERNELS},
            "hand prange": {k: getattr(transform_hand, k) for k in KERNELS},
            "paralift as written": rewritten("none"),
            "paralift --transform auto": rewritten("auto")}


def _fresh(args: tuple) -> tuple:
    return tuple(a.copy() if isinstance(a, np.ndarray) else a for a in args)


@dataclass
class Timing:
    """The best time of each variant over interleaved rounds, and its outputs."""

    kernel: str
    best: dict[str, float] = field(default_factory=dict)
    outputs: dict[str, tuple] = field(default_factory=dict)

    def round(self, fns: dict, args: tuple, turn: int) -> None:
        """Every variant once, starting from a different one each round."""
        names = list(fns)
        for name in names[turn % len(names):] + names[:turn % len(names)]:
            fresh = _fresh(args)
            t = time.perf_counter()
            fns[name](*fresh)
            self.best[name] = min(self.best.get(name, float("inf")), time.perf_counter() - t)
            self.outputs[name] = fresh

    def disagreeing(self) -> list[str]:
        want = self.outputs[BASELINE]
        return [name for name, got in self.outputs.items()
                if not all(np.allclose(x, y, rtol=1e-6, atol=1e-6) for x, y in zip(want, got) if isinstance(x, np.ndarray))]

    def ratios(self) -> dict[str, float]:
        return {name: self.best[BASELINE] / t for name, t in self.best.items()}

    def line(self) -> str:
        r = self.ratios()
        return f"{self.kernel:15s} " + "  ".join(f"{n} {r[n]:.2f}x ({t * 1e3:.0f} ms)" for n, t in self.best.items())


def compiled(kernel: str, all_variants: dict[str, dict]) -> dict:
    fns = {name: v[kernel] for name, v in all_variants.items()}
    small = make_inputs(kernel, "small")
    for fn in fns.values():   # compile outside the timing
        fn(*_fresh(small))
    return fns


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("kernels", nargs="*", default=list(KERNELS))
    p.add_argument("--rounds", type=int, default=5)
    p.add_argument("--small", action="store_true", help="the compile sizes (a smoke run)")
    args = p.parse_args()
    everything = variants()
    print(f"{numba.get_num_threads()} threads, minimum of {args.rounds} interleaved rounds; ratio = njit serial / variant")
    for kernel in args.kernels:
        fns, timing = compiled(kernel, everything), Timing(kernel)
        inputs = make_inputs(kernel, "small" if args.small else "large")
        for turn in range(args.rounds):
            timing.round(fns, inputs, turn)
        bad = timing.disagreeing()
        print(timing.line() + (f"  DISAGREE: {', '.join(bad)}" if bad else ""), flush=True)


if __name__ == "__main__":
    main()
