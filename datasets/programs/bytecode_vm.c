/* A stack-machine bytecode interpreter with locals, calls and frames.
 * Four small programs are assembled in memory and executed: a loop sum,
 * recursive Fibonacci, nested-loop GCDs and Collatz step counting. */
#include <stdio.h>
#include <stdlib.h>
#include <stdint.h>

#define LOOP_N 600000
#define FIB_ARG 25
#define GCD_N 200
#define COLLATZ_N 15000
#define CODE_MAX 512
#define STACK_MAX 1024
#define FRAMES_MAX 256
#define LOCALS_PER_FRAME 8

enum { OP_HALT, OP_PUSH, OP_LOAD, OP_STORE, OP_ADD, OP_SUB, OP_MUL, OP_DIVU, OP_MODU, OP_LT, OP_EQ,
       OP_AND, OP_XOR, OP_SHR, OP_JMP, OP_JZ, OP_JNZ, OP_CALL, OP_RET, OP_DUP, OP_POP, OP_EMIT };

typedef struct {
    int32_t code[CODE_MAX];
    int len;
} Program;

typedef struct {
    uint32_t stack[STACK_MAX];
    uint32_t locals[FRAMES_MAX * LOCALS_PER_FRAME];
    int ret_addr[FRAMES_MAX];
    int sp, fp;
    uint64_t executed, out_hash;
} VM;

static int emit(Program *p, int op) { p->code[p->len++] = op; return p->len - 1; }
static int emit1(Program *p, int op, int32_t arg) { emit(p, op); p->code[p->len++] = arg; return p->len - 2; }
static void patch(Program *p, int at, int target) { p->code[at + 1] = target; }

static uint32_t pop(VM *vm) { return vm->stack[--vm->sp]; }
static void push(VM *vm, uint32_t v) { vm->stack[vm->sp++] = v; }

static int run(VM *vm, const Program *p, int entry)
{
    int pc = entry;
    vm->sp = 0;
    vm->fp = 0;
    for (;;) {
        int op = p->code[pc++];
        uint32_t a, b;
        vm->executed++;
        switch (op) {
        case OP_HALT: return 0;
        case OP_PUSH: push(vm, (uint32_t)p->code[pc++]); break;
        case OP_LOAD: push(vm, vm->locals[vm->fp * LOCALS_PER_FRAME + p->code[pc++]]); break;
        case OP_STORE: vm->locals[vm->fp * LOCALS_PER_FRAME + p->code[pc++]] = pop(vm); break;
        case OP_ADD: b = pop(vm); a = pop(vm); push(vm, a + b); break;
        case OP_SUB: b = pop(vm); a = pop(vm); push(vm, a - b); break;
        case OP_MUL: b = pop(vm); a = pop(vm); push(vm, a * b); break;
        case OP_DIVU: b = pop(vm); a = pop(vm); push(vm, b ? a / b : 0); break;
        case OP_MODU: b = pop(vm); a = pop(vm); push(vm, b ? a % b : 0); break;
        case OP_LT: b = pop(vm); a = pop(vm); push(vm, a < b); break;
        case OP_EQ: b = pop(vm); a = pop(vm); push(vm, a == b); break;
        case OP_AND: b = pop(vm); a = pop(vm); push(vm, a & b); break;
        case OP_XOR: b = pop(vm); a = pop(vm); push(vm, a ^ b); break;
        case OP_SHR: b = pop(vm); a = pop(vm); push(vm, a >> (b & 31u)); break;
        case OP_JMP: pc = p->code[pc]; break;
        case OP_JZ: a = pop(vm); pc = a == 0 ? p->code[pc] : pc + 1; break;
        case OP_JNZ: a = pop(vm); pc = a != 0 ? p->code[pc] : pc + 1; break;
        case OP_CALL: {
            int target = p->code[pc++], nargs = p->code[pc++];
            if (vm->fp + 1 >= FRAMES_MAX)
                return -1;
            vm->ret_addr[++vm->fp] = pc;
            for (int i = nargs - 1; i >= 0; i--)
                vm->locals[vm->fp * LOCALS_PER_FRAME + i] = pop(vm);
            pc = target;
            break;
        }
        case OP_RET: pc = vm->ret_addr[vm->fp--]; break;
        case OP_DUP: a = pop(vm); push(vm, a); push(vm, a); break;
        case OP_POP: (void)pop(vm); break;
        case OP_EMIT: vm->out_hash = (vm->out_hash ^ pop(vm)) * 0x100000001b3ULL; break;
        default: return -2;
        }
        if (vm->sp >= STACK_MAX - 4)
            return -3;
    }
}

