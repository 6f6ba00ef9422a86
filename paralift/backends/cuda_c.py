"""CUDA C backend: from a C file, a `.cu` with a `__global__` kernel per parallel loop nest
and, per function, an `extern "C"` host launcher with the original signature.

The launcher copies the arrays its kernels use to the device once, on entry, runs the
function's own code with each parallel nest replaced by a launch (checked, like every
CUDA call, with `PL_CHECK`), and copies what the kernels wrote back once, on exit. So the
function's arrays must only be touched by its kernels: otherwise it is left to the C file,
with the reason. How much of a pointer is copied comes from the accesses: the largest
index over the loops' ranges (a box, with affine subscripts), or a VLA's declared extent.

Up to three perfectly nested parallel loops become grid dimensions, innermost on `x`.
Reductions become atomics (`atomicAdd`, and a compare-and-swap loop for floating max/min).
Kernels are templates over the types of the host's local variables they receive, so
nothing has to restate a type the C code already declared. Multi-dimensional VLA
parameters become flat pointers (C++ has no VLAs): `a[i][j]` is written `a[(i) * (m) + (j)]`.
Functions that are not offloaded stay in the C file; the `.cu` says which, and why.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import NamedTuple

from paralift.analysis import FileAnalysis
from paralift.backends.contract import Refuse, Rewrite
from paralift.backends.nests import Skip, last_values_unsupported, outermost, perfect_nest, require_spelled, source_text, \
    subtracts as _subtracts
from paralift.backends import cfootprint as cf
from paralift.backends.steps import Induction, inductions
from paralift.files import source_lines
from paralift.ir import nodes as ir
from paralift.ir.walk import accessed as _accessed, declared_in, stmt_exprs, subexprs, walk_stmts, written_arrays
from paralift.passes import updates
from paralift.passes.scalars import assigned_names
from paralift.passes.verdict import KernelVerdicts, LoopVerdict

ATOMIC = {"+": "atomicAdd", "max": "pl_atomic_max", "min": "pl_atomic_min"}

PRELUDE = r'''#include <cuda_runtime.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>

/* Every CUDA call is checked: on failure, say where and what, and stop. */
#define PL_CHECK(call)                                                                    \
    do {                                                                                  \
        cudaError_t pl_err = (call);                                                      \
        if (pl_err != cudaSuccess) {                                                      \
            fprintf(stderr, "%s:%d: %s: %s\n", __FILE__, __LINE__, #call,                 \
                    cudaGetErrorString(pl_err));                                          \
            exit(1);                                                                      \
        }                                                                                 \
    } while (0)
#define PL_MAX(a, b) ((a) > (b) ? (a) : (b))
#define PL_MIN(a, b) ((a) < (b) ? (a) : (b))
/* The least and largest entry of an index array b[lo..hi], scanned on the host. */
#define PL_MIN_OF(b, lo, hi) ({ long pl_m = (long)(b)[lo]; for (long pl_s = (lo); pl_s <= (hi); pl_s++) \
                                    pl_m = PL_MIN(pl_m, (long)(b)[pl_s]); pl_m; })
#define PL_MAX_OF(b, lo, hi) ({ long pl_m = (long)(b)[lo]; for (long pl_s = (lo); pl_s <= (hi); pl_s++) \
                                    pl_m = PL_MAX(pl_m, (long)(b)[pl_s]); pl_m; })
/* The least first and largest last index of the non-empty ranges [lo, hi) over var in [vlo, vhi). */
#define PL_HULL_MIN(var, vlo, vhi, lo, hi) ({ long pl_m = LONG_MAX; for (long var = (vlo); var < (vhi); var++) \
                                              if ((hi) > (lo) && (lo) < pl_m) pl_m = (lo); pl_m; })
#define PL_HULL_MAX(var, vlo, vhi, lo, hi) ({ long pl_m = LONG_MIN; for (long var = (vlo); var < (vhi); var++) \
                                              if ((hi) > (lo) && (hi) - 1 > pl_m) pl_m = (hi) - 1; pl_m; })
#ifndef PARALIFT_BLOCK
#define PARALIFT_BLOCK 256 /* threads per block */
#endif

/* A block of PARALIFT_BLOCK threads in `dims` dimensions, widest along x. */
static dim3 pl_block(int dims) {
    unsigned t = PARALIFT_BLOCK, x = t >> (dims - 1);
    x = x > 32 ? 32 : (x < 1 ? 1 : x);
    if (dims == 1) return dim3(t);
    unsigned rest = t / x > 0 ? t / x : 1;
    if (dims == 2) return dim3(x, rest);
    unsigned y = 1;
    while ((y + 1) * (y + 1) <= rest) y++;
    return dim3(x, y, rest / y > 0 ? rest / y : 1);
}

static unsigned pl_blocks(long n, unsigned threads) { return (unsigned)((n + threads - 1) / threads); }

__device__ static double pl_atomic_max(double *p, double v) {
    unsigned long long *q = (unsigned long long *)p, old = *q, seen;
    do {
        seen = old;
        if (__longlong_as_double(seen) >= v) break;
        old = atomicCAS(q, seen, __double_as_longlong(v));
    } while (old != seen);
    return __longlong_as_double(old);
}

__device__ static double pl_atomic_min(double *p, double v) {
    unsigned long long *q = (unsigned long long *)p, old = *q, seen;
    do {
        seen = old;
        if (__longlong_as_double(seen) <= v) break;
        old = atomicCAS(q, seen, __double_as_longlong(v));
    } while (old != seen);
    return __longlong_as_double(old);
}

__device__ static int pl_atomic_max(int *p, int v) { return atomicMax(p, v); }
__device__ static int pl_atomic_min(int *p, int v) { return atomicMin(p, v); }
'''


class GridDim(NamedTuple):
    """One loop of the nest a kernel's grid covers."""
    var: str
    ctype: str        # its declared C type, "" when declared outside the loop
    lower: str
    upper: str
    step: int


