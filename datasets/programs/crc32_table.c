/* Table-driven checksums: bitwise CRC-32, byte-table CRC-32,
 * slicing-by-4 CRC-32, CRC-16/CCITT and Adler-32 over generated buffers. */
#include <stdio.h>
#include <stdlib.h>
#include <stdint.h>

#define BUF_LEN 65536
#define ROUNDS 128

static uint32_t crc_table[4][256];
static uint16_t crc16_table[256];

static void build_tables(void)
{
    for (uint32_t i = 0; i < 256; i++) {
        uint32_t c = i;
        for (int k = 0; k < 8; k++)
            c = (c & 1u) ? (c >> 1) ^ 0xEDB88320u : c >> 1;
        crc_table[0][i] = c;
    }
    for (uint32_t i = 0; i < 256; i++)
        for (int t = 1; t < 4; t++)
            crc_table[t][i] = (crc_table[t - 1][i] >> 8) ^ crc_table[0][crc_table[t - 1][i] & 0xffu];
    for (uint32_t i = 0; i < 256; i++) {
        uint16_t c = (uint16_t)(i << 8);
        for (int k = 0; k < 8; k++)
            c = (c & 0x8000u) ? (uint16_t)((c << 1) ^ 0x1021u) : (uint16_t)(c << 1);
        crc16_table[i] = c;
    }
}

static uint32_t crc32_bitwise(const uint8_t *p, size_t n)
{
    uint32_t c = 0xffffffffu;
    for (size_t i = 0; i < n; i++) {
        c ^= p[i];
        for (int k = 0; k < 8; k++)
            c = (c >> 1) ^ (0xEDB88320u & (0u - (c & 1u)));
    }
    return ~c;
}

static uint32_t crc32_bytewise(const uint8_t *p, size_t n)
{
    uint32_t c = 0xffffffffu;
    for (size_t i = 0; i < n; i++)
        c = crc_table[0][(c ^ p[i]) & 0xffu] ^ (c >> 8);
    return ~c;
}

static uint32_t crc32_slice4(const uint8_t *p, size_t n)
{
    uint32_t c = 0xffffffffu;
    size_t i = 0;
    for (; i + 4 <= n; i += 4) {
        uint32_t w = (uint32_t)p[i] | ((uint32_t)p[i + 1] << 8) | ((uint32_t)p[i + 2] << 16) | ((uint32_t)p[i + 3] << 24);
        c ^= w;
        c = crc_table[3][c & 0xffu] ^ crc_table[2][(c >> 8) & 0xffu] ^
            crc_table[1][(c >> 16) & 0xffu] ^ crc_table[0][c >> 24];
    }
    for (; i < n; i++)
        c = crc_table[0][(c ^ p[i]) & 0xffu] ^ (c >> 8);
    return ~c;
}

static uint16_t crc16_ccitt(const uint8_t *p, size_t n)
{
    uint16_t c = 0xffffu;
    for (size_t i = 0; i < n; i++)
        c = (uint16_t)((c << 8) ^ crc16_table[((c >> 8) ^ p[i]) & 0xffu]);
    return c;
}

static uint32_t adler32(const uint8_t *p, size_t n)
{
    uint32_t a = 1, b = 0;
    while (n > 0) {
        size_t chunk = n < 5552 ? n : 5552;
        n -= chunk;
        while (chunk--) {
            a += *p++;
            b += a;
        }
        a %= 65521u;
        b %= 65521u;
    }
    return (b << 16) | a;
}

static void fill(uint8_t *buf, size_t n, uint32_t seed)
{
    uint32_t x = seed | 1u;
    for (size_t i = 0; i < n; i++) {
        x ^= x << 13;
        x ^= x >> 17;
        x ^= x << 5;
        buf[i] = (uint8_t)(x >> 24);
    }
}

int main(void)
{
    uint8_t *buf = malloc(BUF_LEN);
    if (!buf)
        return 1;
    build_tables();
    const uint8_t check[] = "123456789";
    printf("crc32(\"123456789\") = %08x\n", crc32_bytewise(check, 9));
    printf("crc16(\"123456789\") = %04x\n", crc16_ccitt(check, 9));
    uint64_t h = 0;
    int mismatch = 0;
    for (int r = 0; r < ROUNDS; r++) {
        fill(buf, BUF_LEN, 0x1000193u * (uint32_t)(r + 1));
        size_t len = BUF_LEN - (size_t)r * 37u;
        uint32_t a = crc32_bitwise(buf, len);
        uint32_t b = crc32_bytewise(buf, len);
        uint32_t c = crc32_slice4(buf, len);
        uint16_t d = crc16_ccitt(buf, len);
        uint32_t e = adler32(buf, len);
        if (a != b || b != c)
            mismatch++;
        h = (h ^ a) * 0x100000001b3ULL;
        h = (h ^ d) * 0x100000001b3ULL;
        h = (h ^ e) * 0x100000001b3ULL;
    }
    printf("mismatches: %d\n", mismatch);
    h += (uint64_t)mismatch;
    printf("checksum: %llu\n", (unsigned long long)h);
    free(buf);
    return 0;
}
