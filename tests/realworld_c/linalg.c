/* Dense linear algebra as a benchmark suite ships it: types, sizes and arrays through the
 * suite's macros (include/bench.h), a main that times the kernels, and a runtime in
 * another file (bench.c). */
#include <stdio.h>
#include <stdlib.h>
#include "bench.h"

static void init_matrix(int n, int m, DATA_TYPE ARRAY_2D(A, N, M)) {
    for (int i = 0; i < n; i++)  // expect: parallel
        for (int j = 0; j < m; j++)  // expect: parallel
            A[i][j] = (DATA_TYPE)((i * j + 1) % n) / n;
}

void kernel_gemm(int ni, int nj, int nk, DATA_TYPE alpha, DATA_TYPE beta,
                 DATA_TYPE ARRAY_2D(C, N, N), DATA_TYPE ARRAY_2D(A, N, N), DATA_TYPE ARRAY_2D(B, N, N)) {
    int i, j, k;
    for (i = 0; i < ni; i++) {  // expect: parallel
        for (j = 0; j < nj; j++)  // expect: parallel
            C[i][j] *= beta;
        for (k = 0; k < nk; k++)  // expect: reduction
            for (j = 0; j < nj; j++)  // expect: parallel
                C[i][j] += alpha * A[i][k] * B[k][j];
    }
}

void kernel_atax(int m, int n, DATA_TYPE ARRAY_2D(A, M, N), DATA_TYPE ARRAY_1D(x, N),
                 DATA_TYPE ARRAY_1D(y, N), DATA_TYPE ARRAY_1D(tmp, M)) {
    for (int i = 0; i < n; i++)  // expect: parallel
        y[i] = 0;
    for (int i = 0; i < m; i++) {  // expect: reduction
        tmp[i] = SCALAR_VAL(0.0);
        for (int j = 0; j < n; j++)  // expect: reduction
            tmp[i] = tmp[i] + A[i][j] * x[j];
        for (int j = 0; j < n; j++)  // expect: parallel
            y[j] = y[j] + A[i][j] * tmp[i];
    }
}

void kernel_correlation(int m, int n, DATA_TYPE float_n, DATA_TYPE ARRAY_2D(data, N, M),
                        DATA_TYPE ARRAY_1D(mean, M), DATA_TYPE ARRAY_1D(stddev, M)) {
    DATA_TYPE eps = SCALAR_VAL(0.1);
    for (int j = 0; j < m; j++) {  // expect: parallel
        mean[j] = SCALAR_VAL(0.0);
        for (int i = 0; i < n; i++)  // expect: reduction
            mean[j] += data[i][j];
        mean[j] /= float_n;
    }
    for (int j = 0; j < m; j++) {  // expect: parallel
        stddev[j] = SCALAR_VAL(0.0);
        for (int i = 0; i < n; i++)  // expect: reduction
            stddev[j] += (data[i][j] - mean[j]) * (data[i][j] - mean[j]);
        stddev[j] /= float_n;
        stddev[j] = SQRT_FUN(stddev[j]);
        stddev[j] = stddev[j] <= eps ? SCALAR_VAL(1.0) : stddev[j];
    }
    for (int i = 0; i < n; i++)  // expect: parallel
        for (int j = 0; j < m; j++) {  // expect: parallel
            data[i][j] -= mean[j];
            data[i][j] /= SQRT_FUN(float_n) * stddev[j];
        }
}

int main(int argc, char **argv) {
    int n = N, m = M;
    DATA_TYPE (*A)[N] = bench_alloc((size_t)N * N, sizeof(DATA_TYPE));
    DATA_TYPE (*B)[N] = bench_alloc((size_t)N * N, sizeof(DATA_TYPE));
    DATA_TYPE (*C)[N] = bench_alloc((size_t)N * N, sizeof(DATA_TYPE));
    init_matrix(n, n, (void *)A);
    init_matrix(n, n, (void *)B);
    bench_timer_start();
    kernel_gemm(n, n, n, SCALAR_VAL(1.5), SCALAR_VAL(1.2), C, A, B);
    bench_timer_stop();
    printf("%f %d %f\n", C[1][1], argc > 1 ? atoi(argv[1]) : m, bench_t_end - bench_t_start);
    free(A);
    free(B);
    free(C);
    return 0;
}
