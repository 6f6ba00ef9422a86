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

/* Nussinov's folding, as PolyBench writes it: `i` counts down, each cell runs a loop. */
#define match(b1, b2) (((b1) + (b2)) == 3 ? 1 : 0)
#define max_score(s1, s2) ((s1 >= s2) ? s1 : s2)

void nussinov(int n, char seq[n], int table[n][n]) {
    int i, j, k;
    // paralift: a wavefront; the iterations with the same j - i are independent, so each front runs in parallel
    for (long pl_front = 1; pl_front < n; pl_front++) {
        #pragma omp parallel for private(i, j, k)
        for (long pl_c1 = 0; pl_c1 < n - pl_front; pl_c1++) {
            i = pl_c1;
            j = pl_front + pl_c1;
            if (j - 1 >= 0)
                table[i][j] = max_score(table[i][j], table[i][j - 1]);
            if (i + 1 < n)
                table[i][j] = max_score(table[i][j], table[i + 1][j]);
            if (j - 1 >= 0 && i + 1 < n) {
                if (i < j - 1)
                    table[i][j] = max_score(table[i][j], table[i + 1][j - 1] + match(seq[i], seq[j]));
                else
                    table[i][j] = max_score(table[i][j], table[i + 1][j - 1]);
            }
            for (k = i + 1; k < j; k++)
                table[i][j] = max_score(table[i][j], table[i][k] + table[k + 1][j]);
        }
    }
}
