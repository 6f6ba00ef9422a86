"""The race log: candidates whose outputs match but whose parallel work touches one element
from two iterations (prange) or two threads (CUDA) are refused, with the input that shows it."""
from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from paralift.translator_model.loop import translate_source
from paralift.verify.races import addresses


class Fixed:
    name = "fixed"

    def __init__(self, text: str):
        self.text = text

    def complete(self, messages):
        return f"```python\n{self.text}\n```"


def attempt(source: str, target: str, answer: str):
    res = translate_source(source, "k.py", target, Fixed(answer), attempts=1)
    (f,) = res.functions
    return f.attempts[0]


@st.composite
def indexed(draw):
    shape = tuple(draw(st.lists(st.integers(1, 4), min_size=1, max_size=3)))
    key = []
    for extent in shape[:draw(st.integers(1, len(shape)))]:
        if draw(st.booleans()):
            key.append(draw(st.integers(-extent, extent - 1)))
        else:
            lo, hi = sorted(draw(st.lists(st.integers(0, extent), min_size=2, max_size=2)))
            key.append(slice(lo, hi, draw(st.sampled_from([None, 1, 2]))))
    return shape, tuple(key), draw(st.booleans())


@given(indexed())
def test_addresses_are_the_elements_the_index_selects(case):
    shape, key, transposed = case
    a = np.zeros(shape[::-1] if transposed else shape).T if transposed else np.zeros(shape)
    ids = np.arange(a.size).reshape(a.shape)  # brute force: each element's own number...
    offsets = np.zeros(a.shape, dtype=np.int64)
    for pos in np.ndindex(*a.shape):  # ...and its byte offset from the strides
        offsets[pos] = sum(p * s for p, s in zip(pos, a.strides))
    del ids
    expected = sorted((a.__array_interface__["data"][0] + np.asarray(offsets[key]).reshape(-1)).tolist())
    assert sorted(addresses(a, key)) == expected


def test_fancy_indexing_counts_as_every_element():
    assert addresses(np.zeros(4), (np.array([0, 2]),)) is None


HIST = "def hist(keys, h, n):\n    for i in range(n):\n        h[keys[i]] += 1.0\n"
PRANGE_HIST = """import numba


@numba.njit(parallel=True)
def hist(keys, h, n):
    for i in numba.prange(n):
        h[keys[i]] += 1.0
"""
SHARED_TEMP = """import numba
import numpy as np


@numba.njit(parallel=True)
def smooth(a, b, n):
    t = np.zeros(1)
    for i in numba.prange(n):
        t[0] = a[i] * 2.0
        b[i] = t[0]
"""
ROWS = """import numba


@numba.njit(parallel=True)
def rows(A, out, n, m):
    for i in numba.prange(n):
        s = 0.0
        for j in range(m):
            s += A[i, j]
        out[i] = s
"""


def race_log(source: str, candidate: str, name: str):
    """The race log alone (Numba's own runs might show the race in the outputs first)."""
    from paralift.verify.sessions import RaceLog
    with RaceLog(candidate, "k.py") as log:
        return log.run(source, name)


def test_a_racy_prange_scatter_is_refused_with_the_input_that_shows_it():
    v = race_log(HIST, PRANGE_HIST, "hist")
    assert not v.ok and "data race: prange iteration" in v.message
    assert "keys=" in v.counterexample  # keys with a repeated value
    a = attempt(HIST, "numba", PRANGE_HIST)
    # the legality gate refuses a prange scatter first: Numba has no atomics
    assert not a.ok and a.stage == "gate" and "PL101" in a.message and "keys[i]" in a.message


def test_a_temporary_shared_by_all_iterations_is_a_race():
    source = "import numpy as np\n\n\ndef smooth(a, b, n):\n    t = np.zeros(1)\n    for i in range(n):\n" \
             "        t[0] = a[i] * 2.0\n        b[i] = t[0]\n"
    v = race_log(source, SHARED_TEMP, "smooth")
    assert not v.ok and "data race" in v.message and "element [0] of a 1 float64 array" in v.message


def test_race_free_prange_loops_pass():
    source = "def rows(A, out, n, m):\n    for i in range(n):\n        s = 0.0\n        for j in range(m):\n" \
             "            s += A[i, j]\n        out[i] = s\n"
    assert attempt(source, "numba", ROWS).ok


PREFIX = "def prefix(a, n):\n    for i in range(1, n):\n        a[i] += a[i - 1]\n"
CUDA_PREFIX = """import numpy as np
from numba import cuda


@cuda.jit
def _k(a, n):
    i = cuda.grid(1) + 1
    if i < n:
        a[i] += a[i - 1]


def prefix(a, n):
    d = cuda.to_device(a)
    if n > 1:
        _k[(n + 31) // 32, 32](d, n)
    d.copy_to_host(a)
"""
TOTAL = "def total(a, n):\n    s = 0.0\n    for i in range(n):\n        s += a[i]\n    return s\n"
# a block-wide tree reduction in shared memory, then one atomic per block: correct only
# with the barriers
CUDA_TOTAL = """import numpy as np
from numba import cuda, float64


@cuda.jit
def _k(a, n, out):
    buf = cuda.shared.array(32, float64)
    t = cuda.threadIdx.x
    i = cuda.grid(1)
    buf[t] = a[i] if i < n else 0.0
    cuda.syncthreads()
    step = 16
    while step > 0:
        if t < step:
            buf[t] += buf[t + step]
        cuda.syncthreads()
        step //= 2
    if t == 0:
        cuda.atomic.add(out, 0, buf[0])


def total(a, n):
    out = np.zeros(1)
    if n > 0:
        _k[(n + 31) // 32, 32](a, n, out)
    return out[0]
"""


