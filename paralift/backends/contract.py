"""What every backend hands the rewrite pipeline, whatever its target.

A backend is a function `rewrite(fa, source, functions) -> Rewrite`: the analysis of a
file, its text, and the functions to rewrite (None: all). Per function it returns a plan
that names the function, the loops it rewrote (`loops`) and why it left others as they
were (`skipped`), so the CLI and the LSP report every target the same way. Backends are
found through `targets.py`.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from paralift.analysis import FileAnalysis


class Refuse(Exception):
    """A backend leaves a loop as it was; the message says why, for the user."""


class KernelPlan(Protocol):
    name: str
    loops: tuple       # what was rewritten, per loop (each backend's own plan record)
    skipped: tuple     # Skip(line, reason) for what was not
    # (optional) `verify_as`: the functions the tester calls for it, if not itself


@dataclass(frozen=True)
class Rewrite:
    source: str                    # the file, rewritten
    kernels: tuple[KernelPlan, ...]
    changed: bool
    # the original with what a rewritten function is verified through added (a lifted
    # method's loop as a plain function); None: the original itself
    reference: str | None = None


class Backend(Protocol):
    def __call__(self, fa: FileAnalysis, source: str, functions: set[str] | None = None) -> Rewrite: ...
