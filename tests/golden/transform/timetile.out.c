/* Time loops over stencil sweeps in C99, arrays as VLAs: jacobi_2d runs in skewed time
   tiles; heat_3d's would run over two space loops (measured slower). */
#include <stddef.h>
static inline long pl_min(long a, long b) { return a < b ? a : b; }
static inline long pl_max(long a, long b) { return a > b ? a : b; }
static inline long pl_floord(long n, long d) { return n < 0 ? -((-n + d - 1) / d) : n / d; }

#define STEP 0.2

void jacobi_2d(int tsteps, int n, double A[n][n], double B[n][n]) {
    // paralift: time-tiled, 8 steps of `t` by 64 of `2*t + i`; the tiles of one front are independent, so each front runs in parallel
    for (long pl_front = 0; pl_front <= pl_floord(10 * tsteps + n - 11, 64); pl_front++) {
        #pragma omp parallel for
        for (long pl_tile_i = pl_max(pl_front + pl_floord(-tsteps, 8) + 1, pl_floord(pl_front + 1, 5)); pl_tile_i <= pl_min(pl_min(pl_front, pl_floord(2 * tsteps + n - 3, 64)), pl_floord(n + 16 * pl_front + 13, 80)); pl_tile_i++) {
            for (long pl_t = pl_max(8 * pl_front - 8 * pl_tile_i, -n + 32 * pl_tile_i + pl_floord(n, 2) + 1); pl_t <= pl_min(tsteps - 1, 8 * pl_front - 8 * pl_tile_i + 7); pl_t++) {
                for (long pl_i = pl_max(64 * pl_tile_i, 2 * pl_t + 1); pl_i <= pl_min(64 * pl_tile_i + 63, n + 2 * pl_t - 1); pl_i++) {
                    if (n + 2 * pl_t >= pl_i + 2) {
                        for (int j = 1; j < n - 1; j++) {
                            int i = -2 * pl_t + pl_i;
                            B[i][j] = STEP * (A[i][j] + A[i][j - 1] + A[i][1 + j] + A[1 + i][j] + A[i - 1][j]);
                        }
                    }
                    if (pl_i >= 2 * pl_t + 2) {
                        for (int j = 1; j < n - 1; j++) {
                            int i = -2 * pl_t + pl_i - 1;
                            A[i][j] = STEP * (B[i][j] + B[i][j - 1] + B[i][1 + j] + B[1 + i][j] + B[i - 1][j]);
                        }
                    }
                }
            }
        }
    }
}

void heat_3d(int tsteps, int n, double A[n][n][n], double B[n][n][n]) {
    for (int t = 1; t <= tsteps; t++) {
        #pragma omp parallel for collapse(2)
        for (int i = 1; i < n - 1; i++)
            for (int j = 1; j < n - 1; j++)
                for (int k = 1; k < n - 1; k++)
                    B[i][j][k] = 0.125 * (A[i + 1][j][k] - 2.0 * A[i][j][k] + A[i - 1][j][k]) + A[i][j][k];
        #pragma omp parallel for collapse(2)
        for (int i = 1; i < n - 1; i++)
            for (int j = 1; j < n - 1; j++)
                for (int k = 1; k < n - 1; k++)
                    A[i][j][k] = 0.125 * (B[i + 1][j][k] - 2.0 * B[i][j][k] + B[i - 1][j][k]) + B[i][j][k];
    }
}