@dataclass(frozen=True)
class CudaCLoopPlan:
    loop: ir.Loop = field(repr=False, compare=False)  # the loop it launches
    kernel: str
    dims: tuple[GridDim, ...]
    arrays: tuple[str, ...]                       # array parameters the kernel uses
    scalars: tuple[str, ...]                      # scalar parameters it reads
    locals: tuple[str, ...]                       # the host's local variables it receives
    reductions: tuple[tuple[str, str], ...]       # scalar (op, name)
    replace: tuple[tuple[int, int, int, int, str], ...] = ()  # body edits: span and new text
    inductions: tuple[Induction, ...] = ()   # `k += c` per iteration: k starts at k + c * (thread)
    lasts: tuple[str, ...] = ()                   # values the last iteration's thread hands back
    walking: tuple[tuple[str, str], ...] = ()     # (pointer, array): passed as an offset into the array

    @property
    def line(self) -> int:
        return self.loop.span.line


@dataclass(frozen=True)
class CudaCKernelPlan:
    name: str
    loops: tuple[CudaCLoopPlan, ...] = ()
    skipped: tuple[Skip, ...] = ()
    extents: tuple[tuple[str, str], ...] = ()     # array -> C expression of its element count
    written: tuple[str, ...] = ()
    synced: tuple[str, ...] = ()                  # arrays the host touches too: copied around each launch


