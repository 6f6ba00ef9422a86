"""C pointer rotations: `T *t = a; a = b; b = t;` exchanges the arrays `a` and `b`.

The double buffer of every C stencil. Lowered as one swap (`a, b = b, a`), the names stay
two distinct arrays, exactly as Python's tuple swap. The temporary must do nothing else
in the function (a later `t[i]` would be a third name for one of them), so a function
is scanned once for the temporaries its rotations use and where else they appear.
"""
from __future__ import annotations

from dataclasses import dataclass

from tree_sitter import Node


@dataclass(frozen=True)
class Rotation:
    first: str     # `a` in `t = a; a = b; b = t;`
    second: str    # `b`
    temp: str      # `t`


def rotation(nodes: list[Node]) -> Rotation | None:
    """The three statements as a rotation through a temporary, or None."""
    if len(nodes) != 3:
        return None
    saved = _copy(nodes[0], declares=True) or _copy(nodes[0])
    moved, restored = _copy(nodes[1]), _copy(nodes[2])
    if saved is None or moved is None or restored is None:
        return None
    (t, a), (a2, b), (b2, t2) = saved, moved, restored
    if a2 != a or b2 != b or t2 != t or len({t, a, b}) != 3:
        return None
    return Rotation(a, b, t)


def rotation_temps(body: Node) -> set[str]:
    """Temporaries used by rotations and nowhere else (but a declaration without a value)."""
    rotations: list[Rotation] = []
    bare: dict[str, int] = {}  # `double *t;`
    for node in _walk(body):
        if node.type == "compound_statement":
            kids = [c for c in node.named_children if c.type != "comment"]
            rotations += [r for k in range(len(kids) - 2) if (r := rotation(kids[k:k + 3])) is not None]
        elif node.type == "declaration":
            for d in node.children_by_field_name("declarator"):
                name = d.child_by_field_name("declarator") if d.type == "pointer_declarator" else None
                if name is not None and name.type == "identifier":
                    bare[name.text.decode()] = bare.get(name.text.decode(), 0) + 1
    uses: dict[str, int] = {}
    for node in _walk(body):
        if node.type == "identifier":
            uses[node.text.decode()] = uses.get(node.text.decode(), 0) + 1
    temps = {r.temp for r in rotations}
    return {t for t in temps
            if uses.get(t, 0) == 2 * sum(r.temp == t for r in rotations) + bare.get(t, 0)}


def _copy(node: Node, declares: bool = False) -> tuple[str, str] | None:
    """`x = y;` (or, declaring, `T *x = y;`) between plain names: (x, y)."""
    if declares:
        if node.type != "declaration":
            return None
        decls = node.children_by_field_name("declarator")
        if len(decls) != 1 or decls[0].type != "init_declarator":
            return None
        target, value = decls[0].child_by_field_name("declarator"), decls[0].child_by_field_name("value")
        if target is None or target.type != "pointer_declarator":
            return None
        target = target.child_by_field_name("declarator")
    else:
        if node.type != "expression_statement" or len(node.named_children) != 1:
            return None
        e = node.named_children[0]
        if e.type != "assignment_expression" or e.child_by_field_name("operator").type != "=":
            return None
        target, value = e.child_by_field_name("left"), e.child_by_field_name("right")
    if target is None or value is None or target.type != "identifier" or value.type != "identifier":
        return None
    return target.text.decode(), value.text.decode()


def _walk(node: Node):
    stack = [node]
    while stack:
        n = stack.pop()
        yield n
        stack.extend(n.children)
