"""What a parameter's annotation says about the values to generate for it.

The ecosystem's own spellings: `int`, `float`, `numpy.ndarray`, `numpy.typing.NDArray[np.float64]`,
and jaxtyping's `Float64[np.ndarray, "n m"]` or `Int[Array, "batch"]` (the dimension
string gives the rank). An annotation overrides what the kernel's code suggests; one
paralift cannot read says nothing.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

_JAXTYPING = re.compile(r"^(?:\w+\.)*(Float|Int|UInt|Bool|Complex|Shaped|Num|Real|Inexact|Integer)(\d*)\[(.*)\]$")
_ARRAY = re.compile(r"(?:^|\.)(ndarray|NDArray|ArrayLike|Array)\b")


@dataclass(frozen=True)
class Annotated:
    array: bool               # an array (else a scalar, whose role the code decides)
    rank: int | None = None   # None: not said
    integer: bool | None = None  # its values (elements) are integers; None: not said


def read(annotation: str) -> Annotated | None:
    text = annotation.strip().strip("'\"")
    if not text:
        return None
    if text in ("int", "numpy.int64", "np.int64", "np.intp", "numpy.intp"):
        return Annotated(False, integer=True)
    if text in ("float", "numpy.float64", "np.float64", "complex"):
        return Annotated(False, integer=False)
    jax = _JAXTYPING.match(text)
    if jax:
        kind, _, inside = jax.groups()
        dims = inside.rsplit(",", 1)[-1].strip().strip("'\"") if "," in inside else ""
        rank = len(dims.split()) if dims and dims != "..." and "*" not in dims else None
        return Annotated(True, rank or None, True if kind in ("Int", "UInt", "Integer") else
                         False if kind in ("Float", "Complex", "Inexact") else None)
    if _ARRAY.search(text):
        integer = True if re.search(r"\bu?int\d*\b|intp", text) else False if re.search(r"float|complex", text) else None
        return Annotated(True, None, integer)
    return None
