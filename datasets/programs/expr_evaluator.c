/* Arithmetic expression evaluator: random expressions are generated as
 * text, parsed by precedence climbing into an AST, constant-folded and
 * evaluated for many variable bindings; a second, direct recursive-descent
 * evaluator cross-checks every result. Arithmetic wraps modulo 2^32. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <stdint.h>

#define NUM_EXPRS 3000
#define BINDINGS 48
#define MAX_DEPTH 6
#define TEXT_MAX 8192
#define MAX_NODES 4096

enum { N_NUM, N_VAR, N_NEG, N_NOT, N_BIN };

typedef struct {
    int kind;
    char op;
    uint32_t val;
    int left, right;
} Node;

typedef struct {
    const char *s;
    int pos;
    Node *nodes;
    int count;
    const uint32_t *vars;
} Parser;

static uint32_t seed = 1234567u;

static uint32_t rnd(void)
{
    seed ^= seed << 13;
    seed ^= seed >> 17;
    seed ^= seed << 5;
    return seed;
}

static const char ops[] = "+-*/%&|^<>";
static int gen(char *buf, int p, int depth)
{
    if (depth == 0 || rnd() % 5u == 0) {
        if (rnd() & 1u)
            return p + sprintf(buf + p, "%u", rnd() % 1000u);
        buf[p++] = (char)('a' + rnd() % 8u);
        buf[p] = '\0';
        return p;
    }
    uint32_t shape = rnd() % 8u;
    if (shape == 0) {
        buf[p++] = (rnd() & 1u) ? '-' : '~';
        buf[p++] = '(';
        p = gen(buf, p, depth - 1);
        buf[p++] = ')';
        return p;
    }
    int paren = shape < 5;
    if (paren)
        buf[p++] = '(';
    p = gen(buf, p, depth - 1);
    char op = ops[rnd() % 10u];
    buf[p++] = ' ';
    buf[p++] = op;
    if (op == '<' || op == '>')
        buf[p++] = op;
    buf[p++] = ' ';
    p = gen(buf, p, depth - 1);
    if (paren)
        buf[p++] = ')';
    buf[p] = '\0';
    return p;
}

static uint32_t apply(char op, uint32_t a, uint32_t b)
{
    switch (op) {
    case '+': return a + b;
    case '-': return a - b;
    case '*': return a * b;
    case '/': return b ? a / b : 0;
    case '%': return b ? a % b : 0;
    case '&': return a & b; case '|': return a | b; case '^': return a ^ b;
    case '<': return a << (b & 31u); default: return a >> (b & 31u);
    }
}

static int prec(char op)
{
    switch (op) {
    case '|': return 1; case '^': return 2; case '&': return 3;
    case '<': case '>': return 4; case '+': case '-': return 5;
    case '*': case '/': case '%': return 6; default: return 0;
    }
}

static void skip_ws(Parser *p) { while (p->s[p->pos] == ' ') p->pos++; }

static int new_node(Parser *p, int kind, char op, uint32_t val, int l, int r)
{
    if (p->count >= MAX_NODES)
        exit(1);
    p->nodes[p->count] = (Node){kind, op, val, l, r};
    return p->count++;
}

static int parse_binary(Parser *p, int min_prec);

static int parse_unary(Parser *p)
{
    skip_ws(p);
    char c = p->s[p->pos];
    if (c == '-' || c == '~') {
        p->pos++;
        int e = parse_unary(p);
        return new_node(p, c == '-' ? N_NEG : N_NOT, c, 0, e, -1);
    }
    if (c == '(') {
        p->pos++;
        int e = parse_binary(p, 1);
        skip_ws(p);
        p->pos++; /* ')' */
        return e;
    }
    if (c >= 'a' && c <= 'h') {
        p->pos++;
        return new_node(p, N_VAR, 0, (uint32_t)(c - 'a'), -1, -1);
    }
    uint32_t v = 0;
    while (p->s[p->pos] >= '0' && p->s[p->pos] <= '9')
        v = v * 10u + (uint32_t)(p->s[p->pos++] - '0');
    return new_node(p, N_NUM, 0, v, -1, -1);
}

