"""The tester for C: compile both versions with gcc, call them through ctypes, compare.

The original and the candidate are compiled (`-O2 -fopenmp`) into shared libraries and
called, in a worker process (a crash must not take the tester down), with 1, 2 and 4
OpenMP threads on the same generated inputs. C cannot report an index out of range, so
arrays are generous (`(largest size + 4) ** depth` elements for pointers, the declared
shape for arrays like `double A[n][m]`) and sit between guard zones that must come back
untouched: a write outside an array is reported, not silently compared.
"""
from __future__ import annotations

import copy
import os
import re
from collections.abc import Sequence
from dataclasses import dataclass, replace

import numpy as np

from paralift.files import remove_directory
from paralift.frontend.c import parse as parse_c
from paralift.ir import nodes as ir
from paralift.verify import inputs, sandbox
from paralift.verify.ccall import GUARD
from paralift.verify.compare import difference
from paralift.verify.coverage import Coverage
from paralift.verify.signature import ParamSpec, signature
from paralift.verify.tester import THREADS, Verdict, shrink
from paralift.verify.toolchain import compile_program, exported, first_error, include_flags, needed_only, with_hint
from paralift.verify.worker import Worker

CFLAGS = ("-O2", "-fopenmp", "-shared", "-fPIC", "-std=gnu11")
_TYPES = {
    "double": np.float64, "float": np.float32, "long double": np.float64,
    "int": np.int32, "signed": np.int32, "unsigned": np.uint32, "unsigned int": np.uint32,
    "long": np.int64, "long int": np.int64, "long long": np.int64, "unsigned long": np.uint64,
    "short": np.int16, "unsigned short": np.uint16, "char": np.int8, "signed char": np.int8,
    "unsigned char": np.uint8, "size_t": np.uint64, "int64_t": np.int64, "int32_t": np.int32,
    "uint64_t": np.uint64, "uint32_t": np.uint32, "int16_t": np.int16, "uint8_t": np.uint8,
    "bool": np.bool_, "_Bool": np.bool_,
}


@dataclass(frozen=True)
class CType:
    dtype: type
    pointer: bool
    dims: tuple[str, ...] = ()   # declared dimensions of an array parameter: `A[n][m]`


def parse_ctype(text: str) -> CType | None:
    dims = tuple(d.strip() for d in re.findall(r"\[([^\]]*)\]", text))
    base = re.sub(r"\[[^\]]*\]|\*|\b(const|restrict|__restrict__|__restrict|volatile|static|register)\b",
                  " ", text)
    base = " ".join(base.split())
    if base not in _TYPES:
        return None
    return CType(_TYPES[base], "*" in text or bool(dims), dims)


def compile_c(source: str, path: str, directory: str, tag: str) -> tuple[str | None, str]:
    """(shared library path, compiler messages)."""
    stem = re.sub(r"\W", "_", os.path.splitext(os.path.basename(path))[0]) or "kernel"
    src = os.path.join(directory, f"{stem}_{tag}.c")
    lib = os.path.join(directory, f"{stem}_{tag}.so")
    with open(src, "w", encoding="utf-8") as f:
        f.write(exported(source))
    proc = compile_program(["gcc", *CFLAGS, *include_flags(path), "-o", lib, src, "-lm"])
    return (lib if proc.returncode == 0 else None), proc.stderr.replace(src, path)


def _depth(kernel: ir.Kernel) -> int:
    def d(body):
        return max((1 + d(s.body) if isinstance(s, ir.Loop) else
                    d(s.body + getattr(s, "orelse", ())) if isinstance(s, (ir.If, ir.While)) else 0
                    for s in body), default=0)
    return d(kernel.body)


def _dim_value(expr: str, sizes: dict[str, int]) -> int | None:
    if not re.fullmatch(r"[\w\s+\-*()]+", expr):
        return None
    try:
        return int(eval(expr, {"__builtins__": {}}, dict(sizes)))  # noqa: S307 - names and + - * only
    except Exception:  # noqa: BLE001
        return None


