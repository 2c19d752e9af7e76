/* fastText's prediction: wv_classify_text(s) from the text itself (its rows from classify_lines.c),
 * any input matrix (dense or product-quantized) and any loss (softmax, the sigmoid table for ova
 * and ns, hs's tree walk), the k best in libstdc++'s heap order, probabilities from glibc's expf
 * (emulated, as classifier_predict.expf does); wv_classify_dense from input rows, dense models only.
 *
 * The numbers are those of wordvec/classifier_predict.py (which are fastText's): the text's vector
 * is the float32 sum of its input rows in order times float32(1 / rows); each score a float32 dot
 * product summed in order of the dimensions, each product rounded (no fused multiply-add, no
 * reordering: the pragmas below undo the library's fast-math flags for this file). A text whose
 * result depends on the order of equal log-scores (fastText's heap order) is flagged, to be redone
 * by the Python side. No I/O, no globals; wv_classify_text(s) allocate their scratch space. */
#if defined(__clang__)
#pragma clang fp contract(off)
#pragma clang fp reassociate(off)
#elif defined(__GNUC__)
#pragma GCC optimize("no-associative-math", "fp-contract=off")
#elif defined(_MSC_VER)
#pragma float_control(precise, on)
#pragma fp_contract(off)
#endif

#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "classify_lines.h"
#include "wordvec_kernels.h"

/* fastText's Loss::sigmoid from its 513-entry table. */
static float table_sigmoid(float x, const float *table) {
    if (x < -8.0f) return 0.0f;
    if (x > 8.0f) return 1.0f;
    float index = (x + 8.0f) * 512.0f / 8.0f / 2.0f;
    if (index != index) index = 0.0f;
    if (index < 0.0f) index = 0.0f;
    if (index > 512.0f) index = 512.0f;
    return table[(int64_t)index];
}

/* Insert (score, label) among the `keep` best so far (descending); returns the new count. */
static int64_t offer(float *scores, int32_t *labels, int64_t count, int64_t keep, float score, int32_t label) {
    if (count == keep && !(score > scores[keep - 1])) return count;
    int64_t at = count < keep ? count : keep - 1;
    while (at > 0 && scores[at - 1] < score) {
        scores[at] = scores[at - 1];
        labels[at] = labels[at - 1];
        at--;
    }
    scores[at] = score;
    labels[at] = label;
    return count < keep ? count + 1 : count;
}

WV_EXPORT void wv_classify_dense(const wv_classify_model *model, const wv_classify_batch *batch, int64_t first,
                                 int64_t last, float *work, int32_t *work_labels) {
    const int64_t dim = model->dim, n_labels = model->n_labels, k = batch->k;
    const int64_t keep = k + 1 < n_labels ? k + 1 : n_labels;
    float *WV_RESTRICT hidden = work, *WV_RESTRICT probs = work + dim, *WV_RESTRICT top = work + dim + n_labels;
    const float threshold = batch->threshold;
    for (int64_t t = first; t < last; t++) {
        const int64_t begin = batch->starts[t], end = batch->starts[t + 1];
        int32_t *out_labels = batch->labels + t * k;
        float *out_scores = batch->scores + t * k;
        batch->counts[t] = 0;
        batch->redo[t] = 0;
        if (end <= begin) continue;
        for (int64_t x = 0; x < dim; x++) hidden[x] = 0.0f;
        for (int64_t i = begin; i < end; i++) {
            const float *WV_RESTRICT row = model->input + batch->rows[i] * dim;
            for (int64_t x = 0; x < dim; x++) hidden[x] += row[x];
        }
        const float scale = (float)(1.0 / (double)(end - begin));
        for (int64_t x = 0; x < dim; x++) hidden[x] *= scale;
        float max = -INFINITY;
        for (int64_t j = 0; j < n_labels; j++) {
            const float *WV_RESTRICT row = model->output + j * dim;
            float dot = hidden[0] * row[0];
            for (int64_t x = 1; x < dim; x++) {
                const float product = hidden[x] * row[x];
                dot += product;
            }
            probs[j] = dot;
            if (dot > max) max = dot;
        }
        if (model->loss == WV_CLASSIFY_SOFTMAX) {
            float total = 0.0f;
            for (int64_t j = 0; j < n_labels; j++) {
                probs[j] = (float)exp((double)(probs[j] - max));
                total += probs[j];
            }
            for (int64_t j = 0; j < n_labels; j++) probs[j] = probs[j] / total;
        } else {
            for (int64_t j = 0; j < n_labels; j++) probs[j] = table_sigmoid(probs[j], model->sigmoid_table);
        }
        int64_t count = 0, candidates = 0;
        for (int64_t j = 0; j < n_labels; j++) {
            if (probs[j] < threshold) continue;
            candidates++;
            count = offer(top, work_labels, count, keep, (float)log((double)probs[j] + 1e-5), (int32_t)j);
        }
        for (int64_t i = 0; i + 1 < count; i++)
            if (!(top[i] - top[i + 1] > 0.0f)) batch->redo[t] = 1;
        const int64_t n = candidates < k ? candidates : k;
        for (int64_t i = 0; i < n; i++) {
            out_labels[i] = work_labels[i];
            out_scores[i] = top[i];
        }
        batch->counts[t] = n;
    }
}

