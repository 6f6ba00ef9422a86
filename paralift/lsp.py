"""`paralift lsp`: the analysis in the editor, over the Language Server Protocol (pygls 2).

- Diagnostics as the user types, debounced: a hint on every loop that can run in parallel
  (or as a reduction), and `paralift check`'s errors on loops that already are parallel.
  A document that does not parse gets its syntax error in place of the old diagnostics,
  so nothing stale stays on screen; a result computed for an older version is dropped.
- Hover on a `for` line: the verdict, and why (the conflicting accesses, with lines).
- Code actions on a parallel loop: rewrite its function for Numba (Python) or add the
  OpenMP pragma (C). The edit is made on `codeAction/resolve`, after the tester has
  verified it, so merely moving the cursor costs nothing and nothing unverified is applied.
"""
from __future__ import annotations

import asyncio
import gc
from dataclasses import dataclass

from lsprotocol import types
from pygls.lsp.server import LanguageServer

from paralift import __version__, targets
from paralift.analysis import FileAnalysis, analyze_source
from paralift.check import CheckResult, check_analysis
from paralift.diagnostics import Severity
from paralift.files import language_of, source_lines

DEBOUNCE_S = 0.05  # coalesces bursts of keystrokes; results for older versions are dropped anyway
FULL_GC_EVERY = 64  # refreshes between full garbage collections (see `_settle`)
_SEVERITY = {Severity.ERROR: types.DiagnosticSeverity.Error, Severity.WARNING: types.DiagnosticSeverity.Warning,
             Severity.NOTE: types.DiagnosticSeverity.Information}


@dataclass
class _State:
    version: int
    source: str
    analysis: FileAnalysis
    check: CheckResult


def language_of_uri(uri: str, language_id: str | None = None) -> str:
    if language_id in ("c", "cpp", "cuda"):
        return "c"
    return language_of(uri) or "python"


def compute(source: str, uri: str, language: str, cache: dict | None = None) -> tuple[FileAnalysis, CheckResult]:
    fa = analyze_source(source, uri, language, cache)
    return fa, check_analysis(fa, source)


def to_lsp(fa: FileAnalysis, check: CheckResult, lines: list[str]) -> list[types.Diagnostic]:
    out = []
    for e in fa.errors + fa.warnings:
        line = max(e.span.line - 1, 0)
        out.append(types.Diagnostic(range=_range(line, e.span.col, line, len(lines[line]) if line < len(lines) else 0),
                                    message=e.message, severity=_SEVERITY[e.severity], code=e.code,
                                    source="paralift"))
    flagged = {d.span.line for d in check.diagnostics}
    for d in check.diagnostics:
        line = d.span.line - 1
        related = [types.DiagnosticRelatedInformation(
            location=types.Location(uri=fa.path, range=_range(s.line - 1, s.col, s.end_line - 1, s.end_col)),
            message="conflicting access") for s in d.related if s.line]
        out.append(types.Diagnostic(range=_line_range(lines, line), message=d.message, severity=_SEVERITY[d.severity],
                                    code=d.code, source="paralift", related_information=related or None))
    for kv in fa.kernels:
        covered: set[int] = set()
        for v in kv.loops:  # one hint per nest: its outermost loop that can run in parallel
            if id(v.loop) in covered or v.loop.span.line in flagged or v.verdict == "sequential":
                continue
            covered |= _inner_ids(v.loop)
            what = "can run in parallel" if v.verdict == "parallel" else \
                "can run in parallel as a reduction (" + ", ".join(f"{op}:{t}" for op, t in v.reductions) + ")"
            out.append(types.Diagnostic(range=_line_range(lines, v.loop.span.line - 1), message=f"this loop {what}",
                                        severity=types.DiagnosticSeverity.Hint, code="PL110", source="paralift"))
    return out


def _inner_ids(loop) -> set[int]:
    from paralift.ir import nodes as ir
    from paralift.ir.walk import walk_stmts
    return {id(s) for s in walk_stmts([loop]) if isinstance(s, ir.Loop)}


def _range(l0: int, c0: int, l1: int, c1: int) -> types.Range:
    return types.Range(start=types.Position(line=max(l0, 0), character=max(c0, 0)),
                       end=types.Position(line=max(l1, 0), character=max(c1, 0)))


def _line_range(lines: list[str], line: int) -> types.Range:
    text = lines[line] if 0 <= line < len(lines) else ""
    return _range(line, len(text) - len(text.lstrip()), line, len(text))


def hover_text(fa: FileAnalysis, line: int) -> str | None:
    """Markdown for the loop whose header is on `line` (1-based)."""
    for kv in fa.kernels:
        for v in kv.loops:
            if v.loop.span.line != line:
                continue
            parts = [f"**paralift**: `{v.loop.var}` loop in `{kv.kernel.name}` is **{v.verdict}**"]
            if v.reductions:
                parts.append("reductions: " + ", ".join(f"`{op}:{t}`" for op, t in v.reductions))
            if v.private:
                parts.append("private: " + ", ".join(f"`{p}`" for p in v.private))
            if v.lastprivate:
                parts.append("last values used after it: " + ", ".join(f"`{p}`" for p in v.lastprivate))
            if v.induction:
                parts.append("induction variables: " + ", ".join(f"`{n}` (+{s})" for n, s in v.induction))
            if v.distinct:
                parts.append("assumes " + ", ".join(f"`{a}`" for a in v.distinct) + " do not overlap in "
                             "memory (paralift's aliasing assumption, as `restrict` in C)")
            for r in v.reasons:
                parts.append(f"- {r.code} {r.name}: {r.message}")
            parts += [f"**hint**: {hint.describe()}" for hint in v.hints]
            return "\n\n".join(parts)
    return None


