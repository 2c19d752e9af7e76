/* One training step of each model, on a task's scratch (internal). */
#ifndef WORDVEC_STEPS_H
#define WORDVEC_STEPS_H

#include "wordvec_kernels.h"

/* Loops over the dimension in the functions marked with this are compiled for
 * AVX-512, AVX2 and plain x86-64, picked at load time (elsewhere: as the compiler's default). */
#if defined(__GNUC__) && defined(__x86_64__) && defined(__linux__)
#define WV_VECTOR_CLONES __attribute__((target_clones("avx512f", "avx2", "default")))
#else
#define WV_VECTOR_CLONES
#endif

/* The portable row arithmetic works on slices of this many floats of a row (rows_generic.c). */
#define WV_SLICE 16

/* Buffers a task allocates once, sized for windows up to `window` and `negative` negatives. */
typedef struct {
    int32_t *contexts, *context_repeats; /* 2 * window */
    int32_t *targets, *target_repeats;   /* negative + 1 */
    float *grads;                        /* 2 * window x (negative + 1) */
    float *hidden, *hidden_grad;         /* dim */
    float *coef;                         /* max(2 * window, negative + 1) */
    float *context_deltas;               /* 2 * window x WV_SLICE */
} wv_scratch;

/* A step's loss: the sum of -log sigmoid(+-score) and the number of terms summed. */
typedef struct {
    double sum;
    int64_t terms;
} wv_loss;

int wv_scratch_init(wv_scratch *scratch, int32_t window, int32_t negative, int64_t dim);
void wv_scratch_free(wv_scratch *scratch);

void wv_skipgram_step(const wv_weights *w, const wv_block *block, float lr, const wv_settings *settings,
                      wv_scratch *scratch, wv_loss *loss);
void wv_cbow_step_on(const wv_weights *w, const wv_block *block, float lr, const wv_settings *settings,
                     wv_scratch *scratch, wv_loss *loss);

/* Row `id` of the input / output matrix, wherever it lives during the task. */
static inline float *wv_in_row(const wv_weights *w, int32_t id) { return w->w_in + (int64_t)id * w->stride; }

static inline float *wv_out_row(const wv_weights *w, int32_t id) {
    return (id < w->n_hot ? w->hot_out : w->w_out) + (int64_t)id * w->stride;
}

/* The tabulated logistic function, read with linear interpolation. */
static inline float wv_sigmoid(const wv_settings *s, float score) {
    float u = ((float)score + (float)s->sigmoid_max) * (float)s->sigmoid_scale;
    u = u < 0.0f ? 0.0f : (u > (float)s->sigmoid_last ? (float)s->sigmoid_last : u);
    const int64_t i = (int64_t)u;
    const float lo = s->sigmoid_table[i];
    return lo + (u - (float)i) * (s->sigmoid_table[i + 1] - lo);
}

#endif
