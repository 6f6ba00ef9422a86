/* Every construct the C frontend models, and a few it does not. */
#include <math.h>
#define N_MAX 1024
#define SQR(x) ((x) * (x))

void loops(int n, double *a, const double * restrict b, double C[n][n]) {
    int i;
    for (i = 0; i < n; i++) a[i] = b[i];
    for (int j = 1; j <= n - 1; ++j) { a[j] += SQR(b[j]); }
    for (long k = n - 1; k >= 0; k--) C[k][k] = (double)k;
    for (int s = 0; s < n; s += 2) a[s] = s > 3 ? fabs(a[s]) : -a[s];
    while (n > 1) { n = n / 2; }
}

double pointers(int n, const double *a, double *b) {
    const double *p = a + 1;
    double total = 0.0, tmp[16];
    for (int i = 0; i < n - 1; i++) {
        b[i] = *p * 2.0 + p[1];
        total += *(a + i);
        p++;
    }
    if (total > 0 && n != 0) return total; else return -total;
}

void unmodelled(int n, double *a) {
    int i = 0;
    do { a[i] = 0; i++; } while (i < n);
    for (i = 0; i != n; i++) a[i] = 1;
    switch (n) { case 1: a[0] = 2; }
    printf("%d\n", n);
}
