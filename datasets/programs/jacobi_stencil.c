/* 2-D heat diffusion with Jacobi iteration (5-point stencil), fixed
 * boundary conditions and internal heat sources; residual-driven. */
#include <stdio.h>
#include <stdlib.h>
#include <stdint.h>
#include <math.h>

#define GRID 128
#define MAX_ITERS 3000

static double *alloc_grid(int n)
{
    double *g = malloc(sizeof(double) * (size_t)n * (size_t)n);
    if (!g)
        exit(1);
    for (int i = 0; i < n * n; i++)
        g[i] = 0.0;
    return g;
}

static void set_boundary(double *g, int n)
{
    for (int i = 0; i < n; i++) {
        g[i] = 100.0;                       /* top edge hot */
        g[(n - 1) * n + i] = 0.0;           /* bottom edge cold */
        g[i * n] = 50.0 * (double)i / (n - 1);
        g[i * n + n - 1] = 25.0;
    }
}

static double source_term(int i, int j, int n)
{
    int ci = n / 3, cj = 2 * n / 3;
    if ((i - ci) * (i - ci) + (j - cj) * (j - cj) < (n / 10) * (n / 10))
        return 0.5;
    if (i > 2 * n / 3 && j > n / 5 && j < n / 4)
        return -0.25;
    return 0.0;
}

static double jacobi_sweep(const double *src, double *dst, const double *f, int n)
{
    double residual = 0.0;
    for (int i = 1; i < n - 1; i++) {
        for (int j = 1; j < n - 1; j++) {
            double v = 0.25 * (src[(i - 1) * n + j] + src[(i + 1) * n + j] +
                               src[i * n + j - 1] + src[i * n + j + 1] + f[i * n + j]);
            double d = v - src[i * n + j];
            residual += d * d;
            dst[i * n + j] = v;
        }
    }
    return sqrt(residual);
}

static void copy_boundary(const double *src, double *dst, int n)
{
    for (int i = 0; i < n; i++) {
        dst[i] = src[i];
        dst[(n - 1) * n + i] = src[(n - 1) * n + i];
        dst[i * n] = src[i * n];
        dst[i * n + n - 1] = src[i * n + n - 1];
    }
}

static double grid_mean(const double *g, int n)
{
    double s = 0.0;
    for (int i = 0; i < n * n; i++)
        s += g[i];
    return s / (double)(n * n);
}

int main(void)
{
    double *a = alloc_grid(GRID);
    double *b = alloc_grid(GRID);
    double *f = alloc_grid(GRID);
    set_boundary(a, GRID);
    copy_boundary(a, b, GRID);
    for (int i = 0; i < GRID; i++)
        for (int j = 0; j < GRID; j++)
            f[i * GRID + j] = source_term(i, j, GRID);

    int iters = 0;
    double res = 0.0;
    for (iters = 0; iters < MAX_ITERS; iters++) {
        res = jacobi_sweep(a, b, f, GRID);
        double *t = a;
        a = b;
        b = t;
        if (res < 1e-6)
            break;
    }
    double mean = grid_mean(a, GRID);
    double centre = a[(GRID / 2) * GRID + GRID / 2];
    printf("iterations: %d\n", iters);
    printf("mean temperature: %.4f\n", mean);
    printf("centre temperature: %.4f\n", centre);
    uint64_t h = 0x84222325cbf29ce4ULL;
    h = (h ^ (uint64_t)iters) * 0x100000001b3ULL;
    h = (h ^ (uint64_t)llround(mean * 1000.0)) * 0x100000001b3ULL;
    h = (h ^ (uint64_t)llround(centre * 1000.0)) * 0x100000001b3ULL;
    for (int i = 0; i < GRID; i += 7)
        for (int j = 0; j < GRID; j += 11)
            h = (h ^ (uint64_t)llround(a[i * GRID + j] * 100.0)) * 0x100000001b3ULL;
    printf("checksum: %llu\n", (unsigned long long)h);
    free(a);
    free(b);
    free(f);
    return 0;
}
