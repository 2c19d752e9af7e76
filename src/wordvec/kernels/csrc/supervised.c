/* fastText's supervised training (its classifier), one example after another.
 *
 * An example is a line: its input rows and its target labels. As fastText's Model::update, an
 * example with no rows or no targets is skipped; otherwise `hidden` is the mean of its input rows,
 * the loss's forward pass scores output rows against it, updates them, and sums their gradient
 * into `grad`; `grad` divided by the number of rows is then added to every input row (a row listed
 * twice gets it twice). The losses:
 *  - softmax: every label, the exact softmax (max subtracted), coef = lr * (label - p);
 *  - ns: the target (label 1) and `negatives` labels (label 0) drawn from the negative table,
 *    a draw equal to the target drawn again;
 *  - hs: binary logistic along the target's path of the Huffman tree (codes as labels);
 *  - ova: binary logistic against every label, label 1 where it is among the targets.
 * softmax, ns and hs train one target per example, drawn uniformly from its targets; ova all.
 * Binary losses read fastText's 513-entry sigmoid table, every loss value its log table.
 *
 * Random numbers: splitmix64 (random.h), one 64-bit draw per choice: an index below n is
 * (high 32 bits * n) >> 32. The draws of a part: for each example that trains (ova: none), the
 * target index, then (ns) the negatives, each redraw included. tests/oracles.py makes the same.
 * No I/O, no allocation: the caller passes each part's work space. */
#include <math.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "random.h"
#include "rows.h"
#include "steps.h"
#include "task.h"


enum { SUP_SOFTMAX = 0, SUP_NS = 1, SUP_HS = 2, SUP_OVA = 3 };

/* The examples: example e's input rows are rows[row_starts[e]:row_starts[e + 1]], its labels
 * targets[target_starts[e]:target_starts[e + 1]]; tokens[e] is its weight in the learning rate.
 * prefetch: ask for an example's input rows before summing them (worth it only where the input
 * matrix is larger than the caches: otherwise the requests only take time). */
typedef struct {
    const int32_t *rows;
    const int64_t *row_starts;
    const int32_t *targets;
    const int64_t *target_starts;
    const int64_t *tokens;
    int64_t prefetch;
} wv_sup_examples;

/* The loss and the label structures it reads; label_ids holds 0 .. n_labels - 1. */
typedef struct {
    int32_t loss;
    int32_t negatives;
    const int32_t *negative_table;
    int64_t negative_size;
    const int32_t *paths;
    const uint8_t *codes;
    const int64_t *path_starts;
    const int32_t *label_ids;
    int64_t n_labels;
    const float *sigmoid_table; /* 513 values */
    const float *log_table;     /* 513 values */
} wv_sup_labels;

/* One thread's part: examples first..last-1, the learning rate falling linearly by tokens
 * from lr_start to lr_end over it, draws from `seed`.
 * Where several threads train at once, each writes the rows of the most frequent words, and the
 * output rows, with nearly every example: shared, each write takes the cache line from the other
 * core, and two threads train slower than one. A part then trains its own copy of the first
 * hot_input input rows (the words are numbered by frequency, most frequent first) and of the first
 * hot_output output rows, and adds what it changed to the shared rows every hot_every examples and
 * at its end (task.h). 0, 0: everything shared, as one thread trains. */
typedef struct {
    int64_t first;
    int64_t last;
    double lr_start;
    double lr_end;
    uint64_t seed;
    int64_t hot_input;
    int64_t hot_output;
    int64_t hot_every;
} wv_sup_part;

/* The input rows as a part reads and writes them: rows 0..n_hot-1 from its copy `hot`. */
typedef struct {
    float *matrix;
    float *hot;
    int64_t n_hot;
    int64_t stride;
} sup_input;

static inline float *input_row(const sup_input *in, int32_t id) {
    return (id < in->n_hot ? in->hot : in->matrix) + (int64_t)id * in->stride;
}

/* A part's work space and running state. */
typedef struct {
    float *hidden, *grad, *step; /* dim each */
    float *scores, *coef;        /* max(n_labels, negatives + 1) each */
    int32_t *group;              /* negatives + 1 */
    uint64_t state;
    double loss;
} sup_state;

