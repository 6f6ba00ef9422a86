"""Dynamic race detection for candidates that run as Python: CUDA kernels in Numba's
simulator, and prange loops run as plain Python (`prange_race_check`).

Comparing outputs cannot show a race: the simulator runs one thread after another, and a
racy prange loop on four threads and twenty elements usually computes the right answer.
paralift's own rewrites are race-free by construction (the analysis proves it); code from
a model is not, so every element access of a candidate is logged with who made it, and
two accesses to one element conflict when they come from work that may run at once and
one of them writes (two atomics do not conflict). The first conflict is an error naming
both accesses. What is logged is what the tested inputs touch, so a race on an input the
tester never generates is not seen; the inputs are the same ones the comparison uses.

Who may run at once:
- CUDA: two threads of different blocks always; two threads of one block when neither
  has passed a `syncthreads()` the other has not (the same barrier epoch). Shared memory
  belongs to its block.
- prange: two iterations of one execution of a prange loop (nested prange loops too).
"""
from __future__ import annotations

import threading
from collections.abc import Callable

import numpy as np


class DataRace(RuntimeError):
    pass


def addresses(ary: np.ndarray, idx) -> list[int] | None:
    """The addresses of the elements `ary[idx]` names, or None for an indexing that makes
    a copy (fancy indexing): the caller then counts every element as accessed."""
    key = idx if isinstance(idx, tuple) else (idx,)
    if len(key) == ary.ndim and all(isinstance(k, (int, np.integer)) and not isinstance(k, bool) for k in key):
        # one element, the common case: its address from the strides, without a view
        address = ary.__array_interface__["data"][0]
        for k, extent, stride in zip(key, ary.shape, ary.strides):
            k = int(k) + extent if k < 0 else int(k)
            if not 0 <= k < extent:
                return []  # the real access raises its own error
            address += k * stride
        return [address]
    try:
        view = ary[key + (None,)] if all(isinstance(k, (int, np.integer, slice)) or k is Ellipsis
                                         for k in key) else None
    except (IndexError, TypeError):
        return []  # the real access raises its own error
    if isinstance(view, np.ndarray) and view.size == 0:
        return []
    if view is None or not isinstance(view, np.ndarray) or not np.may_share_memory(view, ary):
        return None
    base = view.__array_interface__["data"][0]
    grid = np.indices(view.shape).reshape(view.ndim, -1)
    return (base + np.asarray(view.strides) @ grid).tolist()


def every_address(ary: np.ndarray) -> list[int]:
    return addresses(ary, (Ellipsis,)) or []


class AccessLog:
    """Accesses per element address. `concurrent(a, b)` says whether two contexts may run
    at once, and `who(ctx)` names one in a message: only a race is ever described, so
    nothing is formatted on the hot path."""

    def __init__(self, concurrent: Callable[[object, object], bool], who: Callable[[object], str]):
        self.concurrent, self.who = concurrent, who
        self.writes: dict[int, list] = {}
        self.reads: dict[int, dict] = {}
        # every array accessed stays alive until the reset: a temporary freed by one
        # iteration and allocated again by the next must not look like one element
        self.alive: dict[int, np.ndarray] = {}

    def reset(self) -> None:
        self.writes.clear()
        self.reads.clear()
        self.alive.clear()

    def access(self, ary: np.ndarray, idx, write: bool, ctx, atomic: bool = False) -> None:
        root = ary
        while isinstance(root.base, np.ndarray):
            root = root.base
        self.alive.setdefault(id(root), root)
        found = addresses(ary, idx)
        here = (ctx, atomic, idx, ary.shape, ary.dtype)
        for a in (every_address(ary) if found is None else found):
            for other in self.writes.get(a, ()):
                if self.concurrent(ctx, other[0]) and not (atomic and other[1]):
                    raise self._race(here, write, other, True)
            if write:
                for other in self.reads.get(a, {}).values():
                    if self.concurrent(ctx, other[0]) and not (atomic and other[1]):
                        raise self._race(here, True, other, False)
                self.writes.setdefault(a, []).append(here)
            else:
                self.reads.setdefault(a, {}).setdefault((ctx, atomic), here)

    def _race(self, here, write: bool, other, other_writes: bool) -> DataRace:
        def what(access) -> str:
            ctx, _, idx, shape, dtype = access
            return f"{_index_text(idx)} of a {'x'.join(map(str, shape)) or 'scalar'} {dtype} array"
        return DataRace(f"data race: {self.who(here[0])} {'writes' if write else 'reads'} {what(here)} while "
                        f"{self.who(other[0])} {'writes' if other_writes else 'reads'} {what(other)}, "
                        "with nothing ordering the two")


