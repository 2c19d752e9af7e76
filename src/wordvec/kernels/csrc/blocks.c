/* Small dense products on rows given by pointers (see blocks.h): plain loops, and AVX2 register
 * tiles. */
#include "blocks.h"
#include "steps.h"

wv_block_code wv_blocks = {wv_products_generic, wv_combine_generic};

/* The columns row `row` needs: all n, or its first triangle + row. */
static int wanted(int triangle, int row, int n) { return triangle >= 0 && triangle + row < n ? triangle + row : n; }

static float dot(const float *a, const float *b, int64_t n) {
    float partial[8] = {0};
    int64_t x = 0;
    for (; x + 8 <= n; x += 8)
        for (int l = 0; l < 8; l++) partial[l] += a[x + l] * b[x + l];
    float sum = 0.0f;
    for (; x < n; x++) sum += a[x] * b[x];
    for (int l = 0; l < 8; l++) sum += partial[l];
    return sum;
}

WV_VECTOR_CLONES void wv_products_generic(const wv_products_job *job) {
    for (int a = 0; a < job->n_left; a++) {
        const int n_right = wanted(job->triangle, a, job->n_right);
        for (int b = 0; b < n_right; b++) job->out[a * job->ld + b] = dot(job->left[a], job->right[b], job->dim);
    }
}

/* The first column of row r's skipped band, and the first after it. */
static void skipped(int skip, int row, int n, int *from, int *to) {
    *from = skip >= 0 && skip < n ? skip : n;
    *to = skip >= 0 && skip + row < n ? skip + row : n;
    if (*to < *from) *to = *from;
}

WV_VECTOR_CLONES void wv_combine_generic(const wv_combine_job *job) {
    const int64_t dim = job->dim;
    for (int r = 0; r < job->n_out; r++) {
        int from, to;
        skipped(job->skip, r, job->n_rows, &from, &to);
        const float *coef = job->coef + r * job->ld;
        for (int64_t x0 = 0; x0 < dim; x0 += 8) {
            const int n = dim - x0 < 8 ? (int)(dim - x0) : 8;
            float sum[8] = {0};
            for (int c = 0; c < job->n_rows; c = c + 1 == from ? to : c + 1)
                for (int l = 0; l < n; l++) sum[l] += coef[c] * job->rows[c][x0 + l];
            for (int l = 0; l < n; l++) job->out[r][x0 + l] += sum[l];
        }
    }
}

#ifdef WV_HAVE_BLOCKS_AVX2
#include <immintrin.h>

#define AVX2 __attribute__((target("avx2,fma")))
#define INLINE inline __attribute__((always_inline))

/* The first `left` lanes set (0 < left < 8). */
static AVX2 INLINE __m256i first_lanes(int64_t left) {
    return _mm256_cmpgt_epi32(_mm256_set1_epi32((int)left), _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7));
}

/* The lane sums of 8 vectors, as one vector: lane i the sum of v[i]. */
static AVX2 INLINE __m256 sum_lanes(__m256 v0, __m256 v1, __m256 v2, __m256 v3, __m256 v4, __m256 v5, __m256 v6,
                                    __m256 v7) {
    const __m256 u0 = _mm256_hadd_ps(_mm256_hadd_ps(v0, v1), _mm256_hadd_ps(v2, v3));
    const __m256 u1 = _mm256_hadd_ps(_mm256_hadd_ps(v4, v5), _mm256_hadd_ps(v6, v7));
    return _mm256_add_ps(_mm256_permute2f128_ps(u0, u1, 0x20), _mm256_permute2f128_ps(u0, u1, 0x31));
}

/* Left rows a0.. (NA <= 2) against right rows b0.. (NB <= 4): the sums in registers, each slice of
 * a right row loaded once for both left rows; the last slice masked when dim is not a multiple of 8. */
static AVX2 INLINE void product_tile(const wv_products_job *job, int a0, int b0, const int NA, const int NB) {
    const int64_t dim = job->dim, whole = dim & ~(int64_t)7;
    const float *a[2], *b[4];
    for (int i = 0; i < NA; i++) a[i] = job->left[a0 + i];
    for (int k = 0; k < NB; k++) b[k] = job->right[b0 + k];
    __m256 acc[8], bv[4], av[2];
    for (int q = 0; q < 8; q++) acc[q] = _mm256_setzero_ps();
    for (int64_t x = 0; x < whole; x += 8) {
        for (int k = 0; k < NB; k++) {
            bv[k] = _mm256_loadu_ps(b[k] + x);
            __asm__("" : "+x"(bv[k])); /* kept in a register: read once, used by both left rows */
        }
        for (int i = 0; i < NA; i++) av[i] = _mm256_loadu_ps(a[i] + x);
        for (int i = 0; i < NA; i++)
            for (int k = 0; k < NB; k++) acc[4 * i + k] = _mm256_fmadd_ps(av[i], bv[k], acc[4 * i + k]);
    }
    if (whole < dim) {
        const __m256i m = first_lanes(dim - whole);
        for (int k = 0; k < NB; k++) bv[k] = _mm256_maskload_ps(b[k] + whole, m);
        for (int i = 0; i < NA; i++) av[i] = _mm256_maskload_ps(a[i] + whole, m);
        for (int i = 0; i < NA; i++)
            for (int k = 0; k < NB; k++) acc[4 * i + k] = _mm256_fmadd_ps(av[i], bv[k], acc[4 * i + k]);
    }
    float sums[8];
    _mm256_storeu_ps(sums, sum_lanes(acc[0], acc[1], acc[2], acc[3], acc[4], acc[5], acc[6], acc[7]));
    for (int i = 0; i < NA; i++) {
        const int n = wanted(job->triangle, a0 + i, b0 + NB) - b0;
        for (int k = 0; k < n; k++) job->out[(a0 + i) * job->ld + b0 + k] = sums[4 * i + k];
    }
}

