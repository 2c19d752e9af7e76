/* Integer token sequences numbered in order of first appearance (wordvec/kernels/sequences.py).
 *
 * A table of the tokens seen so far, owned by the caller: open addressing, linear probing,
 * n_slots a power of two. When it is half full wv_number_ints stops and returns how far it got;
 * the caller allocates a table twice the size, numbers the tokens seen so far into it again
 * (in their order, so they keep their numbers) and goes on. Nothing here allocates. */
#include <stdint.h>

#include "compiler.h"

typedef struct {
    int64_t *keys;    /* n_slots tokens */
    int32_t *numbers; /* n_slots numbers, -1 where the slot is empty */
    int64_t n_slots;
    int64_t n_numbered; /* tokens numbered so far: the next new token gets this number */
    int64_t *seen;      /* seen[k] is the token numbered k (room for n_slots / 2) */
} wv_token_table;

static inline uint64_t mix(uint64_t x) {
    x ^= x >> 30;
    x *= 0xBF58476D1CE4E5B9ULL;
    x ^= x >> 27;
    x *= 0x94D049BB133111EBULL;
    return x ^ (x >> 31);
}

/* out[i] = the number of tokens[i], for i from 0 until the table is half full; returns that i. */
WV_EXPORT int64_t wv_number_ints(wv_token_table *table, const int64_t *tokens, int64_t n, int32_t *out) {
    const uint64_t mask = (uint64_t)table->n_slots - 1;
    const int64_t full = table->n_slots / 2;
    for (int64_t i = 0; i < n; i++) {
        const int64_t token = tokens[i];
        uint64_t slot = mix((uint64_t)token) & mask;
        while (table->numbers[slot] >= 0 && table->keys[slot] != token) slot = (slot + 1) & mask;
        if (table->numbers[slot] < 0) {
            if (table->n_numbered >= full) return i;
            table->keys[slot] = token;
            table->numbers[slot] = (int32_t)table->n_numbered;
            table->seen[table->n_numbered++] = token;
        }
        out[i] = table->numbers[slot];
    }
    return n;
}
