/* Row arithmetic with AVX-512 (x86-64 CPUs that have it; chosen at run time), and the
 * AVX2 code of a group of rows against a hidden vector (at the end).
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

/* The sums of 8 vectors at once (out[k] = sum of v[k]'s lanes): three rounds of
 * shuffles and adds instead of eight separate reductions. */
static AVX512 INLINE void sum_lanes8(const __m512 v[WV_GROUP], float out[16]) {
    __m512 pairs[4], quads[2];
    for (int p = 0; p < 4; p++) /* halves of v[2p] | halves of v[2p + 1] */
        pairs[p] = _mm512_add_ps(_mm512_shuffle_f32x4(v[2 * p], v[2 * p + 1], _MM_SHUFFLE(1, 0, 1, 0)),
                                 _mm512_shuffle_f32x4(v[2 * p], v[2 * p + 1], _MM_SHUFFLE(3, 2, 3, 2)));
    for (int q = 0; q < 2; q++) /* one 128-bit lane of partial sums per vector */
        quads[q] = _mm512_add_ps(_mm512_shuffle_f32x4(pairs[2 * q], pairs[2 * q + 1], _MM_SHUFFLE(2, 0, 2, 0)),
                                 _mm512_shuffle_f32x4(pairs[2 * q], pairs[2 * q + 1], _MM_SHUFFLE(3, 1, 3, 1)));
    const __m512 x = _mm512_add_ps(_mm512_unpacklo_ps(quads[0], quads[1]), _mm512_unpackhi_ps(quads[0], quads[1]));
    _mm512_storeu_ps(out, _mm512_add_ps(x, _mm512_permute_ps(x, _MM_SHUFFLE(1, 0, 3, 2))));
    /* lane 4i holds the sum of v[i], lane 4i + 1 that of v[i + 4] */
}

static AVX512 INLINE void store_sums(const __m512 acc[WV_GROUP], float *grads, const int NT) {
    float sums[16];
    sum_lanes8(acc, sums);
    for (int k = 0; k < NT; k++) grads[k] = sums[k < 4 ? 4 * k : 4 * (k - 4) + 1];
}

/* Two contexts at a time against every target: each target slice loaded once feeds two sums. */
static AVX512 INLINE void scores_fixed(const wv_weights *w, const wv_rows *b, const int NT) {
    const int64_t dim = w->dim;
    const float *t[WV_GROUP];
    for (int k = 0; k < NT; k++) t[k] = wv_out_row(w, b->targets[k]);
    for (int j = 0; j < b->n_contexts; j += 2) {
        const int two = j + 1 < b->n_contexts;
        const float *c0 = wv_in_row(w, b->contexts[j]);
        const float *c1 = two ? wv_in_row(w, b->contexts[j + 1]) : c0;
        __m512 acc0[WV_GROUP], acc1[WV_GROUP];
        for (int k = 0; k < WV_GROUP; k++) acc0[k] = acc1[k] = _mm512_setzero_ps();
        for (int64_t x = 0; x < dim; x += 16) {
            const __mmask16 m = slice_mask(dim, x);
            const __m512 cv0 = _mm512_maskz_loadu_ps(m, c0 + x), cv1 = _mm512_maskz_loadu_ps(m, c1 + x);
            for (int k = 0; k < NT; k++) {
                const __m512 tv = _mm512_maskz_loadu_ps(m, t[k] + x);
                acc0[k] = _mm512_fmadd_ps(cv0, tv, acc0[k]);
                acc1[k] = _mm512_fmadd_ps(cv1, tv, acc1[k]);
            }
        }
        store_sums(acc0, b->grads + j * NT, NT);
        if (two) store_sums(acc1, b->grads + (j + 1) * NT, NT);
    }
}

