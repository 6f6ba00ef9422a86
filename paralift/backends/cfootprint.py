"""C text and footprints, shared by the C backends that move data (CUDA C, MPI C,
OpenMP offload): a parameter's declared type and extents, a loop counter's declared type,
line offsets, and how many elements of each array a set of loops touches.

Two footprints: `extents` covers every case the CUDA C header can compute on the host
(index arrays scanned, `PL_MAX` of several accesses); `length` is readable C (`n`, `n + 1`,
`2 * m`) for subscripts affine in the loop variables with integer coefficients, over loops
with constant steps and bounds affine in names the nest does not change, as an OpenMP
`map` section needs. Anything else is refused: a copy that might be too short is not
emitted.
"""
from __future__ import annotations

import re

from paralift.backends.contract import Refuse
from paralift.files import source_lines
from paralift.ir import nodes as ir
from paralift.ir import poly
from paralift.ir.poly import Poly
from paralift.ir.walk import stmt_exprs, subexprs, walk_stmts, written_arrays
from paralift.passes.scalars import assigned_names


def base_type(ctype: str) -> str:
    """`const double *` -> `const double`; `double [n][m]` -> `double`."""
    return " ".join(re.sub(r"\[[^\]]*\]|\*", " ", ctype).split())


def dims(ctype: str) -> list[str]:
    return [d.strip() for d in re.findall(r"\[([^\]]*)\]", ctype)]


def declared_type(lines: list[str], loop: ir.Loop) -> str:
    header = lines[loop.span.line - 1][loop.span.col:]
    m = re.match(rf"for\s*\(\s*([A-Za-z_][\w\s]*?)\s+{re.escape(loop.var)}\s*=", header)
    return m.group(1) if m else "long"


def extents(kernel: ir.Kernel, launched: list[ir.Loop], arrays: set[str], params,
             inductions: dict | None = None) -> dict[str, str]:
    """The number of elements each array's kernels may touch, as a C expression over the
    parameters: the declared extent of a VLA, else the largest index over the loops'
    ranges plus one (subscripts affine in the loop variables, ranges that are boxes)."""
    out: dict[str, str] = {}
    pointer_arrays = set()
    for a in sorted(arrays):
        declared = dims(params[a].ctype)
        if declared and all(declared):
            out[a] = " * ".join(f"({d})" for d in declared)
        else:
            pointer_arrays.add(a)
    terms: dict[str, list[str]] = {a: [] for a in pointer_arrays}
    tables = set(params) - written_arrays(kernel.body)  # index arrays the function only reads
    param_names = set(params)

    def visit(body, ranges):
        for s in body:
            if isinstance(s, ir.Loop):
                for e in (s.lower, s.upper):  # bounds read arrays too (`rowptr[i + 1]`)
                    for x in subexprs(e):
                        if isinstance(x, ir.Access) and x.array in pointer_arrays:
                            terms[x.array].append(_largest(x, ranges, param_names, tables))
                visit(s.body, ranges + [_range(s, param_names, ranges, tables)] + (inductions or {}).get(id(s), []))
            else:
                for e in stmt_exprs(s):
                    for x in subexprs(e):
                        if isinstance(x, ir.Access) and x.array in pointer_arrays:
                            terms[x.array].append(_largest(x, ranges, param_names, tables))
                for child in (getattr(s, "body", ()), getattr(s, "orelse", ())):
                    visit(child, ranges)

    for lp in launched:
        visit([lp], _enclosing(kernel, lp, param_names))
    for a, ts in terms.items():
        if not ts or any(t is None for t in ts):
            raise Refuse(f"cannot bound the part of `{a}` the kernel touches")
        out[a] = ts[0] if len(ts) == 1 else _nest_max(ts)
    return out


def _nest_max(ts: list[str]) -> str:
    return ts[0] if len(ts) == 1 else f"PL_MAX({ts[0]}, {_nest_max(ts[1:])})"


