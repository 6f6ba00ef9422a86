/* Kernels for the CUDA C and MPI C backends. */
#include <math.h>

#define SQR(x) ((x) * (x))

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

double largest(int n, const double *a) {
    double m = a[0];
    for (int i = 1; i < n; i++)
        m = fmax(m, a[i]);
    return m;
}

void matvec(int n, int m, const double A[n][m], const double x[m], double y[n]) {
    for (int i = 0; i < n; i++) {
        double acc = 0.0;
        for (int j = 0; j < m; j++)
            acc += A[i][j] * x[j];
        y[i] = acc;
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

void column_sums(int n, int m, const double a[n][m], double out[m]) {
    for (int i = 0; i < n; i++)
        for (int j = 0; j < m; j++)
            out[j] += SQR(a[i][j]);
}

void positive_roots(int n, double *x) {
    for (int i = 0; i < n; i++) {
        if (x[i] < 0)
            continue;
        x[i] = sqrt(x[i]);
    }
}

void histogram(int n, const int *keys, int *hist) {
    for (int i = 0; i < n; i++)
        hist[keys[i]] += 1;
}

void even_from_odd(int n, double *a) {
    for (int i = 0; i < n - 1; i += 2)
        a[i] = a[i + 1] * 0.5;
}

void trisolv(int n, double L[n][n], double x[n], double b[n]) {
    for (int i = 0; i < n; i++) {
        x[i] = b[i];
        for (int j = 0; j < i; j++)
            x[i] -= L[i][j] * x[j];
        x[i] = x[i] / L[i][i];
    }
}

void induction_variable(int n, const double *a, double *b) {
    int k = 0;
    for (int i = 0; i < n; i++) {
        b[k] = a[i];
        k++;
    }
}

void pointer_walk(int n, const double *a, double *b) {
    const double *p = a;
    for (int i = 0; i < n; i++) {
        b[i] = *p * 2.0;
        p++;
    }
}

double last_value(int n, const double *a, double *b) {
    double t = -1.0;
    for (int i = 0; i < n; i++) {
        t = a[i] * 2.0;
        b[i] = t + 1.0;
    }
    return t;
}

void csr_spmv(int n, const int *rowptr, const int *col, const double *val, const double *x, double *y) {
    for (int i = 0; i < n; i++) {
        double s = 0.0;
        for (int k = rowptr[i]; k < rowptr[i + 1]; k++)
            s += val[k] * x[col[k]];
        y[i] = s;
    }
}