/* fastText's Loss::sigmoid: 0 below -8, 1 above 8, else its table. */
static float table_sigmoid(float x, const float *table) {
    if (x < -8.0f) return 0.0f;
    if (x > 8.0f) return 1.0f;
    float index = (x + 8.0f) * 512.0f / 8.0f / 2.0f;
    if (!(index >= 0.0f)) index = 0.0f;
    if (index > 512.0f) index = 512.0f;
    return table[(int64_t)index];
}

/* fastText's Loss::log: 0 above 1, else its table. */
static float table_log(float x, const float *table) {
    if (x > 1.0f) return 0.0f;
    float index = x * 512.0f;
    if (!(index >= 0.0f)) index = 0.0f;
    return table[(int64_t)index];
}

/* An index below n from the next draw. */
static int64_t draw_below(sup_state *s, int64_t n) {
    s->state = next_state(s->state);
    return (int64_t)(((mix(s->state) >> 32) * (uint64_t)n) >> 32);
}

static int contains(const int32_t *ids, int64_t n, int32_t id) {
    for (int64_t k = 0; k < n; k++)
        if (ids[k] == id) return 1;
    return 0;
}

/* Binary logistic on n distinct output rows: coef holds their labels (0 or 1) on entry. */
static void binary_group(const wv_weights *w, const wv_sup_labels *labels, const int32_t *group, int64_t n,
                         float lr, sup_state *s) {
    wv_group scoring = {group, (int32_t)n, s->hidden, s->scores, NULL, NULL};
    wv_code.hidden_scores(w, &scoring);
    for (int64_t k = 0; k < n; k++) {
        const float p = table_sigmoid(s->scores[k], labels->sigmoid_table);
        const int positive = s->coef[k] > 0.5f;
        s->loss -= table_log(positive ? p : 1.0f - p, labels->log_table);
        s->coef[k] = lr * (s->coef[k] - p);
    }
    wv_group updating = {group, (int32_t)n, s->hidden, NULL, s->coef, s->step};
    wv_code.hidden_update(w, &updating);
    for (int64_t x = 0; x < w->dim; x++) s->grad[x] += s->step[x];
}

static void softmax_forward(const wv_weights *w, const wv_sup_labels *labels, int32_t target, float lr,
                            sup_state *s) {
    const int64_t n = labels->n_labels;
    wv_group scoring = {labels->label_ids, (int32_t)n, s->hidden, s->scores, NULL, NULL};
    wv_code.hidden_scores(w, &scoring);
    float max = s->scores[0], total = 0.0f;
    for (int64_t j = 0; j < n; j++) max = s->scores[j] > max ? s->scores[j] : max;
    for (int64_t j = 0; j < n; j++) {
        s->scores[j] = (float)exp((double)(s->scores[j] - max));
        total += s->scores[j];
    }
    for (int64_t j = 0; j < n; j++) {
        s->scores[j] /= total;
        s->coef[j] = lr * ((j == target ? 1.0f : 0.0f) - s->scores[j]);
    }
    s->loss -= table_log(s->scores[target], labels->log_table);
    wv_group updating = {labels->label_ids, (int32_t)n, s->hidden, NULL, s->coef, s->grad};
    wv_code.hidden_update(w, &updating);
}

/* The target and its negatives in runs of distinct labels: a label drawn twice is scored
 * after its first update, as fastText's one-at-a-time loop scores it. */
static void ns_forward(const wv_weights *w, const wv_sup_labels *labels, int32_t target, float lr, sup_state *s) {
    const int64_t n = 1 + labels->negatives;
    s->group[0] = target;
    for (int64_t k = 1; k < n; k++) {
        int32_t negative;
        do negative = labels->negative_table[draw_below(s, labels->negative_size)];
        while (negative == target);
        s->group[k] = negative;
    }
    for (int64_t start = 0, end; start < n; start = end) {
        end = start + 1;
        while (end < n && !contains(s->group + start, end - start, s->group[end])) end++;
        for (int64_t k = start; k < end; k++) s->coef[k - start] = k == 0 ? 1.0f : 0.0f;
        binary_group(w, labels, s->group + start, end - start, lr, s);
    }
}

