/* Stencils with a time loop, as a suite ships them (include/bench.h). */
#include "bench.h"

void kernel_jacobi_1d(int tsteps, int n, DATA_TYPE ARRAY_1D(A, N), DATA_TYPE ARRAY_1D(B, N)) {
    for (int t = 0; t < tsteps; t++) {  // expect: sequential
        for (int i = 1; i < n - 1; i++)  // expect: parallel
            B[i] = SCALAR_VAL(0.33333) * (A[i - 1] + A[i] + A[i + 1]);
        for (int i = 1; i < n - 1; i++)  // expect: parallel
            A[i] = SCALAR_VAL(0.33333) * (B[i - 1] + B[i] + B[i + 1]);
    }
}

void kernel_heat_2d(int tsteps, int n, DATA_TYPE ARRAY_2D(A, N, N), DATA_TYPE ARRAY_2D(B, N, N)) {
    for (int t = 1; t <= tsteps; t++) {  // expect: sequential
        for (int i = 1; i < n - 1; i++)  // expect: parallel
            for (int j = 1; j < n - 1; j++)  // expect: parallel
                B[i][j] = SCALAR_VAL(0.125) * (A[i + 1][j] - SCALAR_VAL(2.0) * A[i][j] + A[i - 1][j])
                        + SCALAR_VAL(0.125) * (A[i][j + 1] - SCALAR_VAL(2.0) * A[i][j] + A[i][j - 1])
                        + A[i][j];
        for (int i = 1; i < n - 1; i++)  // expect: parallel
            for (int j = 1; j < n - 1; j++)  // expect: parallel
                A[i][j] = MAX_OF(B[i][j], SCALAR_VAL(0.0));
    }
}

void kernel_seidel_1d(int n, DATA_TYPE ARRAY_1D(A, N)) {
    for (int i = 1; i < n - 1; i++)  // expect: sequential
        A[i] = (A[i - 1] + A[i] + A[i + 1]) / SCALAR_VAL(3.0);
}
