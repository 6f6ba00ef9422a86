/* Nothing here runs in parallel: the file must come out byte-identical. */
#include <stdio.h>

void prefix(int n, double *a) {
    for (int i = 1; i < n; i++)
        a[i] += a[i - 1];
}

void show(int n, const double *a) {
    for (int i = 0; i < n; i++) printf("%f\n", a[i]);
}

void histogram(int n, const int *keys, int *hist) {
    for (int i = 0; i < n; i++) hist[keys[i]] += 1;   /* a pointer: no extent */
}

void already(int n, double *a) {
    #pragma omp parallel for
    for (int i = 0; i < n; i++) a[i] = 0.0;
}