static void build_loop_sum(Program *p)
{
    emit1(p, OP_PUSH, 0); emit1(p, OP_STORE, 0);
    emit1(p, OP_PUSH, 0); emit1(p, OP_STORE, 1);
    int loop = p->len;
    emit1(p, OP_LOAD, 0); emit1(p, OP_PUSH, LOOP_N); emit(p, OP_LT);
    int jz = emit1(p, OP_JZ, 0);
    emit1(p, OP_LOAD, 0); emit1(p, OP_LOAD, 0); emit(p, OP_MUL);
    emit1(p, OP_LOAD, 1); emit(p, OP_ADD); emit1(p, OP_PUSH, 0x1e3779b1); emit(p, OP_XOR);
    emit1(p, OP_STORE, 1);
    emit1(p, OP_LOAD, 0); emit1(p, OP_PUSH, 1); emit(p, OP_ADD); emit1(p, OP_STORE, 0);
    emit1(p, OP_JMP, loop);
    patch(p, jz, p->len);
    emit1(p, OP_LOAD, 1); emit(p, OP_EMIT); emit(p, OP_HALT);
}

static void build_fib(Program *p)
{
    int call = p->len;
    emit1(p, OP_PUSH, FIB_ARG); emit(p, OP_CALL); emit(p, 0); emit(p, 1);
    emit(p, OP_EMIT); emit(p, OP_HALT);
    int fib = p->len;
    p->code[call + 3] = fib;
    emit1(p, OP_LOAD, 0); emit1(p, OP_PUSH, 2); emit(p, OP_LT);
    int jz = emit1(p, OP_JZ, 0);
    emit1(p, OP_LOAD, 0); emit(p, OP_RET);
    patch(p, jz, p->len);
    emit1(p, OP_LOAD, 0); emit1(p, OP_PUSH, 1); emit(p, OP_SUB); emit1(p, OP_CALL, fib); emit(p, 1);
    emit1(p, OP_LOAD, 0); emit1(p, OP_PUSH, 2); emit(p, OP_SUB); emit1(p, OP_CALL, fib); emit(p, 1);
    emit(p, OP_ADD); emit(p, OP_RET);
}

static void build_gcd(Program *p)
{
    int jmp_main = emit1(p, OP_JMP, 0);
    int gcd = p->len;                       /* gcd(a=local0, b=local1) */
    int loop = p->len;
    emit1(p, OP_LOAD, 1);
    int jz = emit1(p, OP_JZ, 0);
    emit1(p, OP_LOAD, 0); emit1(p, OP_LOAD, 1); emit(p, OP_MODU);
    emit1(p, OP_LOAD, 1); emit1(p, OP_STORE, 0); emit1(p, OP_STORE, 1);
    emit1(p, OP_JMP, loop);
    patch(p, jz, p->len);
    emit1(p, OP_LOAD, 0); emit(p, OP_RET);
    patch(p, jmp_main, p->len);
    /* locals: 0=i 1=j 2=acc */
    emit1(p, OP_PUSH, 0); emit1(p, OP_STORE, 2);
    emit1(p, OP_PUSH, 1); emit1(p, OP_STORE, 0);
    int outer = p->len;
    emit1(p, OP_PUSH, 1); emit1(p, OP_STORE, 1);
    int inner = p->len;
    emit1(p, OP_LOAD, 0); emit1(p, OP_PUSH, 7); emit(p, OP_MUL);
    emit1(p, OP_LOAD, 1); emit1(p, OP_PUSH, 5); emit(p, OP_MUL);
    emit1(p, OP_CALL, gcd); emit(p, 2);
    emit1(p, OP_LOAD, 2); emit1(p, OP_PUSH, 31); emit(p, OP_MUL); emit(p, OP_ADD); emit1(p, OP_STORE, 2);
    emit1(p, OP_LOAD, 1); emit1(p, OP_PUSH, 1); emit(p, OP_ADD); emit(p, OP_DUP); emit1(p, OP_STORE, 1);
    emit1(p, OP_PUSH, GCD_N); emit(p, OP_LT); emit1(p, OP_JNZ, inner);
    emit1(p, OP_LOAD, 0); emit1(p, OP_PUSH, 1); emit(p, OP_ADD); emit(p, OP_DUP); emit1(p, OP_STORE, 0);
    emit1(p, OP_PUSH, GCD_N); emit(p, OP_LT); emit1(p, OP_JNZ, outer);
    emit1(p, OP_LOAD, 2); emit(p, OP_EMIT); emit(p, OP_HALT);
}