static AVX512 INLINE void update_fixed(const wv_weights *w, const wv_rows *b, const int NT) {
    const int64_t dim = w->dim;
    float *t[WV_GROUP];
    for (int k = 0; k < NT; k++) t[k] = wv_out_row(w, b->targets[k]);
    for (int64_t x = 0; x < dim; x += 16) {
        const __mmask16 m = slice_mask(dim, x);
        __m512 tv[WV_GROUP], out[WV_GROUP];
        for (int k = 0; k < NT; k++) {
            tv[k] = _mm512_maskz_loadu_ps(m, t[k] + x);
            out[k] = tv[k];
        }
        for (int j = 0; j < b->n_contexts; j++) {
            float *c = wv_in_row(w, b->contexts[j]) + x;
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

/* Group against the hidden vector: one pass for the scores, one fused pass that reads
 * each output row once for the step and writes it once. */
static AVX512 INLINE void hidden_scores_fixed(const wv_weights *w, const wv_group *g, const int NT) {
    const int64_t dim = w->dim;
    const float *t[WV_GROUP];
    for (int k = 0; k < NT; k++) t[k] = wv_out_row(w, g->targets[k]);
    __m512 acc[WV_GROUP];
    for (int k = 0; k < WV_GROUP; k++) acc[k] = _mm512_setzero_ps();
    for (int64_t x = 0; x < dim; x += 16) {
        const __mmask16 m = slice_mask(dim, x);
        const __m512 h = _mm512_maskz_loadu_ps(m, g->hidden + x);
        for (int k = 0; k < NT; k++) acc[k] = _mm512_fmadd_ps(h, _mm512_maskz_loadu_ps(m, t[k] + x), acc[k]);
    }
    store_sums(acc, g->scores, NT);
}

static AVX512 INLINE void hidden_update_fixed(const wv_weights *w, const wv_group *g, const int NT) {
    const int64_t dim = w->dim;
    float *t[WV_GROUP];
    for (int k = 0; k < NT; k++) t[k] = wv_out_row(w, g->targets[k]);
    for (int64_t x = 0; x < dim; x += 16) {
        const __mmask16 m = slice_mask(dim, x);
        const __m512 h = _mm512_maskz_loadu_ps(m, g->hidden + x);
        __m512 step = _mm512_setzero_ps();
        for (int k = 0; k < NT; k++) {
            const __m512 c = _mm512_set1_ps(g->coef[k]);
            const __m512 row = _mm512_maskz_loadu_ps(m, t[k] + x);
            step = _mm512_fmadd_ps(c, row, step);
            _mm512_mask_storeu_ps(t[k] + x, m, _mm512_fmadd_ps(c, h, row));
        }
        _mm512_mask_storeu_ps(g->step + x, m, step);
    }
}

/* fn(w, b, NT) with NT = b->n_targets made a constant (1..8). */
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


AVX512 void wv_hidden_scores_avx512(const wv_weights *w, const wv_group *g) {
    if (g->n_targets > WV_GROUP) {
        wv_hidden_scores_generic(w, g);
        return;
    }
    DISPATCH(hidden_scores_fixed, w, g)
}

AVX512 void wv_hidden_update_avx512(const wv_weights *w, const wv_group *g) {
    if (g->n_targets > WV_GROUP) {
        wv_hidden_update_generic(w, g);
        return;
    }
    DISPATCH(hidden_update_fixed, w, g)
}


/* -- AVX2 with FMA (wv_code on CPUs without AVX-512) -----------------------------------------------------------
 *
 * The same scheme with 8 floats a slice (the last one masked) and 16 registers: a skip-gram block
 * one context at a time, the target slices read from memory by the FMAs (the small blocks of
 * prose's windows; larger ones are dense products, skipgram.c), and a group against a hidden vector. */
#define AVX2 __attribute__((target("avx2,fma")))

static AVX2 INLINE __m256i slice_mask8(int64_t dim, int64_t x) {
    const int64_t left = dim - x < 8 ? dim - x : 8;
    return _mm256_cmpgt_epi32(_mm256_set1_epi32((int)left), _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7));
}

static AVX2 INLINE __m256 load8(const float *p, __m256i m, int whole) {
    return whole ? _mm256_loadu_ps(p) : _mm256_maskload_ps(p, m);
}

static AVX2 INLINE void store8(float *p, __m256i m, int whole, __m256 v) {
    if (whole)
        _mm256_storeu_ps(p, v);
    else
        _mm256_maskstore_ps(p, m, v);
}

/* out[k] = the sum of v[k]'s lanes, for NT vectors. */
static AVX2 INLINE void store_sums8(const __m256 v[WV_GROUP], float *out, const int NT) {
    for (int k = 0; k < NT; k++) {
        const __m128 half = _mm_add_ps(_mm256_castps256_ps128(v[k]), _mm256_extractf128_ps(v[k], 1));
        const __m128 pair = _mm_add_ps(half, _mm_movehl_ps(half, half));
        out[k] = _mm_cvtss_f32(_mm_add_ss(pair, _mm_shuffle_ps(pair, pair, 1)));
    }
}

static AVX2 INLINE void scores_fixed8(const wv_weights *w, const wv_rows *b, const int NT) {
    const int64_t dim = w->dim;
    const float *t[WV_GROUP];
    for (int k = 0; k < NT; k++) t[k] = wv_out_row(w, b->targets[k]);
    for (int j = 0; j < b->n_contexts; j++) {
        const float *c = wv_in_row(w, b->contexts[j]);
        __m256 acc[WV_GROUP];
        for (int k = 0; k < WV_GROUP; k++) acc[k] = _mm256_setzero_ps();
        for (int64_t x = 0; x < dim; x += 8) {
            const int whole = x + 8 <= dim;
            const __m256i m = slice_mask8(dim, x);
            const __m256 cv = load8(c + x, m, whole);
            for (int k = 0; k < NT; k++) acc[k] = _mm256_fmadd_ps(cv, load8(t[k] + x, m, whole), acc[k]);
        }
        store_sums8(acc, b->grads + j * NT, NT);
    }
}

static AVX2 INLINE void update_fixed8(const wv_weights *w, const wv_rows *b, const int NT) {
    const int64_t dim = w->dim;
    float *t[WV_GROUP];
    for (int k = 0; k < NT; k++) t[k] = wv_out_row(w, b->targets[k]);
    for (int64_t x = 0; x < dim; x += 8) {
        const int whole = x + 8 <= dim;
        const __m256i m = slice_mask8(dim, x);
        __m256 out[WV_GROUP];
        for (int k = 0; k < NT; k++) out[k] = load8(t[k] + x, m, whole);
        for (int j = 0; j < b->n_contexts; j++) {
            float *c = wv_in_row(w, b->contexts[j]) + x;
            const float *g = b->grads + j * NT;
            const __m256 cv = load8(c, m, whole);
            __m256 cn = cv;
            for (int k = 0; k < NT; k++) {
                const __m256 gk = _mm256_set1_ps(g[k]);
                cn = _mm256_fmadd_ps(gk, load8(t[k] + x, m, whole), cn); /* the target as it was */
                out[k] = _mm256_fmadd_ps(gk, cv, out[k]);
            }
            store8(c, m, whole, cn);
        }
        for (int k = 0; k < NT; k++) store8(t[k] + x, m, whole, out[k]);
    }
}

static AVX2 INLINE void hidden_scores_fixed8(const wv_weights *w, const wv_group *g, const int NT) {
    const int64_t dim = w->dim;
    const float *t[WV_GROUP];
    for (int k = 0; k < NT; k++) t[k] = wv_out_row(w, g->targets[k]);
    __m256 acc[WV_GROUP];
    for (int k = 0; k < WV_GROUP; k++) acc[k] = _mm256_setzero_ps();
    for (int64_t x = 0; x < dim; x += 8) {
        const int whole = x + 8 <= dim;
        const __m256i m = slice_mask8(dim, x);
        const __m256 h = load8(g->hidden + x, m, whole);
        for (int k = 0; k < NT; k++) acc[k] = _mm256_fmadd_ps(h, load8(t[k] + x, m, whole), acc[k]);
    }
    store_sums8(acc, g->scores, NT);
}

static AVX2 INLINE void hidden_update_fixed8(const wv_weights *w, const wv_group *g, const int NT) {
    const int64_t dim = w->dim;
    float *t[WV_GROUP];
    for (int k = 0; k < NT; k++) t[k] = wv_out_row(w, g->targets[k]);
    for (int64_t x = 0; x < dim; x += 8) {
        const int whole = x + 8 <= dim;
        const __m256i m = slice_mask8(dim, x);
        const __m256 h = load8(g->hidden + x, m, whole);
        __m256 step = _mm256_setzero_ps();
        for (int k = 0; k < NT; k++) {
            const __m256 c = _mm256_set1_ps(g->coef[k]);
            const __m256 row = load8(t[k] + x, m, whole);
            step = _mm256_fmadd_ps(c, row, step);
            store8(t[k] + x, m, whole, _mm256_fmadd_ps(c, h, row));
        }
        store8(g->step + x, m, whole, step);
    }
}

AVX2 void wv_scores_avx2(const wv_weights *w, const wv_rows *b) {
    if (b->n_targets > WV_GROUP) {
        wv_scores_generic(w, b);
        return;
    }
    DISPATCH(scores_fixed8, w, b)
}

AVX2 void wv_update_avx2(const wv_weights *w, const wv_rows *b) {
    if (b->n_targets > WV_GROUP) {
        wv_update_generic(w, b);
        return;
    }
    DISPATCH(update_fixed8, w, b)
}

AVX2 void wv_hidden_scores_avx2(const wv_weights *w, const wv_group *g) {
    if (g->n_targets > WV_GROUP) {
        wv_hidden_scores_generic(w, g);
        return;
    }
    DISPATCH(hidden_scores_fixed8, w, g)
}

AVX2 void wv_hidden_update_avx2(const wv_weights *w, const wv_group *g) {
    if (g->n_targets > WV_GROUP) {
        wv_hidden_update_generic(w, g);
        return;
    }
    DISPATCH(hidden_update_fixed8, w, g)
}

#endif
