"""The C preprocessor step (frontend/cpp.py): the code analyzed is what the compiler sees,
and every span points into the text as written."""
from __future__ import annotations

import re
import subprocess
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from paralift.cbuild import build_flags
from paralift.frontend import cpp
from paralift.frontend.c import parse
from paralift.ir import printer

MACROS = """#define SQR(x) ((x) * (x))
#define TWICE(x) (2 * (x))
#define IDX(i, j) ((i) * m + (j))
#define REAL double
#define ZERO 0.0
#define LOOP_END n
"""


def _ir(source: str, preprocess: bool = True) -> str:
    module, errors = parse(source, "/tmp/k.c", preprocess=preprocess)
    assert not [e for e in errors if e.severity.value == "error"], errors
    return re.sub(r"  # line \d+", "", printer.module(module))


def _oracle(source: str) -> str:
    """The same file expanded by `cc -E -P` and parsed as plain C."""
    expanded = subprocess.run(["cc", "-E", "-P", "-x", "c", "-"], input=source, capture_output=True, text=True,
                              check=True).stdout
    return _ir(expanded, preprocess=False)


def test_tokens_outside_macros_map_to_themselves():
    source = MACROS + "void f(int n, REAL *a) {\n  for (int i = 0; i < LOOP_END; i++)\n    a[i] = SQR(a[i]) + ZERO;\n}\n"
    e, notes = cpp.expand(source, "/tmp/k.c")
    assert e is not None and notes == ()
    lines = source.split("\n")
    for start, end, origin in zip(e.starts, e.ends, e.origins):
        if origin is not None and origin.use is None:  # the user's own token, or an argument's copy
            assert lines[origin.line - 1][origin.col:origin.end_col] == e.text[start:end]
    whole = re.search(r"\(\(\s*a\[i\]\s*\)\s*\*\s*\(\s*a\[i\]\s*\)\)", e.text)
    span = e.span(whole.start(), whole.end())
    assert span.spelled and lines[span.line - 1][span.col:span.end_col] == "SQR(a[i])"
    inner = re.search(r"\(\s*a\[i\]\s*\)", e.text[whole.start() + 1:])
    inner = e.span(whole.start() + 1 + inner.start(), whole.start() + 1 + inner.end())
    assert not inner.spelled  # `(a[i])` is part of what SQR wrote


ARG = st.sampled_from(["a[i]", "b[i]", "i", "n", "a[i] * b[i]", "ZERO"])
EXPR = st.recursive(ARG, lambda inner: st.one_of(
    st.builds(lambda x: f"SQR({x})", inner), st.builds(lambda x: f"TWICE({x})", inner),
    st.builds(lambda x, y: f"{x} + {y}", inner, inner), st.builds(lambda x: f"({x})", inner)), max_leaves=6)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(EXPR, st.booleans())
def test_the_analyzed_code_is_what_the_compiler_sees(expr: str, guarded: bool):
    """Brute-force oracle: the preprocessed parse equals the parse of `cc -E -P`'s output."""
    guard = ("#if 0\n  a[0] = 1;\n#else\n", "#endif\n") if guarded else ("", "")
    source = (MACROS + "REAL f(int n, int m, REAL *a, const REAL *b) {\n  REAL s = ZERO;\n" + guard[0]
              + f"  for (int i = 0; i < LOOP_END; i++)\n    a[i] = {expr};\n" + guard[1] + "  return s;\n}\n")
    assert _ir(source) == _oracle(source)


def test_conditional_groups_are_resolved_as_the_compiler_does():
    source = "#ifndef FAST\n#define FAST 1\n#endif\nvoid f(int n, double *a) {\n#if FAST\n  for (int i = 0; i < n; i++) a[i] = 0;\n" \
             "#else\n  for (int i = 1; i < n; i++) a[i] = a[i - 1];\n#endif\n}\n"
    module, _ = parse(source, "/tmp/k.c")
    (loop,) = module.kernels[0].body
    assert loop.span.line == 6
    with build_flags(["-DFAST=0"]):
        module, _ = parse(source, "/tmp/k.c")
    assert module.kernels[0].body[0].span.line == 8


def test_a_pasting_macro_falls_back_to_marking_uses_only():
    source = "#define F(x) x ## _v\nvoid f(int n, double *a_v) {\n  for (int i = 0; i < n; i++)\n    F(a)[i] = 1;\n}\n"
    e, _ = cpp.expand(source, "/tmp/k.c")
    assert e is not None and "a_v[i]" in e.text.replace(" ", "")


