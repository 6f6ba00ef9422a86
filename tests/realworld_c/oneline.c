#include <math.h>
void vec_add(int n, const float *a, const float *b, float *c) { for (int i = 0; i < n; i++) c[i] = a[i] + b[i]; }  // expect: parallel
void saxpy_cpu(int n, float a, const float *x, float *y) { for (int i = 0; i < n; ++i) { y[i] = a * x[i] + y[i]; } }  // expect: parallel
void scale_rows(int rows, int cols, double *m, const double *s) { for (int r = 0; r < rows; r++) for (int c = 0; c < cols; c++) m[r * cols + c] *= s[r]; }  // expect: parallel
double sum_squares(int n, const double *x) { double s = 0; for (int i = 0; i < n; i++) s += x[i] * x[i]; return s; }  // expect: reduction
void relu(int n, float *x) { for (int i = 0; i < n; i++) if (x[i] < 0) x[i] = 0; }  // expect: parallel
void softplus(int n, const double *x, double *y) { for (int i = 0; i < n; i++) y[i] = log(1.0 + exp(x[i])); }  // expect: parallel
void prefix_sum(int n, double *x) { for (int i = 1; i < n; i++) x[i] += x[i - 1]; }  // expect: sequential
int count_positive(int n, const int *v) { int c = 0; for (int i = 0; i < n; i++) { if (v[i] > 0) c++; } return c; }  // expect: reduction
