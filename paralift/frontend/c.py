"""C frontend: tree-sitter-c -> the same IR as Python, so the same passes analyze it.

No preprocessor runs: `#include` and other directives are skipped; function-like macros
(`#define SQR(x) ((x) * (x))`) become small kernels of kind `macro` so that calls to pure
ones count as pure. Canonical `for` loops (`i < n`, `i <= n`, `i > 0`, `i++`, `++i`,
`i += s`, `i--`, a declaration in the init) become `Loop`s. A local pointer walking an
array (`const double *p = a; ... *p ... p++`) becomes an integer offset into that array,
so the walk is an induction variable. Anything else is `Opaque` with its reason. Syntax
errors (tree-sitter ERROR nodes) are reported at their line; the functions without one
are still lowered.
"""
from __future__ import annotations

import re
from dataclasses import replace

import tree_sitter_c
from tree_sitter import Language, Node, Parser

from paralift.diagnostics import Diagnostic, Severity, Span
from paralift.frontend import cpp
from paralift.frontend.crotate import Rotation, rotation, rotation_temps
from paralift.ir import nodes as ir

_LANGUAGE = Language(tree_sitter_c.language())
_ASSIGN_OPS = {"+=": "+", "-=": "-", "*=": "*", "/=": "/", "%=": "%", "&=": "&", "|=": "|",
               "^=": "^", "<<=": "<<", ">>=": ">>"}
_BINOPS = {"+", "-", "*", "/", "%", "&", "|", "^", "<<", ">>"}
_CMP = {"<", "<=", ">", ">=", "==", "!="}


_PRAGMA = re.compile(rb"^[ \t]*#[ \t]*pragma\b(?:[^\n]*\\\n)*[^\n]*", re.M)


def _without_pragmas(data: bytes) -> bytes:
    """`#pragma` lines blanked, byte for byte: tree-sitter's grammar takes a directive only
    where a statement may start, so one between a brace-less `for` and its body is a syntax
    error to it, though not to a compiler. The IR has no use for them; the checker and the
    backends read pragmas from the text."""
    return _PRAGMA.sub(lambda m: re.sub(rb"[^\n]", b" ", m.group(0)), data)


def parse(source: str, path: str = "<string>", preprocess: bool = True) -> tuple[ir.Module, tuple[Diagnostic, ...]]:
    """Lower C source; return the module and the syntax errors found (never raises). A file
    with directives is first preprocessed on its build flags (`cpp.py`): only the code of
    the file itself is lowered, with spans in the text as written."""
    expansion, notes = cpp.expand(source, path) if preprocess and cpp.needs_preprocessing(source) else (None, ())
    data = _without_pragmas((expansion.text if expansion else source).encode("utf-8"))
    tree = Parser(_LANGUAGE).parse(data)
    low = _Lowering(data, path, expansion, source)
    kernels, errors = [], list(notes)
    for node in tree.root_node.children:
        if node.has_error:
            errors.append(low.error(node))
            continue
        if node.type == "function_definition":
            k = low.kernel(node)
            if k is not None:
                kernels.append(k)
        elif node.type == "preproc_function_def":
            k = low.macro(node)
            if k is not None:
                kernels.append(k)
    return ir.Module(path, "c", tuple(kernels)), tuple(errors)


def _first_error(node: Node) -> Node:
    stack = [node]
    while stack:
        n = stack.pop(0)
        if n.type == "ERROR" or n.is_missing:
            return n
        stack.extend(c for c in n.children if c.has_error or c.is_missing)
    return node