class _Planner:
    def __init__(self, kv: KernelVerdicts, lines: list[str], helpers: set[str]):
        self.kv = kv
        self.lines = lines
        self.helpers = helpers
        self.by_loop = {id(v.loop): v for v in kv.loops}
        self.params = {p.name: p for p in kv.kernel.params}
        self.count = 0

    def text(self, e: ir.Expr) -> str:
        return source_text(self.lines, e)

    def simple(self, loop: ir.Loop) -> bool:
        return loop.form in ("c-for", "c-for-var") and isinstance(loop.step, ir.Const) \
            and type(loop.step.value) is int and loop.step.value > 0

    def plan(self, v: LoopVerdict) -> tuple[CudaCLoopPlan | None, str]:
        try:
            return self._plan(v), ""
        except Refuse as why:
            return None, str(why)

    def _plan(self, v: LoopVerdict) -> CudaCLoopPlan | None:
        if v.verdict == "sequential":
            return None
        require_spelled(v.loop)
        reductions = self._launchable(v)
        loops = perfect_nest(v, self.by_loop, self.simple)
        body = loops[-1].body
        self._device_code(body)
        arrays = sorted(_accessed(body))
        for a in arrays:
            if a not in self.params:
                raise Refuse(f"`{a}` is not a parameter: only parameters are copied to the device")
        scalar_reds = {t: op for t, op in reductions.items() if t not in arrays}
        scalars, locals_ = self._passed(loops, arrays, scalar_reds)
        edits = self._atomics(body, reductions)
        walking = self._walking(v, body, locals_, arrays)
        edits += [(c.span.line, c.span.col, c.span.end_line, c.span.end_col, "return;")
                  for c in _own_continues(body)]  # the iteration is the thread: `continue` ends it
        taken = [(e[0], e[1], e[2], e[3]) for e in edits]
        edits += _flattened(_accesses(body), self.render, taken)
        self.count += 1
        name = f"pl_{self.kv.kernel.name}_kernel{self.count if self.count > 1 else ''}"
        dims = tuple(GridDim(lp.var, cf.declared_type(self.lines, lp) if lp.form == "c-for" else "",
                             self.text(lp.lower), self.text(lp.upper), lp.step.value) for lp in loops)
        return CudaCLoopPlan(v.loop, name, dims, tuple(arrays), tuple(scalars),
                             tuple(locals_), tuple((op, t) for t, op in sorted(scalar_reds.items())),
                             tuple(sorted(edits)), inductions(v), tuple(v.lastprivate), tuple(walking))

    def _launchable(self, v: LoopVerdict) -> dict[str, str]:
        """The loop's reductions (target -> op), if it can become a grid at all."""
        if not self.simple(v.loop):
            raise Refuse("only counted `for` loops with a positive constant step become CUDA grids")
        why = last_values_unsupported(v)
        if why:
            raise Refuse(why)
        if any(c <= 0 for _, c in v.induction):
            raise Refuse("an induction variable that steps down")
        reductions = {t: op for op, t in v.reductions}
        if any(op not in ATOMIC for op in reductions.values()):
            raise Refuse("a reduction operator without a CUDA atomic")
        return reductions

    def _device_code(self, body) -> None:
        """Refuse what cannot run on the device: unmodelled code, calls to the file's helpers."""
        for s in walk_stmts(body):
            if isinstance(s, ir.Opaque):
                raise Refuse(f"it holds code paralift does not model: {s.reason}")
            for e in stmt_exprs(s):
                for x in subexprs(e):
                    if isinstance(x, ir.Call) and x.func in self.helpers:
                        raise Refuse(f"it calls `{x.func}`, which is not compiled for the device yet")

    def _passed(self, loops: list[ir.Loop], arrays: list[str], scalar_reds) -> tuple[list[str], list[str]]:
        """The scalar parameters the kernel reads (sizes of flattened arrays included), and
        the host's local variables it receives."""
        body = loops[-1].body
        declared = {lp.var for lp in loops if lp.form == "c-for"} | declared_in(body)
        used = _used(body) | {x.id for lp in loops[1:] for e in (lp.lower, lp.upper)
                              for x in subexprs(e) if isinstance(x, ir.Name)}
        shapes = {n for x in _accesses(body) if len(x.indices) > 1 and x.array in self.params
                  for d in cf.dims(self.params[x.array].ctype) for n in re.findall(r"[A-Za-z_]\w*", d)}
        scalars = sorted(n for n in used | shapes if n in self.params and n not in arrays)
        locals_ = sorted(n for n in used - declared - set(self.params) - set(scalar_reds)
                         if n in _function_names(self.kv.kernel) and n not in {lp.var for lp in loops})
        mapped_outside = [lp.var for lp in loops if lp.form == "c-for-var"]
        return scalars, sorted(set(locals_) | set(mapped_outside))

    def _atomics(self, body, reductions: dict[str, str]) -> list:
        """Every reduction update, rewritten as the atomic that does it on the device."""
        edits = []
        for s in walk_stmts(body):
            u = updates.match(s)
            if u is None:
                continue
            target = u.target.id if isinstance(u.target, ir.Name) else u.target.array
            if target not in reductions:
                continue
            value = self.render(u.operand)
            if _subtracts(s):
                value = f"-({value})"
            where = f"pl_{target}" if isinstance(u.target, ir.Name) else f"&{self.render(u.target)}"
            semicolon = ";" if isinstance(s, ir.If) else ""
            edits.append((s.span.line, s.span.col, s.span.end_line, s.span.end_col,
                          f"{ATOMIC[u.op]}({where}, {value}){semicolon}"))
        return edits

    def _walking(self, v: LoopVerdict, body, locals_: list[str], arrays: list[str]) -> list[tuple[str, str]]:
        """(pointer, the array it walks): a host pointer becomes an offset into the device copy."""
        walking = []
        for k, _ in v.induction:
            if k in locals_:
                continue
            bases = {x.array for x in _accesses(body) if any(isinstance(y, ir.Name) and y.id == k
                                                            for i in x.indices for y in subexprs(i))}
            if len(bases) != 1 or next(iter(bases)) not in arrays:
                raise Refuse(f"`{k}` walks a pointer paralift cannot follow onto the device")
            walking.append((k, next(iter(bases))))
        return walking

    def render(self, e: ir.Expr) -> str:
        """An expression's text with multi-dimensional VLA accesses flattened."""
        if isinstance(e, ir.Access):
            dims = cf.dims(self.params[e.array].ctype) if e.array in self.params else []
            idx = [self.render(i) for i in e.indices]
            if len(idx) > 1:
                if len(dims) != len(idx):
                    raise Refuse(f"`{e.array}` is indexed in {len(idx)} dimensions without a declared shape")
                flat = f"({idx[0]})"
                for d, i in zip(dims[1:], idx[1:]):
                    flat = f"({flat} * ({d}) + ({i}))"
                return f"{e.array}[{flat[1:-1]}]"
            return f"{e.array}[{idx[0]}]" if idx else e.array
        inner = [x for x in _accesses_expr(e) if len(x.indices) > 1]
        text = self.text(e)
        if inner and not e.span.spelled:
            raise Refuse("an array is indexed in more than one dimension inside a macro's expansion")
        if not inner or not e.span.line or e.span.line != e.span.end_line:
            return text
        # replace the outermost multi-dimensional accesses inside `e`, right to left
        inner = list({_sp(x): x for x in inner}.values())
        outer = [x for x in inner if not any(y is not x and _inside(x.span, _sp(y)) for y in inner)]
        for x in sorted(outer, key=lambda x: x.span.col, reverse=True):
            a, b = x.span.col - e.span.col, x.span.end_col - e.span.col
            text = text[:a] + self.render(x) + text[b:]
        return text


