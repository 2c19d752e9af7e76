/* A task: subsample a range of the token stream, then train every centre word in it. */
#include <stdlib.h>
#include <string.h>

#include "blocks.h"
#include "random.h"
#include "steps.h"
#include "task.h"

/* targets[0] = words[i], then negative noise words (none when n_targets is 0); their rows
 * are prefetched for writing. */
static uint64_t draw_targets(const word_run *run, int64_t i, int n_targets, const wv_sampler *sampler,
                             uint64_t state, int32_t *targets, const wv_weights *w) {
    if (n_targets == 0) return state;
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
    hot_rows *hot, *hot_nodes;
    const wv_weights *nodes; /* the tree's inner-node rows, as output rows (NULL: no tree) */
} task_scratch;

/* Word i's path in the tree, against the contexts of `block`. */
static wv_block path_of(const wv_tree *tree, int32_t word, const wv_block *block) {
    const int64_t first = tree->offsets[word];
    const wv_block path = {block->contexts, block->n_contexts, tree->nodes + first,
                           (int32_t)(tree->offsets[word + 1] - first), tree->codes + first};
    return path;
}

/* Train on a subsampled run; no window crosses a segment. The targets of word i + 1
 * are drawn (and their rows prefetched) while word i trains. (The rows of its path were
 * not worth prefetching: the nodes near the root, on most paths, stay in cache; one
 * epoch of the 1M-word slice, 1 thread: 0.67M words per CPU second without, 0.58M with.) */
static void train_words(const wv_weights *w, const word_run *run, const wv_sampler *sampler,
                        const wv_settings *settings, uint64_t state, task_scratch *scratch, wv_loss *loss) {
    const int window = settings->window;
    const wv_tree *tree = scratch->nodes ? settings->tree : NULL;
    const int n_targets = tree && settings->negative == 0 ? 0 : settings->negative + 1;
    int64_t counter = 0;
    run_cursor at = WV_RUN_START;
    if (run->n_words > 0) state = draw_targets(run, 0, n_targets, sampler, state, scratch->targets, w);
    for (int64_t i = 0; i < run->n_words; i++) {
        wv_run_advance(run, i, &at);
        if (i > 0 && i % scratch->hot->every == 0) {
            wv_hot_sync(scratch->hot);
            wv_hot_sync(scratch->hot_nodes);
        }
        const int32_t *now = scratch->targets + (i & 1) * n_targets;
        if (i + 1 < run->n_words) {
            state = draw_targets(run, i + 1, n_targets, sampler, state, scratch->targets + ((i + 1) & 1) * n_targets, w);
            if (i + 1 + window < run->n_words) prefetch_row(wv_in_row(w, run->words[i + 1 + window]), w->dim);
        }
        int64_t lo, hi;
        state = wv_window(state, window, settings->shrink_windows, i, &at, &lo, &hi);
        int n_contexts = 0;
        for (int64_t j = lo; j < hi; j++)
            if (j != i) scratch->contexts[n_contexts++] = run->words[j];
        if (n_contexts == 0) continue;
        wv_loss *step_loss = counter % settings->loss_every == 0 ? loss : NULL;
        counter++;
        const wv_block block = {scratch->contexts, n_contexts, now, n_targets, NULL};
        const wv_block path = tree ? path_of(tree, run->words[i], &block) : block;
        const wv_block *on_path = tree ? &path : NULL;
        if (settings->model == WV_SKIP_GRAM)
            wv_skipgram_step(w, &block, scratch->nodes, on_path, at.lr, settings, &scratch->steps, step_loss);
        else
            wv_cbow_step_on(w, &block, scratch->nodes, on_path, at.lr, settings, &scratch->steps, step_loss);
    }
}

static int64_t at_least_1(int64_t n) { return n > 1 ? n : 1; }

int wv_train_task(const wv_weights *weights, const wv_stream *stream, const wv_sampler *sampler,
                  const wv_settings *settings, const wv_task *task, double *loss_out) {
    word_run run;
    hot_rows hot, hot_nodes;
    wv_weights local = *weights;
    const wv_tree *tree = settings->tree;
    wv_weights nodes = {weights->w_in, tree ? tree->w_nodes : NULL, weights->dim, weights->stride, 0, NULL};
    /* a window holds at most 2 * window words, and never more than its task */
    const int64_t span = task->end - task->start, widest = 2 * (int64_t)settings->window;
    const wv_scratch_size size = {at_least_1(widest < span ? widest : span), settings->negative + 1,
                                  tree ? tree->max_depth : 0, weights->dim};
    task_scratch scratch = {malloc((size_t)size.contexts * sizeof(int32_t)),
                            malloc(2 * (size_t)(settings->negative + 1) * sizeof(int32_t)), {0}, &hot, &hot_nodes,
                            tree ? &nodes : NULL};
    int status = -1;
    wv_loss loss = {0.0, 0};
    const int ready = wv_run_alloc(&run, span) == 0;
    const int hot_ready = wv_hot_begin(&local, settings->hot_rows, settings->hot_sync, &hot) == 0;
    const int nodes_ready = wv_hot_begin(&nodes, tree ? settings->hot_nodes : 0, settings->hot_sync, &hot_nodes) == 0;
    if (hot_ready && nodes_ready && ready && wv_scratch_init(&scratch.steps, size) == 0 && scratch.contexts &&
        scratch.targets) {
        const uint64_t state = wv_subsample_range(stream, sampler, settings, task->start, task->end, task->seed, &run);
        train_words(&local, &run, sampler, settings, state, &scratch, &loss);
        status = 0;
    }
    wv_hot_end(&hot, status == 0);
    wv_hot_end(&hot_nodes, status == 0);
    wv_scratch_free(&scratch.steps);
    free(scratch.contexts);
    free(scratch.targets);
    wv_run_free(&run);
    loss_out[0] = loss.sum;
    loss_out[1] = (double)loss.terms;
    return status;
}

