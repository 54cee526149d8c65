/* A tiny regular-expression engine (literals, '.', classes [a-z] [^..],
 * \d \w escapes, quantifiers * + ?, anchors ^ $). Patterns are compiled
 * to tokens and matched by a backtracking matcher and by an NFA state-set
 * simulation; both must agree on every generated line. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <stdint.h>

#define NUM_LINES 2000
#define LINE_MAX 96
#define MAX_TOKENS 60

enum { Q_ONE, Q_STAR, Q_PLUS, Q_QMARK };

typedef struct {
    uint8_t set[32];
    int quant;
} Token;

typedef struct {
    Token tok[MAX_TOKENS];
    int n, bol, eol;
} Regex;

static void set_add(Token *t, int c) { t->set[c >> 3] |= (uint8_t)(1u << (c & 7)); }
static int in_set(const Token *t, int c) { return (t->set[c >> 3] >> (c & 7)) & 1; }

static void add_range(Token *t, int lo, int hi)
{
    for (int c = lo; c <= hi; c++)
        set_add(t, c);
}

static int compile(const char *p, Regex *re)
{
    memset(re, 0, sizeof *re);
    if (*p == '^') { re->bol = 1; p++; }
    while (*p) {
        if (p[0] == '$' && p[1] == '\0') { re->eol = 1; break; }
        if (re->n >= MAX_TOKENS)
            return 0;
        Token *t = &re->tok[re->n++];
        if (*p == '.') {
            add_range(t, 1, 255);
            p++;
        } else if (*p == '[') {
            int negate = 0;
            p++;
            if (*p == '^') { negate = 1; p++; }
            while (*p && *p != ']') {
                if (p[1] == '-' && p[2] && p[2] != ']') { add_range(t, (unsigned char)p[0], (unsigned char)p[2]); p += 3; }
                else set_add(t, (unsigned char)*p++);
            }
            if (*p != ']')
                return 0;
            p++;
            if (negate)
                for (int i = 0; i < 32; i++)
                    t->set[i] = (uint8_t)~t->set[i];
            t->set[0] &= 0xfe; /* never match NUL */
        } else if (*p == '\\' && p[1]) {
            p++;
            if (*p == 'd') add_range(t, '0', '9');
            else if (*p == 'w') { add_range(t, 'a', 'z'); add_range(t, 'A', 'Z'); add_range(t, '0', '9'); set_add(t, '_'); }
            else set_add(t, (unsigned char)*p);
            p++;
        } else {
            set_add(t, (unsigned char)*p++);
        }
        if (*p == '*') { t->quant = Q_STAR; p++; }
        else if (*p == '+') { t->quant = Q_PLUS; p++; }
        else if (*p == '?') { t->quant = Q_QMARK; p++; }
    }
    return 1;
}

static const char *match_here(const Regex *re, int ti, const char *s)
{
    if (ti == re->n)
        return (!re->eol || *s == '\0') ? s : NULL;
    const Token *t = &re->tok[ti];
    const char *r;
    switch (t->quant) {
    case Q_ONE:
        return (*s && in_set(t, (unsigned char)*s)) ? match_here(re, ti + 1, s + 1) : NULL;
    case Q_QMARK:
        if (*s && in_set(t, (unsigned char)*s) && (r = match_here(re, ti + 1, s + 1)) != NULL)
            return r;
        return match_here(re, ti + 1, s);
    default: {
        int k = 0;
        while (s[k] && in_set(t, (unsigned char)s[k]))
            k++;
        int min = t->quant == Q_PLUS ? 1 : 0;
        for (int i = k; i >= min; i--)
            if ((r = match_here(re, ti + 1, s + i)) != NULL)
                return r;
        return NULL;
    }
    }
}

static int search_backtrack(const Regex *re, const char *s, int *start, int *len)
{
    const char *p = s;
    do {
        const char *e = match_here(re, 0, p);
        if (e) {
            *start = (int)(p - s);
            *len = (int)(e - p);
            return 1;
        }
    } while (!re->bol && *p++);
    return 0;
}