class _CCase:
    """Arguments for one call: buffers with guard zones, and how to read them back."""

    def __init__(self, specs, ctypes_, sizes: dict[str, int], depth: int, seed: int):
        rng = np.random.default_rng(seed)
        real = [v for k, v in sizes.items() if k]
        top = max(real + [1])
        positive = [v for v in real if v > 0] or [1]
        extent = min((top + 4) ** max(depth, 2), 1 << 20)
        self.sizes, self.extent, self.args, self.views = dict(sizes), extent, [], []
        for spec, ct in zip(specs, ctypes_):
            if spec.role == "size":
                self.args.append(("scalar", sizes[spec.name]))
                self.views.append(None)
                continue
            if spec.role == "value":
                value = float(np.round(rng.normal() * 2, 3))
                self.args.append(("scalar", int(value) if np.issubdtype(ct.dtype, np.integer) else value))
                self.views.append(None)
                continue
            shape = tuple(_dim_value(d, sizes) if d else None for d in ct.dims) if ct.dims else ()
            if not shape or any(s is None for s in shape):
                shape = (extent,)
            n = int(np.prod(shape))
            if spec.index or np.issubdtype(ct.dtype, np.integer):
                hi = min(positive) if spec.index else 100
                data = rng.integers(0, max(hi, 1), n)
                if spec.bounds:
                    data = np.sort(rng.integers(0, extent, n))
            else:
                data = np.round(rng.normal(size=n), 3)
            buf = np.full(n + 2 * GUARD, 77, dtype=ct.dtype)
            buf[GUARD:GUARD + n] = data.astype(ct.dtype)
            self.args.append(("array", buf))
            self.views.append(shape)

    def outputs(self, args) -> list:
        out = []
        for (kind, value), shape in zip(args, self.views):
            if kind == "array":
                n = int(np.prod(shape))
                out.append(value[GUARD:GUARD + n].reshape(shape))
        return out

    def guards_intact(self, args) -> bool:
        for kind, value in args:
            if kind == "array":
                guard = np.concatenate([value[:GUARD], value[len(value) - GUARD:]])
                if not np.all(guard == np.array(77, dtype=value.dtype)):
                    return False
        return True

    def describe(self, specs) -> str:
        parts = []
        for spec, (kind, value), shape in zip(specs, self.args, self.views):
            if kind == "scalar":
                parts.append(f"{spec.name}={value!r}")
            else:
                flat = value[GUARD:GUARD + min(int(np.prod(shape)), 8)]
                parts.append(f"{spec.name}=array(shape={shape}, {np.array2string(flat, precision=4)[:-1]}, ...])")
        return ", ".join(parts)


class Build:
    """Both versions compiled once, loaded in one worker, for every function of a file."""

    def __init__(self, original: str, candidate: str, path: str, max_threads: int = max(THREADS),
                 compile_candidate=None):
        self.directory, self.path = sandbox.scratch("paralift-c-"), path
        self.libs: dict[str, str] = {}
        self.sources = {"original": original, "candidate": candidate}
        self.compilers = {"original": compile_c, "candidate": compile_candidate or compile_c}
        self.error: str | None = None
        for tag, source in (("original", original), ("candidate", candidate)):
            build = self.compilers[tag]
            lib, messages = build(source, path, self.directory, tag)
            if lib is None:
                self.error = f"the {tag} does not compile: {with_hint(first_error(messages)[:500])}"
                break
            self.libs[tag] = lib
        self.worker = Worker(max_threads)

    def load_alone(self, tag: str, function: str, sig) -> tuple:
        """`function` built with only what it calls defined: the whole file needs a symbol
        that nothing here defines (in what `function` never reaches)."""
        lib, messages = self.compilers[tag](needed_only(self.sources[tag], function), self.path, self.directory,
                                            f"{tag}_{function}")
        if lib is None:
            return "error", None, first_error(messages)[:300]
        return self.worker.request(("cload", tag, lib, function, list(sig.argspec), sig.restype))

    def close(self) -> None:
        self.worker.close()
        remove_directory(self.directory)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()
        return False


def verify_c(original: str, candidate: str, function: str, path: str = "<candidate>.c",
             threads: Sequence[int] = THREADS, cases: int = 40, seed: int = 0,
             build: Build | None = None, tsan: bool = False, refuse_races: bool = False) -> Verdict:
    """Is `function` in the candidate C source equivalent to the original? With `tsan`, a
    ThreadSanitizer build also runs, and the races it reports come back as warnings: TSan
    cannot see libgomp's barriers, so a region entered again (inside a sequential loop)
    can be reported across entries although it is correct. With `refuse_races` (code that
    paralift's analysis did not prove, a model's), a report refuses the candidate."""
    own = build is None
    build = build or Build(original, candidate, path, max(threads))
    try:
        verdict = _verify(original, function, path, threads, cases, seed, build)
    finally:
        if own:
            build.close()
    if not (tsan and verdict.ok):
        return verdict
    from paralift.verify.tsan import races
    found, error = races(candidate, function, *race_inputs(original, function, path), path)
    if refuse_races and (found or error):  # for code no analysis proved, an unrun check is no pass
        return replace(verdict, ok=False, message=found[0] if found else error)
    return replace(verdict, warnings=tuple(found) + ((error,) if error else ()))


