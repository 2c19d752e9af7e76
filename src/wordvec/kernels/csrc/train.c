/* A task: subsample a range of the token stream, then train every centre word in it. */
#include <stdlib.h>
#include <string.h>

#include "random.h"
#include "steps.h"
#include "task.h"

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

typedef struct {
    int32_t *contexts;
    int32_t *targets; /* 2 x n_targets: the current word's and the next one's, drawn ahead */
    wv_scratch steps;
    const wv_weights *shared; /* the weights the hot rows are merged into */
    hot_rows *hot;
} task_scratch;

/* Train on a subsampled run; no window crosses a segment. The targets of word i + 1
 * are drawn (and their rows prefetched) while word i trains. */
static void train_words(const wv_weights *w, const word_run *run, const wv_sampler *sampler,
                        const wv_settings *settings, uint64_t state, task_scratch *scratch, wv_loss *loss) {
    const int window = settings->window, n_targets = settings->negative + 1;
    int64_t counter = 0;
    run_cursor at = WV_RUN_START;
    if (run->n_words > 0) state = draw_targets(run, 0, n_targets, sampler, state, scratch->targets, w);
    for (int64_t i = 0; i < run->n_words; i++) {
        wv_run_advance(run, i, &at);
        if (i > 0 && i % scratch->hot->every == 0) wv_hot_sync(scratch->shared, scratch->hot);
        const int32_t *now = scratch->targets + (i & 1) * n_targets;
        if (i + 1 < run->n_words) {
            state = draw_targets(run, i + 1, n_targets, sampler, state, scratch->targets + ((i + 1) & 1) * n_targets, w);
            if (i + 1 + window < run->n_words) prefetch_row(wv_in_row(w, run->words[i + 1 + window]), w->dim);
        }
        int64_t lo, hi;
        state = wv_window(state, window, i, &at, &lo, &hi);
        int n_contexts = 0;
        for (int64_t j = lo; j < hi; j++)
            if (j != i) scratch->contexts[n_contexts++] = run->words[j];
        if (n_contexts == 0) continue;
        wv_loss *step_loss = counter % settings->loss_every == 0 ? loss : NULL;
        counter++;
        const wv_block block = {scratch->contexts, n_contexts, now, n_targets};
        if (settings->model == WV_SKIP_GRAM)
            wv_skipgram_step(w, &block, at.lr, settings, &scratch->steps, step_loss);
        else
            wv_cbow_step_on(w, &block, at.lr, settings, &scratch->steps, step_loss);
    }
}

int wv_train_task(const wv_weights *weights, const wv_stream *stream, const wv_sampler *sampler,
                  const wv_settings *settings, const wv_task *task, double *loss_out) {
    word_run run;
    hot_rows hot;
    wv_weights local = *weights;
    task_scratch scratch = {malloc(2 * (size_t)settings->window * sizeof(int32_t) + 4),
                            malloc(2 * (size_t)(settings->negative + 1) * sizeof(int32_t)), {0}, weights, &hot};
    int status = -1;
    wv_loss loss = {0.0, 0};
    const int ready = wv_run_alloc(&run, task->end - task->start) == 0;
    if (wv_hot_begin(&local, settings, &hot) == 0 && ready &&
        wv_scratch_init(&scratch.steps, settings->window, settings->negative, weights->dim) == 0 &&
        scratch.contexts && scratch.targets) {
        const uint64_t state = wv_subsample_range(stream, sampler, settings, task->start, task->end, task->seed, &run);
        train_words(&local, &run, sampler, settings, state, &scratch, &loss);
        status = 0;
    }
    wv_hot_end(weights, &hot, status == 0);
    wv_scratch_free(&scratch.steps);
    free(scratch.contexts);
    free(scratch.targets);
    wv_run_free(&run);
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
    s->context_deltas = malloc(contexts * WV_SLICE * sizeof(float));
    return s->contexts && s->context_repeats && s->targets && s->target_repeats && s->grads && s->hidden &&
                   s->hidden_grad && s->coef && s->context_deltas ? 0 : -1;
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
    free(s->context_deltas);
}

static int one_step(const wv_weights *weights, const wv_block *block, double lr, const wv_settings *settings,
                    double *loss_out) {
    wv_scratch scratch;
    const int window = (block->n_contexts + 1) / 2;
    if (wv_scratch_init(&scratch, window, block->n_targets - 1, weights->dim) != 0) {
        wv_scratch_free(&scratch);
        return -1;
    }
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
WV_EXPORT void *PyInit__wordvec_kernels(void) { return 0; }
