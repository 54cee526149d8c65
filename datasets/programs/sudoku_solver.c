/* Sudoku puzzle generator and solver. A solved grid is built from a
 * pattern and shuffled; clues are removed while the solution stays
 * unique (checked by a bitmask backtracking solver with the
 * minimum-remaining-values heuristic); finally each puzzle is solved. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <stdint.h>

#define NUM_PUZZLES 80

typedef struct {
    uint8_t cell[81];
    uint16_t row[9], col[9], box[9];
} Board;

static uint64_t rng = 0x0123456789abcdefULL;
static uint64_t nodes;

static uint32_t rnd(uint32_t n)
{
    rng ^= rng >> 12;
    rng ^= rng << 25;
    rng ^= rng >> 27;
    return (uint32_t)((rng * 2685821657736338717ULL) >> 33) % n;
}

static int box_of(int r, int c) { return (r / 3) * 3 + c / 3; }

static void board_load(Board *b, const uint8_t *g)
{
    memset(b, 0, sizeof *b);
    for (int i = 0; i < 81; i++) {
        b->cell[i] = g[i];
        if (g[i]) {
            uint16_t bit = (uint16_t)(1u << g[i]);
            b->row[i / 9] |= bit;
            b->col[i % 9] |= bit;
            b->box[box_of(i / 9, i % 9)] |= bit;
        }
    }
}

static int popcount16(uint16_t x)
{
    int c = 0;
    for (; x; x &= (uint16_t)(x - 1))
        c++;
    return c;
}

static int solve(Board *b, int limit, uint8_t *solution)
{
    nodes++;
    int best = -1, best_count = 10;
    uint16_t best_mask = 0;
    for (int i = 0; i < 81; i++) {
        if (b->cell[i])
            continue;
        int r = i / 9, c = i % 9;
        uint16_t mask = (uint16_t)(~(b->row[r] | b->col[c] | b->box[box_of(r, c)]) & 0x3feu);
        int cnt = popcount16(mask);
        if (cnt < best_count) {
            best = i;
            best_count = cnt;
            best_mask = mask;
            if (cnt <= 1)
                break;
        }
    }
    if (best < 0) {
        if (solution)
            memcpy(solution, b->cell, 81);
        return 1;
    }
    int found = 0, r = best / 9, c = best % 9, bx = box_of(r, c);
    for (int d = 1; d <= 9 && found < limit; d++) {
        uint16_t bit = (uint16_t)(1u << d);
        if (!(best_mask & bit))
            continue;
        b->cell[best] = (uint8_t)d;
        b->row[r] |= bit; b->col[c] |= bit; b->box[bx] |= bit;
        found += solve(b, limit - found, solution);
        b->row[r] &= (uint16_t)~bit; b->col[c] &= (uint16_t)~bit; b->box[bx] &= (uint16_t)~bit;
        b->cell[best] = 0;
    }
    return found;
}

static void shuffle(int *a, int n)
{
    for (int i = n - 1; i > 0; i--) {
        int j = (int)rnd((uint32_t)i + 1);
        int t = a[i]; a[i] = a[j]; a[j] = t;
    }
}

static void make_solved(uint8_t *g)
{
    int digits[9], rows[9], cols[9], bands[3], stacks[3];
    for (int i = 0; i < 9; i++) digits[i] = i + 1;
    for (int i = 0; i < 3; i++) bands[i] = stacks[i] = i;
    shuffle(digits, 9); shuffle(bands, 3); shuffle(stacks, 3);
    for (int b = 0; b < 3; b++) {
        int inner[3] = {0, 1, 2}, inner2[3] = {0, 1, 2};
        shuffle(inner, 3); shuffle(inner2, 3);
        for (int k = 0; k < 3; k++) {
            rows[b * 3 + k] = bands[b] * 3 + inner[k];
            cols[b * 3 + k] = stacks[b] * 3 + inner2[k];
        }
    }
    for (int r = 0; r < 9; r++)
        for (int c = 0; c < 9; c++) {
            int rr = rows[r], cc = cols[c];
            g[r * 9 + c] = (uint8_t)digits[(rr * 3 + rr / 3 + cc) % 9];
        }
}

static int valid_solution(const uint8_t *g)
{
    Board b;
    board_load(&b, g);
    for (int i = 0; i < 9; i++)
        if (b.row[i] != 0x3fe || b.col[i] != 0x3fe || b.box[i] != 0x3fe)
            return 0;
    return 1;
}

int main(void)
{
    uint64_t h = 0xcbf29ce484222325ULL;
    int all_ok = 1, total_clues = 0;
    for (int p = 0; p < NUM_PUZZLES; p++) {
        uint8_t solved[81], puzzle[81], answer[81];
        make_solved(solved);
        if (!valid_solution(solved))
            all_ok = 0;
        memcpy(puzzle, solved, 81);
        int order[81];
        for (int i = 0; i < 81; i++) order[i] = i;
        shuffle(order, 81);
        int clues = 81;
        for (int k = 0; k < 81; k++) {
            int i = order[k];
            uint8_t saved = puzzle[i];
            puzzle[i] = 0;
            Board b;
            board_load(&b, puzzle);
            if (solve(&b, 2, NULL) != 1)
                puzzle[i] = saved;
            else
                clues--;
        }
        Board b;
        board_load(&b, puzzle);
        int n = solve(&b, 2, answer);
        int ok = n == 1 && memcmp(answer, solved, 81) == 0;
        all_ok &= ok;
        total_clues += clues;
        if (p < 4)
            printf("puzzle %d: clues=%d unique=%d ok=%d\n", p, clues, n == 1, ok);
        for (int i = 0; i < 81; i++)
            h = (h ^ (uint64_t)(puzzle[i] * 10 + answer[i])) * 0x100000001b3ULL;
    }
    printf("puzzles: %d, all ok: %d, total clues: %d\n", NUM_PUZZLES, all_ok, total_clues);
    printf("search nodes: %llu\n", (unsigned long long)nodes);
    h = (h ^ nodes) * 0x100000001b3ULL + (uint64_t)all_ok;
    printf("checksum: %llu\n", (unsigned long long)h);
    return 0;
}
