/* Conway's Game of Life on a toroidal grid, implemented twice: a
 * byte-per-cell version with explicit neighbour counting and a
 * bit-packed version using bit-sliced adders on 64-bit words. The two
 * are compared after every generation. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <stdint.h>

#define W 128
#define H 128
#define WORDS (W / 64)
#define GENERATIONS 600

static uint32_t seed = 0x5eed1234u;

static uint32_t rnd(void)
{
    seed ^= seed << 13;
    seed ^= seed >> 17;
    seed ^= seed << 5;
    return seed;
}

static int count_neighbours(const uint8_t *g, int r, int c)
{
    int n = 0;
    for (int dr = -1; dr <= 1; dr++)
        for (int dc = -1; dc <= 1; dc++) {
            if (!dr && !dc)
                continue;
            int rr = (r + dr + H) % H, cc = (c + dc + W) % W;
            n += g[rr * W + cc];
        }
    return n;
}

static void step_bytes(const uint8_t *src, uint8_t *dst)
{
    for (int r = 0; r < H; r++)
        for (int c = 0; c < W; c++) {
            int n = count_neighbours(src, r, c);
            int alive = src[r * W + c];
            dst[r * W + c] = (uint8_t)(n == 3 || (alive && n == 2));
        }
}

static void shift_west(const uint64_t *row, uint64_t *out)  /* bring column c-1 to c */
{
    for (int k = 0; k < WORDS; k++)
        out[k] = (row[k] << 1) | (row[(k + WORDS - 1) % WORDS] >> 63);
}

static void shift_east(const uint64_t *row, uint64_t *out)  /* bring column c+1 to c */
{
    for (int k = 0; k < WORDS; k++)
        out[k] = (row[k] >> 1) | (row[(k + 1) % WORDS] << 63);
}

static void add_bits(uint64_t *s0, uint64_t *s1, uint64_t *s2, uint64_t x)
{
    uint64_t c0 = *s0 & x;
    *s0 ^= x;
    uint64_t c1 = *s1 & c0;
    *s1 ^= c0;
    *s2 ^= c1;
}

static void step_bits(const uint64_t *src, uint64_t *dst)
{
    uint64_t nb[8][WORDS];
    for (int r = 0; r < H; r++) {
        const uint64_t *up = src + ((r + H - 1) % H) * WORDS;
        const uint64_t *mid = src + r * WORDS;
        const uint64_t *down = src + ((r + 1) % H) * WORDS;
        shift_west(up, nb[0]); shift_east(up, nb[1]);
        shift_west(mid, nb[2]); shift_east(mid, nb[3]);
        shift_west(down, nb[4]); shift_east(down, nb[5]);
        memcpy(nb[6], up, sizeof nb[6]);
        memcpy(nb[7], down, sizeof nb[7]);
        for (int k = 0; k < WORDS; k++) {
            uint64_t s0 = 0, s1 = 0, s2 = 0;
            for (int j = 0; j < 8; j++)
                add_bits(&s0, &s1, &s2, nb[j][k]);
            dst[r * WORDS + k] = ~s2 & s1 & (s0 | mid[k]);
        }
    }
}

static void pack(const uint8_t *g, uint64_t *b)
{
    memset(b, 0, sizeof(uint64_t) * H * WORDS);
    for (int r = 0; r < H; r++)
        for (int c = 0; c < W; c++)
            if (g[r * W + c])
                b[r * WORDS + c / 64] |= 1ULL << (c % 64);
}

static int population(const uint8_t *g)
{
    int p = 0;
    for (int i = 0; i < W * H; i++)
        p += g[i];
    return p;
}

static void seed_grid(uint8_t *g)
{
    memset(g, 0, W * H);
    for (int r = H / 4; r < H / 2; r++)          /* random soup in one quadrant */
        for (int c = W / 4; c < W / 2; c++)
            g[r * W + c] = (uint8_t)(rnd() % 3u == 0);
    static const int rpent[5][2] = {{0, 1}, {0, 2}, {1, 0}, {1, 1}, {2, 1}};
    for (int i = 0; i < 5; i++)
        g[(3 * H / 4 + rpent[i][0]) * W + 3 * W / 4 + rpent[i][1]] = 1;
    static const int glider[5][2] = {{0, 1}, {1, 2}, {2, 0}, {2, 1}, {2, 2}};
    for (int i = 0; i < 5; i++)
        g[(5 + glider[i][0]) * W + 100 + glider[i][1]] = 1;
}

int main(void)
{
    uint8_t *a = malloc(W * H), *b = malloc(W * H);
    uint64_t *ba = malloc(sizeof(uint64_t) * H * WORDS), *bb = malloc(sizeof(uint64_t) * H * WORDS);
    uint64_t *check = malloc(sizeof(uint64_t) * H * WORDS);
    if (!a || !b || !ba || !bb || !check)
        return 1;
    seed_grid(a);
    pack(a, ba);
    uint64_t h = 0xcbf29ce484222325ULL;
    int mismatches = 0;
    for (int gen = 0; gen < GENERATIONS; gen++) {
        step_bytes(a, b);
        step_bits(ba, bb);
        uint8_t *t = a; a = b; b = t;
        uint64_t *tb = ba; ba = bb; bb = tb;
        pack(a, check);
        if (memcmp(check, ba, sizeof(uint64_t) * H * WORDS) != 0)
            mismatches++;
        int pop = population(a);
        h = (h ^ (uint64_t)pop) * 0x100000001b3ULL;
        if (gen % 150 == 149)
            printf("generation %d: population %d\n", gen + 1, pop);
    }
    for (int i = 0; i < H * WORDS; i++)
        h = (h ^ ba[i]) * 0x100000001b3ULL;
    printf("mismatches: %d\n", mismatches);
    h += (uint64_t)mismatches;
    printf("checksum: %llu\n", (unsigned long long)h);
    free(a); free(b); free(ba); free(bb); free(check);
    return 0;
}
