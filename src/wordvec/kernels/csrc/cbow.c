/* CBOW: the mean (or the sum) of the context vectors predicts the centre word, against
 * the inner nodes of its path in the tree (hierarchical softmax) and against negatives. */
#include <math.h>
#include <stddef.h>

#include "rows.h"
#include "steps.h"

static float dot(const float *a, const float *b, int64_t n) {
    float sum = 0.0f;
    for (int64_t x = 0; x < n; x++) sum += a[x] * b[x];
    return sum;
}

static void add_scaled(float *dst, float c, const float *src, int64_t n) {
    for (int64_t x = 0; x < n; x++) dst[x] += c * src[x];
}

/* Whether no negative other than the centre word is drawn twice. */
static int negatives_distinct(const wv_block *block) {
    const int32_t *t = block->targets;
    for (int k = 2; k < block->n_targets; k++)
        for (int k2 = 1; k2 < k; k2++)
            if (t[k] == t[k2] && t[k] != t[0]) return 0;
    return 1;
}

/* The hidden vector against the inner nodes of a path (all distinct), WV_GROUP at a time:
 * every score from the rows as they are, then the rows updated; their gradient is added
 * to hidden_grad. */
WV_VECTOR_CLONES static void path_step(const wv_weights *nodes, const wv_block *path, float lr,
                                       const wv_settings *settings, wv_scratch *scratch, wv_loss *loss) {
    float *coef = scratch->coef;
    for (int first = 0; first < path->n_targets; first += WV_GROUP) {
        const int n = path->n_targets - first < WV_GROUP ? path->n_targets - first : WV_GROUP;
        wv_group scoring = {path->targets + first, n, scratch->hidden, coef, NULL, NULL};
        wv_code.hidden_scores(nodes, &scoring);
        for (int k = 0; k < n; k++) {
            const int label = 1 - path->codes[first + k];
            if (loss) {
                loss->sum += wv_log_sigmoid_loss(coef[k], label);
                loss->terms++;
            }
            coef[k] = ((float)label - wv_sigmoid(settings, coef[k])) * lr;
        }
        wv_group updating = {path->targets + first, n, scratch->hidden, NULL, coef, scratch->step};
        wv_code.hidden_update(nodes, &updating);
        add_scaled(scratch->hidden_grad, 1.0f, scratch->step, nodes->dim);
    }
}

/* The targets are taken one after another: a target drawn twice is scored the
 * second time with its row as the first update left it. When no row repeats,
 * every score comes from the rows as they are, and all rows are updated after. */
WV_VECTOR_CLONES static void targets_step(const wv_weights *w, const wv_block *block, float lr,
                                          const wv_settings *settings, wv_scratch *scratch, wv_loss *loss) {
    const int64_t dim = w->dim;
    const int32_t *targets = block->targets;
    float *hidden = scratch->hidden, *hidden_grad = scratch->hidden_grad, *coef = scratch->coef;
    const int distinct = negatives_distinct(block);
    for (int k = 0; k < block->n_targets; k++) {
        float *row = wv_out_row(w, targets[k]);
        coef[k] = 0.0f;
        if (k > 0 && targets[k] == targets[0]) continue;
        const float score = dot(hidden, row, dim);
        if (loss) {
            loss->sum += wv_log_sigmoid_loss(score, k == 0);
            loss->terms++;
        }
        coef[k] = ((k == 0 ? 1.0f : 0.0f) - wv_sigmoid(settings, score)) * lr;
        if (!distinct) {
            add_scaled(hidden_grad, coef[k], row, dim);
            add_scaled(row, coef[k], hidden, dim);
        }
    }
    if (distinct) {
        for (int k = 0; k < block->n_targets; k++)
            if (coef[k] != 0.0f) add_scaled(hidden_grad, coef[k], wv_out_row(w, targets[k]), dim);
        for (int k = 0; k < block->n_targets; k++)
            if (coef[k] != 0.0f) add_scaled(wv_out_row(w, targets[k]), coef[k], hidden, dim);
    }
}

/* The path first, then the targets, as gensim takes them; with the sum of the contexts
 * (cbow_mean 0) each context row gets the gradient divided by their number, as gensim's. */
WV_VECTOR_CLONES void wv_cbow_step_on(const wv_weights *w, const wv_block *block, const wv_weights *nodes,
                                      const wv_block *path, float lr, const wv_settings *settings,
                                      wv_scratch *scratch, wv_loss *loss) {
    const int64_t dim = w->dim;
    float *hidden = scratch->hidden, *hidden_grad = scratch->hidden_grad;
    const float inv = 1.0f / (float)block->n_contexts;
    const float scale = settings->cbow_mean ? inv : 1.0f;
    for (int64_t x = 0; x < dim; x++) hidden[x] = hidden_grad[x] = 0.0f;
    for (int j = 0; j < block->n_contexts; j++) add_scaled(hidden, scale, wv_in_row(w, block->contexts[j]), dim);
    if (path && path->n_targets > 0) path_step(nodes, path, lr, settings, scratch, loss);
    if (block->n_targets > 0) targets_step(w, block, lr, settings, scratch, loss);
    if (!settings->cbow_mean)
        for (int64_t x = 0; x < dim; x++) hidden_grad[x] *= inv;
    for (int j = 0; j < block->n_contexts; j++) add_scaled(wv_in_row(w, block->contexts[j]), 1.0f, hidden_grad, dim);
}
