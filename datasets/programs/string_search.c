/* Substring search three ways (naive, Knuth-Morris-Pratt and
 * Boyer-Moore-Horspool) over a generated text; results cross-checked. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <stdint.h>

#define TEXT_LEN 200000
#define NUM_PATTERNS 100

static uint32_t state = 0x13579bdfu;

static uint32_t rnd(void)
{
    state = state * 1664525u + 1013904223u;
    return state >> 8;
}

static void make_text(char *t, size_t n)
{
    static const char *words[] = {"abra", "cad", "abracadabra", "ab", "ra", "the", "then", "there", "a", "cab"};
    size_t i = 0;
    while (i < n) {
        const char *w = words[rnd() % 10u];
        size_t l = strlen(w);
        for (size_t k = 0; k < l && i < n; k++)
            t[i++] = w[k];
        if (i < n && rnd() % 3u == 0)
            t[i++] = ' ';
    }
    t[n] = '\0';
}

static size_t search_naive(const char *t, size_t n, const char *p, size_t m)
{
    size_t count = 0;
    if (m == 0 || m > n)
        return 0;
    for (size_t i = 0; i + m <= n; i++) {
        size_t j = 0;
        while (j < m && t[i + j] == p[j])
            j++;
        if (j == m)
            count++;
    }
    return count;
}

static void kmp_table(const char *p, size_t m, size_t *fail)
{
    fail[0] = 0;
    size_t k = 0;
    for (size_t i = 1; i < m; i++) {
        while (k > 0 && p[i] != p[k])
            k = fail[k - 1];
        if (p[i] == p[k])
            k++;
        fail[i] = k;
    }
}

static size_t search_kmp(const char *t, size_t n, const char *p, size_t m)
{
    size_t fail[64];
    size_t count = 0, k = 0;
    if (m == 0 || m > n || m > 64)
        return 0;
    kmp_table(p, m, fail);
    for (size_t i = 0; i < n; i++) {
        while (k > 0 && t[i] != p[k])
            k = fail[k - 1];
        if (t[i] == p[k])
            k++;
        if (k == m) {
            count++;
            k = fail[k - 1];
        }
    }
    return count;
}

static size_t search_horspool(const char *t, size_t n, const char *p, size_t m)
{
    size_t shift[256];
    size_t count = 0;
    if (m == 0 || m > n)
        return 0;
    for (int c = 0; c < 256; c++)
        shift[c] = m;
    for (size_t i = 0; i + 1 < m; i++)
        shift[(unsigned char)p[i]] = m - 1 - i;
    size_t pos = 0;
    while (pos + m <= n) {
        unsigned char last = (unsigned char)t[pos + m - 1];
        if (last == (unsigned char)p[m - 1] && memcmp(t + pos, p, m - 1) == 0)
            count++;
        pos += shift[last];
    }
    return count;
}

static void make_pattern(const char *text, size_t n, char *out, int idx)
{
    size_t len = 2 + (size_t)(idx % 9);
    if (idx % 4 == 3) {
        for (size_t i = 0; i < len; i++)
            out[i] = (char)('a' + rnd() % 4u);
    } else {
        size_t start = rnd() % (uint32_t)(n - len);
        memcpy(out, text + start, len);
    }
    out[len] = '\0';
}

int main(void)
{
    char *text = malloc(TEXT_LEN + 1);
    if (!text)
        return 1;
    make_text(text, TEXT_LEN);
    uint64_t h = 0x811c9dc5ULL;
    int mismatches = 0;
    size_t total = 0;
    for (int i = 0; i < NUM_PATTERNS; i++) {
        char pat[32];
        make_pattern(text, TEXT_LEN, pat, i);
        size_t m = strlen(pat);
        size_t a = search_naive(text, TEXT_LEN, pat, m);
        size_t b = search_kmp(text, TEXT_LEN, pat, m);
        size_t c = search_horspool(text, TEXT_LEN, pat, m);
        if (a != b || b != c)
            mismatches++;
        if (i < 4)
            printf("pattern \"%s\": %zu matches\n", pat, a);
        total += a;
        h = (h ^ (uint64_t)a) * 0x100000001b3ULL;
        for (size_t k = 0; k < m; k++)
            h = (h ^ (uint64_t)(unsigned char)pat[k]) * 0x100000001b3ULL;
    }
    printf("total matches: %zu, mismatches: %d\n", total, mismatches);
    h += (uint64_t)mismatches;
    printf("checksum: %llu\n", (unsigned long long)h);
    free(text);
    return 0;
}
