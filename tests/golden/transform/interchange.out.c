/* 2mm's first product as PolyBench writes it: `k` walks down the columns of B. */
void mm(int ni, int nj, int nk, double alpha, double tmp[ni][nj], double A[ni][nk], double B[nk][nj]) {
    #pragma omp parallel for
    for (int i = 0; i < ni; i++)
        {
            // paralift: `j` split around `k`, and `k` moved outside `j`: the innermost loop walks along rows
            for (int j = 0; j < nj; j++) {
                tmp[i][j] = 0.0;
            }
            for (int k = 0; k < nk; ++k) {
                for (int j = 0; j < nj; j++) {
                    tmp[i][j] += alpha * A[i][k] * B[k][j];
                }
            }
        }
}
