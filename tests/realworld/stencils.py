"""Stencils as NumPy codes write them: row slices, time loops, a ping-pong pair."""
import numpy as np


def jacobi_2d(TSTEPS, A, B):
    n = A.shape[0]
    for t in range(1, TSTEPS):  # expect: sequential
        for i in range(1, n - 1):  # expect: parallel
            B[i, 1:-1] = 0.2 * (A[i, 1:-1] + A[i, :-2] + A[i, 2:] + A[i + 1, 1:-1] + A[i - 1, 1:-1])
        for i in range(1, n - 1):  # expect: parallel
            A[i, 1:-1] = 0.2 * (B[i, 1:-1] + B[i, :-2] + B[i, 2:] + B[i + 1, 1:-1] + B[i - 1, 1:-1])


def heat_3d(TSTEPS, A, B):
    n = A.shape[0]
    for t in range(1, TSTEPS):  # expect: sequential
        for i in range(1, n - 1):  # expect: parallel
            for j in range(1, n - 1):  # expect: parallel
                B[i, j, 1:-1] = (0.125 * (A[i + 1, j, 1:-1] - 2.0 * A[i, j, 1:-1] + A[i - 1, j, 1:-1])
                                 + 0.125 * (A[i, j + 1, 1:-1] - 2.0 * A[i, j, 1:-1] + A[i, j - 1, 1:-1])
                                 + A[i, j, 1:-1])
        A[:] = B


def seidel_2d(TSTEPS, A):
    n = A.shape[0]
    for t in range(TSTEPS):  # expect: sequential
        for i in range(1, n - 1):  # expect: sequential
            for j in range(1, n - 1):  # expect: sequential
                A[i, j] = (A[i - 1, j - 1] + A[i - 1, j] + A[i - 1, j + 1] + A[i, j - 1] + A[i, j]
                           + A[i, j + 1] + A[i + 1, j - 1] + A[i + 1, j] + A[i + 1, j + 1]) / 9.0


def blur_rows(img, out, radius):
    h, w = img.shape
    for y in range(h):  # expect: parallel
        for x in range(w):  # expect: parallel
            lo = max(0, x - radius)
            hi = min(w, x + radius + 1)
            out[y, x] = img[y, lo:hi].mean()


def paralift_inputs_jacobi_2d():
    return [(t, np.random.default_rng(n).random((n, n)), np.zeros((n, n))) for t, n in ((2, 3), (4, 8), (3, 15))]


def paralift_inputs_heat_3d():
    return [(t, np.random.default_rng(n).random((n, n, n)), np.zeros((n, n, n))) for t, n in ((2, 3), (3, 6), (2, 9))]


def paralift_inputs_seidel_2d():
    return [(t, np.random.default_rng(n).random((n, n))) for t, n in ((1, 3), (2, 7))]


def paralift_inputs_blur_rows():
    out = []
    for h, w, r in ((1, 1, 1), (5, 7, 2), (9, 16, 3)):
        img = np.random.default_rng(h).random((h, w))
        out.append((img, np.zeros_like(img), r))
    return out


def run(n=32, steps=10):
    A = np.random.default_rng(0).random((n, n))
    B = np.zeros_like(A)
    jacobi_2d(steps, A, B)
    for row in range(0, n, max(1, n // 4)):  # expect: sequential
        print(row, A[row, : 4])


if __name__ == "__main__":
    run()