def test_an_unbalanced_marker_change_falls_back_to_the_raw_text():
    # `CALL(G)` expands to `G`, which then takes `(2)` from the text: a marker between them
    # would stop that, so the map is refused rather than trusted
    source = "#define G(x) (x + 1)\n#define CALL(f) f\nint g(void) { return CALL(G)(2); }\n"
    e, _ = cpp.expand(source, "/tmp/k.c")
    assert e is None
    module, errors = parse(source, "/tmp/k.c")
    assert [k.name for k in module.kernels if k.kind == "function"] == ["g"] and not errors


def test_a_missing_header_is_named_and_the_rest_is_analyzed(tmp_path: Path):
    source = '#include <math.h>\n#include "nowhere.h"\n#define SCALE 2.0\n' \
             "void f(int n, double *a) {\n  for (int i = 0; i < n; i++) a[i] = sqrt(a[i]) * SCALE;\n}\n"
    module, notes = parse(source, str(tmp_path / "k.c"))
    (note,) = notes
    assert note.code == "PL006" and note.span.line == 2 and "nowhere.h" in note.message
    assert "sqrt(a[i]) * 2.0" in printer.module(module)


def test_an_error_directive_is_reported_and_the_file_read_as_written():
    source = "#ifndef N\n#error define N\n#endif\nvoid f(int n, double *a) { for (int i = 0; i < n; i++) a[i] = N; }\n"
    module, notes = parse(source, "/tmp/k.c")
    assert [n.code for n in notes] == ["PL006"] and "define N" in notes[0].message and notes[0].span.line == 2
    assert [k.name for k in module.kernels] == ["f"]


def test_columns_count_characters_after_non_ascii_text():
    source = '#define V 1.0\n/* \u00e9t\u00e9 \u2014 d\u00e9j\u00e0 */ void f(int n, double *a) { for (int i = 0; i < n; i++) a[i] = V; }\n'
    module, _ = parse(source, "/tmp/k.c")
    loop = module.kernels[0].body[0]
    line = source.split("\n")[loop.span.line - 1]
    assert line[loop.span.col:].startswith("for (int i")


def test_functions_of_headers_are_not_the_files_own(tmp_path: Path):
    (tmp_path / "helpers.h").write_text("static inline void helper(int n, double *a) { for (int i = 0; i < n; i++) a[i] = 0; }\n")
    source = '#include "helpers.h"\nvoid mine(int n, double *a) { for (int i = 0; i < n; i++) a[i] = 1; }\n'
    module, _ = parse(source, str(tmp_path / "k.c"))
    assert [k.name for k in module.kernels] == ["mine"]
    assert module.kernels[0].span.line == 2


def test_files_without_directives_are_not_preprocessed():
    assert not cpp.needs_preprocessing("void f(void) {}\n#pragma omp parallel\n")
    assert cpp.needs_preprocessing("#include <math.h>\n")


def test_typedefs_of_headers_give_the_tester_its_types(tmp_path: Path):
    (tmp_path / "types.h").write_text("typedef double real;\ntypedef real real_t;\n")
    source = '#include <stddef.h>\n#include "types.h"\n' \
             "real_t total(size_t n, const real *x) { real s = 0; for (size_t i = 0; i < n; i++) s += x[i]; return s; }\n"
    module, _ = parse(source, str(tmp_path / "k.c"))
    (k,) = module.kernels
    assert [p.ctype for p in k.params] == ["unsigned long", "const double *"] and k.returns == "double"


def test_a_statement_ending_in_a_macro_use_spans_all_of_it():
    source = "#define S(x) x\nvoid f(int n, double *a) {\n    for (int i = 0; i < n; i++)\n" \
             "        a[i] = (a[i] +\n                1) / S(9.0);\n}\n"
    module, _ = parse(source, "/tmp/k.c")
    (loop,) = module.kernels[0].body
    (stmt,) = loop.body
    lines = source.split("\n")
    assert lines[stmt.span.end_line - 1][:stmt.span.end_col].endswith("S(9.0)") and stmt.span.spelled
    nine = stmt.value.right  # all the macro wrote: the whole use
    assert lines[nine.span.line - 1][nine.span.col:nine.span.end_col] == "S(9.0)" and nine.span.spelled
