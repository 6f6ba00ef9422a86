"""The targets paralift writes: one record each, and the only place a target is spelled.

A target takes one or more languages. For each it names the backend that writes
paralift's own rewrite, the tester session for that output and the exact one for a
candidate someone else wrote (a model's), what a model is asked for, and whether its
answer is one function or a whole module. Backends and sessions are named as
`module:attribute` and imported when first asked for, so choosing a target never loads
another target's toolchain (mpi4py, numba.cuda).

The CLI, the translator, the LSP, the dataset, evaluation and the rewrite pipeline read
this module and nothing else.
"""
from __future__ import annotations

import importlib
import re
from dataclasses import dataclass

LANGUAGES = ("python", "c")
DEFAULT = {"python": "numba", "c": "openmp"}  # the target a language gets when none is named


@dataclass(frozen=True)
class Emitter:
    """A target for one language."""
    language: str
    backend: str     # `module:function`: rewrite(FileAnalysis, source, functions) -> the rewrite
    session: str     # `module:function`: the tester session for paralift's own output
    exact: str       # the session for someone else's candidate
    prompt: str      # what the model is asked to write
    answer: str      # "function": the function and its imports; "module": the whole file
    lifts: bool = False  # the backend takes `lifted=`: functions whose loops move into helpers
    # `--transform` applies: the loop transformations' cost model is about CPU threads sharing
    # caches (fronts of threads, tiles in L2), not GPU launches or messages between ranks
    transforms: bool = False


@dataclass(frozen=True)
class Target:
    name: str
    title: str                   # how messages name it
    emitters: tuple[Emitter, ...]
    syntax: str                  # the parallel syntax `paralift check` recognises, "" if none

    @property
    def languages(self) -> tuple[str, ...]:
        return tuple(e.language for e in self.emitters)

    def emitter(self, language: str) -> Emitter:
        for e in self.emitters:
            if e.language == language:
                return e
        raise TargetError(f"--target {self.name} rewrites {' and '.join(self.languages)} files, not {language}")


class TargetError(ValueError):
    pass


_V = "paralift.verify.sessions"
TARGETS: dict[str, Target] = {t.name: t for t in (
    Target("numba", "Numba", (
        Emitter("python", "paralift.backends.numba:rewrite", f"{_V}:numba", f"{_V}:numba",
                "Numba: `@numba.njit(parallel=True)` with `numba.prange` on the loops that can run in parallel",
                "function", lifts=True, transforms=True),), "prange"),
    Target("openmp", "OpenMP", (
        Emitter("c", "paralift.backends.openmp:rewrite", f"{_V}:openmp", f"{_V}:openmp_exact",
                "OpenMP: `#pragma omp parallel for` with the right private, reduction and lastprivate clauses",
                "function", transforms=True),), "#pragma omp parallel for"),
    Target("offload", "OpenMP offload", (
        Emitter("c", "paralift.backends.offload:rewrite", f"{_V}:offload", f"{_V}:offload_exact",
                "OpenMP target offload: `#pragma omp target teams distribute parallel for` with `map` clauses "
                "for every array the loop touches (`to` if only read, `tofrom` if written) and the right "
                "private and reduction clauses", "function"),), "#pragma omp target teams distribute parallel for"),
    Target("cuda", "CUDA", (
        Emitter("python", "paralift.backends.cuda:rewrite", f"{_V}:cuda", f"{_V}:cuda",
                "CUDA with numba.cuda: a `@cuda.jit` kernel per parallel loop nest and a host function with the "
                "original signature that copies arrays in, launches, and copies them out", "module"),
        Emitter("c", "paralift.backends.cuda_c:rewrite", f"{_V}:cuda_c", f"{_V}:cuda_c_exact",
                "CUDA C (a .cu file for nvcc): a `__global__` kernel per parallel loop nest and a host function "
                "with the original signature that copies arrays to the device, launches, and copies them back",
                "module")), ""),
    Target("mpi", "MPI", (
        Emitter("python", "paralift.backends.mpi:rewrite", f"{_V}:mpi", f"{_V}:mpi",
                "MPI with mpi4py: an SPMD function with the original signature, called on every rank, that "
                "distributes the parallel loop and returns the full result on every rank", "module"),
        Emitter("c", "paralift.backends.mpi_c:rewrite", f"{_V}:mpi_c", f"{_V}:mpi_c",
                "MPI in C (mpi.h): an SPMD function with the original signature, called on every rank after "
                "MPI_Init, that distributes the parallel loop and leaves the full result on every rank",
                "module")), ""),
)}
NAMES = tuple(TARGETS)
# `# paralift: numba` (or `// paralift: openmp`) marks a function for a target
MARKER = re.compile(r"paralift:\s*(" + "|".join(NAMES) + r")\b")


def target(name: str) -> Target:
    if name not in TARGETS:
        raise TargetError(f"unknown target {name!r}; choose from {', '.join(NAMES)}")
    return TARGETS[name]


def default_for(language: str) -> str:
    return DEFAULT.get(language, DEFAULT["python"])


def emitter(name: str | None, language: str) -> Emitter:
    """The emitter of target `name` (the language's default when None) for `language`."""
    return target(name or default_for(language)).emitter(language)


def load(spec: str):
    """The object a `module:attribute` spec names, imported now."""
    module, _, attr = spec.partition(":")
    return getattr(importlib.import_module(module), attr)
