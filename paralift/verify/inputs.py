"""Inputs for a kernel: sizes, and arrays large enough that every subscript is in range.

Array extents are found by running the original: start from the largest size plus a
padding of 0, 1 or 2 (so that `a[-1]` can be an element a loop index also reaches) and
double until no `IndexError` is raised, so that `a[i + n]`, `a[i * m + j]` or `b[idx[i]]`
all get room without modelling each. Index arrays hold integers in range, with repeats;
arrays used as loop bounds ascend (CSR row pointers).

Each case also has a kind of data: floats, floats that equal small integers (so that
`b[i] == 2` holds somewhere), or int64 arrays with integer scalars, some near the int64
limits (where Python's integers and Numba's or C's part ways).
"""
from __future__ import annotations

import copy
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from paralift.verify.signature import ParamSpec

SIZES = (0, 1, 2, 3, 5, 8, 13, 17)   # boundary sizes, odd, prime
LARGE = 24                          # one case past the small sizes (int64 overflow shows by 20)
MAX_ELEMENTS = 1 << 20
MAX_GROWTH = 10                     # doublings of an array's extent before giving up on a case
PADS = (0, 1, 2)
DATA = ("float", "whole", "int")
HUGE = 1 << 62                      # an integer scalar whose double or square leaves int64
# Small integers, without 0: a zero divisor makes NumPy's scalars give inf where Numba's
# (and Python's) raise, which says nothing about the parallel loops; normal floats are
# never exactly 0 either.
_SMALL = np.array([-3, -2, -1, 1, 2, 3])


