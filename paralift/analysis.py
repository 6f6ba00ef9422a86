"""The analysis entry point shared by the CLI (and later the LSP server and hooks).

`analyze_source` never raises on bad input: problems come back as diagnostics in the
`FileAnalysis`, so one bad file never stops the others.
"""
from __future__ import annotations

import os
from dataclasses import dataclass, field

from paralift.diagnostics import Diagnostic, Severity, Span
from paralift.files import language_of, read_source, source_lines
from paralift.frontend import frontend_for
from paralift.ir import nodes as ir
from paralift.passes.effects import CallEnv, pure_helpers
from paralift.passes.verdict import KernelVerdicts, analyze_kernel

@dataclass(frozen=True)
class FileAnalysis:
    path: str
    language: str
    kernels: tuple[KernelVerdicts, ...] = ()
    errors: tuple[Diagnostic, ...] = field(default=())
    module: ir.Module | None = None
    # what the file's reader wants to know but that does not stop analysis: a C header not found
    warnings: tuple[Diagnostic, ...] = field(default=())


def _error(path: str, code: str, message: str, line: int = 1, col: int = 0) -> Diagnostic:
    return Diagnostic(code, message, Span(line, col, line, col, path), Severity.ERROR)


def analyze_source(source: str, path: str = "<string>", language: str = "python",
                   cache: dict | None = None) -> FileAnalysis:
    """Analyze every function of one file. Syntax errors come back as diagnostics; in C,
    the functions that parse are analyzed anyway.

    With a `cache` (a dict the caller keeps), a function whose text, column and module
    context are unchanged is not analyzed again, even if lines above it came or went (its
    verdicts move with it): the editor re-analyzes only what an edit touched."""
    parse = frontend_for(language)
    if parse is None:
        return FileAnalysis(path, language, errors=(_error(
            path, "PL005", f"no frontend for {language} files"),))
    module, found = parse(source, path)
    errors = tuple(d for d in found if d.severity == Severity.ERROR)
    warnings = tuple(d for d in found if d.severity != Severity.ERROR)
    if module is None:
        return FileAnalysis(path, language, errors=errors, warnings=warnings)
    env = CallEnv(dict(module.imports), pure_helpers(module), module.language)
    if cache is None or language != "python":  # C spans name the function, not its whole text
        kernels = tuple(analyze_kernel(k, env) for k in module.kernels if k.kind == "function")
        return FileAnalysis(path, language, kernels, errors, module, warnings)
    lines = source_lines(source)
    context = (tuple(sorted(env.imports.items())), env.helpers, env.language, path)
    fresh: dict = {}
    for k in module.kernels:
        if k.kind != "function":
            continue
        # module-level code is scattered between the functions: its span does not cover it
        text = "\n".join(lines[k.span.line - 1:k.span.end_line]) if not k.name.startswith("<") else source
        key = (k.name, k.span.col, text, context)
        known = cache.get(key)
        moved = known if known is None or known.kernel.span.line == k.span.line else known.moved_to(k)
        fresh[key] = moved or analyze_kernel(k, env)
    cache.clear()
    cache.update(fresh)
    kernels = tuple(fresh.values())
    return FileAnalysis(path, language, kernels, errors, module, warnings)


def analyze_file(path: str) -> FileAnalysis:
    language = language_of(path) or ("python" if path.endswith(("pyw", "pyi")) or "." not in
                                      os.path.basename(path) else os.path.splitext(path)[1].lstrip("."))
    source, problem = read_source(path)
    if problem is not None:
        return FileAnalysis(path, language, errors=(problem,))
    return analyze_source(source, path, language)