def _flattened(accesses, render, taken) -> list:
    """Edits that flatten the outermost multi-dimensional VLA accesses (not those inside
    another, which `render` flattens with it, nor those inside an edit already `taken`)."""
    # one access per text: a macro's argument used twice (`SQR(a[i][j])`) is one edit
    multi = list({_sp(x): x for x in accesses if len(x.indices) > 1}.values())
    return [(x.span.line, x.span.col, x.span.end_line, x.span.end_col, render(x)) for x in multi
            if not any(_inside(x.span, t) for t in taken)
            and not any(y is not x and _inside(x.span, _sp(y)) for y in multi)]


def _own_continues(body):
    for s in body:
        if isinstance(s, ir.Continue):
            yield s
        elif isinstance(s, ir.If):
            yield from _own_continues(s.body + s.orelse)


def _sp(x) -> tuple[int, int, int, int]:
    return (x.span.line, x.span.col, x.span.end_line, x.span.end_col)


def _inside(span, outer) -> bool:
    return (outer[0], outer[1]) <= (span.line, span.col) and (span.end_line, span.end_col) <= (outer[2], outer[3])


def _accesses_expr(e: ir.Expr):
    return [x for x in subexprs(e) if isinstance(x, ir.Access) and x is not e]


def _accesses(body):
    return [x for s in walk_stmts(body) for e in stmt_exprs(s) for x in subexprs(e) if isinstance(x, ir.Access)]


def _used(body) -> set[str]:
    out = set()
    for s in walk_stmts(body):
        for e in stmt_exprs(s):
            out |= {x.id for x in subexprs(e) if isinstance(x, ir.Name)}
        if isinstance(s, ir.Loop):
            out.add(s.var)
    return out


