/* Open-addressing hash table (linear probing, tombstones, automatic
 * resizing) keyed by 64-bit integers and by short strings, using
 * FNV-1a and a murmur-style finaliser. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <stdint.h>

#define OPS 2000000
#define KEY_SPACE 200000u

enum { EMPTY = 0, FULL = 1, DELETED = 2 };

typedef struct {
    uint64_t key;
    uint64_t value;
    uint8_t state;
} Slot;

typedef struct {
    Slot *slots;
    size_t cap, size, tombstones;
    uint64_t probes;
} Table;

static uint64_t mix64(uint64_t k)
{
    k ^= k >> 33;
    k *= 0xff51afd7ed558ccdULL;
    k ^= k >> 33;
    k *= 0xc4ceb9fe1a85ec53ULL;
    k ^= k >> 33;
    return k;
}

static uint64_t fnv1a_str(const char *s)
{
    uint64_t h = 0xcbf29ce484222325ULL;
    while (*s)
        h = (h ^ (unsigned char)*s++) * 0x100000001b3ULL;
    return h;
}

static void table_init(Table *t, size_t cap)
{
    t->slots = calloc(cap, sizeof(Slot));
    if (!t->slots)
        exit(1);
    t->cap = cap;
    t->size = t->tombstones = 0;
}

static void table_put(Table *t, uint64_t key, uint64_t value);

static void table_rehash(Table *t, size_t new_cap)
{
    Slot *old = t->slots;
    size_t old_cap = t->cap;
    uint64_t probes = t->probes;
    table_init(t, new_cap);
    t->probes = probes;
    for (size_t i = 0; i < old_cap; i++)
        if (old[i].state == FULL)
            table_put(t, old[i].key, old[i].value);
    free(old);
}

static size_t find_slot(Table *t, uint64_t key, int *found)
{
    size_t mask = t->cap - 1, i = (size_t)mix64(key) & mask;
    size_t first_tomb = (size_t)-1;
    for (;;) {
        t->probes++;
        Slot *s = &t->slots[i];
        if (s->state == EMPTY) {
            *found = 0;
            return first_tomb != (size_t)-1 ? first_tomb : i;
        }
        if (s->state == DELETED) {
            if (first_tomb == (size_t)-1)
                first_tomb = i;
        } else if (s->key == key) {
            *found = 1;
            return i;
        }
        i = (i + 1) & mask;
    }
}

static void table_put(Table *t, uint64_t key, uint64_t value)
{
    if ((t->size + t->tombstones + 1) * 4 > t->cap * 3)
        table_rehash(t, t->size * 4 > t->cap ? t->cap * 2 : t->cap);
    int found;
    size_t i = find_slot(t, key, &found);
    if (!found) {
        if (t->slots[i].state == DELETED)
            t->tombstones--;
        t->size++;
        t->slots[i].key = key;
        t->slots[i].state = FULL;
    }
    t->slots[i].value = value;
}

static int table_get(Table *t, uint64_t key, uint64_t *value)
{
    int found;
    size_t i = find_slot(t, key, &found);
    if (found)
        *value = t->slots[i].value;
    return found;
}

static int table_remove(Table *t, uint64_t key)
{
    int found;
    size_t i = find_slot(t, key, &found);
    if (!found)
        return 0;
    t->slots[i].state = DELETED;
    t->size--;
    t->tombstones++;
    return 1;
}

static uint64_t xs64 = 0x9e3779b97f4a7c15ULL;

static uint64_t rnd64(void)
{
    xs64 ^= xs64 << 13;
    xs64 ^= xs64 >> 7;
    xs64 ^= xs64 << 17;
    return xs64;
}

int main(void)
{
    Table t;
    table_init(&t, 16);
    t.probes = 0;
    uint64_t hits = 0, misses = 0, removed = 0, acc = 0;
    for (int op = 0; op < OPS; op++) {
        uint64_t r = rnd64();
        uint64_t key = (r >> 8) % KEY_SPACE * 2654435761u;
        switch (r & 7u) {
        case 0: case 1: case 2:
            table_put(&t, key, r >> 20);
            break;
        case 3:
            removed += (uint64_t)table_remove(&t, key);
            break;
        default: {
            uint64_t v;
            if (table_get(&t, key, &v)) {
                hits++;
                acc += v;
            } else {
                misses++;
            }
        }
        }
    }
    /* string keys: word counts over generated words */
    Table words;
    table_init(&words, 64);
    words.probes = 0;
    char buf[16];
    static const char syll[][4] = {"ka", "lo", "mi", "ne", "ru", "ta", "vo", "zi"};
    for (int i = 0; i < OPS / 2; i++) {
        uint64_t r = rnd64();
        int parts = 1 + (int)(r % 4u);
        buf[0] = '\0';
        for (int p = 0; p < parts; p++)
            strcat(buf, syll[(r >> (4 + 3 * p)) & 7u]);
        uint64_t k = fnv1a_str(buf), c = 0;
        table_get(&words, k, &c);
        table_put(&words, k, c + 1);
    }
    uint64_t h = 0;
    for (size_t i = 0; i < words.cap; i++)
        if (words.slots[i].state == FULL)
            h += mix64(words.slots[i].key ^ words.slots[i].value);
    printf("int table: size=%zu cap=%zu hits=%llu misses=%llu removed=%llu\n", t.size, t.cap,
           (unsigned long long)hits, (unsigned long long)misses, (unsigned long long)removed);
    printf("word table: distinct=%zu cap=%zu\n", words.size, words.cap);
    h ^= mix64(acc + hits * 3u + misses * 5u + removed * 7u + t.size);
    h = h * 0x100000001b3ULL + t.probes + words.probes;
    printf("checksum: %llu\n", (unsigned long long)h);
    free(t.slots);
    free(words.slots);
    return 0;
}
