static inline long pl_min(long a, long b) { return a < b ? a : b; }
static inline long pl_max(long a, long b) { return a > b ? a : b; }
static inline long pl_floord(long n, long d) { return n < 0 ? -((-n + d - 1) / d) : n / d; }
/* Gauss-Seidel with its time loop: no loop is parallel as written; a wavefront is. */
void seidel_2d(int tsteps, int n, double A[n][n]) {
    // paralift: a wavefront; the iterations with the same 4*t + 2*i + j are independent, so each front runs in parallel
    for (long pl_front = 3; pl_front < 4 * tsteps + 3 * n - 9; pl_front++) {
        #pragma omp parallel for
        for (long pl_c1 = pl_max(0, -n + pl_floord(n + pl_front + 1, 4) + 2); pl_c1 < pl_min(tsteps, pl_floord(pl_front + 1, 4)); pl_c1++) {
            for (long pl_c2 = pl_max(1, -n - 2 * pl_c1 + pl_floord(n + pl_front + 1, 2) + 1); pl_c2 < pl_min(n - 1, -2 * pl_c1 + pl_floord(pl_front + 1, 2)); pl_c2++) {
                int i = pl_c2;
                int j = pl_front - 4 * pl_c1 - 2 * pl_c2;
                A[i][j] = (A[i-1][j-1] + A[i-1][j] + A[i-1][j+1] + A[i][j-1] + A[i][j] + A[i][j+1]
                           + A[i+1][j-1] + A[i+1][j] + A[i+1][j+1]) / 9.0;
            }
        }
    }
}
