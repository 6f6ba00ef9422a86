/* lu and cholesky as PolyBench writes them, row by row, in C99 with a VLA. cholesky keeps
   its order: right-looking, no loop of it is free of dependences. */
#include <math.h>
#include <stddef.h>
static inline long pl_min(long a, long b) { return a < b ? a : b; }
static inline long pl_max(long a, long b) { return a > b ? a : b; }
static inline long pl_floord(long n, long d) { return n < 0 ? -((-n + d - 1) / d) : n / d; }

void lu(int n, double A[n][n]) {
    // paralift: rescheduled to the loop order k, i, j; the loop over i runs in parallel
    for (long pl_k = 0; pl_k < n - 1; pl_k++) {
        #pragma omp parallel for schedule(static, 1)
        for (int i = pl_k + 1; i < n; i++) {
            {
                int j = pl_k;
                A[i][j] /= A[j][j];
            }
            for (int j = pl_k + 1; j < i; j++) {
                int k = pl_k;
                A[i][j] -= A[i][k] * A[k][j];
            }
            for (int j = i; j < n; j++) {
                int k = pl_k;
                A[i][j] -= A[i][k] * A[k][j];
            }
        }
    }
}

void cholesky(int n, double A[n][n]) {
    for (int i = 0; i < n; i++) {
        for (int j = 0; j < i; j++) {
            for (int k = 0; k < j; k++)
                A[i][j] -= A[i][k] * A[j][k];
            A[i][j] /= A[j][j];
        }
        for (int k = 0; k < i; k++)
            A[i][i] -= A[i][k] * A[i][k];
        A[i][i] = sqrt(A[i][i]);
    }
}
