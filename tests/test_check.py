"""`paralift check`: planted races found, race-free loops left alone, every output format."""
from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from paralift.check import check_source, parse_pragma
from paralift.cli import main
from paralift.diagnostics import CODES, Severity

CASES = Path(__file__).parent / "check_cases"
ERRORS = {"PL101", "PL102", "PL103", "PL104", "PL105"}


def _expectations(path: Path) -> dict[int, set[str]]:
    out = {}
    for n, line in enumerate(path.read_text().splitlines(), 1):
        m = re.search(r"expect: ((?:PL\d+\s*)+|clean)", line)
        if m:
            out[n] = set() if m.group(1) == "clean" else set(m.group(1).split())
    return out


def _scores():
    """Per already-parallel loop: the codes planted, and the codes found."""
    rows = []
    for path, language in ((CASES / "prange_kernels.py", "python"), (CASES / "omp_kernels.c", "c")):
        res = check_source(path.read_text(), str(path), language)
        found: dict[int, set[str]] = {}
        for d in res.diagnostics:
            found.setdefault(d.span.line, set()).add(d.code)
        for line, expected in _expectations(path).items():
            rows.append((f"{path.name}:{line}", expected, found.get(line, set())))
    return rows


def test_every_planted_race_is_found_and_no_race_free_loop_is_flagged():
    rows = _scores()
    assert len(rows) >= 20
    racy = [r for r in rows if r[1] & ERRORS]
    flagged = [r for r in rows if r[2] & ERRORS]
    true_pos = [r for r in racy if r[2] & ERRORS]
    recall = len(true_pos) / len(racy)
    precision = len(true_pos) / len(flagged)
    print(f"\ncheck: {len(rows)} parallel loops, {len(racy)} racy: precision {precision:.2f}, recall {recall:.2f}")
    assert recall == 1.0 and precision == 1.0
    for where, expected, got in rows:  # and each with the right codes
        assert got == expected, where


def test_the_pragma_clauses_are_read():
    c = parse_pragma(" private(t, u) firstprivate(x) lastprivate(y) reduction(+: s, out[:n]) "
                     "reduction(max:m) linear(k:2) default(none) schedule(static, 1)")
    assert c.private == {"t", "u", "x", "y"} and c.lastprivate == {"y"} and c.linear == {"k"}
    assert set(c.reductions) == {("+", "s"), ("+", "out"), ("max", "m")} and not c.default_private


def test_cli_exit_status_formats_and_bad_input(tmp_path, capsys):
    clean = tmp_path / "clean.c"
    clean.write_text("void f(int n, double *a) {\n    #pragma omp parallel for\n"
                     "    for (int i = 0; i < n; i++)\n        a[i] = 2.0 * a[i];\n}\n")
    racy = tmp_path / "racy.py"
    racy.write_text("from numba import njit, prange\n\n\n@njit(parallel=True)\ndef f(a, n):\n"
                    "    for i in prange(1, n):\n        a[i] += a[i - 1]\n")
    broken = tmp_path / "broken.py"
    broken.write_text("def f(:\n")
    assert main(["check", str(clean)]) == 0
    assert main(["check", str(racy)]) == 1
    out = capsys.readouterr().out
    assert f"{racy}:6:5: error PL101 racy-loop:" in out and "`a[i - 1]` (line 7)" in out
    assert main(["check", str(broken), str(racy)]) == 2  # the racy file is still checked
    assert "PL101" in capsys.readouterr().out

    assert main(["check", str(racy), "--format", "json"]) == 1
    report = json.loads(capsys.readouterr().out)
    (d,) = report["files"][0]["diagnostics"]
    assert (d["code"], d["name"], d["line"], d["severity"]) == ("PL101", "racy-loop", 6, "error")

    assert main(["check", str(racy), "--format", "sarif"]) == 1
    sarif = json.loads(capsys.readouterr().out)
    assert sarif["version"] == "2.1.0" and sarif["$schema"].endswith("sarif-2.1.0.json")
    run = sarif["runs"][0]
    (result,) = run["results"]
    assert result["level"] == "error" and result["ruleId"] == "PL101"
    assert result["locations"][0]["physicalLocation"]["region"]["startLine"] == 6
    assert run["tool"]["driver"]["rules"][result["ruleIndex"]]["id"] == "PL101"
    assert [loc["physicalLocation"]["region"]["startLine"] for loc in result["relatedLocations"]] == [7, 7]


def test_ignore_comments_silence_only_their_codes():
    source = ("from numba import prange\n\n\ndef f(a, n):\n"
              "    for i in prange(1, n):  # paralift: ignore[PL106]\n        a[i] += a[i - 1]\n")
    assert [d.code for d in check_source(source, "f.py", "python").diagnostics] == ["PL101"]
    quiet = source.replace("PL106", "PL101")
    assert check_source(quiet, "f.py", "python").diagnostics == ()


def test_suggest_notes_sequential_loops_that_could_be_parallel():
    source = "def f(a, b, n):\n    for i in range(n):\n        b[i] = 2.0 * a[i]\n    for i in range(1, n):\n" \
             "        a[i] += a[i - 1]\n"
    res = check_source(source, "f.py", "python", suggest=True)
    assert [(d.code, d.span.line, d.severity) for d in res.diagnostics] == [("PL110", 2, Severity.NOTE)]
    assert check_source(source, "f.py", "python").diagnostics == ()


@pytest.mark.parametrize("code", sorted(c for c in CODES if c.startswith("PL1")))
def test_every_check_code_has_a_name_and_a_bad_and_good_example(code):
    c = CODES[code]
    assert re.fullmatch(r"[a-z]+(-[a-z]+)+", c.name) and c.bad and c.good and c.bad != c.good
