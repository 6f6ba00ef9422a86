"""C as projects write it (issue 15, first steps): a header beside the file, compact lines."""
from __future__ import annotations

from pathlib import Path

import pytest

from paralift.rewriting import rewrite_source

KERNEL = '#include "params.h"\n\nvoid scale(int n, double *a) {\n    for (int i = 0; i < n; i++)\n        a[i] = a[i] * SCALE;\n}\n'


@pytest.mark.parametrize("target", ["openmp", "mpi"])
def test_a_header_beside_the_file_is_found_by_the_tester(tmp_path: Path, target):
    (tmp_path / "params.h").write_text("#define SCALE 2.0\n")
    path = tmp_path / "k.c"
    path.write_text(KERNEL)
    res = rewrite_source(KERNEL, str(path), target=target, check=True)
    assert not res.refused, [v.summary() for v in res.refused]  # was: params.h: No such file
    assert [v.function for v in res.verdicts] == ["scale"]


FLAGGED = '#include "cfg.h"\n#ifndef N\n#error "N is needed"\n#endif\n\nvoid scale(int n, double *a) {\n' \
          '    for (int i = 0; i < n; i++)\n        a[i] = a[i] * FACTOR + N;\n}\n'


def _rewrite(root: Path, *flags: str):
    import subprocess
    import sys
    return subprocess.run([sys.executable, "-m", "paralift", "rewrite", "k.c", *flags], capture_output=True,
                          text=True, cwd=root)


def test_build_flags_reach_the_tester_and_a_missing_one_is_named(tmp_path: Path):
    (tmp_path / "include").mkdir()
    (tmp_path / "include" / "cfg.h").write_text("#define FACTOR 3.0\n")
    (tmp_path / "k.c").write_text(FLAGGED)
    no_include = _rewrite(tmp_path)
    assert no_include.returncode == 3 and "give the directory that holds cfg.h with -I DIR" in no_include.stderr
    no_define = _rewrite(tmp_path, "-I", "include")
    assert no_define.returncode == 3 and "pass it with -D NAME=VALUE" in no_define.stderr
    done = _rewrite(tmp_path, "-I", "include", "-D", "N=4", "--std", "c99")
    assert done.returncode == 1, done.stderr
    assert "#pragma omp parallel for" in done.stdout and "verified: scale" in done.stderr


PROGRAM = '''#include <stdio.h>

extern void *polybench_alloc_data(long n, int elt_size);

static void init(int n, double *a) {
    for (int i = 0; i < n; i++)
        a[i] = (double)(i % 7) / n;
}

void kernel_scale(int n, double *a, double alpha) {
    for (int i = 0; i < n; i++)
        a[i] = a[i] * alpha;
}

int main(void) {
    double *a = (double *)polybench_alloc_data(1000, sizeof(double));
    init(1000, a);
    kernel_scale(1000, a, 1.5);
    printf("%f\\n", a[0]);
    return 0;
}
'''


@pytest.mark.parametrize("target", ["openmp", "mpi"])
def test_a_program_with_main_and_other_files_symbols_is_tested_function_by_function(tmp_path: Path, target):
    """`main` calls what another file of the program defines: the tester never calls it, so
    it need not link; a static helper is tested too."""
    path = tmp_path / "prog.c"
    path.write_text(PROGRAM)
    res = rewrite_source(PROGRAM, str(path), target=target, check=True, tsan=target == "openmp")
    assert not res.refused, [v.summary() for v in res.refused]  # was: undefined symbol: polybench_alloc_data
    assert {v.function for v in res.verdicts} == {"init", "kernel_scale"}


UNDEFINED_DATA = '''#include <stdio.h>
extern double lib_counter;   /* defined by a library the program links, not here */
extern int lib_flag;

static void report(int n) {
    if (lib_flag)
        printf("%f %d\\n", lib_counter, n);
}

void kernel(int n, double *a) {
    for (int i = 0; i < n; i++)
        a[i] = 2 * a[i];
}

int main(void) {
    double a[4] = {0};
    report(4);
    kernel(4, a);
    return 0;
}
'''


@pytest.mark.parametrize("target", ["openmp", "mpi"])
def test_data_only_other_functions_use_need_not_exist(tmp_path: Path, target):
    path = tmp_path / "program.c"
    path.write_text(UNDEFINED_DATA)
    res = rewrite_source(UNDEFINED_DATA, str(path), target=target, check=True)
    assert not res.refused, [v.summary() for v in res.refused]  # was: undefined symbol: lib_flag
    assert [v.function for v in res.verdicts] == ["kernel"]


def test_needed_only_keeps_what_the_function_reaches():
    from paralift.verify.toolchain import needed_only
    source = "static int sq(int x) { return x * x; }\nint f(int n) { return sq(n); }\nint g(void) { return lib; }\n" \
             "int main(void) { return g(); }\n"
    cut = needed_only(source, "f")
    assert "return x * x" in cut and "return sq(n)" in cut
    assert "return lib" not in cut and "return g()" not in cut and cut.count("\n") == source.count("\n")
