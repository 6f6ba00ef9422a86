"""Python frontend: libcst -> IR.

Every function (module level or a method) becomes a `Kernel`. Constructs the IR does not
model become `Opaque`/`OpaqueExpr` carrying the reason, never an exception: the analysis
then keeps every loop around them sequential.
"""
from __future__ import annotations

import ast

import libcst as cst
from libcst.metadata import MetadataWrapper, PositionProvider

from paralift.diagnostics import Diagnostic, Severity, Span
from paralift.ir import nodes as ir

_BINOPS = {
    cst.Add: "+", cst.Subtract: "-", cst.Multiply: "*", cst.Divide: "/", cst.FloorDivide: "//",
    cst.Modulo: "%", cst.Power: "**", cst.BitAnd: "&", cst.BitOr: "|", cst.BitXor: "^",
    cst.LeftShift: "<<", cst.RightShift: ">>", cst.MatrixMultiply: "@",
}
_AUGOPS = {
    cst.AddAssign: "+", cst.SubtractAssign: "-", cst.MultiplyAssign: "*", cst.DivideAssign: "/",
    cst.FloorDivideAssign: "//", cst.ModuloAssign: "%", cst.PowerAssign: "**",
    cst.BitAndAssign: "&", cst.BitOrAssign: "|", cst.BitXorAssign: "^",
    cst.LeftShiftAssign: "<<", cst.RightShiftAssign: ">>", cst.MatrixMultiplyAssign: "@",
}
_CMPOPS = {
    cst.LessThan: "<", cst.LessThanEqual: "<=", cst.GreaterThan: ">", cst.GreaterThanEqual: ">=",
    cst.Equal: "==", cst.NotEqual: "!=", cst.In: "in", cst.NotIn: "not in", cst.Is: "is",
    cst.IsNot: "is not",
}
_UNOPS = {cst.Minus: "-", cst.Plus: "+", cst.Not: "not", cst.BitInvert: "~"}
# Loop forms that count like `range` (analysing code that is already parallel is issue 6's).
_RANGE_FUNCS = {"range", "prange", "numba.prange", "nb.prange"}


class ParseError(Exception):
    def __init__(self, diagnostic: Diagnostic):
        super().__init__(diagnostic.message)
        self.diagnostic = diagnostic


def parse(source: str, path: str = "<string>") -> ir.Module:
    """Lower Python source to an IR module; raise ParseError on a syntax error."""
    try:
        tree = cst.parse_module(source)
    except cst.ParserSyntaxError as err:
        raise ParseError(_syntax_error(source, path, err)) from None
    wrapper = MetadataWrapper(tree, unsafe_skip_copy=True)
    positions = wrapper.resolve(PositionProvider)
    return _Lowering(positions, path).module(tree)


def _syntax_error(source: str, path: str, err: cst.ParserSyntaxError) -> Diagnostic:
    """CPython's parser names the spot a user expects (`expected ':'` on the `for` line);
    libcst reports where it noticed. Prefer CPython's words when it also rejects the code."""
    line, col = err.raw_line, err.raw_column
    msg = err.message.strip().splitlines()[0] if err.message else "invalid syntax"
    try:
        ast.parse(source, path)
    except SyntaxError as py:
        line, col, msg = py.lineno or line, max((py.offset or 1) - 1, 0), py.msg
    except (ValueError, RecursionError, MemoryError):
        pass
    else:
        msg = f"syntax libcst does not support: {msg}"
    return Diagnostic("PL001", f"syntax error: {msg}", Span(line, col, line, col, path), Severity.ERROR)


