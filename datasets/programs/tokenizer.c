/* Lexer for a small C-like language: generates source text, then splits it
 * into identifiers, keywords, numbers, strings, operators and comments,
 * counting distinct identifiers with a small hash set. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <stdint.h>

#define SOURCE_STATEMENTS 12000
#define REPEATS 50
#define SET_SIZE 4096

enum { TK_IDENT, TK_KEYWORD, TK_NUMBER, TK_STRING, TK_OP, TK_PUNCT, TK_COMMENT, TK_ERROR, TK_KINDS };

static const char *keywords[] = {"if", "else", "while", "for", "return", "let", "fn", "print", "break", "continue"};
static const char *ops2[] = {"==", "!=", "<=", ">=", "&&", "||", "->", "++", "--", "+=", "-=", "<<", ">>"};
static uint32_t seed = 77u;

static uint32_t rnd(void)
{
    seed ^= seed << 13;
    seed ^= seed >> 17;
    seed ^= seed << 5;
    return seed;
}

static size_t emit(char *buf, size_t pos, const char *s)
{
    size_t l = strlen(s);
    memcpy(buf + pos, s, l);
    return pos + l;
}

static size_t gen_source(char *buf, int statements)
{
    static const char *names[] = {"alpha", "beta", "gamma", "idx", "count", "tmp", "node", "x", "y", "value_2"};
    static const char *binops[] = {" + ", " - ", " * ", " / ", " == ", " <= ", " && ", " << ", " % "};
    size_t p = 0;
    char num[32];
    for (int s = 0; s < statements; s++) {
        uint32_t kind = rnd() % 6u;
        if (kind == 0) {
            p = emit(buf, p, "let ");
            p = emit(buf, p, names[rnd() % 10u]);
            p = emit(buf, p, " = ");
            uint32_t hex = rnd() & 1u;
            uint32_t v = rnd() % 100000u;
            snprintf(num, sizeof num, hex ? "0x%X" : "%u", v);
            p = emit(buf, p, num);
        } else if (kind == 1) {
            p = emit(buf, p, "if (");
            p = emit(buf, p, names[rnd() % 10u]);
            p = emit(buf, p, binops[rnd() % 9u]);
            p = emit(buf, p, names[rnd() % 10u]);
            p = emit(buf, p, ") { break; } else { continue; }");
        } else if (kind == 2) {
            p = emit(buf, p, "print \"msg \\\"");
            snprintf(num, sizeof num, "%u", rnd() % 1000u);
            p = emit(buf, p, num);
            p = emit(buf, p, "\\n\"");
        } else if (kind == 3) {
            p = emit(buf, p, "// comment line ");
            p = emit(buf, p, names[rnd() % 10u]);
            p = emit(buf, p, "\n");
            continue;
        } else if (kind == 4) {
            p = emit(buf, p, names[rnd() % 10u]);
            p = emit(buf, p, (rnd() & 1u) ? " += " : "->");
            p = emit(buf, p, names[rnd() % 10u]);
            p = emit(buf, p, " /* block */ ");
        } else {
            p = emit(buf, p, "fn f");
            snprintf(num, sizeof num, "%u", rnd() % 50u);
            p = emit(buf, p, num);
            p = emit(buf, p, "(a, b) { return a * (b - 1.5e3); }");
        }
        p = emit(buf, p, (rnd() % 4u == 0) ? ";\n\t" : "; ");
    }
    buf[p] = '\0';
    return p;
}