def _range(loop: ir.Loop, params: set[str], outer=(), tables: set[str] = frozenset()):
    """(variable, lower, upper, is a box range over the parameters, step): a positive
    constant step keeps the last index exact, `lo + step * ((hi - lo - 1) / step)`.

    Bounds read from an index array through one enclosing variable (CSR's
    `rowptr[i] .. rowptr[i + 1]`) give the hull of the non-empty ranges, scanned on the
    host (`PL_HULL_MIN`, `PL_HULL_MAX`): every index in it lies between two the loop uses."""
    from paralift.ir.printer import expr as show
    names = {x.id for e in (loop.lower, loop.upper) for x in subexprs(e) if isinstance(x, ir.Name)}
    step = loop.step.value if isinstance(loop.step, ir.Const) and type(loop.step.value) is int else 0
    if names <= params or step != 1:
        return (loop.var, loop.lower, loop.upper, names <= params and step > 0, step)
    tables_read = {x.array for e in (loop.lower, loop.upper) for x in subexprs(e) if isinstance(x, ir.Access)}
    around = [r for r in outer if r[0] in names]
    if len(around) != 1 or not around[0][3] or around[0][4] != 1 or not tables_read <= set(tables) \
            or names - params - {around[0][0]}:
        return (loop.var, loop.lower, loop.upper, False, step)
    var, vlo, vhi = around[0][0], show(around[0][1]), show(around[0][2])
    lo, hi = show(loop.lower), show(loop.upper)
    least = ir.Name(f"PL_HULL_MIN({var}, {vlo}, {vhi}, {lo}, {hi})")
    after = ir.Name(f"PL_HULL_MAX({var}, {vlo}, {vhi}, {lo}, {hi}) + 1")
    return (loop.var, least, after, True, 1)


def _enclosing(kernel: ir.Kernel, target: ir.Loop, params: set[str]) -> list:
    """(variable, lower, upper, is a box range) of the loops around `target`."""
    def find(body, ranges):
        for s in body:
            if s is target:
                return ranges
            if isinstance(s, ir.Loop):
                r = find(s.body, ranges + [_range(s, params)])
                if r is not None:
                    return r
            elif isinstance(s, (ir.If, ir.While)):
                r = find(s.body + getattr(s, "orelse", ()), ranges)
                if r is not None:
                    return r
        return None
    return find(kernel.body, []) or []


def _bounds(e: ir.Expr, ranges, params: set[str], tables: set[str]):
    """(least, largest, guards) of an index expression over a box of loop ranges, as C text,
    or None. Affine in the loop variables with parameter coefficients, or `B[F] + c` where
    B is an index array the function never writes (`tables`): then B's entries over F's
    range are scanned on the host (`PL_MIN_OF`, `PL_MAX_OF`), no more work than the copy."""
    from paralift.ir.printer import expr as show
    match e:
        case ir.BinOp(op="+", left=ir.Access() as inner, right=ir.Const(value=int() as c)) | \
                ir.BinOp(op="+", left=ir.Const(value=int() as c), right=ir.Access() as inner):
            pass
        case ir.BinOp(op="-", left=ir.Access() as inner, right=ir.Const(value=int() as c0)):
            c = -c0
        case ir.Access() as inner:
            c = 0
        case _:
            inner = None
    if inner is not None:
        if inner.array not in tables or len(inner.indices) != 1:
            return None
        got = _bounds(inner.indices[0], ranges, params, set())
        if got is None:
            return None
        lo, hi, guards = got
        b = inner.array
        return (f"PL_MIN_OF({b}, {lo}, {hi}) + {c}", f"PL_MAX_OF({b}, {lo}, {hi}) + {c}", guards)
    p = poly.from_expr(e, lambda n: poly.sym(n), lambda a, d: None)
    if p is None:
        return None
    loops = {var: (lo, hi, ok, step) for var, lo, hi, ok, step in ranges}
    const_terms, per_var = [], {}
    for mono, c in p.items():
        vs = [s for s in mono if s in loops]
        rest = [s for s in mono if s not in loops]
        if len(vs) > 1 or any(s not in params for s in rest):
            return None
        coef = " * ".join([str(c)] + list(rest)) if rest else str(c)
        if vs:
            per_var.setdefault(vs[0], []).append(coef)
        else:
            const_terms.append(coef)
    least, largest, guards = [" + ".join(const_terms) or "0"], [" + ".join(const_terms) or "0"], []
    for var, coefs in per_var.items():
        lo, hi, ok, step = loops[var]
        if not ok:
            return None
        k = " + ".join(coefs)
        lo_t, hi_t = show(lo), show(hi)
        last = f"({hi_t}) - 1" if step == 1 else f"({lo_t}) + {step} * ((({hi_t}) - ({lo_t}) - 1) / {step})"
        least.append(f"PL_MIN(({k}) * ({lo_t}), ({k}) * ({last}))")
        largest.append(f"PL_MAX(({k}) * ({lo_t}), ({k}) * ({last}))")
        guards.append(f"({hi_t}) > ({lo_t})")
    return " + ".join(least), " + ".join(largest), guards


