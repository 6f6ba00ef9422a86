"""Estimates of how much work a loop does, for the decisions that are about speed only:
whether a parallel loop's start pays for itself, whether a wavefront's fronts hold enough
work. Never about soundness: an estimate only ever declines a proven-parallel loop.

Sizes the code does not fix come from a work budget: every unknown size takes the one
value at which the whole function does about WORK_BUDGET iterations (a second or so). A
kernel's cost fixes what sizes it is run at: lu does n^3 work, so its n is some thousands
and a loop over `k < j` inside it holds a few hundred iterations per start, while a 1-d
sweep in a time loop does t*n and its n can be large.
"""
from __future__ import annotations

import functools
import os
from pathlib import Path

from paralift.ir import nodes as ir

WORK_BUDGET = 10 ** 9      # iterations a function of unknown sizes is assumed to run
MIN_WORK_PER_START = 4096  # iterations that pay for starting the threads once (~1.5 us)
ITEM = 8                   # bytes per element the cache models assume (float64, the common case)


def estimate(e: ir.Expr, env: dict[str, int], size: int) -> int | None:
    """An integer expression's value: loop variables from `env`, other names `size`."""
    if isinstance(e, ir.Const) and type(e.value) is int:
        return e.value
    if isinstance(e, ir.UnaryOp) and e.op == "-":
        x = estimate(e.operand, env, size)
        return None if x is None else -x
    if isinstance(e, ir.BinOp) and e.op in ("+", "-", "*", "//"):
        a, b = estimate(e.left, env, size), estimate(e.right, env, size)
        if a is None or b is None or (e.op == "//" and b == 0):
            return None
        return a + b if e.op == "+" else a - b if e.op == "-" else a * b if e.op == "*" else a // b
    if isinstance(e, ir.Name) and e.id in env:
        return env[e.id]
    if isinstance(e, ir.Call) and e.func in ("min", "max", "pl_min", "pl_max") and e.args and not e.keywords:
        values = [estimate(a, env, size) for a in e.args]   # the bounds generated code writes
        if any(v is None for v in values):
            return None
        return min(values) if e.func.endswith("min") else max(values)
    if isinstance(e, ir.Call) and e.func == "pl_floord" and len(e.args) == 2:
        a, b = (estimate(x, env, size) for x in e.args)
        return None if a is None or not b else a // b
    if isinstance(e, (ir.Name, ir.Attribute, ir.Access, ir.Call)):
        return size
    return None


def trips(loop: ir.Loop, env: dict[str, int], size: int) -> int | None:
    """The loop's estimated trip count; binds its variable in `env` to its middle value (a
    loop whose bound depends on it then counts half: a triangle is half a square)."""
    lo, hi = estimate(loop.lower, env, size), estimate(loop.upper, env, size)
    step = estimate(loop.step, env, size)
    if lo is None or hi is None or not step:
        return None
    env[loop.var] = (lo + hi) // 2
    return max((hi - lo) // step, 0)


def work(body, env: dict[str, int], size: int) -> int:
    """Statements run by one pass over `body`, loops counted by their estimated trips."""
    out = 0
    for s in body:
        if isinstance(s, ir.Loop):
            inner = dict(env)
            t = trips(s, inner, size)
            out += (size if t is None else t) * work(s.body, inner, size)
        elif isinstance(s, ir.If):
            out += 1 + max(work(s.body, env, size), work(s.orelse, env, size))
        elif isinstance(s, ir.While):
            out += size * work(s.body, env, size)
        else:
            out += 1
    return max(out, 1)


def budget_size(body) -> int:
    """The size at which `body` does about WORK_BUDGET iterations (at least 16)."""
    lo, hi = 16, 1 << 24
    if work(body, {}, lo) >= WORK_BUDGET:
        return lo
    while hi - lo > 1:
        mid = (lo + hi) // 2
        lo, hi = (mid, hi) if work(body, {}, mid) < WORK_BUDGET else (lo, mid)
    return hi


def start_pays(loop: ir.Loop, enclosing: tuple[ir.Loop, ...], size: int) -> bool:
    """Does one parallel start of `loop`, inside the sequential loops `enclosing` (each at
    its middle iteration), do enough work to pay for itself? A loop outside every loop
    starts once per call and always does; a bound it cannot estimate says yes."""
    if not enclosing:
        return True
    env: dict[str, int] = {}
    for x in enclosing:
        if trips(x, env, size) is None:
            return True
    t = trips(loop, env, size)
    return t is None or t * work(loop.body, env, size) >= MIN_WORK_PER_START


def band_pays(order: list[ir.Loop], parallel: int, size: int) -> bool:
    """Does one start of `order[parallel]`, in a nest whose loops are `order` from the
    outside in, do enough work to pay for its threads? Work is the iterations inside it,
    at the middle of the loops outside."""
    env: dict[str, int] = {}
    for v in order[:parallel]:
        if trips(v, env, size) is None:
            return False
    work = 1
    for v in order[parallel:]:
        t = trips(v, env, size)
        if t is None:
            return False
        work *= max(t, 0)
    return work >= MIN_WORK_PER_START


DEFAULT_CACHE = 1 << 20    # bytes, where the machine does not say


def cache_size() -> int:
    """The per-core cache tiles are sized for, in bytes: `$PARALIFT_CACHE_SIZE` (`2M`,
    `512K`, or bytes) if set, else the machine's level-2 data or unified cache as Linux
    reports it (`/sys/devices/system/cpu/cpu0/cache/index*/`), else DEFAULT_CACHE."""
    given = os.environ.get("PARALIFT_CACHE_SIZE")
    if given:
        return _bytes(given) or DEFAULT_CACHE
    return _machine_cache(2) or DEFAULT_CACHE


def _bytes(text: str) -> int | None:
    text = text.strip().upper().removesuffix("B")
    scale = {"K": 1 << 10, "M": 1 << 20, "G": 1 << 30}.get(text[-1:], 1)
    digits = text[:-1] if text[-1:] in "KMG" else text
    return int(digits) * scale if digits.isdigit() and int(digits) > 0 else None


@functools.cache
def _machine_caches() -> dict[int, int]:
    """Level -> bytes of cpu0's data or unified caches, as Linux reports them."""
    out: dict[int, int] = {}
    for d in sorted(Path("/sys/devices/system/cpu/cpu0/cache").glob("index*")):
        try:
            level, kind, size = ((d / f).read_text().strip() for f in ("level", "type", "size"))
        except OSError:
            continue
        if kind in ("Data", "Unified") and level.isdigit() and _bytes(size):
            out[int(level)] = _bytes(size)
    return out


def _machine_cache(level: int) -> int | None:
    return _machine_caches().get(level)