static void hs_forward(const wv_weights *w, const wv_sup_labels *labels, int32_t target, float lr, sup_state *s) {
    const int64_t begin = labels->path_starts[target], n = labels->path_starts[target + 1] - begin;
    for (int64_t k = 0; k < n; k++) s->coef[k] = (float)labels->codes[begin + k];
    if (n > 0) binary_group(w, labels, labels->paths + begin, n, lr, s);
}

static void ova_forward(const wv_weights *w, const wv_sup_labels *labels, const int32_t *targets, int64_t n_targets,
                        float lr, sup_state *s) {
    for (int64_t j = 0; j < labels->n_labels; j++) s->coef[j] = contains(targets, n_targets, (int32_t)j) ? 1.0f : 0.0f;
    binary_group(w, labels, labels->label_ids, labels->n_labels, lr, s);
}

#if defined(__GNUC__) || defined(__clang__)
/* The sum of an example's rows, and the step added to them, are kept in registers, up to
 * SUP_VECTORS vectors of 8 floats (and one of 4) at a time, the dimension walked in blocks of
 * that many floats, each block a pass over the rows: a sum kept in memory would be stored and
 * loaded again for every row, and a step loaded again for every row. */
typedef float sup_vector __attribute__((vector_size(32)));
typedef float sup_half __attribute__((vector_size(16)));
#define SUP_VECTORS 12

/* sums[0 .. 8 * count + 4 * half) = the sum of the n rows listed from float x on, each element
 * summed in the rows' order (count and half are constants once inlined). */
static inline __attribute__((always_inline)) void sum_block(const sup_input *in, const int32_t *ids, int64_t n,
                                                             int64_t x, float *sums, const int count,
                                                             const int half) {
    sup_vector total[SUP_VECTORS];
    sup_half rest = {0};
    for (int k = 0; k < count; k++) total[k] = (sup_vector){0};
    for (int64_t i = 0; i < n; i++) {
        const float *row = input_row(in, ids[i]) + x;
        for (int k = 0; k < count; k++) {
            sup_vector part;
            memcpy(&part, row + 8 * k, sizeof part);
            total[k] += part;
        }
        if (half) {
            sup_half part;
            memcpy(&part, row + 8 * count, sizeof part);
            rest += part;
        }
    }
    for (int k = 0; k < count; k++) memcpy(sums + 8 * k, &total[k], sizeof total[k]);
    if (half) memcpy(sums + 8 * count, &rest, sizeof rest);
}

/* Each of the n rows listed, floats x .. x + 8 * count + 4 * half, += delta (count and half are
 * constants once inlined): delta is kept in registers. The rows are taken last first: those the
 * sum read last are the likeliest to be in the nearest cache still (the order changes no bit). */
static inline __attribute__((always_inline)) void add_block(const sup_input *in, const int32_t *ids, int64_t n,
                                                             int64_t x, const float *delta, const int count,
                                                             const int half) {
    sup_vector step[SUP_VECTORS];
    sup_half rest = {0};
    for (int k = 0; k < count; k++) memcpy(&step[k], delta + 8 * k, sizeof step[k]);
    if (half) memcpy(&rest, delta + 8 * count, sizeof rest);
    for (int64_t i = n - 1; i >= 0; i--) {
        float *row = input_row(in, ids[i]) + x;
        for (int k = 0; k < count; k++) {
            sup_vector part;
            memcpy(&part, row + 8 * k, sizeof part);
            part += step[k];
            memcpy(row + 8 * k, &part, sizeof part);
        }
        if (half) {
            sup_half part;
            memcpy(&part, row + 8 * count, sizeof part);
            part += rest;
            memcpy(row + 8 * count, &part, sizeof part);
        }
    }
}

#define SUP_CASE(c, call)                                                                                \
    case 2 * c: call(c, 0); break;                                                                       \
    case 2 * c + 1: call(c, 1); break;
