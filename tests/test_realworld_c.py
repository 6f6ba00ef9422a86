"""C written the way benchmark suites and public corpora ship it (tests/realworld_c/): a
header of type, size and array macros, programs with a `main` that link another file,
one-line kernels, scatters through pointers, and a CMake project whose flags only its
compilation database knows. Judged three ways:

1. every loop's verdict against its `// expect:` comment;
2. every function with a parallel loop is rewritten to OpenMP, CUDA C and MPI C, and the
   tester verifies each (CUDA in its emulation);
3. the CMake project: with `-p build` the file is analyzed and verified as the build
   compiles it; without, the missing header is named and the rest still analyzed.
"""
from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from paralift.analysis import analyze_file
from paralift.cbuild import build_flags, load_database
from paralift.rewriting import rewrite_source

HERE = Path(__file__).parent / "realworld_c"
INCLUDE = ["-I", str(HERE / "include")]
KERNELS = ["linalg.c", "stencils.c", "oneline.c", "scatter.c"]
EXPECT = re.compile(r"//\s*expect:\s*(parallel|reduction|sequential)")


def _expected(path: Path) -> dict[int, str]:
    return {n: m.group(1) for n, line in enumerate(path.read_text().splitlines(), 1) if (m := EXPECT.search(line))}


def _mismatches(path: Path) -> list[str]:
    expected = _expected(path)
    fa = analyze_file(str(path))
    assert not fa.errors and not fa.warnings, fa.errors + fa.warnings
    got = {v.line: v.verdict for kv in fa.kernels for v in kv.loops}
    return [f"{path.name}:{line}: expected {want}, got {got.get(line)}" for line, want in expected.items()
            if got.get(line) != want]


def test_the_corpus_has_what_real_c_has():
    header = (HERE / "include" / "bench.h").read_text()
    assert re.search(r"#\s*define DATA_TYPE", header) and "#define ARRAY_2D(" in header
    assert "int main(" in (HERE / "linalg.c").read_text() and "bench_alloc(size_t" in (HERE / "bench.c").read_text()
    one_line = [x for x in (HERE / "oneline.c").read_text().splitlines() if re.match(r"\w[\w\s*]*\(.*\{.*for.*\}", x)]
    assert len(one_line) >= 8
    assert (HERE / "cmake" / "CMakeLists.txt").exists()
    assert sum(len(_expected(HERE / f)) for f in KERNELS) >= 30


@pytest.mark.parametrize("name", KERNELS)
def test_verdicts_match_the_expectations(name):
    with build_flags(INCLUDE):
        assert _mismatches(HERE / name) == []


def _rewritable(path: Path) -> set[str]:
    fa = analyze_file(str(path))
    return {kv.kernel.name for kv in fa.kernels if any(v.verdict != "sequential" for v in kv.loops)}


@pytest.mark.parametrize("target", ["openmp", "cuda", "mpi"])
@pytest.mark.parametrize("name", KERNELS)
def test_every_kernel_is_rewritten_and_verified(name, target):
    path = HERE / name
    if target == "cuda" and not shutil.which("g++"):
        pytest.skip("the CUDA emulation needs g++")
    with build_flags(INCLUDE):
        wanted = _rewritable(path)
        res = rewrite_source(path.read_text(), str(path), target=target, check=True)
    assert not res.refused, [v.summary() for v in res.refused]
    assert {v.function for v in res.verdicts} == wanted
    if target == "openmp":  # the macros stay as the user wrote them
        assert res.result.count("#pragma omp parallel for") >= len(wanted)
        assert res.original.count("DATA_TYPE") == res.result.count("DATA_TYPE")


def test_one_line_kernels_get_their_pragma_on_a_line_of_its_own():
    path = HERE / "oneline.c"
    res = rewrite_source(path.read_text(), str(path), target="openmp", check=False)
    lines = res.result.splitlines()
    pragmas = [n for n, x in enumerate(lines) if x.strip().startswith("#pragma omp parallel for")]
    assert len(pragmas) == 7
    assert all(lines[n + 1].lstrip().startswith("for (") for n in pragmas)


def test_scatters_through_pointers_are_atomic():
    path = HERE / "scatter.c"
    res = rewrite_source(path.read_text(), str(path), target="openmp", check=False)
    assert [x.strip() for x in res.result.splitlines()].count("#pragma omp atomic") == 4


@pytest.fixture(scope="module")
def cmake_build(tmp_path_factory) -> Path:
    if not shutil.which("cmake"):
        pytest.skip("cmake is not installed (CI installs it: .ci/run)")
    root = tmp_path_factory.mktemp("cmake") / "project"
    shutil.copytree(HERE / "cmake", root)
    subprocess.run(["cmake", "-S", str(root), "-B", str(root / "build")], check=True, capture_output=True)
    assert (root / "build" / "compile_commands.json").exists()
    return root


def _paralift(root: Path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "paralift", *args], capture_output=True, text=True, cwd=root)


def test_flags_come_from_the_compilation_database(cmake_build: Path):
    source = cmake_build / "src" / "smooth.c"
    with build_flags((), load_database(str(cmake_build / "build"))):
        assert _mismatches(source) == []
    done = _paralift(cmake_build, "rewrite", "-p", "build", "src/smooth.c")
    assert done.returncode == 1, done.stderr
    assert "verified: smooth" in done.stderr and "verified: total" in done.stderr
    assert done.stdout.count("#pragma omp parallel for") == 2


def test_without_the_database_the_missing_header_is_named(tmp_path: Path):
    shutil.copytree(HERE / "cmake" / "src", tmp_path / "src")  # no build directory above it
    bare = _paralift(tmp_path, "analyze", "--format", "text", "src/smooth.c")
    assert "src/smooth.c:1:9: warning: header smooth.h not found" in bare.stdout
    assert "reduction: total: for i" in bare.stdout  # what does not need the header is analyzed
    assert bare.returncode == 0
    refused = _paralift(tmp_path, "rewrite", "src/smooth.c")
    assert refused.returncode == 3 and "give the directory that holds smooth.h with -I DIR" in refused.stderr


def test_a_database_that_cannot_be_read_is_a_clear_error(tmp_path: Path):
    (tmp_path / "compile_commands.json").write_text("{not json")
    (tmp_path / "k.c").write_text("void f(int n, double *a) { for (int i = 0; i < n; i++) a[i] = 0; }\n")
    proc = _paralift(tmp_path, "analyze", "-p", ".", "k.c")
    assert proc.returncode == 2 and "not a compilation database" in proc.stderr and "Traceback" not in proc.stderr


def test_the_database_is_found_above_the_file_as_clangd_finds_it(cmake_build: Path):
    found = _paralift(cmake_build / "src", "analyze", "--format", "text", "smooth.c")
    assert "warning" not in found.stdout and "parallel: smooth: for i" in found.stdout, found.stdout
