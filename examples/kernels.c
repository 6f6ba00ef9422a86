/* Example C kernels: `paralift analyze examples/` and `paralift rewrite examples/kernels.c --diff`. */
#include <math.h>

double dot(int n, const double *a, const double *b) {
    double s = 0.0;
    for (int i = 0; i < n; i++)
        s += a[i] * b[i];
    return s;
}

void prefix_sum(int n, double *a) {
    for (int i = 1; i < n; i++)
        a[i] += a[i - 1];
}

void blur(int n, int m, const double *in, double *out) {
    for (int i = 1; i < n - 1; i++)
        for (int j = 1; j < m - 1; j++)
            out[i * m + j] = 0.25 * (in[(i - 1) * m + j] + in[(i + 1) * m + j]
                                     + in[i * m + j - 1] + in[i * m + j + 1]);
}

void column_sums(int n, int m, const double a[n][m], double out[m]) {
    for (int i = 0; i < n; i++)
        for (int j = 0; j < m; j++)
            out[j] += a[i][j];
}

double max_abs(int n, const double *x) {
    double best = 0.0;
    for (int i = 0; i < n; i++)
        best = fmax(best, fabs(x[i]));
    return best;
}