class ParaliftServer(LanguageServer):
    def __init__(self):
        super().__init__("paralift", __version__)
        self.states: dict[str, _State] = {}
        self.tasks: dict[str, asyncio.Task] = {}
        self.caches: dict[str, dict] = {}  # per document: functions analyzed, by text and position
        self.refreshes = 0

    def schedule(self, uri: str, delay: float) -> None:
        """(Re)start the analysis of `uri`; a newer edit cancels an older run. When no run
        is pending the first edit starts at once; `delay` only coalesces a burst."""
        old = self.tasks.pop(uri, None)
        busy = old is not None and not old.done()
        if busy:
            old.cancel()
        self.tasks[uri] = asyncio.get_running_loop().create_task(self._refresh(uri, delay if busy else 0))

    async def _refresh(self, uri: str, delay: float) -> None:
        await asyncio.sleep(delay)
        doc = self.workspace.get_text_document(uri)
        version, source = doc.version or 0, doc.source
        language = language_of_uri(uri, doc.language_id)
        cache = self.caches.setdefault(uri, {})
        fa, check = await asyncio.get_running_loop().run_in_executor(None, compute, source, uri, language, cache)
        doc = self.workspace.get_text_document(uri)
        if (doc.version or 0) != version:
            return  # the document moved on: its own run publishes
        self.states[uri] = _State(version, source, fa, check)
        self.text_document_publish_diagnostics(types.PublishDiagnosticsParams(
            uri=uri, version=version, diagnostics=to_lsp(fa, check, source_lines(source))))
        self._settle()

    def _settle(self) -> None:
        """After publishing: what is alive now (the caches, mostly) is set aside from the
        garbage collector's full collections, which otherwise walk it all, often in the
        middle of the next parse (a keystroke's analysis took 65 ms instead of 30 on a
        2,000-line file). Every FULL_GC_EVERY refreshes, with the diagnostics out, a full
        collection frees any cycles among what was set aside and has since been dropped."""
        self.refreshes += 1
        if self.refreshes % FULL_GC_EVERY == 0:
            gc.unfreeze()
            gc.collect()
        gc.freeze()


server = ParaliftServer()


@server.feature(types.TEXT_DOCUMENT_DID_OPEN)
async def did_open(ls: ParaliftServer, params: types.DidOpenTextDocumentParams):
    ls.schedule(params.text_document.uri, 0)


@server.feature(types.TEXT_DOCUMENT_DID_CHANGE)
async def did_change(ls: ParaliftServer, params: types.DidChangeTextDocumentParams):
    ls.schedule(params.text_document.uri, DEBOUNCE_S)


@server.feature(types.TEXT_DOCUMENT_DID_CLOSE)
async def did_close(ls: ParaliftServer, params: types.DidCloseTextDocumentParams):
    uri = params.text_document.uri
    task = ls.tasks.pop(uri, None)
    if task is not None:
        task.cancel()
    ls.states.pop(uri, None)
    ls.caches.pop(uri, None)
    ls.text_document_publish_diagnostics(types.PublishDiagnosticsParams(uri=uri, diagnostics=[]))


@server.feature(types.TEXT_DOCUMENT_HOVER)
def hover(ls: ParaliftServer, params: types.HoverParams):
    state = ls.states.get(params.text_document.uri)
    if state is None:
        return None
    text = hover_text(state.analysis, params.position.line + 1)
    if text is None:
        return None
    return types.Hover(contents=types.MarkupContent(kind=types.MarkupKind.Markdown, value=text))


@server.feature(types.TEXT_DOCUMENT_CODE_ACTION,
                types.CodeActionOptions(code_action_kinds=[types.CodeActionKind.RefactorRewrite],
                                        resolve_provider=True))
def code_actions(ls: ParaliftServer, params: types.CodeActionParams):
    uri = params.text_document.uri
    state = ls.states.get(uri)
    if state is None:
        return []
    line = params.range.start.line + 1
    target = targets.default_for(state.analysis.language)
    for kv in state.analysis.kernels:
        for v in kv.loops:
            if v.loop.span.line == line and v.verdict != "sequential":
                title = f"paralift: rewrite `{kv.kernel.name}` for {targets.target(target).title} (verified)"
                return [types.CodeAction(title=title, kind=types.CodeActionKind.RefactorRewrite,
                                         data={"uri": uri, "function": kv.kernel.name, "target": target,
                                               "version": state.version})]
    return []


@server.feature(types.CODE_ACTION_RESOLVE)
async def resolve_code_action(ls: ParaliftServer, action: types.CodeAction):
    from paralift.rewriting import rewrite_source
    data = action.data or {}
    doc = ls.workspace.get_text_document(data["uri"])
    source = doc.source
    res = await asyncio.get_running_loop().run_in_executor(
        None, lambda: rewrite_source(source, data["uri"], target=data["target"], functions={data["function"]}))
    if res.refused or not res.changed:
        why = res.refused[0].summary() if res.refused else "nothing to rewrite"
        action.disabled = types.CodeActionDisabledType(reason=why)
        return action
    lines = source_lines(source, keepends=True)
    end = types.Position(line=len(lines), character=0)
    edit = types.TextEdit(range=types.Range(start=types.Position(line=0, character=0), end=end), new_text=res.result)
    action.edit = types.WorkspaceEdit(document_changes=[types.TextDocumentEdit(
        text_document=types.OptionalVersionedTextDocumentIdentifier(uri=data["uri"], version=doc.version),
        edits=[edit])])
    return action


def main() -> None:
    server.start_io()
