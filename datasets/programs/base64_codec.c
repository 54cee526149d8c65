/* Base64 encoder/decoder with lookup tables (standard and URL-safe
 * alphabets, optional padding), round-tripped over many buffer sizes. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <stdint.h>

#define MAX_BUF 3000
#define NUM_BUFFERS 15000

static const char std_alpha[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
static const char url_alpha[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
static int8_t std_rev[256], url_rev[256];

static void build_reverse(const char *alpha, int8_t *rev)
{
    for (int i = 0; i < 256; i++)
        rev[i] = -1;
    for (int i = 0; i < 64; i++)
        rev[(unsigned char)alpha[i]] = (int8_t)i;
}

static size_t b64_encode(const uint8_t *in, size_t n, char *out, const char *alpha, int pad)
{
    size_t o = 0, i = 0;
    for (; i + 3 <= n; i += 3) {
        uint32_t v = ((uint32_t)in[i] << 16) | ((uint32_t)in[i + 1] << 8) | in[i + 2];
        out[o++] = alpha[(v >> 18) & 63u];
        out[o++] = alpha[(v >> 12) & 63u];
        out[o++] = alpha[(v >> 6) & 63u];
        out[o++] = alpha[v & 63u];
    }
    size_t rem = n - i;
    if (rem) {
        uint32_t v = (uint32_t)in[i] << 16;
        if (rem == 2)
            v |= (uint32_t)in[i + 1] << 8;
        out[o++] = alpha[(v >> 18) & 63u];
        out[o++] = alpha[(v >> 12) & 63u];
        if (rem == 2)
            out[o++] = alpha[(v >> 6) & 63u];
        if (pad) {
            out[o++] = '=';
            if (rem == 1)
                out[o++] = '=';
        }
    }
    out[o] = '\0';
    return o;
}

/* Returns decoded length, or (size_t)-1 on invalid input. */
static size_t b64_decode(const char *in, size_t n, uint8_t *out, const int8_t *rev)
{
    while (n > 0 && in[n - 1] == '=')
        n--;
    if (n % 4 == 1)
        return (size_t)-1;
    size_t o = 0;
    uint32_t acc = 0;
    int bits = 0;
    for (size_t i = 0; i < n; i++) {
        int8_t d = rev[(unsigned char)in[i]];
        if (d < 0)
            return (size_t)-1;
        acc = (acc << 6) | (uint32_t)d;
        bits += 6;
        if (bits >= 8) {
            bits -= 8;
            out[o++] = (uint8_t)(acc >> bits);
            acc &= (1u << bits) - 1u;
        }
    }
    return o;
}

static uint32_t xs = 0x811c9dc5u;

static uint32_t rnd(void)
{
    xs ^= xs << 13;
    xs ^= xs >> 17;
    xs ^= xs << 5;
    return xs;
}

static uint64_t hash_str(const char *s, size_t n, uint64_t h)
{
    for (size_t i = 0; i < n; i++)
        h = (h ^ (unsigned char)s[i]) * 0x100000001b3ULL;
    return h;
}

int main(void)
{
    uint8_t *buf = malloc(MAX_BUF), *back = malloc(MAX_BUF);
    char *enc = malloc(MAX_BUF * 2);
    if (!buf || !back || !enc)
        return 1;
    build_reverse(std_alpha, std_rev);
    build_reverse(url_alpha, url_rev);

    size_t l = b64_encode((const uint8_t *)"Many hands make light work.", 27, enc, std_alpha, 1);
    printf("sample: %s\n", enc);
    uint64_t h = hash_str(enc, l, 0xcbf29ce484222325ULL);

    int failures = 0, rejected = 0;
    uint64_t total_chars = 0;
    for (int t = 0; t < NUM_BUFFERS; t++) {
        size_t n = rnd() % MAX_BUF;
        for (size_t i = 0; i < n; i++)
            buf[i] = (uint8_t)(rnd() >> 7);
        int url = t & 1, pad = (t >> 1) & 1;
        size_t e = b64_encode(buf, n, enc, url ? url_alpha : std_alpha, pad);
        size_t d = b64_decode(enc, e, back, url ? url_rev : std_rev);
        if (d != n || memcmp(buf, back, n) != 0)
            failures++;
        total_chars += e;
        h = hash_str(enc, e < 64 ? e : 64, h);
        if (e > 8) {
            enc[e / 2] = '*';                 /* corrupt: must be rejected */
            if (b64_decode(enc, e, back, std_rev) == (size_t)-1)
                rejected++;
        }
    }
    printf("failures: %d, rejected corrupt: %d, encoded chars: %llu\n", failures, rejected,
           (unsigned long long)total_chars);
    h = (h ^ total_chars) * 0x9e3779b97f4a7c15ULL;
    h += (uint64_t)failures * 1000003u + (uint64_t)rejected;
    printf("checksum: %llu\n", (unsigned long long)h);
    free(buf); free(back); free(enc);
    return 0;
}
