/* C kernels for the GPU benchmark (`benchmarks/gpu/run.py`). */

void saxpy(int n, double alpha, const double *x, double *y) {
    for (int i = 0; i < n; i++)
        y[i] = alpha * x[i] + y[i];
}

double dot(int n, const double *a, const double *b) {
    double s = 0.0;
    for (int i = 0; i < n; i++)
        s += a[i] * b[i];
    return s;
}

void matmul(int n, const double A[n][n], const double B[n][n], double C[n][n]) {
    for (int i = 0; i < n; i++)
        for (int j = 0; j < n; j++) {
            double acc = 0.0;
            for (int k = 0; k < n; k++)
                acc += A[i][k] * B[k][j];
            C[i][j] = acc;
        }
}

void jacobi_2d(int steps, int n, double a[n][n], double b[n][n]) {
    for (int t = 0; t < steps; t++) {
        for (int i = 1; i < n - 1; i++)
            for (int j = 1; j < n - 1; j++)
                b[i][j] = 0.2 * (a[i][j] + a[i][j - 1] + a[i][j + 1] + a[i + 1][j] + a[i - 1][j]);
        for (int i = 1; i < n - 1; i++)
            for (int j = 1; j < n - 1; j++)
                a[i][j] = b[i][j];
    }
}
