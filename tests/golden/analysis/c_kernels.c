#include <math.h>
#define SQR(x) ((x) * (x))

void squares(int n, const double *a, double *b) {
    for (int i = 0; i < n; i++)
        b[i] = SQR(a[i]) + sqrt(fabs(a[i]));
}

double dot(int n, const double *a, const double *b) {
    double s = 0.0;
    for (int i = 0; i < n; i++) s += a[i] * b[i];
    return s;
}

double max_by_fmax(int n, const double *a) {
    double m = a[0];
    for (int i = 1; i < n; i++) m = fmax(m, a[i]);
    return m;
}

void matmul_flat(int n, const float *A, const float *B, float *C) {
    for (int i = 0; i < n; i++)
        for (int j = 0; j < n; j++) {
            float acc = 0.0f;
            for (int k = 0; k < n; k++) acc += A[i * n + k] * B[k * n + j];
            C[i * n + j] = acc;
        }
}

void walk(int n, const double *a, double *b) {
    const double *p = a;
    for (int i = 0; i < n; i++) { b[i] = *p; p += 1; }
}

void strided_update(int n, double *y, int inc) {
    for (int i = 0; i < n; i++) y[i * inc] += 1.0;
}

void prints(int n, const double *a) {
    for (int i = 0; i < n; i++) printf("%f\n", a[i]);
}

void local_scratch(int n, int m, const double *a, double *b) {
    for (int i = 0; i < n; i++) {
        double t[64];
        for (int j = 0; j < m; j++) t[j] = a[i * m + j];
        b[i] = t[0];
    }
}

void broken(int n, double *a) {
    for (int i = 0; i < n; i++) a[i] = ;
}