def _index_text(idx) -> str:
    key = idx if isinstance(idx, tuple) else (idx,)
    parts = [f"{k.start or ''}:{'' if k.stop is None else k.stop}" if isinstance(k, slice) else
             "..." if k is Ellipsis else str(int(k)) if isinstance(k, (int, np.integer)) else "[...]" for k in key]
    return "element [" + ", ".join(parts) + "]"


# ---------------------------------------------------------------- CUDA simulator

_local = threading.local()


def install_cuda_simulator(launches: list) -> None:
    """Patch Numba's CUDA simulator (NUMBA_ENABLE_CUDASIM=1, before any kernel runs) so
    that every kernel launch is recorded in `launches` as (kernel name, argument types),
    for the PTX check, and runs under the race log."""
    from numba.cuda.simulator import kernel as simkernel
    from numba.cuda.simulator import kernelapi
    from numba.cuda.simulator.cudadrv.devicearray import FakeCUDAArray

    from paralift.verify.ptx import describe

    shared: list[tuple[int, int]] = []  # address ranges of shared arrays: per block, not global

    def concurrent(a, b) -> bool:
        """a, b: (block, thread, barrier epoch[, "shared"])."""
        if a[:2] == b[:2]:
            return False
        if a[0] != b[0]:
            return len(a) == 3  # each block has its own shared memory, which the simulator reuses
        return a[2] == b[2]

    log = AccessLog(concurrent, lambda ctx: f"thread {_dim(ctx[1])} of block {_dim(ctx[0])}")

    def record(fake, idx, write: bool) -> None:
        thread = threading.current_thread()
        if not isinstance(thread, simkernel.BlockThread):
            return  # host code between launches
        ary = fake._ary
        ctx = (tuple(thread.blockIdx), tuple(thread.threadIdx), getattr(thread, "_pl_epoch", 0))
        if shared and ary.size:
            start = ary.__array_interface__["data"][0]
            if any(lo <= start < hi for lo, hi in shared):
                ctx += ("shared",)
        log.access(ary, idx, write, ctx, bool(getattr(_local, "atomic", 0)))

    real_get, real_set = FakeCUDAArray.__getitem__, FakeCUDAArray.__setitem__

    def getitem(self, idx):
        value = real_get(self, idx)
        if not isinstance(value, FakeCUDAArray):  # an element, not a view
            record(self, idx, False)
        return value

    def setitem(self, idx, val):
        record(self, idx, True)
        return real_set(self, idx, val)

    FakeCUDAArray.__getitem__, FakeCUDAArray.__setitem__ = getitem, setitem

    real_sync = simkernel.BlockThread.syncthreads

    def syncthreads(self):
        real_sync(self)
        self._pl_epoch = getattr(self, "_pl_epoch", 0) + 1
    simkernel.BlockThread.syncthreads = syncthreads

    for name in dir(kernelapi.FakeCUDAAtomic):
        if not name.startswith("_"):
            setattr(kernelapi.FakeCUDAAtomic, name, _atomically(getattr(kernelapi.FakeCUDAAtomic, name)))

    real_shared = kernelapi.FakeCUDAShared.array

    def shared_array(self, shape, dtype):
        ary = real_shared(self, shape, dtype)
        if ary.size:
            start = ary.__array_interface__["data"][0]
            shared.append((start, start + ary.nbytes))
        return FakeCUDAArray(ary)
    kernelapi.FakeCUDAShared.array = shared_array

    real_call = simkernel.FakeCUDAKernel.__call__

    def call(self, *args):
        if self._device:  # a device function called from a kernel: part of that launch
            return real_call(self, *args)
        launches.append((self.fn.__name__, tuple(describe(a) for a in args)))
        log.reset()
        shared.clear()
        try:
            return real_call(self, *args)
        finally:
            log.reset()
    simkernel.FakeCUDAKernel.__call__ = call


