/* Already-parallel OpenMP kernels for `paralift check`: racy ones carry `expect: PLxxx`. */
#include <math.h>

double dot_missing_reduction(int n, const double *a, const double *b) {
    double s = 0.0;
    #pragma omp parallel for
    for (int i = 0; i < n; i++) /* expect: PL102 */
        s += a[i] * b[i];
    return s;
}

double dot(int n, const double *a, const double *b) {
    double s = 0.0;
    #pragma omp parallel for reduction(+:s)
    for (int i = 0; i < n; i++) /* expect: clean */
        s += a[i] * b[i];
    return s;
}

double dot_wrong_operator(int n, const double *a, const double *b) {
    double s = 0.0;
    #pragma omp parallel for reduction(*:s)
    for (int i = 0; i < n; i++) /* expect: PL102 */
        s += a[i] * b[i];
    return s;
}

void shared_temporary(int n, const double *a, double *b) {
    double t;
    #pragma omp parallel for
    for (int i = 0; i < n; i++) { /* expect: PL103 */
        t = a[i] * a[i];
        b[i] = t + 1.0;
    }
}

void private_temporary(int n, const double *a, double *b) {
    double t;
    #pragma omp parallel for private(t)
    for (int i = 0; i < n; i++) { /* expect: clean */
        t = a[i] * a[i];
        b[i] = t + 1.0;
    }
}

void shared_inner_counter(int n, int m, const double *a, double *b) {
    int j;
    #pragma omp parallel for
    for (int i = 0; i < n; i++) /* expect: PL103 */
        for (j = 0; j < m; j++)
            b[i * m + j] = 2.0 * a[i * m + j];
}

void matmul(int n, const double A[n][n], const double B[n][n], double C[n][n]) {
    #pragma omp parallel for
    for (int i = 0; i < n; i++) /* expect: clean */
        for (int j = 0; j < n; j++) {
            double acc = 0.0;
            for (int k = 0; k < n; k++)
                acc += A[i][k] * B[k][j];
            C[i][j] = acc;
        }
}

void prefix(int n, double *a) {
    #pragma omp parallel for
    for (int i = 1; i < n; i++) /* expect: PL101 */
        a[i] += a[i - 1];
}

double last_value(int n, const double *a, double *b) {
    double t = 0.0;
    #pragma omp parallel for
    for (int i = 0; i < n; i++) { /* expect: PL103 PL104 */
        t = a[i] * 2.0;
        b[i] = t;
    }
    return t;
}

double last_value_kept(int n, const double *a, double *b) {
    double t = 0.0;
    #pragma omp parallel for lastprivate(t)
    for (int i = 0; i < n; i++) { /* expect: clean */
        t = a[i] * 2.0;
        b[i] = t;
    }
    return t;
}

void pack(int n, const double *a, double *b) {
    int k = 0;
    #pragma omp parallel for
    for (int i = 0; i < n; i++) { /* expect: PL105 */
        b[k] = a[i];
        k++;
    }
}

void pack_linear(int n, const double *a, double *b) {
    int k = 0;
    #pragma omp parallel for linear(k:1)
    for (int i = 0; i < n; i++) { /* expect: clean */
        b[k] = a[i];
        k++;
    }
}

void jacobi_2d(int n, const double a[n][n], double b[n][n]) {
    #pragma omp parallel for
    for (int i = 1; i < n - 1; i++) /* expect: clean */
        for (int j = 1; j < n - 1; j++)
            b[i][j] = 0.2 * (a[i][j] + a[i][j - 1] + a[i][j + 1] + a[i + 1][j] + a[i - 1][j]);
}

void column_sums(int n, int m, const double a[n][m], double out[m]) {
    #pragma omp parallel for
    for (int i = 0; i < n; i++) /* expect: PL102 */
        for (int j = 0; j < m; j++)
            out[j] += a[i][j];
}

void column_sums_reduced(int n, int m, const double a[n][m], double out[m]) {
    #pragma omp parallel for reduction(+:out[:m])
    for (int i = 0; i < n; i++) /* expect: clean */
        for (int j = 0; j < m; j++)
            out[j] += a[i][j];
}

double max_abs(int n, const double *x) {
    double best = 0.0;
    #pragma omp parallel for reduction(max:best)
    for (int i = 0; i < n; i++) /* expect: clean */
        best = fmax(best, fabs(x[i]));
    return best;
}

void histogram_atomic(int n, const int *keys, double *h) {
    #pragma omp parallel for
    for (int i = 0; i < n; i++) { /* expect: clean */
        #pragma omp atomic
        h[keys[i]] += 1.0;
    }
}

void histogram_half_atomic(int n, const int *keys, double *h, double *g) {
    #pragma omp parallel for
    for (int i = 0; i < n; i++) { /* expect: PL102 */
        #pragma omp atomic
        h[keys[i]] += 1.0;
        g[keys[i]] += 2.0;
    }
}

void static_counter(int n, int *a) {
    #pragma omp parallel for
    for (int i = 0; i < n; i++) { /* expect: PL101 */
        static int k;
        k = i;
        a[i] = k;
    }
}

void collapsed_counters(int n, int m, double *a, const double *b) {
    int i, j;
    #pragma omp parallel for collapse(2)
    for (i = 0; i < n; i++) /* expect: clean */
        for (j = 0; j < m; j++)
            a[i * m + j] = b[i * m + j];
}

void simd_inside(int n, double *a, const double *b) {
    #pragma omp parallel for
    for (int i = 0; i < n; i++) /* expect: clean */
    #pragma omp simd
        for (int j = 0; j < n; j++)
            a[i * n + j] = 2.0 * b[i * n + j];
}
