/* Prime sieves on packed bitsets: odd-only Eratosthenes sieve, segmented
 * sieve cross-check, twin primes, prime gaps and a Goldbach check. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <stdint.h>

#define LIMIT 30000000u
#define SEGMENT 32768u
#define GOLDBACH_MAX 20000u

typedef struct {
    uint64_t *words;
    size_t nbits;
} Bitset;

static Bitset bitset_new(size_t nbits)
{
    Bitset b;
    b.nbits = nbits;
    b.words = calloc((nbits + 63) / 64, sizeof(uint64_t));
    if (!b.words)
        exit(1);
    return b;
}

static void bit_set(Bitset *b, size_t i) { b->words[i >> 6] |= 1ULL << (i & 63); }
static int bit_get(const Bitset *b, size_t i) { return (int)((b->words[i >> 6] >> (i & 63)) & 1u); }

/* Composite map over odd numbers: bit i represents 2*i+1. */
static Bitset sieve_odd(uint32_t limit)
{
    Bitset comp = bitset_new(limit / 2 + 1);
    bit_set(&comp, 0); /* 1 is not prime */
    for (uint32_t i = 1; (2 * i + 1) * (2 * i + 1) <= limit; i++) {
        if (bit_get(&comp, i))
            continue;
        uint32_t p = 2 * i + 1;
        for (uint32_t j = (p * p) / 2; j <= limit / 2; j += p)
            bit_set(&comp, j);
    }
    return comp;
}

static int is_prime(const Bitset *comp, uint32_t n)
{
    if (n < 2)
        return 0;
    if (n % 2 == 0)
        return n == 2;
    return !bit_get(comp, n / 2);
}

static int popcount64(uint64_t x)
{
    int c = 0;
    while (x) {
        x &= x - 1;
        c++;
    }
    return c;
}

static uint32_t segmented_count(uint32_t limit, const uint32_t *small_primes, int nsmall)
{
    uint8_t *seg = malloc(SEGMENT);
    if (!seg)
        exit(1);
    uint32_t count = 0;
    for (uint32_t lo = 0; lo <= limit; lo += SEGMENT) {
        uint32_t hi = lo + SEGMENT - 1 > limit ? limit : lo + SEGMENT - 1;
        memset(seg, 1, SEGMENT);
        for (int k = 0; k < nsmall; k++) {
            uint32_t p = small_primes[k];
            if (p * p > hi)
                break;
            uint32_t start = (lo + p - 1) / p * p;
            if (start < p * p)
                start = p * p;
            for (uint32_t m = start; m <= hi; m += p)
                seg[m - lo] = 0;
        }
        for (uint32_t n = lo; n <= hi; n++)
            if (n >= 2 && seg[n - lo])
                count++;
    }
    free(seg);
    return count;
}

int main(void)
{
    Bitset comp = sieve_odd(LIMIT);
    uint32_t count = 1; /* the prime 2 */
    for (size_t w = 0; w < (comp.nbits + 63) / 64; w++) {
        uint64_t bits = ~comp.words[w];
        if (w == (comp.nbits + 63) / 64 - 1 && comp.nbits % 64)
            bits &= (1ULL << (comp.nbits % 64)) - 1ULL;
        count += (uint32_t)popcount64(bits);
    }
    if (LIMIT % 2 == 0 && !bit_get(&comp, LIMIT / 2))
        count--; /* bit LIMIT/2 represents LIMIT+1, beyond the limit */

    uint32_t small[2000];
    int nsmall = 0;
    for (uint32_t n = 2; n < 16000 && nsmall < 2000; n++)
        if (is_prime(&comp, n))
            small[nsmall++] = n;
    uint32_t seg_count = segmented_count(LIMIT, small, nsmall);

    uint32_t twins = 0, max_gap = 0, last = 2;
    uint64_t sum = 2;
    for (uint32_t n = 3; n <= LIMIT; n += 2) {
        if (!is_prime(&comp, n))
            continue;
        sum += n;
        if (n - last > max_gap)
            max_gap = n - last;
        if (n - last == 2)
            twins++;
        last = n;
    }

    uint32_t goldbach_fail = 0;
    uint64_t goldbach_sum = 0;
    for (uint32_t e = 4; e <= GOLDBACH_MAX; e += 2) {
        uint32_t p = 2;
        while (p <= e / 2 && !(is_prime(&comp, p) && is_prime(&comp, e - p)))
            p++;
        if (p > e / 2)
            goldbach_fail++;
        goldbach_sum += p;
    }

    printf("primes <= %u: %u (segmented %u)\n", LIMIT, count, seg_count);
    printf("twin pairs: %u, max gap: %u, largest: %u\n", twins, max_gap, last);
    printf("goldbach failures: %u\n", goldbach_fail);
    uint64_t h = 0xcbf29ce484222325ULL;
    h = (h ^ count) * 0x100000001b3ULL;
    h = (h ^ seg_count) * 0x100000001b3ULL;
    h = (h ^ sum) * 0x100000001b3ULL;
    h = (h ^ ((uint64_t)twins << 20 | max_gap)) * 0x100000001b3ULL;
    h = (h ^ goldbach_sum) * 0x100000001b3ULL;
    h += goldbach_fail;
    printf("checksum: %llu\n", (unsigned long long)h);
    free(comp.words);
    return 0;
}
