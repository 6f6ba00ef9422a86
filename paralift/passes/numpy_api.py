"""What the NumPy (and math) functions and ndarray methods a kernel calls do, as data.

Two questions decide whether a loop that calls them can run in parallel:
  * is the call pure (it writes nothing a caller can see, and depends on no hidden state)?
  * what does it return: a new array or a number ("new"), a new array the kernel owns and
    may fill ("alloc"), or something that may share memory with its first argument ("view")?

A name bound to a "new" value is its own array; one bound to a "view" shares its memory
with the argument's, so a write through either is a write to both. Anything not listed is
neither pure nor known to return new memory.
"""
from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Api:
    returns: str          # "alloc" | "new" | "view"
    pure: bool = True


ALLOC, NEW, VIEW = Api("alloc"), Api("new"), Api("view")

_ALLOCATORS = ("zeros", "empty", "ones", "full", "zeros_like", "empty_like", "ones_like", "full_like",
               "copy", "array", "arange", "linspace", "logspace", "geomspace", "identity", "eye", "tri",
               )
_UFUNCS = (
    "sqrt", "cbrt", "exp", "exp2", "expm1", "log", "log2", "log10", "log1p", "sin", "cos", "tan",
    "arcsin", "arccos", "arctan", "arctan2", "sinh", "cosh", "tanh", "arcsinh", "arccosh", "arctanh",
    "abs", "absolute", "fabs", "floor", "ceil", "trunc", "rint", "round", "around", "sign", "hypot",
    "power", "float_power", "maximum", "minimum", "fmax", "fmin", "clip", "isnan", "isinf", "isfinite",
    "square", "reciprocal", "negative", "positive", "mod", "fmod", "remainder", "floor_divide",
    "true_divide", "divide", "multiply", "add", "subtract", "deg2rad", "rad2deg", "degrees", "radians",
    "logical_and", "logical_or", "logical_not", "logical_xor", "less", "less_equal", "greater",
    "greater_equal", "equal", "not_equal", "bitwise_and", "bitwise_or", "bitwise_xor", "invert",
    "left_shift", "right_shift", "conj", "conjugate", "angle", "copysign", "heaviside", "sinc",
    "isclose", "signbit", "nan_to_num", "float64", "float32", "int64", "int32", "int16", "int8",
    "uint8", "uint32", "uint64", "intp", "bool_", "complex128", "complex64")
_REDUCTIONS = (
    "sum", "prod", "mean", "std", "var", "max", "min", "amax", "amin", "argmax", "argmin", "any",
    "all", "cumsum", "cumprod", "nansum", "nanprod", "nanmean", "nanmax", "nanmin", "nanstd",
    "nanvar", "average", "median", "percentile", "quantile", "ptp", "count_nonzero", "trace",
    "allclose", "array_equal", "diff", "ediff1d", "gradient")
_LINEAR_ALGEBRA = (
    "dot", "vdot", "inner", "outer", "matmul", "tensordot", "cross", "kron", "linalg.norm",
    "linalg.solve", "linalg.inv", "linalg.det", "linalg.slogdet", "linalg.eig", "linalg.eigh",
    "linalg.eigvals", "linalg.eigvalsh", "linalg.svd", "linalg.qr", "linalg.cholesky",
    "linalg.lstsq", "linalg.pinv", "linalg.matrix_power", "linalg.matrix_rank", "linalg.cond")
_BUILDERS = (  # new arrays from others
    "concatenate", "stack", "vstack", "hstack", "dstack", "column_stack", "tile", "repeat", "sort",
    "argsort", "unique", "where", "select", "take", "nonzero", "flatnonzero", "argwhere", "roll",
    "convolve", "correlate", "interp", "polyval", "searchsorted", "bincount", "histogram",
    "digitize", "meshgrid", "outer", "triu", "tril", "pad", "append", "insert", "delete", "cumsum")
_VIEWS = ("reshape", "ravel", "transpose", "swapaxes", "moveaxis", "squeeze", "expand_dims",
          "atleast_1d", "atleast_2d", "atleast_3d", "broadcast_to", "diagonal", "diag", "real", "imag",
          "asarray", "asanyarray", "ascontiguousarray", "asfortranarray", "flip", "fliplr", "flipud",
          "rot90", "split", "array_split", "hsplit", "vsplit")
_SHAPE = ("shape", "size", "ndim")

NUMPY: dict[str, Api] = {
    **{f: NEW for f in _UFUNCS + _REDUCTIONS + _LINEAR_ALGEBRA + _BUILDERS + _SHAPE},
    **{f: VIEW for f in _VIEWS},
    **{f: ALLOC for f in _ALLOCATORS},
}

# ndarray methods: `a.sum()` is a number, `a.copy()` a new array, `a.reshape(...)` may view `a`;
# `a.sort()`, `a.fill(x)` write `a` and are not listed (impure).
METHODS: dict[str, Api] = {
    **{m: NEW for m in ("sum", "prod", "min", "max", "mean", "std", "var", "dot", "any", "all",
                        "argmax", "argmin", "item", "conjugate", "conj", "nonzero", "ptp", "trace",
                        "round", "clip", "argsort", "searchsorted", "tobytes")},
    **{m: ALLOC for m in ("copy", "astype", "cumsum", "cumprod", "tolist", "flatten")},
    **{m: VIEW for m in ("reshape", "ravel", "transpose", "view", "swapaxes", "squeeze", "diagonal")},
}


def numpy_api(name: str) -> Api | None:
    """`name` relative to the numpy module: `sqrt`, `linalg.norm`."""
    return NUMPY.get(name)


def method_api(name: str) -> Api | None:
    return METHODS.get(name)
