/* Unbalanced binary search tree with insert, lookup, delete (successor
 * replacement), in-order traversal, height and range counting. */
#include <stdio.h>
#include <stdlib.h>
#include <stdint.h>

#define NUM_KEYS 150000
#define KEY_RANGE 1000000u
#define LOOKUPS 400000
#define DELETES 100000

typedef struct Tree {
    uint32_t key;
    uint32_t count;
    struct Tree *left, *right;
} Tree;

static uint64_t lcg = 42;

static uint32_t rand32(void)
{
    lcg = lcg * 6364136223846793005ULL + 1442695040888963407ULL;
    return (uint32_t)(lcg >> 33);
}

static Tree *tree_insert(Tree *root, uint32_t key)
{
    Tree **pp = &root;
    while (*pp) {
        if (key == (*pp)->key) {
            (*pp)->count++;
            return root;
        }
        pp = key < (*pp)->key ? &(*pp)->left : &(*pp)->right;
    }
    Tree *n = malloc(sizeof(Tree));
    if (!n)
        exit(1);
    n->key = key;
    n->count = 1;
    n->left = n->right = NULL;
    *pp = n;
    return root;
}

static const Tree *tree_find(const Tree *t, uint32_t key)
{
    while (t && t->key != key)
        t = key < t->key ? t->left : t->right;
    return t;
}

static Tree *tree_delete(Tree *t, uint32_t key, int *deleted)
{
    if (!t)
        return NULL;
    if (key < t->key) {
        t->left = tree_delete(t->left, key, deleted);
    } else if (key > t->key) {
        t->right = tree_delete(t->right, key, deleted);
    } else {
        *deleted = 1;
        if (!t->left || !t->right) {
            Tree *child = t->left ? t->left : t->right;
            free(t);
            return child;
        }
        Tree *succ = t->right;
        while (succ->left)
            succ = succ->left;
        t->key = succ->key;
        t->count = succ->count;
        int dummy = 0;
        t->right = tree_delete(t->right, succ->key, &dummy);
    }
    return t;
}

static int tree_height(const Tree *t)
{
    if (!t)
        return 0;
    int l = tree_height(t->left), r = tree_height(t->right);
    return 1 + (l > r ? l : r);
}

static void inorder(const Tree *t, uint64_t *h, uint32_t *prev, int *ordered, size_t *n)
{
    if (!t)
        return;
    inorder(t->left, h, prev, ordered, n);
    if (*n > 0 && t->key <= *prev)
        *ordered = 0;
    *prev = t->key;
    *h = (*h ^ ((uint64_t)t->key << 8 | t->count)) * 0x100000001b3ULL;
    (*n)++;
    inorder(t->right, h, prev, ordered, n);
}

static size_t count_range(const Tree *t, uint32_t lo, uint32_t hi)
{
    if (!t)
        return 0;
    if (t->key < lo)
        return count_range(t->right, lo, hi);
    if (t->key > hi)
        return count_range(t->left, lo, hi);
    return 1 + count_range(t->left, lo, hi) + count_range(t->right, lo, hi);
}

static void tree_free(Tree *t)
{
    if (!t)
        return;
    tree_free(t->left);
    tree_free(t->right);
    free(t);
}

int main(void)
{
    Tree *root = NULL;
    for (int i = 0; i < NUM_KEYS; i++)
        root = tree_insert(root, rand32() % KEY_RANGE);
    int h0 = tree_height(root);

    size_t found = 0;
    uint64_t found_sum = 0;
    for (int i = 0; i < LOOKUPS; i++) {
        const Tree *n = tree_find(root, rand32() % KEY_RANGE);
        if (n) {
            found++;
            found_sum += n->count;
        }
    }

    size_t deleted = 0;
    for (int i = 0; i < DELETES; i++) {
        int d = 0;
        root = tree_delete(root, rand32() % KEY_RANGE, &d);
        deleted += (size_t)d;
    }

    size_t ranges = 0;
    for (uint32_t lo = 0; lo < KEY_RANGE; lo += KEY_RANGE / 64)
        ranges += count_range(root, lo, lo + KEY_RANGE / 100);

    uint64_t h = 14695981039346656037ULL;
    uint32_t prev = 0;
    int ordered = 1;
    size_t n = 0;
    inorder(root, &h, &prev, &ordered, &n);
    int h1 = tree_height(root);

    printf("height before/after: %d/%d\n", h0, h1);
    printf("found=%zu deleted=%zu nodes=%zu ordered=%d ranges=%zu\n", found, deleted, n, ordered, ranges);
    h ^= (uint64_t)found * 31u + found_sum;
    h = h * 0x100000001b3ULL + (uint64_t)deleted;
    h = h * 0x100000001b3ULL + (uint64_t)ranges;
    h = h * 0x100000001b3ULL + (uint64_t)(h0 * 1000 + h1);
    printf("checksum: %llu\n", (unsigned long long)h);
    tree_free(root);
    return 0;
}
