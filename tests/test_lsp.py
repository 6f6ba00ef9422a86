"""The language server over stdio, driven by pytest-lsp's client (no sleeps: every test
waits for the notification it needs)."""
from __future__ import annotations

import sys

import pytest
import pytest_lsp
from lsprotocol import types
from pytest_lsp import ClientServerConfig, LanguageClient

URI = "file:///work/kernels.py"
PARALLEL = """def scale(a, n):
    for i in range(n):
        a[i] = 2.0 * a[i]


def prefix(a, n):
    for i in range(1, n):
        a[i] += a[i - 1]
"""
RACY = """from numba import njit, prange


@njit(parallel=True)
def prefix(a, n):
    for i in prange(1, n):
        a[i] += a[i - 1]
"""


@pytest_lsp.fixture(config=ClientServerConfig(server_command=[sys.executable, "-m", "paralift", "lsp"]))
async def client(lsp_client: LanguageClient):
    await lsp_client.initialize_session(types.InitializeParams(capabilities=types.ClientCapabilities()))
    yield
    await lsp_client.shutdown_session()


async def _open(client: LanguageClient, text: str, uri: str = URI, language: str = "python"):
    client.text_document_did_open(types.DidOpenTextDocumentParams(
        text_document=types.TextDocumentItem(uri=uri, language_id=language, version=1, text=text)))
    await client.wait_for_notification(types.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS)
    return client.diagnostics[uri]


async def _change(client: LanguageClient, text: str, version: int, uri: str = URI):
    client.text_document_did_change(types.DidChangeTextDocumentParams(
        text_document=types.VersionedTextDocumentIdentifier(uri=uri, version=version),
        content_changes=[types.TextDocumentContentChangeWholeDocument(text=text)]))
    while True:  # the server drops results for older versions; wait for this one's
        params = await client.wait_for_notification(types.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS)
        if params.version == version:
            return client.diagnostics[uri]


@pytest.mark.asyncio
async def test_hints_on_parallel_loops_and_errors_on_racy_prange(client: LanguageClient):
    diags = await _open(client, PARALLEL)
    assert [(d.range.start.line, d.code, d.severity) for d in diags] == [(1, "PL110", types.DiagnosticSeverity.Hint)]
    diags = await _change(client, RACY, 2)
    (err,) = diags
    assert err.code == "PL101" and err.severity == types.DiagnosticSeverity.Error and err.range.start.line == 5
    assert [r.location.range.start.line for r in err.related_information] == [6, 6]


@pytest.mark.asyncio
async def test_half_typed_code_gives_a_syntax_error_not_a_crash_nor_stale_diagnostics(client: LanguageClient):
    await _open(client, PARALLEL)
    diags = await _change(client, PARALLEL + "\ndef broken(a:\n", 2)
    assert [d.code for d in diags] == ["PL001"]
    diags = await _change(client, PARALLEL, 3)  # fixed again: the hint is back, the error gone
    assert [d.code for d in diags] == ["PL110"]


@pytest.mark.asyncio
async def test_hover_explains_the_verdict_with_the_conflicting_accesses(client: LanguageClient):
    await _open(client, PARALLEL)
    hover = await client.text_document_hover_async(types.HoverParams(
        text_document=types.TextDocumentIdentifier(uri=URI), position=types.Position(line=6, character=6)))
    assert "**sequential**" in hover.contents.value
    assert "PL201 carried-dependence" in hover.contents.value and "(line 8)" in hover.contents.value
    nothing = await client.text_document_hover_async(types.HoverParams(
        text_document=types.TextDocumentIdentifier(uri=URI), position=types.Position(line=0, character=2)))
    assert nothing is None


@pytest.mark.asyncio
async def test_the_code_action_is_a_verified_numba_rewrite(client: LanguageClient):
    await _open(client, PARALLEL)
    actions = await client.text_document_code_action_async(types.CodeActionParams(
        text_document=types.TextDocumentIdentifier(uri=URI),
        range=types.Range(start=types.Position(line=1, character=4), end=types.Position(line=1, character=4)),
        context=types.CodeActionContext(diagnostics=[])))
    (action,) = actions
    assert "Numba" in action.title and action.edit is None  # made on resolve, after verification
    resolved = await client.code_action_resolve_async(action)
    (change,) = resolved.edit.document_changes
    new = change.edits[0].new_text
    assert "for i in numba.prange(n):" in new and "for i in range(1, n):" in new
    none = await client.text_document_code_action_async(types.CodeActionParams(
        text_document=types.TextDocumentIdentifier(uri=URI),
        range=types.Range(start=types.Position(line=6, character=4), end=types.Position(line=6, character=4)),
        context=types.CodeActionContext(diagnostics=[])))
    assert not none  # the prefix sum gets no action


@pytest.mark.asyncio
async def test_c_files_get_omp_checks(client: LanguageClient):
    uri = "file:///work/k.c"
    text = ("double dot(int n, const double *a) {\n    double s = 0.0;\n    #pragma omp parallel for\n"
            "    for (int i = 0; i < n; i++)\n        s += a[i];\n    return s;\n}\n")
    diags = await _open(client, text, uri, "c")
    assert [(d.code, d.range.start.line) for d in diags] == [("PL102", 3)]


@pytest.mark.asyncio
async def test_c_headers_beside_the_file_are_read_and_a_missing_one_is_a_warning(client: LanguageClient, tmp_path):
    (tmp_path / "cfg.h").write_text("#define SCALE(x) ((x) * 2.0)\n")
    text = ('#include "cfg.h"\nvoid scale(int n, double *a) {\n    for (int i = 0; i < n; i++)\n'
            "        a[i] = SCALE(a[i]);\n}\n")
    found = await _open(client, text, (tmp_path / "k.c").as_uri(), "c")
    assert "PL006" not in [d.code for d in found] and [d.range.start.line for d in found] == [2], found
    missing = await _open(client, text.replace("cfg.h", "gone.h"), (tmp_path / "m.c").as_uri(), "c")
    (warning,) = [d for d in missing if d.code == "PL006"]
    assert warning.range.start.line == 0 and "gone.h" in warning.message
    assert warning.severity == types.DiagnosticSeverity.Warning


def test_the_server_sets_what_is_alive_aside_from_the_collector_and_collects_in_full_now_and_then(monkeypatch):
    """After each refresh the caches are frozen out of the collector's full collections
    (which otherwise walk them in the middle of the next parse); every FULL_GC_EVERY
    refreshes a full collection frees what has since been dropped."""
    import gc

    from paralift import lsp
    calls = []
    monkeypatch.setattr(gc, "collect", lambda *a: calls.append("collect") or 0)
    monkeypatch.setattr(gc, "unfreeze", lambda: calls.append("unfreeze"))
    monkeypatch.setattr(gc, "freeze", lambda: calls.append("freeze"))
    server = lsp.ParaliftServer()
    for _ in range(2 * lsp.FULL_GC_EVERY):
        server._settle()
    assert calls.count("freeze") == 2 * lsp.FULL_GC_EVERY
    assert calls.count("collect") == calls.count("unfreeze") == 2
    at = calls.index("collect")
    assert calls[at - 1:at + 2] == ["unfreeze", "collect", "freeze"]
