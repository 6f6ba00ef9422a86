"""Time each benchmark kernel four ways and write a table and a chart into docs/.

    python benchmarks/numba_report.py [--quick] [--no-python]

Variants: pure Python (the original), `numba.njit` serial (the original compiled as is),
paralift's Numba output (rewritten from the original text, `--no-verify`, since the
benchmark measures speed; tests verify), and a hand-written prange version. Each Numba
variant is compiled first, then timed as the best of several runs on fresh inputs; every
variant's outputs are checked against the serial ones. Ratios come from one run.
Sizes are chosen so that serial Numba takes 10 ms or more: thread start-up stays small.
The variants take turns (10 rounds), so that a noisy moment hits every variant alike.
"""
from __future__ import annotations

import argparse
import copy
import inspect
import sys
import time
from pathlib import Path

import numba
import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks import hand_prange, numba_kernels  # noqa: E402
from benchmarks.numba_kernels import COMPUTE_BOUND, KERNELS, make_inputs  # noqa: E402
from paralift.rewriting import rewrite_source  # noqa: E402


def paralift_module():
    source = inspect.getsource(numba_kernels)
    res = rewrite_source(source, "numba_kernels.py", check=False)
    namespace: dict = {"__name__": "paralift_numba_kernels"}
    exec(compile(res.result, "numba_kernels (paralift)", "exec"), namespace)
    return namespace, res


def best_time(fn, args, repeat: int) -> tuple[float, object]:
    best, out = float("inf"), None
    for _ in range(repeat):
        fresh = copy.deepcopy(args)
        t = time.perf_counter()
        ret = fn(*fresh)
        best = min(best, time.perf_counter() - t)
        out = (fresh, ret)
    return best, out


def same(a, b) -> bool:
    (args_a, ret_a), (args_b, ret_b) = a, b
    pairs = [(x, y) for x, y in zip(args_a, args_b) if isinstance(x, np.ndarray)] + [(ret_a, ret_b)]
    return all(np.allclose(x, y, rtol=1e-9, atol=1e-9) if x is not None else y is None for x, y in pairs)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--quick", action="store_true", help="small sizes (a smoke run)")
    ap.add_argument("--no-python", action="store_true", help="skip the slow pure-Python timings")
    ap.add_argument("--out", default=str(ROOT / "docs"), help="where the table and chart go")
    args = ap.parse_args()
    size = "small" if args.quick else "medium"
    generated, res = paralift_module()
    prange_kernels = {p.name for p in res.plans if p.loops}
    rows = []
    for name in KERNELS:
        original = getattr(numba_kernels, name)
        variants = {"njit serial": numba.njit(original), "paralift": generated[name],
                    "hand prange": getattr(hand_prange, name)}
        small, medium = make_inputs(name, "small"), make_inputs(name, size)
        for fn in variants.values():  # compile outside the timing
            fn(*copy.deepcopy(small))
        times, outs = {label: float("inf") for label in variants}, {}
        for _ in range(10):  # round-robin, so that a noisy moment hits every variant alike
            for label, fn in variants.items():
                t, outs[label] = best_time(fn, medium, 1)
                times[label] = min(times[label], t)
        if not args.no_python:
            times["python"], outs["python"] = best_time(original, medium, 1)
        for label, out in outs.items():
            assert same(out, outs["njit serial"]), f"{name}: {label} disagrees with njit serial"
        rows.append((name, times, name in prange_kernels))
        print(f"{name:11} " + "  ".join(f"{k} {v * 1e3:9.2f} ms" for k, v in times.items()), flush=True)
    write(rows, Path(args.out), numba.get_num_threads(), size)
    return 0


def write(rows, out: Path, threads: int, size: str) -> None:
    out.mkdir(parents=True, exist_ok=True)
    lines = [f"Numba benchmarks ({size} sizes, {threads} threads; best of 10 interleaved runs, pure Python 1 run).",
             "Ratios: paralift = njit serial / paralift, hand = njit serial / hand prange, "
             "vs hand = hand prange / paralift (1.00 = as fast as by hand).", "",
             "| kernel | python (ms) | njit serial (ms) | paralift (ms) | hand prange (ms) "
             "| paralift speedup | hand speedup | paralift vs hand |",
             "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |"]
    for name, t, parallel in rows:
        py = f"{t['python'] * 1e3:.1f}" if "python" in t else "-"
        note = "" if parallel else " (left serial)"
        lines.append(f"| {name}{' *' if name in COMPUTE_BOUND else ''}{note} | {py} | "
                     f"{t['njit serial'] * 1e3:.2f} | {t['paralift'] * 1e3:.2f} | {t['hand prange'] * 1e3:.2f} | "
                     f"{t['njit serial'] / t['paralift']:.2f}x | {t['njit serial'] / t['hand prange']:.2f}x | "
                     f"{t['hand prange'] / t['paralift']:.2f} |")
    lines += ["", "`*` compute-bound. `(left serial)`: paralift found no loop Numba can run in parallel."]
    (out / "numba-benchmarks.md").write_text("\n".join(lines) + "\n")
    chart(rows, out / "numba-benchmarks.png", threads)


def chart(rows, path: Path, threads: int) -> None:
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    names = [r[0] for r in rows]
    x = np.arange(len(names))
    fig, ax = plt.subplots(figsize=(10, 4))
    for k, (label, color) in enumerate((("paralift", "#2b7bba"), ("hand prange", "#aaaaaa"))):
        ax.bar(x + (k - 0.5) * 0.38, [r[1]["njit serial"] / r[1][label] for r in rows], 0.38,
               label=label, color=color)
    ax.axhline(1.0, color="black", linewidth=0.8)
    ax.set_xticks(x, names, rotation=30, ha="right")
    ax.set_ylabel("speedup over njit serial")
    ax.set_title(f"paralift's Numba output vs hand-written prange ({threads} threads)")
    ax.legend()
    fig.tight_layout()
    fig.savefig(path, dpi=110)


if __name__ == "__main__":
    sys.exit(main())
