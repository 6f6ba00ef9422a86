"""Compare what two runs of a kernel left behind: every array argument and the result.

Integers and booleans must match exactly. Floats may differ by rounding, since a parallel
reduction adds in another order: the tolerance grows with the number of terms a value
can be the sum of (`terms`), relative to the magnitude of the values involved.
"""
from __future__ import annotations

import numpy as np

EPS = np.finfo(np.float64).eps


def tolerance(terms: int, eps: float = EPS) -> float:
    return 16 * eps * max(terms, 1)


def difference(expected, got, terms: int, where: str = "result") -> str | None:
    """None if equal (within tolerance), else where and how they differ."""
    if isinstance(expected, (tuple, list)) and isinstance(got, (tuple, list)):
        if len(expected) != len(got):
            return f"{where}: {len(expected)} values expected, {len(got)} returned"
        for k, (e, g) in enumerate(zip(expected, got)):
            d = difference(e, g, terms, f"{where}[{k}]")
            if d:
                return d
        return None
    if isinstance(expected, (np.ndarray, np.generic, int, float, bool, complex)) or expected is None:
        return _values(expected, got, terms, where)
    return None if expected == got else f"{where}: expected {expected!r}, got {got!r}"


def _values(expected, got, terms: int, where: str) -> str | None:
    if expected is None or got is None:
        return None if expected is got else f"{where}: expected {expected!r}, got {got!r}"
    if _integer(expected) and _integer(got):  # exactly, even past what a float holds
        return None if int(expected) == int(got) else f"{where}: expected {int(expected)}, got {int(got)}"
    e, g = np.asarray(expected), np.asarray(got)
    if e.shape != g.shape:
        return f"{where}: shape {e.shape} expected, got {g.shape}"
    if e.dtype.kind in "biu" and g.dtype.kind in "biu":
        bad = np.flatnonzero(e.ravel() != g.ravel())
    else:
        # rounding is that of the coarser type: a float32 sum differs in float32's last bits
        eps = max(np.finfo(x.dtype).eps if x.dtype.kind in "fc" else EPS for x in (e, g))
        e64, g64 = e.astype(np.complex128 if e.dtype.kind == "c" else np.float64), \
            g.astype(np.complex128 if g.dtype.kind == "c" else np.float64)
        scale = max(float(np.max(np.abs(e64[np.isfinite(e64)]), initial=0.0)), 1.0)
        tol = tolerance(terms, eps) * scale
        close = np.isclose(e64, g64, rtol=tolerance(terms, eps), atol=tol, equal_nan=True)
        bad = np.flatnonzero(~close.ravel())
    if bad.size == 0:
        return None
    k = int(bad[0])
    index = np.unravel_index(k, e.shape) if e.shape else ()
    at = f"{where}[{', '.join(map(str, index))}]" if index else where
    return (f"{at}: expected {e.ravel()[k]!r}, got {g.ravel()[k]!r} "
            f"({bad.size} element{'s' if bad.size > 1 else ''} differ)")


def _integer(x) -> bool:
    return isinstance(x, (int, np.integer)) and not isinstance(x, (bool, np.bool_))


INT64 = (-(1 << 63), (1 << 63) - 1)


def outside_int64(value, where: str = "return value") -> str | None:
    """Where a result holds a Python integer that int64 cannot, and the value."""
    if isinstance(value, (tuple, list)):
        for k, v in enumerate(value):
            found = outside_int64(v, f"{where}[{k}]")
            if found:
                return found
        return None
    if isinstance(value, int) and not isinstance(value, bool) and not INT64[0] <= value <= INT64[1]:
        return f"{where} = {value}"
    return None
