/* Portable row arithmetic (any CPU): the dimension is cut into slices of 16, and
 * each slice of a target row is loaded once per block and kept in a local array
 * that the compiler vectorises. */
#include <string.h>

#include "rows.h"

#define SLICE WV_SLICE

static float dot(const float *a, const float *b, int64_t n) {
    float partial[SLICE] = {0};
    int64_t x = 0;
    for (; x + SLICE <= n; x += SLICE)
        for (int l = 0; l < SLICE; l++) partial[l] += a[x + l] * b[x + l];
    float sum = 0.0f;
    for (; x < n; x++) sum += a[x] * b[x];
    for (int l = 0; l < SLICE; l++) sum += partial[l];
    return sum;
}

WV_VECTOR_CLONES void wv_scores_generic(const wv_weights *w, const wv_rows *b) {
    const int64_t dim = w->dim;
    for (int j = 0; j < b->n_contexts; j++) {
        const float *c = wv_in_row(w, b->contexts[j]);
        for (int k = 0; k < b->n_targets; k++)
            b->grads[j * b->n_targets + k] = dot(c, wv_out_row(w, b->targets[k]), dim);
    }
}

/* One slice [x, x + n) of every row, for targets k0 <= k < k1. The context rows are
 * written after all target groups only when this is the last group. */
static void update_slice(const wv_weights *w, const wv_rows *b, int64_t x, int n, int k0, int k1,
                         float (*WV_RESTRICT ctx_delta)[SLICE]) {
    const int nt = b->n_targets;
    float t[WV_GROUP][SLICE], o[WV_GROUP][SLICE];
    for (int k = k0; k < k1; k++) {
        memcpy(t[k - k0], wv_out_row(w, b->targets[k]) + x, (size_t)n * sizeof(float));
        memset(o[k - k0], 0, sizeof(o[0]));
    }
    for (int j = 0; j < b->n_contexts; j++) {
        const float *c = wv_in_row(w, b->contexts[j]) + x;
        for (int k = k0; k < k1; k++) {
            const float g = b->grads[j * nt + k];
            for (int l = 0; l < n; l++) {
                o[k - k0][l] += g * c[l];
                ctx_delta[j][l] += g * t[k - k0][l];
            }
        }
    }
    for (int k = k0; k < k1; k++) {
        float *row = wv_out_row(w, b->targets[k]) + x;
        for (int l = 0; l < n; l++) row[l] = t[k - k0][l] + o[k - k0][l];
    }
}

WV_VECTOR_CLONES void wv_update_generic(const wv_weights *w, const wv_rows *b) {
    const int64_t dim = w->dim;
    float (*WV_RESTRICT ctx_delta)[SLICE] = (float (*)[SLICE])b->context_deltas; /* (no VLA: MSVC has none) */
    for (int64_t x = 0; x < dim; x += SLICE) {
        const int n = dim - x < SLICE ? (int)(dim - x) : SLICE;
        memset(ctx_delta, 0, (size_t)b->n_contexts * sizeof(ctx_delta[0]));
        for (int k0 = 0; k0 < b->n_targets; k0 += WV_GROUP) {
            const int k1 = k0 + WV_GROUP < b->n_targets ? k0 + WV_GROUP : b->n_targets;
            update_slice(w, b, x, n, k0, k1, ctx_delta);
        }
        for (int j = 0; j < b->n_contexts; j++) {
            float *row = wv_in_row(w, b->contexts[j]) + x;
            for (int l = 0; l < n; l++) row[l] += ctx_delta[j][l];
        }
    }
}

WV_VECTOR_CLONES void wv_hidden_scores_generic(const wv_weights *w, const wv_group *g) {
    for (int k = 0; k < g->n_targets; k++) g->scores[k] = dot(g->hidden, wv_out_row(w, g->targets[k]), w->dim);
}

WV_VECTOR_CLONES void wv_hidden_update_generic(const wv_weights *w, const wv_group *g) {
    const int64_t dim = w->dim;
    for (int64_t x = 0; x < dim; x++) g->step[x] = 0.0f;
    for (int k = 0; k < g->n_targets; k++) {
        float *row = wv_out_row(w, g->targets[k]);
        const float c = g->coef[k];
        for (int64_t x = 0; x < dim; x++) {
            g->step[x] += c * row[x];
            row[x] += c * g->hidden[x];
        }
    }
}
