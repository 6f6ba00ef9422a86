#include "smooth.h"

void smooth(int n, double *restrict out, const double *restrict in) {
    for (int i = 1; i < n - 1; i++)  // expect: parallel
        out[i] = SMOOTH_WEIGHT * in[i] + REAL_LIT(0.5) * (1.0 - SMOOTH_WEIGHT) * (in[i - 1] + in[i + 1]);
}

double total(int n, const double *in) {
    double s = 0.0;
    for (int i = 0; i < n; i++)  // expect: reduction
        s += in[i];
    return s;
}