/* ---- prediction from text: any input matrix (dense or product-quantized), any loss ---------------- */


typedef struct {
    float score;
    int32_t label;
} scored;

WV_EXPORT float wv_classify_expf(float x, const uint64_t *table) {
    const float high = 0x1.62e42ep6f, low = -0x1.9fe368p6f;
    if (!(x >= low && x <= high)) return x > high ? INFINITY : x < low ? 0.0f : x;
    const double shift = 0x1.8p+52, n = 32.0;
    const double c0 = 0x1.c6af84b912394p-5 / (n * n * n), c1 = 0x1.ebfce50fac4f3p-3 / (n * n);
    const double c2 = 0x1.62e42ff0c52d6p-1 / n;
    const double z = (double)x * (0x1.71547652b82fep+0 * n);
    const double shifted = z + shift;
    uint64_t bits, scale_bits;
    memcpy(&bits, &shifted, sizeof bits);
    scale_bits = table[bits & 31] + (bits << 47);
    double scale;
    memcpy(&scale, &scale_bits, sizeof scale);
    const double r = z - (shifted - shift);
    double y = c0 * r + c1;
    y *= r * r;
    y += c2 * r + 1.0;
    y *= scale;
    return (float)y;
}

static inline float std_log(float x) { return (float)log((double)x + 1e-5); }

/* libstdc++'s __push_heap with fastText's comparison (greater log-score first): a min-heap. */
static void sift_up(scored *heap, int64_t hole, int64_t top, scored item) {
    int64_t parent = (hole - 1) / 2;
    while (hole > top && heap[parent].score > item.score) {
        heap[hole] = heap[parent];
        hole = parent;
        parent = (hole - 1) / 2;
    }
    heap[hole] = item;
}

/* libstdc++'s __adjust_heap: the hole down to a leaf along the smaller child, then sifted up. */
static void adjust(scored *heap, int64_t hole, int64_t length, scored item) {
    const int64_t top = hole;
    int64_t child = hole;
    while (child < (length - 1) / 2) {
        child = 2 * (child + 1);
        if (heap[child].score > heap[child - 1].score) child--;
        heap[hole] = heap[child];
        hole = child;
    }
    if ((length & 1) == 0 && child == (length - 2) / 2) {
        child = 2 * (child + 1);
        heap[hole] = heap[child - 1];
        hole = child - 1;
    }
    sift_up(heap, hole, top, item);
}

/* push_heap, then pop_heap and pop_back once the heap holds more than k. */
static int64_t offer_heap(scored *heap, int64_t size, int64_t k, float score, int32_t label) {
    const scored item = {score, label};
    sift_up(heap, size, 0, item);
    size++;
    if (size > k) {
        const scored last = heap[size - 1];
        heap[size - 1] = heap[0];
        adjust(heap, 0, size - 1, last);
        size--;
    }
    return size;
}

