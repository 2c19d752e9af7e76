/* Skip-gram with shared negatives (pWord2Vec, Ji et al. 2016): all the contexts of
 * one centre word against the centre and one set of negatives, as one block. */
#include <math.h>

#include "rows.h"
#include "steps.h"

static double log_sigmoid_loss(float score, int label) {
    const double x = label ? -(double)score : (double)score;
    return x > 30.0 ? x : log1p(exp(x));
}

/* Each distinct row once, with how many times it occurs: a repeated row then gets
 * every one of its updates in a single write. Negatives equal to the centre word
 * are left out (they would teach it against itself). */
static int distinct_rows(const int32_t *rows, int n, int32_t skip, int first, int32_t *out, int32_t *repeats) {
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
 * occur; label 1 for target 0 (the centre word), 0 for the negatives. (A vector version
 * was slower: the scores it reads back were just stored one by one.) */
static void gradients(const wv_settings *s, const wv_rows *b, float lr) {
    for (int j = 0; j < b->n_contexts; j++) {
        float *row = b->grads + j * b->n_targets;
        const float scale = lr * (float)b->context_repeats[j];
        for (int k = 0; k < b->n_targets; k++)
            row[k] = ((k == 0 ? 1.0f : 0.0f) - wv_sigmoid(s, row[k])) * scale * (float)b->target_repeats[k];
    }
}

/* Every score is computed from the rows as they were before the step; then the
 * output rows of the targets and the input rows of the contexts move together. */
void wv_skipgram_step(const wv_weights *w, const wv_block *block, float lr, const wv_settings *settings,
                      wv_scratch *scratch, wv_loss *loss) {
    const int32_t centre = block->targets[0];
    wv_rows rows;
    rows.n_targets = distinct_rows(block->targets, block->n_targets, centre, 1, scratch->targets,
                                   scratch->target_repeats);
    /* targets[0] is the centre, always first and alone in the distinct list */
    rows.n_contexts = distinct_rows(block->contexts, block->n_contexts, -1, block->n_contexts, scratch->contexts,
                                    scratch->context_repeats);
    rows.targets = scratch->targets;
    rows.contexts = scratch->contexts;
    rows.grads = scratch->grads;
    rows.context_repeats = scratch->context_repeats;
    rows.target_repeats = scratch->target_repeats;
    rows.context_deltas = scratch->context_deltas;
    wv_code.scores(w, &rows);
    if (loss) {
        for (int j = 0; j < rows.n_contexts; j++) {
            for (int k = 0; k < rows.n_targets; k++) {
                const int repeats = rows.context_repeats[j] * rows.target_repeats[k];
                loss->sum += repeats * log_sigmoid_loss(rows.grads[j * rows.n_targets + k], k == 0);
                loss->terms += repeats;
            }
        }
    }
    gradients(settings, &rows, lr);
    wv_code.update(w, &rows);
}