#define SUP_CASES(call)                                                                                  \
    SUP_CASE(0, call) SUP_CASE(1, call) SUP_CASE(2, call) SUP_CASE(3, call) SUP_CASE(4, call)            \
    SUP_CASE(5, call) SUP_CASE(6, call) SUP_CASE(7, call) SUP_CASE(8, call) SUP_CASE(9, call)            \
    SUP_CASE(10, call) SUP_CASE(11, call) SUP_CASE(12, call)

/* The dimension from x on in blocks of registers: 8 * count + 4 * half floats (the block that
 * `code`, 2 * count + half, names). */
static inline int64_t block_code(int64_t dim, int64_t x) {
    const int64_t count = (dim - x) / 8 < SUP_VECTORS ? (dim - x) / 8 : SUP_VECTORS;
    const int64_t left = dim - x - 8 * count;
    return 2 * count + (left >= 4 && left < 8);
}

/* hidden = the sum of the n rows listed, each element summed in the rows' order. */
static inline __attribute__((always_inline)) void sum_rows(const sup_input *in, const int32_t *ids, int64_t n,
                                                            int64_t dim, float *hidden) {
    int64_t x = 0;
    for (int64_t code; dim - x >= 4; x += 4 * code) {
        code = block_code(dim, x);
#define SUP_SUM(c, h) sum_block(in, ids, n, x, hidden + x, c, h)
        switch (code) { SUP_CASES(SUP_SUM) }
#undef SUP_SUM
    }
    for (int64_t y = x; y < dim; y++) hidden[y] = 0.0f;
    for (int64_t i = 0; x < dim && i < n; i++) {
        const float *row = input_row(in, ids[i]);
        for (int64_t y = x; y < dim; y++) hidden[y] += row[y];
    }
}

/* Each of the n rows listed += delta (a row listed twice, twice). */
static inline __attribute__((always_inline)) void add_to_rows(const sup_input *in, const int32_t *ids, int64_t n,
                                                               int64_t dim, const float *delta) {
    int64_t x = 0;
    for (int64_t code; dim - x >= 4; x += 4 * code) {
        code = block_code(dim, x);
#define SUP_ADD(c, h) add_block(in, ids, n, x, delta + x, c, h)
        switch (code) { SUP_CASES(SUP_ADD) }
#undef SUP_ADD
    }
    for (int64_t i = 0; x < dim && i < n; i++) {
        float *row = input_row(in, ids[i]);
        for (int64_t y = x; y < dim; y++) row[y] += delta[y];
    }
}

#else
/* hidden = the sum of the n rows listed, each element summed in the rows' order. */
static void sum_rows(const sup_input *in, const int32_t *ids, int64_t n, int64_t dim, float *WV_RESTRICT hidden) {
    for (int64_t x = 0; x < dim; x++) hidden[x] = 0.0f;
    for (int64_t i = 0; i < n; i++) {
        const float *WV_RESTRICT row = input_row(in, ids[i]);
        for (int64_t x = 0; x < dim; x++) hidden[x] += row[x];
    }
}

/* Each of the n rows listed += delta (a row listed twice, twice). */
static void add_to_rows(const sup_input *in, const int32_t *ids, int64_t n, int64_t dim,
                        const float *WV_RESTRICT delta) {
    for (int64_t i = 0; i < n; i++) {
        float *WV_RESTRICT row = input_row(in, ids[i]);
        for (int64_t x = 0; x < dim; x++) row[x] += delta[x];
    }
}
#endif

