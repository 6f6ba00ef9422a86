"""Compile the CUDA kernels a candidate launched to PTX, for a real GPU, without one.

Numba's CUDA simulator runs kernels as Python: it accepts code that no GPU compiler would
(a NumPy call, a Python object). So the types each kernel was launched with in the
simulator are recorded, and the kernel is compiled for them with NVVM (`compile_ptx`,
sm_80), exactly as a GPU run would compile it. Where the CUDA toolkit (libNVVM) is not
installed, the check says so and is skipped.
"""
from __future__ import annotations

CC = (8, 0)


def describe(value) -> tuple:
    """A picklable description of one kernel argument's Numba type."""
    import numpy as np
    if hasattr(value, "dtype") and hasattr(value, "ndim") and getattr(value, "ndim", 0) > 0 or \
            isinstance(value, np.ndarray):
        return ("array", np.dtype(value.dtype).str, int(value.ndim))
    if isinstance(value, (bool, np.bool_)):
        return ("scalar", "|b1")
    if isinstance(value, (int, np.integer)):
        return ("scalar", np.dtype(type(value)).str if isinstance(value, np.integer) else "<i8")
    if isinstance(value, (float, np.floating)):
        return ("scalar", np.dtype(type(value)).str if isinstance(value, np.floating) else "<f8")
    return ("other", type(value).__name__)


def _numba_type(d: tuple):
    import numpy as np
    from numba import from_dtype, types
    if d[0] == "array":
        return types.Array(from_dtype(np.dtype(d[1])), d[2], "A")
    if d[0] == "scalar":
        return from_dtype(np.dtype(d[1]))
    raise TypeError(f"a `{d[1]}` argument has no CUDA type")


def unavailable() -> str | None:
    """Why PTX cannot be compiled here, or None."""
    try:
        from numba import cuda
        from numba.cuda.cudadrv.nvvm import NVVM
        NVVM()
        del cuda
    except Exception as err:  # noqa: BLE001 - any failure means: no toolkit here
        return f"no CUDA toolkit (libNVVM) here, the PTX compile check was skipped: {str(err)[:200]}"
    return None


def compile_launches(namespace: dict, launches) -> list[str]:
    """Compile each (kernel name, argument descriptions) to PTX; the errors, if any. A
    kernel calling a device function cannot be compiled without a driver (Numba asks the
    current device for its compute capability): that is a `skipped:` note, not an error.
    Anything else that wants a driver is refused: it is not plain device code."""
    from numba import cuda, types
    errors = []
    for name, described in sorted(set(launches)):
        kernel = namespace.get(name)
        func = getattr(kernel, "py_func", None)
        if func is None:
            errors.append(f"`{name}` is not a CUDA kernel")
            continue
        try:
            sig = types.void(*[_numba_type(d) for d in described])
            cuda.compile_ptx(func, sig, cc=CC)
        except Exception as err:  # noqa: BLE001 - a compile error is the answer
            calls_helper = any(getattr(namespace.get(n), "py_func", None) is not None
                               for n in func.__code__.co_names if n != name)
            if type(err).__name__ == "CudaSupportError" and calls_helper:
                errors.append(f"skipped: `{name}` calls a device function, which needs a CUDA driver to compile")
                continue
            errors.append(f"`{name}` does not compile for a GPU: {type(err).__name__}: {str(err).strip()[:1500]}")
    return errors
