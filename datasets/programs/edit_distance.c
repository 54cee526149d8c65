/* Edit distances between generated strings: full-matrix Levenshtein with
 * alignment traceback, two-row Levenshtein, and optimal string alignment
 * (Damerau with adjacent transpositions). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <stdint.h>

#define MAX_LEN 400
#define NUM_PAIRS 160

static uint64_t rng = 0x2545F4914F6CDD1DULL;

static uint32_t rnd(void)
{
    rng ^= rng >> 12;
    rng ^= rng << 25;
    rng ^= rng >> 27;
    return (uint32_t)((rng * 0x2545F4914F6CDD1DULL) >> 32);
}

static int min3(int a, int b, int c)
{
    int m = a < b ? a : b;
    return m < c ? m : c;
}

static void random_string(char *s, int len)
{
    for (int i = 0; i < len; i++)
        s[i] = (char)('a' + rnd() % 8u);
    s[len] = '\0';
}

static void mutate(const char *src, char *dst, int max_len)
{
    int n = (int)strlen(src), o = 0;
    for (int i = 0; i < n && o < max_len; i++) {
        uint32_t r = rnd() % 100u;
        if (r < 6)
            continue;                                   /* delete */
        if (r < 12 && o < max_len - 1)
            dst[o++] = (char)('a' + rnd() % 8u);        /* insert */
        if (r < 18 && i + 1 < n && o < max_len - 1) {  /* transpose */
            dst[o++] = src[i + 1];
            dst[o++] = src[i];
            i++;
            continue;
        }
        dst[o++] = (r < 24) ? (char)('a' + rnd() % 8u) : src[i];
    }
    dst[o] = '\0';
}

static int levenshtein_full(const char *a, const char *b, int *mat, int *ops)
{
    int n = (int)strlen(a), m = (int)strlen(b), w = m + 1;
    for (int i = 0; i <= n; i++)
        mat[i * w] = i;
    for (int j = 0; j <= m; j++)
        mat[j] = j;
    for (int i = 1; i <= n; i++)
        for (int j = 1; j <= m; j++) {
            int cost = a[i - 1] != b[j - 1];
            mat[i * w + j] = min3(mat[(i - 1) * w + j] + 1, mat[i * w + j - 1] + 1,
                                  mat[(i - 1) * w + j - 1] + cost);
        }
    /* traceback: count substitutions, insertions and deletions */
    int i = n, j = m;
    ops[0] = ops[1] = ops[2] = 0;
    while (i > 0 || j > 0) {
        if (i > 0 && j > 0 && mat[i * w + j] == mat[(i - 1) * w + j - 1] + (a[i - 1] != b[j - 1])) {
            ops[0] += a[i - 1] != b[j - 1];
            i--;
            j--;
        } else if (i > 0 && mat[i * w + j] == mat[(i - 1) * w + j] + 1) {
            ops[1]++;
            i--;
        } else {
            ops[2]++;
            j--;
        }
    }
    return mat[n * w + m];
}

static int levenshtein_rows(const char *a, const char *b, int *prev, int *cur)
{
    int n = (int)strlen(a), m = (int)strlen(b);
    for (int j = 0; j <= m; j++)
        prev[j] = j;
    for (int i = 1; i <= n; i++) {
        cur[0] = i;
        char ca = a[i - 1];
        for (int j = 1; j <= m; j++)
            cur[j] = min3(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (ca != b[j - 1]));
        int *t = prev;
        prev = cur;
        cur = t;
    }
    return prev[m];
}

static int osa_distance(const char *a, const char *b, int *mat)
{
    int n = (int)strlen(a), m = (int)strlen(b), w = m + 1;
    for (int i = 0; i <= n; i++)
        mat[i * w] = i;
    for (int j = 0; j <= m; j++)
        mat[j] = j;
    for (int i = 1; i <= n; i++)
        for (int j = 1; j <= m; j++) {
            int cost = a[i - 1] != b[j - 1];
            int v = min3(mat[(i - 1) * w + j] + 1, mat[i * w + j - 1] + 1, mat[(i - 1) * w + j - 1] + cost);
            if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] && mat[(i - 2) * w + j - 2] + 1 < v)
                v = mat[(i - 2) * w + j - 2] + 1;
            mat[i * w + j] = v;
        }
    return mat[n * w + m];
}

int main(void)
{
    int *mat = malloc(sizeof(int) * (MAX_LEN + 1) * (MAX_LEN + 1));
    int *r0 = malloc(sizeof(int) * (MAX_LEN + 1)), *r1 = malloc(sizeof(int) * (MAX_LEN + 1));
    char *a = malloc(MAX_LEN + 1), *b = malloc(MAX_LEN + 1);
    if (!mat || !r0 || !r1 || !a || !b)
        return 1;
    uint64_t h = 0x6a09e667f3bcc908ULL;
    int disagree = 0;
    long total_lev = 0, total_osa = 0;
    for (int p = 0; p < NUM_PAIRS; p++) {
        int len = MAX_LEN / 2 + (int)(rnd() % (MAX_LEN / 2 - 10));
        random_string(a, len);
        mutate(a, b, MAX_LEN);
        int ops[3];
        int d1 = levenshtein_full(a, b, mat, ops);
        int d2 = levenshtein_rows(a, b, r0, r1);
        int d3 = osa_distance(a, b, mat);
        if (d1 != d2 || d3 > d1 || ops[0] + ops[1] + ops[2] != d1)
            disagree++;
        total_lev += d1;
        total_osa += d3;
        h = (h ^ (uint64_t)d1) * 0x100000001b3ULL;
        h = (h ^ (uint64_t)d3) * 0x100000001b3ULL;
        h = (h ^ (uint64_t)(ops[0] * 65536 + ops[1] * 256 + ops[2])) * 0x100000001b3ULL;
    }
    printf("total levenshtein: %ld, total osa: %ld, disagreements: %d\n", total_lev, total_osa, disagree);
    h += (uint64_t)disagree;
    printf("checksum: %llu\n", (unsigned long long)h);
    free(mat); free(r0); free(r1); free(a); free(b);
    return 0;
}
