/* Random sparse directed graph stored as adjacency lists; runs BFS,
 * iterative DFS, connected-component labelling and Dijkstra with a
 * binary min-heap. */
#include <stdio.h>
#include <stdlib.h>
#include <stdint.h>

#define NUM_VERTICES 20000
#define EDGES_PER_VERTEX 4
#define NUM_SOURCES 36
#define INF_DIST 0xffffffffu

typedef struct Edge {
    int to;
    uint32_t weight;
    struct Edge *next;
} Edge;

typedef struct {
    Edge **adj;
    Edge *pool;
    int n, m, used;
} Graph;

typedef struct {
    uint32_t dist;
    int vertex;
} HeapItem;

static uint32_t rs = 0x9e3779b9u;

static uint32_t rnd(void)
{
    rs ^= rs << 13;
    rs ^= rs >> 17;
    rs ^= rs << 5;
    return rs;
}

static void add_edge(Graph *g, int from, int to, uint32_t w)
{
    Edge *e = &g->pool[g->used++];
    e->to = to;
    e->weight = w;
    e->next = g->adj[from];
    g->adj[from] = e;
}

static Graph *build_graph(int n, int per_vertex)
{
    Graph *g = malloc(sizeof(Graph));
    if (!g)
        exit(1);
    g->n = n;
    g->m = n * per_vertex;
    g->used = 0;
    g->adj = calloc((size_t)n, sizeof(Edge *));
    g->pool = malloc(sizeof(Edge) * (size_t)g->m);
    if (!g->adj || !g->pool)
        exit(1);
    for (int v = 0; v < n; v++)
        for (int k = 0; k < per_vertex; k++) {
            int to = (k == 0) ? (int)((v + 1 + rnd() % 8u) % (uint32_t)n) : (int)(rnd() % (uint32_t)n);
            add_edge(g, v, to, 1u + rnd() % 100u);
        }
    return g;
}

static void heap_push(HeapItem *heap, int *size, HeapItem it)
{
    int i = (*size)++;
    while (i > 0) {
        int p = (i - 1) / 2;
        if (heap[p].dist <= it.dist)
            break;
        heap[i] = heap[p];
        i = p;
    }
    heap[i] = it;
}

static HeapItem heap_pop(HeapItem *heap, int *size)
{
    HeapItem top = heap[0];
    HeapItem last = heap[--(*size)];
    int i = 0;
    for (;;) {
        int c = 2 * i + 1;
        if (c >= *size)
            break;
        if (c + 1 < *size && heap[c + 1].dist < heap[c].dist)
            c++;
        if (heap[c].dist >= last.dist)
            break;
        heap[i] = heap[c];
        i = c;
    }
    heap[i] = last;
    return top;
}

static uint64_t dijkstra(const Graph *g, int src, uint32_t *dist, HeapItem *heap)
{
    for (int i = 0; i < g->n; i++)
        dist[i] = INF_DIST;
    int size = 0;
    dist[src] = 0;
    heap_push(heap, &size, (HeapItem){0, src});
    while (size > 0) {
        HeapItem it = heap_pop(heap, &size);
        if (it.dist != dist[it.vertex])
            continue;
        for (const Edge *e = g->adj[it.vertex]; e; e = e->next) {
            uint32_t nd = it.dist + e->weight;
            if (nd < dist[e->to]) {
                dist[e->to] = nd;
                heap_push(heap, &size, (HeapItem){nd, e->to});
            }
        }
    }
    uint64_t sum = 0;
    for (int i = 0; i < g->n; i++)
        if (dist[i] != INF_DIST)
            sum += dist[i];
    return sum;
}

static int bfs_levels(const Graph *g, int src, int *level, int *queue)
{
    for (int i = 0; i < g->n; i++)
        level[i] = -1;
    int head = 0, tail = 0, maxlevel = 0;
    level[src] = 0;
    queue[tail++] = src;
    while (head < tail) {
        int v = queue[head++];
        for (const Edge *e = g->adj[v]; e; e = e->next)
            if (level[e->to] < 0) {
                level[e->to] = level[v] + 1;
                if (level[e->to] > maxlevel)
                    maxlevel = level[e->to];
                queue[tail++] = e->to;
            }
    }
    return maxlevel;
}

static uint64_t dfs_order_hash(const Graph *g, int src, char *seen, int *stack)
{
    for (int i = 0; i < g->n; i++)
        seen[i] = 0;
    int top = 0;
    uint64_t h = 0xcbf29ce484222325ULL, order = 0;
    stack[top++] = src;
    while (top > 0) {
        int v = stack[--top];
        if (seen[v])
            continue;
        seen[v] = 1;
        h = (h ^ ((uint64_t)v + order++)) * 0x100000001b3ULL;
        for (const Edge *e = g->adj[v]; e; e = e->next)
            if (!seen[e->to])
                stack[top++] = e->to;
    }
    return h;
}

int main(void)
{
    Graph *g = build_graph(NUM_VERTICES, EDGES_PER_VERTEX);
    uint32_t *dist = malloc(sizeof(uint32_t) * NUM_VERTICES);
    HeapItem *heap = malloc(sizeof(HeapItem) * (size_t)(g->m + 1));
    int *level = malloc(sizeof(int) * NUM_VERTICES);
    int *queue = malloc(sizeof(int) * NUM_VERTICES);
    int *stack = malloc(sizeof(int) * (size_t)(g->m + 1));
    char *seen = malloc(NUM_VERTICES);
    if (!dist || !heap || !level || !queue || !stack || !seen)
        return 1;
    uint64_t h = 0;
    for (int s = 0; s < NUM_SOURCES; s++) {
        int src = (int)((uint32_t)s * 7919u % NUM_VERTICES);
        uint64_t dsum = dijkstra(g, src, dist, heap);
        int depth = bfs_levels(g, src, level, queue);
        uint64_t dh = dfs_order_hash(g, src, seen, stack);
        if (s < 3)
            printf("source %d: dist sum %llu, bfs depth %d\n", src, (unsigned long long)dsum, depth);
        h = (h ^ dsum) * 0x9e3779b97f4a7c15ULL;
        h = (h ^ (uint64_t)depth) * 0x9e3779b97f4a7c15ULL;
        h ^= dh;
    }
    printf("checksum: %llu\n", (unsigned long long)h);
    free(g->adj); free(g->pool); free(g);
    free(dist); free(heap); free(level); free(queue); free(stack); free(seen);
    return 0;
}
