"""Frontends: source text -> `ir.Module`, one module per language."""
from __future__ import annotations

from collections.abc import Callable

from paralift.ir.nodes import Module


def frontend_for(language: str) -> Callable[[str, str], Module | tuple] | None:
    """The parser for a language: Python's raises ParseError; C's returns (module, errors)
    because one broken function does not stop the others."""
    if language == "python":
        from paralift.frontend.python import parse
        return parse
    if language == "c":
        from paralift.frontend.c import parse as parse_c
        return parse_c
    return None
