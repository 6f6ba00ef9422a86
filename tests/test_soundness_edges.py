"""Analysis edges of issue 12 beyond the fuzzer's Python kernels: C's statics, rows behind
pointer-to-pointer parameters, pragmas in odd places, the aliasing assumption said per
loop, and a bounded cost per function."""
from __future__ import annotations

from paralift.analysis import analyze_source
from paralift.check import check_source
from paralift.passes.verdict import MAX_DEPTH
from paralift.report import loop_json


def _loops(source: str, path: str = "k.c"):
    fa = analyze_source(source, path, "c" if path.endswith(".c") else "python")
    assert not fa.errors, fa.errors
    return {v.line: v for kv in fa.kernels for v in kv.loops}


def test_a_static_local_is_shared_by_every_iteration():
    source = "void f(int n, int *a) {\n  for (int i = 0; i < n; i++) {\n    static int k;\n    k = i;\n" \
             "    a[i] = k;\n  }\n}\n"
    v = _loops(source)[2]
    assert v.verdict == "sequential" and v.reasons[0].code == "PL208"


def test_rows_behind_a_double_pointer_may_alias_unless_restrict():
    body = "(int n, int m, double {} rows) {{\n  for (int i = 0; i < n; i++)\n" \
           "    for (int j = 0; j < m; j++)\n      rows[i][j] *= 2.0;\n}}\n"
    shared = _loops("void f" + body.format("**"))[2]
    assert shared.verdict == "sequential"
    assert _loops("void f" + body.format("*restrict *"))[2].verdict == "parallel"
    assert _loops("void f" + body.format("**"))[3].verdict == "parallel"  # within one row


def test_c_logical_or_is_a_boolean_reduction_python_or_only_over_booleans():
    c = "int f(int n, const double *a) {\n  int found = 0;\n  for (int i = 0; i < n; i++)\n" \
        "    found = found || a[i] > 0;\n  return found;\n}\n"
    assert _loops(c)[3].reductions == (("or", "found"),)
    py_bool = "def f(a, n):\n    found = False\n    for i in range(n):\n        found = found or a[i] > 0\n" \
              "    return found\n"
    py_value = py_bool.replace("a[i] > 0", "a[i]")
    assert _loops(py_bool, "k.py")[3].reductions == (("or", "found"),)
    assert _loops(py_value, "k.py")[3].verdict == "sequential"


def test_a_pragma_between_a_braceless_for_and_its_body_parses():
    source = "void g(int n, double *a, const double *b) {\n  #pragma omp parallel for\n" \
             "  for (int i = 0; i < n; i++)\n  #pragma omp simd\n    for (int j = 0; j < n; j++)\n" \
             "      a[i * n + j] = 2.0 * b[i * n + j];\n}\n"
    res = check_source(source, "g.c", "c")
    assert not res.errors and res.checked == 1 and not res.diagnostics


def test_the_aliasing_assumption_is_said_per_loop():
    source = "def f(a, b, n):\n    for i in range(n):\n        b[i] = 2.0 * a[i]\n\n\n" \
             "def g(a, n):\n    for i in range(n):\n        a[i] = 2.0 * a[i]\n"
    loops = _loops(source, "k.py")
    assert loop_json(loops[2])["assumes_no_overlap"] == ["a", "b"]
    assert loop_json(loops[7])["assumes_no_overlap"] == []


def test_the_work_per_function_is_bounded_and_said():
    depth = MAX_DEPTH + 46
    lines = ["void f(int n, double *a) {"] + [f"for (int i{k} = 0; i{k} < n; i{k}++)" for k in range(depth)]
    lines += ["a[" + " + ".join(f"i{k}" for k in range(depth)) + "] += 1.0;", "}"]
    loops = _loops("\n".join(lines) + "\n")  # 70 deep took 89 s, and 100 deep never ended
    assert all(v.verdict == "sequential" and "deeper than the analysis takes on" in v.reasons[0].message
               for v in loops.values())


def test_a_counter_stepped_inside_a_statement_is_an_induction():
    source = "void copy(int n, const double *b, double *a) {\n  int k = 0;\n  for (int i = 0; i < n; i++)\n" \
             "    a[k++] = b[i];\n}\n\nint compact(int n, const double *b, double *a) {\n  int len = 0;\n" \
             "  for (int i = 0; i < n; i++)\n    if (b[i] > 0)\n      a[len++] = b[i];\n  return len;\n}\n\n" \
             "void twice(int n, int *a) {\n  int k = 0;\n  for (int i = 0; i < n; i++)\n    a[k++] = k;\n}\n"
    loops = _loops(source)
    assert loops[3].verdict == "parallel" and loops[3].induction == (("k", 1),)
    assert loops[9].verdict == "sequential"   # a conditional step is a stream compaction
    assert loops[17].verdict == "sequential"  # `k` read beside its step: the order is C's business
