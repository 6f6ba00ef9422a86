"""How `paralift check` reports: text lines, JSON, or SARIF 2.1.0 for code scanning."""
from __future__ import annotations

from paralift import __version__
from paralift.check import CheckResult
from paralift.diagnostics import CODES, Diagnostic

SARIF_SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
_LEVEL = {"error": "error", "warning": "warning", "note": "note"}


def text_lines(results: list[CheckResult]) -> list[str]:
    out = []
    for r in results:
        for d in r.errors + r.diagnostics:
            out.append(f"{d.span.file or r.path}:{d.span.line}:{d.span.col + 1}: {d.severity.value} "
                       f"{d.code} {CODES[d.code].name}: {d.message}")
    return out


def _diag_json(d: Diagnostic, path: str) -> dict:
    return {"path": d.span.file or path, "line": d.span.line, "column": d.span.col + 1, "code": d.code,
            "name": CODES[d.code].name, "severity": d.severity.value, "message": d.message,
            "related": [{"line": s.line, "column": s.col + 1} for s in d.related]}


def report_json(results: list[CheckResult]) -> dict:
    return {"files": [{"path": r.path, "parallel_loops_checked": r.checked,
                       "diagnostics": [_diag_json(d, r.path) for d in r.diagnostics],
                       "errors": [_diag_json(d, r.path) for d in r.errors]} for r in results]}


def _location(path: str, line: int, col: int) -> dict:
    return {"physicalLocation": {"artifactLocation": {"uri": path.lstrip("./") if path.startswith("./") else path},
                                 "region": {"startLine": max(line, 1), "startColumn": col + 1}}}


def report_sarif(results: list[CheckResult]) -> dict:
    """One run; a rule per code that occurs, with its example as help; errors at level `error`
    on the loop's line, the conflicting accesses as related locations."""
    used = sorted({d.code for r in results for d in r.errors + r.diagnostics})
    rules = []
    for code in used:
        c = CODES[code]
        help_text = c.summary + (f"\n\nBad:\n{c.bad}\n\nGood:\n{c.good}" if c.bad else "")
        rules.append({"id": code, "name": c.name, "shortDescription": {"text": c.summary},
                      "fullDescription": {"text": c.summary}, "help": {"text": help_text},
                      "defaultConfiguration": {"level": _LEVEL[c.severity.value]}})
    index = {code: n for n, code in enumerate(used)}
    results_out = []
    for r in results:
        for d in r.errors + r.diagnostics:
            path = d.span.file or r.path
            item = {"ruleId": d.code, "ruleIndex": index[d.code], "level": _LEVEL[d.severity.value],
                    "message": {"text": d.message}, "locations": [_location(path, d.span.line, d.span.col)]}
            if d.related:
                item["relatedLocations"] = [dict(_location(path, s.line, s.col), id=k)
                                            for k, s in enumerate(d.related)]
            results_out.append(item)
    return {"$schema": SARIF_SCHEMA, "version": "2.1.0",
            "runs": [{"tool": {"driver": {"name": "paralift", "version": __version__,
                                          "informationUri": "https://github.com/paralift/paralift",
                                          "rules": rules}},
                      "results": results_out}]}
