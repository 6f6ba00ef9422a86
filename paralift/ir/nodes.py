"""The language-neutral IR: frozen dataclasses, each carrying the span it came from.

Frontends (Python, later C) produce these nodes; passes read them and return results;
backends use the spans to edit the original text. Anything a frontend does not model
becomes `Opaque` (statement) or `OpaqueExpr` (expression) with the reason, which makes
every enclosing loop conservatively sequential.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Union

from paralift.diagnostics import Span

_NOSPAN = Span.unknown()


# ---------------------------------------------------------------- expressions

# the call a C local array declaration (`double t[m];`) lowers to: new storage, like np.empty
C_ARRAY = "c.array"
# the call an element read of a computed value (`np.outer(u, v)[i, :]`) lowers to: it reads
# what evaluating the value reads, and the value's elements (a view's are its base's)
SUBSCRIPT = "<subscript>"


@dataclass(frozen=True)
class Const:
    value: int | float | bool | str | None
    span: Span = field(default=_NOSPAN, compare=False)


@dataclass(frozen=True)
class Name:
    id: str
    span: Span = field(default=_NOSPAN, compare=False)


@dataclass(frozen=True)
class Slice:
    """`lower:upper:step` inside a subscript; a missing part is None."""

    lower: Expr | None
    upper: Expr | None
    step: Expr | None
    span: Span = field(default=_NOSPAN, compare=False)


@dataclass(frozen=True)
class Access:
    """`array[i, j]`: one element (or a slice) of a named array."""

    array: str
    indices: tuple[Expr, ...]
    span: Span = field(default=_NOSPAN, compare=False)


@dataclass(frozen=True)
class BinOp:
    op: str  # + - * / // % ** & | ^ << >>
    left: Expr
    right: Expr
    span: Span = field(default=_NOSPAN, compare=False)


@dataclass(frozen=True)
class UnaryOp:
    op: str  # - + not ~
    operand: Expr
    span: Span = field(default=_NOSPAN, compare=False)


@dataclass(frozen=True)
class Compare:
    """A chain `a < b <= c`: ops[k] relates operands[k] and operands[k + 1]."""

    ops: tuple[str, ...]
    operands: tuple[Expr, ...]
    span: Span = field(default=_NOSPAN, compare=False)


@dataclass(frozen=True)
class BoolOp:
    """`a and b`, `a || b`. C's operators give 0 or 1 (`boolean`); Python's give one of
    their operands, so `x = x or e` keeps the first truthy `e`, which depends on order."""

    op: str  # and | or
    values: tuple[Expr, ...]
    span: Span = field(default=_NOSPAN, compare=False)
    boolean: bool = False


@dataclass(frozen=True)
class Ternary:
    cond: Expr
    then: Expr
    orelse: Expr
    span: Span = field(default=_NOSPAN, compare=False)


@dataclass(frozen=True)
class Call:
    """A call. `func` is the dotted callee (`math.sqrt`, `tmp.sum`, `f`); a method called
    on a computed value (`a[i].sum()`) has that value as `receiver` and `func` = `sum`."""

    func: str
    args: tuple[Expr, ...]
    keywords: tuple[tuple[str, Expr], ...] = ()
    span: Span = field(default=_NOSPAN, compare=False)
    receiver: Expr | None = None


@dataclass(frozen=True)
class Attribute:
    """`value.attr` that is not called, e.g. `a.shape`."""

    value: Expr
    attr: str
    span: Span = field(default=_NOSPAN, compare=False)


@dataclass(frozen=True)
class Tuple:
    elts: tuple[Expr, ...]
    span: Span = field(default=_NOSPAN, compare=False)


@dataclass(frozen=True)
class Generator:
    """One `for targets in iter if cond...` clause of a comprehension."""

    targets: tuple[str, ...]
    iter: Expr
    conds: tuple[Expr, ...] = ()


@dataclass(frozen=True)
class Comprehension:
    """`[elt for x in it if c]`, a generator expression or a set comprehension.

    Its targets are local to it (as in Python 3), so passes must not confuse them with the
    enclosing function's names; it reads, it never writes."""

    kind: str  # list | generator | set
    elt: Expr
    generators: tuple[Generator, ...]
    span: Span = field(default=_NOSPAN, compare=False)


@dataclass(frozen=True)
class OpaqueExpr:
    reason: str
    text: str = ""
    span: Span = field(default=_NOSPAN, compare=False)


