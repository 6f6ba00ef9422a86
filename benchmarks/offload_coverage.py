"""Which functions get verified CUDA and MPI versions: `python benchmarks/offload_coverage.py PATH...`.

For every Python and C file under PATH, rewrites with `--target cuda` and `--target mpi`
(each candidate verified by its tester) and prints one row per function that has a
parallel or reduction loop: `verified`, `sequential` (with the backend's reason) or
`REFUSED` (the tester's counterexample), plus totals.
"""
from __future__ import annotations

import sys
from collections import Counter

from paralift.analysis import analyze_source
from paralift.files import expand_paths, language_of, read_source
from paralift.rewriting import rewrite_source


def status(res, name: str) -> str:
    if any(v.function == name for v in res.verdicts):
        return "verified"
    refused = next((v for v in res.refused if v.function == name), None)
    if refused:
        return f"REFUSED: {refused.message[:80]}"
    plan = next((p for p in res.plans if p.name == name), None)
    reason = plan.skipped[0].reason if plan is not None and plan.skipped else "no loop the backend takes"
    return f"sequential: {reason}"


def main(paths: list[str]) -> None:
    totals: dict[str, Counter] = {}
    print("| file | function | CUDA | MPI |")
    print("| --- | --- | --- | --- |")
    for path in expand_paths(paths):
        source, problem = read_source(path)
        if problem is not None:
            continue
        language = language_of(path)
        fa = analyze_source(source, path, language)
        wanted = [kv.kernel.name for kv in fa.kernels
                  if any(v.verdict != "sequential" for v in kv.loops) and not kv.kernel.name.startswith("<")
                  and getattr(kv.kernel, "kind", "function") == "function"]
        if not wanted:
            continue
        results = {t: rewrite_source(source, path, target=t) for t in ("cuda", "mpi")}
        for name in wanted:
            row = {t: status(results[t], name) for t in results}
            for t, s in row.items():
                totals.setdefault(f"{language} {t}", Counter())[s.split(":")[0]] += 1
            print(f"| {path} | {name} | {row['cuda']} | {row['mpi']} |")
    print()
    for key, c in sorted(totals.items()):
        print(f"{key}: {c['verified']} verified, {c['sequential']} left sequential, {c['REFUSED']} refused "
              f"(of {sum(c.values())} functions with a parallel loop)")


if __name__ == "__main__":
    main(sys.argv[1:] or ["examples"])