def _function_names(kernel: ir.Kernel) -> set[str]:
    return declared_in(kernel.body) | {p.name for p in kernel.params} | {
        s.var for s in walk_stmts(kernel.body) if isinstance(s, ir.Loop)}


# ------------------------------------------------------------------------ extents

def _induction_ranges(kernel: ir.Kernel, launched, plans, lines) -> dict:
    """Per launched loop, the range of each induction variable: from the value a statement
    before the loop gives it (parameters and constants only), by its step per iteration."""
    from paralift.ir.printer import expr as show
    params = {p.name for p in kernel.params}
    out = {}
    for loop, plan in zip(launched, plans):
        if not plan.inductions or loop not in kernel.body:
            continue
        before = kernel.body[:kernel.body.index(loop)]
        ranges = []
        for ind in plan.inductions:
            name = ind.name
            sets = [st for st in before if name in _assigned(st)]
            last = sets[-1] if sets else None
            if not (isinstance(last, ir.Assign) and last.target == ir.Name(name) and last.op is None
                    and {x.id for x in subexprs(last.value) if isinstance(x, ir.Name)} <= params
                    and not any(isinstance(x, ir.Access) for x in subexprs(last.value))):
                continue  # unknown start: the array it indexes cannot be bounded
            _, _, lo, hi, step = plan.dims[0]
            trip = f"({hi}) - ({lo})" if step == 1 else f"(({hi}) - ({lo}) + {step - 1}) / {step}"
            k0 = show(last.value)
            ranges.append((name, ir.Name(f"({k0})"), ir.Name(f"({k0}) + {ind.step} * ({trip})"), True, ind.step))
        out[id(loop)] = ranges
    return out


def _assigned(st: ir.Stmt) -> set[str]:
    from paralift.passes.scalars import assigned_names
    return assigned_names([st])


# ------------------------------------------------------------------------ emitting

def rewrite(fa: FileAnalysis, source: str, functions: set[str] | None = None) -> Rewrite:
    lines = source_lines(source)
    # function-like macros are text: they work in device code as they are
    helpers = {k.name for k in fa.module.kernels if k.kind == "function"} if fa.module else set()
    plans, pieces = [], []
    for kv in fa.kernels:
        if functions is not None and kv.kernel.name not in functions:
            continue
        if kv.kernel.kind != "function":
            continue
        plan, code = _function(kv, lines, source, helpers)
        plans.append(plan)
        if code:
            pieces.append(code)
    if not pieces:
        return Rewrite(source, tuple(plans), False)
    preprocessor = [ln for ln in lines if ln.lstrip().startswith("#")]
    left = [f" *   {p.name}: {p.skipped[0].reason if p.skipped else 'no parallel loop'}"
            for p in plans if not p.loops]
    header = ["/* Generated by paralift from the C source: the offloaded functions as CUDA, with the",
              " * same C signatures (`extern \"C\"`)."]
    if left:
        header += [" * Left in the C file:"] + left
    header.append(" */")
    out = "\n".join(header) + "\n" + "\n".join(preprocessor) + ("\n" if preprocessor else "") + PRELUDE
    out += "\n" + "\n\n".join(pieces)
    return Rewrite(out, tuple(plans), True)