Expr = Union[Const, Name, Slice, Access, BinOp, UnaryOp, Compare, BoolOp, Ternary, Call,
             Attribute, Tuple, Comprehension, OpaqueExpr]


# ----------------------------------------------------------------- statements

@dataclass(frozen=True)
class Loop:
    """A counted loop `for var in range(lower, upper, step)`.

    Other counted forms are lowered to this one: `enumerate(a)` becomes a loop over
    `range(0, len(a))` whose body starts with `v = a[i]` (spanning the `for` line);
    `for x in a` and `zip` get an index `x#` the source cannot name.
    """

    var: str
    lower: Expr
    upper: Expr
    step: Expr
    body: tuple[Stmt, ...]
    span: Span = field(default=_NOSPAN, compare=False)
    form: str = "range"  # range | enumerate | zip | iter | reversed | c-for (declares its variable)
    #                      | c-for-var (uses a variable declared outside)
    binds: tuple[str, ...] = ()  # element names the loop form assigns (`v` of enumerate)

    @property
    def display(self) -> str:
        """The loop variable as the user wrote it."""
        return ", ".join(self.binds) if self.var.endswith("#") else self.var


@dataclass(frozen=True)
class While:
    cond: Expr
    body: tuple[Stmt, ...]
    span: Span = field(default=_NOSPAN, compare=False)


@dataclass(frozen=True)
class If:
    cond: Expr
    body: tuple[Stmt, ...]
    orelse: tuple[Stmt, ...]
    span: Span = field(default=_NOSPAN, compare=False)


@dataclass(frozen=True)
class Assign:
    """`target = value`, or `target op= value` when `op` is set.

    `target` is a Name, an Access or a Tuple of those; a Tuple target with a Tuple
    value assigns in parallel (`a, b = b, a`).
    """

    target: Expr
    value: Expr
    op: str | None = None
    span: Span = field(default=_NOSPAN, compare=False)
    declares: bool = False  # C: a declaration with an initializer (`double t = 0;`), scoped


@dataclass(frozen=True)
class Declare:
    """C: `double t;` without an initializer. Scope matters to OpenMP clauses."""

    names: tuple[str, ...]
    span: Span = field(default=_NOSPAN, compare=False)


@dataclass(frozen=True)
class ExprStmt:
    value: Expr
    span: Span = field(default=_NOSPAN, compare=False)


@dataclass(frozen=True)
class Return:
    value: Expr | None
    span: Span = field(default=_NOSPAN, compare=False)


@dataclass(frozen=True)
class Break:
    span: Span = field(default=_NOSPAN, compare=False)


@dataclass(frozen=True)
class Continue:
    span: Span = field(default=_NOSPAN, compare=False)


@dataclass(frozen=True)
class Pass:
    span: Span = field(default=_NOSPAN, compare=False)


@dataclass(frozen=True)
class Opaque:
    reason: str
    text: str = ""
    span: Span = field(default=_NOSPAN, compare=False)
    code: str = "PL205"  # the diagnostic a loop around it gets: unmodelled, or a known hazard


Stmt = Union[Loop, While, If, Assign, Declare, ExprStmt, Return, Break, Continue, Pass, Opaque]


# -------------------------------------------------------------------- modules

@dataclass(frozen=True)
class Param:
    name: str
    kind: str = "unknown"  # array | scalar | unknown
    rank: int = 0
    span: Span = field(default=_NOSPAN, compare=False)
    ctype: str = ""        # C: the declared type, e.g. `const double *`, `double [n][m]`, `int`
    # C: the declared extent of each dimension of an array of arrays (`[n][m]`: n, m); None
    # where not written (`b[][m]`); empty for pointers
    dims: tuple[Expr | None, ...] = field(default=(), compare=False)
    annotation: str = ""   # Python: the annotation as written (`int`, `npt.NDArray[np.float64]`)


@dataclass(frozen=True)
class Kernel:
    name: str
    params: tuple[Param, ...]
    body: tuple[Stmt, ...]
    span: Span = field(default=_NOSPAN, compare=False)
    kind: str = "function"  # function | macro (a C function-like macro, lowered to `return expr`)
    returns: str = ""       # C: the declared return type
    method: bool = False    # Python: defined in a class body (its name is `Class.method`)


@dataclass(frozen=True)
class Module:
    path: str
    language: str
    kernels: tuple[Kernel, ...]
    imports: tuple[tuple[str, str], ...] = ()  # (local alias, module) pairs
