"""The C side of the wavefront benchmark: gcc -O3 serial, paralift as written (OpenMP; no
loop of a Gauss-Seidel sweep is parallel, so the same code), and paralift --transform all,
interleaved, minimum of the rounds, ratios against serial.

    python benchmarks/c_wavefront.py [--n 1000] [--steps 50] [--rounds 5]
"""
from __future__ import annotations

import argparse
import subprocess
import tempfile
from pathlib import Path

from paralift.rewriting import rewrite_source

SOURCE = Path(__file__).parent.parent / "tests" / "golden" / "transform" / "wavefront.c"
DRIVER = r"""
#include <stdio.h>
#include <stdlib.h>
#include <omp.h>
void seidel_2d(int tsteps, int n, double A[n][n]);
int main(int argc, char **argv) {
    int n = atoi(argv[1]), steps = atoi(argv[2]);
    double (*A)[n] = malloc(sizeof(double) * n * n), sum = 0;
    for (int i = 0; i < n; i++) for (int j = 0; j < n; j++) A[i][j] = ((i * 7 + j * 3) % 11) / 11.0;
    double t = omp_get_wtime();
    seidel_2d(steps, n, A);
    t = omp_get_wtime() - t;
    for (int i = 0; i < n; i++) sum += A[i][i];
    printf("%.6f %.9f\n", t, sum);
    return 0;
}
"""


def build(directory: Path) -> dict[str, Path]:
    text = SOURCE.read_text()
    versions = {"gcc -O3 serial": text,
                "as written (OpenMP)": rewrite_source(text, str(SOURCE), check=False, transform="none").result,
                "wavefront (OpenMP)": rewrite_source(text, str(SOURCE), check=False, transform="all").result}
    (directory / "main.c").write_text(DRIVER)
    out = {}
    for k, (name, code) in enumerate(versions.items()):
        src, exe = directory / f"v{k}.c", directory / f"v{k}"
        src.write_text(code)
        subprocess.run(["gcc", "-O3", "-fopenmp", str(src), str(directory / "main.c"), "-o", str(exe)], check=True)
        out[name] = exe
    return out


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--n", type=int, default=1000)
    p.add_argument("--steps", type=int, default=50)
    p.add_argument("--rounds", type=int, default=5)
    args = p.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        exes = build(Path(tmp))
        best, sums = {}, set()
        for _ in range(args.rounds):
            for name, exe in exes.items():
                t, s = subprocess.run([str(exe), str(args.n), str(args.steps)], capture_output=True, text=True,
                                      check=True).stdout.split()
                best[name] = min(best.get(name, float("inf")), float(t))
                sums.add(s)
    base = best["gcc -O3 serial"]
    print(f"seidel_2d n={args.n} steps={args.steps}: " +
          "  ".join(f"{name}: {base / t:.2f}x ({t * 1000:.0f} ms)" for name, t in best.items()) +
          ("" if len(sums) == 1 else "  RESULTS DIFFER"))


if __name__ == "__main__":
    main()