static int parse_binary(Parser *p, int min_prec)
{
    int left = parse_unary(p);
    for (;;) {
        skip_ws(p);
        char op = p->s[p->pos];
        int pr = prec(op);
        if (pr == 0 || pr < min_prec)
            return left;
        p->pos += (op == '<' || op == '>') ? 2 : 1;
        int right = parse_binary(p, pr + 1);
        left = new_node(p, N_BIN, op, 0, left, right);
    }
}

static uint32_t eval_ast(const Node *n, int i, const uint32_t *vars)
{
    const Node *x = &n[i];
    switch (x->kind) {
    case N_NUM: return x->val;
    case N_VAR: return vars[x->val];
    case N_NEG: return 0u - eval_ast(n, x->left, vars);
    case N_NOT: return ~eval_ast(n, x->left, vars);
    default: return apply(x->op, eval_ast(n, x->left, vars), eval_ast(n, x->right, vars));
    }
}

static int fold(Node *n, int i)
{
    Node *x = &n[i];
    if (x->kind == N_NUM || x->kind == N_VAR)
        return x->kind == N_NUM;
    int l = fold(n, x->left);
    int r = x->kind == N_BIN ? fold(n, x->right) : 1;
    if (!l || !r)
        return 0;
    x->val = eval_ast(n, i, NULL);
    x->kind = N_NUM;
    return 1;
}

/* Direct evaluator: one function per precedence level. */
static uint32_t d_level(Parser *p, int level);
static uint32_t d_unary(Parser *p)
{
    skip_ws(p);
    char c = p->s[p->pos];
    if (c == '-') { p->pos++; return 0u - d_unary(p); }
    if (c == '~') { p->pos++; return ~d_unary(p); }
    if (c == '(') {
        p->pos++;
        uint32_t v = d_level(p, 1);
        skip_ws(p);
        p->pos++; /* ')' */
        return v;
    }
    if (c >= 'a' && c <= 'h') { p->pos++; return p->vars[c - 'a']; }
    uint32_t v = 0;
    while (p->s[p->pos] >= '0' && p->s[p->pos] <= '9')
        v = v * 10u + (uint32_t)(p->s[p->pos++] - '0');
    return v;
}

static uint32_t d_level(Parser *p, int level)
{
    if (level > 6)
        return d_unary(p);
    uint32_t v = d_level(p, level + 1);
    for (;;) {
        skip_ws(p);
        char op = p->s[p->pos];
        if (prec(op) != level)
            return v;
        p->pos += (op == '<' || op == '>') ? 2 : 1;
        v = apply(op, v, d_level(p, level + 1));
    }
}

int main(void)
{
    char *text = malloc(TEXT_MAX);
    Node *nodes = malloc(sizeof(Node) * MAX_NODES);
    if (!text || !nodes)
        return 1;
    uint64_t h = 0xcbf29ce484222325ULL;
    int mismatches = 0, folded = 0;
    for (int e = 0; e < NUM_EXPRS; e++) {
        gen(text, 0, MAX_DEPTH);
        Parser p = {text, 0, nodes, 0, NULL};
        int root = parse_binary(&p, 1);
        if (e == 0)
            printf("expr 0: %.60s...\n", text);
        uint32_t vars[8];
        for (int b = 0; b < BINDINGS; b++) {
            for (int k = 0; k < 8; k++)
                vars[k] = rnd() % 100000u;
            uint32_t v1 = eval_ast(nodes, root, vars);
            Parser q = {text, 0, NULL, 0, vars};
            uint32_t v2 = d_level(&q, 1);
            if (v1 != v2)
                mismatches++;
            h = (h ^ v1) * 0x100000001b3ULL;
        }
        folded += fold(nodes, root);
        h = (h ^ eval_ast(nodes, root, (const uint32_t[8]){0})) * 0x100000001b3ULL;
    }
    printf("mismatches: %d, fully constant: %d\n", mismatches, folded);
    h = h * 31u + (uint64_t)mismatches * 7u + (uint64_t)folded;
    printf("checksum: %llu\n", (unsigned long long)h);
    free(text);
    free(nodes);
    return 0;
}