def test_a_racy_cuda_kernel_is_refused_though_the_simulator_gets_the_right_answer():
    a = attempt(PREFIX, "cuda", CUDA_PREFIX)
    assert not a.ok and "data race: thread" in a.message and "of block 0" in a.message


def test_barriers_order_shared_memory_and_atomics_do_not_race():
    assert attempt(TOTAL, "cuda", CUDA_TOTAL).ok


def test_the_same_reduction_without_its_barriers_is_refused():
    racy = CUDA_TOTAL.replace("        cuda.syncthreads()\n        step //= 2", "        step //= 2")
    assert racy != CUDA_TOTAL
    a = attempt(TOTAL, "cuda", racy)
    assert not a.ok and "data race" in a.message


@pytest.mark.parametrize("kernel", [CUDA_TOTAL])
def test_shared_memory_of_different_blocks_does_not_meet(kernel):
    # 40 elements need two blocks, whose shared arrays the simulator places at one address
    res = translate_source(TOTAL, "k.py", "cuda", Fixed(kernel), attempts=1)
    assert res.functions[0].passed


C_HIST = "void hist(int n, const int *keys, double *h) {\n    for (int i = 0; i < n; i++)\n" \
         "        h[keys[i]] += 1.0;\n}\n"
OMP_HIST = "void hist(int n, const int *keys, double *h) {\n    #pragma omp parallel for\n" \
           "    for (int i = 0; i < n; i++)\n        h[keys[i]] += 1.0;\n}\n"
OMP_ATOMIC = OMP_HIST.replace("        h[keys[i]]", "    {\n        #pragma omp atomic\n        h[keys[i]]") \
    .replace("1.0;\n}", "1.0;\n    }\n}")
CU_HIST = """#include <cuda_runtime.h>

__global__ void hist_k(int n, const int *keys, double *h) {
    int i = blockIdx.x * blockDim.x + threadIdx.x;
    if (i < n)
        h[keys[i]] += 1.0;
}

extern "C" void hist(int n, const int *keys, double *h) {
    if (n <= 0) return;
    int *dk; double *dh;
    int m = 0;
    for (int i = 0; i < n; i++) if (keys[i] + 1 > m) m = keys[i] + 1;
    cudaMalloc((void **)&dk, n * sizeof(int));
    cudaMalloc((void **)&dh, m * sizeof(double));
    cudaMemcpy(dk, keys, n * sizeof(int), cudaMemcpyHostToDevice);
    cudaMemcpy(dh, h, m * sizeof(double), cudaMemcpyHostToDevice);
    hist_k<<<(n + 63) / 64, 64>>>(n, dk, dh);
    cudaMemcpy(h, dh, m * sizeof(double), cudaMemcpyDeviceToHost);
    cudaFree(dk); cudaFree(dh);
}
"""


def c_attempt(target: str, answer: str):
    class C(Fixed):
        def complete(self, messages):
            return f"```c\n{self.text}\n```"
    (f,) = translate_source(C_HIST, "h.c", target, C(answer), attempts=1).functions
    return f.attempts[0]


def test_a_racy_cuda_c_kernel_is_refused_by_thread_sanitizer_and_its_atomic_fix_passes():
    a = c_attempt("cuda", CU_HIST)
    assert not a.ok and a.message == "ThreadSanitizer: data race between CUDA threads at h.c line 5"
    assert c_attempt("cuda", CU_HIST.replace("h[keys[i]] += 1.0;", "atomicAdd(&h[keys[i]], 1.0);")).ok


def test_a_model_openmp_race_the_gate_lets_through_is_refused():
    from paralift import targets
    from paralift.verify.sessions import Candidate
    from paralift.verify.ctester import race_inputs
    from paralift.verify.tsan import races
    # ThreadSanitizer sees the race whether or not it changed an output in this run: two
    # threads update one key, with nothing between them
    found, error = races(OMP_HIST, "hist", *race_inputs(C_HIST, "hist", "h.c"), "h.c")
    assert error is None and found and found[0].startswith("ThreadSanitizer: data race") and "h.c line 4" in found[0]
    exact = targets.load(targets.emitter("openmp", "c").exact)
    with exact(Candidate(C_HIST, OMP_HIST, "h.c")) as verify_one:
        v = verify_one("hist")  # refused: by the outputs if the race showed in them, else by TSan
    assert not v.ok
    assert c_attempt("openmp", OMP_ATOMIC).ok  # `omp atomic` updates are not a missing reduction


def test_paralift_verify_runs_the_race_log_on_prange_code(tmp_path, capsys):
    """Every iteration stores the same value in one flag: no output can ever differ, and
    it is still a race (a write-write conflict)."""
    from paralift.cli import main
    (tmp_path / "old.py").write_text("def mark(a, b, flag, n):\n    for i in range(n):\n        flag[0] = 1.0\n"
                                     "        b[i] = a[i]\n")
    (tmp_path / "new.py").write_text("import numba\n\n\n@numba.njit(parallel=True)\ndef mark(a, b, flag, n):\n"
                                     "    for i in numba.prange(n):\n        flag[0] = 1.0\n        b[i] = a[i]\n")
    assert main(["verify", str(tmp_path / "old.py"), str(tmp_path / "new.py"), "--function", "mark"]) == 1
    out = capsys.readouterr().out
    assert out.startswith("NOT verified: mark: data race: prange iteration 1 writes element [0]"), out
    assert "counterexample: " in out and "the candidate raised" not in out