#define PRODUCT_CASES(NA)                                     \
    switch (nb) {                                             \
    case 4: product_tile(job, a0, b0, NA, 4); break;          \
    case 3: product_tile(job, a0, b0, NA, 3); break;          \
    case 2: product_tile(job, a0, b0, NA, 2); break;          \
    default: product_tile(job, a0, b0, NA, 1); break;         \
    }

AVX2 void wv_products_avx2(const wv_products_job *job) {
    for (int a0 = 0; a0 < job->n_left; a0 += 2) {
        const int na = job->n_left - a0 < 2 ? job->n_left - a0 : 2;
        const int n_right = wanted(job->triangle, a0 + na - 1, job->n_right);
        for (int b0 = 0; b0 < n_right; b0 += 4) {
            const int nb = n_right - b0 < 4 ? n_right - b0 : 4;
            if (na == 2) {
                PRODUCT_CASES(2)
            } else {
                PRODUCT_CASES(1)
            }
        }
    }
}

/* acc[i][s] += coef of row i at source c times the source's slices x, x + 8 (NS of them). */
static AVX2 INLINE void combine_source(const wv_combine_job *job, const float *const coef[4], int c, int64_t x,
                                       __m256 acc[4][2], const int NR, const int NS) {
    const float *row = job->rows[c] + x;
    __m256 v[2];
    for (int t = 0; t < NS; t++) v[t] = _mm256_loadu_ps(row + 8 * t);
    for (int i = 0; i < NR; i++) {
        const __m256 k = _mm256_broadcast_ss(coef[i] + c);
        for (int t = 0; t < NS; t++) acc[i][t] = _mm256_fmadd_ps(k, v[t], acc[i][t]);
    }
}

/* Output rows r0.. (NR <= 4) over the whole slices [x, x + 8 * NS): the sums in registers, each
 * slice of a source row loaded once for all output rows; written after every source is read. */
static AVX2 INLINE void combine_tile(const wv_combine_job *job, int r0, int from, int to, int64_t x, const int NR,
                                     const int NS) {
    const float *coef[4];
    for (int i = 0; i < NR; i++) coef[i] = job->coef + (r0 + i) * job->ld;
    __m256 acc[4][2];
    for (int i = 0; i < NR; i++)
        for (int t = 0; t < NS; t++) acc[i][t] = _mm256_setzero_ps();
    for (int c = 0; c < from; c++) combine_source(job, coef, c, x, acc, NR, NS);
    for (int c = to; c < job->n_rows; c++) combine_source(job, coef, c, x, acc, NR, NS);
    for (int i = 0; i < NR; i++) {
        float *out = job->out[r0 + i] + x;
        for (int t = 0; t < NS; t++) _mm256_storeu_ps(out + 8 * t, _mm256_add_ps(_mm256_loadu_ps(out + 8 * t), acc[i][t]));
    }
}

/* The last dim % 8 floats of output rows r0..r0 + nr - 1, one float at a time. */
static void combine_tail(const wv_combine_job *job, int r0, int nr, int from, int to) {
    for (int i = 0; i < nr; i++)
        for (int64_t x = job->dim & ~(int64_t)7; x < job->dim; x++) {
            float sum = 0.0f;
            for (int c = 0; c < job->n_rows; c = c + 1 == from ? to : c + 1)
                sum += job->coef[(r0 + i) * job->ld + c] * job->rows[c][x];
            job->out[r0 + i][x] += sum;
        }
}

#define COMBINE_CASES(NS)                                         \
    switch (nr) {                                                 \
    case 4: combine_tile(job, r0, from, to, x, 4, NS); break;     \
    case 3: combine_tile(job, r0, from, to, x, 3, NS); break;     \
    case 2: combine_tile(job, r0, from, to, x, 2, NS); break;     \
    default: combine_tile(job, r0, from, to, x, 1, NS); break;    \
    }

AVX2 void wv_combine_avx2(const wv_combine_job *job) {
    const int64_t whole = job->dim & ~(int64_t)7;
    for (int r0 = 0; r0 < job->n_out; r0 += 4) {
        const int nr = job->n_out - r0 < 4 ? job->n_out - r0 : 4;
        int from, to; /* the band all the tile's rows skip: that of its first row */
        skipped(job->skip, r0, job->n_rows, &from, &to);
        int64_t x = 0;
        for (; x + 16 <= whole; x += 16) COMBINE_CASES(2)
        if (x < whole) COMBINE_CASES(1)
        /* the tail is read after the slices before it were written: rows that are both outputs and
         * sources (c >= r) are read only by the rows at or below them, which come later or in this tile */
        combine_tail(job, r0, nr, from, to);
    }
}
#endif