def _function(kv: KernelVerdicts, lines: list[str], source: str, helpers: set[str]):
    k = kv.kernel
    planner = _Planner(kv, lines, helpers)
    chosen = outermost(kv, planner.plan, lambda loop: False)
    plans = list(chosen.plans)
    skipped = list(chosen.skipped)
    if not plans:
        return CudaCKernelPlan(k.name, skipped=tuple(skipped)), None
    launched = [p.loop for p in plans]
    arrays = {a for p in plans for a in p.arrays}
    params = {p.name: p for p in k.params}
    try:
        # reading an array no one writes is safe anywhere; anything else on the host would
        # see (or leave) a stale copy
        # reading an array nothing writes is safe anywhere; one that both the host and the
        # kernels touch is copied to the device before each launch and back after it
        rebound = sorted(arrays & assigned_names(k.body))
        if rebound:
            raise Refuse(f"`{rebound[0]}` is rebound in the function (a pointer swap?): its device copy "
                          "is made once and would not follow it")
        synced = tuple(sorted(_host_uses(k, launched) & arrays & written_arrays(k.body)))
        extents = cf.extents(k, launched, arrays, params, _induction_ranges(k, launched, plans, lines))
    except Refuse as why:
        return CudaCKernelPlan(k.name, skipped=(Skip(k.span.line, str(why)),) + tuple(skipped)), None
    written = sorted({x.array for lp in launched for s in walk_stmts([lp]) if isinstance(s, ir.Assign)
                      for x in [s.target] if isinstance(x, ir.Access)})
    plan = CudaCKernelPlan(k.name, tuple(plans), tuple(skipped), tuple(sorted(extents.items())), tuple(written),
                           synced)
    try:  # the host's own code is C++ too: its multi-dimensional VLA accesses are flattened
        inside = {id(st) for lp in launched for st in walk_stmts([lp])}
        host = [x for st in walk_stmts(k.body) if id(st) not in inside for e in stmt_exprs(st)
                for x in subexprs(e) if isinstance(x, ir.Access)]
        flat = _flattened(host, planner.render, [])
    except Refuse as why:
        return CudaCKernelPlan(k.name, skipped=(Skip(k.span.line, str(why)),) + tuple(skipped)), None
    return plan, _emit(k, plan, launched, lines, source, flat)


def _host_uses(kernel: ir.Kernel, launched: list[ir.Loop]) -> set[str]:
    inside = {id(s) for lp in launched for s in walk_stmts([lp])}
    out = set()
    for s in walk_stmts(kernel.body):
        if id(s) in inside:
            continue
        for e in stmt_exprs(s):
            out |= {x.array for x in subexprs(e) if isinstance(x, ir.Access)}
            out |= {x.id for x in subexprs(e) if isinstance(x, ir.Name)}
    return out


def _loop_body(source: str, starts: list[int], loop: ir.Loop) -> tuple[int, int]:
    """[start, end) of a loop's body text, braces excluded."""
    begin = starts[loop.span.line - 1] + loop.span.col
    end = starts[loop.span.end_line - 1] + loop.span.end_col
    k = source.index("(", begin)
    depth = 0
    while True:
        depth += {"(": 1, ")": -1}.get(source[k], 0)
        k += 1
        if depth == 0:
            break
    text = source[k:end]
    stripped = text.strip()
    if stripped.startswith("{") and stripped.endswith("}"):
        a = k + text.index("{") + 1
        return a, k + text.rindex("}")
    return k, end


def _edit(source: str, starts, region: tuple[int, int], edits) -> str:
    a, b = region
    text = source[a:b]
    for line, col, end_line, end_col, new in sorted(edits, reverse=True):
        x, y = starts[line - 1] + col - a, starts[end_line - 1] + end_col - a
        text = text[:x] + new + text[y:]
    return text


def _kernel_code(plan: CudaCLoopPlan, params, loop: ir.Loop, source: str, starts) -> str:
    inner = loop
    for _ in plan.dims[1:]:
        inner = inner.body[0]
    body = _edit(source, starts, _loop_body(source, starts, inner), plan.replace)
    body = _reindent(body, 8)
    formal = []
    for a in plan.arrays:
        base = cf.base_type(params[a].ctype)
        formal.append(f"{base} *{a}")
    formal += [f"{cf.base_type(params[s].ctype)} {s}" for s in plan.scalars]
    templates = [f"typename T_{n}" for n in plan.locals] + [f"typename R_{t}" for _, t in plan.reductions]
    formal += [f"T_{n} {n}" for n in plan.locals] + [f"R_{t} *pl_{t}" for _, t in plan.reductions]
    formal += [f"T_{t} *pl_last_{t}" for t in plan.lasts]
    formal += [f"long pl_{p}_offset" for p, _ in plan.walking]
    formal += [f"long pl_lo{k}, long pl_n{k}" for k in range(len(plan.dims))]
    head = (f"template <{', '.join(templates)}>\n" if templates else "")
    out = [f"{head}__global__ void {plan.kernel}({', '.join(formal)}) {{"]
    axes = "xyz"
    dims = len(plan.dims)
    for k in range(dims):
        axis = axes[dims - 1 - k]  # the innermost loop runs along x
        out.append(f"    long pl_g{k} = blockIdx.{axis} * (long)blockDim.{axis} + threadIdx.{axis};")
    out.append("    if (" + " && ".join(f"pl_g{k} < pl_n{k}" for k in range(dims)) + ") {")
    for k, (var, ctype, _, _, step) in enumerate(plan.dims):
        times = f"{step} * " if step != 1 else ""
        out.append(f"        {ctype + ' ' if ctype else ''}{var} = pl_lo{k} + {times}pl_g{k};")
    walks = dict(plan.walking)
    out += [f"        auto {i.name} = {walks[i.name]} + pl_{i.name}_offset + {i.step} * pl_g0;  /* where the pointer is now */"
            if i.name in walks else
            f"        {i.name} += {i.step} * pl_g0;  /* the induction variable's value in this iteration */"
            for i in plan.inductions]
    out.append(body.rstrip("\n"))
    out += [f"        if (pl_g0 == pl_n0 - 1) *pl_last_{t} = {t};  /* the last iteration's value */" for t in plan.lasts]
    out.append("    }")
    out.append("}")
    return "\n".join(out)


