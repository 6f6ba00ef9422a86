"""Dense linear algebra in the npbench style: BLAS-like updates written with NumPy rows."""
import numpy as np


def gemm(alpha, beta, C, A, B):
    C *= beta
    for i in range(C.shape[0]):  # expect: parallel
        C[i, :] += alpha * A[i, :] @ B


def gemver(alpha, beta, A, u1, v1, u2, v2, w, x, y, z):
    for i in range(A.shape[0]):  # expect: parallel
        A[i, :] += np.outer(u1, v1)[i, :] + u2[i] * v2
    x += beta * y @ A + z
    for i in range(A.shape[0]):  # expect: parallel
        w[i] += alpha * A[i, :] @ x


def syrk(alpha, beta, C, A):
    n = C.shape[0]
    for i in range(n):  # expect: parallel
        C[i, :i + 1] *= beta
        for k in range(A.shape[1]):  # expect: reduction
            C[i, :i + 1] += alpha * A[i, k] * A[:i + 1, k]


def atax(A, x):
    tmp = np.empty(A.shape[0])
    for i in range(A.shape[0]):  # expect: parallel
        tmp[i] = A[i, :] @ x
    y = np.zeros(A.shape[1])
    for j in range(A.shape[1]):  # expect: parallel
        y[j] = A[:, j] @ tmp
    return y


def lu(A):
    n = A.shape[0]
    for i in range(n):  # expect: sequential
        for j in range(i):  # expect: sequential
            A[i, j] -= A[i, :j] @ A[:j, j]
            A[i, j] /= A[j, j]
        for j in range(i, n):  # expect: parallel
            A[i, j] -= A[i, :i] @ A[:i, j]


def _matrices(n, m, seed):
    rng = np.random.default_rng(seed)
    return rng.random((n, m)), rng.random((m, n)), rng.random((n, n))


def paralift_inputs_gemm():
    out = []
    for n, m in ((1, 1), (5, 3), (17, 9)):
        A, B, C = _matrices(n, m, n)
        out.append((1.5, 1.2, C, A, B))
    return out


def paralift_inputs_gemver():
    out = []
    for n in (1, 4, 13):
        rng = np.random.default_rng(n)
        v = [rng.random(n) for _ in range(8)]
        out.append((1.5, 1.2, rng.random((n, n)), *v))
    return out


def paralift_inputs_syrk():
    out = []
    for n, m in ((1, 1), (6, 4), (15, 7)):
        A, _, C = _matrices(n, m, n)
        out.append((1.5, 1.2, C, A))
    return out


def paralift_inputs_atax():
    return [(_matrices(n, m, n)[0], np.random.default_rng(m).random(m)) for n, m in ((1, 1), (7, 5), (12, 19))]


def paralift_inputs_lu():
    out = []
    for n in (1, 5, 12):
        A = np.random.default_rng(n).random((n, n))
        out.append((A @ A.T + n * np.eye(n),))
    return out


def benchmark(n=64, reps=3):
    """The driver a benchmark script has: build inputs, run, report."""
    import time
    A, B, C = _matrices(n, n, 0)
    for r in range(reps):  # expect: sequential
        t0 = time.perf_counter()
        gemm(1.5, 1.2, C, A, B)
        print(f"gemm {n}x{n}: {time.perf_counter() - t0:.4f} s")
    return C


if __name__ == "__main__":
    benchmark()
