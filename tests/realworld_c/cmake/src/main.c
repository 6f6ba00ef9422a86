#include <stdio.h>
#include <stdlib.h>
#include "smooth.h"

double total(int n, const double *in);

int main(void) {
    int n = 1000;
    double *a = malloc(n * sizeof *a), *b = malloc(n * sizeof *b);
    for (int i = 0; i < n; i++) a[i] = i % 7;
    smooth(n, b, a);
    printf("%f\n", total(n, b));
    free(a);
    free(b);
    return 0;
}