static uint64_t closure(const Regex *re, uint64_t set)
{
    for (int i = 0; i < re->n; i++)
        if (((set >> i) & 1u) && (re->tok[i].quant == Q_STAR || re->tok[i].quant == Q_QMARK))
            set |= 1ULL << (i + 1);
    return set;
}

static int search_nfa(const Regex *re, const char *s)
{
    uint64_t accept = 1ULL << re->n, start = closure(re, 1);
    uint64_t cur = start;
    for (;; s++) {
        if ((cur & accept) && (!re->eol || *s == '\0'))
            return 1;
        if (*s == '\0')
            return 0;
        uint64_t next = 0;
        for (int i = 0; i < re->n; i++) {
            if (!((cur >> i) & 1u) || !in_set(&re->tok[i], (unsigned char)*s))
                continue;
            next |= 1ULL << (i + 1);
            if (re->tok[i].quant == Q_STAR || re->tok[i].quant == Q_PLUS)
                next |= 1ULL << i;
        }
        cur = closure(re, next);
        if (!re->bol)
            cur |= start;
    }
}

static uint32_t seed = 0x1f2e3d4cu;

static uint32_t rnd(void)
{
    seed ^= seed << 13;
    seed ^= seed >> 17;
    seed ^= seed << 5;
    return seed;
}

static void make_line(char *buf)
{
    static const char *words[] = {"the", "color", "colour", "running", "end", "abbbc", "ac", "xzy", "xby",
                                  "Quiz", "12-34", "7", "q_z", "Alpha", "beta", "sing", "a-b", "axb"};
    int len = 0, nw = 1 + (int)(rnd() % 8u);
    for (int w = 0; w < nw; w++) {
        const char *word = words[rnd() % 18u];
        int l = (int)strlen(word);
        if (len + l + 1 >= LINE_MAX)
            break;
        if (w > 0)
            buf[len++] = (rnd() % 4u == 0) ? '_' : ' ';
        memcpy(buf + len, word, (size_t)l);
        len += l;
    }
    buf[len] = '\0';
}

int main(void)
{
    static const char *patterns[] = {"ab*c", "^the", "ing$", "[0-9]+", "a.b", "colou?r", "^[a-z ]+$", "x[^aeiou]y",
                                     "\\d\\d-\\d\\d", "q.*z", "^.*end$", "[A-Z][a-z]*", "\\w+_\\w+", "b+c?$",
                                     "^[^0-9]*$", "e.d.*e", "o*l*o*r", "^a?b?c?.?$", ".*.*.*x.*y"};
    int np = (int)(sizeof patterns / sizeof patterns[0]);
    Regex *res = malloc(sizeof(Regex) * (size_t)np);
    if (!res)
        return 1;
    for (int i = 0; i < np; i++)
        if (!compile(patterns[i], &res[i]))
            return 2;
    uint64_t h = 0xcbf29ce484222325ULL;
    int disagree = 0;
    long counts[32] = {0};
    char line[LINE_MAX];
    for (int l = 0; l < NUM_LINES; l++) {
        make_line(line);
        for (int i = 0; i < np; i++) {
            int st = -1, ln = -1;
            int a = search_backtrack(&res[i], line, &st, &ln);
            int b = search_nfa(&res[i], line);
            if (a != b)
                disagree++;
            counts[i] += a;
            h = (h ^ (uint64_t)(a ? st * 128 + ln + 1 : 0)) * 0x100000001b3ULL;
        }
    }
    for (int i = 0; i < np; i += 4)
        printf("%-14s %ld\n", patterns[i], counts[i]);
    printf("disagreements: %d\n", disagree);
    h += (uint64_t)disagree;
    printf("checksum: %llu\n", (unsigned long long)h);
    free(res);
    return 0;
}
