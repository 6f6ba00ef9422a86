"""The tester for CUDA C candidates, on a machine with or without a GPU.

1. **nvcc** compiles the candidate (`nvcc -c`) where it exists: the code is real CUDA.
2. **Emulation**: the same file is compiled as C++ by g++ against a small header that
   implements the CUDA runtime calls the backend uses on the host (`cudaMalloc` with
   guard zones that `cudaFree` checks, `cudaMemcpy`, the error calls) and runs every
   launch as loops over blocks and threads, with CUDA's own overloads of the atomics (so
   an atomic on a type CUDA lacks fails here too). The C tester then compares it with the
   original on its usual inputs, once with 8 threads per block in order and once with 64
   threads per block in reverse order: an index that ignores the block, a guard off by
   one, a wrong extent copied, or a result that depends on the threads' order shows up.

Races cannot show up in a sequential emulation; the analysis is what proves there are none.
"""
from __future__ import annotations

import os
import re
import shutil
from dataclasses import replace

from paralift.verify.ctester import Build, verify_c
from paralift.verify.tester import Verdict
from paralift.verify.cudaemu import emulated
from paralift.verify.toolchain import compile_program, cxx_flags, exported

BLOCKS = (8, 64)

def _compiler(block: int, reverse: bool):
    def compile_cpp(source: str, path: str, directory: str, tag: str):
        stem = re.sub(r"\W", "_", os.path.splitext(os.path.basename(path))[0]) or "kernel"
        src = os.path.join(directory, f"{stem}_{tag}_emu.cpp")
        lib = os.path.join(directory, f"{stem}_{tag}_emu.so")
        with open(src, "w", encoding="utf-8") as f:
            f.write(emulated(exported(source)))
        flags = ["-O1", "-std=c++17", "-shared", "-fPIC", f"-DPARALIFT_BLOCK={block}"]
        if reverse:
            flags.append("-DPL_EMU_REVERSE")
        proc = compile_program(["g++", *flags, *cxx_flags(path), "-o", lib, src, "-lm"])
        return (lib if proc.returncode == 0 else None), proc.stderr.replace(src, path)
    return compile_cpp


def nvcc() -> str | None:
    found = shutil.which("nvcc")
    if found:
        return found
    default = "/usr/local/cuda/bin/nvcc"
    return default if os.path.exists(default) else None


def nvcc_check(candidate: str, directory: str, arch: str = "sm_80", path: str = "") -> tuple[bool | None, str]:
    """(True, "") when nvcc compiles it, (False, messages) when not, (None, why) without nvcc."""
    compiler = nvcc()
    if compiler is None:
        return None, "nvcc not found: the CUDA compile check was skipped"
    src = os.path.join(directory, "candidate.cu")
    with open(src, "w", encoding="utf-8") as f:
        f.write(candidate)
    proc = compile_program([compiler, "-c", f"-arch={arch}", *cxx_flags(path), "-o", os.path.join(directory, "candidate.o"), src],
                           timeout=300)
    return proc.returncode == 0, proc.stderr.strip()[-2000:]


class CudaBuilds:
    """nvcc once per file, and the two emulated builds the functions are checked against."""

    def __init__(self, original: str, candidate: str, path: str):
        self.builds = [Build(original, candidate, path, max_threads=1, compile_candidate=_compiler(b, r))
                       for b, r in zip(BLOCKS, (False, True))]
        self.nvcc_ok, self.nvcc_message = nvcc_check(candidate, self.builds[0].directory, path=path)

    @property
    def compiles(self) -> bool:
        return self.nvcc_ok is not False and not any(b.error for b in self.builds)

    def verify(self, original: str, candidate: str, function: str, path: str) -> Verdict:
        if self.nvcc_ok is False:
            return Verdict(function, False, f"nvcc could not compile the candidate: {self.nvcc_message}",
                           unit="threads per block")
        verdict = None
        for block, build in zip(BLOCKS, self.builds):
            verdict = verify_c(original, candidate, function, path, threads=(1,), cases=24, build=build)
            if not verdict.ok:
                return replace(verdict, message=f"with {block} threads per block: {verdict.message}",
                               threads=BLOCKS, unit="threads per block")
        notes = ("compiled with nvcc",) if self.nvcc_ok else (self.nvcc_message,)
        return replace(verdict, threads=BLOCKS, unit="threads per block (emulated)", warnings=notes
                       if self.nvcc_ok is None else ())

    def close(self) -> None:
        for b in self.builds:
            b.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()
        return False