static int is_alpha(int c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_'; }
static int is_digit(int c) { return c >= '0' && c <= '9'; }
static int is_hex(int c) { return is_digit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F'); }

static int is_keyword(const char *s, size_t n)
{
    for (size_t i = 0; i < sizeof keywords / sizeof keywords[0]; i++)
        if (strlen(keywords[i]) == n && memcmp(keywords[i], s, n) == 0)
            return 1;
    return 0;
}

static uint32_t fnv1a(const char *s, size_t n)
{
    uint32_t h = 2166136261u;
    for (size_t i = 0; i < n; i++)
        h = (h ^ (unsigned char)s[i]) * 16777619u;
    return h;
}

static int set_add(uint32_t *set, uint32_t h)
{
    if (h == 0)
        h = 1;
    uint32_t i = h & (SET_SIZE - 1);
    while (set[i] != 0) {
        if (set[i] == h)
            return 0;
        i = (i + 1) & (SET_SIZE - 1);
    }
    set[i] = h;
    return 1;
}

static size_t lex_token(const char *s, int *kind)
{
    size_t i = 0;
    if (is_alpha(s[0])) {
        while (is_alpha(s[i]) || is_digit(s[i]))
            i++;
        *kind = is_keyword(s, i) ? TK_KEYWORD : TK_IDENT;
    } else if (is_digit(s[0])) {
        if (s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
            i = 2;
            while (is_hex(s[i]))
                i++;
        } else {
            while (is_digit(s[i]) || s[i] == '.')
                i++;
            if (s[i] == 'e' || s[i] == 'E') {
                i++;
                if (s[i] == '+' || s[i] == '-')
                    i++;
                while (is_digit(s[i]))
                    i++;
            }
        }
        *kind = TK_NUMBER;
    } else if (s[0] == '"') {
        i = 1;
        while (s[i] && s[i] != '"')
            i += (s[i] == '\\' && s[i + 1]) ? 2 : 1;
        *kind = s[i] == '"' ? TK_STRING : TK_ERROR;
        if (s[i])
            i++;
    } else if (s[0] == '/' && s[1] == '/') {
        while (s[i] && s[i] != '\n')
            i++;
        *kind = TK_COMMENT;
    } else if (s[0] == '/' && s[1] == '*') {
        const char *end = strstr(s + 2, "*/");
        i = end ? (size_t)(end - s) + 2 : strlen(s);
        *kind = end ? TK_COMMENT : TK_ERROR;
    } else {
        for (size_t k = 0; k < sizeof ops2 / sizeof ops2[0]; k++)
            if (s[0] == ops2[k][0] && s[1] == ops2[k][1]) {
                *kind = TK_OP;
                return 2;
            }
        *kind = strchr("+-*/%<>=!&|", s[0]) ? TK_OP : strchr("(){};,", s[0]) ? TK_PUNCT : TK_ERROR;
        i = 1;
    }
    return i;
}

int main(void)
{
    char *src = malloc((size_t)SOURCE_STATEMENTS * 64 + 1);
    uint32_t *set = calloc(SET_SIZE, sizeof(uint32_t));
    if (!src || !set)
        return 1;
    uint64_t counts[TK_KINDS] = {0};
    uint64_t h = 0xcbf29ce484222325ULL;
    size_t distinct = 0;
    for (int r = 0; r < REPEATS; r++) {
        size_t len = gen_source(src, SOURCE_STATEMENTS);
        size_t pos = 0;
        while (pos < len) {
            char c = src[pos];
            if (c == ' ' || c == '\n' || c == '\t') {
                pos++;
                continue;
            }
            int kind = TK_ERROR;
            size_t n = lex_token(src + pos, &kind);
            counts[kind]++;
            uint32_t th = fnv1a(src + pos, n);
            if (kind == TK_IDENT)
                distinct += (size_t)set_add(set, th);
            h = (h ^ (th + (uint32_t)kind)) * 0x100000001b3ULL;
            pos += n;
        }
    }
    printf("ident=%llu keyword=%llu number=%llu string=%llu op=%llu punct=%llu comment=%llu error=%llu\n",
           (unsigned long long)counts[TK_IDENT], (unsigned long long)counts[TK_KEYWORD],
           (unsigned long long)counts[TK_NUMBER], (unsigned long long)counts[TK_STRING],
           (unsigned long long)counts[TK_OP], (unsigned long long)counts[TK_PUNCT],
           (unsigned long long)counts[TK_COMMENT], (unsigned long long)counts[TK_ERROR]);
    printf("distinct identifiers: %zu\n", distinct);
    for (int k = 0; k < TK_KINDS; k++)
        h = (h ^ counts[k]) * 0x9e3779b97f4a7c15ULL;
    h += distinct;
    printf("checksum: %llu\n", (unsigned long long)h);
    free(src);
    free(set);
    return 0;
}
