/* Skip-gram's hierarchical softmax for one centre word, in gensim's order, computed in blocks.
 *
 * gensim takes the contexts of a window one after another: context j scores every inner node k
 * of the centre's path, moves node k's row by g_jk c_j as it goes, and moves its own row once,
 * after the path, by the sum of g_jk times node k's row as it found it. With C and N the rows of
 * the contexts and of the nodes before the window, and G the gradients:
 *
 *   score of j at k    = (C N^T)_jk + sum_{i<j} g_ik (C C^T)_ji
 *   node k moves by      sum_j g_jk c_j
 *   context j moves by   (G N)_j + sum_{i<j} (G G^T)_ji c_i
 *
 * so a window costs a few small dense products (blocks.h) and one write of each row, where
 * taking the contexts one by one writes every row of the path once for each context. The contexts
 * are the distinct ones in order of first appearance, each gradient times how often the context
 * occurs, at most WV_HS_PIECE of them at a time. */
#include <math.h>

#include "blocks.h"
#include "rows.h"
#include "steps.h"

/* Row j of `mixing` (ld columns): context j's gradients at the path's nodes (n_nodes, then zeros
 * up to padded), given `scores` (padded columns) holding C N^T, `gram` (n_contexts columns) C C^T
 * below its diagonal and `labels` 1 - code at each node (0 past n_nodes). */
WV_VECTOR_CLONES static void path_gradients(const wv_rows *b, const float *labels, int n_nodes, int padded,
                                            const float *gram, float *scores, float *mixing, int ld, float lr,
                                            const wv_settings *settings, wv_loss *loss) {
    const int n_contexts = b->n_contexts;
    for (int j = 0; j < n_contexts; j++) {
        float *score = scores + j * padded, *g = mixing + j * ld;
        for (int i = 0; i < j; i++) {
            const float overlap = gram[j * n_contexts + i], *earlier = mixing + i * ld;
            for (int k = 0; k < padded; k++) score[k] += overlap * earlier[k];
        }
        const float scale = lr * (float)b->context_repeats[j];
        for (int k = 0; k < padded; k++) g[k] = score[k];
        wv_sigmoids(settings, g, padded);
        for (int k = 0; k < padded; k++) g[k] = (labels[k] - g[k]) * scale;
        for (int k = n_nodes; k < padded; k++) g[k] = 0.0f;
        for (int k = 0; loss && k < n_nodes; k++) {
            loss->sum += b->context_repeats[j] * wv_log_sigmoid_loss(score[k], labels[k] > 0.5f);
            loss->terms += b->context_repeats[j];
        }
    }
}

/* The rows of a piece: the path's nodes, node 0 again up to `padded` (their coefficients are 0),
 * then the contexts; and each node's label. */
static void gather_rows(const wv_weights *w, const wv_rows *b, const wv_block *path, int padded, wv_scratch *s) {
    for (int k = 0; k < padded; k++) {
        s->path_rows[k] = wv_out_row(w, path->targets[k < path->n_targets ? k : 0]);
        s->path_labels[k] = k < path->n_targets ? (float)(1 - path->codes[k]) : 0.0f;
    }
    for (int j = 0; j < b->n_contexts; j++) s->path_rows[padded + j] = wv_in_row(w, b->contexts[j]);
}

/* Row j of `mixing` past the gradients: minus (G G^T)_ji for the contexts i >= j, zero for i < j. */
static void context_mixing(float *mixing, int n_contexts, int padded, int ld) {
    for (int j = 0; j < n_contexts; j++)
        for (int i = 0; i < n_contexts; i++) {
            float *h = mixing + j * ld + padded + i;
            *h = i < j ? 0.0f : -*h;
        }
}

/* One piece of distinct contexts (b) against the whole path: the nodes move first; each context
 * then moves by (G N')_j - sum_{i>=j} (G G^T)_ji c_i, N' the nodes as they moved, which is the
 * (G N)_j + sum_{i<j} (G G^T)_ji c_i above. */
static void train_piece(const wv_weights *w, const wv_rows *b, const wv_block *path, float lr,
                        const wv_settings *settings, wv_scratch *s, wv_loss *loss) {
    const int n_contexts = b->n_contexts, n_nodes = path->n_targets, padded = (int)wv_block_width(n_nodes);
    const int ld = padded + n_contexts;
    const float **rows = s->path_rows, **contexts = s->path_rows + padded, **grads = s->path_grads;
    gather_rows(w, b, path, padded, s);
    const wv_products_job scores = {contexts, rows, n_contexts, n_nodes, w->dim, s->path_scores, padded, -1};
    const wv_products_job gram = {contexts, contexts, n_contexts, n_contexts, w->dim, s->gram, n_contexts, 0};
    wv_blocks.products(&scores);
    wv_blocks.products(&gram);
    path_gradients(b, s->path_labels, n_nodes, padded, s->gram, s->path_scores, s->mixing, ld, lr, settings, loss);
    for (int j = 0; j < n_contexts; j++) grads[j] = s->mixing + j * ld;
    const wv_products_job shared = {grads, grads, n_contexts, n_contexts, padded, s->mixing + padded, ld, -1};
    wv_blocks.products(&shared);
    context_mixing(s->mixing, n_contexts, padded, ld);
    for (int k = 0; k < n_nodes; k++)
        for (int j = 0; j < n_contexts; j++) s->mixing_t[k * n_contexts + j] = s->mixing[j * ld + k];
    const wv_combine_job node_moves = {s->mixing_t, n_nodes, n_contexts, n_contexts, contexts, w->dim,
                                       (float *const *)rows, -1};
    const wv_combine_job context_moves = {s->mixing, n_contexts, ld, ld, rows, w->dim, (float *const *)contexts,
                                          padded};
    wv_blocks.combine(&node_moves);
    wv_blocks.combine(&context_moves);
}

void wv_tree_skipgram(const wv_weights *w, const wv_rows *contexts, const wv_block *path, float lr,
                      const wv_settings *settings, wv_scratch *scratch, wv_loss *loss) {
    wv_rows piece = *contexts;
    for (int first = 0; first < contexts->n_contexts; first += WV_HS_PIECE) {
        piece.contexts = contexts->contexts + first;
        piece.context_repeats = contexts->context_repeats + first;
        piece.n_contexts = contexts->n_contexts - first < WV_HS_PIECE ? contexts->n_contexts - first : WV_HS_PIECE;
        train_piece(w, &piece, path, lr, settings, scratch, loss);
    }
}