def _reindent(text: str, width: int) -> str:
    rows = text.split("\n")
    while rows and not rows[0].strip():
        rows.pop(0)
    if not rows:
        return ""
    first = rows[0]
    if len(rows) == 1 or first == first.lstrip():  # a one-line body, or one that starts mid-line
        rows[0] = first.strip()
    margin = min((len(r) - len(r.lstrip()) for r in rows[1:] if r.strip()), default=0)
    margin = min(margin, len(rows[0]) - len(rows[0].lstrip())) if rows[0] != rows[0].lstrip() else margin
    out = []
    for n, r in enumerate(rows):
        if not r.strip():
            continue
        r = r[margin:] if len(r) - len(r.lstrip()) >= margin else r.lstrip()
        out.append(" " * width + r)
    return "\n".join(out)


def _launch(plan: CudaCLoopPlan, indent: str, synced=()) -> str:
    dims = len(plan.dims)
    i2 = indent + "    "
    out = ["{"]
    for k, (_, _, lo, hi, step) in enumerate(plan.dims):
        trip = f"(long)({hi}) - pl_lo{k}" if step == 1 else \
            f"(long)({hi}) > pl_lo{k} ? ((long)({hi}) - pl_lo{k} + {step - 1}) / {step} : 0"
        out.append(f"{i2}long pl_lo{k} = {lo}, pl_n{k} = {trip};")
    out.append(f"{i2}if (" + " && ".join(f"pl_n{k} > 0" for k in range(dims)) + ") {")
    i3 = i2 + "    "
    for t in plan.lasts:
        out += [f"{i3}decltype({t}) *pl_last_{t};",
                f"{i3}PL_CHECK(cudaMalloc((void **)&pl_last_{t}, sizeof *pl_last_{t}));"]
    for _, t in plan.reductions:
        out += [f"{i3}decltype({t}) *pl_{t};",
                f"{i3}PL_CHECK(cudaMalloc((void **)&pl_{t}, sizeof *pl_{t}));",
                f"{i3}PL_CHECK(cudaMemcpy(pl_{t}, &{t}, sizeof {t}, cudaMemcpyHostToDevice));"]
    out += [f"{i3}PL_CHECK(cudaMemcpy(pl_d_{a}, {a}, pl_ext_{a} * sizeof *pl_d_{a}, cudaMemcpyHostToDevice));"
            for a in synced]
    out.append(f"{i3}dim3 pl_b = pl_block({dims});")
    axes = "xyz"
    grid = ", ".join(f"pl_blocks(pl_n{dims - 1 - a}, pl_b.{axes[a]})" for a in range(dims))
    out.append(f"{i3}dim3 pl_g({grid});")
    args = [f"pl_d_{a}" for a in plan.arrays] + list(plan.scalars) + list(plan.locals)
    args += [f"pl_{t}" for _, t in plan.reductions] + [f"pl_last_{t}" for t in plan.lasts]
    args += [f"(long)({p} - {a})" for p, a in plan.walking]
    args += [f"pl_lo{k}, pl_n{k}" for k in range(dims)]
    out.append(f"{i3}{plan.kernel}<<<pl_g, pl_b>>>({', '.join(args)});")
    out.append(f"{i3}PL_CHECK(cudaGetLastError());")
    out.append(f"{i3}PL_CHECK(cudaDeviceSynchronize());")
    out += [f"{i3}PL_CHECK(cudaMemcpy({a}, pl_d_{a}, pl_ext_{a} * sizeof *pl_d_{a}, cudaMemcpyDeviceToHost));"
            for a in synced]
    out += [f"{i3}{ind.name} += {ind.step} * pl_n0;" for ind in plan.inductions]
    for t in plan.lasts:
        out += [f"{i3}PL_CHECK(cudaMemcpy(&{t}, pl_last_{t}, sizeof {t}, cudaMemcpyDeviceToHost));",
                f"{i3}PL_CHECK(cudaFree(pl_last_{t}));"]
    for _, t in plan.reductions:
        out += [f"{i3}PL_CHECK(cudaMemcpy(&{t}, pl_{t}, sizeof {t}, cudaMemcpyDeviceToHost));",
                f"{i3}PL_CHECK(cudaFree(pl_{t}));"]
    out.append(f"{i2}}}")
    out.append(f"{indent}}}")
    return "\n".join(out)


