"""The cost model (passes/cost.py): which proven-parallel loops are worth a thread start."""
from __future__ import annotations

from paralift.analysis import analyze_source
from paralift.ir import nodes as ir
from paralift.ir.walk import walk_stmts
from paralift.passes import cost
from paralift.rewriting import rewrite_source

SOURCE = '''
def lu(A):
    n = A.shape[0]
    for i in range(n):
        for j in range(i):
            for k in range(j):
                A[i, j] -= A[i, k] * A[k, j]
            A[i, j] /= A[j, j]
        for j in range(i, n):
            for k in range(i):
                A[i, j] -= A[i, k] * A[k, j]


def sweep(a, b, steps):
    n = a.shape[0]
    for t in range(steps):
        for i in range(1, n - 1):
            b[i] = 0.5 * (a[i - 1] + a[i + 1])
        for i in range(1, n - 1):
            a[i] = b[i]


def small_rows(a, steps):
    for t in range(steps):
        for i in range(a.shape[0]):
            for j in range(8):
                a[i, j] = 0.5 * a[i, j] + 1.0
'''


def _loops(name: str) -> list[ir.Loop]:
    (kv,) = [k for k in analyze_source(SOURCE, "k.py").kernels if k.kernel.name == name]
    return [s for s in walk_stmts(kv.kernel.body) if isinstance(s, ir.Loop)]


def test_sizes_come_from_the_work_budget():
    (kv,) = [k for k in analyze_source(SOURCE, "k.py").kernels if k.kernel.name == "lu"]
    n = cost.budget_size(kv.kernel.body)
    assert 500 < n < 5000                    # lu does ~n^3/3: its n is some thousands
    assert abs(cost.work(kv.kernel.body, {}, n) - cost.WORK_BUDGET) < cost.WORK_BUDGET * 0.01


def test_a_start_pays_only_with_enough_work():
    i, j1, k1, j2, k2 = _loops("lu")
    n = 1500
    assert cost.start_pays(i, (), n)                       # once per call
    assert not cost.start_pays(k1, (i, j1), n)             # ~n/4 iterations, n^2/2 starts
    assert cost.start_pays(j2, (i,), n)                    # ~n^2/4 iterations per start
    t, a, b = _loops("sweep")
    assert cost.start_pays(a, (t,), 20000) and not cost.start_pays(a, (t,), 100)


def test_the_backends_leave_cheap_inner_loops_sequential_and_say_why():
    res = rewrite_source(SOURCE, "k.py", check=False, transform="none")   # the loops as written
    text = res.result
    assert "for j in numba.prange(i, n):" in text            # lu's second j loop
    assert "for k in numba.prange(j)" not in text and "for k in range(j):" in text
    assert "for i in numba.prange(1, n - 1):" in text        # a 1-d sweep in a time loop
    skipped = [s.reason for p in res.plans for s in p.skipped]
    assert any("too little work" in r and "`i`, `j`" in r for r in skipped), skipped
    # a time loop around rows of 8: the row loop carries the work, and stays parallel
    assert "for i in numba.prange(a.shape[0]):" in text


def test_openmp_applies_the_same_model():
    c = '''
void lu(int n, double A[n][n]) {
    for (int i = 0; i < n; i++) {
        for (int j = 0; j < i; j++) {
            for (int k = 0; k < j; k++)
                A[i][j] -= A[i][k] * A[k][j];
            A[i][j] /= A[j][j];
        }
        for (int j = i; j < n; j++)
            for (int k = 0; k < i; k++)
                A[i][j] -= A[i][k] * A[k][j];
    }
}
'''
    text = rewrite_source(c, "lu.c", check=False, transform="none").result
    assert text.count("#pragma omp parallel for") == 1, text
    lines = text.splitlines()
    assert lines[lines.index("        #pragma omp parallel for") + 1] == "        for (int j = i; j < n; j++)"
