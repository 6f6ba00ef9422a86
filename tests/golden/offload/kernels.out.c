/* OpenMP target offload: what is mapped, and what stays on the host. */
#include <math.h>

void saxpy(int n, double a, const double *x, double *y) {
    #pragma omp target teams distribute parallel for map(to: x[0:n]) map(tofrom: y[0:n])
    for (int i = 0; i < n; i++)
        y[i] = a * x[i] + y[i];
}

double dot(int n, const double *x, const double *y) {
    double s = 0.0;
    #pragma omp target teams distribute parallel for map(to: x[0:n], y[0:n]) map(tofrom: s) reduction(+:s)
    for (int i = 0; i < n; i++)
        s += x[i] * y[i];
    return s;
}

void stencil(int n, const double *a, double *b) {
    #pragma omp target teams distribute parallel for map(to: a[0:n]) map(tofrom: b[0:((n - 1) > 0 ? (n - 1) : 0)])
    for (int i = 1; i < n - 1; i++)
        b[i] = (a[i - 1] + a[i] + a[i + 1]) / 3.0;
}

void matvec(int n, int m, double A[n][m], const double *x, double *y) {
    #pragma omp target teams distribute parallel for map(to: A[0:n][0:m], x[0:m]) map(tofrom: y[0:n])
    for (int i = 0; i < n; i++) {
        double t = 0.0;
        for (int j = 0; j < m; j++)
            t += A[i][j] * x[j];
        y[i] = t;
    }
}

void scale_rows(int n, int m, double A[n][m], double s) {
    #pragma omp target teams distribute parallel for map(tofrom: A[0:n][0:m])
    for (int i = 0; i < n; i++)
        for (int j = 0; j < m; j++)
            A[i][j] = s * sqrt(fabs(A[i][j]));
}

/* stays on the host: a counter stepped in every iteration */
int pack(int n, const double *a, double *out) {
    int k = 0;
    for (int i = 0; i < n; i++) {
        out[k] = a[i];
        k++;
    }
    return k;
}

/* stays on the host: the part of `x` it reads depends on `idx` */
void gather(int n, const int *idx, const double *x, double *y) {
    for (int i = 0; i < n; i++)
        y[i] = x[idx[i]];
}
