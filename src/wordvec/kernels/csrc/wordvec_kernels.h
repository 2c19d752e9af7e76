/* wordvec's compiled training kernels: flat arrays in, numbers out.
 *
 * The tests hold them against reference kernels (tests/oracles.py) that take the
 * same draws (the same splitmix64 stream, alias tables and window reaches).
 * No I/O, no printing, no
 * Python: the trainer (wordvec/engines/native.py) owns epochs, learning-rate
 * decay, seeding and progress, and calls wv_train_task on one thread per task.
 */
#ifndef WORDVEC_KERNELS_H
#define WORDVEC_KERNELS_H

#include <stdint.h>

#include "compiler.h"

/* The two weight matrices, rows of dim floats: input (the word vectors) and output.
 * Row i starts i * stride floats into its matrix (stride >= dim; rows that start on a
 * 64-byte boundary are read and written in whole cache lines). */
typedef struct {
    float *w_in;
    float *w_out;
    int64_t dim;
    int64_t stride;
    /* Output rows 0..n_hot-1 (the most frequent words) are read from and written to
     * hot_out instead: a task's own copy (callers pass 0 and NULL). */
    int64_t n_hot;
    float *hot_out;
} wv_weights;

/* The token stream: vocabulary rows, and document d is tokens[doc_offsets[d]:doc_offsets[d + 1]]. */
typedef struct {
    const int32_t *tokens;
    const int64_t *doc_offsets;
    int64_t n_offsets;
} wv_stream;

/* Per-word keep probabilities and the alias tables of the noise distribution. */
typedef struct {
    const float *keep_prob;
    const float *noise_accept;
    const int32_t *noise_alias;
    int64_t noise_size;
} wv_sampler;

/* Scalar settings of one call, and the tabulated logistic function
 * (sigmoid_table[i] = sigmoid(i / sigmoid_scale - sigmoid_max), i <= sigmoid_last + 1). */
typedef struct {
    int32_t model;      /* WV_SKIP_GRAM or WV_CBOW */
    int32_t window;
    int32_t negative;
    int32_t loss_every; /* the loss is computed for one centre word in this many */
    int64_t hot_rows;   /* output rows each task keeps a copy of while it trains (see task.h) */
    int64_t hot_sync;   /* ... and merges into the shared rows after this many centre words (0: at its end) */
    double lr_start;    /* learning rate at the first position of the task's range */
    double lr_end;      /* ... and at its end */
    const float *sigmoid_table;
    int64_t sigmoid_last;
    double sigmoid_max;
    double sigmoid_scale;
    /* (Fields added later go below, so that a build from before them reads the fields it knows.) */
    int32_t cbow_mean;      /* CBOW: 1 the mean of the context vectors, 0 their sum (gensim's cbow_mean) */
    int32_t shrink_windows; /* 1: each window's reach drawn from 1..window; 0: always the whole window */
    const struct wv_tree *tree; /* hierarchical softmax, or NULL; with it, negative 0 means no negatives */
    int64_t hot_nodes;      /* inner-node rows of the tree each task keeps a copy of, as hot_rows */
} wv_settings;

/* A task: token positions start:end, trained from the random state `seed`. */
typedef struct {
    int64_t start;
    int64_t end;
    uint64_t seed;
} wv_task;

/* One training step: contexts[:n_contexts] against targets[:n_targets]: with codes NULL,
 * targets[0] the centre word (label 1) and negatives (label 0); else inner nodes of the
 * tree, labelled 1 - codes[k] (a centre word's path). */
typedef struct {
    const int32_t *contexts;
    int32_t n_contexts;
    const int32_t *targets;
    int32_t n_targets;
    const uint8_t *codes;
} wv_block;

/* Hierarchical softmax (Morin and Bengio 2005; word2vec's -hs 1): the rows of the Huffman
 * tree's inner nodes, laid out as the other matrices (row i at i * stride, the root row 0),
 * and each word's path from the root: word w's inner nodes are
 * nodes[offsets[w]:offsets[w + 1]], with the branch taken below each in codes (0 or 1). */
typedef struct wv_tree {
    float *w_nodes;
    const int64_t *offsets;
    const int32_t *nodes;
    const uint8_t *codes;
    int64_t max_depth; /* the longest path */
} wv_tree;

enum { WV_SKIP_GRAM = 0, WV_CBOW = 1 };

/* Train word2vec on a task's positions (windows never cross a document); loss_out gets
 * (loss sum, loss terms). Returns 0, or -1 when memory for the task's buffers is short. */
WV_EXPORT int wv_train_task(const wv_weights *weights, const wv_stream *stream, const wv_sampler *sampler,
                  const wv_settings *settings, const wv_task *task, double *loss_out);

/* The pieces of each word (subword models): its input rows are
 * rows[offsets[w]:offsets[w + 1]] (its own row, then its n-grams' rows). */
typedef struct {
    const int64_t *offsets;
    const int32_t *rows;
    int64_t max_pieces;
} wv_subword_table;

/* Train a subword model (fastText's, see subwords.c) on a task's positions; as wv_train_task. */
WV_EXPORT int wv_train_subword_task(const wv_weights *weights, const wv_subword_table *table, const wv_stream *stream,
                          const wv_sampler *sampler, const wv_settings *settings, const wv_task *task,
                          double *loss_out);

/* One skip-gram block / CBOW step (as the tasks run them), for the tests' oracles; with
 * block->codes, the targets are inner nodes whose rows weights->w_out holds. */
WV_EXPORT int wv_sgns_block(const wv_weights *weights, const wv_block *block, double lr, const wv_settings *settings,
                  double *loss_out);
WV_EXPORT int wv_cbow_step(const wv_weights *weights, const wv_block *block, double lr, const wv_settings *settings,
                 double *loss_out);

/* A supervised fastText model with a dense input matrix, for prediction (classify.c): input rows
 * and output rows (n_labels of them) of dim floats each; loss WV_CLASSIFY_SOFTMAX, or
 * WV_CLASSIFY_SIGMOID (ova, ns: fastText's 513-entry sigmoid_table). */
#define WV_CLASSIFY_SOFTMAX 0
#define WV_CLASSIFY_SIGMOID 1
typedef struct {
    const float *input;
    const float *output;
    int64_t dim;
    int64_t n_labels;
    int32_t loss;
    const float *sigmoid_table;
} wv_classify_model;

/* A batch of texts: text t's input rows are rows[starts[t]:starts[t + 1]]. Each text gets
 * counts[t] (<= k) labels at labels[t * k...] with their log-scores at scores[t * k...], best
 * first; redo[t] = 1 where equal log-scores make fastText's heap order matter (redo it in Python). */
typedef struct {
    const int64_t *rows;
    const int64_t *starts;
    int64_t k;
    float threshold;
    int32_t *labels;
    float *scores;
    int64_t *counts;
    uint8_t *redo;
} wv_classify_batch;

/* Predict texts first..last-1 of the batch; work holds dim + 2 * n_labels floats and work_labels
 * n_labels ints (one of each per thread). */
WV_EXPORT void wv_classify_dense(const wv_classify_model *model, const wv_classify_batch *batch, int64_t first,
                                 int64_t last, float *work, int32_t *work_labels);

/* The vector code in use: "avx512" or "generic"; wv_use_generic(1) forces the portable code. */
WV_EXPORT const char *wv_vector_code(void);
WV_EXPORT void wv_use_generic(int generic);
#endif
