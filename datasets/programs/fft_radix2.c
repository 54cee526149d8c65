/* Iterative radix-2 Cooley-Tukey FFT with bit-reversal permutation,
 * forward + inverse round trip and a spectrum-based checksum. */
#include <stdio.h>
#include <stdlib.h>
#include <stdint.h>
#include <math.h>

#define LOG2N 13
#define NPOINTS (1 << LOG2N)
#define ROUNDS 100

typedef struct {
    double re, im;
} Complex;

static uint32_t seed = 2463534242u;

static uint32_t next_rand(void)
{
    seed ^= seed << 13;
    seed ^= seed >> 17;
    seed ^= seed << 5;
    return seed;
}

static unsigned reverse_bits(unsigned x, int bits)
{
    unsigned r = 0;
    for (int i = 0; i < bits; i++) {
        r = (r << 1) | (x & 1u);
        x >>= 1;
    }
    return r;
}

static void bit_reverse_permute(Complex *a, int n, int bits)
{
    for (int i = 0; i < n; i++) {
        int j = (int)reverse_bits((unsigned)i, bits);
        if (j > i) {
            Complex t = a[i];
            a[i] = a[j];
            a[j] = t;
        }
    }
}

static Complex cmul(Complex a, Complex b)
{
    Complex r;
    r.re = a.re * b.re - a.im * b.im;
    r.im = a.re * b.im + a.im * b.re;
    return r;
}

static void make_twiddles(Complex *tw, int n)
{
    for (int k = 0; k < n / 2; k++) {
        double ang = -2.0 * 3.14159265358979323846 * (double)k / (double)n;
        tw[k].re = cos(ang);
        tw[k].im = sin(ang);
    }
}

static void fft(Complex *a, const Complex *tw, int n, int bits, int inverse)
{
    bit_reverse_permute(a, n, bits);
    for (int len = 2; len <= n; len <<= 1) {
        int half = len >> 1;
        int step = n / len;
        for (int start = 0; start < n; start += len) {
            for (int k = 0; k < half; k++) {
                Complex w = tw[k * step];
                if (inverse)
                    w.im = -w.im;
                Complex u = a[start + k];
                Complex v = cmul(a[start + k + half], w);
                a[start + k].re = u.re + v.re;
                a[start + k].im = u.im + v.im;
                a[start + k + half].re = u.re - v.re;
                a[start + k + half].im = u.im - v.im;
            }
        }
    }
    if (inverse) {
        double s = 1.0 / (double)n;
        for (int i = 0; i < n; i++) {
            a[i].re *= s;
            a[i].im *= s;
        }
    }
}

static void make_signal(Complex *a, int n, int round)
{
    for (int i = 0; i < n; i++) {
        double t = (double)i / (double)n;
        double noise = ((double)(next_rand() % 2001u) - 1000.0) / 10000.0;
        a[i].re = sin(2.0 * 3.14159265358979323846 * (5 + round) * t) +
                  0.5 * cos(2.0 * 3.14159265358979323846 * (37 + 3 * round) * t) + noise;
        a[i].im = 0.0;
    }
}

static int peak_bin(const Complex *a, int n)
{
    int best = 0;
    double bestmag = -1.0;
    for (int i = 1; i < n / 2; i++) {
        double m = a[i].re * a[i].re + a[i].im * a[i].im;
        if (m > bestmag) {
            bestmag = m;
            best = i;
        }
    }
    return best;
}

int main(void)
{
    Complex *data = malloc(sizeof(Complex) * NPOINTS);
    Complex *orig = malloc(sizeof(Complex) * NPOINTS);
    Complex *tw = malloc(sizeof(Complex) * (NPOINTS / 2));
    if (!data || !orig || !tw)
        return 1;
    make_twiddles(tw, NPOINTS);
    uint64_t h = 1469598103934665603ULL;
    double max_err = 0.0;
    for (int r = 0; r < ROUNDS; r++) {
        make_signal(data, NPOINTS, r);
        for (int i = 0; i < NPOINTS; i++)
            orig[i] = data[i];
        fft(data, tw, NPOINTS, LOG2N, 0);
        int pk = peak_bin(data, NPOINTS);
        double energy = 0.0;
        for (int i = 0; i < NPOINTS; i++)
            energy += data[i].re * data[i].re + data[i].im * data[i].im;
        h = (h ^ (uint64_t)pk) * 0x100000001b3ULL;
        h = (h ^ (uint64_t)llround(energy / NPOINTS * 1000.0)) * 0x100000001b3ULL;
        fft(data, tw, NPOINTS, LOG2N, 1);
        for (int i = 0; i < NPOINTS; i++) {
            double e = fabs(data[i].re - orig[i].re) + fabs(data[i].im);
            if (e > max_err)
                max_err = e;
        }
        if (r == 0)
            printf("round 0 peak bin: %d\n", pk);
    }
    int roundtrip_ok = max_err < 1e-9;
    printf("roundtrip ok: %d\n", roundtrip_ok);
    h = (h ^ (uint64_t)roundtrip_ok) * 0x100000001b3ULL;
    printf("checksum: %llu\n", (unsigned long long)h);
    free(data);
    free(orig);
    free(tw);
    return 0;
}
