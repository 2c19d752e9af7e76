/* Which row arithmetic runs: AVX-512 where the CPU has it, else AVX2 with FMA, else the portable code. */
#include "blocks.h"
#include "rows.h"

static const wv_row_code generic = {wv_scores_generic, wv_update_generic, wv_hidden_scores_generic,
                                    wv_hidden_update_generic};
#ifdef WV_HAVE_AVX512
static const wv_row_code avx512 = {wv_scores_avx512, wv_update_avx512, wv_hidden_scores_avx512,
                                   wv_hidden_update_avx512};
static const wv_row_code avx2 = {wv_scores_by_products, wv_update_by_products, wv_hidden_scores_avx2,
                                 wv_hidden_update_avx2};
#endif

wv_row_code wv_code = {wv_scores_generic, wv_update_generic, wv_hidden_scores_generic, wv_hidden_update_generic};
static int use_generic = 0;

static void choose_code(void) {
    wv_code = generic;
    wv_blocks.products = wv_products_generic;
    wv_blocks.combine = wv_combine_generic;
#ifdef WV_HAVE_AVX512
    __builtin_cpu_init(); /* needed where this runs as the library loads */
    if (use_generic) return;
    const int has_avx2 = __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
    if (__builtin_cpu_supports("avx512f"))
        wv_code = avx512;
    else if (has_avx2)
        wv_code = avx2;
    if (has_avx2) {
        wv_blocks.products = wv_products_avx2;
        wv_blocks.combine = wv_combine_avx2;
    }
#endif
}

/* Chosen once, as the library loads, and again only when the portable code is forced:
 * the tasks running on several threads read the choice and never write it. */
void wv_use_generic(int generic_only) {
    use_generic = generic_only;
    choose_code();
}

#ifdef WV_HAVE_AVX512
__attribute__((constructor)) static void choose_at_load(void) { choose_code(); }
#endif

const char *wv_vector_code(void) {
#ifdef WV_HAVE_AVX512
    if (wv_code.scores == avx2.scores) return "avx2";
    if (wv_code.scores == avx512.scores) return "avx512";
#endif
    return "generic";
}
