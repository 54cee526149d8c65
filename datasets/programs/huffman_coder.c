/* Huffman coding: symbol frequencies from generated skewed data, tree
 * construction with a binary min-heap, canonical code assignment, bit-level
 * encoding, and decoding both by tree walk and by canonical tables. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <stdint.h>

#define BLOCK_LEN 60000
#define BLOCKS 48
#define NSYM 256
#define MAX_NODES (2 * NSYM)

typedef struct {
    uint64_t freq;
    int left, right, symbol;
} HNode;

static uint32_t seed = 0xc0ffee11u;

static uint32_t rnd(void)
{
    seed ^= seed << 13;
    seed ^= seed >> 17;
    seed ^= seed << 5;
    return seed;
}

static void make_block(uint8_t *d, int n, int variant)
{
    for (int i = 0; i < n; i++) {
        uint32_t r = rnd();
        int bits = (int)(r & 7u) + variant % 3;         /* skewed: small values common */
        uint32_t v = (r >> 8) & ((1u << (bits > 8 ? 8 : bits)) - 1u);
        d[i] = (uint8_t)(v + (uint32_t)variant * 17u);
    }
}

static int node_less(const HNode *n, int a, int b)
{
    return n[a].freq < n[b].freq || (n[a].freq == n[b].freq && a < b);
}

static void heap_push(int *heap, int *size, const HNode *nodes, int x)
{
    int i = (*size)++;
    while (i > 0 && node_less(nodes, x, heap[(i - 1) / 2])) {
        heap[i] = heap[(i - 1) / 2];
        i = (i - 1) / 2;
    }
    heap[i] = x;
}

static int heap_pop(int *heap, int *size, const HNode *nodes)
{
    int top = heap[0], last = heap[--(*size)], i = 0;
    for (;;) {
        int c = 2 * i + 1;
        if (c >= *size)
            break;
        if (c + 1 < *size && node_less(nodes, heap[c + 1], heap[c]))
            c++;
        if (!node_less(nodes, heap[c], last))
            break;
        heap[i] = heap[c];
        i = c;
    }
    heap[i] = last;
    return top;
}

static int build_tree(const uint64_t *freq, HNode *nodes)
{
    int heap[MAX_NODES], size = 0, count = 0;
    for (int s = 0; s < NSYM; s++)
        if (freq[s]) {
            nodes[count] = (HNode){freq[s], -1, -1, s};
            heap_push(heap, &size, nodes, count++);
        }
    if (count == 1) { /* a single symbol still needs a 1-bit code */
        nodes[count] = (HNode){0, -1, -1, (nodes[0].symbol + 1) % NSYM};
        heap_push(heap, &size, nodes, count++);
    }
    while (size > 1) {
        int a = heap_pop(heap, &size, nodes), b = heap_pop(heap, &size, nodes);
        nodes[count] = (HNode){nodes[a].freq + nodes[b].freq, a, b, -1};
        heap_push(heap, &size, nodes, count++);
    }
    return heap[0];
}

static void code_lengths(const HNode *nodes, int i, int depth, uint8_t *len)
{
    if (nodes[i].symbol >= 0) {
        len[nodes[i].symbol] = (uint8_t)(depth ? depth : 1);
        return;
    }
    code_lengths(nodes, nodes[i].left, depth + 1, len);
    code_lengths(nodes, nodes[i].right, depth + 1, len);
}

/* Canonical codes: shorter codes first, ties by symbol value. */
static void canonical(const uint8_t *len, uint32_t *code, int *first_code, int *first_index, int *count, int *sorted)
{
    int n = 0;
    for (int l = 0; l < 64; l++)
        count[l] = 0;
    for (int s = 0; s < NSYM; s++)
        count[len[s]]++;
    count[0] = 0;
    uint32_t c = 0;
    for (int l = 1; l < 64; l++) {
        first_code[l] = (int)c;
        first_index[l] = n;
        for (int s = 0; s < NSYM; s++)
            if (len[s] == l) {
                code[s] = c++;
                sorted[n++] = s;
            }
        c <<= 1;
    }
}

static void put_bits(uint8_t *out, size_t *bitpos, uint32_t code, int len)
{
    for (int i = len - 1; i >= 0; i--, (*bitpos)++)
        if ((code >> i) & 1u)
            out[*bitpos >> 3] |= (uint8_t)(0x80u >> (*bitpos & 7));
}

static int get_bit(const uint8_t *in, size_t pos) { return (in[pos >> 3] >> (7 - (pos & 7))) & 1; }

int main(void)
{
    uint8_t *data = malloc(BLOCK_LEN), *enc = malloc(BLOCK_LEN * 8), *dec = malloc(BLOCK_LEN);
    HNode *nodes = malloc(sizeof(HNode) * MAX_NODES);
    if (!data || !enc || !dec || !nodes)
        return 1;
    uint64_t h = 0xcbf29ce484222325ULL, total_bits = 0;
    int failures = 0;
    for (int b = 0; b < BLOCKS; b++) {
        make_block(data, BLOCK_LEN, b);
        uint64_t freq[NSYM] = {0};
        for (int i = 0; i < BLOCK_LEN; i++)
            freq[data[i]]++;
        int root = build_tree(freq, nodes);
        uint8_t len[NSYM] = {0};
        uint32_t code[NSYM] = {0};
        int first_code[64], first_index[64], count[64], sorted[NSYM];
        code_lengths(nodes, root, 0, len);
        canonical(len, code, first_code, first_index, count, sorted);
        memset(enc, 0, BLOCK_LEN * 8);
        size_t bits = 0;
        for (int i = 0; i < BLOCK_LEN; i++)
            put_bits(enc, &bits, code[data[i]], len[data[i]]);
        /* canonical decode */
        size_t pos = 0;
        for (int i = 0; i < BLOCK_LEN; i++) {
            int c = 0, l = 0;
            do {
                c = (c << 1) | get_bit(enc, pos++);
                l++;
            } while (l < 63 && c - first_code[l] >= count[l]);
            dec[i] = (uint8_t)sorted[first_index[l] + c - first_code[l]];
        }
        if (pos != bits || memcmp(dec, data, BLOCK_LEN) != 0)
            failures++;
        /* the tree's own (non-canonical) codes must cost the same number of bits */
        uint64_t tree_bits = 0;
        for (int s = 0; s < NSYM; s++)
            tree_bits += freq[s] * len[s];
        if (tree_bits != bits)
            failures++;
        total_bits += bits;
        if (b < 4)
            printf("block %d: %zu bits (%.3f bits/symbol)\n", b, bits, (double)bits / BLOCK_LEN);
        for (int s = 0; s < NSYM; s++)
            h = (h ^ ((uint64_t)len[s] << 32 | code[s])) * 0x100000001b3ULL;
    }
    printf("failures: %d\n", failures);
    h = (h ^ total_bits) * 0x9e3779b97f4a7c15ULL + (uint64_t)failures;
    printf("checksum: %llu\n", (unsigned long long)h);
    free(data); free(enc); free(dec); free(nodes);
    return 0;
}