class _Lowering:
    def __init__(self, positions, path: str):
        self.positions = positions
        self.path = path
        self.imports: list[tuple[str, str]] = []
        self._counter = 0

    # ------------------------------------------------------------ helpers
    def span(self, node: cst.CSTNode) -> Span:
        r = self.positions.get(node)
        if r is None:
            return Span.unknown(self.path)
        return Span(r.start.line, r.start.column, r.end.line, r.end.column, self.path)

    def text(self, node: cst.CSTNode) -> str:
        code = cst.Module(body=[]).code_for_node(node)
        return code if len(code) <= 80 else code[:77] + "..."

    # ------------------------------------------------------------ module
    def module(self, tree: cst.Module) -> ir.Module:
        kernels = []
        for stmt in tree.body:
            kernels += self.toplevel(stmt, prefix="")
        return ir.Module(self.path, "python", tuple(kernels), tuple(self.imports))

    def toplevel(self, stmt: cst.CSTNode, prefix: str) -> list[ir.Kernel]:
        if isinstance(stmt, cst.FunctionDef):
            return [self.kernel(stmt, prefix)]
        if isinstance(stmt, cst.ClassDef):
            found = []
            for s in stmt.body.body:
                found += self.toplevel(s, prefix + stmt.name.value + ".")
            return found
        if isinstance(stmt, cst.SimpleStatementLine):
            for small in stmt.body:
                self.record_import(small)
        return []

    def record_import(self, small: cst.CSTNode) -> None:
        if isinstance(small, cst.Import):
            for alias in small.names:
                full = _dotted(alias.name) or ""
                local = alias.asname.name.value if alias.asname else full.split(".")[0]
                self.imports.append((local, full if alias.asname else local))
        elif isinstance(small, cst.ImportFrom) and small.module is not None \
                and not isinstance(small.names, cst.ImportStar):
            base = _dotted(small.module) or ""
            for alias in small.names:
                name = _dotted(alias.name) or ""
                local = alias.asname.name.value if alias.asname else name
                self.imports.append((local, f"{base}.{name}"))

    def kernel(self, fn: cst.FunctionDef, prefix: str) -> ir.Kernel:
        body = self.block(fn.body)
        used = _array_ranks(body)
        params = []
        for p in list(fn.params.posonly_params) + list(fn.params.params) + list(fn.params.kwonly_params):
            name = p.name.value
            rank = used.get(name)
            params.append(ir.Param(name, "array" if rank is not None else "scalar", rank or 0,
                                   self.span(p)))
        name_span = self.span(fn.name)
        whole = self.span(fn)
        span = Span(name_span.line, whole.col, whole.end_line, whole.end_col, self.path)
        return ir.Kernel(prefix + fn.name.value, tuple(params), tuple(body), span)

    # ------------------------------------------------------------ statements
    def block(self, node: cst.BaseSuite) -> list[ir.Stmt]:
        if isinstance(node, cst.SimpleStatementSuite):
            return [s for small in node.body for s in self.small(small)]
        out: list[ir.Stmt] = []
        for stmt in node.body:
            out += self.stmt(stmt)
        return out

    def stmt(self, node: cst.CSTNode) -> list[ir.Stmt]:
        if isinstance(node, cst.SimpleStatementLine):
            return [s for small in node.body for s in self.small(small)]
        if isinstance(node, cst.For):
            return [self.for_loop(node)]
        if isinstance(node, cst.While):
            if node.orelse is not None:
                return [self.opaque(node, "while/else is not modelled")]
            return [ir.While(self.expr(node.test), tuple(self.block(node.body)), self.span(node))]
        if isinstance(node, cst.If):
            return [self.if_stmt(node)]
        kind = type(node).__name__.lower().replace("def", " definition")
        return [self.opaque(node, f"`{kind}` statement is not modelled")]

    def if_stmt(self, node: cst.If) -> ir.If:
        orelse: list[ir.Stmt] = []
        if isinstance(node.orelse, cst.If):
            orelse = [self.if_stmt(node.orelse)]
        elif isinstance(node.orelse, cst.Else):
            orelse = self.block(node.orelse.body)
        return ir.If(self.expr(node.test), tuple(self.block(node.body)), tuple(orelse), self.span(node))

    def opaque(self, node: cst.CSTNode, reason: str) -> ir.Opaque:
        return ir.Opaque(reason, self.text(node).splitlines()[0] if self.text(node) else "", self.span(node))

    def small(self, node: cst.CSTNode) -> list[ir.Stmt]:
        span = self.span(node)
        match node:
            case cst.Assign(targets=targets, value=value):
                v = self.expr(value)
                return [ir.Assign(self.target(t.target), v, None, span) for t in targets]
            case cst.AnnAssign(target=target, value=value) if value is not None:
                return [ir.Assign(self.target(target), self.expr(value), None, span)]
            case cst.AnnAssign():
                return [ir.Pass(span)]
            case cst.AugAssign(target=target, operator=op, value=value):
                return [ir.Assign(self.target(target), self.expr(value), _AUGOPS[type(op)], span)]
            case cst.Expr(value=value):
                return [ir.ExprStmt(self.expr(value), span)]
            case cst.Return(value=value):
                return [ir.Return(self.expr(value) if value is not None else None, span)]
            case cst.Break():
                return [ir.Break(span)]
            case cst.Continue():
                return [ir.Continue(span)]
            case cst.Pass():
                return [ir.Pass(span)]
            case cst.Import() | cst.ImportFrom():
                self.record_import(node)
                return [ir.Pass(span)]
        keyword = type(node).__name__.lower()
        return [self.opaque(node, f"`{keyword}` statement is not modelled")]

    def target(self, node: cst.BaseExpression) -> ir.Expr:
        if isinstance(node, (cst.Tuple, cst.List)):
            return ir.Tuple(tuple(self.target(e.value) for e in node.elements), self.span(node))
        return self.expr(node)

    def for_loop(self, node: cst.For) -> ir.Stmt:
        if node.asynchronous is not None:
            return self.opaque(node, "`async for` is not modelled")
        if node.orelse is not None:
            return self.opaque(node, "for/else is not modelled")
        span = self.span(node)
        it = node.iter
        func = _dotted(it.func) if isinstance(it, cst.Call) else None
        args = [a for a in it.args] if isinstance(it, cst.Call) else []
        plain = all(a.keyword is None and not a.star for a in args)
        if func in _RANGE_FUNCS and plain and 1 <= len(args) <= 3 and isinstance(node.target, cst.Name):
            vals = [self.expr(a.value) for a in args]
            lower, upper, step = (ir.Const(0), vals[0], ir.Const(1)) if len(vals) == 1 else \
                (vals[0], vals[1], vals[2] if len(vals) == 3 else ir.Const(1))
            body = tuple(self.block(node.body))
            return ir.Loop(node.target.value, lower, upper, step, body, span, "range")
        if func == "enumerate" and plain and len(args) in (1, 2) and _is_pair_of_names(node.target):
            return self.enumerate_loop(node, args, span)
        return self.opaque(node, f"`for` over `{self.text(it)}` is not a counted loop")

    def enumerate_loop(self, node: cst.For, args, span: Span) -> ir.Stmt:
        seq = self.expr(args[0].value)
        if not isinstance(seq, ir.Name):
            return self.opaque(node, "enumerate over an expression that is not a name")
        idx, val = (e.value.value for e in node.target.elements)
        start = self.expr(args[1].value) if len(args) == 2 else ir.Const(0)
        head = self.span(node.target)
        offset = ir.Name(idx, head) if start == ir.Const(0) else \
            ir.BinOp("-", ir.Name(idx, head), start, head)
        upper = ir.Call("len", (seq,), (), head) if start == ir.Const(0) else \
            ir.BinOp("+", start, ir.Call("len", (seq,), (), head), head)
        first = ir.Assign(ir.Name(val, head), ir.Access(seq.id, (offset,), head), None, head)
        body = (first,) + tuple(self.block(node.body))
        return ir.Loop(idx, start, upper, ir.Const(1), body, span, "enumerate")

    # ------------------------------------------------------------ expressions
    def expr(self, node: cst.BaseExpression) -> ir.Expr:
        span = self.span(node)
        match node:
            case cst.Integer() | cst.Float() | cst.Imaginary():
                return ir.Const(node.evaluated_value, span)
            case cst.SimpleString() | cst.ConcatenatedString():
                return ir.Const(node.evaluated_value, span)
            case cst.Name(value="True" | "False" | "None"):
                return ir.Const({"True": True, "False": False, "None": None}[node.value], span)
            case cst.Name(value=v):
                return ir.Name(v, span)
            case cst.Subscript():
                return self.subscript(node, span)
            case cst.Attribute(value=v, attr=a):
                return ir.Attribute(self.expr(v), a.value, span)
            case cst.Call(func=f, args=args):
                func = _dotted(f)
                if func is None or any(a.star for a in args):
                    return ir.OpaqueExpr("call of a computed callee or with * arguments", self.text(node), span)
                pos = tuple(self.expr(a.value) for a in args if a.keyword is None)
                kws = tuple((a.keyword.value, self.expr(a.value)) for a in args if a.keyword is not None)
                return ir.Call(func, pos, kws, span)
            case cst.BinaryOperation(left=l, operator=op, right=r):
                return ir.BinOp(_BINOPS[type(op)], self.expr(l), self.expr(r), span)
            case cst.UnaryOperation(operator=op, expression=x):
                inner = self.expr(x)
                sym = _UNOPS[type(op)]
                if sym == "-" and isinstance(inner, ir.Const) and isinstance(inner.value, (int, float)) \
                        and not isinstance(inner.value, bool):
                    return ir.Const(-inner.value, span)
                return ir.UnaryOp(sym, inner, span)
            case cst.Comparison(left=l, comparisons=comps):
                ops = tuple(_CMPOPS[type(c.operator)] for c in comps)
                return ir.Compare(ops, (self.expr(l),) + tuple(self.expr(c.comparator) for c in comps), span)
            case cst.BooleanOperation(left=l, operator=op, right=r):
                sym = "and" if isinstance(op, cst.And) else "or"
                vals = []
                for side in (self.expr(l), self.expr(r)):
                    vals += side.values if isinstance(side, ir.BoolOp) and side.op == sym else [side]
                return ir.BoolOp(sym, tuple(vals), span)
            case cst.IfExp(test=t, body=b, orelse=o):
                return ir.Ternary(self.expr(t), self.expr(b), self.expr(o), span)
            case cst.Tuple(elements=elts) if not any(isinstance(e, cst.StarredElement) for e in elts):
                return ir.Tuple(tuple(self.expr(e.value) for e in elts), span)
        kind = type(node).__name__
        return ir.OpaqueExpr(f"{_describe(kind)} is not modelled", self.text(node), span)

    def subscript(self, node: cst.Subscript, span: Span) -> ir.Expr:
        # a[i][j] reads the same element as a[i, j] when the inner subscript is not a slice
        indices: list[ir.Expr] = []
        base: cst.BaseExpression = node
        while isinstance(base, cst.Subscript):
            part = [self.index(el.slice) for el in base.slice]
            if indices and any(isinstance(p, ir.Slice) for p in part):
                return ir.OpaqueExpr("subscript of a slice", self.text(node), span)
            indices = part + indices
            base = base.value
        array = _dotted(base)
        if array is None:
            return ir.OpaqueExpr("subscript of a computed value", self.text(node), span)
        return ir.Access(array, tuple(indices), span)

    def index(self, s: cst.BaseSlice) -> ir.Expr:
        if isinstance(s, cst.Index):
            if s.star is not None:
                return ir.OpaqueExpr("starred index", self.text(s.value), self.span(s))
            return self.expr(s.value)
        assert isinstance(s, cst.Slice)
        part = lambda x: None if x is None else self.expr(x)  # noqa: E731
        return ir.Slice(part(s.lower), part(s.upper), part(s.step), self.span(s))


