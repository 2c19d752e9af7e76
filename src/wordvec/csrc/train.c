/* A task: subsample a range of the token stream, then train every centre word in it. */
#include <stdlib.h>
#include <string.h>

#include "steps.h"
#include "wordvec_kernels.h"

/* -- splitmix64, counter-based: state += golden gamma, output = mix(state) ------------- */

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
    for (int64_t offset = 0; offset < bytes; offset += 64) __builtin_prefetch(start + offset, 1, 3);
    __builtin_prefetch(start + bytes - 1, 1, 3);
}

/* -- the subsampled run of a task: words cut into segments (documents) ------------------ */

typedef struct {
    int32_t *words;
    int64_t n_words;
    int64_t *segments; /* segment s is words[segments[s]:segments[s + 1]] */
    double *rates;     /* trained at learning rate rates[s] */
} word_run;

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
static uint64_t subsample_range(const wv_stream *stream, const wv_sampler *sampler, const wv_settings *settings,
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

/* targets[0] = words[i], then negative noise words; their rows are prefetched for writing. */
static uint64_t draw_targets(const word_run *run, int64_t i, int n_targets, const wv_sampler *sampler,
                             uint64_t state, int32_t *targets, const wv_weights *w) {
    targets[0] = run->words[i];
    prefetch_row(wv_out_row(w, targets[0]), w->dim);
    for (int k = 1; k < n_targets; k++) {
        state = next_state(state);
        targets[k] = draw_noise(state, sampler);
        prefetch_row(wv_out_row(w, targets[k]), w->dim);
    }
    return state;
}

/* -- the hot rows: a task's own copy of the most frequent words' output rows ------------- */

/* Every thread writes the output rows of the most frequent words (as centre and as
 * noise words) all the time; shared, each write takes the cache line from the other
 * core. A task trains its own copy of the first n_hot output rows instead and, at its
 * end, adds what it changed to the shared rows (which other tasks may have moved
 * meanwhile). The input rows (the word vectors) stay shared: a copy of those trains
 * measurably worse vectors (SimLex-999 -0.012 on the benchmark corpus). */
typedef struct {
    float *copy;   /* n_hot x dim, trained */
    float *before; /* the same rows as the task found them */
    int64_t size;  /* n_hot x dim */
} hot_rows;

static int hot_begin(wv_weights *local, int64_t n_hot, hot_rows *hot) {
    hot->size = n_hot * local->dim;
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

static void hot_end(const wv_weights *shared, hot_rows *hot, int trained) {
    if (trained && hot->copy)
        for (int64_t x = 0; x < hot->size; x++) shared->w_out[x] += hot->copy[x] - hot->before[x];
    free(hot->copy);
    free(hot->before);
}

typedef struct {
    int32_t *contexts;
    int32_t *targets; /* 2 x n_targets: the current word's and the next one's, drawn ahead */
    wv_scratch steps;
} task_scratch;

/* Train on a subsampled run; no window crosses a segment. The targets of word i + 1
 * are drawn (and their rows prefetched) while word i trains. */
static void train_words(const wv_weights *w, const word_run *run, const wv_sampler *sampler,
                        const wv_settings *settings, uint64_t state, task_scratch *scratch, wv_loss *loss) {
    const int window = settings->window, n_targets = settings->negative + 1;
    int64_t counter = 0, segment = -1, first = 0, last = 0;
    float lr = 0.0f;
    if (run->n_words > 0) state = draw_targets(run, 0, n_targets, sampler, state, scratch->targets, w);
    for (int64_t i = 0; i < run->n_words; i++) {
        while (i >= last) {
            segment++;
            first = run->segments[segment];
            last = run->segments[segment + 1];
            lr = (float)run->rates[segment];
        }
        const int32_t *now = scratch->targets + (i & 1) * n_targets;
        if (i + 1 < run->n_words) {
            state = draw_targets(run, i + 1, n_targets, sampler, state, scratch->targets + ((i + 1) & 1) * n_targets, w);
            if (i + 1 + window < run->n_words) prefetch_row(wv_in_row(w, run->words[i + 1 + window]), w->dim);
        }
        state = next_state(state);
        const int64_t reach = window - (int64_t)(uniform(state) * window);
        const int64_t lo = i - reach > first ? i - reach : first, hi = i + reach + 1 < last ? i + reach + 1 : last;
        int n_contexts = 0;
        for (int64_t j = lo; j < hi; j++)
            if (j != i) scratch->contexts[n_contexts++] = run->words[j];
        if (n_contexts == 0) continue;
        wv_loss *step_loss = counter % settings->loss_every == 0 ? loss : NULL;
        counter++;
        const wv_block block = {scratch->contexts, n_contexts, now, n_targets};
        if (settings->model == WV_SKIP_GRAM)
            wv_skipgram_step(w, &block, lr, settings, &scratch->steps, step_loss);
        else
            wv_cbow_step_on(w, &block, lr, settings, &scratch->steps, step_loss);
    }
}

int wv_train_task(const wv_weights *weights, const wv_stream *stream, const wv_sampler *sampler,
                  const wv_settings *settings, int64_t start, int64_t end, uint64_t seed, double *loss_out) {
    const int64_t n = end - start > 1 ? end - start : 1;
    word_run run = {malloc((size_t)n * sizeof(int32_t)), 0, malloc((size_t)(n + 1) * sizeof(int64_t)),
                    malloc((size_t)n * sizeof(double))};
    task_scratch scratch = {malloc(2 * (size_t)settings->window * sizeof(int32_t) + 4),
                            malloc(2 * (size_t)(settings->negative + 1) * sizeof(int32_t)), {0}};
    int status = -1;
    wv_loss loss = {0.0, 0};
    wv_weights local = *weights;
    hot_rows hot;
    const int ready = hot_begin(&local, settings->hot_rows, &hot) == 0;
    if (wv_scratch_init(&scratch.steps, settings->window, settings->negative, weights->dim) == 0 && ready &&
        run.words && run.segments && run.rates && scratch.contexts && scratch.targets) {
        wv_choose_code();
        const uint64_t state = subsample_range(stream, sampler, settings, start, end, seed, &run);
        train_words(&local, &run, sampler, settings, state, &scratch, &loss);
        status = 0;
    }
    hot_end(weights, &hot, status == 0);
    wv_scratch_free(&scratch.steps);
    free(scratch.contexts);
    free(scratch.targets);
    free(run.words);
    free(run.segments);
    free(run.rates);
    loss_out[0] = loss.sum;
    loss_out[1] = (double)loss.terms;
    return status;
}

/* -- scratch, and single steps for the tests ---------------------------------------------- */

int wv_scratch_init(wv_scratch *s, int32_t window, int32_t negative, int64_t dim) {
    const size_t contexts = 2 * (size_t)window + 1, targets = (size_t)negative + 1;
    const size_t coef = contexts > targets ? contexts : targets;
    s->contexts = malloc(contexts * sizeof(int32_t));
    s->context_repeats = malloc(contexts * sizeof(int32_t));
    s->targets = malloc(targets * sizeof(int32_t));
    s->target_repeats = malloc(targets * sizeof(int32_t));
    s->grads = malloc(contexts * targets * sizeof(float));
    s->hidden = malloc((size_t)dim * sizeof(float));
    s->hidden_grad = malloc((size_t)dim * sizeof(float));
    s->coef = malloc(coef * sizeof(float));
    return s->contexts && s->context_repeats && s->targets && s->target_repeats && s->grads && s->hidden &&
                   s->hidden_grad && s->coef ? 0 : -1;
}

void wv_scratch_free(wv_scratch *s) {
    free(s->contexts);
    free(s->context_repeats);
    free(s->targets);
    free(s->target_repeats);
    free(s->grads);
    free(s->hidden);
    free(s->hidden_grad);
    free(s->coef);
}

static int one_step(const wv_weights *weights, const wv_block *block, double lr, const wv_settings *settings,
                    double *loss_out) {
    wv_scratch scratch;
    const int window = (block->n_contexts + 1) / 2;
    if (wv_scratch_init(&scratch, window, block->n_targets - 1, weights->dim) != 0) {
        wv_scratch_free(&scratch);
        return -1;
    }
    wv_choose_code();
    wv_loss loss = {0.0, 0};
    if (settings->model == WV_SKIP_GRAM)
        wv_skipgram_step(weights, block, (float)lr, settings, &scratch, &loss);
    else
        wv_cbow_step_on(weights, block, (float)lr, settings, &scratch, &loss);
    wv_scratch_free(&scratch);
    loss_out[0] = loss.sum;
    loss_out[1] = (double)loss.terms;
    return 0;
}

int wv_sgns_block(const wv_weights *weights, const wv_block *block, double lr, const wv_settings *settings,
                  double *loss_out) {
    wv_settings skipgram = *settings;
    skipgram.model = WV_SKIP_GRAM;
    return one_step(weights, block, lr, &skipgram, loss_out);
}

int wv_cbow_step(const wv_weights *weights, const wv_block *block, double lr, const wv_settings *settings,
                 double *loss_out) {
    wv_settings cbow = *settings;
    cbow.model = WV_CBOW;
    return one_step(weights, block, lr, &cbow, loss_out);
}

/* The library is loaded with ctypes, never imported; build tools that export a module's
 * init function from every extension (setuptools on Windows) find this one. */
void *PyInit__wordvec_kernels(void) { return 0; }
