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
import shutil
import subprocess
import tempfile

import numpy as np

from paralift.verify.signature import ParamSpec

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


def races(candidate: str, function: str, specs, ctypes_, depth: int, path: str,
          size: int = 17, threads: tuple[int, ...] = (2, 4)) -> tuple[list[str], str | None]:
    """(race reports in the candidate's code, or an error saying why none could be run)."""
    extent = (size + 4) ** max(depth, 2)
    directory = tempfile.mkdtemp(prefix="paralift-tsan-")
    try:
        src = os.path.join(directory, "candidate.c")
        with open(src, "w", encoding="utf-8") as f:
            f.write(candidate + "\n" + _main(function, specs, ctypes_, size, extent))
        exe = os.path.join(directory, "candidate")
        proc = subprocess.run(["gcc", "-O1", "-g", "-fopenmp", "-fsanitize=thread", "-o", exe, src, "-lm"],
                              capture_output=True, text=True)
        if proc.returncode != 0:
            return [], f"the ThreadSanitizer build failed: {proc.stderr.strip()[:500]}"
        pragmas = {n for n, line in enumerate(candidate.splitlines(), 1)
                   if re.match(r"\s*#\s*pragma\s+omp\b", line)}
        found: list[str] = []
        for t in threads:
            env = dict(os.environ, OMP_NUM_THREADS=str(t), TSAN_OPTIONS="exitcode=0")
            run = subprocess.run([exe], capture_output=True, text=True, env=env, timeout=300)
            for report in run.stderr.split("==================")[1:]:
                if "data race" not in report or not _same_region(report):
                    continue
                last = candidate.count("\n") + 1  # past it: the generated main
                lines = sorted({int(n) for n in re.findall(r"candidate\.c:(\d+)", report)
                                if int(n) <= last})
                if set(lines) - pragmas:
                    where = ", ".join(map(str, lines))
                    message = f"ThreadSanitizer: data race with {t} threads at {path} line {where}"
                    if message not in found:
                        found.append(message)
        return found, None
    finally:
        shutil.rmtree(directory, ignore_errors=True)


def cuda_races(candidate: str, function: str, specs, ctypes_, depth: int, path: str,
               size: int = 17) -> tuple[list[str], str | None]:
    """Races in a `.cu` candidate's kernels: it runs on the CPU emulation with every CUDA
    thread of a launch a real thread (`cudatester.emulated(threaded=True)`), atomics under
    a lock, so ThreadSanitizer sees two threads touching one element with nothing ordering
    them. The harness itself (thread start and join) is ordered, so every report counts."""
    from paralift.verify.cudatester import emulated
    extent = (size + 4) ** max(depth, 2)
    directory = tempfile.mkdtemp(prefix="paralift-tsan-cuda-")
    try:
        text = emulated(candidate, threaded=True)
        offset = text.count("\n") - candidate.count("\n")  # header lines before the candidate's first
        src = os.path.join(directory, "candidate.cpp")
        with open(src, "w", encoding="utf-8") as f:
            f.write(text + "\n" + _main(function, specs, ctypes_, size, extent, cxx=True))
        exe = os.path.join(directory, "candidate")
        proc = subprocess.run(["g++", "-std=c++17", "-O1", "-g", "-pthread", "-fsanitize=thread", "-DPARALIFT_BLOCK=8",
                               "-o", exe, src, "-lm"], capture_output=True, text=True)
        if proc.returncode != 0:
            return [], f"the ThreadSanitizer build failed: {proc.stderr.strip()[:500]}"
        run = subprocess.run([exe], capture_output=True, text=True, timeout=300,
                             env=dict(os.environ, TSAN_OPTIONS="exitcode=0"))
        found = []
        for report in run.stderr.split("==================")[1:]:
            if "data race" not in report:
                continue
            tops = re.findall(r"(?m)^\s+#0 [^\n]*candidate\.cpp:(\d+)", report)  # the racing accesses
            lines = sorted({int(n) - offset for n in tops if 0 < int(n) - offset <= candidate.count("\n") + 1})
            message = (f"ThreadSanitizer: data race between CUDA threads at {path} line "
                       f"{', '.join(map(str, lines)) or '?'}")
            if message not in found:
                found.append(message)
        return found, None
    finally:
        shutil.rmtree(directory, ignore_errors=True)
