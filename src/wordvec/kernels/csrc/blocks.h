/* Small dense products on rows given by pointers (internal): rows of `dim` floats.
 *
 * products: out[a * ld + b] = left[a] . right[b] for a < n_left, b < n_right
 *           (with `triangle` >= 0, only b < triangle + a: no other entry is written)
 * combine:  out[r] += sum_c coef[r * ld + c] * rows[c] for r < n_out, c < n_rows, in order of r; an
 *           output row may be a source row c >= r (read as it was before this job). With `skip` >= 0,
 *           row r skips the columns skip <= c < skip + r, whose coefficients the caller has set to
 *           zero (they may be read).
 *
 * The code in use is chosen as the library loads, with the row arithmetic (vector_code.c):
 * AVX2 with FMA register tiles where the CPU has them, else plain loops. */
#ifndef WORDVEC_BLOCKS_H
#define WORDVEC_BLOCKS_H

#include <stdint.h>

typedef struct {
    const float *const *left;
    const float *const *right;
    int32_t n_left, n_right;
    int64_t dim;
    float *out;
    int32_t ld;
    int32_t triangle;
} wv_products_job;

typedef struct {
    const float *coef;
    int32_t n_out, n_rows, ld;
    const float *const *rows;
    int64_t dim;
    float *const *out;
    int32_t skip;
} wv_combine_job;

typedef struct {
    void (*products)(const wv_products_job *);
    void (*combine)(const wv_combine_job *);
} wv_block_code;

extern wv_block_code wv_blocks;

void wv_products_generic(const wv_products_job *job);
void wv_combine_generic(const wv_combine_job *job);
#if defined(__GNUC__) && defined(__x86_64__)
#define WV_HAVE_BLOCKS_AVX2 1
void wv_products_avx2(const wv_products_job *job);
void wv_combine_avx2(const wv_combine_job *job);
#endif

/* n rounded up to a multiple of 8 */
static inline int64_t wv_block_width(int64_t n) { return (n + 7) / 8 * 8; }

#endif
