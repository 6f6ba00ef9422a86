"""Calling a compiled C function with NumPy buffers, inside a worker or an MPI rank.

Arrays travel with guard zones on both sides (`GUARD` elements, filled with a pattern
the tester checks afterwards), so the function gets the address past the front guard.
"""
from __future__ import annotations

import ctypes
import os

import numpy as np

GUARD = 64  # elements of guard zone before and after each array a C function gets


def gomp():
    return ctypes.CDLL("libgomp.so.1")


def c_function(lib: str, name: str, argspec, restype):
    """`name` in the shared library `lib`, with argument and result types set."""
    scalar = {"f8": ctypes.c_double, "f4": ctypes.c_float, "i4": ctypes.c_int32, "i8": ctypes.c_int64,
              "u4": ctypes.c_uint32, "u8": ctypes.c_uint64, "i2": ctypes.c_int16, "u2": ctypes.c_uint16,
              "i1": ctypes.c_int8, "u1": ctypes.c_uint8, "b1": ctypes.c_bool}
    # lazily bound: a `main` (or any function the test never calls) may use symbols of other
    # files of the program (`polybench_alloc_data`); only what is called must resolve
    f = getattr(ctypes.CDLL(lib, mode=os.RTLD_LAZY | os.RTLD_LOCAL), name)
    f.argtypes = [ctypes.c_void_p if kind == "array" else scalar[np.dtype(dt).str[1:]] for kind, dt in argspec]
    f.restype = None if restype is None else scalar[np.dtype(restype).str[1:]]
    return f


def call_c(function, args, restype, gomp, threads: int):
    """In the worker: call a C function with numpy buffers (past their guard zones)."""
    if gomp is not None:
        gomp.omp_set_num_threads(threads)
    raw = []
    for kind, value in args:
        if kind == "array":
            raw.append(ctypes.c_void_p(value.ctypes.data + GUARD * value.itemsize))
        else:
            raw.append(value)
    result = function(*raw)
    return args, (None if restype is None else np.dtype(restype).type(result))
