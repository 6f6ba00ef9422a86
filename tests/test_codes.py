"""The diagnostic registry is the one source of the codes: what `check` reports, its
--help, SARIF's levels and the README agree with it."""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from paralift.files import language_of
from paralift.check import check_source
from paralift.check_report import report_sarif
from paralift.diagnostics import CODES, checker_codes

ROOT = Path(__file__).parent.parent
CASES = Path(__file__).parent / "check_cases"


EXTRA = """void scatter(int n, double *a, const int *idx, const double *b) {
    #pragma omp parallel for
    for (int i = 0; i < n; i++) a[idx[i]] = b[i];
}
void twice(int n, double *y, const double *x) {
    for (int i = 0; i < n; i++) y[i] = 2.0 * x[i];
}
"""


def _results():
    return [check_source(p.read_text(), p.name, language_of(p.name), suggest=True)
            for p in sorted(CASES.iterdir())] + [check_source(EXTRA, "extra.c", "c", suggest=True)]


def test_every_reported_diagnostic_has_its_registered_severity():
    seen = set()
    for r in _results():
        for d in r.diagnostics:
            assert d.severity == CODES[d.code].severity, (d.code, d.severity, d.message)
            seen.add(d.code)
    assert {"PL101", "PL102", "PL103", "PL104", "PL105", "PL106", "PL110"} <= seen


def test_sarif_levels_come_from_the_registry():
    rules = report_sarif(_results())["runs"][0]["tool"]["driver"]["rules"]
    assert {r["id"]: r["defaultConfiguration"]["level"] for r in rules} == \
        {r["id"]: CODES[r["id"]].severity.value for r in rules}


def test_help_and_readme_name_every_checker_code():
    help_text = subprocess.run([sys.executable, "-m", "paralift", "check", "--help"], capture_output=True,
                               text=True, check=True).stdout
    readme = (ROOT / "README.md").read_text()
    for c in checker_codes():
        assert f"{c.code} {c.name}" in help_text, c.code
        assert c.code in readme, c.code


def _wrapped(example: str) -> tuple[str, str]:
    """A registry example as a whole file: (source, language)."""
    if example.lstrip().startswith("for i in"):
        return "def f(x, y, n):\n" + "".join("    " + line + "\n" for line in example.splitlines()), "python"
    declared = "" if "double t;" in example else "    double t = 0.0;\n"
    body = "".join("    " + line + "\n" for line in example.splitlines())
    return ("double f(int n, double *a, double *b, const int *idx) {\n    double s = 0.0;\n    int k = 0;\n"
            f"{declared}{body}    return s + t + k;\n}}\n"), "c"


def test_every_example_of_the_registry_gets_its_code_and_its_fix_does_not():
    for c in checker_codes():
        assert c.bad and c.good, c.code
        source, language = _wrapped(c.bad)
        got = [d.code for d in check_source(source, "ex." + ("c" if language == "c" else "py"), language,
                                             suggest=True).diagnostics]
        assert c.code in got, (c.code, got, source)
        source, language = _wrapped(c.good)
        fixed = check_source(source, "ex." + ("c" if language == "c" else "py"), language).diagnostics
        assert c.code not in [d.code for d in fixed if d.severity.value != "note"], (c.code, fixed, source)