def _emit(k: ir.Kernel, plan: CudaCKernelPlan, launched: list[ir.Loop], lines, source: str, flat=()) -> str:
    starts = cf.line_offsets(source)
    params = {p.name: p for p in k.params}
    kernels = [_kernel_code(lp, params, loop, source, starts) for lp, loop in zip(plan.loops, launched)]
    # the function's own body, each launched nest replaced by its launch
    open_brace = source.index("{", starts[k.span.line - 1] + k.span.col)
    close = _matching(source, open_brace)
    edits = []
    for lp, loop in zip(plan.loops, launched):
        indent = re.match(r"\s*", lines[loop.span.line - 1]).group(0)
        synced = [a for a in plan.synced if a in lp.arrays]
        edits.append((loop.span.line, loop.span.col, loop.span.end_line, loop.span.end_col,
                      _launch(lp, indent, synced)))
    body = _edit(source, starts, (open_brace + 1, close), edits + list(flat)).strip("\n")
    ret = k.returns.strip() or "void"
    head = ", ".join(_param_decl(p) for p in k.params)
    out = [f'extern "C" {ret} {k.name}({head}) {{']
    for a, count in plan.extents:
        base = cf.base_type(params[a].ctype)
        out += [f"    long pl_ext_{a} = {count};",
                f"    {base.replace('const ', '')} *pl_d_{a};",
                f"    PL_CHECK(cudaMalloc((void **)&pl_d_{a}, PL_MAX(pl_ext_{a}, 1) * sizeof *pl_d_{a}));",
                f"    PL_CHECK(cudaMemcpy(pl_d_{a}, {a}, pl_ext_{a} * sizeof *pl_d_{a}, cudaMemcpyHostToDevice));"]
    returns = ret != "void"
    out.append(f"    auto pl_body = [&]() -> {ret} {{")
    out.append(_reindent(body, 8))
    out.append("    };")
    out.append(f"    {ret + ' pl_result = ' if returns else ''}pl_body();")
    for a in plan.written:
        if a in dict(plan.extents) and a not in plan.synced:  # the host's copy is the newest
            out.append(f"    PL_CHECK(cudaMemcpy({a}, pl_d_{a}, pl_ext_{a} * sizeof *pl_d_{a}, "
                       "cudaMemcpyDeviceToHost));")
    out += [f"    PL_CHECK(cudaFree(pl_d_{a}));" for a, _ in plan.extents]
    if returns:
        out.append("    return pl_result;")
    out.append("}")
    return "\n\n".join(kernels) + "\n\n" + "\n".join(out) + "\n"


def _param_decl(p: ir.Param) -> str:
    """C++ has no VLA parameters: `double a[n][m]` is passed as the pointer it decays to."""
    if "[" in p.ctype:
        return f"{cf.base_type(p.ctype)} *{p.name}"
    if p.ctype.endswith("*"):
        return f"{p.ctype}{p.name}"
    return f"{p.ctype} {p.name}"


def _matching(source: str, k: int) -> int:
    depth = 0
    for n in range(k, len(source)):
        depth += {"{": 1, "}": -1}.get(source[n], 0)
        if depth == 0:
            return n
    raise ValueError("unbalanced braces")
