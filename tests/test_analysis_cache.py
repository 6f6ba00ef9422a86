"""The editor's analysis cache (`analyze_source(..., cache=)`): after any edit, what it
reports equals a fresh analysis of the new text, though functions that only moved are not
analyzed again."""
from __future__ import annotations

from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from paralift.analysis import analyze_source
from paralift.report import file_json

ROOT = Path(__file__).parent
FILES = sorted((ROOT.parent.parent / "shared" / "acceptance" / "python").glob("*.py")) + \
    sorted((ROOT / "realworld").glob("*.py"))
FILES = [f for f in FILES if f.exists()] or sorted((ROOT / "realworld").glob("*.py"))


def _report(source: str, cache=None) -> dict:
    return file_json(analyze_source(source, "k.py", "python", cache))


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.sampled_from(FILES), st.lists(st.tuples(st.floats(0, 1), st.sampled_from(["", "# note", "x_ = 1"])),
                                        min_size=1, max_size=3))
def test_moved_functions_report_what_a_fresh_analysis_reports(path: Path, inserts):
    lines = path.read_text().splitlines()
    cache: dict = {}
    _report("\n".join(lines), cache)
    for where, text in inserts:
        at = int(where * len(lines))
        # only between top-level statements: an indented line would change a function
        while at < len(lines) and lines[at][:1] in (" ", "\t", ")", "]", "}"):
            at += 1
        lines.insert(at, text)
        source = "\n".join(lines)
        assert _report(source, cache) == _report(source)


def test_a_moved_function_is_not_analyzed_again(monkeypatch):
    import paralift.analysis as analysis
    source = "def f(a, n):\n    for i in range(n):\n        a[i] = 0\n\n" \
             "def g(a, n):\n    for i in range(1, n):\n        a[i] = a[i - 1]\n"
    cache: dict = {}
    analyze_source(source, "k.py", "python", cache)
    calls = []
    real = analysis.analyze_kernel
    monkeypatch.setattr(analysis, "analyze_kernel", lambda k, env: calls.append(k.name) or real(k, env))
    moved = analyze_source("# a comment\n\n" + source, "k.py", "python", cache)
    assert calls == []
    assert [v.line for kv in moved.kernels for v in kv.loops] == [4, 8]
    assert file_json(moved) == _report("# a comment\n\n" + source)
