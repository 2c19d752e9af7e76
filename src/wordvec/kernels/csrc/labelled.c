/* fastText's supervised examples from numbered lines: each line's input rows and target labels.
 *
 * A line is its token ids, `</s>` first (as the block encoder numbers it); fastText reads `</s>`
 * last, so token p of a line of n is ids[p + 1] for p < n - 1 and ids[0] for p = n - 1. Per
 * distinct token the caller gives its own input rows (a CSR table: a known word's row, then its
 * character n-grams' rows; none for labels), fastText's hash (sign-extended to 64 bits; for word
 * n-grams only), whether it is a label, and its label id (-1: none). A line's rows are, token by
 * token in fastText's order, each token's own rows, then fastText's addWordNgrams over the hashes
 * of its words (labels left out): for each word, the n-grams it starts, shortest first, each
 * h = h * 116049371 + next (in uint64), row nwords + h % bucket. Its targets are its tokens'
 * label ids, in order.
 *
 * wv_labelled_sizes counts each line's rows and targets; the caller picks the lines it keeps and
 * where each starts, and wv_labelled_fill writes them there. wv_labelled_tally counts token ids. No I/O, no
 * allocation, no globals: threads may run any of them on disjoint ranges of lines at once. */
#include <stdint.h>

#include "compiler.h"

/* Per distinct token k: rows row_table[row_starts[k]:row_starts[k + 1]], hashes[k] (NULL without
 * word n-grams), is_label[k], label_index[k]; word n-grams up to word_ngrams long into bucket rows
 * after the nwords words (none where word_ngrams < 2 or bucket is 0). */
typedef struct {
    const int64_t *row_starts;
    const int32_t *row_table;
    const uint64_t *hashes;
    const uint8_t *is_label;
    const int32_t *label_index;
    int64_t word_ngrams;
    int64_t bucket;
    int64_t nwords;
} wv_labelled_tokens;

#define NGRAM_MULTIPLIER UINT64_C(116049371)

/* Token p of a line of n tokens given `</s>` first, in fastText's order (`</s>` last). */
static inline int32_t token_at(const int32_t *line, int64_t n, int64_t p) {
    return p < n - 1 ? line[p + 1] : line[0];
}

static int64_t uses_word_ngrams(const wv_labelled_tokens *tokens) {
    return tokens->word_ngrams > 1 && tokens->bucket > 0 && tokens->hashes != 0;
}

/* How many word n-grams (2 to longest words) a line of `words` words has. */
static int64_t word_ngram_count(int64_t words, int64_t longest) {
    int64_t total = 0;
    for (int64_t n = 2; n <= longest && n <= words; n++) total += words - n + 1;
    return total;
}

WV_EXPORT void wv_labelled_tally(const int32_t *ids, int64_t n, int64_t *counts) {
    for (int64_t i = 0; i < n; i++) counts[ids[i]]++;
}

/* Lines 0..n_lines-1 (tokens from ids, lengths[i] each): their rows and targets counted. */
WV_EXPORT void wv_labelled_sizes(const wv_labelled_tokens *tokens, const int32_t *ids, const int64_t *lengths,
                                 int64_t n_lines, int64_t *n_rows, int64_t *n_targets) {
    const int64_t *row_starts = tokens->row_starts;
    const int64_t ngrams = uses_word_ngrams(tokens);
    for (int64_t line = 0; line < n_lines; line++) {
        const int64_t n = lengths[line];
        int64_t rows = 0, targets = 0, words = 0;
        for (int64_t p = 0; p < n; p++) {
            const int32_t k = ids[p];
            rows += row_starts[k + 1] - row_starts[k];
            targets += tokens->label_index[k] >= 0;
            words += !tokens->is_label[k];
        }
        n_rows[line] = rows + (ngrams ? word_ngram_count(words, tokens->word_ngrams) : 0);
        n_targets[line] = targets;
        ids += n;
    }
}

/* The word n-grams of a line, written from `out`; returns the end. */
static int32_t *write_word_ngrams(const wv_labelled_tokens *tokens, const int32_t *line, int64_t n,
                                  int32_t *WV_RESTRICT out) {
    const uint64_t bucket = (uint64_t)tokens->bucket;
    const int64_t longest = tokens->word_ngrams;
    const int32_t nwords = (int32_t)tokens->nwords;
    for (int64_t p = 0; p < n; p++) {
        const int32_t k = token_at(line, n, p);
        if (tokens->is_label[k]) continue;
        uint64_t h = tokens->hashes[k];
        int64_t taken = 1;
        for (int64_t q = p + 1; q < n && taken < longest; q++) {
            const int32_t next = token_at(line, n, q);
            if (tokens->is_label[next]) continue;
            h = h * NGRAM_MULTIPLIER + tokens->hashes[next];
            *out++ = nwords + (int32_t)(h % bucket);
            taken++;
        }
    }
    return out;
}

/* Lines 0..n_lines-1 (as wv_labelled_sizes), those with kept[i] written: the j-th of them (from
 * first_kept) gets rows from rows + row_starts[j] and targets from targets + target_starts[j]. */
WV_EXPORT void wv_labelled_fill(const wv_labelled_tokens *tokens, const int32_t *ids, const int64_t *lengths,
                                int64_t n_lines, const uint8_t *kept, int64_t first_kept, const int64_t *row_starts,
                                int32_t *rows, const int64_t *target_starts, int32_t *targets) {
    const int64_t *own_starts = tokens->row_starts;
    const int32_t *table = tokens->row_table;
    const int64_t ngrams = uses_word_ngrams(tokens);
    int64_t example = first_kept;
    for (int64_t line = 0; line < n_lines; line++) {
        const int64_t n = lengths[line];
        if (kept[line]) {
            int32_t *WV_RESTRICT out = rows + row_starts[example];
            int32_t *WV_RESTRICT labels = targets + target_starts[example];
            for (int64_t p = 0; p < n; p++) {
                const int32_t k = token_at(ids, n, p);
                for (int64_t r = own_starts[k]; r < own_starts[k + 1]; r++) *out++ = table[r];
                if (tokens->label_index[k] >= 0) *labels++ = tokens->label_index[k];
            }
            if (ngrams) write_word_ngrams(tokens, ids, n, out);
            example++;
        }
        ids += n;
    }
}
