"""The transformation benchmark (issue 16), C side: each kernel of `transform_kernels.c`
three ways, interleaved, minimum of the rounds, ratios in one run.

    python -m benchmarks.c_transform_bench [--rounds 5] [--small] [KERNEL ...]

Variants, all `gcc -O3 -fopenmp`: serial (the file as written), paralift as written
(`rewrite --transform none`, OpenMP) and paralift with `--transform auto`. Each run times
the kernel alone (omp_get_wtime) and prints a checksum; the checksums must agree.
`benchmarks/test_c_transform_speed.py` runs the same in pytest-benchmark form.
"""
from __future__ import annotations

import argparse
import subprocess
from dataclasses import dataclass, field
from pathlib import Path

from paralift.rewriting import rewrite_source

SOURCE = Path(__file__).parent / "transform_kernels.c"
KERNELS = ("gemm", "syrk", "two_mm", "covariance", "jacobi_2d", "fdtd_2d", "heat_3d", "seidel_2d", "lu",
           "floyd_warshall", "nussinov")
LARGE = {"gemm": (1000, 0), "syrk": (1000, 0), "two_mm": (800, 0), "covariance": (900, 0),
         "jacobi_2d": (2000, 100), "fdtd_2d": (2000, 60), "heat_3d": (160, 40), "seidel_2d": (1000, 50), "lu": (1500, 0),
         "floyd_warshall": (1000, 0), "nussinov": (1500, 0)}
BASELINE = "gcc -O3 serial"

DRIVER = r"""
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <omp.h>
#define DECL(...) void __VA_ARGS__;
DECL(gemm(int, int, int, double, double, double *, double *, double *))
DECL(syrk(int, int, double, double, double *, double *))
DECL(two_mm(int, int, int, int, double, double, double *, double *, double *, double *, double *))
DECL(covariance(int, int, double, double *, double *, double *))
DECL(jacobi_2d(int, int, double *, double *))
DECL(fdtd_2d(int, int, int, double *, double *, double *, double *))
DECL(heat_3d(int, int, double *, double *))
DECL(seidel_2d(int, int, double *))
DECL(lu(int, double *))
DECL(floyd_warshall(int, double *))
DECL(nussinov(int, int *, int *))
static double *arr(long count, int salt) {
    double *a = malloc(sizeof(double) * count);
    for (long x = 0; x < count; x++) a[x] = ((x * 7 + salt * 13) % 101) / 101.0;
    return a;
}
static double sum(double *a, long count) { double s = 0; for (long x = 0; x < count; x++) s += a[x]; return s; }
int main(int argc, char **argv) {
    const char *k = argv[1];
    int n = atoi(argv[2]), t = atoi(argv[3]);
    long nn = (long)n * n;
    double s = 0, start = omp_get_wtime();
    if (!strcmp(k, "gemm")) { double *C = arr(nn, 1), *A = arr(nn, 2), *B = arr(nn, 3);
        start = omp_get_wtime(); gemm(n, n, n, 1.5, 1.2, C, A, B); s = sum(C, nn); }
    else if (!strcmp(k, "syrk")) { double *C = arr(nn, 1), *A = arr(nn, 2);
        start = omp_get_wtime(); syrk(n, n, 1.5, 1.2, C, A); s = sum(C, nn); }
    else if (!strcmp(k, "two_mm")) { double *T = arr(nn, 0), *A = arr(nn, 1), *B = arr(nn, 2), *C = arr(nn, 3), *D = arr(nn, 4);
        start = omp_get_wtime(); two_mm(n, n, n, n, 1.5, 1.2, T, A, B, C, D); s = sum(D, nn); }
    else if (!strcmp(k, "covariance")) { double *data = arr(nn, 1), *cov = arr(nn, 0), *mean = arr(n, 0);
        start = omp_get_wtime(); covariance(n, n, (double)n, data, cov, mean); s = sum(cov, nn); }
    else if (!strcmp(k, "jacobi_2d")) { double *A = arr(nn, 1), *B = arr(nn, 2);
        start = omp_get_wtime(); jacobi_2d(t, n, A, B); s = sum(A, nn); }
    else if (!strcmp(k, "fdtd_2d")) { double *ex = arr(nn, 1), *ey = arr(nn, 2), *hz = arr(nn, 3), *f = arr(t, 4);
        start = omp_get_wtime(); fdtd_2d(t, n, n, ex, ey, hz, f); s = sum(hz, nn); }
    else if (!strcmp(k, "heat_3d")) { double *A = arr(nn * n, 1), *B = arr(nn * n, 2);
        start = omp_get_wtime(); heat_3d(t, n, A, B); s = sum(A, nn * n); }
    else if (!strcmp(k, "seidel_2d")) { double *A = arr(nn, 1);
        start = omp_get_wtime(); seidel_2d(t, n, A); s = sum(A, nn); }
    else if (!strcmp(k, "lu")) { double *A = arr(nn, 1);
        for (int i = 0; i < n; i++) A[(long)i * n + i] += n;   /* no pivoting needed */
        start = omp_get_wtime(); lu(n, A); s = sum(A, nn); }
    else if (!strcmp(k, "floyd_warshall")) { double *P = arr(nn, 1);
        start = omp_get_wtime(); floyd_warshall(n, P); s = sum(P, nn); }
    else if (!strcmp(k, "nussinov")) { int *seq = malloc(sizeof(int) * n), *T = calloc(nn, sizeof(int));
        for (int i = 0; i < n; i++) seq[i] = (i * 7 + 3) % 4;
        start = omp_get_wtime(); nussinov(n, seq, T); for (long x = 0; x < nn; x++) s += T[x]; }
    printf("%.6f %.10e\n", omp_get_wtime() - start, s);
    return 0;
}
"""


