"""Frontends: source text -> `ir.Module`, one module per language.

`frontend_for(language)` gives every language one shape: `(module, errors)`, where the
module is None when nothing parsed (a Python syntax error, a nest too deep for the
parser) and errors are the syntax errors found. C keeps the functions that do parse.
"""
from __future__ import annotations

from collections.abc import Callable

from paralift.diagnostics import Diagnostic, Severity, Span
from paralift.ir.nodes import Module

Parsed = tuple[Module | None, tuple[Diagnostic, ...]]


def frontend_for(language: str) -> Callable[[str, str], Parsed] | None:
    if language == "python":
        return _python
    if language == "c":
        return _c
    return None


def _python(source: str, path: str) -> Parsed:
    from paralift.frontend.python import ParseError, parse
    try:
        return parse(source, path), ()
    except ParseError as err:
        return None, (err.diagnostic,)
    except RecursionError:
        return None, (_too_deep(path),)


def _c(source: str, path: str) -> Parsed:
    from paralift.frontend.c import parse
    try:
        module, errors = parse(source, path)
    except RecursionError:
        return None, (_too_deep(path),)
    return module, tuple(errors)


def _too_deep(path: str) -> Diagnostic:
    return Diagnostic("PL001", "nesting too deep to parse", Span(1, 0, 1, 0, path), Severity.ERROR)
