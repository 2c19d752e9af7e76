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


int wv_hot_begin(wv_weights *local, const wv_settings *settings, hot_rows *hot) {
    const int64_t n_hot = settings->hot_rows;
    hot->size = n_hot * local->dim;
    hot->every = settings->hot_sync > 0 ? settings->hot_sync : INT64_MAX;
    hot->copy = hot->before = NULL;
    if (n_hot <= 0) return 0;
    hot->copy = malloc((size_t)hot->size * sizeof(float));
    hot->before = malloc((size_t)hot->size * sizeof(float));
    if (!hot->copy || !hot->before) return -1;
    memcpy(hot->before, local->w_out, (size_t)hot->size * sizeof(float));
    memcpy(hot->copy, hot->before, (size_t)hot->size * sizeof(float));
    local->n_hot = n_hot;
    local->hot_out = hot->copy;
    return 0;
}

void wv_hot_sync(const wv_weights *shared, hot_rows *hot) {
    if (!hot->copy) return;
    for (int64_t x = 0; x < hot->size; x++) shared->w_out[x] += hot->copy[x] - hot->before[x];
    memcpy(hot->before, shared->w_out, (size_t)hot->size * sizeof(float));
    memcpy(hot->copy, hot->before, (size_t)hot->size * sizeof(float));
}

void wv_hot_end(const wv_weights *shared, hot_rows *hot, int trained) {
    if (trained && hot->copy)
        for (int64_t x = 0; x < hot->size; x++) shared->w_out[x] += hot->copy[x] - hot->before[x];
    free(hot->copy);
    free(hot->before);
}