/* One example (it has rows and targets): hidden, the loss's forward pass, the input rows' update. */
WV_VECTOR_CLONES static void train_example(const wv_weights *w, const sup_input *in, const wv_sup_examples *ex,
                                           const wv_sup_labels *labels, int64_t e, float lr, sup_state *s) {
    const int64_t dim = w->dim, begin = ex->row_starts[e], n = ex->row_starts[e + 1] - begin;
    const int32_t *ids = ex->rows + begin;
    if (ex->prefetch)
        for (int64_t i = 0; i < n; i++) prefetch_row(wv_in_row(w, ids[i]), dim);
    const float scale = (float)(1.0 / (double)n);
    sum_rows(in, ids, n, dim, s->hidden);
    for (int64_t x = 0; x < dim; x++) s->hidden[x] *= scale;
    for (int64_t x = 0; x < dim; x++) s->grad[x] = 0.0f;
    const int32_t *targets = ex->targets + ex->target_starts[e];
    const int64_t n_targets = ex->target_starts[e + 1] - ex->target_starts[e];
    if (labels->loss == SUP_OVA) {
        ova_forward(w, labels, targets, n_targets, lr, s);
    } else {
        const int32_t target = targets[draw_below(s, n_targets)];
        if (labels->loss == SUP_SOFTMAX) softmax_forward(w, labels, target, lr, s);
        else if (labels->loss == SUP_NS) ns_forward(w, labels, target, lr, s);
        else hs_forward(w, labels, target, lr, s);
    }
    for (int64_t x = 0; x < dim; x++) s->grad[x] *= scale;
    add_to_rows(in, ids, n, dim, s->grad);
}

/* Shuffle a[0..n-1] in place: Fisher-Yates from the last element down, element i swapped with
 * element (draw * (i + 1)) >> 32 of the next draw from `seed` (fastText's negative table is shuffled
 * once, before training). */
WV_EXPORT void wv_shuffle_labels(int32_t *a, int64_t n, uint64_t seed) {
    uint64_t state = seed;
    for (int64_t i = n - 1; i > 0; i--) {
        state = next_state(state);
        const int64_t j = (int64_t)(((mix(state) >> 32) * (uint64_t)(i + 1)) >> 32);
        const int32_t kept = a[i];
        a[i] = a[j];
        a[j] = kept;
    }
}

/* Train a part's examples in order. work: 3 * dim + 2 * max(n_labels, negatives + 1) floats;
 * work_ids: negatives + 1 ints. out gets (sum of the losses, examples that trained). Where memory
 * for the copies of hot rows is short, the part trains the shared rows. */
WV_EXPORT void wv_train_supervised(const wv_weights *w, const wv_sup_examples *ex, const wv_sup_labels *labels,
                                   const wv_sup_part *part, float *work, int32_t *work_ids, double *out) {
    const int64_t dim = w->dim;
    const int64_t width = labels->n_labels > labels->negatives + 1 ? labels->n_labels : labels->negatives + 1;
    sup_state s = {work, work + dim, work + 2 * dim, work + 3 * dim, work + 3 * dim + width, work_ids, part->seed, 0.0};
    wv_weights local = *w;
    hot_rows hot_in, hot_out;
    sup_input in = {w->w_in, NULL, 0, w->stride};
    if (wv_hot_copy(w->w_in, part->hot_input, dim, w->stride, part->hot_every, &hot_in) == 0 && hot_in.copy) {
        in.hot = hot_in.copy;
        in.n_hot = part->hot_input;
    }
    wv_hot_begin(&local, part->hot_output, part->hot_every, &hot_out);
    int64_t total = 0, done = 0, trained = 0;
    for (int64_t e = part->first; e < part->last; e++) total += ex->tokens[e];
    for (int64_t e = part->first; e < part->last; e++) {
        const double progress = total > 0 ? (double)done / (double)total : 0.0;
        const float lr = (float)(part->lr_start + (part->lr_end - part->lr_start) * progress);
        done += ex->tokens[e];
        if (ex->row_starts[e + 1] == ex->row_starts[e] || ex->target_starts[e + 1] == ex->target_starts[e]) continue;
        train_example(&local, &in, ex, labels, e, lr, &s);
        if (++trained % hot_in.every == 0) wv_hot_sync(&hot_in);
        if (trained % hot_out.every == 0) wv_hot_sync(&hot_out);
    }
    wv_hot_end(&hot_in, 1);
    wv_hot_end(&hot_out, 1);
    out[0] = s.loss;
    out[1] = (double)trained;
}
