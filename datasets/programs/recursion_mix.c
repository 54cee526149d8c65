/* A mix of classic recursive functions: Fibonacci, a bounded Ackermann,
 * Towers of Hanoi, McCarthy 91, mutual recursion and recursive binomials. */
#include <stdio.h>
#include <stdlib.h>
#include <stdint.h>

#define FIB_N 37
#define HANOI_DISKS 21
#define ACK_M 2
#define ACK_N 300

static uint64_t call_count;

static uint32_t fib(uint32_t n)
{
    call_count++;
    if (n < 2)
        return n;
    return fib(n - 1) + fib(n - 2);
}

static uint32_t ackermann(uint32_t m, uint32_t n)
{
    call_count++;
    if (m == 0)
        return n + 1;
    if (n == 0)
        return ackermann(m - 1, 1);
    return ackermann(m - 1, ackermann(m, n - 1));
}

typedef struct {
    int pegs[3][HANOI_DISKS];
    int height[3];
    uint64_t moves;
    uint64_t trace_hash;
} Hanoi;

static void move_disk(Hanoi *h, int from, int to)
{
    int disk = h->pegs[from][--h->height[from]];
    if (h->height[to] > 0 && h->pegs[to][h->height[to] - 1] < disk) {
        printf("illegal move\n");
        exit(1);
    }
    h->pegs[to][h->height[to]++] = disk;
    h->moves++;
    h->trace_hash = (h->trace_hash ^ (uint64_t)(disk * 9 + from * 3 + to)) * 0x100000001b3ULL;
}

static void hanoi(Hanoi *h, int n, int from, int to, int via)
{
    if (n == 0)
        return;
    hanoi(h, n - 1, from, via, to);
    move_disk(h, from, to);
    hanoi(h, n - 1, via, to, from);
}

static int mccarthy91(int n)
{
    call_count++;
    if (n > 100)
        return n - 10;
    return mccarthy91(mccarthy91(n + 11));
}

static int is_odd(unsigned n);

static int is_even(unsigned n)
{
    call_count++;
    return n == 0 ? 1 : is_odd(n - 1);
}

static int is_odd(unsigned n)
{
    call_count++;
    return n == 0 ? 0 : is_even(n - 1);
}

static uint64_t binomial(int n, int k)
{
    call_count++;
    if (k == 0 || k == n)
        return 1;
    return binomial(n - 1, k - 1) + binomial(n - 1, k);
}

static unsigned gcd(unsigned a, unsigned b)
{
    return b == 0 ? a : gcd(b, a % b);
}

static uint64_t power_mod(uint64_t base, uint64_t exp, uint64_t mod)
{
    if (exp == 0)
        return 1 % mod;
    uint64_t half = power_mod(base, exp / 2, mod);
    uint64_t r = (half * half) % mod;
    if (exp & 1)
        r = (r * (base % mod)) % mod;
    return r;
}

int main(void)
{
    uint64_t h = 1469598103934665603ULL;
    uint32_t f = fib(FIB_N);
    printf("fib(%d) = %u\n", FIB_N, f);
    h = (h ^ f) * 0x100000001b3ULL;

    uint32_t ack = ackermann(ACK_M, ACK_N);
    uint32_t ack3 = ackermann(3, 5);
    printf("ackermann(%d,%d) = %u, ackermann(3,5) = %u\n", ACK_M, ACK_N, ack, ack3);
    h = (h ^ ack) * 0x100000001b3ULL;
    h = (h ^ ack3) * 0x100000001b3ULL;

    Hanoi *hs = calloc(1, sizeof(Hanoi));
    if (!hs)
        return 1;
    for (int i = 0; i < HANOI_DISKS; i++)
        hs->pegs[0][i] = HANOI_DISKS - i;
    hs->height[0] = HANOI_DISKS;
    hs->trace_hash = 7;
    hanoi(hs, HANOI_DISKS, 0, 2, 1);
    printf("hanoi moves: %llu, peg2 height: %d\n", (unsigned long long)hs->moves, hs->height[2]);
    h = (h ^ hs->moves) * 0x100000001b3ULL;
    h = (h ^ hs->trace_hash) * 0x100000001b3ULL;
    free(hs);

    uint64_t m91 = 0;
    for (int i = 0; i < 2000; i++)
        m91 += (uint64_t)mccarthy91(i % 150);
    h = (h ^ m91) * 0x100000001b3ULL;

    unsigned evens = 0;
    for (unsigned i = 0; i < 400; i++)
        evens += (unsigned)is_even(i * 7u % 1000u);
    h = (h ^ evens) * 0x100000001b3ULL;

    uint64_t b = binomial(26, 13);
    printf("C(26,13) = %llu\n", (unsigned long long)b);
    h = (h ^ b) * 0x100000001b3ULL;

    unsigned gsum = 0;
    for (unsigned i = 1; i < 300; i++)
        for (unsigned j = 1; j < 100; j++)
            gsum += gcd(i * 17u, j * 23u);
    h = (h ^ gsum) * 0x100000001b3ULL;

    uint64_t pm = 0;
    for (uint64_t i = 2; i < 3000; i++)
        pm += power_mod(i, 1000000007ULL - 2, 1000000007ULL);
    h = (h ^ pm) * 0x100000001b3ULL;

    printf("calls: %llu\n", (unsigned long long)call_count);
    h ^= call_count;
    printf("checksum: %llu\n", (unsigned long long)h);
    return 0;
}
