/* Each clause the OpenMP backend writes, and what it leaves alone. */
#include <math.h>

double dot(int n, const double *a, const double *b) {
    double s = 0.0;
    for (int i = 0; i < n; i++) s += a[i] * b[i];
    return s;
}

double extremes(int n, const double *a, double *lo_out) {
    double hi = a[0], lo = a[0];
    for (int i = 1; i < n; i++) {
        if (a[i] > hi) hi = a[i];
        lo = fmin(lo, a[i]);
    }
    *lo_out = lo;
    return hi;
}

void private_and_last(int n, const double *a, double *b, double *last) {
    double t = 0.0;
    int i;
    for (i = 0; i < n; i++) {
        t = a[i] * 2.0;
        b[i] = t;
    }
    last[0] = t;
}

void rows(int rows, int cols, const float *a, float *c) {
    int r, k;
    for (r = 0; r < rows; r++)
        for (k = 0; k < cols; k++)
            c[r * cols + k] = 2.0f * a[r * cols + k];
}

void triangle(int n, double A[n][n]) {
    for (int i = 0; i < n; i++)
        for (int j = 0; j <= i; j++)
            A[i][j] *= 0.5;
}

void walk(int n, const double *a, double *b) {
    const double *p = a;
    int k = 0;
    for (int i = 0; i < n; i++) {
        b[k] = *p + 1.0;
        p++;
        k++;
    }
}

void column_sums(int n, int m, const double a[n][m], double out[m]) {
    for (int i = 0; i < n; i++)
        for (int j = 0; j < m; j++)
            out[j] += a[i][j];
}

void stencil(int steps, int n, double a[n], double b[n]) {
    for (int t = 0; t < steps; t++) {
        for (int i = 1; i < n - 1; i++)
            b[i] = (a[i - 1] + a[i] + a[i + 1]) / 3.0;
        for (int i = 1; i < n - 1; i++)
            a[i] = b[i];
    }
}
