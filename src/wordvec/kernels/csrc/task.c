/* What every training task does around its training: subsample its range, copy the hot rows. */
#include <stdlib.h>
#include <string.h>

#include "random.h"
#include "task.h"

int wv_run_alloc(word_run *run, int64_t n_tokens) {
    const int64_t n = n_tokens > 1 ? n_tokens : 1;
    run->words = malloc((size_t)n * sizeof(int32_t));
    run->segments = malloc((size_t)(n + 1) * sizeof(int64_t));
    run->rates = malloc((size_t)n * sizeof(double));
    run->n_words = 0;
    return run->words && run->segments && run->rates ? 0 : -1;
}

void wv_run_free(word_run *run) {
    free(run->words);
    free(run->segments);
    free(run->rates);
}


static int64_t first_above(const int64_t *a, int64_t n, int64_t value) { /* searchsorted side="right" */
    int64_t lo = 0, hi = n;
    while (lo < hi) {
        const int64_t mid = (lo + hi) / 2;
        if (a[mid] <= value) lo = mid + 1; else hi = mid;
    }
    return lo;
}

static int64_t first_at_least(const int64_t *a, int64_t n, int64_t value) { /* searchsorted side="left" */
    int64_t lo = 0, hi = n;
    while (lo < hi) {
        const int64_t mid = (lo + hi) / 2;
        if (a[mid] < value) lo = mid + 1; else hi = mid;
    }
    return lo;
}

/* Keep each token of positions start:end with its word's probability, one segment per
 * document, each at the learning rate of its first position. Returns the state. */
uint64_t wv_subsample_range(const wv_stream *stream, const wv_sampler *sampler, const wv_settings *settings,
                                int64_t start, int64_t end, uint64_t state, word_run *run) {
    const int64_t *offsets = stream->doc_offsets;
    const int64_t first_doc = first_above(offsets, stream->n_offsets, start) - 1;
    const int64_t last_doc = first_at_least(offsets, stream->n_offsets, end);
    const int64_t span = end - start > 1 ? end - start : 1;
    int64_t n_segments = 0;
    run->n_words = 0;
    run->segments[0] = 0;
    for (int64_t doc = first_doc; doc < last_doc; doc++) {
        const int64_t position = start > offsets[doc] ? start : offsets[doc];
        const int64_t stop = end < offsets[doc + 1] ? end : offsets[doc + 1];
        int64_t kept = 0;
        for (int64_t i = position; i < stop; i++) {
            const int32_t word = stream->tokens[i];
            state = next_state(state);
            const float keep = sampler->keep_prob[word];
            if (keep >= 1.0f || uniform(state) < (double)keep) run->words[run->n_words + kept++] = word;
        }
        if (kept == 0) continue;
        run->rates[n_segments] = settings->lr_start + (settings->lr_end - settings->lr_start) * (double)(position - start) / (double)span;
        run->n_words += kept;
        run->segments[++n_segments] = run->n_words;
    }
    return state;
}


/* n floats starting on a 64-byte boundary, cut from *block (free that); NULL when memory is short. */
static float *aligned_floats(int64_t n, void **block) {
    *block = malloc((size_t)n * sizeof(float) + 64);
    if (!*block) return NULL;
    return (float *)(((uintptr_t)*block + 63) & ~(uintptr_t)63);
}

static void copy_rows(float *to, const float *from, const hot_rows *hot) {
    for (int64_t r = 0; r < hot->n_rows; r++)
        memcpy(to + r * hot->stride, from + r * hot->stride, (size_t)hot->dim * sizeof(float));
}

int wv_hot_copy(float *shared, int64_t n_rows, int64_t dim, int64_t stride, int64_t every, hot_rows *hot) {
    hot->n_rows = n_rows;
    hot->dim = dim;
    hot->stride = stride;
    hot->shared = shared;
    hot->every = every > 0 ? every : INT64_MAX;
    hot->copy = hot->before = NULL;
    hot->blocks[0] = hot->blocks[1] = NULL;
    if (n_rows <= 0) return 0;
    hot->copy = aligned_floats(n_rows * stride, &hot->blocks[0]);
    hot->before = aligned_floats(n_rows * stride, &hot->blocks[1]);
    if (!hot->copy || !hot->before) {
        hot->copy = NULL;
        return -1;
    }
    copy_rows(hot->before, shared, hot);
    copy_rows(hot->copy, hot->before, hot);
    return 0;
}

int wv_hot_begin(wv_weights *local, int64_t n_hot, int64_t every, hot_rows *hot) {
    const int status = wv_hot_copy(local->w_out, n_hot, local->dim, local->stride, every, hot);
    if (status == 0 && hot->copy) {
        local->n_hot = n_hot;
        local->hot_out = hot->copy;
    }
    return status;
}

/* shared += copy - before, row by row; with `refresh`, copy and before become the sum too. */
static void merge_rows(hot_rows *hot, int refresh) {
    for (int64_t r = 0; r < hot->n_rows; r++) {
        float *WV_RESTRICT out = hot->shared + r * hot->stride;
        float *WV_RESTRICT copy = hot->copy + r * hot->stride, *WV_RESTRICT before = hot->before + r * hot->stride;
        if (refresh) {
            for (int64_t x = 0; x < hot->dim; x++) { /* one pass: each row read and written once */
                const float now = out[x] + (copy[x] - before[x]);
                out[x] = before[x] = copy[x] = now;
            }
        } else {
            for (int64_t x = 0; x < hot->dim; x++) out[x] += copy[x] - before[x];
        }
    }
}

void wv_hot_sync(hot_rows *hot) {
    if (hot->copy) merge_rows(hot, 1);
}

void wv_hot_end(hot_rows *hot, int trained) {
    if (trained && hot->copy) merge_rows(hot, 0);
    free(hot->blocks[0]);
    free(hot->blocks[1]);
}
