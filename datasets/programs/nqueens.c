/* N-queens: counts solutions with an array-based backtracker and a
 * bitmask backtracker, and records the first solution found. */
#include <stdio.h>
#include <stdlib.h>
#include <stdint.h>

#define MAX_N 12
#define BITMASK_MAX_N 13

static int cols[32];
static uint64_t nodes_visited;

static int safe(int row, int col)
{
    for (int r = 0; r < row; r++) {
        int c = cols[r];
        if (c == col)
            return 0;
        int dr = row - r;
        int dc = c > col ? c - col : col - c;
        if (dr == dc)
            return 0;
    }
    return 1;
}

static long solve_array(int row, int n, int *first, int *have_first)
{
    nodes_visited++;
    if (row == n) {
        if (!*have_first) {
            for (int i = 0; i < n; i++)
                first[i] = cols[i];
            *have_first = 1;
        }
        return 1;
    }
    long count = 0;
    for (int c = 0; c < n; c++) {
        if (safe(row, c)) {
            cols[row] = c;
            count += solve_array(row + 1, n, first, have_first);
        }
    }
    return count;
}

static long solve_bits(uint32_t full, uint32_t used_cols, uint32_t diag1, uint32_t diag2)
{
    if (used_cols == full)
        return 1;
    long count = 0;
    uint32_t avail = full & ~(used_cols | diag1 | diag2);
    while (avail) {
        uint32_t bit = avail & (0u - avail);
        avail ^= bit;
        count += solve_bits(full, used_cols | bit, ((diag1 | bit) << 1) & full, (diag2 | bit) >> 1);
    }
    return count;
}

static long solve_bits_symmetric(int n)
{
    /* Exploit left/right mirror symmetry for the first row. */
    uint32_t full = (n >= 32) ? 0xffffffffu : ((1u << n) - 1u);
    long total = 0;
    for (int c = 0; c < n / 2; c++) {
        uint32_t bit = 1u << c;
        total += 2 * solve_bits(full, bit, (bit << 1) & full, bit >> 1);
    }
    if (n & 1) {
        uint32_t bit = 1u << (n / 2);
        total += solve_bits(full, bit, (bit << 1) & full, bit >> 1);
    }
    return total;
}

static int verify_board(const int *q, int n)
{
    for (int i = 0; i < n; i++)
        for (int j = i + 1; j < n; j++) {
            if (q[i] == q[j])
                return 0;
            if (abs(q[i] - q[j]) == j - i)
                return 0;
        }
    return 1;
}

int main(void)
{
    uint64_t h = 0x9e3779b97f4a7c15ULL;
    for (int n = 1; n <= MAX_N; n++) {
        int first[32];
        int have = 0;
        long a = solve_array(0, n, first, &have);
        uint32_t full = (1u << n) - 1u;
        long b = solve_bits(full, 0, 0, 0);
        long c = solve_bits_symmetric(n);
        int ok = (a == b) && (b == c) && (!have || verify_board(first, n));
        printf("n=%d solutions=%ld ok=%d\n", n, a, ok);
        h = (h ^ (uint64_t)a) * 0x100000001b3ULL;
        h = (h ^ (uint64_t)ok) * 0x100000001b3ULL;
        if (have)
            for (int i = 0; i < n; i++)
                h = (h ^ (uint64_t)first[i]) * 0x100000001b3ULL;
    }
    for (int n = MAX_N + 1; n <= BITMASK_MAX_N; n++) {
        long c = solve_bits_symmetric(n);
        printf("n=%d solutions=%ld\n", n, c);
        h = (h ^ (uint64_t)c) * 0x100000001b3ULL;
    }
    h ^= nodes_visited;
    printf("checksum: %llu\n", (unsigned long long)h);
    return 0;
}
