/* Dynamic programming: 0/1 knapsack (1-D table plus item reconstruction
 * via a 2-D keep table), coin change counting, longest common subsequence
 * with traceback, and longest increasing subsequence in O(n log n). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <stdint.h>

#define ITEMS 1200
#define CAPACITY 20000
#define LCS_LEN 3000
#define LIS_LEN 200000
#define COIN_TARGET 20000

static uint32_t seed = 0x2f6b1e53u;

static uint32_t rnd(void)
{
    seed = seed * 1664525u + 1013904223u;
    return seed >> 4;
}

static uint64_t knapsack(const int *w, const int *v, int n, int cap, uint8_t *keep, int *chosen)
{
    uint64_t *best = calloc((size_t)cap + 1, sizeof(uint64_t));
    if (!best)
        exit(1);
    for (int i = 0; i < n; i++)
        for (int c = cap; c >= 0; c--) {
            keep[(size_t)i * (size_t)(cap + 1) + (size_t)c] = 0;
            if (c >= w[i] && best[c - w[i]] + (uint64_t)v[i] > best[c]) {
                best[c] = best[c - w[i]] + (uint64_t)v[i];
                keep[(size_t)i * (size_t)(cap + 1) + (size_t)c] = 1;
            }
        }
    uint64_t result = best[cap];
    int c = cap;
    *chosen = 0;
    for (int i = n - 1; i >= 0; i--)
        if (keep[(size_t)i * (size_t)(cap + 1) + (size_t)c]) {
            (*chosen)++;
            c -= w[i];
        }
    free(best);
    return result;
}

static uint64_t coin_change_ways(const int *coins, int ncoins, int target)
{
    uint64_t *ways = calloc((size_t)target + 1, sizeof(uint64_t));
    if (!ways)
        exit(1);
    ways[0] = 1;
    for (int k = 0; k < ncoins; k++)
        for (int t = coins[k]; t <= target; t++)
            ways[t] += ways[t - coins[k]];
    uint64_t r = ways[target];
    free(ways);
    return r;
}

static int lcs(const char *a, int n, const char *b, int m, uint16_t *tab, char *out)
{
    int w = m + 1;
    for (int j = 0; j <= m; j++)
        tab[j] = 0;
    for (int i = 1; i <= n; i++) {
        tab[i * w] = 0;
        for (int j = 1; j <= m; j++) {
            if (a[i - 1] == b[j - 1])
                tab[i * w + j] = (uint16_t)(tab[(i - 1) * w + j - 1] + 1);
            else {
                uint16_t up = tab[(i - 1) * w + j], left = tab[i * w + j - 1];
                tab[i * w + j] = up > left ? up : left;
            }
        }
    }
    int len = tab[n * w + m], k = len, i = n, j = m;
    out[len] = '\0';
    while (i > 0 && j > 0) {
        if (a[i - 1] == b[j - 1]) {
            out[--k] = a[i - 1];
            i--;
            j--;
        } else if (tab[(i - 1) * w + j] >= tab[i * w + j - 1]) {
            i--;
        } else {
            j--;
        }
    }
    return len;
}

static int lis_length(const uint32_t *x, int n, uint32_t *tails)
{
    int len = 0;
    for (int i = 0; i < n; i++) {
        int lo = 0, hi = len;
        while (lo < hi) {
            int mid = (lo + hi) / 2;
            if (tails[mid] < x[i])
                lo = mid + 1;
            else
                hi = mid;
        }
        tails[lo] = x[i];
        if (lo == len)
            len++;
    }
    return len;
}

int main(void)
{
    int w[ITEMS], v[ITEMS];
    for (int i = 0; i < ITEMS; i++) {
        w[i] = 5 + (int)(rnd() % 200u);
        v[i] = 1 + (int)(rnd() % 500u);
    }
    uint8_t *keep = malloc((size_t)ITEMS * (CAPACITY + 1));
    char *a = malloc(LCS_LEN + 1), *b = malloc(LCS_LEN + 1), *out = malloc(LCS_LEN + 1);
    uint16_t *tab = malloc(sizeof(uint16_t) * (LCS_LEN + 1) * (LCS_LEN + 1));
    uint32_t *seq = malloc(sizeof(uint32_t) * LIS_LEN), *tails = malloc(sizeof(uint32_t) * LIS_LEN);
    if (!keep || !a || !b || !out || !tab || !seq || !tails)
        return 1;
    int chosen = 0;
    uint64_t kv = knapsack(w, v, ITEMS, CAPACITY, keep, &chosen);

    static const int coins[] = {1, 2, 5, 10, 20, 50, 100, 200, 500};
    uint64_t ways = coin_change_ways(coins, 9, COIN_TARGET);

    for (int i = 0; i < LCS_LEN; i++)
        a[i] = (char)('A' + rnd() % 4u);
    for (int i = 0; i < LCS_LEN; i++)
        b[i] = (rnd() % 5u == 0) ? (char)('A' + rnd() % 4u) : a[(i * 7 + 3) % LCS_LEN];
    a[LCS_LEN] = b[LCS_LEN] = '\0';
    int l = lcs(a, LCS_LEN, b, LCS_LEN, tab, out);

    for (int i = 0; i < LIS_LEN; i++)
        seq[i] = (uint32_t)i * 3u + rnd() % 200000u;
    int lis = lis_length(seq, LIS_LEN, tails);

    printf("knapsack best value: %llu with %d items\n", (unsigned long long)kv, chosen);
    printf("coin change ways: %llu\n", (unsigned long long)ways);
    printf("lcs length: %d, lis length: %d\n", l, lis);
    uint64_t h = 0xcbf29ce484222325ULL;
    h = (h ^ kv) * 0x100000001b3ULL;
    h = (h ^ (uint64_t)chosen) * 0x100000001b3ULL;
    h = (h ^ ways) * 0x100000001b3ULL;
    for (int i = 0; i < l; i++)
        h = (h ^ (uint64_t)(unsigned char)out[i]) * 0x100000001b3ULL;
    h = (h ^ (uint64_t)lis) * 0x100000001b3ULL;
    printf("checksum: %llu\n", (unsigned long long)h);
    free(keep); free(a); free(b); free(out); free(tab); free(seq); free(tails);
    return 0;
}
