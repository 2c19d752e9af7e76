/* Subword (fastText-style) training: a word's input vector is the mean of its pieces,
 * its own row and the rows of its character n-grams.
 *
 * One step does, for one centre word, what fastText does for each of its (centre,
 * context) pairs in turn, with the block scheme's savings (Wszola, Jaggi and
 * Puschel, 2021):
 *  - skip-gram: the centre's pieces are averaged once into `hidden`; then each
 *    context word (label 1) with its noise words (label 0), a group, is scored
 *    against `hidden`, its output rows updated, and `hidden` moved by the group's
 *    gradient, which is what fastText's writing that gradient into every piece row
 *    does to their mean. The piece rows are written once, with the summed gradient;
 *  - CBOW: the pieces of every context word are averaged into `hidden`, which
 *    predicts the centre word against its noise words: one group.
 * The same algorithm, draw for draw, as the reference kernel of tests/oracles.py. */
#include <math.h>
#include <stdlib.h>

#include "random.h"
#include "rows.h"
#include "steps.h"
#include "task.h"

typedef struct {
    const int32_t *pieces;
    int n_pieces;
    const int32_t *targets; /* n_groups groups of group_size: a true target, then its noise words */
    int n_groups;
    int group_size;
} pieces_block;

typedef struct {
    int32_t *pieces;  /* CBOW: the pieces of a whole window */
    int32_t *targets; /* every group of one step */
    float *hidden, *grad, *step; /* dim each */
    float *coef, *scores;        /* group_size each */
    int32_t *distinct;           /* group_size: a group's distinct targets */
    hot_rows *hot;
} pieces_scratch;

/* Score a group against the hidden vector, update its output rows, and leave the hidden
 * vector's gradient in `step`; every score comes from the rows as the group found them.
 * A noise word equal to its group's true target is skipped (fastText redraws it); a
 * noise word drawn twice gets both updates, merged into one write. */
static void group_step(const wv_weights *w, const int32_t *group, int size, float lr, const wv_settings *settings,
                       pieces_scratch *s, wv_loss *loss) {
    wv_group scoring = {group, size, s->hidden, s->scores, NULL, NULL};
    wv_code.hidden_scores(w, &scoring);
    int n = 0;
    for (int k = 0; k < size; k++) {
        if (k > 0 && group[k] == group[0]) continue;
        if (loss) {
            loss->sum += wv_log_sigmoid_loss(s->scores[k], k == 0);
            loss->terms++;
        }
        const float coef = ((k == 0 ? 1.0f : 0.0f) - wv_sigmoid(settings, s->scores[k])) * lr;
        int u = 0;
        while (u < n && s->distinct[u] != group[k]) u++;
        if (u == n) {
            s->distinct[n] = group[k];
            s->coef[n++] = 0.0f;
        }
        s->coef[u] += coef;
    }
    wv_group updating = {s->distinct, n, s->hidden, NULL, s->coef, s->step};
    wv_code.hidden_update(w, &updating);
}

/* The mean of the block's pieces against its groups in turn; the piece rows are written
 * once at the end, each with the summed gradient (fastText adds it undivided). */
WV_VECTOR_CLONES static void pieces_step(const wv_weights *w, const pieces_block *b, float lr,
                                         const wv_settings *settings, pieces_scratch *s, wv_loss *loss) {
    const int64_t dim = w->dim;
    for (int k = 0; k < b->n_groups * b->group_size; k++) prefetch_row(wv_out_row(w, b->targets[k]), dim);
    const float inv = 1.0f / (float)b->n_pieces;
    for (int64_t x = 0; x < dim; x++) s->hidden[x] = s->grad[x] = 0.0f;
    for (int j = 0; j < b->n_pieces; j++) {
        const float *row = wv_in_row(w, b->pieces[j]);
        for (int64_t x = 0; x < dim; x++) s->hidden[x] += inv * row[x];
    }
    for (int g = 0; g < b->n_groups; g++) {
        group_step(w, b->targets + g * b->group_size, b->group_size, lr, settings, s, loss);
        for (int64_t x = 0; x < dim; x++) {
            s->grad[x] += s->step[x];
            s->hidden[x] += s->step[x];
        }
    }
    for (int j = 0; j < b->n_pieces; j++) {
        float *row = wv_in_row(w, b->pieces[j]);
        for (int64_t x = 0; x < dim; x++) row[x] += s->grad[x];
    }
}

static uint64_t draw_noise_into(int32_t *targets, int count, const wv_sampler *sampler, uint64_t state) {
    for (int k = 0; k < count; k++) {
        state = next_state(state);
        targets[k] = draw_noise(state, sampler);
    }
    return state;
}

/* The pieces of every word in words[lo:hi] but the one at `centre`, one after another. */
static int gather_pieces(const wv_subword_table *table, const int32_t *words, int64_t lo, int64_t hi,
                         int64_t centre, int32_t *out) {
    int n = 0;
    for (int64_t j = lo; j < hi; j++) {
        if (j == centre) continue;
        for (int64_t r = table->offsets[words[j]]; r < table->offsets[words[j] + 1]; r++) out[n++] = table->rows[r];
    }
    return n;
}

