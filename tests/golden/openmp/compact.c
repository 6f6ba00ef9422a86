/* Code as compact C corpora ship it: a function on one line, and updates through pointers
   whose extent is unknown (an `omp atomic` each, since a reduction section needs one). */
void scale(int n, float *a, float s) { for (int i = 0; i < n; i++) a[i] = a[i] * s; }
float dot(int n, const float *x, const float *y) { float s = 0; for (int i = 0; i < n; i++) s += x[i] * y[i]; return s; }
void histogram(int n, const int *keys, int *hist) {
    for (int i = 0; i < n; i++) hist[keys[i]] += 1;   /* a pointer: no extent */
}
void scatter_add(int n, const int *idx, const double *w, double *out) { for (int i = 0; i < n; i++) out[idx[i]] += w[i]; }
void two_per_line(int n, double *a, double *b) { for (int i = 0; i < n; i++) a[i] = 1.0; for (int j = 0; j < n; j++) b[j] = a[j] * 2.0; }
void prefix(int n, float *a) { for (int i = 1; i < n; i++) a[i] += a[i - 1]; }
