/* fastText's prediction for a batch of texts with a dense input matrix: softmax, or the sigmoid
 * table (ova, ns); the k best labels of each text and their log-scores.
 *
 * The numbers are those of wordvec/classifier_predict.py (which are fastText's): the text's vector
 * is the float32 sum of its input rows in order times float32(1 / rows); each score a float32 dot
 * product summed in order of the dimensions, each product rounded (no fused multiply-add, no
 * reordering: the pragmas below undo the library's fast-math flags for this file). A text whose
 * result depends on the order of equal log-scores (fastText's heap order) is flagged, to be redone
 * by the Python side. No I/O, no allocation, no globals: the caller passes the scratch space. */
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
