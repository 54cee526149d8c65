/* Brainf*ck interpreter in two flavours: a direct character interpreter
 * with a precomputed bracket map, and a compiler to a compact IR with run
 * folding and clear-loop detection. Embedded and generated programs are
 * run on both and their outputs compared. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <stdint.h>

#define TAPE_LEN 30000
#define NEST_DEPTH 5
#define NEST_COUNT 17
#define OUT_MAX 4096
#define SRC_MAX 20000

enum { IR_ADD, IR_MOVE, IR_OUT, IR_CLEAR, IR_JZ, IR_JNZ, IR_END };

typedef struct {
    int op;
    int arg;
} Ins;

typedef struct {
    uint8_t data[OUT_MAX];
    int len;
} Output;

static const char *hand_written[] = {
    "+++++++++++++[>+++++++++++++++++<-]>.",                 /* 13 * 17 */
    "++++++[>+++++++<-]>+.[->>+<<]>>[-<+<+>>]<<++.>---.<<+++[>>>+++++<<<-]>>>.",
    ">+++++[<+++++++>-]<[->+>+<<]>>[-<<+>>]<.<.>>++++[<++++>-]<[-<+>]<.",
    "+++[>+++++[>+++>++++<<-]<-]>>.>+.<<++++[>>++<<-]>>.[-]>[<+>-]<---.",
};

static void out_byte(Output *o, uint8_t b)
{
    if (o->len < OUT_MAX)
        o->data[o->len++] = b;
}

static int build_bracket_map(const char *src, int n, int *match)
{
    int stack[512], sp = 0;
    for (int i = 0; i < n; i++) {
        if (src[i] == '[') {
            if (sp >= 512)
                return 0;
            stack[sp++] = i;
        } else if (src[i] == ']') {
            if (sp == 0)
                return 0;
            int j = stack[--sp];
            match[i] = j;
            match[j] = i;
        }
    }
    return sp == 0;
}

static uint64_t run_direct(const char *src, uint8_t *tape, Output *out)
{
    int n = (int)strlen(src);
    int *match = malloc(sizeof(int) * (size_t)(n + 1));
    if (!match || !build_bracket_map(src, n, match))
        exit(1);
    memset(tape, 0, TAPE_LEN);
    int ptr = 0;
    uint64_t steps = 0;
    for (int pc = 0; pc < n; pc++, steps++) {
        switch (src[pc]) {
        case '+': tape[ptr]++; break;
        case '-': tape[ptr]--; break;
        case '>': ptr = ptr + 1 == TAPE_LEN ? 0 : ptr + 1; break;
        case '<': ptr = ptr == 0 ? TAPE_LEN - 1 : ptr - 1; break;
        case '.': out_byte(out, tape[ptr]); break;
        case '[': if (!tape[ptr]) pc = match[pc]; break;
        case ']': if (tape[ptr]) pc = match[pc]; break;
        default: break;
        }
    }
    free(match);
    return steps;
}

static int compile(const char *src, Ins *code)
{
    int n = (int)strlen(src), len = 0;
    int stack[512], sp = 0;
    for (int i = 0; i < n; i++) {
        char c = src[i];
        if (c == '+' || c == '-') {
            int v = 0;
            while (i < n && (src[i] == '+' || src[i] == '-'))
                v += src[i++] == '+' ? 1 : -1;
            i--;
            code[len++] = (Ins){IR_ADD, v};
        } else if (c == '>' || c == '<') {
            int v = 0;
            while (i < n && (src[i] == '>' || src[i] == '<'))
                v += src[i++] == '>' ? 1 : -1;
            i--;
            code[len++] = (Ins){IR_MOVE, v};
        } else if (c == '.') {
            code[len++] = (Ins){IR_OUT, 0};
        } else if (c == '[') {
            if (i + 2 < n && (src[i + 1] == '-' || src[i + 1] == '+') && src[i + 2] == ']') {
                code[len++] = (Ins){IR_CLEAR, 0};
                i += 2;
            } else {
                stack[sp++] = len;
                code[len++] = (Ins){IR_JZ, 0};
            }
        } else if (c == ']') {
            int open = stack[--sp];
            code[open].arg = len;
            code[len++] = (Ins){IR_JNZ, open};
        }
    }
    code[len++] = (Ins){IR_END, 0};
    return len;
}

