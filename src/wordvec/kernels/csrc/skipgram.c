/* Skip-gram with shared negatives (pWord2Vec, Ji et al. 2016): all the contexts of
 * one centre word against the centre and one set of negatives, as one block; with
 * hierarchical softmax, first the contexts against the inner nodes of the centre's path
 * (tree_skipgram.c). */
#include <math.h>
#include <stddef.h>
#include <string.h>

#include "blocks.h"
#include "rows.h"
#include "steps.h"

/* Up to this many rows are merged by comparing each with those before it; more (wide
 * windows) through a hash table, which finds the same rows in the same order. */
#define SCAN_ROWS 32

/* distinct_rows for many rows: each row's place in `out`, found through `slots` (open
 * addressing; a power of 2 of at least 2n entries, -1 where empty). */
static int distinct_hashed(const int32_t *rows, int n, int32_t skip, int first, int32_t *out, int32_t *repeats,
                           int32_t *slots) {
    uint32_t size = 1;
    while (size < 2u * (uint32_t)n) size <<= 1;
    for (uint32_t h = 0; h < size; h++) slots[h] = -1;
    int m = 0;
    for (int i = 0; i < n; i++) {
        if (i >= first && rows[i] == skip) continue;
        uint32_t h = ((uint32_t)rows[i] * 0x9E3779B1u) & (size - 1);
        while (slots[h] >= 0 && out[slots[h]] != rows[i]) h = (h + 1) & (size - 1);
        if (slots[h] >= 0) {
            repeats[slots[h]]++;
        } else {
            slots[h] = m;
            out[m] = rows[i];
            repeats[m++] = 1;
        }
    }
    return m;
}

/* Each distinct row once, in order of first appearance, with how many times it occurs: a
 * repeated row then gets every one of its updates in a single write. Rows from `first` on
 * that equal `skip` are left out (negatives equal to the centre word would teach it
 * against itself). */
static int distinct_rows(const int32_t *rows, int n, int32_t skip, int first, int32_t *out, int32_t *repeats,
                         int32_t *slots) {
    if (n > SCAN_ROWS) return distinct_hashed(rows, n, skip, first, out, repeats, slots);
    int m = 0;
    for (int i = 0; i < n; i++) {
        if (i >= first && rows[i] == skip) continue;
        int found = -1;
        for (int u = 0; u < m; u++)
            if (out[u] == rows[i]) found = u;
        if (found >= 0) {
            repeats[found]++;
        } else {
            out[m] = rows[i];
            repeats[m++] = 1;
        }
    }
    return m;
}

/* grads[j][k] = (label - sigmoid(score)) * lr, times how often context j and target k
 * occur; the label is 1 for target 0 (the centre word) and 0 for the negatives. */
WV_VECTOR_CLONES static void gradients(const wv_settings *s, const wv_rows *b, float lr) {
    wv_sigmoids(s, b->grads, b->n_contexts * b->n_targets);
    for (int j = 0; j < b->n_contexts; j++) {
        float *row = b->grads + j * b->n_targets;
        const float scale = lr * (float)b->context_repeats[j];
        for (int k = 0; k < b->n_targets; k++)
            row[k] = ((k == 0 ? 1.0f : 0.0f) - row[k]) * scale * (float)b->target_repeats[k];
    }
}

static void add_loss(const wv_rows *b, wv_loss *loss) {
    for (int j = 0; j < b->n_contexts; j++) {
        for (int k = 0; k < b->n_targets; k++) {
            const int repeats = b->context_repeats[j] * b->target_repeats[k];
            loss->sum += repeats * wv_log_sigmoid_loss(b->grads[j * b->n_targets + k], k == 0);
            loss->terms += repeats;
        }
    }
}

#ifdef WV_HAVE_AVX512 /* (the code of CPUs with AVX2 but not AVX-512: vector_code.c) */
/* Blocks of at most this many distinct contexts take the AVX2 row code (rows_avx512.c): on prose's
 * windows (window 5) it trained 4-5 % faster than the products; on graph walks' (window 10, about
 * 10 distinct contexts) the products trained 15 % faster. */
#define WV_SMALL_BLOCK 8

/* Whether block b takes the AVX2 row code: decided alike for its scores and its update, which reads
 * the row pointers the products' scores found. */
static int takes_row_code(const wv_rows *b) {
    return b->n_contexts <= WV_SMALL_BLOCK && b->n_targets <= WV_GROUP;
}