static void sort_heap(scored *heap, int64_t size) {
    for (int64_t last = size - 1; last > 0; last--) {
        const scored item = heap[last];
        heap[last] = heap[0];
        adjust(heap, 0, last, item);
    }
}

/* hidden += norm * centroid for each subquantizer of each row listed, as fastText's
 * ProductQuantizer::addcode adds them (inlined with dsub a constant where it is one). */
static inline void add_quantized_rows(const wv_predictor *model, const int32_t *rows, int64_t n_rows,
                                      float *WV_RESTRICT hidden, const int64_t dsub) {
    const int64_t nsubq = model->nsubq, last = nsubq - 1, lastdsub = model->lastdsub;
    for (int64_t i = 0; i < n_rows; i++) {
        const uint8_t *code = model->codes + (int64_t)rows[i] * nsubq;
        const float norm = model->norm_codes ? model->norm_centroids[model->norm_codes[rows[i]]] : 1.0f;
        for (int64_t m = 0; m < last; m++) {
            const float *c = model->centroids + (m * 256 + code[m]) * dsub;
            for (int64_t x = 0; x < dsub; x++) {
                const float product = norm * c[x];
                hidden[m * dsub + x] += product;
            }
        }
        const float *c = model->centroids + last * 256 * dsub + code[last] * lastdsub;
        for (int64_t x = 0; x < lastdsub; x++) {
            const float product = norm * c[x];
            hidden[last * dsub + x] += product;
        }
    }
}

/* Rows asked for this many rows ahead of the one added: a text's rows are scattered over the matrix.
 * The requests sit inside the adding loops (a cache line per 16 floats added): GCC may delete a loop
 * that holds only prefetches. */
#define PREFETCH_AHEAD 8

static inline const float *row_ahead(const float *input, int64_t dim, const int32_t *rows, int64_t i, int64_t n_rows) {
    const int64_t ahead = i + PREFETCH_AHEAD < n_rows ? i + PREFETCH_AHEAD : n_rows - 1;
    return input + (int64_t)rows[ahead] * dim;
}

static void add_dense_rows(const float *input, int64_t dim, const int32_t *rows, int64_t n_rows,
                           float *WV_RESTRICT hidden) {
    for (int64_t i = 0; i < n_rows; i++) {
        const float *ahead = row_ahead(input, dim, rows, i, n_rows);
        const float *WV_RESTRICT row = input + (int64_t)rows[i] * dim;
        for (int64_t start = 0; start < dim; start += 16) {
            WV_PREFETCH_READ(ahead + start);
            const int64_t stop = start + 16 < dim ? start + 16 : dim;
            for (int64_t x = start; x < stop; x++) hidden[x] += row[x];
        }
        WV_PREFETCH_READ(ahead + dim - 1);
    }
}

#if defined(__GNUC__) && defined(__x86_64__)
#include <immintrin.h>
#define HAVE_AVX2_ROWS 1

/* add_dense_rows sixteen dimensions at a time: the same sums, each dimension still added row after row. */
__attribute__((target("avx2"))) static void add_dense_rows_avx2(const float *input, int64_t dim, const int32_t *rows,
                                                                int64_t n_rows, float *WV_RESTRICT hidden) {
    const int64_t whole = dim & ~(int64_t)15;
    for (int64_t i = 0; i < n_rows; i++) {
        const float *ahead = row_ahead(input, dim, rows, i, n_rows);
        const float *row = input + (int64_t)rows[i] * dim;
        for (int64_t x = 0; x < whole; x += 16) {
            _mm_prefetch((const char *)(ahead + x), _MM_HINT_T0);
            _mm256_storeu_ps(hidden + x, _mm256_add_ps(_mm256_loadu_ps(hidden + x), _mm256_loadu_ps(row + x)));
            _mm256_storeu_ps(hidden + x + 8,
                             _mm256_add_ps(_mm256_loadu_ps(hidden + x + 8), _mm256_loadu_ps(row + x + 8)));
        }
        _mm_prefetch((const char *)(ahead + dim - 1), _MM_HINT_T0);
        for (int64_t x = whole; x < dim; x++) hidden[x] += row[x];
    }
}
#endif