static uint64_t run_ir(const Ins *code, uint8_t *tape, Output *out)
{
    memset(tape, 0, TAPE_LEN);
    int ptr = 0;
    uint64_t steps = 0;
    for (int pc = 0;; pc++, steps++) {
        const Ins *in = &code[pc];
        switch (in->op) {
        case IR_ADD: tape[ptr] = (uint8_t)(tape[ptr] + in->arg); break;
        case IR_MOVE: ptr = ((ptr + in->arg) % TAPE_LEN + TAPE_LEN) % TAPE_LEN; break;
        case IR_OUT: out_byte(out, tape[ptr]); break;
        case IR_CLEAR: tape[ptr] = 0; break;
        case IR_JZ: if (!tape[ptr]) pc = in->arg; break;
        case IR_JNZ: if (tape[ptr]) pc = in->arg; break;
        default: return steps;
        }
    }
}

static int append(char *dst, int pos, const char *s, int times)
{
    int l = (int)strlen(s);
    for (int t = 0; t < times; t++) {
        if (pos + l >= SRC_MAX)
            exit(1);
        memcpy(dst + pos, s, (size_t)l);
        pos += l;
    }
    dst[pos] = '\0';
    return pos;
}

static void gen_message(char *dst, const char *msg)
{
    int p = 0;
    for (const char *m = msg; *m; m++) {
        int c = (unsigned char)*m;
        p = append(dst, p, "[-]>[-]", 1);
        p = append(dst, p, "+", 8);
        p = append(dst, p, "[<", 1);
        p = append(dst, p, "+", c / 8);
        p = append(dst, p, ">-]<", 1);
        p = append(dst, p, "+", c % 8);
        p = append(dst, p, ".", 1);
    }
}

static void gen_nest(char *dst, int depth, int count)
{
    int p = 0;
    for (int d = 0; d < depth; d++) {
        p = append(dst, p, "+", count);
        p = append(dst, p, "[>", 1);
    }
    p = append(dst, p, "+>+++>-->+++++++[-]<<<", 1);
    for (int d = 0; d < depth; d++)
        p = append(dst, p, "<-]", 1);
    p = append(dst, p, ">", depth);
    p = append(dst, p, ".>.>.>.", 1);
}

static uint64_t run_both(const char *src, uint8_t *tape, Ins *code, int *ok, uint64_t h)
{
    Output a, b;
    a.len = b.len = 0;
    uint64_t s1 = run_direct(src, tape, &a);
    compile(src, code);
    uint64_t s2 = run_ir(code, tape, &b);
    if (a.len != b.len || memcmp(a.data, b.data, (size_t)a.len) != 0)
        *ok = 0;
    for (int i = 0; i < a.len; i++)
        h = (h ^ a.data[i]) * 0x100000001b3ULL;
    return (h ^ s1) * 0x100000001b3ULL + s2;
}

int main(void)
{
    uint8_t *tape = malloc(TAPE_LEN);
    char *src = malloc(SRC_MAX);
    Ins *code = malloc(sizeof(Ins) * SRC_MAX);
    if (!tape || !src || !code)
        return 1;
    uint64_t h = 0xcbf29ce484222325ULL;
    int ok = 1;
    for (size_t i = 0; i < sizeof hand_written / sizeof hand_written[0]; i++)
        h = run_both(hand_written[i], tape, code, &ok, h);
    gen_message(src, "Deterministic benchmark output, generated as BF code!");
    Output msg;
    msg.len = 0;
    run_direct(src, tape, &msg);
    printf("message: %.*s\n", msg.len, (const char *)msg.data);
    h = run_both(src, tape, code, &ok, h);
    gen_nest(src, NEST_DEPTH, NEST_COUNT);
    h = run_both(src, tape, code, &ok, h);
    printf("outputs agree: %d\n", ok);
    h += (uint64_t)ok;
    printf("checksum: %llu\n", (unsigned long long)h);
    free(tape);
    free(src);
    free(code);
    return 0;
}
