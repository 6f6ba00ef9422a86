/* Nothing here runs in parallel: the file must come out byte-identical. */
#include <stdio.h>

void prefix(int n, double *a) {
    for (int i = 1; i < n; i++)
        a[i] += a[i - 1];
}

void show(int n, const double *a) {
    for (int i = 0; i < n; i++) printf("%f\n", a[i]);
}

void running_max(int n, const int *keys, const double *w, double *best) {
    for (int i = 0; i < n; i++) if (w[i] > best[keys[i]]) best[keys[i]] = w[i];   /* no atomic max */
}

void already(int n, double *a) {
    #pragma omp parallel for
    for (int i = 0; i < n; i++) a[i] = 0.0;
}
