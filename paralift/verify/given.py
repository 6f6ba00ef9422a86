"""Inputs the user gives: argument tuples from a function of theirs, tested first.

Generated inputs come from what the kernel's code says of each parameter; some kernels need
more (shapes that fit one another, a structure like CSR). The user says so the way a test
suite would:

  * `paralift_inputs_<kernel>()` in the kernel's own file, or in a `conftest.py` beside it;
  * `--inputs FILE.py:FUNCTION` (the function gets the kernel's name).

Each returns an iterable of argument tuples. They run in a worker of their own, like the
original, and the tester compares the candidate with the original on every one of them
before its generated inputs.
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from paralift.verify.worker import Worker

HOOK_PREFIX = "paralift_inputs_"
_TIMEOUT = 120.0


@dataclass(frozen=True)
class Hook:
    """Where a kernel's inputs come from: a source file and the function in it."""
    path: str
    function: str
    passes_name: bool = False   # `--inputs`: the function is told which kernel
    source: str | None = None   # the kernel's own file, already read

    def describe(self) -> str:
        return f"{Path(self.path).name}:{self.function}"


def find_hook(source_path: str, source: str, kernel: str, option: str | None = None) -> Hook | None:
    """The hook for `kernel`: `--inputs` first, then the kernel's file, then conftest.py."""
    if option:
        path, _, function = option.rpartition(":")
        return Hook(path, function, passes_name=True)
    name = HOOK_PREFIX + kernel
    if f"def {name}(" in source:
        return Hook(source_path, name, source=source)
    conftest = Path(source_path).parent / "conftest.py"
    if conftest.is_file() and f"def {name}(" in conftest.read_text(errors="replace"):
        return Hook(str(conftest), name)
    return None


class GivenError(Exception):
    """The hook could not be run, or returned something that is not argument tuples."""


def given_inputs(hook: Hook, kernel: str) -> list[list]:
    """The argument lists the hook returns (run in a worker, as the user's code)."""
    try:
        source = hook.source if hook.source is not None else Path(hook.path).read_text()
    except OSError as err:
        raise GivenError(f"cannot read {hook.path}: {err.strerror}") from err
    with Worker(1) as worker:
        loaded = worker.request(("load", source, hook.path), timeout=_TIMEOUT)
        if loaded[0] == "error":
            raise GivenError(f"{hook.describe()} cannot be loaded: {loaded[1]}: {loaded[2]}")
        args = [kernel] if hook.passes_name else []
        reply = worker.request(("call", hook.function, 1, args), timeout=_TIMEOUT)
    if reply[0] == "error":
        raise GivenError(f"{hook.describe()} raised {reply[1]}: {(reply[2] or '').splitlines()[0][:200]}")
    try:
        cases = [list(c) for c in reply[2]]
    except TypeError as err:
        raise GivenError(f"{hook.describe()} must return argument tuples, not {type(reply[2]).__name__}") from err
    if not cases:
        raise GivenError(f"{hook.describe()} returned no inputs")
    return cases


def refine(specs: tuple, cases: list[list]) -> tuple:
    """The parameter roles as the given inputs show them: an argument that is an array in
    every given input is one, of that rank and kind of element (generated inputs then have
    the shapes and dtypes the kernel is really called with)."""
    import numpy as np
    from dataclasses import replace as changed
    out = []
    for k, spec in enumerate(specs):
        values = [c[k] for c in cases if k < len(c)]
        if values and all(isinstance(v, np.ndarray) for v in values):
            kinds = {v.dtype.kind for v in values}
            spec = changed(spec, role="array", rank=max(v.ndim for v in values) or 1,
                           index=spec.index or kinds <= {"i", "u"}, floating=spec.floating or "f" in kinds)
        elif values and all(isinstance(v, type) or isinstance(v, np.dtype) for v in values):
            spec = changed(spec, role="dtype")
        out.append(spec)
    return tuple(out)
