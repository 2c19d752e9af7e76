/* fastText's supervised input (classify_lines.c) and prediction from text (classify.c), internal.
 *
 * wv_lines: a model's dictionary and settings. Entry i (words, then labels) is the bytes
 * words[word_starts[i]:word_starts[i + 1]]; slots is an open-addressing table of entry numbers
 * (-1: empty) indexed by fastText's 32-bit hash & slot_mask, the last of equal words kept;
 * word_rows[word_row_starts[i]:word_row_starts[i + 1]] are word i's rows (itself, then its
 * character n-grams), built by wv_lines_word_rows. A pruned model (pruned = 1) keeps bucket b as
 * row nwords + offset where prune_slots[2 s] == b and prune_slots[2 s + 1] == offset (s probed from
 * a hash of b & prune_mask), and bit b of prune_bits is set; bucket_magic: wv_lines_bucket_magic. */
#ifndef WORDVEC_CLASSIFY_LINES_H
#define WORDVEC_CLASSIFY_LINES_H

#include <stdint.h>

#include "compiler.h"

typedef struct {
    const char *words;
    const int64_t *word_starts;
    int64_t n_entries;
    int64_t nwords;
    const int32_t *slots;
    int64_t slot_mask;
    const int32_t *word_rows;
    const int64_t *word_row_starts;
    int64_t bucket;
    int64_t minn;
    int64_t maxn;
    int64_t word_ngrams;
    int64_t pruned;
    const int32_t *prune_slots;
    int64_t prune_mask;
    int64_t prune_count;
    const uint64_t *prune_bits;
    uint64_t bucket_magic;
} wv_lines;

/* The most rows (and word hashes) a text of `length` bytes can give. */
WV_EXPORT int64_t wv_lines_row_bound(const wv_lines *lines, int64_t length);
WV_EXPORT int64_t wv_lines_hash_bound(int64_t length);

WV_EXPORT void wv_lines_build_slots(const char *words, const int64_t *word_starts, int64_t n_entries, int32_t *slots,
                                    int64_t slot_mask);
WV_EXPORT void wv_lines_build_prune(const int64_t *pairs, int64_t n_pairs, int32_t *slots, int64_t mask,
                                    uint64_t *bits, int64_t bucket);
WV_EXPORT uint64_t wv_lines_bucket_magic(int64_t bucket);
/* Each entry's rows, packed (rows NULL: only the space they need at most, returned). */
WV_EXPORT int64_t wv_lines_word_rows(const wv_lines *lines, int64_t *row_starts, int32_t *rows);
/* One line's input rows (rows holds wv_lines_row_bound, hashes wv_lines_hash_bound entries): their number. */
WV_EXPORT int64_t wv_lines_text(const wv_lines *lines, const char *text, int64_t length, int32_t *rows,
                                int32_t *hashes);

/* A model for prediction from text (classify.c): the input matrix dense (input) or product-quantized
 * (codes, centroids in fastText's layout, norms where norm_codes is set); the output rows unscaled
 * (n_labels rows, or n_labels - 1 inner nodes for hs) with their norms (output_norms, or NULL);
 * loss WV_CLASSIFY_SOFTMAX, WV_CLASSIFY_SIGMOID (fastText's sigmoid_table) or WV_CLASSIFY_HS (the
 * Huffman tree's left and right children, 2 n_labels - 1 nodes, -1 at the leaves); expf_table:
 * glibc expf's 32 entries (classifier_predict._EXPF_TABLE). */
#define WV_CLASSIFY_HS 2
typedef struct {
    int64_t dim;
    int64_t n_labels;
    int64_t loss;
    const float *input;
    const uint8_t *codes;
    const float *centroids;
    int64_t nsubq;
    int64_t dsub;
    int64_t lastdsub;
    const uint8_t *norm_codes;
    const float *norm_centroids;
    const float *output;
    const float *output_norms;
    const float *sigmoid_table;
    const int32_t *left;
    const int32_t *right;
    const uint64_t *expf_table;
} wv_predictor;

/* One line's k best labels (label numbers) and fastText's probabilities, best first: their number,
 * or -1 where no memory was left for the scratch space. */
WV_EXPORT int64_t wv_classify_text(const wv_lines *lines, const wv_predictor *model, const char *text, int64_t length,
                                   int64_t k, float threshold, int32_t *labels, float *probs);
/* Texts first..last-1 of text[starts[t]:starts[t + 1]]: counts[t] labels at labels[t * k...]. */
WV_EXPORT int64_t wv_classify_texts(const wv_lines *lines, const wv_predictor *model, const char *text,
                                    const int64_t *starts, int64_t first, int64_t last, int64_t k, float threshold,
                                    int32_t *labels, float *probs, int64_t *counts);
/* glibc's expf, as fastText's Linux build computes it (for the tests). */
WV_EXPORT float wv_classify_expf(float x, const uint64_t *table);

#endif
