/* Two lossless compressors on generated, partly repetitive data:
 * byte-level run-length encoding and an LZ77-style coder with a hash
 * chain match finder; both are decoded and verified. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <stdint.h>

#define DATA_LEN 120000
#define WINDOW 4096
#define MIN_MATCH 3
#define MAX_MATCH 130
#define HASH_BITS 12
#define MAX_CHAIN 24
#define ROUNDS 30

static uint32_t seed = 0xabcdef01u;

static uint32_t rnd(void)
{
    seed = seed * 1103515245u + 12345u;
    return (seed >> 16) & 0x7fffu;
}

static void make_data(uint8_t *d, size_t n)
{
    size_t i = 0;
    while (i < n) {
        uint32_t mode = rnd() % 4u;
        size_t len = 4 + rnd() % 60u;
        if (mode == 0) {                      /* run of one byte */
            uint8_t b = (uint8_t)rnd();
            for (size_t k = 0; k < len && i < n; k++)
                d[i++] = b;
        } else if (mode == 1 && i > 200) {    /* copy of earlier data */
            size_t from = i - 1 - rnd() % 200u;
            for (size_t k = 0; k < len && i < n; k++)
                d[i++] = d[from + k];
        } else {                              /* small-alphabet text */
            for (size_t k = 0; k < len && i < n; k++)
                d[i++] = (uint8_t)('a' + rnd() % 6u);
        }
    }
}

/* RLE: a control byte c < 128 means c+1 literals follow; c >= 128 means
 * repeat the next byte (c - 126) times. */
static size_t rle_encode(const uint8_t *in, size_t n, uint8_t *out)
{
    size_t i = 0, o = 0;
    while (i < n) {
        size_t run = 1;
        while (i + run < n && run < 129 && in[i + run] == in[i])
            run++;
        if (run >= 2) {
            out[o++] = (uint8_t)(126 + run);
            out[o++] = in[i];
            i += run;
        } else {
            size_t start = i, lit = 0;
            while (i < n && lit < 128 && !(i + 1 < n && in[i + 1] == in[i])) {
                i++;
                lit++;
            }
            if (lit == 0) {
                i++;
                lit = 1;
            }
            out[o++] = (uint8_t)(lit - 1);
            memcpy(out + o, in + start, lit);
            o += lit;
        }
    }
    return o;
}

static size_t rle_decode(const uint8_t *in, size_t n, uint8_t *out)
{
    size_t i = 0, o = 0;
    while (i < n) {
        uint8_t c = in[i++];
        if (c < 128) {
            memcpy(out + o, in + i, (size_t)c + 1);
            i += (size_t)c + 1;
            o += (size_t)c + 1;
        } else {
            size_t run = (size_t)c - 126;
            memset(out + o, in[i++], run);
            o += run;
        }
    }
    return o;
}

static uint32_t hash3(const uint8_t *p)
{
    uint32_t v = (uint32_t)p[0] | ((uint32_t)p[1] << 8) | ((uint32_t)p[2] << 16);
    return (v * 2654435761u) >> (32 - HASH_BITS);
}

/* LZ: tokens are either [0, byte] literal or [1, len, dist_lo, dist_hi]. */
static size_t lz_encode(const uint8_t *in, size_t n, uint8_t *out, int32_t *head, int32_t *prev)
{
    for (int i = 0; i < (1 << HASH_BITS); i++)
        head[i] = -1;
    size_t i = 0, o = 0;
    while (i < n) {
        size_t best_len = 0, best_dist = 0;
        if (i + MIN_MATCH <= n) {
            uint32_t hv = hash3(in + i);
            int32_t cand = head[hv];
            int chain = 0;
            while (cand >= 0 && i - (size_t)cand <= WINDOW && chain++ < MAX_CHAIN) {
                size_t l = 0;
                while (i + l < n && l < MAX_MATCH && in[(size_t)cand + l] == in[i + l])
                    l++;
                if (l > best_len) {
                    best_len = l;
                    best_dist = i - (size_t)cand;
                }
                cand = prev[cand];
            }
            prev[i] = head[hv];
            head[hv] = (int32_t)i;
        }
        if (best_len >= MIN_MATCH) {
            out[o++] = 1;
            out[o++] = (uint8_t)(best_len - MIN_MATCH);
            out[o++] = (uint8_t)(best_dist & 0xff);
            out[o++] = (uint8_t)(best_dist >> 8);
            for (size_t k = 1; k < best_len; k++) {
                size_t p = i + k;
                if (p + MIN_MATCH <= n) {
                    uint32_t hv = hash3(in + p);
                    prev[p] = head[hv];
                    head[hv] = (int32_t)p;
                }
            }
            i += best_len;
        } else {
            out[o++] = 0;
            out[o++] = in[i++];
        }
    }
    return o;
}

static size_t lz_decode(const uint8_t *in, size_t n, uint8_t *out)
{
    size_t i = 0, o = 0;
    while (i < n) {
        if (in[i] == 0) {
            out[o++] = in[i + 1];
            i += 2;
        } else {
            size_t len = (size_t)in[i + 1] + MIN_MATCH;
            size_t dist = (size_t)in[i + 2] | ((size_t)in[i + 3] << 8);
            for (size_t k = 0; k < len; k++, o++)
                out[o] = out[o - dist];
            i += 4;
        }
    }
    return o;
}

static uint64_t fnv(const uint8_t *d, size_t n, uint64_t h)
{
    for (size_t i = 0; i < n; i++)
        h = (h ^ d[i]) * 0x100000001b3ULL;
    return h;
}

int main(void)
{
    uint8_t *data = malloc(DATA_LEN), *back = malloc(DATA_LEN);
    uint8_t *rle = malloc(DATA_LEN * 2 + 16), *lz = malloc(DATA_LEN * 2 + 16);
    int32_t *head = malloc(sizeof(int32_t) << HASH_BITS), *prev = malloc(sizeof(int32_t) * (DATA_LEN * 2 + 16));
    if (!data || !back || !rle || !lz || !head || !prev)
        return 1;
    uint64_t h = 0xcbf29ce484222325ULL;
    int all_ok = 1;
    for (int round = 0; round < ROUNDS; round++) {
        make_data(data, DATA_LEN);

        size_t rle_n = rle_encode(data, DATA_LEN, rle);
        size_t rle_back = rle_decode(rle, rle_n, back);
        int rle_ok = rle_back == DATA_LEN && memcmp(back, data, DATA_LEN) == 0;

        size_t lz_n = lz_encode(data, DATA_LEN, lz, head, prev);
        size_t lz_back = lz_decode(lz, lz_n, back);
        int lz_ok = lz_back == DATA_LEN && memcmp(back, data, DATA_LEN) == 0;

        size_t lz2_n = lz_encode(rle, rle_n, lz, head, prev);
        if (round < 3)
            printf("round %d, input %d bytes: rle %zu (ok=%d), lz %zu (ok=%d), lz(rle) %zu\n",
                   round, DATA_LEN, rle_n, rle_ok, lz_n, lz_ok, lz2_n);
        all_ok &= rle_ok & lz_ok;
        h = fnv(rle, rle_n, h);
        h = fnv(lz, lz2_n, h);
        h ^= (uint64_t)rle_n << 32 | (uint64_t)lz_n;
        h = h * 0x9e3779b97f4a7c15ULL + (uint64_t)(rle_ok * 2 + lz_ok) + lz2_n;
    }
    printf("all ok: %d\n", all_ok);
    printf("checksum: %llu\n", (unsigned long long)h);
    free(data); free(back); free(rle); free(lz); free(head); free(prev);
    return 0;
}