/* grads[j][k] = context j's row . target k's row, as dense products. */
void wv_scores_by_products(const wv_weights *w, const wv_rows *b) {
    if (takes_row_code(b)) {
        wv_scores_avx2(w, b);
        return;
    }
    wv_product_rows *p = b->products;
    for (int k = 0; k < b->n_targets; k++) p->targets[k] = wv_out_row(w, b->targets[k]);
    for (int j = 0; j < b->n_contexts; j++) p->contexts[j] = wv_in_row(w, b->contexts[j]);
    const wv_products_job scores = {(const float *const *)p->contexts, (const float *const *)p->targets,
                                    b->n_contexts, b->n_targets, w->dim, b->grads, b->n_targets, -1};
    wv_blocks.products(&scores);
}

/* The update of rows.h as two combines, on the rows wv_scores_by_products found: the targets move
 * by G^T C, then the contexts by G T, T the targets' rows as they were (copied first). */
void wv_update_by_products(const wv_weights *w, const wv_rows *b) {
    if (takes_row_code(b)) {
        wv_update_avx2(w, b);
        return;
    }
    wv_product_rows *p = b->products;
    const int n_contexts = b->n_contexts, n_targets = b->n_targets;
    const int64_t dim = w->dim;
    for (int k = 0; k < n_targets; k++) {
        memcpy(p->target_copy + k * dim, p->targets[k], (size_t)dim * sizeof(float));
        p->target_copies[k] = p->target_copy + k * dim;
        for (int j = 0; j < n_contexts; j++) p->grads_t[k * n_contexts + j] = b->grads[j * n_targets + k];
    }
    const wv_combine_job targets = {p->grads_t, n_targets, n_contexts, n_contexts, (const float *const *)p->contexts,
                                    dim, p->targets, -1};
    const wv_combine_job contexts = {b->grads, n_contexts, n_targets, n_targets, p->target_copies, dim, p->contexts,
                                     -1};
    wv_blocks.combine(&targets);
    wv_blocks.combine(&contexts);
}
#endif

/* The distinct contexts against the targets of `rows` (their rows in w->w_out, `code` the row
 * arithmetic), a piece of at most WV_CONTEXT_PIECE contexts at a time: every score of a piece is
 * computed from the rows as they were before it; then the output rows of the targets and the
 * input rows of the contexts move together. */
static void train_block(const wv_weights *w, wv_rows rows, const wv_row_code *code, float lr,
                        const wv_settings *settings, wv_loss *loss) {
    const int32_t *contexts = rows.contexts, *repeats = rows.context_repeats;
    const int n_contexts = rows.n_contexts;
    for (int first = 0; first < n_contexts; first += WV_CONTEXT_PIECE) {
        rows.contexts = contexts + first;
        rows.context_repeats = repeats + first;
        rows.n_contexts = n_contexts - first < WV_CONTEXT_PIECE ? n_contexts - first : WV_CONTEXT_PIECE;
        code->scores(w, &rows);
        if (loss) add_loss(&rows, loss);
        gradients(settings, &rows, lr);
        code->update(w, &rows);
    }
}

void wv_skipgram_step(const wv_weights *w, const wv_block *block, const wv_weights *nodes, const wv_block *path,
                      float lr, const wv_settings *settings, wv_scratch *scratch, wv_loss *loss) {
    wv_rows rows;
    rows.n_contexts = distinct_rows(block->contexts, block->n_contexts, -1, block->n_contexts, scratch->contexts,
                                    scratch->context_repeats, scratch->slots);
    rows.contexts = scratch->contexts;
    rows.context_repeats = scratch->context_repeats;
    rows.grads = scratch->grads;
    rows.context_deltas = scratch->context_deltas;
    rows.products = &scratch->products;
    if (path) wv_tree_skipgram(nodes, &rows, path, lr, settings, scratch, loss);
    if (block->n_targets == 0) return;
    /* targets[0] is the centre, always first and alone in the distinct list */
    rows.n_targets = distinct_rows(block->targets, block->n_targets, block->targets[0], 1, scratch->targets,
                                   scratch->target_repeats, scratch->slots);
    rows.targets = scratch->targets;
    rows.target_repeats = scratch->target_repeats;
    train_block(w, rows, &wv_code, lr, settings, loss);
}