def race_inputs(original: str, function: str, path: str):
    """(specs, ctypes, loop depth) of a C function, for a ThreadSanitizer harness."""
    module, _ = parse_c(original, path)
    kernel = next(k for k in module.kernels if k.name == function and k.kind == "function")
    return signature(kernel), [parse_ctype(p.ctype) for p in kernel.params], _depth(kernel)


@dataclass(frozen=True)
class CSignature:
    """How to make arguments for a C function and call it through ctypes."""

    kernel: ir.Kernel
    specs: tuple[ParamSpec, ...]
    ctypes: tuple[CType, ...]
    argspec: tuple[tuple[str, str], ...]
    restype: str | None
    depth: int
    positive: frozenset[str]   # sizes used in array declarations (`double y[n]`): C11 wants them > 0
    # the smallest fixed extent (`double A[N][M]` with N a macro): sizes are kept in 1..cap,
    # the range the program's own arrays give them
    cap: int | None = None


def c_signature(original: str, function: str, path: str) -> CSignature | str:
    """The function's signature, or why its arguments cannot be made."""
    module, _ = parse_c(original, path)
    kernel = next((k for k in module.kernels if k.name == function and k.kind == "function"), None)
    if kernel is None:
        return f"no function `{function}` in the original"
    ctypes_ = [parse_ctype(p.ctype) if p.ctype else None for p in kernel.params]
    unknown = [p.name for p, ct in zip(kernel.params, ctypes_) if ct is None]
    if unknown:
        return f"cannot make a value of the type of `{unknown[0]}`"
    ret = parse_ctype(kernel.returns) if kernel.returns.strip() != "void" else None
    if kernel.returns.strip() not in ("void", "") and ret is None:
        return f"cannot read a `{kernel.returns}` result"
    argspec = tuple(("array" if ct.pointer else "scalar", np.dtype(ct.dtype).str) for ct in ctypes_)
    # C11 6.7.6.2: a size used in an array parameter's declaration (`double y[n]`) must be > 0
    positive = frozenset(n for ct in ctypes_ for d in ct.dims for n in re.findall(r"[A-Za-z_]\w*", d))
    fixed = [v for ct in ctypes_ for d in ct.dims if d and (v := _dim_value(d, {})) is not None]
    return CSignature(kernel, signature(kernel), tuple(ctypes_), argspec,
                      np.dtype(ret.dtype).str if ret is not None else None, _depth(kernel), positive,
                      min(fixed) if fixed else None)


def _verify(original: str, function: str, path: str, threads, cases: int, seed: int,
            build: Build) -> Verdict:
    sig = c_signature(original, function, path)
    if isinstance(sig, str):
        return Verdict(function, False, sig)
    if build.error:
        return Verdict(function, False, build.error)
    for tag, lib in build.libs.items():
        reply = build.worker.request(("cload", tag, lib, function, list(sig.argspec), sig.restype))
        if reply[0] == "error" and "undefined symbol" in str(reply[2]):
            reply = build.load_alone(tag, function, sig)
        if reply[0] == "error":
            return Verdict(function, False, f"cannot load the {tag}: {reply[2]}")
    coverage = CTrips(original, path, function, sig, build)
    verdict = _run(build.worker, sig.specs, list(sig.ctypes), sig.depth, function, threads, cases, seed,
                   set(sig.positive), coverage, sig.cap)
    if not verdict.ok:
        return verdict
    short = coverage.shortfall()
    if short:
        return replace(verdict, ok=False, message=short)
    return replace(verdict, coverage=coverage.coverage.summary())


