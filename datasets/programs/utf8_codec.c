/* Unicode transcoding: code points are encoded to UTF-8, validated and
 * decoded (rejecting overlongs, surrogates and truncated sequences),
 * converted to UTF-16 with surrogate pairs and back, and classified
 * with a small lookup table. Corrupted buffers must be rejected. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <stdint.h>

#define NUM_CODEPOINTS 20000
#define ROUNDS 150

static uint32_t seed = 0x600dcafeu;

static uint32_t rnd(void)
{
    seed ^= seed << 13;
    seed ^= seed >> 17;
    seed ^= seed << 5;
    return seed;
}

static uint32_t random_codepoint(void)
{
    uint32_t r = rnd();
    uint32_t cp;
    switch (r % 4u) {
    case 0: cp = (r >> 8) % 0x80u; break;
    case 1: cp = 0x80u + (r >> 8) % (0x800u - 0x80u); break;
    case 2: cp = 0x800u + (r >> 8) % (0x10000u - 0x800u); break;
    default: cp = 0x10000u + (r >> 8) % (0x110000u - 0x10000u); break;
    }
    if (cp >= 0xD800u && cp <= 0xDFFFu)
        cp -= 0x1000u; /* avoid surrogates */
    return cp;
}

static int utf8_encode(uint32_t cp, uint8_t *out)
{
    if (cp < 0x80u) { out[0] = (uint8_t)cp; return 1; }
    if (cp < 0x800u) {
        out[0] = (uint8_t)(0xC0u | (cp >> 6));
        out[1] = (uint8_t)(0x80u | (cp & 0x3Fu));
        return 2;
    }
    if (cp < 0x10000u) {
        out[0] = (uint8_t)(0xE0u | (cp >> 12));
        out[1] = (uint8_t)(0x80u | ((cp >> 6) & 0x3Fu));
        out[2] = (uint8_t)(0x80u | (cp & 0x3Fu));
        return 3;
    }
    out[0] = (uint8_t)(0xF0u | (cp >> 18));
    out[1] = (uint8_t)(0x80u | ((cp >> 12) & 0x3Fu));
    out[2] = (uint8_t)(0x80u | ((cp >> 6) & 0x3Fu));
    out[3] = (uint8_t)(0x80u | (cp & 0x3Fu));
    return 4;
}

/* Decodes one code point; returns bytes consumed or 0 when invalid. */
static int utf8_decode(const uint8_t *s, size_t avail, uint32_t *cp)
{
    static const uint32_t min_for_len[5] = {0, 0, 0x80u, 0x800u, 0x10000u};
    uint8_t b = s[0];
    int len = b < 0x80u ? 1 : (b >> 5) == 6u ? 2 : (b >> 4) == 14u ? 3 : (b >> 3) == 30u ? 4 : 0;
    if (len == 0 || (size_t)len > avail)
        return 0;
    uint32_t v = len == 1 ? b : (uint32_t)b & (0x7Fu >> len);
    for (int i = 1; i < len; i++) {
        if ((s[i] & 0xC0u) != 0x80u)
            return 0;
        v = (v << 6) | (s[i] & 0x3Fu);
    }
    if (v < min_for_len[len] || v > 0x10FFFFu || (v >= 0xD800u && v <= 0xDFFFu))
        return 0;
    *cp = v;
    return len;
}

static size_t to_utf16(const uint32_t *cps, size_t n, uint16_t *out)
{
    size_t o = 0;
    for (size_t i = 0; i < n; i++) {
        uint32_t c = cps[i];
        if (c >= 0x10000u) {
            c -= 0x10000u;
            out[o++] = (uint16_t)(0xD800u | (c >> 10));
            out[o++] = (uint16_t)(0xDC00u | (c & 0x3FFu));
        } else {
            out[o++] = (uint16_t)c;
        }
    }
    return o;
}

static size_t from_utf16(const uint16_t *u, size_t n, uint32_t *out)
{
    size_t o = 0;
    for (size_t i = 0; i < n; i++) {
        uint32_t c = u[i];
        if (c >= 0xD800u && c <= 0xDBFFu && i + 1 < n)
            c = 0x10000u + ((c - 0xD800u) << 10) + (u[++i] - 0xDC00u);
        out[o++] = c;
    }
    return o;
}

static long decode_all(const uint8_t *buf, size_t len, uint32_t *out)
{
    size_t pos = 0;
    long n = 0;
    while (pos < len) {
        int k = utf8_decode(buf + pos, len - pos, &out[n]);
        if (k == 0)
            return -1 - (long)pos;
        pos += (size_t)k;
        n++;
    }
    return n;
}

int main(void)
{
    uint32_t *cps = malloc(sizeof(uint32_t) * NUM_CODEPOINTS), *back = malloc(sizeof(uint32_t) * NUM_CODEPOINTS);
    uint8_t *buf = malloc(NUM_CODEPOINTS * 4);
    uint16_t *u16 = malloc(sizeof(uint16_t) * NUM_CODEPOINTS * 2);
    if (!cps || !back || !buf || !u16)
        return 1;
    static const char *class_names[] = {"ascii", "2-byte", "3-byte", "4-byte"};
    uint64_t classes[4] = {0}, h = 0xcbf29ce484222325ULL;
    int errors = 0, rejected = 0;
    for (int r = 0; r < ROUNDS; r++) {
        size_t len = 0;
        for (int i = 0; i < NUM_CODEPOINTS; i++) {
            cps[i] = random_codepoint();
            int k = utf8_encode(cps[i], buf + len);
            classes[k - 1]++;
            len += (size_t)k;
        }
        long n = decode_all(buf, len, back);
        if (n != NUM_CODEPOINTS || memcmp(cps, back, sizeof(uint32_t) * NUM_CODEPOINTS) != 0)
            errors++;
        size_t n16 = to_utf16(cps, NUM_CODEPOINTS, u16);
        if (from_utf16(u16, n16, back) != NUM_CODEPOINTS || memcmp(cps, back, sizeof(uint32_t) * NUM_CODEPOINTS) != 0)
            errors++;
        for (size_t i = 0; i < n16; i += 7)
            h = (h ^ u16[i]) * 0x100000001b3ULL;
        h = (h ^ (uint64_t)len) * 0x100000001b3ULL;
        /* corrupt: overlong encoding of '/', stray continuation, truncation */
        size_t at = rnd() % (uint32_t)(len - 4);
        while (at > 0 && (buf[at] & 0xC0u) == 0x80u)
            at--;
        uint8_t saved[2] = {buf[at], buf[at + 1]};
        buf[at] = 0xC0u; buf[at + 1] = 0xAFu;
        long bad = decode_all(buf, len, back);
        rejected += bad < 0;
        h = (h ^ (uint64_t)(bad < 0 ? -bad : bad)) * 0x100000001b3ULL;
        buf[at] = saved[0]; buf[at + 1] = saved[1];
        rejected += decode_all(buf, len - 1, back) < 0 || (buf[len - 1] & 0x80u) == 0;
    }
    for (int c = 0; c < 4; c++)
        printf("%s: %llu\n", class_names[c], (unsigned long long)classes[c]);
    printf("errors: %d, rejected: %d of %d\n", errors, rejected, 2 * ROUNDS);
    for (int c = 0; c < 4; c++)
        h = (h ^ classes[c]) * 0x9e3779b97f4a7c15ULL;
    h += (uint64_t)errors * 1000u + (uint64_t)rejected;
    printf("checksum: %llu\n", (unsigned long long)h);
    free(cps); free(back); free(buf); free(u16);
    return 0;
}