def _dotted(node: cst.CSTNode) -> str | None:
    if isinstance(node, cst.Name):
        return node.value
    if isinstance(node, cst.Attribute):
        base = _dotted(node.value)
        return f"{base}.{node.attr.value}" if base else None
    return None


def _is_pair_of_names(t: cst.BaseExpression) -> bool:
    return isinstance(t, (cst.Tuple, cst.List)) and len(t.elements) == 2 and \
        all(isinstance(e.value, cst.Name) for e in t.elements)


def _describe(kind: str) -> str:
    names = {"ListComp": "a list comprehension", "GeneratorExp": "a generator expression",
             "Lambda": "a lambda", "List": "a list literal", "Dict": "a dict literal",
             "Set": "a set literal", "NamedExpr": "`:=`", "Await": "`await`",
             "Yield": "`yield`", "FormattedString": "an f-string", "DictComp": "a dict comprehension",
             "SetComp": "a set comprehension", "Tuple": "a starred tuple"}
    return names.get(kind, f"`{kind}`")


def _array_ranks(body) -> dict[str, int]:
    """Names subscripted anywhere in `body`, with the most indices seen."""
    from paralift.ir.walk import walk_exprs

    ranks: dict[str, int] = {}
    for e in walk_exprs(body):
        if isinstance(e, ir.Access):
            ranks[e.array] = max(ranks.get(e.array, 0), len(e.indices))
        elif isinstance(e, ir.Attribute) and isinstance(e.value, ir.Name) and e.attr in ("shape", "size", "ndim"):
            ranks.setdefault(e.value.id, 0)
    return ranks