/* -- scratch, and single steps for the tests ---------------------------------------------- */

int wv_scratch_init(wv_scratch *s, wv_scratch_size size) {
    const size_t contexts = (size_t)at_least_1(size.contexts), targets = (size_t)at_least_1(size.targets);
    const size_t depth = (size_t)at_least_1(size.depth), columns = targets > depth ? targets : depth;
    const size_t piece = contexts < WV_CONTEXT_PIECE ? contexts : WV_CONTEXT_PIECE;
    size_t slots = 1;
    while (slots < 2 * (contexts > targets ? contexts : targets)) slots <<= 1;
    s->contexts = malloc(contexts * sizeof(int32_t));
    s->context_repeats = malloc(contexts * sizeof(int32_t));
    s->slots = malloc(slots * sizeof(int32_t));
    s->targets = malloc(targets * sizeof(int32_t));
    s->target_repeats = malloc(targets * sizeof(int32_t));
    s->grads = malloc(piece * targets * sizeof(float));
    s->hidden = malloc((size_t)size.dim * sizeof(float));
    s->hidden_grad = malloc((size_t)size.dim * sizeof(float));
    s->step = malloc((size_t)size.dim * sizeof(float));
    s->coef = malloc(columns * sizeof(float));
    s->context_deltas = malloc(piece * WV_SLICE * sizeof(float));
    const size_t hs = contexts < WV_HS_PIECE ? contexts : WV_HS_PIECE;
    const size_t padded = (size_t)wv_block_width((int64_t)depth);
    s->path_rows = malloc((padded + hs) * sizeof(float *));
    s->path_grads = malloc(hs * sizeof(float *));
    s->path_scores = malloc(hs * padded * sizeof(float));
    s->mixing = malloc(hs * (padded + hs) * sizeof(float));
    s->gram = malloc(hs * hs * sizeof(float));
    s->mixing_t = malloc(depth * hs * sizeof(float));
    s->path_labels = malloc(padded * sizeof(float));
    s->products.targets = malloc(targets * sizeof(float *));
    s->products.contexts = malloc(piece * sizeof(float *));
    s->products.target_copies = malloc(targets * sizeof(float *));
    s->products.target_copy = malloc(targets * (size_t)size.dim * sizeof(float));
    s->products.grads_t = malloc(targets * piece * sizeof(float));
    return s->contexts && s->context_repeats && s->slots && s->targets && s->target_repeats && s->grads &&
                   s->hidden && s->hidden_grad && s->step && s->coef && s->context_deltas && s->path_rows && s->path_grads && s->path_labels && s->products.targets &&
                   s->products.contexts && s->products.target_copies && s->products.target_copy && s->products.grads_t && s->path_scores && s->mixing && s->gram && s->mixing_t
               ? 0
               : -1;
}

void wv_scratch_free(wv_scratch *s) {
    free(s->contexts);
    free(s->context_repeats);
    free(s->slots);
    free(s->targets);
    free(s->target_repeats);
    free(s->grads);
    free(s->hidden);
    free(s->hidden_grad);
    free(s->step);
    free(s->coef);
    free(s->context_deltas);
    free((void *)s->path_rows);
    free((void *)s->path_grads);
    free(s->path_labels);
    free(s->products.targets);
    free(s->products.contexts);
    free((void *)s->products.target_copies);
    free(s->products.target_copy);
    free(s->products.grads_t);
    free(s->path_scores);
    free(s->mixing);
    free(s->gram);
    free(s->mixing_t);
}

/* One step; a block with codes is a path, whose rows weights->w_out holds, with no negatives. */
static int one_step(const wv_weights *weights, const wv_block *block, double lr, const wv_settings *settings,
                    double *loss_out) {
    wv_scratch scratch;
    const int on_path = block->codes != NULL;
    const wv_scratch_size size = {block->n_contexts, on_path ? 0 : block->n_targets, on_path ? block->n_targets : 0,
                                  weights->dim};
    if (wv_scratch_init(&scratch, size) != 0) {
        wv_scratch_free(&scratch);
        return -1;
    }
    wv_loss loss = {0.0, 0};
    const wv_block contexts_only = {block->contexts, block->n_contexts, NULL, 0, NULL};
    const wv_block *targets = on_path ? &contexts_only : block, *path = on_path ? block : NULL;
    if (settings->model == WV_SKIP_GRAM)
        wv_skipgram_step(weights, targets, weights, path, (float)lr, settings, &scratch, &loss);
    else
        wv_cbow_step_on(weights, targets, weights, path, (float)lr, settings, &scratch, &loss);
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