class CTrips:
    """The original built once more with trip counters in its parallelizable loops
    (`ccoverage.py`), run on the cases until every watched loop ran enough."""

    def __init__(self, original: str, path: str, function: str, sig: CSignature, build: Build):
        from paralift.verify.ccoverage import COUNTS_FUNCTION, instrument_c
        from paralift.verify.loops import loops_to_cover
        watched = loops_to_cover(original, path, function)
        self.coverage = Coverage(tuple(w.line for w in watched), {w.line for w in watched if w.fixed})
        self.worker, self.error, self.ready = build.worker, None, False
        if not watched:
            return
        text = instrument_c(original, function, self.coverage.lines)
        text = needed_only(text, function, COUNTS_FUNCTION) if text else text
        # a library of its own per function: dlopen hands back a loaded path's old library
        lib, messages = compile_c(text, path, build.directory, f"coverage_{function}") if text else (None, "not found")
        if lib is None:
            self.error = f"the loops' trip counts cannot be measured: {first_error(messages)[:300]}"
            return
        replies = [self.worker.request(("cload", "coverage", lib, function, list(sig.argspec), sig.restype)),
                   self.worker.request(("cload", "coverage-trips", lib, COUNTS_FUNCTION, [("array", "<i8")], None))]
        bad = next((r for r in replies if r[0] == "error"), None)
        self.error = f"the loops' trip counts cannot be measured: {bad[2]}" if bad else None
        self.ready = bad is None

    def add(self, case: _CCase) -> None:
        if not self.ready or self.coverage.complete:
            return
        if self.worker.request(("ccall", "coverage", 1, copy.deepcopy(case.args)))[0] != "ok":
            return
        k = len(self.coverage.lines)
        reply = self.worker.request(("ccall", "coverage-trips", 1, [("array", np.zeros(3 * k + 2 * GUARD, np.int64))]))
        if reply[0] == "ok":
            counts = reply[1][0][1][GUARD:GUARD + 3 * k]
            for n, line in enumerate(self.coverage.lines):
                self.coverage.add_summary(line, *(int(c) for c in counts[3 * n:3 * n + 3]))

    def shortfall(self) -> str | None:
        return self.error or self.coverage.shortfall()


def _run(worker: Worker, specs: tuple[ParamSpec, ...], ctypes_, depth: int, function: str,
         threads, cases: int, seed: int, positive: set[str], coverage: CTrips | None = None,
         cap: int | None = None) -> Verdict:
    ran, seen, why = 0, [], []

    def call(tag: str, case: _CCase, t: int):
        return worker.request(("ccall", tag, t, copy.deepcopy(case.args)))

    def check(case: _CCase, t: int) -> str | None:
        expected = call("original", case, 1)
        if expected[0] == "error":
            why.append(str(expected[2]))
        if expected[0] == "error" or not case.guards_intact(expected[1]):
            return "skip"  # inputs the original itself fails on, or writes outside its arrays with
        got = call("candidate", case, t)
        if got[0] == "error":
            return f"the candidate failed: {got[2]}"
        if not case.guards_intact(got[1]):
            return "the candidate wrote outside an array"
        terms = case.extent
        for spec, e, g in zip([s for s in specs if s.role == "array"], case.outputs(expected[1]),
                              case.outputs(got[1])):
            d = difference(e, g, terms, spec.name)
            if d:
                return d
        return difference(expected[2], got[2], terms, "return value")

    schedule = inputs.size_schedule(specs, cases, seed)
    # two large cases: a race needs iterations long enough for threads to overlap
    large = max(int((1 << 20) ** (1 / max(depth, 2))) - 4, 17)
    schedule += [{k: large for k in schedule[0]}, {k: large - 1 for k in schedule[0]}]
    schedule = [{k: max(v, 1) if k in positive else v for k, v in sz.items()} for sz in schedule]
    if cap is not None:  # and at least 1: `corr[m - 1][m - 1]` with m = 0 writes a whole row before
        schedule = [{k: max(min(v, cap), 1) for k, v in sz.items()} for sz in schedule]  # the array
    for n, sizes in enumerate(schedule):
        case = _CCase(specs, ctypes_, sizes, depth, seed + n)
        for t in threads:
            problem = check(case, t)
            if problem == "skip":
                break
            if problem:
                small = _smallest_failure(specs, ctypes_, depth, sizes, seed + n, t, check)
                return Verdict(function, False, f"with {t} thread{'s' if t > 1 else ''}: {problem}",
                               ran, tuple(threads), counterexample=small or case.describe(specs))
        else:
            ran += 1
            seen += list(sizes.values()) or [case.extent]
            if coverage is not None:
                coverage.add(case)
    if ran == 0:
        detail = f": the original fails on every input ({why[-1].strip().splitlines()[-1][:200]})" if why else ""
        return Verdict(function, False, "no input could be run" + detail)
    return Verdict(function, True, "equivalent", ran, tuple(threads), (min(seen), max(seen)))


def _smallest_failure(specs, ctypes_, depth, sizes, seed, t, check) -> str | None:
    """Shrink the sizes of a failing case, keeping the thread count (and sizes that must
    be positive, positive)."""
    def attempt(sz, s):
        case = _CCase(specs, ctypes_, sz, depth, s)
        problem = check(case, t)
        if problem == "skip":
            return None
        return f"{case.describe(specs)}  ({problem})" if problem else ""
    return shrink(sizes, seed, attempt, {k: min(v, 1) for k, v in sizes.items()})
