/* gemm as PolyBench writes it: every `i` walks all of B. */
void gemm(int ni, int nj, int nk, double alpha, double beta, double C[ni][nj], double A[ni][nk], double B[nk][nj]) {
    // paralift: `i` in strips of 8 and `k` in strips of 128, the strips of `k` outside, so that the part of `B` a strip walks stays in the 2 MiB cache for every `i` of the strip
    #pragma omp parallel for schedule(static, 1)
    for (int pl_i0 = 0; pl_i0 < ni; pl_i0 += 8) {
        for (int i = pl_i0; i < (pl_i0 + 8 < ni ? pl_i0 + 8 : ni); i++) {
            for (int j = 0; j < nj; j++)
                C[i][j] *= beta;
        }
        for (int pl_k0 = 0; pl_k0 < nk; pl_k0 += 128) {
            for (int i = pl_i0; i < (pl_i0 + 8 < ni ? pl_i0 + 8 : ni); i++) {
                for (int k = pl_k0; k < (pl_k0 + 128 < nk ? pl_k0 + 128 : nk); k++) {
                    for (int j = 0; j < nj; j++)
                        C[i][j] += alpha * A[i][k] * B[k][j];
                }
            }
        }
    }
}