static void build_collatz(Program *p)
{
    /* locals: 0=n 1=x 2=steps 3=total */
    emit1(p, OP_PUSH, 1); emit1(p, OP_STORE, 0);
    emit1(p, OP_PUSH, 0); emit1(p, OP_STORE, 3);
    int outer = p->len;
    emit1(p, OP_LOAD, 0); emit1(p, OP_STORE, 1);
    emit1(p, OP_PUSH, 0); emit1(p, OP_STORE, 2);
    int inner = p->len;
    emit1(p, OP_LOAD, 1); emit1(p, OP_PUSH, 1); emit(p, OP_EQ);
    int done = emit1(p, OP_JNZ, 0);
    emit1(p, OP_LOAD, 1); emit1(p, OP_PUSH, 1); emit(p, OP_AND);
    int even = emit1(p, OP_JZ, 0);
    emit1(p, OP_LOAD, 1); emit1(p, OP_PUSH, 3); emit(p, OP_MUL); emit1(p, OP_PUSH, 1); emit(p, OP_ADD);
    emit1(p, OP_STORE, 1);
    int skip = emit1(p, OP_JMP, 0);
    patch(p, even, p->len);
    emit1(p, OP_LOAD, 1); emit1(p, OP_PUSH, 1); emit(p, OP_SHR); emit1(p, OP_STORE, 1);
    patch(p, skip, p->len);
    emit1(p, OP_LOAD, 2); emit1(p, OP_PUSH, 1); emit(p, OP_ADD); emit1(p, OP_STORE, 2);
    emit1(p, OP_JMP, inner);
    patch(p, done, p->len);
    emit1(p, OP_LOAD, 3); emit1(p, OP_LOAD, 2); emit(p, OP_ADD); emit1(p, OP_STORE, 3);
    emit1(p, OP_LOAD, 0); emit1(p, OP_PUSH, 1); emit(p, OP_ADD); emit(p, OP_DUP); emit1(p, OP_STORE, 0);
    emit1(p, OP_PUSH, COLLATZ_N); emit(p, OP_LT); emit1(p, OP_JNZ, outer);
    emit1(p, OP_LOAD, 3); emit(p, OP_EMIT); emit(p, OP_HALT);
}

int main(void)
{
    void (*builders[4])(Program *) = {build_loop_sum, build_fib, build_gcd, build_collatz};
    const char *names[4] = {"loop_sum", "fib", "gcd", "collatz"};
    VM *vm = calloc(1, sizeof(VM));
    Program *prog = malloc(sizeof(Program));
    if (!vm || !prog)
        return 1;
    uint64_t h = 0;
    for (int i = 0; i < 4; i++) {
        prog->len = 0;
        builders[i](prog);
        vm->executed = 0;
        vm->out_hash = 0xcbf29ce484222325ULL;
        int rc = run(vm, prog, 0);
        printf("%s: rc=%d code=%d executed=%llu out=%llu\n", names[i], rc, prog->len,
               (unsigned long long)vm->executed, (unsigned long long)vm->out_hash);
        h = (h ^ vm->out_hash) * 0x9e3779b97f4a7c15ULL + vm->executed + (uint64_t)(rc + 10);
    }
    printf("checksum: %llu\n", (unsigned long long)h);
    free(vm);
    free(prog);
    return 0;
}
