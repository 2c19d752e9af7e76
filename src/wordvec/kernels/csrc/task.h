/* What every training task does around its training (internal; see task.c). */
#ifndef WORDVEC_TASK_H
#define WORDVEC_TASK_H

#include "random.h"
#include "wordvec_kernels.h"

/* The subsampled words of a task, cut into segments (documents). */
typedef struct {
    int32_t *words;
    int64_t n_words;
    int64_t *segments; /* segment s is words[segments[s]:segments[s + 1]] */
    double *rates;     /* trained at learning rate rates[s] */
} word_run;

/* Where a run's loop stands: the segment of the current word, its bounds and learning rate. */
typedef struct {
    int64_t segment, first, last;
    float lr;
} run_cursor;

#define WV_RUN_START {-1, 0, 0, 0.0f}

/* Move the cursor to word i's segment (segments without words are skipped). */
static inline void wv_run_advance(const word_run *run, int64_t i, run_cursor *at) {
    while (i >= at->last) {
        at->segment++;
        at->first = run->segments[at->segment];
        at->last = run->segments[at->segment + 1];
        at->lr = (float)run->rates[at->segment];
    }
}

/* Word i's window, words [*lo, *hi) of its segment, with a reach drawn from the next state
 * (1 to `window` words each side, as word2vec draws it), or the whole window where
 * `shrink` is 0 (the state advances all the same). Returns the state. */
static inline uint64_t wv_window(uint64_t state, int window, int shrink, int64_t i, const run_cursor *at,
                                 int64_t *lo, int64_t *hi) {
    state = next_state(state);
    const int64_t reach = shrink ? window - (int64_t)(uniform(state) * window) : window;
    *lo = i - reach > at->first ? i - reach : at->first;
    *hi = i + reach + 1 < at->last ? i + reach + 1 : at->last;
    return state;
}

/* Room for a run of up to n_tokens words; 0, or -1 when memory is short (free it either way). */
int wv_run_alloc(word_run *run, int64_t n_tokens);
void wv_run_free(word_run *run);

/* Keep each token of positions start:end with its word's probability, one segment per
 * document, each at the learning rate of its first position. Returns the state. */
uint64_t wv_subsample_range(const wv_stream *stream, const wv_sampler *sampler, const wv_settings *settings,
                            int64_t start, int64_t end, uint64_t state, word_run *run);

/* Every thread writes the output rows of the most frequent words (as centre and as
 * noise words) all the time; shared, each write takes the cache line from the other
 * core. A task trains its own copy of the first n_hot output rows instead and, every
 * `every` centre words and at its end, adds what it changed to the shared rows (which
 * other tasks may have moved meanwhile) and takes a fresh copy. The input rows (the word vectors) stay shared: a copy of those trains
 * measurably worse vectors (SimLex-999 -0.012 on the benchmark corpus). The rows of the
 * tree's inner nodes nearest the root (on every path) get the same treatment. */
typedef struct {
    float *copy;   /* n_hot rows, laid out as the shared ones (stride apart, 64-byte aligned), trained */
    int64_t every; /* merged into the shared rows after this many centre words, and at the end */
    float *before; /* the same rows as the task found them */
    float *shared; /* the shared rows */
    int64_t n_rows, dim, stride;
    void *blocks[2]; /* what copy and before were cut from (to free) */
} hot_rows;

/* Copy the first n_rows rows of `shared` (stride floats apart, dim used) into hot->copy, to be
 * merged back as below; 0 (also for n_rows <= 0, with no copy), or -1 when memory is short. */
int wv_hot_copy(float *shared, int64_t n_rows, int64_t dim, int64_t stride, int64_t every, hot_rows *hot);
/* Point `local` at a copy of the first n_hot rows of its output matrix (local->w_out), merged
 * every `every` centre words (0: only at the end); 0, or -1 when memory is short. */
int wv_hot_begin(wv_weights *local, int64_t n_hot, int64_t every, hot_rows *hot);
/* Add the copy's changes to the shared rows and take a fresh copy (during a task). */
void wv_hot_sync(hot_rows *hot);
/* Add the copy's changes to the shared rows (when `trained`), and free it. */
void wv_hot_end(hot_rows *hot, int trained);

#endif
