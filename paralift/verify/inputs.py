"""Inputs for a kernel: sizes, and arrays large enough that every subscript is in range.

Array extents are found by running the original: start from a little more than the
largest size and double until no `IndexError` is raised, so that `a[i + n]`, `a[i * m + j]`
or `b[idx[i]]` all get room without modelling each. Index arrays hold integers in range,
with repeats; arrays used as loop bounds ascend (CSR row pointers).
"""
from __future__ import annotations

import copy
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from paralift.verify.signature import ParamSpec

SIZES = (0, 1, 2, 3, 5, 8, 13, 17)   # boundary sizes, odd, prime
MAX_ELEMENTS = 1 << 20


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


def build(specs: tuple[ParamSpec, ...], sizes: dict[str, int], extent: int, seed: int) -> Case:
    rng = np.random.default_rng(seed)
    args: list = []
    for spec in specs:
        if spec.role == "size":
            args.append(sizes[spec.name])
        elif spec.role == "value":
            args.append(float(np.round(rng.normal() * 2.0, 3)))
        elif spec.role == "array":
            shape = (extent,) * spec.rank
            if spec.index:
                data = rng.integers(0, max(extent, 1), size=shape)
                if spec.bounds:
                    data = np.sort(data, axis=None).reshape(shape)
                elif data.size >= 2:
                    data.flat[-1] = data.flat[0]  # at least one repeat
                args.append(data.astype(np.int64))
            else:
                args.append(np.round(rng.normal(size=shape), 3))
        else:
            raise ValueError(f"cannot make a value for `{spec.name}` ({spec.role})")
    return Case(dict(sizes), args, extent)


def fitting_case(specs, sizes: dict[str, int], seed: int,
                 run: Callable[[list], object]) -> tuple[Case | None, str | None]:
    """A case the original runs on: arrays grow until no subscript is out of range.

    Without size parameters the arrays' own length is the size (key "" of `sizes`)."""
    real = [v for k, v in sizes.items() if k]
    extent = max(real) + 2 if real else sizes.get("", 4)
    rank = max([s.rank for s in specs if s.role == "array"] + [1])
    last_error = None
    while extent ** rank <= MAX_ELEMENTS:
        case = build(specs, sizes, extent, seed)
        try:
            run(copy.deepcopy(case.args))
            return case, None
        except IndexError as err:
            last_error = f"IndexError: {err}"
            extent = max(2 * extent, 1)
        except Exception as err:  # noqa: BLE001 - the user's code may raise anything
            return None, f"{type(err).__name__}: {err}"
    return None, last_error or "arrays would be too large"


def size_schedule(specs: tuple[ParamSpec, ...], count: int, seed: int) -> list[dict[str, int]]:
    """All sizes equal for each boundary size, then independent random combinations."""
    names = [s.name for s in specs if s.role == "size"] or [""]
    out = [{n: v for n in names} for v in SIZES]
    rng = np.random.default_rng(seed)
    while len(out) < count:
        out.append({n: int(rng.choice(SIZES[1:])) for n in names})
    return out[:count]
