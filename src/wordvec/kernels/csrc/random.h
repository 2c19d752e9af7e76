/* Random numbers of the training tasks (internal): counter-based splitmix64,
 * state += golden gamma, output = mix(state); and the row prefetch. */
#ifndef WORDVEC_RANDOM_H
#define WORDVEC_RANDOM_H

#include "compiler.h"
#include "wordvec_kernels.h"

static inline uint64_t next_state(uint64_t state) { return state + 0x9E3779B97F4A7C15ULL; }

static inline uint64_t mix(uint64_t z) {
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
    return z ^ (z >> 31);
}

static inline double uniform(uint64_t state) { return (double)(mix(state) >> 11) * (1.0 / 9007199254740992.0); }

/* A noise word from one 64-bit draw: the high half picks a slot, the low half accepts it. */
static inline int32_t draw_noise(uint64_t state, const wv_sampler *sampler) {
    const uint64_t z = mix(state);
    const uint64_t slot = ((z >> 32) * (uint64_t)sampler->noise_size) >> 32;
    if ((double)(z & 0xFFFFFFFFULL) * (1.0 / 4294967296.0) < (double)sampler->noise_accept[slot]) return (int32_t)slot;
    return sampler->noise_alias[slot];
}

static inline void prefetch_row(const float *row, int64_t dim) {
    const char *start = (const char *)row;
    const int64_t bytes = dim * (int64_t)sizeof(float);
    for (int64_t offset = 0; offset < bytes; offset += 64) WV_PREFETCH_WRITE(start + offset);
    WV_PREFETCH_WRITE(start + bytes - 1);
}

#endif
