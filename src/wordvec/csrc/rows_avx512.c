/* Row arithmetic with AVX-512 (x86-64 CPUs that have it; chosen at run time).
 *
 * A row is read in slices of 16 floats, the last one masked, so any dimension
 * works. The number of targets is made a compile-time constant (1..8) so that
 * their slices, and the sums for the output rows, stay in registers: the
 * update reads every row once and writes it once. */
#include "rows.h"

#ifdef WV_HAVE_AVX512
#include <immintrin.h>

#define AVX512 __attribute__((target("avx512f,fma")))
#define INLINE inline __attribute__((always_inline))

static AVX512 INLINE __mmask16 slice_mask(int64_t dim, int64_t x) {
    const int64_t left = dim - x;
    return left >= 16 ? (__mmask16)0xFFFF : (__mmask16)((1u << left) - 1u);
}

static AVX512 INLINE void scores_fixed(const wv_weights *w, const wv_rows *b, const int NT) {
    const int64_t dim = w->dim;
    const float *t[WV_GROUP];
    for (int k = 0; k < NT; k++) t[k] = w->w_out + (int64_t)b->targets[k] * dim;
    for (int j = 0; j < b->n_contexts; j++) {
        const float *c = w->w_in + (int64_t)b->contexts[j] * dim;
        __m512 acc[WV_GROUP];
        for (int k = 0; k < NT; k++) acc[k] = _mm512_setzero_ps();
        for (int64_t x = 0; x < dim; x += 16) {
            const __mmask16 m = slice_mask(dim, x);
            const __m512 cv = _mm512_maskz_loadu_ps(m, c + x);
            for (int k = 0; k < NT; k++) acc[k] = _mm512_fmadd_ps(cv, _mm512_maskz_loadu_ps(m, t[k] + x), acc[k]);
        }
        for (int k = 0; k < NT; k++) b->grads[j * NT + k] = _mm512_reduce_add_ps(acc[k]);
    }
}

static AVX512 INLINE void update_fixed(const wv_weights *w, const wv_rows *b, const int NT) {
    const int64_t dim = w->dim;
    float *t[WV_GROUP];
    for (int k = 0; k < NT; k++) t[k] = w->w_out + (int64_t)b->targets[k] * dim;
    for (int64_t x = 0; x < dim; x += 16) {
        const __mmask16 m = slice_mask(dim, x);
        __m512 tv[WV_GROUP], out[WV_GROUP];
        for (int k = 0; k < NT; k++) {
            tv[k] = _mm512_maskz_loadu_ps(m, t[k] + x);
            out[k] = tv[k];
        }
        for (int j = 0; j < b->n_contexts; j++) {
            float *c = w->w_in + (int64_t)b->contexts[j] * dim + x;
            const float *g = b->grads + j * NT;
            const __m512 cv = _mm512_maskz_loadu_ps(m, c);
            __m512 cn = cv;
            for (int k = 0; k < NT; k++) {
                const __m512 gk = _mm512_set1_ps(g[k]);
                out[k] = _mm512_fmadd_ps(gk, cv, out[k]);
                cn = _mm512_fmadd_ps(gk, tv[k], cn);
            }
            _mm512_mask_storeu_ps(c, m, cn);
        }
        for (int k = 0; k < NT; k++) _mm512_mask_storeu_ps(t[k] + x, m, out[k]);
    }
}

#define DISPATCH(fn, w, b)                                  \
    switch ((b)->n_targets) {                               \
    case 1: fn(w, b, 1); break;                             \
    case 2: fn(w, b, 2); break;                             \
    case 3: fn(w, b, 3); break;                             \
    case 4: fn(w, b, 4); break;                             \
    case 5: fn(w, b, 5); break;                             \
    case 6: fn(w, b, 6); break;                             \
    case 7: fn(w, b, 7); break;                             \
    case 8: fn(w, b, 8); break;                             \
    }

AVX512 void wv_scores_avx512(const wv_weights *w, const wv_rows *b) {
    if (b->n_targets > WV_GROUP) {
        wv_scores_generic(w, b);
        return;
    }
    DISPATCH(scores_fixed, w, b)
}

AVX512 void wv_update_avx512(const wv_weights *w, const wv_rows *b) {
    if (b->n_targets > WV_GROUP) {
        wv_update_generic(w, b);
        return;
    }
    DISPATCH(update_fixed, w, b)
}

#endif
