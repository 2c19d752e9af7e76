/* Which row arithmetic runs: AVX-512 where the CPU has it, else the portable code. */
#include "rows.h"

static const wv_row_code generic = {wv_scores_generic, wv_update_generic, wv_hidden_scores_generic,
                                    wv_hidden_update_generic};
#ifdef WV_HAVE_AVX512
static const wv_row_code avx512 = {wv_scores_avx512, wv_update_avx512, wv_hidden_scores_avx512,
                                   wv_hidden_update_avx512};
#endif

wv_row_code wv_code = {wv_scores_generic, wv_update_generic, wv_hidden_scores_generic, wv_hidden_update_generic};
static int use_generic = 0;

void wv_use_generic(int generic_only) { use_generic = generic_only; }

void wv_choose_code(void) {
#ifdef WV_HAVE_AVX512
    if (!use_generic && __builtin_cpu_supports("avx512f")) {
        wv_code = avx512;
        return;
    }
#endif
    wv_code = generic;
}

const char *wv_vector_code(void) {
    wv_choose_code();
    return wv_code.scores == wv_scores_generic ? "generic" : "avx512";
}
