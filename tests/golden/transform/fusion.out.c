/* Sibling nests that share arrays, in C99 with VLAs: two loops that both read `x`, and
   three passes over one grid, fused. A pass along rows and a second over its result would
   fuse only a column apart, which gcc's code for it ran slower: those stay apart. */
#include <stddef.h>
static inline long pl_min(long a, long b) { return a < b ? a : b; }
static inline long pl_max(long a, long b) { return a > b ? a : b; }
static inline long pl_floord(long n, long d) { return n < 0 ? -((-n + d - 1) / d) : n / d; }

void blur(int n, int m, double A[n][m], double B[n][m], double C[n][m]) {
    #pragma omp parallel for
    for (int i = 0; i < n; i++)
        for (int j = 1; j < m - 1; j++)
            B[i][j] = (A[i][j - 1] + A[i][j] + A[i][j + 1]) / 3.0;
    /* the second pass reads the first one's neighbours */
    #pragma omp parallel for
    for (int i = 0; i < n; i++) {
        for (int j = 1; j < m - 1; j++) {
            C[i][j] = (B[i][j - 1] + B[i][j] + B[i][j + 1]) / 3.0;
        }
    }
}

void scale_add(int n, double alpha, double x[n], double y[n], double z[n]) {
    // paralift: fused the nests at lines 19, 21, over i; the loop over i runs in parallel
    #pragma omp parallel for
    for (int i = 0; i < n; i++) {
        y[i] = alpha * x[i] + y[i];
        z[i] = x[i] * y[i];
    }
}

void passes(int n, int m, double A[n][m], double B[n][m], double C[n][m], double D[n][m]) {
    // paralift: fused the nests at lines 26, 29, 32, over i, j; the loop over i runs in parallel
    #pragma omp parallel for
    for (int i = 0; i < n; i++) {
        for (int j = 0; j < m; j++) {
            B[i][j] = A[i][j] * A[i][j];
            C[i][j] = B[i][j] + A[i][j];
            D[i][j] = C[i][j] - B[i][j];
        }
    }
}