def _dim(d) -> str:
    t = tuple(d)
    while len(t) > 1 and t[-1] == 0:
        t = t[:-1]
    return str(t[0]) if len(t) == 1 else str(t)


def _atomically(method):
    def wrapped(self, *args, **kwargs):
        _local.atomic = getattr(_local, "atomic", 0) + 1
        try:
            return method(self, *args, **kwargs)
        finally:
            _local.atomic -= 1
    return wrapped


# ---------------------------------------------------------------- prange, as plain Python

_stack: list = []  # (loop execution, iteration) of each prange loop the code is inside


def _prange_concurrent(a, b) -> bool:
    for x, y in zip(a, b):
        if x != y:
            return x[0] == y[0]  # two iterations of one execution of a prange loop
    return False


def _prange_who(ctx) -> str:
    iterations = ", ".join(str(i) for _, i in ctx)
    return f"prange iteration {iterations}" if len(ctx) == 1 else f"prange iterations ({iterations})"


_prange_log = AccessLog(_prange_concurrent, _prange_who)


class Tracked(np.ndarray):
    """An array whose element accesses inside prange loops are logged."""

    def __getitem__(self, idx):
        value = super().__getitem__(idx)
        if _stack:
            _prange_access(self, idx, False)
        return value

    def __setitem__(self, idx, val):
        if _stack:
            _prange_access(self, idx, True)
        super().__setitem__(idx, val)


def _prange_access(ary, idx, write: bool) -> None:
    _prange_log.access(np.asarray(ary), idx, write, tuple(_stack))


class _TrackingPrange:
    _executions = 0

    def __init__(self, *args):
        self.range = range(*args)

    def __len__(self):
        return len(self.range)

    def __iter__(self):
        _TrackingPrange._executions += 1
        execution = _TrackingPrange._executions
        _stack.append(None)
        try:
            for i in self.range:
                _stack[-1] = (execution, i)
                yield i
        finally:
            _stack.pop()


_ALLOCATORS = ("zeros", "ones", "empty", "full", "zeros_like", "ones_like", "empty_like", "full_like", "copy",
               "array", "arange", "ascontiguousarray")


def install_prange() -> None:
    """With NUMBA_DISABLE_JIT=1, before the candidate is loaded: `numba.prange` logs
    iterations, and arrays NumPy allocates are tracked, so a temporary the loop shares is
    seen too. Arguments are tracked by `track` at each call."""
    import numba
    import numba.misc.special as special
    numba.prange = special.prange = _TrackingPrange
    for name in _ALLOCATORS:
        real = getattr(np, name)
        setattr(np, name, _tracking(real))


def _tracking(allocate):
    def allocating(*args, **kwargs):
        out = allocate(*args, **kwargs)
        return out.view(Tracked) if type(out) is np.ndarray else out
    return allocating


def track(args: list) -> list:
    _prange_log.reset()
    return [a.view(Tracked) if type(a) is np.ndarray else a for a in args]


def untrack(value):
    if isinstance(value, Tracked):
        return value.view(np.ndarray)
    if isinstance(value, tuple):
        return tuple(untrack(v) for v in value)
    if isinstance(value, list):
        return [untrack(v) for v in value]
    return value
