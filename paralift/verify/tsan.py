"""ThreadSanitizer check of a C candidate: races that a test run may not happen to hit.

A race on a shared `s` corrupts the result only when threads overlap in time, which a
short test on two cores may never see; ThreadSanitizer sees the missing synchronization
itself. Python cannot host the TSan runtime (it crashes when preloaded), so this builds a
standalone program: the candidate source plus a generated `main` that fills each array
deterministically (index arrays in range, bound arrays ascending) and calls the function
with `-fsanitize=thread`, under 2 and 4 OpenMP threads.

libgomp is not instrumented, so TSan cannot see its barriers and joins. It then reports
an access after a parallel region against one inside it (a reduction's combine, a
lastprivate copy-out), or accesses in two consecutive regions. A report is kept only when
both accesses are in the same outlined parallel function (`kernel._omp_fn.N`), and at
least one of them is on a line of the loop itself: gcc attributes the clause machinery
(the reduction's combine, lastprivate's copy-out, linear's final value, all synchronized
inside libgomp) to the `#pragma` line.
"""
from __future__ import annotations

import os
import re

import numpy as np

from paralift.files import remove_directory
from paralift.verify import sandbox
from paralift.verify.signature import ParamSpec
from paralift.verify.cudaemu import emulated
from paralift.verify.toolchain import compile_program, include_flags

_C_NAMES = {np.float64: "double", np.float32: "float", np.int32: "int", np.int64: "long",
            np.uint32: "unsigned int", np.uint64: "unsigned long", np.int16: "short",
            np.uint16: "unsigned short", np.int8: "signed char", np.uint8: "unsigned char",
            np.bool_: "_Bool"}


def _main(function: str, specs: tuple[ParamSpec, ...], ctypes_, size: int, extent: int, cxx: bool = False) -> str:
    """A `main` that fills every array and calls `function` once. In C an array goes as
    `void *` (a VLA parameter takes it); C++ needs the element pointer itself (a `.cu`
    launcher takes flattened pointers)."""
    lines = ["#include <stdlib.h>", "int main(void) {"]
    args = []
    for k, (spec, ct) in enumerate(zip(specs, ctypes_)):
        c = _C_NAMES[ct.dtype]
        if spec.role == "size":
            args.append(str(size))
        elif spec.role == "value":
            args.append("(" + c + ")1")
        else:
            lines.append(f"    {c} *p{k} = ({c} *)calloc({extent}, sizeof({c}));")
            if spec.bounds:
                fill = "i"
            elif spec.index:
                # in range, and repeating: two iterations writing through one index is the
                # race a scatter can have
                fill = f"(i * 7) % {max(size // 2, 1)}"
            else:
                fill = "(i % 7) + 1"
            lines.append(f"    for (long i = 0; i < {extent}; i++) p{k}[i] = ({c})({fill});")
            args.append(f"p{k}" if cxx else f"(void *)p{k}")
    lines += [f"    (void){function}({', '.join(args)});", "    return 0;", "}"]
    return "\n".join(lines) + "\n"


def _same_region(report: str) -> bool:
    """Are both racing accesses (their top frames) in one outlined parallel function?"""
    tops = re.findall(r"(?mi)^\s+(?:previous )?(?:atomic )?(?:read|write) of[^\n]*\n\s+#0 (\S+)", report)
    return len(tops) >= 2 and tops[0] == tops[1] and "._omp_fn." in tops[0]


def _reports(program: str, suffix: str, compiler: list[str], runs: list[tuple[int, dict]]
             ) -> tuple[list[tuple[int, str]], str | None]:
    """Build `program` with ThreadSanitizer and run it once per (label, environment): the
    data race reports with their run's label, or why the build failed."""
    directory = sandbox.scratch("paralift-tsan-")
    try:
        src = os.path.join(directory, "candidate" + suffix)
        with open(src, "w", encoding="utf-8") as f:
            f.write(program)
        exe = os.path.join(directory, "candidate")
        proc = compile_program([*compiler, "-O1", "-g", "-fsanitize=thread", "-o", exe, src, "-lm"])
        if proc.returncode != 0:
            return [], f"the ThreadSanitizer build failed: {proc.stderr.strip()[:500]}"
        found = []
        for label, env in runs:
            run = sandbox.run([exe], timeout=300, env=dict(TSAN_OPTIONS="exitcode=0", **env), sanitized=True)
            if run.returncode != 0:  # TSan could not run it: no report is not "no race"
                return found, f"the ThreadSanitizer run failed: {_first_line(run.stderr)}"
            found += [(label, r) for r in run.stderr.split("==================")[1:] if "data race" in r]
        return found, None
    finally:
        remove_directory(directory)


def races(candidate: str, function: str, specs, ctypes_, depth: int, path: str,
          size: int = 17, threads: tuple[int, ...] = (2, 4)) -> tuple[list[str], str | None]:
    """(race reports in the candidate's code, or an error saying why none could be run)."""
    extent = (size + 4) ** max(depth, 2)
    # the program's own `main` steps aside for the generated one (and what it calls from
    # other files of the program need not link: it never runs)
    own = re.sub(r"\bint\s+main\s*\(", "int pl_program_main(", candidate)
    reports, error = _reports(own + "\n" + _main(function, specs, ctypes_, size, extent), ".c",
                              ["gcc", "-fopenmp", "-Wl,--unresolved-symbols=ignore-all", *include_flags(path)],
                              [(t, {"OMP_NUM_THREADS": str(t)}) for t in threads])
    pragmas = {n for n, line in enumerate(candidate.splitlines(), 1) if re.match(r"\s*#\s*pragma\s+omp\b", line)}
    last = candidate.count("\n") + 1  # past it: the generated main
    found: list[str] = []
    for t, report in reports:
        if not _same_region(report):
            continue
        lines = sorted({int(n) for n in re.findall(r"candidate\.c:(\d+)", report) if int(n) <= last})
        if set(lines) - pragmas:
            message = f"ThreadSanitizer: data race with {t} threads at {path} line {', '.join(map(str, lines))}"
            if message not in found:
                found.append(message)
    return found, error


def cuda_races(candidate: str, function: str, specs, ctypes_, depth: int, path: str,
               size: int = 17) -> tuple[list[str], str | None]:
    """Races in a `.cu` candidate's kernels: it runs on the CPU emulation with every CUDA
    thread of a launch a real thread (`cudatester.emulated(threaded=True)`), atomics under
    a lock, so ThreadSanitizer sees two threads touching one element with nothing ordering
    them. The harness itself (thread start and join) is ordered, so every report counts."""
    extent = (size + 4) ** max(depth, 2)
    text = emulated(candidate, threaded=True)
    offset = text.count("\n") - candidate.count("\n")  # header lines before the candidate's first
    reports, error = _reports(text + "\n" + _main(function, specs, ctypes_, size, extent, cxx=True), ".cpp",
                              ["g++", "-std=c++17", "-pthread", "-DPARALIFT_BLOCK=8"], [(0, {})])
    found: list[str] = []
    for _, report in reports:
        tops = re.findall(r"(?m)^\s+#0 [^\n]*candidate\.cpp:(\d+)", report)  # the racing accesses
        lines = sorted({int(n) - offset for n in tops if 0 < int(n) - offset <= candidate.count("\n") + 1})
        message = f"ThreadSanitizer: data race between CUDA threads at {path} line {', '.join(map(str, lines)) or '?'}"
        if message not in found:
            found.append(message)
    return found, error


def _first_line(text: str) -> str:
    return next((ln.strip() for ln in text.splitlines() if ln.strip()), "no message")[:300]
