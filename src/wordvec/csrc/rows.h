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
} wv_rows;

void wv_scores_generic(const wv_weights *w, const wv_rows *b);
void wv_update_generic(const wv_weights *w, const wv_rows *b);

#if defined(__GNUC__) && defined(__x86_64__)
#define WV_HAVE_AVX512 1
void wv_scores_avx512(const wv_weights *w, const wv_rows *b);
void wv_update_avx512(const wv_weights *w, const wv_rows *b);
#endif

#endif
