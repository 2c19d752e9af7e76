/* Row arithmetic of one skip-gram block, on rows that are all distinct (internal).
 *
 * scores: grads[j * n_targets + k] = w_in[contexts[j]] . w_out[targets[k]]
 * update: with grads now holding the gradients g,
 *         w_out[targets[k]] += sum_j g[j][k] * w_in[contexts[j]]   (context rows as they were)
 *         w_in[contexts[j]] += sum_k g[j][k] * w_out[targets[k]]   (target rows as they were)
 * Every row is distinct within contexts and within targets (the caller merges
 * repeats), so each row can be read, updated and written back in one pass.
 */
#ifndef WORDVEC_ROWS_H
#define WORDVEC_ROWS_H

#include "steps.h"

/* The largest number of targets the register-blocked code keeps in registers at once. */
#define WV_GROUP 8

typedef struct {
    const int32_t *contexts;
    int32_t n_contexts;
    const int32_t *targets;
    int32_t n_targets;
    float *grads; /* n_contexts x n_targets */
    const int32_t *context_repeats, *target_repeats; /* how often each distinct row occurs in the block */
    float *context_deltas; /* n_contexts x WV_SLICE: the portable update's sums for one slice of the context rows */
    wv_product_rows *products; /* the AVX2 code's row pointers and copies (below) */
} wv_rows;

/* One group of output rows against a hidden vector (subword models), rows distinct:
 * hidden_scores: scores[k] = hidden . w_out[targets[k]]
 * hidden_update: step = sum_k coef[k] * w_out[targets[k]] (rows as they were), then
 *                w_out[targets[k]] += coef[k] * hidden. */
typedef struct {
    const int32_t *targets;
    int32_t n_targets;
    const float *hidden;
    float *scores; /* n_targets */
    const float *coef; /* n_targets */
    float *step;   /* dim */
} wv_group;

/* Skip-gram's hierarchical softmax: the distinct `contexts` (with their repeats) against every inner
 * node of `path`, in gensim's order (tree_skipgram.c); the rows are w's input and output rows. */
void wv_tree_skipgram(const wv_weights *w, const wv_rows *contexts, const wv_block *path, float lr,
                      const wv_settings *settings, wv_scratch *scratch, wv_loss *loss);

void wv_scores_generic(const wv_weights *w, const wv_rows *b);
void wv_update_generic(const wv_weights *w, const wv_rows *b);
void wv_hidden_scores_generic(const wv_weights *w, const wv_group *g);
void wv_hidden_update_generic(const wv_weights *w, const wv_group *g);

/* The row arithmetic in use, chosen for this CPU as the library loads (vector_code.c). */
typedef struct {
    void (*scores)(const wv_weights *, const wv_rows *);
    void (*update)(const wv_weights *, const wv_rows *);
    void (*hidden_scores)(const wv_weights *, const wv_group *);
    void (*hidden_update)(const wv_weights *, const wv_group *);
} wv_row_code;

extern wv_row_code wv_code;

#if defined(__GNUC__) && defined(__x86_64__)
#define WV_HAVE_AVX512 1
void wv_scores_avx512(const wv_weights *w, const wv_rows *b);
void wv_update_avx512(const wv_weights *w, const wv_rows *b);
void wv_hidden_scores_avx512(const wv_weights *w, const wv_group *g);
void wv_hidden_update_avx512(const wv_weights *w, const wv_group *g);
/* The skip-gram block on CPUs with AVX2 but not AVX-512: dense products (blocks.h), small blocks the AVX2 row code. */
void wv_scores_by_products(const wv_weights *w, const wv_rows *b);
void wv_update_by_products(const wv_weights *w, const wv_rows *b);
void wv_scores_avx2(const wv_weights *w, const wv_rows *b);
void wv_update_avx2(const wv_weights *w, const wv_rows *b);
void wv_hidden_scores_avx2(const wv_weights *w, const wv_group *g);
void wv_hidden_update_avx2(const wv_weights *w, const wv_group *g);
#endif

#endif
