/* Comparison sorts on the same data: quicksort (median of three with an
 * insertion-sort cutoff), top-down mergesort, heapsort and shellsort;
 * results are verified against each other. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <stdint.h>

#define N 150000
#define CUTOFF 16

static uint32_t rs = 987654321u;

static uint32_t rnd(void)
{
    rs ^= rs << 13;
    rs ^= rs >> 17;
    rs ^= rs << 5;
    return rs;
}

static void swap(int32_t *a, int32_t *b)
{
    int32_t t = *a;
    *a = *b;
    *b = t;
}

static void insertion_sort(int32_t *a, int lo, int hi)
{
    for (int i = lo + 1; i <= hi; i++) {
        int32_t v = a[i];
        int j = i - 1;
        while (j >= lo && a[j] > v) {
            a[j + 1] = a[j];
            j--;
        }
        a[j + 1] = v;
    }
}

static int32_t median3(int32_t *a, int lo, int hi)
{
    int mid = lo + (hi - lo) / 2;
    if (a[mid] < a[lo]) swap(&a[mid], &a[lo]);
    if (a[hi] < a[lo]) swap(&a[hi], &a[lo]);
    if (a[hi] < a[mid]) swap(&a[hi], &a[mid]);
    return a[mid];
}

static void quicksort(int32_t *a, int lo, int hi)
{
    while (hi - lo > CUTOFF) {
        int32_t pivot = median3(a, lo, hi);
        int i = lo, j = hi;
        while (i <= j) {
            while (a[i] < pivot) i++;
            while (a[j] > pivot) j--;
            if (i <= j) {
                swap(&a[i], &a[j]);
                i++;
                j--;
            }
        }
        if (j - lo < hi - i) {
            quicksort(a, lo, j);
            lo = i;
        } else {
            quicksort(a, i, hi);
            hi = j;
        }
    }
    insertion_sort(a, lo, hi);
}

static void merge_sort_rec(int32_t *a, int32_t *tmp, int lo, int hi)
{
    if (hi - lo < CUTOFF) {
        insertion_sort(a, lo, hi);
        return;
    }
    int mid = lo + (hi - lo) / 2;
    merge_sort_rec(a, tmp, lo, mid);
    merge_sort_rec(a, tmp, mid + 1, hi);
    if (a[mid] <= a[mid + 1])
        return;
    int i = lo, j = mid + 1, k = lo;
    while (i <= mid && j <= hi)
        tmp[k++] = (a[j] < a[i]) ? a[j++] : a[i++];
    while (i <= mid) tmp[k++] = a[i++];
    while (j <= hi) tmp[k++] = a[j++];
    memcpy(a + lo, tmp + lo, sizeof(int32_t) * (size_t)(hi - lo + 1));
}

static void sift_down(int32_t *a, int start, int end)
{
    int root = start;
    while (2 * root + 1 <= end) {
        int child = 2 * root + 1;
        if (child + 1 <= end && a[child] < a[child + 1])
            child++;
        if (a[root] >= a[child])
            return;
        swap(&a[root], &a[child]);
        root = child;
    }
}

static void heapsort(int32_t *a, int n)
{
    for (int s = (n - 2) / 2; s >= 0; s--)
        sift_down(a, s, n - 1);
    for (int end = n - 1; end > 0; end--) {
        swap(&a[0], &a[end]);
        sift_down(a, 0, end - 1);
    }
}

static void shellsort(int32_t *a, int n)
{
    int gap = 1;
    while (gap < n / 3)
        gap = 3 * gap + 1;
    for (; gap > 0; gap /= 3)
        for (int i = gap; i < n; i++) {
            int32_t v = a[i];
            int j = i;
            while (j >= gap && a[j - gap] > v) {
                a[j] = a[j - gap];
                j -= gap;
            }
            a[j] = v;
        }
}

static void generate(int32_t *a, int n, int pattern)
{
    for (int i = 0; i < n; i++) {
        switch (pattern) {
        case 0: a[i] = (int32_t)(rnd() >> 1); break;                 /* random */
        case 1: a[i] = (int32_t)(rnd() % 100u); break;               /* many duplicates */
        case 2: a[i] = i * 3 + (int32_t)(rnd() % 7u); break;          /* nearly sorted */
        default: a[i] = (n - i) * 2; break;                           /* reversed */
        }
    }
}

int main(void)
{
    int32_t *orig = malloc(sizeof(int32_t) * N), *a = malloc(sizeof(int32_t) * N);
    int32_t *b = malloc(sizeof(int32_t) * N), *c = malloc(sizeof(int32_t) * N);
    int32_t *d = malloc(sizeof(int32_t) * N), *tmp = malloc(sizeof(int32_t) * N);
    if (!orig || !a || !b || !c || !d || !tmp)
        return 1;
    uint64_t h = 0;
    int bad = 0;
    for (int pattern = 0; pattern < 4; pattern++) {
        generate(orig, N, pattern);
        memcpy(a, orig, sizeof(int32_t) * N);
        memcpy(b, orig, sizeof(int32_t) * N);
        memcpy(c, orig, sizeof(int32_t) * N);
        memcpy(d, orig, sizeof(int32_t) * N);
        quicksort(a, 0, N - 1);
        merge_sort_rec(b, tmp, 0, N - 1);
        heapsort(c, N);
        shellsort(d, N);
        for (int i = 0; i < N; i++) {
            if (a[i] != b[i] || b[i] != c[i] || c[i] != d[i] || (i > 0 && a[i - 1] > a[i]))
                bad++;
            h = (h ^ ((uint64_t)(uint32_t)a[i] * (uint64_t)(i + 1))) * 0x100000001b3ULL;
        }
        printf("pattern %d: min=%d median=%d max=%d\n", pattern, a[0], a[N / 2], a[N - 1]);
    }
    printf("disagreements: %d\n", bad);
    h += (uint64_t)bad;
    printf("checksum: %llu\n", (unsigned long long)h);
    free(orig); free(a); free(b); free(c); free(d); free(tmp);
    return 0;
}
