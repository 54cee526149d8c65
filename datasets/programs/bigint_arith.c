/* Arbitrary-precision unsigned integers with 32-bit limbs: addition,
 * subtraction, schoolbook multiplication, small-divisor division and
 * decimal conversion. Computes factorials, Fibonacci numbers and powers,
 * and verifies the identity F(2n) = F(n) * (2F(n+1) - F(n)). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <stdint.h>

#define LIMBS 8192
#define FACT_N 4000
#define FIB_N 40000
#define POW_BASE 7u
#define POW_EXP 45000u

typedef struct {
    uint32_t d[LIMBS];
    int n; /* number of used limbs; 0 means zero */
} Big;

static void big_trim(Big *a)
{
    while (a->n > 0 && a->d[a->n - 1] == 0)
        a->n--;
}

static void big_set(Big *a, uint32_t v)
{
    a->n = v ? 1 : 0;
    a->d[0] = v;
}

static void big_add(Big *r, const Big *a, const Big *b)
{
    int n = a->n > b->n ? a->n : b->n;
    uint64_t carry = 0;
    for (int i = 0; i < n; i++) {
        uint64_t s = carry + (i < a->n ? a->d[i] : 0) + (i < b->n ? b->d[i] : 0);
        r->d[i] = (uint32_t)s;
        carry = s >> 32;
    }
    r->n = n;
    if (carry && n < LIMBS)
        r->d[r->n++] = (uint32_t)carry;
}

/* r = a - b, requires a >= b */
static void big_sub(Big *r, const Big *a, const Big *b)
{
    int64_t borrow = 0;
    for (int i = 0; i < a->n; i++) {
        int64_t s = (int64_t)a->d[i] - (i < b->n ? (int64_t)b->d[i] : 0) - borrow;
        borrow = s < 0;
        r->d[i] = (uint32_t)(s + (borrow << 32));
    }
    r->n = a->n;
    big_trim(r);
}

static void big_mul(Big *r, const Big *a, const Big *b)
{
    static uint32_t tmp[2 * LIMBS];
    int n = a->n + b->n;
    memset(tmp, 0, sizeof(uint32_t) * (size_t)n);
    for (int i = 0; i < a->n; i++) {
        uint64_t carry = 0, ai = a->d[i];
        for (int j = 0; j < b->n; j++) {
            uint64_t t = ai * b->d[j] + tmp[i + j] + carry;
            tmp[i + j] = (uint32_t)t;
            carry = t >> 32;
        }
        tmp[i + b->n] = (uint32_t)carry;
    }
    r->n = n > LIMBS ? LIMBS : n;
    memcpy(r->d, tmp, sizeof(uint32_t) * (size_t)r->n);
    big_trim(r);
}

static void big_mul_small(Big *a, uint32_t m)
{
    uint64_t carry = 0;
    for (int i = 0; i < a->n; i++) {
        uint64_t t = (uint64_t)a->d[i] * m + carry;
        a->d[i] = (uint32_t)t;
        carry = t >> 32;
    }
    if (carry && a->n < LIMBS)
        a->d[a->n++] = (uint32_t)carry;
}

static uint32_t big_divmod_small(Big *a, uint32_t m)
{
    uint64_t rem = 0;
    for (int i = a->n - 1; i >= 0; i--) {
        uint64_t cur = (rem << 32) | a->d[i];
        a->d[i] = (uint32_t)(cur / m);
        rem = cur % m;
    }
    big_trim(a);
    return (uint32_t)rem;
}

static int big_cmp(const Big *a, const Big *b)
{
    if (a->n != b->n)
        return a->n < b->n ? -1 : 1;
    for (int i = a->n - 1; i >= 0; i--)
        if (a->d[i] != b->d[i])
            return a->d[i] < b->d[i] ? -1 : 1;
    return 0;
}

/* Returns number of decimal digits; accumulates digit sum into *sum. */
static int big_decimal_stats(const Big *a, uint64_t *sum, uint32_t *low9)
{
    static Big t;
    t = *a;
    int digits = 0;
    *sum = 0;
    *low9 = 0;
    int first = 1;
    while (t.n > 0) {
        uint32_t chunk = big_divmod_small(&t, 1000000000u);
        if (first) {
            *low9 = chunk;
            first = 0;
        }
        for (int k = 0; k < 9; k++) {
            *sum += chunk % 10u;
            chunk /= 10u;
            digits++;
        }
    }
    return digits; /* includes leading zeros of the top chunk */
}

static uint64_t report(const char *name, const Big *a, uint64_t h)
{
    uint64_t sum;
    uint32_t low;
    int digits = big_decimal_stats(a, &sum, &low);
    printf("%s: limbs=%d digit-sum=%llu low9=%09u\n", name, a->n, (unsigned long long)sum, low);
    h = (h ^ sum) * 0x100000001b3ULL;
    h = (h ^ low) * 0x100000001b3ULL;
    return (h ^ (uint64_t)digits) * 0x100000001b3ULL;
}

static Big fact, fa, fb, fc, pw, base, t1, t2, t3;

int main(void)
{
    uint64_t h = 0xcbf29ce484222325ULL;
    big_set(&fact, 1);
    for (uint32_t i = 2; i <= FACT_N; i++)
        big_mul_small(&fact, i);
    h = report("factorial", &fact, h);

    big_set(&fa, 0);
    big_set(&fb, 1);
    for (int i = 0; i < FIB_N; i++) {        /* fa = F(i), fb = F(i+1) */
        big_add(&fc, &fa, &fb);
        fa = fb;
        fb = fc;
        if (i == FIB_N / 2 - 1) {
            t1 = fa;                          /* F(n) with n = FIB_N/2 */
            t2 = fb;                          /* F(n+1) */
        }
    }
    h = report("fibonacci", &fa, h);
    big_add(&t3, &t2, &t2);                   /* 2F(n+1) */
    big_sub(&t3, &t3, &t1);                   /* 2F(n+1) - F(n) */
    big_mul(&t3, &t3, &t1);                   /* F(2n) */
    int identity_ok = big_cmp(&t3, &fa) == 0;
    printf("fibonacci doubling identity: %d\n", identity_ok);

    big_set(&pw, 1);
    big_set(&base, POW_BASE);
    for (uint32_t e = POW_EXP; e; e >>= 1) {
        if (e & 1u)
            big_mul(&pw, &pw, &base);
        if (e > 1u)
            big_mul(&base, &base, &base);
    }
    h = report("power", &pw, h);
    uint32_t r = 0;
    big_set(&t1, 1);
    big_mul(&t1, &pw, &fact);
    for (uint32_t m = 3; m < 200; m += 2)
        r = r * 31u + big_divmod_small(&t1, m);
    h = (h ^ r) * 0x100000001b3ULL + (uint64_t)identity_ok;
    printf("checksum: %llu\n", (unsigned long long)h);
    return 0;
}
