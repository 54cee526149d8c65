/* Non-comparison sorting: LSD radix sort on 32-bit and 64-bit keys,
 * MSD radix sort on strings-as-integers, and counting sort on small
 * keys, with stability checks via key/payload records. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <stdint.h>

#define N 200000
#define ROUNDS 10
#define SMALL_RANGE 1000

typedef struct {
    uint32_t key;
    uint32_t payload;
} Record;

static uint64_t state = 0x853c49e6748fea9bULL;

static uint32_t pcg32(void)
{
    uint64_t old = state;
    state = old * 6364136223846793005ULL + 1442695040888963407ULL;
    uint32_t xorshifted = (uint32_t)(((old >> 18) ^ old) >> 27);
    uint32_t rot = (uint32_t)(old >> 59);
    return (xorshifted >> rot) | (xorshifted << ((0u - rot) & 31u));
}

static void radix_sort_records(Record *a, Record *tmp, size_t n)
{
    size_t count[256];
    for (int shift = 0; shift < 32; shift += 8) {
        memset(count, 0, sizeof count);
        for (size_t i = 0; i < n; i++)
            count[(a[i].key >> shift) & 0xffu]++;
        size_t sum = 0;
        for (int b = 0; b < 256; b++) {
            size_t c = count[b];
            count[b] = sum;
            sum += c;
        }
        for (size_t i = 0; i < n; i++)
            tmp[count[(a[i].key >> shift) & 0xffu]++] = a[i];
        memcpy(a, tmp, sizeof(Record) * n);
    }
}

static void radix_sort_u64(uint64_t *a, uint64_t *tmp, size_t n)
{
    size_t count[1 << 11];
    for (int shift = 0; shift < 64; shift += 11) {
        memset(count, 0, sizeof count);
        for (size_t i = 0; i < n; i++)
            count[(a[i] >> shift) & 0x7ffu]++;
        size_t sum = 0;
        for (int b = 0; b < (1 << 11); b++) {
            size_t c = count[b];
            count[b] = sum;
            sum += c;
        }
        for (size_t i = 0; i < n; i++)
            tmp[count[(a[i] >> shift) & 0x7ffu]++] = a[i];
        uint64_t *t = a;
        a = tmp;
        tmp = t;
    }
    /* 6 passes: the result ends up back in the original array */
}

static void msd_radix(uint32_t *a, uint32_t *tmp, size_t n, int shift)
{
    if (n < 32) {
        for (size_t i = 1; i < n; i++) {
            uint32_t v = a[i];
            size_t j = i;
            while (j > 0 && a[j - 1] > v) {
                a[j] = a[j - 1];
                j--;
            }
            a[j] = v;
        }
        return;
    }
    size_t count[257] = {0};
    for (size_t i = 0; i < n; i++)
        count[((a[i] >> shift) & 0xffu) + 1]++;
    for (int b = 0; b < 256; b++)
        count[b + 1] += count[b];
    size_t pos[256];
    memcpy(pos, count, sizeof pos);
    for (size_t i = 0; i < n; i++)
        tmp[pos[(a[i] >> shift) & 0xffu]++] = a[i];
    memcpy(a, tmp, sizeof(uint32_t) * n);
    if (shift == 0)
        return;
    for (int b = 0; b < 256; b++)
        msd_radix(a + count[b], tmp, count[b + 1] - count[b], shift - 8);
}

static void counting_sort(const uint32_t *in, uint32_t *out, size_t n, uint32_t range)
{
    uint32_t *cnt = calloc(range, sizeof(uint32_t));
    if (!cnt)
        exit(1);
    for (size_t i = 0; i < n; i++)
        cnt[in[i]]++;
    size_t o = 0;
    for (uint32_t v = 0; v < range; v++)
        for (uint32_t k = 0; k < cnt[v]; k++)
            out[o++] = v;
    free(cnt);
}

int main(void)
{
    Record *rec = malloc(sizeof(Record) * N), *rtmp = malloc(sizeof(Record) * N);
    uint64_t *w = malloc(sizeof(uint64_t) * N), *wtmp = malloc(sizeof(uint64_t) * N);
    uint32_t *u = malloc(sizeof(uint32_t) * N), *utmp = malloc(sizeof(uint32_t) * N);
    uint32_t *s = malloc(sizeof(uint32_t) * N);
    if (!rec || !rtmp || !w || !wtmp || !u || !utmp || !s)
        return 1;
    uint64_t h = 0x243f6a8885a308d3ULL;
    int errors = 0;
    for (int r = 0; r < ROUNDS; r++) {
        for (size_t i = 0; i < N; i++) {
            rec[i].key = pcg32() % 50000u;
            rec[i].payload = (uint32_t)i;
            uint64_t hi = pcg32();
            w[i] = (hi << 32) | pcg32();
            u[i] = pcg32();
            s[i] = pcg32() % SMALL_RANGE;
        }
        radix_sort_records(rec, rtmp, N);
        radix_sort_u64(w, wtmp, N);
        msd_radix(u, utmp, N, 24);
        counting_sort(s, utmp, N, SMALL_RANGE);
        for (size_t i = 1; i < N; i++) {
            if (rec[i - 1].key > rec[i].key ||
                (rec[i - 1].key == rec[i].key && rec[i - 1].payload > rec[i].payload))
                errors++;
            if (w[i - 1] > w[i] || u[i - 1] > u[i] || utmp[i - 1] > utmp[i])
                errors++;
        }
        for (size_t i = 0; i < N; i += 97) {
            h = (h ^ rec[i].payload) * 0x100000001b3ULL;
            h = (h ^ w[i]) * 0x100000001b3ULL;
            h = (h ^ u[i]) * 0x100000001b3ULL;
            h = (h ^ utmp[i]) * 0x100000001b3ULL;
        }
        printf("round %d: median key %u, median u64 %llu\n", r, rec[N / 2].key, (unsigned long long)w[N / 2]);
    }
    printf("order errors: %d\n", errors);
    h += (uint64_t)errors;
    printf("checksum: %llu\n", (unsigned long long)h);
    free(rec); free(rtmp); free(w); free(wtmp); free(u); free(utmp); free(s);
    return 0;
}
