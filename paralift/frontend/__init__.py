"""Frontends: source text -> `ir.Module`, one module per language."""
from __future__ import annotations

from collections.abc import Callable

from paralift.ir.nodes import Module


def frontend_for(language: str) -> Callable[[str, str], Module] | None:
    if language == "python":
        from paralift.frontend.python import parse
        return parse
    return None
