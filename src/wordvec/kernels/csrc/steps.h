/* One training step of each model, on a task's scratch (internal). */
#ifndef WORDVEC_STEPS_H
#define WORDVEC_STEPS_H

#include <math.h>

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

/* A skip-gram block trains at most this many distinct context rows at once; a wider window
 * (item2vec's whole sessions) is trained in pieces of this many, one after another. */
#define WV_CONTEXT_PIECE 2048

/* Hierarchical softmax trains at most this many distinct contexts of a window at once (tree_skipgram.c). */
#define WV_HS_PIECE 32

/* Buffers of the skip-gram block as dense products (skipgram.c), sized for the most targets
 * and contexts a block holds. */
typedef struct {
    float **targets, **contexts;  /* the rows of the block's targets and contexts */
    const float **target_copies;  /* into target_copy: the targets' rows as they were */
    float *target_copy, *grads_t; /* targets x dim; targets x contexts */
} wv_product_rows;

/* Buffers a task allocates once, sized for up to `contexts` words in a window, `targets`
 * targets (negative + 1) and paths of up to `depth` inner nodes. */
typedef struct {
    int32_t *contexts, *context_repeats; /* contexts */
    int32_t *slots;                      /* 2 x contexts, rounded up to a power of 2: rows seen (distinct_rows) */
    int32_t *targets, *target_repeats;   /* targets */
    float *grads;                        /* min(contexts, WV_CONTEXT_PIECE) x targets */
    float *hidden, *hidden_grad, *step;  /* dim */
    float *coef;                         /* max(targets, depth) */
    float *context_deltas;               /* min(contexts, WV_CONTEXT_PIECE) x WV_SLICE */
    /* hierarchical softmax, with p = min(contexts, WV_HS_PIECE), d the depth rounded up to a multiple of 8: */
    const float **path_rows, **path_grads; /* d + p: the path's rows, then the contexts'; p */
    float *path_scores, *mixing;         /* p x d; p x (d + p) */
    float *gram, *mixing_t, *path_labels; /* p x p; depth x p; d */
    wv_product_rows products;           /* for targets and min(contexts, WV_CONTEXT_PIECE) contexts */
} wv_scratch;

/* The largest number of contexts, targets and path nodes a task's steps take. */
typedef struct {
    int64_t contexts, targets, depth, dim;
} wv_scratch_size;

/* A step's loss: the sum of -log sigmoid(+-score) and the number of terms summed. */
typedef struct {
    double sum;
    int64_t terms;
} wv_loss;

int wv_scratch_init(wv_scratch *scratch, wv_scratch_size size);
void wv_scratch_free(wv_scratch *scratch);

/* Skip-gram: the window's contexts against the centre word's path in the tree (`path`, its
 * rows in nodes->w_out; NULL: none), then against the block's targets (none when
 * block->n_targets is 0). */
void wv_skipgram_step(const wv_weights *w, const wv_block *block, const wv_weights *nodes, const wv_block *path,
                      float lr, const wv_settings *settings, wv_scratch *scratch, wv_loss *loss);
/* CBOW: the mean (or sum) of the contexts against the centre word's path, then the targets. */
void wv_cbow_step_on(const wv_weights *w, const wv_block *block, const wv_weights *nodes, const wv_block *path,
                     float lr, const wv_settings *settings, wv_scratch *scratch, wv_loss *loss);

/* Row `id` of the input / output matrix, wherever it lives during the task. */
static inline float *wv_in_row(const wv_weights *w, int32_t id) { return w->w_in + (int64_t)id * w->stride; }

static inline float *wv_out_row(const wv_weights *w, int32_t id) {
    return (id < w->n_hot ? w->hot_out : w->w_out) + (int64_t)id * w->stride;
}

/* The tabulated logistic function, read with linear interpolation. */
static inline float wv_sigmoid(const wv_settings *s, float score) {
    float u = ((float)score + (float)s->sigmoid_max) * (float)s->sigmoid_scale;
    u = u > 0.0f ? u : 0.0f; /* (NaN too: the index stays in the table) */
    u = u < (float)s->sigmoid_last ? u : (float)s->sigmoid_last;
    const int64_t i = (int64_t)u;
    const float lo = s->sigmoid_table[i];
    return lo + (u - (float)i) * (s->sigmoid_table[i + 1] - lo);
}

/* -log sigmoid(score) for label 1, -log sigmoid(-score) for label 0: a term of the loss. */
static inline double wv_log_sigmoid_loss(float score, int label) {
    const double x = label ? -(double)score : (double)score;
    return x > 30.0 ? x : log1p(exp(x));
}

/* x[k] = wv_sigmoid(s, x[k]) for k < n, read with 32-bit indices, which the compiler turns into
 * vector gathers (the same values). */
static inline void wv_sigmoids(const wv_settings *s, float *WV_RESTRICT x, int n) {
    const float *table = s->sigmoid_table, shift = (float)s->sigmoid_max, stretch = (float)s->sigmoid_scale;
    const float last = (float)s->sigmoid_last;
    for (int k = 0; k < n; k++) {
        float u = (x[k] + shift) * stretch;
        u = u > 0.0f ? u : 0.0f; /* (NaN too: the index stays in the table) */
        u = u < last ? u : last;
        const int32_t i = (int32_t)u;
        const float lo = table[i];
        x[k] = lo + (u - (float)i) * (table[i + 1] - lo);
    }
}

#endif
