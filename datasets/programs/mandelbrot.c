/* Mandelbrot and Julia set escape-time rendering into an iteration-count
 * buffer, with a histogram and ASCII thumbnail. */
#include <stdio.h>
#include <stdlib.h>
#include <stdint.h>

/* Escape counts at the set boundary are sensitive to fused multiply-add
 * contraction; ask clang/LLVM for separate IEEE mul and add so results do
 * not depend on whether the target has FMA instructions. */
#ifdef __clang__
#pragma STDC FP_CONTRACT OFF
#endif

#define WIDTH 480
#define HEIGHT 320
#define MAX_ITER 256

static int escape_time(double cr, double ci, double zr, double zi, int max_iter)
{
    int it = 0;
    while (it < max_iter) {
        double zr2 = zr * zr;
        double zi2 = zi * zi;
        if (zr2 + zi2 > 4.0)
            break;
        zi = 2.0 * zr * zi + ci;
        zr = zr2 - zi2 + cr;
        it++;
    }
    return it;
}

static int in_main_cardioid(double cr, double ci)
{
    double q = (cr - 0.25) * (cr - 0.25) + ci * ci;
    return q * (q + (cr - 0.25)) <= 0.25 * ci * ci;
}

static void render_mandelbrot(int *buf, int w, int h, double x0, double y0, double scale)
{
    for (int y = 0; y < h; y++) {
        double ci = y0 + (double)y * scale;
        for (int x = 0; x < w; x++) {
            double cr = x0 + (double)x * scale;
            if (in_main_cardioid(cr, ci))
                buf[y * w + x] = MAX_ITER;
            else
                buf[y * w + x] = escape_time(cr, ci, 0.0, 0.0, MAX_ITER);
        }
    }
}

static void render_julia(int *buf, int w, int h, double cr, double ci)
{
    for (int y = 0; y < h; y++) {
        double zi = -1.2 + 2.4 * (double)y / (double)h;
        for (int x = 0; x < w; x++) {
            double zr = -1.6 + 3.2 * (double)x / (double)w;
            buf[y * w + x] = escape_time(cr, ci, zr, zi, MAX_ITER);
        }
    }
}

static uint64_t histogram_hash(const int *buf, int n, int *inside)
{
    static int hist[MAX_ITER + 1];
    for (int i = 0; i <= MAX_ITER; i++)
        hist[i] = 0;
    for (int i = 0; i < n; i++)
        hist[buf[i]]++;
    *inside = hist[MAX_ITER];
    uint64_t h = 14695981039346656037ULL;
    for (int i = 0; i <= MAX_ITER; i++) {
        h ^= (uint64_t)hist[i] + (uint64_t)i * 131u;
        h *= 1099511628211ULL;
    }
    return h;
}

static void print_thumbnail(const int *buf, int w, int h)
{
    const char *shades = " .:-=+*#%@";
    for (int y = 0; y < h; y += h / 8) {
        char line[WIDTH / 12 + 2];
        int k = 0;
        for (int x = 0; x < w; x += 12) {
            int v = buf[y * w + x];
            line[k++] = v >= MAX_ITER ? '@' : shades[(v * 9) / MAX_ITER];
        }
        line[k] = '\0';
        printf("|%s|\n", line);
    }
}

int main(void)
{
    int *buf = malloc(sizeof(int) * WIDTH * HEIGHT);
    if (!buf)
        return 1;
    int inside_m = 0, inside_j = 0;
    render_mandelbrot(buf, WIDTH, HEIGHT, -2.2, -1.2, 3.2 / WIDTH);
    print_thumbnail(buf, WIDTH, HEIGHT);
    uint64_t h1 = histogram_hash(buf, WIDTH * HEIGHT, &inside_m);
    render_julia(buf, WIDTH, HEIGHT, -0.8, 0.156);
    uint64_t h2 = histogram_hash(buf, WIDTH * HEIGHT, &inside_j);
    render_mandelbrot(buf, WIDTH, HEIGHT, -0.7453, 0.1127, 0.00003);
    int inside_z = 0;
    uint64_t h3 = histogram_hash(buf, WIDTH * HEIGHT, &inside_z);
    printf("inside: %d %d %d\n", inside_m, inside_j, inside_z);
    uint64_t h = h1 ^ (h2 * 31u) ^ (h3 * 1000003u);
    h += (uint64_t)inside_m * 7u + (uint64_t)inside_j * 13u + (uint64_t)inside_z;
    printf("checksum: %llu\n", (unsigned long long)h);
    free(buf);
    return 0;
}
