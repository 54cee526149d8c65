/* Integer matrix multiplication: naive, loop-interchanged, blocked and
 * transposed variants, cross-checked against each other. */
#include <stdio.h>
#include <stdlib.h>
#include <stdint.h>

#define N 320
#define BLOCK 32

static uint32_t rng_state = 0x1234567u;

static uint32_t xorshift32(void)
{
    uint32_t x = rng_state;
    x ^= x << 13;
    x ^= x >> 17;
    x ^= x << 5;
    rng_state = x;
    return x;
}

static void fill_matrix(int32_t *m, int n)
{
    for (int i = 0; i < n * n; i++)
        m[i] = (int32_t)(xorshift32() % 201u) - 100;
}

static void matmul_naive(const int32_t *a, const int32_t *b, int32_t *c, int n)
{
    for (int i = 0; i < n; i++)
        for (int j = 0; j < n; j++) {
            int32_t sum = 0;
            for (int k = 0; k < n; k++)
                sum += a[i * n + k] * b[k * n + j];
            c[i * n + j] = sum;
        }
}

static void matmul_ikj(const int32_t *a, const int32_t *b, int32_t *c, int n)
{
    for (int i = 0; i < n * n; i++)
        c[i] = 0;
    for (int i = 0; i < n; i++)
        for (int k = 0; k < n; k++) {
            int32_t aik = a[i * n + k];
            if (aik == 0)
                continue;
            for (int j = 0; j < n; j++)
                c[i * n + j] += aik * b[k * n + j];
        }
}

static int min_int(int a, int b) { return a < b ? a : b; }

static void matmul_blocked(const int32_t *a, const int32_t *b, int32_t *c, int n)
{
    for (int i = 0; i < n * n; i++)
        c[i] = 0;
    for (int ii = 0; ii < n; ii += BLOCK)
        for (int kk = 0; kk < n; kk += BLOCK)
            for (int jj = 0; jj < n; jj += BLOCK) {
                int imax = min_int(ii + BLOCK, n);
                int kmax = min_int(kk + BLOCK, n);
                int jmax = min_int(jj + BLOCK, n);
                for (int i = ii; i < imax; i++)
                    for (int k = kk; k < kmax; k++) {
                        int32_t aik = a[i * n + k];
                        for (int j = jj; j < jmax; j++)
                            c[i * n + j] += aik * b[k * n + j];
                    }
            }
}

static void transpose(const int32_t *src, int32_t *dst, int n)
{
    for (int i = 0; i < n; i++)
        for (int j = 0; j < n; j++)
            dst[j * n + i] = src[i * n + j];
}

static void matmul_transposed(const int32_t *a, const int32_t *bt, int32_t *c, int n)
{
    for (int i = 0; i < n; i++)
        for (int j = 0; j < n; j++) {
            const int32_t *row = a + i * n;
            const int32_t *col = bt + j * n;
            int32_t sum = 0;
            for (int k = 0; k < n; k++)
                sum += row[k] * col[k];
            c[i * n + j] = sum;
        }
}

static int count_mismatch(const int32_t *x, const int32_t *y, int n)
{
    int bad = 0;
    for (int i = 0; i < n * n; i++)
        if (x[i] != y[i])
            bad++;
    return bad;
}

static uint64_t hash_matrix(const int32_t *m, int n, uint64_t h)
{
    for (int i = 0; i < n * n; i++) {
        h ^= (uint64_t)(uint32_t)m[i];
        h *= 0x100000001b3ULL;
    }
    return h;
}

static int64_t trace(const int32_t *m, int n)
{
    int64_t t = 0;
    for (int i = 0; i < n; i++)
        t += m[i * n + i];
    return t;
}

int main(void)
{
    size_t bytes = sizeof(int32_t) * N * N;
    int32_t *a = malloc(bytes), *b = malloc(bytes), *bt = malloc(bytes);
    int32_t *c1 = malloc(bytes), *c2 = malloc(bytes), *c3 = malloc(bytes), *c4 = malloc(bytes);
    if (!a || !b || !bt || !c1 || !c2 || !c3 || !c4)
        return 1;
    fill_matrix(a, N);
    fill_matrix(b, N);
    transpose(b, bt, N);

    matmul_naive(a, b, c1, N);
    matmul_ikj(a, b, c2, N);
    matmul_blocked(a, b, c3, N);
    matmul_transposed(a, bt, c4, N);

    int bad = count_mismatch(c1, c2, N) + count_mismatch(c1, c3, N) + count_mismatch(c1, c4, N);
    uint64_t h = hash_matrix(c1, N, 0xcbf29ce484222325ULL);
    int64_t tr = trace(c1, N);
    printf("trace: %lld\n", (long long)tr);
    printf("mismatches: %d\n", bad);
    h ^= (uint64_t)tr * 0x9e3779b97f4a7c15ULL;
    h += (uint64_t)bad;
    printf("checksum: %llu\n", (unsigned long long)h);
    free(a); free(b); free(bt); free(c1); free(c2); free(c3); free(c4);
    return 0;
}