def _largest(x: ir.Access, ranges, params: set[str], tables: set[str] = frozenset()) -> str | None:
    """`1 + max index` of a one-dimensional access over a box of loop ranges, or None."""
    if len(x.indices) != 1:
        return None
    got = _bounds(x.indices[0], ranges, params, tables)
    if got is None:
        return None
    _, largest, guards = got
    value = f"1 + {largest}"
    return f"({' && '.join(guards)} ? {value} : 0)" if guards else value


def line_offsets(source: str) -> list[int]:
    starts = [0]
    for line in source_lines(source, keepends=True):
        starts.append(starts[-1] + len(line))
    return starts


# ------------------------------------------------------------------ readable lengths

def length(loop: ir.Loop, array: str) -> str:
    fixed = _unchanged(loop)
    ranges = _counted_ranges(loop, fixed)
    ends = [_furthest(x, ranges, fixed, array) for s in walk_stmts([loop]) for e in stmt_exprs(s)
            for x in subexprs(e) if isinstance(x, ir.Access) and x.array == array]
    if not ends or any(e is None for e in ends):
        raise Refuse(f"cannot bound the part of `{array}` the loop touches")
    top = ends[0]
    for e in ends[1:]:
        gap = poly.constant_value(poly.add(e, top, -1))
        if gap is None:
            raise Refuse(f"cannot tell which access of `{array}` reaches furthest")
        top = e if gap > 0 else top
    return _guarded(poly.add(top, poly.const(1)))


def _unchanged(loop: ir.Loop):
    changed = assigned_names(loop.body) | {s.var for s in walk_stmts([loop]) if isinstance(s, ir.Loop)}
    return lambda name: name not in changed


def _counted_ranges(loop: ir.Loop, fixed) -> dict[str, tuple[Poly, Poly, int]]:
    """Loop variable -> (first, last, step) for every counted loop of the nest."""
    out = {}
    for s in walk_stmts([loop]):
        if not isinstance(s, ir.Loop):
            continue
        step = s.step.value if isinstance(s.step, ir.Const) and type(s.step.value) is int else None
        lo, hi = _affine_in(s.lower, fixed), _affine_in(s.upper, fixed)
        if step == 1 and lo is not None and hi is not None:
            out[s.var] = (lo, poly.add(hi, poly.const(-1)), 1)
    return out


def _affine_in(e: ir.Expr, fixed) -> Poly | None:
    p = poly.from_expr(e, lambda n: poly.sym(n) if fixed(n) else None, lambda a, d: None)
    return p if p is not None and poly.degree(p) <= 1 else None


def _furthest(x: ir.Access, ranges, fixed, array: str) -> Poly | None:
    if len(x.indices) != 1:
        return None
    p = poly.from_expr(x.indices[0], lambda n: poly.sym(n), lambda a, d: None)
    if p is None or poly.degree(p) > 1:
        return None
    out: Poly = {}
    for mono, c in p.items():
        name = mono[0] if mono else None
        if name in ranges:
            first, last, _ = ranges[name]
            out = poly.add(out, poly.scale(last if c > 0 else first, c))
        elif name is None or fixed(name):
            out = poly.add(out, {mono: c})
        else:
            return None
    return out


def _guarded(p: Poly) -> str:
    text = _show(p)
    if len(p) == 1 and (poly.constant_value(p) or 0) >= 0 and all(c > 0 for c in p.values()):
        return text  # `n`, `2 * n`, `8`: never negative for sizes
    return f"(({text}) > 0 ? ({text}) : 0)"


def _show(p: Poly) -> str:
    terms = []
    for mono, c in sorted(p.items(), key=lambda mc: (not mc[0], mc[0])):
        if not mono:
            terms.append(str(c))
            continue
        name = " * ".join(mono)
        terms.append(name if c == 1 else f"-{name}" if c == -1 else f"{c} * {name}")
    text = " + ".join(terms) or "0"
    return text.replace("+ -", "- ")