/* Whether this CPU adds rows with AVX2 (unless the portable code is forced: wv_use_generic). */
static int rows_in_avx2(void) {
#ifdef HAVE_AVX2_ROWS
    return strcmp(wv_vector_code(), "generic") != 0;
#else
    return 0;
#endif
}

/* The text's vector: its input rows added in order (a quantized row as norm * centroid), times 1 / rows. */
static void text_vector(const wv_predictor *model, const int32_t *rows, int64_t n_rows, int avx2,
                        float *WV_RESTRICT hidden) {
    const int64_t dim = model->dim;
    for (int64_t x = 0; x < dim; x++) hidden[x] = 0.0f;
    if (model->input != NULL) {
#ifdef HAVE_AVX2_ROWS
        if (avx2) add_dense_rows_avx2(model->input, dim, rows, n_rows, hidden);
        else
#endif
            add_dense_rows(model->input, dim, rows, n_rows, hidden);
        (void)avx2;
    } else {
        switch (model->dsub) {  /* the usual widths unrolled; the last subquantizer may be narrower */
            case 2: add_quantized_rows(model, rows, n_rows, hidden, 2); break;
            case 4: add_quantized_rows(model, rows, n_rows, hidden, 4); break;
            case 8: add_quantized_rows(model, rows, n_rows, hidden, 8); break;
            default: add_quantized_rows(model, rows, n_rows, hidden, model->dsub);
        }
    }
    const float scale = (float)(1.0 / (double)n_rows);
    for (int64_t x = 0; x < dim; x++) hidden[x] *= scale;
}

static float output_score(const wv_predictor *model, const float *hidden, int64_t j) {
    const float *WV_RESTRICT row = model->output + j * model->dim;
    float dot = 0.0f;
    for (int64_t x = 0; x < model->dim; x++) {
        const float product = row[x] * hidden[x];
        dot += product;
    }
    return model->output_norms ? dot * model->output_norms[j] : dot;
}

typedef struct {
    const wv_predictor *model;
    const float *hidden;
    int64_t k;
    float floor;
    scored *heap;
    int64_t size;
} tree_walk;

/* fastText's HierarchicalSoftmaxLoss::dfs: the left branch first, branches below the floor or the
 * k-th best leaf cut. */
static void walk_tree(tree_walk *walk, int32_t node, float score) {
    if (score < walk->floor) return;
    if (walk->size == walk->k && score < walk->heap[0].score) return;
    const wv_predictor *model = walk->model;
    if (model->left[node] == -1 && model->right[node] == -1) {
        walk->size = offer_heap(walk->heap, walk->size, walk->k, score, node);
        return;
    }
    float f = output_score(model, walk->hidden, node - model->n_labels);
    f = (float)(1.0 / (double)(1.0f + wv_classify_expf(-f, model->expf_table)));
    walk_tree(walk, model->left[node], score + std_log((float)(1.0 - (double)f)));
    walk_tree(walk, model->right[node], score + std_log(f));
}

static int64_t best_labels(const wv_predictor *model, const float *hidden, int64_t k, float threshold,
                           float *outputs, scored *heap) {
    const int64_t n_labels = model->n_labels;
    if (model->loss == WV_CLASSIFY_HS) {
        tree_walk walk = {model, hidden, k, std_log(threshold), heap, 0};
        walk_tree(&walk, (int32_t)(2 * n_labels - 2), 0.0f);
        return walk.size;
    }
    float max = -INFINITY;
    for (int64_t j = 0; j < n_labels; j++) {
        outputs[j] = output_score(model, hidden, j);
        if (outputs[j] > max) max = outputs[j];
    }
    if (model->loss == WV_CLASSIFY_SOFTMAX) {
        float total = 0.0f;
        for (int64_t j = 0; j < n_labels; j++) {
            outputs[j] = (float)exp((double)(outputs[j] - max));
            total += outputs[j];
        }
        for (int64_t j = 0; j < n_labels; j++) outputs[j] = outputs[j] / total;
    } else {
        for (int64_t j = 0; j < n_labels; j++) outputs[j] = table_sigmoid(outputs[j], model->sigmoid_table);
    }
    int64_t size = 0;
    for (int64_t j = 0; j < n_labels; j++) {
        if (outputs[j] < threshold) continue;
        const float score = std_log(outputs[j]);
        if (size == k && score < heap[0].score) continue;
        size = offer_heap(heap, size, k, score, (int32_t)j);
    }
    return size;
}

