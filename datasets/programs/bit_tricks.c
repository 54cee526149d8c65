/* Bit manipulation: several popcount implementations, bit reversal,
 * leading/trailing zero counts, Gosper's hack, Gray codes and
 * Morton (Z-order) interleaving, all cross-checked. */
#include <stdio.h>
#include <stdlib.h>
#include <stdint.h>

#define NUM_WORDS 1500000
#define GOSPER_BITS 20

static uint8_t pop_table[256];

static int pop_naive(uint32_t x)
{
    int c = 0;
    for (int i = 0; i < 32; i++)
        c += (int)((x >> i) & 1u);
    return c;
}

static int pop_kernighan(uint32_t x)
{
    int c = 0;
    while (x) {
        x &= x - 1u;
        c++;
    }
    return c;
}

static int pop_swar(uint32_t x)
{
    x = x - ((x >> 1) & 0x55555555u);
    x = (x & 0x33333333u) + ((x >> 2) & 0x33333333u);
    x = (x + (x >> 4)) & 0x0f0f0f0fu;
    return (int)((x * 0x01010101u) >> 24);
}

static int pop_table8(uint32_t x)
{
    return pop_table[x & 0xffu] + pop_table[(x >> 8) & 0xffu] + pop_table[(x >> 16) & 0xffu] + pop_table[x >> 24];
}

static uint32_t reverse_loop(uint32_t x)
{
    uint32_t r = 0;
    for (int i = 0; i < 32; i++) {
        r = (r << 1) | (x & 1u);
        x >>= 1;
    }
    return r;
}

static uint32_t reverse_swap(uint32_t x)
{
    x = ((x >> 1) & 0x55555555u) | ((x & 0x55555555u) << 1);
    x = ((x >> 2) & 0x33333333u) | ((x & 0x33333333u) << 2);
    x = ((x >> 4) & 0x0f0f0f0fu) | ((x & 0x0f0f0f0fu) << 4);
    x = ((x >> 8) & 0x00ff00ffu) | ((x & 0x00ff00ffu) << 8);
    return (x >> 16) | (x << 16);
}

static int clz_loop(uint32_t x)
{
    if (x == 0)
        return 32;
    int n = 0;
    while (!(x & 0x80000000u)) {
        x <<= 1;
        n++;
    }
    return n;
}

static int clz_binary(uint32_t x)
{
    if (x == 0)
        return 32;
    int n = 0;
    if (x <= 0x0000ffffu) { n += 16; x <<= 16; }
    if (x <= 0x00ffffffu) { n += 8; x <<= 8; }
    if (x <= 0x0fffffffu) { n += 4; x <<= 4; }
    if (x <= 0x3fffffffu) { n += 2; x <<= 2; }
    if (x <= 0x7fffffffu) { n += 1; }
    return n;
}

static int ctz_via_pop(uint32_t x)
{
    if (x == 0)
        return 32;
    return pop_swar((x & (0u - x)) - 1u);
}

static uint32_t gray_encode(uint32_t x) { return x ^ (x >> 1); }

static uint32_t gray_decode(uint32_t g)
{
    uint32_t x = g;
    for (uint32_t s = 1; s < 32; s <<= 1)
        x ^= x >> s;
    return x;
}

static uint32_t spread_bits(uint32_t x)
{
    x &= 0xffffu;
    x = (x | (x << 8)) & 0x00ff00ffu;
    x = (x | (x << 4)) & 0x0f0f0f0fu;
    x = (x | (x << 2)) & 0x33333333u;
    x = (x | (x << 1)) & 0x55555555u;
    return x;
}

static uint32_t morton(uint32_t x, uint32_t y) { return spread_bits(x) | (spread_bits(y) << 1); }

static uint64_t gosper_enumerate(int nbits, int k)
{
    uint64_t h = 0;
    uint32_t limit = 1u << nbits;
    uint32_t v = (1u << k) - 1u;
    while (v < limit) {
        h = h * 31u + v;
        uint32_t t = v | (v - 1u);
        v = (t + 1u) | (((~t & (0u - ~t)) - 1u) >> (ctz_via_pop(v) + 1));
    }
    return h;
}

int main(void)
{
    for (int i = 0; i < 256; i++)
        pop_table[i] = (uint8_t)pop_naive((uint32_t)i);
    uint32_t x = 0x12345678u;
    uint64_t h = 0;
    int errors = 0;
    uint64_t pop_total = 0;
    for (int i = 0; i < NUM_WORDS; i++) {
        x ^= x << 13;
        x ^= x >> 17;
        x ^= x << 5;
        uint32_t w = (i % 5 == 0) ? (x >> (i % 31)) : x;
        int p1 = pop_naive(w), p2 = pop_kernighan(w), p3 = pop_swar(w), p4 = pop_table8(w);
        if (p1 != p2 || p2 != p3 || p3 != p4)
            errors++;
        uint32_t r1 = reverse_loop(w), r2 = reverse_swap(w);
        if (r1 != r2)
            errors++;
        int z1 = clz_loop(w), z2 = clz_binary(w);
        if (z1 != z2 || (w && z1 != ctz_via_pop(r1)))
            errors++;
        if (gray_decode(gray_encode(w)) != w)
            errors++;
        pop_total += (uint64_t)p1;
        h = (h ^ (r1 + morton(w, w >> 16) + (uint32_t)z1)) * 0x100000001b3ULL;
    }
    uint64_t g = 0;
    for (int k = 1; k <= 8; k++)
        g ^= gosper_enumerate(GOSPER_BITS, k) + (uint64_t)k;
    printf("total popcount: %llu, errors: %d\n", (unsigned long long)pop_total, errors);
    h ^= g;
    h = h * 0x9e3779b97f4a7c15ULL + pop_total + (uint64_t)errors;
    printf("checksum: %llu\n", (unsigned long long)h);
    return 0;
}
