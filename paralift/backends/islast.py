"""isl's generated loops (an `isl.AstNode`) written as Python or C source.

The wavefront and time-tiling writers hand isl a domain and a schedule; what comes back
is a tree of loops, ifs and statement calls (`S0(c2, c3 - 2*c2)`), which this prints
with `min`/`max` bounds (C: the `pl_min`/`pl_max`/`pl_floord` helpers the rewrite adds),
each loop variable renamed by the subclass, and each call replaced by the subclass's
statement text.
"""
from __future__ import annotations

import islpy as isl

from paralift.passes.affine import NotAffine, Params

_OP = isl.ast_expr_op_type
_OPS = {_OP.add: "+", _OP.sub: "-", _OP.mul: "*"}
_CMP = {_OP.lt: "<", _OP.le: "<=", _OP.gt: ">", _OP.ge: ">=", _OP.eq: "=="}
_DIV = (_OP.fdiv_q, _OP.pdiv_q, _OP.div)

C_HELPERS = """static inline long pl_min(long a, long b) { return a < b ? a : b; }
static inline long pl_max(long a, long b) { return a > b ? a : b; }
static inline long pl_floord(long n, long d) { return n < 0 ? -((-n + d - 1) / d) : n / d; }
"""


class AstWriter:
    """The printer; subclasses name the loops (`loop_name`) and write the statements."""

    def __init__(self, language: str, params: Params, unit: str):
        self.c = language == "c"
        self.params, self.unit = params, unit
        self.iterators: dict[str, str] = {}   # isl's iterator -> the name written

    def loop_name(self, iterator: str, depth: int) -> str:
        raise NotImplementedError

    def statement(self, call: isl.AstExpr) -> list[str]:
        raise NotImplementedError

    def loop_head(self, name: str, start: str, op, limit: str, iterator: str) -> str:
        if self.c:
            return f"for (long {name} = {start}; {name} {_CMP[op]} {limit}; {name}++) {{"
        stop = limit if op == _OP.lt else f"{limit} + 1"
        return f"for {name} in range({start}, {stop}):"

    def node(self, n: isl.AstNode, depth: int) -> list[str]:
        t = n.get_type()
        if t == isl.ast_node_type.block:
            children = n.block_get_children()
            return [x for k in range(children.n_ast_node()) for x in self.node(children.get_at(k), depth)]
        if t == isl.ast_node_type.for_:
            return self.loop(n, depth)
        if t == isl.ast_node_type.if_:
            cond = self.expr(n.if_get_cond())
            out = [f"if ({cond}) {{" if self.c else f"if {cond}:"] + self.indented(self.node(n.if_get_then_node(), depth))
            if n.if_has_else_node():
                out += ["} else {" if self.c else "else:"] + self.indented(self.node(n.if_get_else_node(), depth))
            return out + (["}"] if self.c else [])
        if t == isl.ast_node_type.user:
            return self.statement(n.user_get_expr())
        raise NotAffine(f"an isl AST node of type {t}")

    def loop(self, n: isl.AstNode, depth: int) -> list[str]:
        it = n.for_get_iterator().get_id().get_name()
        name = self.loop_name(it, depth)
        self.iterators[it] = name
        start = self.expr(n.for_get_init())
        if self.expr(n.for_get_inc()) != "1":
            raise NotAffine("a step other than 1")
        cond = n.for_get_cond()
        op = cond.get_op_type()
        if op not in (_OP.lt, _OP.le):
            raise NotAffine("a loop condition other than < or <=")
        head = self.loop_head(name, start, op, self.expr(cond.get_op_arg(1)), it)
        return [head] + self.indented(self.node(n.for_get_body(), depth + 1)) + (["}"] if self.c else [])

    def values(self, call: isl.AstExpr) -> list[str]:
        """The statement's original loop variables, as expressions of the new loops."""
        return [self.expr(call.get_op_arg(k + 1)) for k in range(call.get_op_n_arg() - 1)]

    def indented(self, lines: list[str]) -> list[str]:
        return [self.unit + x if x else x for x in lines]

    def expr(self, e: isl.AstExpr) -> str:
        return self._expr(e)[0]

    def _expr(self, e: isl.AstExpr) -> tuple[str, int]:
        """Text and precedence (1: + -, 2: * //, 3: unary, 4: atoms and calls)."""
        t = e.get_type()
        if t == isl.ast_expr_type.int:
            v = e.get_val().to_python()
            return str(v), 4 if v >= 0 else 3
        if t == isl.ast_expr_type.id:
            name = e.get_id().get_name()
            return self.iterators.get(name) or self.params.params.get(name) or name, 4
        op = e.get_op_type()
        args = [self._expr(e.get_op_arg(k)) for k in range(e.get_op_n_arg())]

        def wrap(a, prec, right=False):
            return a[0] if a[1] > prec or (a[1] == prec and not right) else f"({a[0]})"
        if op in _OPS:
            prec = 2 if op == _OP.mul else 1
            return f"{wrap(args[0], prec)} {_OPS[op]} {wrap(args[1], prec, right=True)}", prec
        if op == _OP.minus:
            return f"-{wrap(args[0], 3)}", 3
        if op in (_OP.min, _OP.max):
            fn = ("pl_min" if op == _OP.min else "pl_max") if self.c else ("min" if op == _OP.min else "max")
            out = args[0][0]
            for a in args[1:]:
                out = f"{fn}({out}, {a[0]})"
            return out, 4
        if op in _DIV:
            if self.c:
                return f"pl_floord({args[0][0]}, {args[1][0]})", 4
            left = args[0][0] if args[0][1] == 4 else f"({args[0][0]})"   # `(-n) // 8`, never `-n // 8`
            return f"{left} // {wrap(args[1], 2, right=True)}", 2
        if op in _CMP:
            return f"{args[0][0]} {_CMP[op]} {args[1][0]}", 0
        if op in (_OP.and_, _OP.and_then):
            return (f"({args[0][0]}) && ({args[1][0]})" if self.c else f"({args[0][0]}) and ({args[1][0]})"), 0
        raise NotAffine(f"isl operation {op}")