typedef struct {
    int32_t *rows;
    int32_t *hashes;
    float *hidden;
    float *outputs;
    scored *heap;
    int64_t longest;  /* the longest text (bytes) rows and hashes have room for */
    int avx2;         /* rows_in_avx2() */
} scratch_space;

static int grow(scratch_space *space, const wv_lines *lines, const wv_predictor *model, int64_t k, int64_t length) {
    if (space->rows != NULL && length <= space->longest) return 0;
    free(space->rows);
    const int64_t n_rows = wv_lines_row_bound(lines, length), n_hashes = wv_lines_hash_bound(length);
    const size_t bytes = (size_t)(n_rows + n_hashes + model->dim + model->n_labels + 2) * 4 + (size_t)(k + 1) * 8;
    space->rows = malloc(bytes);
    if (space->rows == NULL) return -1;
    space->hashes = space->rows + n_rows;
    space->hidden = (float *)(space->hashes + n_hashes);
    space->outputs = space->hidden + model->dim;
    space->heap = (scored *)(((uintptr_t)(space->outputs + model->n_labels) + 7) & ~(uintptr_t)7);
    space->longest = length;
    return 0;
}

static int64_t predict_line(const wv_lines *lines, const wv_predictor *model, scratch_space *space,
                            const char *text, int64_t length, int64_t k, float threshold, int32_t *labels,
                            float *probs) {
    const int64_t n_rows = wv_lines_text(lines, text, length, space->rows, space->hashes);
    if (n_rows == 0 || model->n_labels == 0) return 0;
    text_vector(model, space->rows, n_rows, space->avx2, space->hidden);
    const int64_t size = best_labels(model, space->hidden, k, threshold, space->outputs, space->heap);
    sort_heap(space->heap, size);
    for (int64_t i = 0; i < size; i++) {
        labels[i] = space->heap[i].label;
        probs[i] = wv_classify_expf(space->heap[i].score, model->expf_table);
    }
    return size;
}

WV_EXPORT int64_t wv_classify_text(const wv_lines *lines, const wv_predictor *model, const char *text, int64_t length,
                                   int64_t k, float threshold, int32_t *labels, float *probs) {
    scratch_space space = {0};
    space.avx2 = rows_in_avx2();
    if (k > model->n_labels) k = model->n_labels;
    if (grow(&space, lines, model, k, length) != 0) return -1;
    const int64_t size = predict_line(lines, model, &space, text, length, k, threshold, labels, probs);
    free(space.rows);
    return size;
}

WV_EXPORT int64_t wv_classify_texts(const wv_lines *lines, const wv_predictor *model, const char *text,
                                    const int64_t *starts, int64_t first, int64_t last, int64_t k, float threshold,
                                    int32_t *labels, float *probs, int64_t *counts) {
    scratch_space space = {0};
    space.avx2 = rows_in_avx2();
    const int64_t stride = k;
    if (k > model->n_labels) k = model->n_labels;
    for (int64_t t = first; t < last; t++) {
        const int64_t length = starts[t + 1] - starts[t];
        if (grow(&space, lines, model, k, length < 4096 ? 4096 : length) != 0) return -1;
        counts[t] = predict_line(lines, model, &space, text + starts[t], length, k, threshold, labels + t * stride,
                                 probs + t * stride);
    }
    free(space.rows);
    return 0;
}
