/* Dense linear algebra in double precision: LU factorisation with partial
 * pivoting, forward/back substitution, residual check, determinant, and a
 * Gram-Schmidt QR of the same matrix for comparison. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <stdint.h>
#include <math.h>

#define N 180
#define SYSTEMS 10

static uint64_t state = 0x9e3779b97f4a7c15ULL;

static double uniform(void)
{
    state ^= state >> 12;
    state ^= state << 25;
    state ^= state >> 27;
    return (double)((state * 2685821657736338717ULL) >> 11) / 9007199254740992.0 - 0.5;
}

static void make_matrix(double *a, int n)
{
    for (int i = 0; i < n; i++)
        for (int j = 0; j < n; j++)
            a[i * n + j] = uniform() + (i == j ? 4.0 : 0.0);
}

/* In-place LU with partial pivoting; returns sign of the permutation. */
static int lu_factor(double *a, int *perm, int n)
{
    int sign = 1;
    for (int i = 0; i < n; i++)
        perm[i] = i;
    for (int k = 0; k < n; k++) {
        int p = k;
        double best = fabs(a[k * n + k]);
        for (int i = k + 1; i < n; i++)
            if (fabs(a[i * n + k]) > best) {
                best = fabs(a[i * n + k]);
                p = i;
            }
        if (p != k) {
            for (int j = 0; j < n; j++) {
                double t = a[k * n + j];
                a[k * n + j] = a[p * n + j];
                a[p * n + j] = t;
            }
            int t = perm[k]; perm[k] = perm[p]; perm[p] = t;
            sign = -sign;
        }
        double pivot = a[k * n + k];
        for (int i = k + 1; i < n; i++) {
            double f = a[i * n + k] / pivot;
            a[i * n + k] = f;
            for (int j = k + 1; j < n; j++)
                a[i * n + j] -= f * a[k * n + j];
        }
    }
    return sign;
}

static void lu_solve(const double *lu, const int *perm, const double *b, double *x, int n)
{
    for (int i = 0; i < n; i++) {
        double s = b[perm[i]];
        for (int j = 0; j < i; j++)
            s -= lu[i * n + j] * x[j];
        x[i] = s;
    }
    for (int i = n - 1; i >= 0; i--) {
        double s = x[i];
        for (int j = i + 1; j < n; j++)
            s -= lu[i * n + j] * x[j];
        x[i] = s / lu[i * n + i];
    }
}

static double log_abs_det(const double *lu, int n)
{
    double s = 0.0;
    for (int i = 0; i < n; i++)
        s += log(fabs(lu[i * n + i]));
    return s;
}

static double residual(const double *a, const double *x, const double *b, int n)
{
    double worst = 0.0;
    for (int i = 0; i < n; i++) {
        double s = -b[i];
        for (int j = 0; j < n; j++)
            s += a[i * n + j] * x[j];
        if (fabs(s) > worst)
            worst = fabs(s);
    }
    return worst;
}

/* Modified Gram-Schmidt on columns; returns log|det R|. */
static double qr_log_det(const double *a, double *q, int n)
{
    memcpy(q, a, sizeof(double) * (size_t)n * (size_t)n);
    double logdet = 0.0;
    for (int k = 0; k < n; k++) {
        double norm = 0.0;
        for (int i = 0; i < n; i++)
            norm += q[i * n + k] * q[i * n + k];
        norm = sqrt(norm);
        logdet += log(norm);
        for (int i = 0; i < n; i++)
            q[i * n + k] /= norm;
        for (int j = k + 1; j < n; j++) {
            double dot = 0.0;
            for (int i = 0; i < n; i++)
                dot += q[i * n + k] * q[i * n + j];
            for (int i = 0; i < n; i++)
                q[i * n + j] -= dot * q[i * n + k];
        }
    }
    return logdet;
}

int main(void)
{
    size_t bytes = sizeof(double) * N * N;
    double *a = malloc(bytes), *lu = malloc(bytes), *q = malloc(bytes);
    double *b = malloc(sizeof(double) * N), *x = malloc(sizeof(double) * N);
    int *perm = malloc(sizeof(int) * N);
    if (!a || !lu || !q || !b || !x || !perm)
        return 1;
    uint64_t h = 0xcbf29ce484222325ULL;
    int all_ok = 1;
    for (int s = 0; s < SYSTEMS; s++) {
        make_matrix(a, N);
        for (int i = 0; i < N; i++)
            b[i] = uniform() * 10.0;
        memcpy(lu, a, bytes);
        int sign = lu_factor(lu, perm, N);
        lu_solve(lu, perm, b, x, N);
        double res = residual(a, x, b, N);
        double ld1 = log_abs_det(lu, N), ld2 = qr_log_det(a, q, N);
        int ok = res < 1e-9 && fabs(ld1 - ld2) < 1e-6;
        all_ok &= ok;
        printf("system %d: sign=%d log|det|=%.6f ok=%d\n", s, sign, ld1, ok);
        h = (h ^ (uint64_t)llround(ld1 * 1e5)) * 0x100000001b3ULL;
        h = (h ^ (uint64_t)(sign + 2)) * 0x100000001b3ULL;
        for (int i = 0; i < N; i += 9)
            h = (h ^ (uint64_t)llround(x[i] * 1e6)) * 0x100000001b3ULL;
    }
    h += (uint64_t)all_ok;
    printf("checksum: %llu\n", (unsigned long long)h);
    free(a); free(lu); free(q); free(b); free(x); free(perm);
    return 0;
}