static void prefetch_pieces(const wv_weights *w, const wv_subword_table *table, int32_t word) {
    for (int64_t r = table->offsets[word]; r < table->offsets[word + 1]; r++)
        prefetch_row(wv_in_row(w, table->rows[r]), w->dim);
}

/* The step of centre word i: its groups (skip-gram) or its window's pieces (CBOW). */
static uint64_t centre_block(const wv_subword_table *table, const word_run *run, int64_t i, int64_t lo, int64_t hi,
                             const wv_sampler *sampler, const wv_settings *settings, uint64_t state,
                             pieces_scratch *s, pieces_block *b) {
    const int32_t centre = run->words[i];
    b->group_size = 1 + settings->negative;
    b->targets = s->targets;
    if (settings->model == WV_SKIP_GRAM) {
        b->n_groups = 0;
        for (int64_t j = lo; j < hi; j++) {
            if (j == i) continue;
            int32_t *group = s->targets + b->n_groups * b->group_size;
            group[0] = run->words[j];
            state = draw_noise_into(group + 1, settings->negative, sampler, state);
            b->n_groups++;
        }
        b->pieces = table->rows + table->offsets[centre];
        b->n_pieces = (int)(table->offsets[centre + 1] - table->offsets[centre]);
    } else {
        s->targets[0] = centre;
        state = draw_noise_into(s->targets + 1, settings->negative, sampler, state);
        b->n_groups = 1;
        b->pieces = s->pieces;
        b->n_pieces = gather_pieces(table, run->words, lo, hi, i, s->pieces);
    }
    return state;
}

/* Train on a subsampled run; no window crosses a segment. */
static void train_subword_words(const wv_weights *w, const wv_subword_table *table, const word_run *run,
                                const wv_sampler *sampler, const wv_settings *settings, uint64_t state,
                                pieces_scratch *s, wv_loss *loss) {
    const int window = settings->window;
    run_cursor at = WV_RUN_START;
    for (int64_t i = 0; i < run->n_words; i++) {
        wv_run_advance(run, i, &at);
        if (i > 0 && i % s->hot->every == 0) wv_hot_sync(s->hot);
        int64_t lo, hi;
        state = wv_window(state, window, 1, i, &at, &lo, &hi);
        if (hi - lo < 2) continue;
        pieces_block block;
        state = centre_block(table, run, i, lo, hi, sampler, settings, state, s, &block);
        const int64_t ahead = settings->model == WV_SKIP_GRAM ? i + 1 : i + 1 + window;
        if (ahead < run->n_words) prefetch_pieces(w, table, run->words[ahead]);
        pieces_step(w, &block, at.lr, settings, s, i % settings->loss_every == 0 ? loss : NULL);
    }
}

/* Buffers for windows of up to max_contexts words (a window never holds more words than its task). */
static int scratch_init(pieces_scratch *s, const wv_settings *settings, int64_t dim, int64_t max_pieces,
                        int64_t max_contexts) {
    const size_t group = (size_t)settings->negative + 1, contexts = (size_t)max_contexts;
    s->pieces = malloc((contexts * (size_t)max_pieces + 1) * sizeof(int32_t));
    s->targets = malloc((contexts * group + group) * sizeof(int32_t));
    s->hidden = malloc((size_t)dim * sizeof(float));
    s->grad = malloc((size_t)dim * sizeof(float));
    s->step = malloc((size_t)dim * sizeof(float));
    s->coef = malloc(group * sizeof(float));
    s->scores = malloc(group * sizeof(float));
    s->distinct = malloc(group * sizeof(int32_t));
    return s->pieces && s->targets && s->hidden && s->grad && s->step && s->coef && s->scores && s->distinct ? 0 : -1;
}

static void scratch_free(pieces_scratch *s) {
    free(s->pieces);
    free(s->targets);
    free(s->hidden);
    free(s->grad);
    free(s->step);
    free(s->coef);
    free(s->scores);
    free(s->distinct);
}

int wv_train_subword_task(const wv_weights *weights, const wv_subword_table *table, const wv_stream *stream,
                          const wv_sampler *sampler, const wv_settings *settings, const wv_task *task,
                          double *loss_out) {
    word_run run;
    hot_rows hot;
    pieces_scratch scratch;
    wv_weights local = *weights;
    int status = -1;
    wv_loss loss = {0.0, 0};
    const int ready = wv_run_alloc(&run, task->end - task->start) == 0;
    const int64_t span = task->end - task->start, widest = 2 * (int64_t)settings->window;
    const int scratch_ready =
        scratch_init(&scratch, settings, weights->dim, table->max_pieces, widest < span ? widest : span) == 0;
    scratch.hot = &hot;
    if (wv_hot_begin(&local, settings->hot_rows, settings->hot_sync, &hot) == 0 && ready && scratch_ready) {
        const uint64_t state = wv_subsample_range(stream, sampler, settings, task->start, task->end, task->seed, &run);
        train_subword_words(&local, table, &run, sampler, settings, state, &scratch, &loss);
        status = 0;
    }
    wv_hot_end(&hot, status == 0);
    scratch_free(&scratch);
    wv_run_free(&run);
    loss_out[0] = loss.sum;
    loss_out[1] = (double)loss.terms;
    return status;
}