def build(directory: Path) -> dict[str, Path]:
    """The three variants, each linked with the driver."""
    text = SOURCE.read_text()
    versions = {BASELINE: text,
                "paralift as written": rewrite_source(text, str(SOURCE), check=False, transform="none").result,
                "paralift --transform auto": rewrite_source(text, str(SOURCE), check=False, transform="auto").result}
    (directory / "driver.c").write_text(DRIVER)
    out = {}
    for k, (name, code) in enumerate(versions.items()):
        src, exe = directory / f"v{k}.c", directory / f"v{k}"
        src.write_text(code)
        subprocess.run(["gcc", "-O3", "-fopenmp", str(src), str(directory / "driver.c"), "-o", str(exe), "-lm"],
                       check=True)
        out[name] = exe
    return out


@dataclass
class CTiming:
    kernel: str
    size: tuple[int, int]
    best: dict[str, float] = field(default_factory=dict)
    sums: dict[str, float] = field(default_factory=dict)

    def round(self, exes: dict[str, Path], turn: int) -> None:
        names = list(exes)
        for name in names[turn % len(names):] + names[:turn % len(names)]:
            out = subprocess.run([str(exes[name]), self.kernel, *map(str, self.size)], capture_output=True,
                                 text=True, check=True).stdout.split()
            self.best[name] = min(self.best.get(name, float("inf")), float(out[0]))
            self.sums[name] = float(out[1])

    def disagreeing(self) -> list[str]:
        want = self.sums[BASELINE]
        return [n for n, s in self.sums.items() if abs(s - want) > 1e-9 * max(abs(want), 1.0)]

    def ratios(self) -> dict[str, float]:
        return {name: self.best[BASELINE] / t for name, t in self.best.items()}

    def line(self) -> str:
        r = self.ratios()
        return f"{self.kernel:15s} " + "  ".join(f"{n} {r[n]:.2f}x ({t * 1e3:.0f} ms)" for n, t in self.best.items())


def main() -> None:
    import tempfile
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("kernels", nargs="*", default=list(KERNELS))
    p.add_argument("--rounds", type=int, default=5)
    p.add_argument("--small", action="store_true", help="tiny sizes (a smoke run)")
    args = p.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        exes = build(Path(tmp))
        print(f"minimum of {args.rounds} interleaved rounds; ratio = gcc -O3 serial / variant")
        for kernel in args.kernels:
            timing = CTiming(kernel, (24, 2) if args.small else LARGE[kernel])
            for turn in range(args.rounds):
                timing.round(exes, turn)
            bad = timing.disagreeing()
            print(timing.line() + (f"  DISAGREE: {', '.join(bad)}" if bad else ""), flush=True)


if __name__ == "__main__":
    main()
