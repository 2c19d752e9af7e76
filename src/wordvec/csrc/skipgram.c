/* Skip-gram with shared negatives (pWord2Vec, Ji et al. 2016): all the contexts of
 * one centre word against the centre and one set of negatives, as one block. */
#include <math.h>

#include "rows.h"
#include "steps.h"

static void (*scores)(const wv_weights *, const wv_rows *) = wv_scores_generic;
static void (*update)(const wv_weights *, const wv_rows *) = wv_update_generic;
static int use_generic = 0;

void wv_use_generic(int generic) { use_generic = generic; }

void wv_choose_code(void) {
#ifdef WV_HAVE_AVX512
    if (!use_generic && __builtin_cpu_supports("avx512f")) {
        scores = wv_scores_avx512;
        update = wv_update_avx512;
        return;
    }
#endif
    scores = wv_scores_generic;
    update = wv_update_generic;
}

const char *wv_vector_code(void) {
    wv_choose_code();
    return scores == wv_scores_generic ? "generic" : "avx512";
}

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
    scores(w, &rows);
    for (int j = 0; j < rows.n_contexts; j++) {
        for (int k = 0; k < rows.n_targets; k++) {
            float *cell = &rows.grads[j * rows.n_targets + k];
            const int repeats = scratch->context_repeats[j] * scratch->target_repeats[k];
            if (loss) {
                loss->sum += repeats * log_sigmoid_loss(*cell, k == 0);
                loss->terms += repeats;
            }
            *cell = ((k == 0 ? 1.0f : 0.0f) - wv_sigmoid(settings, *cell)) * lr * (float)repeats;
        }
    }
    update(w, &rows);
}