@dataclass(frozen=True)
class Variant:
    """How a case's data is made, fixed by its seed so a shrunk case keeps it."""

    pad: int    # extent past the largest size
    data: str   # float | whole (floats equal to small integers) | int (int64 arrays, int scalars)
    huge: bool  # integer scalars near the int64 limits

    @staticmethod
    def of(seed: int) -> Variant:
        return Variant(PADS[seed % 3], DATA[seed // 3 % 3], seed % 9 == 8)


class Raised(Exception):
    """The original raised in another process: its exception's type name and message."""

    def __init__(self, kind: str, message: str):
        super().__init__(f"{kind}: {message}")
        self.kind = kind


class NoAnswer(Exception):
    """The original hung or crashed: no input is made, the function is refused."""


@dataclass
class Case:
    """One input: the sizes it was built from and the argument values."""

    sizes: dict[str, int]
    args: list
    extent: int

    def describe(self, specs: tuple[ParamSpec, ...], limit: int = 12) -> str:
        parts = []
        for spec, a in zip(specs, self.args):
            if isinstance(a, np.ndarray):
                flat = np.array2string(a.ravel()[:limit], precision=4, separator=", ")
                more = ", ..." if a.size > limit else ""
                parts.append(f"{spec.name}=array(shape={a.shape}, dtype={a.dtype}, {flat[:-1]}{more}])")
            else:
                parts.append(f"{spec.name}={a!r}")
        return ", ".join(parts)


def describe_sizes(sizes: dict[str, int]) -> str:
    """`n = 3, m = 4`; without size parameters, the arrays' own length."""
    named = {k: v for k, v in sizes.items() if k}
    if named:
        return ", ".join(f"{k} = {v}" for k, v in named.items())
    return f"arrays of {sizes.get('', 0)} elements per dimension"


def build(specs: tuple[ParamSpec, ...], sizes: dict[str, int], extent: int, seed: int,
          longer: str | None = None) -> Case:
    """The arguments; every array has `extent` elements per dimension, the `longer` one twice
    as many (`b[i + 1]` beside `enumerate(a)` needs `b` longer than `a`)."""
    rng = np.random.default_rng(seed)
    variant = Variant.of(seed)
    args: list = []
    for spec in specs:
        if spec.role == "size":
            args.append(sizes[spec.name])
        elif spec.role == "value":
            args.append(_scalar(rng, variant, spec.integer))
        elif spec.role == "array":
            own = 2 * max(extent, 1) if spec.name == longer else extent
            args.append(_array(rng, spec, (own,) * spec.rank, own, variant))
        elif spec.role == "dtype":
            args.append(np.float64 if variant.data != "int" else np.int64)
        else:
            raise ValueError(f"cannot make a value for `{spec.name}` ({spec.role})")
    return Case(dict(sizes), args, extent)


def _scalar(rng, variant: Variant, integer: bool | None = None):
    """`integer`: what an annotation says the value is (`int`, `float`); None: the variant decides."""
    if integer is False or (variant.data == "float" and integer is None):
        return float(np.round(rng.normal() * 2.0, 3))
    small = int(rng.choice(_SMALL))
    if integer:
        return (HUGE + small) * int(rng.choice((-1, 1))) if variant.huge else small
    if variant.data == "whole":
        return float(small)
    return (HUGE + small) * int(rng.choice((-1, 1))) if variant.huge else small


def _array(rng, spec: ParamSpec, shape: tuple[int, ...], extent: int, variant: Variant) -> np.ndarray:
    if spec.index:
        data = rng.integers(0, max(extent, 1), size=shape)
        if spec.bounds:
            data = np.sort(data, axis=None).reshape(shape)
        elif data.size >= 2:
            data.flat[-1] = data.flat[0]  # at least one repeat
        return data.astype(np.int64)
    if variant.data == "float":
        return np.round(rng.normal(size=shape), 3)
    data = rng.choice(_SMALL, size=shape)
    return data.astype(np.float64 if variant.data == "whole" or spec.floating else np.int64)


@dataclass(frozen=True)
class Fit:
    """An input the original accepts, or one it raises on, or why there is none."""

    case: Case | None
    raised: str | None = None  # the original raised this (not IndexError) on `case`
    why: str | None = None     # why there is no case
    result: object = None      # what `run` returned on `case`


def fitting_case(specs, sizes: dict[str, int], seed: int, run: Callable[[list], object]) -> Fit:
    """An input for these sizes: arrays grow until no subscript is out of range.

    `run(args)` calls the original; it raises `Raised` (or the exception itself) when the
    original raises, and `NoAnswer`, which is passed on. Without size parameters the
    arrays' own length is the size (key "" of `sizes`)."""
    real = [v for k, v in sizes.items() if k]
    extent = max(real) + Variant.of(seed).pad if real else sizes.get("", 4)
    rank = max([s.rank for s in specs if s.role == "array"] + [1])
    first, last_error = extent, None
    for _ in range(MAX_GROWTH):
        if extent ** rank > MAX_ELEMENTS:
            break
        fit, last_error = _attempt(build(specs, sizes, extent, seed), run)
        if fit is not None:
            return fit
        extent = max(2 * extent, 1)
    for spec in specs:  # arrays of one length never fit: perhaps one must be longer
        if spec.role == "array" and last_error and (2 * max(first, 1)) ** spec.rank <= MAX_ELEMENTS:
            fit, _ = _attempt(build(specs, sizes, first, seed, longer=spec.name), run)
            if fit is not None:
                return fit
    return Fit(None, why=last_error or "arrays would be too large")


def _attempt(case: Case, run) -> tuple[Fit | None, str | None]:
    """(the fit, None), or (None, the IndexError) when a subscript was out of range."""
    try:
        return Fit(case, result=run(copy.deepcopy(case.args))), None
    except NoAnswer:
        raise
    except Exception as err:  # noqa: BLE001 - the user's code may raise anything
        kind = err.kind if isinstance(err, Raised) else type(err).__name__
        if kind != "IndexError":
            return Fit(case, raised=str(err) if isinstance(err, Raised) else f"{kind}: {err}"), None
        return None, str(err) if isinstance(err, Raised) else f"IndexError: {err}"


def size_schedule(specs: tuple[ParamSpec, ...], count: int, seed: int) -> list[dict[str, int]]:
    """All sizes equal for each boundary size, one large case, then independent random
    combinations."""
    names = [s.name for s in specs if s.role == "size"] or [""]
    rank = max([s.rank for s in specs if s.role == "array"] + [1])
    large = LARGE
    while large > SIZES[-1] and (large + 2) ** rank > MAX_ELEMENTS // 4:
        large -= 1
    out = [{n: v for n in names} for v in SIZES + (large,)]
    rng = np.random.default_rng(seed)
    while len(out) < count:
        out.append({n: int(rng.choice(SIZES[1:])) for n in names})
    return out[:count]