class _Lowering:
    def __init__(self, data: bytes, path: str, expansion: cpp.Expansion | None = None, source: str = ""):
        self.data = data
        self.path = path
        self.lines = data.split(b"\n")
        self.expansion = expansion
        self.source_lines = source.split("\n") if expansion is not None else []
        self.typedefs = expansion.typedefs if expansion is not None else cpp.typedefs(source)
        # tree-sitter counts bytes, the expansion characters; they differ only past non-ASCII text
        self.chars = None if expansion is None or data.isascii() else _char_offsets(data)
        self.pointers: dict[str, str] = {}  # local pointer -> the array it walks
        self.counted: dict[tuple[int, int], str] = {}  # `k++` inside the statement being lowered
        self.temps: set[str] = set()  # pointers used only as the temporary of rotations

    # ------------------------------------------------------------ helpers
    def _col(self, row: int, byte_col: int) -> int:
        line = self.lines[row] if row < len(self.lines) else b""
        return len(line[:byte_col].decode("utf-8", errors="replace"))

    def _char(self, byte: int) -> int:
        return byte if self.chars is None else self.chars[byte]

    def span(self, node: Node) -> Span:
        if self.expansion is not None:
            span = self.expansion.span(self._char(node.start_byte), self._char(node.end_byte))
            return span or Span(1, 0, 1, 0, self.path, False)
        (r0, c0), (r1, c1) = node.start_point, node.end_point
        return Span(r0 + 1, self._col(r0, c0), r1 + 1, self._col(r1, c1), self.path)

    def text(self, node: Node) -> str:
        """The node's first line as the user wrote it (macros unexpanded), for messages."""
        t = node.text.decode("utf-8", errors="replace").splitlines()[0] if node.text else ""
        if self.expansion is not None:
            s = self.span(node)
            t = self.source_lines[s.line - 1][s.col:] if s.line <= len(self.source_lines) else t
            t = t if s.line != s.end_line else t[:s.end_col - s.col]
        return t if len(t) <= 80 else t[:77] + "..."

    def error(self, node: Node) -> Diagnostic:
        bad = _first_error(node)
        what = f"missing `{bad.type}`" if bad.is_missing else f"unexpected `{self.text(bad)}`"
        return Diagnostic("PL001", f"syntax error: {what}", self.span(bad), Severity.ERROR)

    def opaque(self, node: Node, reason: str) -> ir.Opaque:
        return ir.Opaque(reason, self.text(node), self.span(node))

    def oexpr(self, node: Node, reason: str) -> ir.OpaqueExpr:
        return ir.OpaqueExpr(reason, self.text(node), self.span(node))

    # ------------------------------------------------------------ top level
    def kernel(self, node: Node) -> ir.Kernel | None:
        decl = node.child_by_field_name("declarator")
        while decl is not None and decl.type == "pointer_declarator":  # `double *f(...)`
            decl = decl.child_by_field_name("declarator")
        if decl is None or decl.type != "function_declarator":
            return None
        name_node = decl.child_by_field_name("declarator")
        params = []
        plist = decl.child_by_field_name("parameters")
        for p in (plist.named_children if plist else []):
            if p.type == "parameter_declaration":
                params.append(self.param(p))
        self.pointers = {}
        self.temps = rotation_temps(node.child_by_field_name("body")) if node.child_by_field_name("body") else set()
        body = tuple(self.block(node.child_by_field_name("body")))
        ranks = _ranks(body)
        params = [ir.Param(p.name, "array" if p.name in ranks or p.rank else "scalar",
                           max(p.rank, ranks.get(p.name, 0)), p.span, p.ctype, p.dims) for p in params]
        returns = node.child_by_field_name("type")
        return ir.Kernel(name_node.text.decode(), tuple(params), body, self.span(name_node),
                         returns=self.type_name(returns))

    def type_name(self, node: Node | None) -> str:
        """A type as written, a typedef of an arithmetic type resolved (`real` -> `double`)."""
        text = node.text.decode() if node is not None else ""
        return self.typedefs.get(text, text)

    def param(self, node: Node) -> ir.Param:
        base = node.child_by_field_name("type")
        decl = node.child_by_field_name("declarator")
        rank, suffix, dims = 0, "", ()
        quals = " ".join(c.text.decode() for c in node.children if c.type == "type_qualifier")
        while decl is not None and decl.type in ("pointer_declarator", "array_declarator",
                                                 "parenthesized_declarator"):
            if decl.type == "parenthesized_declarator":  # `(*b)[m]`: as a parameter, `b[][m]`
                inner = decl.named_children[0] if decl.named_children else None
                if inner is None or inner.type != "pointer_declarator" or not suffix.startswith("["):
                    break
                suffix, dims, decl = "[]" + suffix, (None,) + dims, inner
            elif decl.type == "pointer_declarator":  # the first `*` written comes first, with its qualifiers
                own = " ".join(c.text.decode() for c in decl.children if c.type == "type_qualifier")
                suffix = suffix + "*" + (own + " " if own else "")
            else:
                size = decl.child_by_field_name("size")
                suffix = f"[{size.text.decode() if size else ''}]" + suffix  # outermost declarator: last dimension
                dims = (self.expr(size) if size is not None else None,) + dims
            rank += 1
            decl = decl.child_by_field_name("declarator")
        name = decl.text.decode() if decl is not None else "?"
        ctype = " ".join(x for x in (quals, self.type_name(base), suffix.strip()) if x)
        # extents only of arrays of arrays: `double *rows[n]` holds pointers to rows of unknown length
        dims = dims if "*" not in suffix else ()
        return ir.Param(name, "array" if rank else "scalar", rank, self.span(node), ctype, dims)

    def macro(self, node: Node) -> ir.Kernel | None:
        params = node.child_by_field_name("parameters")
        value = node.child_by_field_name("value")
        if params is None or value is None:
            return None
        names = [c.text.decode() for c in params.named_children if c.type == "identifier"]
        expr_tree = Parser(_LANGUAGE).parse(b"int __m = " + value.text + b";").root_node
        init = next((n for n in _walk(expr_tree) if n.type == "init_declarator"), None)
        if expr_tree.has_error or init is None:
            return None
        sub = _Lowering(value.text, self.path)
        body = (ir.Return(sub.expr(init.child_by_field_name("value"))),)
        name = node.child_by_field_name("name")
        return ir.Kernel(name.text.decode(), tuple(ir.Param(n) for n in names), body,
                         self.span(name), kind="macro")

    # ------------------------------------------------------------ statements
    def block(self, node: Node | None) -> list[ir.Stmt]:
        if node is None:
            return []
        if node.type == "compound_statement":
            kids = [c for c in node.named_children if c.type != "comment"]
            out, k = [], 0
            while k < len(kids):
                swap = rotation(kids[k:k + 3])
                if swap is not None and swap.temp in self.temps and not {swap.first, swap.second} & set(self.pointers):
                    out.append(self.swap(swap, kids[k], kids[k + 2]))
                    k += 3
                    continue
                out += self.stmt(kids[k])
                k += 1
            return out
        return self.stmt(node)

    def swap(self, r: Rotation, start: Node, end: Node) -> ir.Assign:
        """A rotation through a temporary, as the swap `a, b = b, a` it is."""
        a, b = ir.Name(r.first, self.span(start)), ir.Name(r.second, self.span(start))
        first, last = self.span(start), self.span(end)
        span = Span(first.line, first.col, last.end_line, last.end_col, self.path)
        return ir.Assign(ir.Tuple((a, b), span), ir.Tuple((b, a), span), None, span)

    def stmt(self, node: Node) -> list[ir.Stmt]:
        t = node.type
        span = self.span(node)
        if t == "compound_statement":
            return self.block(node)
        if t == "expression_statement":
            inner = node.named_children
            if not inner:
                return [ir.Pass(span)]
            return self.counted_stmt(inner[0]) or [self.expr_stmt(inner[0])]
        if t == "declaration":
            return self.declaration(node)
        if t == "for_statement":
            return [self.for_loop(node)]
        if t == "while_statement":
            cond = self.expr(node.child_by_field_name("condition"))
            return [ir.While(cond, tuple(self.block(node.child_by_field_name("body"))), span)]
        if t == "if_statement":
            alt = node.child_by_field_name("alternative")
            orelse = self.block(alt.named_children[0]) if alt is not None and alt.named_children else []
            return [ir.If(self.expr(node.child_by_field_name("condition")),
                          tuple(self.block(node.child_by_field_name("consequence"))), tuple(orelse), span)]
        if t == "return_statement":
            inner = node.named_children
            return [ir.Return(self.expr(inner[0]) if inner else None, span)]
        if t == "break_statement":
            return [ir.Break(span)]
        if t == "continue_statement":
            return [ir.Continue(span)]
        if t == "comment" or t.startswith("preproc_") and t in ("preproc_call",):
            return []
        what = {"do_statement": "do/while", "switch_statement": "switch", "goto_statement": "goto",
                "labeled_statement": "a label"}.get(t, t.replace("_", " "))
        return [self.opaque(node, f"`{what}` is not modelled")]

    def declaration(self, node: Node) -> list[ir.Stmt]:
        if any(c.type == "storage_class_specifier" and c.text.decode() in ("static", "thread_local", "_Thread_local")
               for c in node.children):
            # one variable for every call and every iteration, whatever scope it is declared in
            return [ir.Opaque("a `static` local is one variable shared by every iteration, so each sees what "
                              "the others left in it", self.text(node), self.span(node), code="PL208")]
        out: list[ir.Stmt] = []
        for d in node.children_by_field_name("declarator"):
            span = self.span(d)
            if d.type == "init_declarator":
                target, value = d.child_by_field_name("declarator"), d.child_by_field_name("value")
                if target.type == "pointer_declarator":
                    out.append(self.pointer_init(target, value, node))
                elif target.type == "identifier":
                    if value.type == "initializer_list":
                        out.append(self.opaque(d, "an initializer list is not modelled"))
                    else:
                        out.append(ir.Assign(ir.Name(target.text.decode(), self.span(target)),
                                             self.expr(value), None, span, declares=True))
                else:
                    out.append(self.opaque(d, f"declaration of `{self.text(target)}` is not modelled"))
            elif d.type == "array_declarator":  # a local array: new storage in this scope
                inner, size = d.child_by_field_name("declarator"), d.child_by_field_name("size")
                if inner.type != "identifier" or size is None:
                    out.append(self.opaque(d, "a multi-dimensional local array is not modelled"))
                else:
                    out.append(ir.Assign(ir.Name(inner.text.decode(), self.span(inner)),
                                         ir.Call(ir.C_ARRAY, (self.expr(size),), (), span), None, span,
                                         declares=True))
            elif d.type == "identifier":
                out.append(ir.Declare((d.text.decode(),), span))
            elif d.type == "pointer_declarator":
                name = d.child_by_field_name("declarator")
                if name is not None and name.text.decode() in self.temps:
                    continue  # only ever a rotation's temporary: the swap says all it does
                out.append(self.opaque(d, "a pointer declared without a value is not modelled"))
        return out or [ir.Pass(self.span(node))]

    def pointer_init(self, target: Node, value: Node, node: Node) -> ir.Stmt:
        """`T *p = a;`, `= a + k`, `= &a[k]`: p becomes the offset k into a."""
        name_node = target.child_by_field_name("declarator")
        if name_node is None or name_node.type != "identifier":
            return self.opaque(node, "a pointer to a pointer is not modelled")
        base, offset = self.address(value)
        if base is None:
            return self.opaque(node, f"pointer `{name_node.text.decode()}` does not walk a named array")
        name = name_node.text.decode()
        self.pointers[name] = base
        return ir.Assign(ir.Name(name, self.span(name_node)), offset, None, self.span(node))

    def address(self, node: Node) -> tuple[str | None, ir.Expr]:
        """(array, offset) of an address expression, or (None, _)."""
        if node.type == "parenthesized_expression":
            return self.address(node.named_children[0])
        if node.type == "identifier":
            name = node.text.decode()
            if name in self.pointers:
                return self.pointers[name], ir.Name(name, self.span(node))
            return name, ir.Const(0)
        if node.type == "binary_expression" and node.child_by_field_name("operator").type in "+-":
            base, off = self.address(node.child_by_field_name("left"))
            if base is not None:
                op = node.child_by_field_name("operator").type
                return base, _add(off, self.expr(node.child_by_field_name("right")), op)
        if node.type == "pointer_expression" and node.child_by_field_name("operator").type == "&":
            arg = node.child_by_field_name("argument")
            if arg.type == "subscript_expression":
                acc = self.expr(arg)
                if isinstance(acc, ir.Access) and len(acc.indices) == 1:
                    return acc.array, acc.indices[0]
        return None, ir.Const(0)

    def for_loop(self, node: Node) -> ir.Stmt:
        init = node.child_by_field_name("initializer")
        cond = node.child_by_field_name("condition")
        update = node.child_by_field_name("update")
        span = self.span(node)
        if init is None or cond is None or update is None:
            return self.opaque(node, "a `for` without init, condition and update is not a counted loop")
        var, lower = self._init(init)
        step = self._step(update, var)
        bound = self._bound(cond, var)
        if var is None or step is None or bound is None:
            return self.opaque(node, f"`for ({self.text(init)} ...)` is not a counted loop")
        op, limit = bound
        if step > 0 and op in ("<", "<="):
            upper = limit if op == "<" else _add(limit, ir.Const(1), "+")
        elif step < 0 and op in (">", ">="):
            upper = limit if op == ">" else _add(limit, ir.Const(1), "-")
        else:
            return self.opaque(node, "the loop's condition and step go different ways")
        body = tuple(self.block(node.child_by_field_name("body")))
        form = "c-for" if init.type == "declaration" else "c-for-var"
        return ir.Loop(var, lower, upper, ir.Const(step), body, span, form)

    def _init(self, init: Node) -> tuple[str | None, ir.Expr]:
        if init.type == "declaration":
            ds = init.children_by_field_name("declarator")
            if len(ds) == 1 and ds[0].type == "init_declarator":
                target = ds[0].child_by_field_name("declarator")
                if target.type == "identifier":
                    return target.text.decode(), self.expr(ds[0].child_by_field_name("value"))
        if init.type == "assignment_expression" and init.child_by_field_name("operator").type == "=":
            left = init.child_by_field_name("left")
            if left.type == "identifier":
                return left.text.decode(), self.expr(init.child_by_field_name("right"))
        return None, ir.Const(0)

    def _step(self, update: Node, var: str | None) -> int | None:
        if update.type == "update_expression":
            arg = update.child_by_field_name("argument")
            if arg.text.decode() == var:
                return 1 if update.child_by_field_name("operator").type == "++" else -1
        if update.type == "assignment_expression" and update.child_by_field_name("left").text.decode() == var:
            op = update.child_by_field_name("operator").type
            right = self.expr(update.child_by_field_name("right"))
            if op in ("+=", "-=") and isinstance(right, ir.Const) and type(right.value) is int and right.value:
                return right.value if op == "+=" else -right.value
            if op == "=" and isinstance(right, ir.BinOp) and right.left == ir.Name(var) and \
                    isinstance(right.right, ir.Const) and type(right.right.value) is int and right.right.value:
                return right.right.value if right.op == "+" else -right.right.value if right.op == "-" else None
        return None

    def _bound(self, cond: Node, var: str | None) -> tuple[str, ir.Expr] | None:
        if cond.type == "parenthesized_expression":
            return self._bound(cond.named_children[0], var)
        if cond.type != "binary_expression":
            return None
        op = cond.child_by_field_name("operator").type
        left, right = cond.child_by_field_name("left"), cond.child_by_field_name("right")
        flipped = {"<": ">", "<=": ">=", ">": "<", ">=": "<="}
        if op not in flipped:
            return None
        if left.text.decode() == var:
            return op, self.expr(right)
        if right.text.decode() == var:
            return flipped[op], self.expr(left)
        return None

    # ------------------------------------------------------------ expression statements
    def expr_stmt(self, node: Node) -> ir.Stmt:
        span = self.span(node)
        if node.type == "assignment_expression":
            op = node.child_by_field_name("operator").type
            left = self.lvalue(node.child_by_field_name("left"))
            right = self.expr(node.child_by_field_name("right"))
            if isinstance(left, ir.OpaqueExpr):
                return ir.Opaque(left.reason, self.text(node), span)
            if isinstance(left, ir.Name) and left.id in self.pointers:
                base, offset = self.address(node.child_by_field_name("right"))
                if op == "=" and base == self.pointers[left.id]:
                    return ir.Assign(left, offset, None, span)
                if op not in ("+=", "-="):
                    return self.opaque(node, f"pointer `{left.id}` moved to another array")
            if op == "=":
                return ir.Assign(left, right, None, span)
            if op in _ASSIGN_OPS:
                return ir.Assign(left, right, _ASSIGN_OPS[op], span)
        if node.type == "update_expression":
            target = self.lvalue(node.child_by_field_name("argument"))
            if isinstance(target, ir.OpaqueExpr):
                return ir.Opaque(target.reason, self.text(node), span)
            op = "+" if node.child_by_field_name("operator").type == "++" else "-"
            return ir.Assign(target, ir.Const(1), op, span)
        if node.type == "comma_expression":
            return self.opaque(node, "a comma expression is not modelled")
        return ir.ExprStmt(self.expr(node), span)

    def counted_stmt(self, node: Node) -> list[ir.Stmt] | None:
        """`a[k++] = x` as `a[k] = x; k += 1` (and `++k` the other way round): one counter
        stepped inside a statement that mentions it nowhere else, so the order is plain."""
        updates = [n for n in _walk(node) if n.type == "update_expression" and n != node]
        if len(updates) != 1 or node.type == "update_expression":
            return None
        update = updates[0]
        arg = update.child_by_field_name("argument")
        if arg is None or arg.type != "identifier" or arg.text.decode() in self.pointers:
            return None
        name = arg.text.decode()
        if sum(1 for n in _walk(node) if n.type == "identifier" and n.text.decode() == name) != 1:
            return None
        self.counted[(update.start_byte, update.end_byte)] = name
        try:
            stmt = self.expr_stmt(node)
        finally:
            del self.counted[(update.start_byte, update.end_byte)]
        op = "+" if update.child_by_field_name("operator").type == "++" else "-"
        step = ir.Assign(ir.Name(name, self.span(arg)), ir.Const(1), op, self.span(update))
        prefix = update.children[0].type in ("++", "--")
        return [step, stmt] if prefix else [stmt, step]

    def lvalue(self, node: Node) -> ir.Expr:
        if node.type == "parenthesized_expression":
            return self.lvalue(node.named_children[0])
        if node.type == "identifier" and node.text.decode() in self.pointers:
            return ir.Name(node.text.decode(), self.span(node))  # moving the walk: its offset
        e = self.expr(node)
        if isinstance(e, (ir.Name, ir.Access, ir.OpaqueExpr)):
            return e
        return self.oexpr(node, "assignment to this expression is not modelled")

    # ------------------------------------------------------------ expressions
    def expr(self, node: Node) -> ir.Expr:
        t = node.type
        span = self.span(node)
        if t == "identifier":
            name = node.text.decode()
            if name in self.pointers:
                return self.oexpr(node, f"pointer `{name}` used as a value")
            return ir.Name(name, span)
        if t == "number_literal":
            return ir.Const(_number(node.text.decode()), span)
        if t in ("true", "false"):
            return ir.Const(t == "true", span)
        if t in ("char_literal", "string_literal", "concatenated_string"):
            return ir.Const(node.text.decode(), span)
        if t == "parenthesized_expression":
            inner = self.expr(node.named_children[0])
            # `SQR(x)` is `((x) * (x))`: the product's own text is part of the macro's, the
            # parentheses' text is all of it
            return replace(inner, span=span) if span.spelled and not inner.span.spelled else inner
        if t == "binary_expression":
            op = node.child_by_field_name("operator").type
            left, right = self.expr(node.child_by_field_name("left")), self.expr(node.child_by_field_name("right"))
            if op in _BINOPS:
                return ir.BinOp(op, left, right, span)
            if op in _CMP:
                return ir.Compare((op,), (left, right), span)
            if op in ("&&", "||"):
                return ir.BoolOp("and" if op == "&&" else "or", (left, right), span, boolean=True)
        if t == "unary_expression":
            op = node.child_by_field_name("operator").type
            arg = self.expr(node.child_by_field_name("argument"))
            if op == "-" and isinstance(arg, ir.Const) and type(arg.value) in (int, float):
                return ir.Const(-arg.value, span)
            return ir.UnaryOp({"!": "not"}.get(op, op), arg, span)
        if t == "subscript_expression":
            return self.subscript(node, span)
        if t == "pointer_expression" and node.child_by_field_name("operator").type == "*":
            base, offset = self.address(node.child_by_field_name("argument"))
            if base is not None:
                return ir.Access(base, (offset,), span)
        if t == "call_expression":
            func = node.child_by_field_name("function")
            if func.type != "identifier":
                return self.oexpr(node, "a call through a pointer is not modelled")
            args = node.child_by_field_name("arguments")
            return ir.Call(func.text.decode(), tuple(self.expr(a) for a in args.named_children
                                                     if a.type != "comment"), (), span)
        if t == "conditional_expression":
            return ir.Ternary(self.expr(node.child_by_field_name("condition")),
                              self.expr(node.child_by_field_name("consequence")),
                              self.expr(node.child_by_field_name("alternative")), span)
        if t == "cast_expression":
            return self.expr(node.child_by_field_name("value"))  # a value conversion reads the same
        if t == "update_expression" and (node.start_byte, node.end_byte) in self.counted:
            return ir.Name(self.counted[(node.start_byte, node.end_byte)], span)  # stepped beside it
        what = {"assignment_expression": "an assignment inside an expression",
                "update_expression": "`++`/`--` inside an expression", "sizeof_expression": "sizeof",
                "field_expression": "a struct field", "pointer_expression": "taking an address",
                "comma_expression": "a comma expression"}.get(t, f"`{t}`")
        return self.oexpr(node, f"{what} is not modelled")

    def subscript(self, node: Node, span: Span) -> ir.Expr:
        indices: list[ir.Expr] = []
        base = node
        while base.type == "subscript_expression":
            idx = base.child_by_field_name("index")
            indices.insert(0, self.expr(idx))
            base = base.child_by_field_name("argument")
        if base.type == "parenthesized_expression":
            base = base.named_children[0]
        if base.type != "identifier":
            return self.oexpr(node, "a subscript of a computed address is not modelled")
        name = base.text.decode()
        if name in self.pointers:  # p[k] is a[offset + k]
            if len(indices) != 1:
                return self.oexpr(node, "a multi-dimensional walk is not modelled")
            return ir.Access(self.pointers[name], (_add(ir.Name(name), indices[0], "+"),), span)
        return ir.Access(name, tuple(indices), span)


def _char_offsets(data: bytes) -> list[int]:
    """Character offset of each byte offset of UTF-8 text (and of its end)."""
    out, chars = [], 0
    for b in data:
        out.append(chars)
        chars += (b & 0xC0) != 0x80
    out.append(chars)
    return out


def _number(text: str) -> int | float:
    t = text.lower().rstrip("ul")
    try:
        return int(t, 0)
    except ValueError:
        return float(t.rstrip("f")) if not t.startswith("0x") else float.fromhex(t)


def _add(a: ir.Expr, b: ir.Expr, op: str) -> ir.Expr:
    if isinstance(a, ir.Const) and a.value == 0 and op == "+":
        return b
    if isinstance(b, ir.Const) and b.value == 0:
        return a
    return ir.BinOp(op, a, b)


def _walk(node: Node):
    yield node
    for c in node.children:
        yield from _walk(c)


def _ranks(body) -> dict[str, int]:
    from paralift.ir.walk import walk_exprs
    ranks: dict[str, int] = {}
    for e in walk_exprs(body):
        if isinstance(e, ir.Access):
            ranks[e.array] = max(ranks.get(e.array, 0), len(e.indices))
    return ranks
