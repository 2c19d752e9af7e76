/* fastText's supervised examples from lines: their tokens numbered, then each line's input rows
 * and target labels.
 *
 * wv_labelled_split reads a block of lines as fastText's readWord does: a token is a run of bytes
 * between the seven separators (space, \n, \r, \t, \v, \f, NUL), and each line gives `</s>`
 * (first here; fastText reads it last) and its tokens. It numbers the tokens in a table of the
 * tokens seen so far (a thread keeps its own, from block to block), counts them, and writes each
 * line's ids and size (wv_labelled_count says how many of each). It reads 64 bytes at a time: one
 * bit a byte marks the separators and another the line feeds, and tokens are found between them.
 * When the table is full it returns WV_SPLIT_GROW: the caller makes a larger one
 * (wv_labelled_rehash fills its slots) and calls again to go on where it stopped.
 *
 * A line is its token ids, `</s>` first, so token p of a line of n is ids[p + 1] for p < n - 1
 * and ids[0] for p = n - 1. Per distinct token the caller gives its own input rows (a CSR table:
 * a known word's row, then its character n-grams' rows; none for labels), fastText's hash
 * (sign-extended to 64 bits; for word n-grams only), whether it is a label, and its label id
 * (-1: none). A line's rows are, token by token in fastText's order, each token's own rows, then
 * fastText's addWordNgrams over the hashes of its words (labels left out): for each word, the
 * n-grams it starts, shortest first, each h = h * 116049371 + next (in uint64), row
 * nwords + h % bucket. Its targets are its tokens' label ids, in order.
 *
 * wv_labelled_sizes counts each line's rows and targets; the caller picks the lines it keeps and
 * where each starts, and wv_labelled_fill writes them there. wv_labelled_tally counts token ids.
 * No I/O, no allocation, no globals: threads may run any of them on disjoint data at once. */
#include <stdint.h>
#include <string.h>

#include "compiler.h"

#if defined(__SSE2__) || defined(_M_X64)
#include <emmintrin.h>
#define WV_SPLIT_SSE2 1
#endif
#if defined(_MSC_VER) && !defined(__clang__)
#include <intrin.h>
#endif

#define WV_SPLIT_DONE 0
#define WV_SPLIT_GROW 1

/* A table of tokens: open addressing, linear probing, at most three quarters full. */
typedef struct {
    uint64_t *slots;   /* n_slots pairs (key, row + 1), 0 where empty; n_slots a power of two */
    int64_t n_slots;
    int64_t *starts;   /* token r is arena[starts[r]:starts[r + 1] - 1], then a space */
    uint8_t *arena;
    int64_t arena_bytes;
    int64_t *sizes;    /* rows, arena bytes used */
    int64_t *counts;   /* per row: how often the token was read */
} wv_token_table;

/* Where splitting a block stands, kept across the calls that a growing table takes. */
typedef struct {
    const uint8_t *buf;
    int64_t n;
    int32_t *ids;       /* the lines' token ids, in order (wv_labelled_count says how many) */
    int64_t *lengths;   /* each line's token count */
    int64_t position;   /* where to go on in buf */
    int64_t n_ids;
    int64_t n_lines;
    int64_t line_first; /* where the open line's ids start; -1 when no line is open */
    int64_t more_bytes; /* after WV_SPLIT_GROW: the bytes of the token that did not fit */
} wv_line_split;

enum { SPLIT_SHORT = 7 };
static const uint64_t SPLIT_MIX = 0x9E3779B97F4A7C15ULL;
static const uint64_t SPLIT_PRIME = 0xFF51AFD7ED558CCDULL;
static const uint64_t SPLIT_LONG = 1ULL << 63;
static const uint8_t SPLIT_EOS[4] = {'<', '/', 's', '>'};

static inline int is_separator(uint8_t c) { return c == ' ' || (c >= '\t' && c <= '\r') || c == 0; }

/* bytes[0:length] (1 to 8 of them) as a little-endian number. */
static inline uint64_t packed(const uint8_t *bytes, int64_t length) {
    uint64_t value = 0;
    for (int64_t k = 0; k < length; k++) value |= (uint64_t)bytes[k] << (8 * k);
    return value;
}

/* A token's key: its bytes up to 7, else a hash of its 8-byte pieces with the top bit set. `loose`
 * says that 8 bytes may be read from every piece's start (the fast path; the same key). */
static inline uint64_t token_key(const uint8_t *token, int64_t length, int loose) {
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__ || defined(_M_X64)
    if (loose) {
        uint64_t piece;
        memcpy(&piece, token, sizeof piece);
        if (length <= SPLIT_SHORT) return piece & ((1ULL << (8 * length)) - 1);
        uint64_t h = (uint64_t)length * SPLIT_MIX;
        int64_t k = 0;
        for (; length - k > 8; k += 8) {
            memcpy(&piece, token + k, sizeof piece);
            h = (h ^ piece) * SPLIT_PRIME;
            h ^= h >> 32;
        }
        memcpy(&piece, token + k, sizeof piece);
        const int64_t left = length - k;
        h = (h ^ (left == 8 ? piece : piece & ((1ULL << (8 * left)) - 1))) * SPLIT_PRIME;
        return (h ^ (h >> 32)) | SPLIT_LONG;
    }
#endif
    (void)loose;
    if (length <= SPLIT_SHORT) return packed(token, length);
    uint64_t h = (uint64_t)length * SPLIT_MIX;
    int64_t k = 0;
    for (; length - k > 8; k += 8) {
        h = (h ^ packed(token + k, 8)) * SPLIT_PRIME;
        h ^= h >> 32;
    }
    h = (h ^ packed(token + k, length - k)) * SPLIT_PRIME;
    return (h ^ (h >> 32)) | SPLIT_LONG;
}

static inline int64_t key_slot(uint64_t key, int64_t n_slots) {
    return (int64_t)(((key * SPLIT_MIX) >> 32) & (uint64_t)(n_slots - 1));
}

/* Whether row holds the token bytes[0:length] (a call to memcmp costs more than the few words compared). */
static inline int same_bytes(const wv_token_table *table, int64_t row, const uint8_t *bytes, int64_t length) {
    const int64_t first = table->starts[row];
    if (table->starts[row + 1] - 1 - first != length) return 0;
    const uint8_t *kept = table->arena + first;
    int64_t k = 0;
    for (; k + 8 <= length; k += 8) {
        uint64_t a, b;
        memcpy(&a, kept + k, sizeof a);
        memcpy(&b, bytes + k, sizeof b);
        if (a != b) return 0;
    }
    for (; k < length; k++)
        if (kept[k] != bytes[k]) return 0;
    return 1;
}

/* The row of a token, added (and its bytes kept) if new; -1 when it is new and the table is full. */
static inline int64_t token_row(wv_token_table *table, const uint8_t *token, int64_t length, uint64_t key) {
    int64_t slot = key_slot(key, table->n_slots);
    for (uint64_t stored; (stored = table->slots[2 * slot + 1]) != 0; slot = (slot + 1) & (table->n_slots - 1)) {
        if (table->slots[2 * slot] != key) continue;
        const int64_t row = (int64_t)stored - 1;
        if (length <= SPLIT_SHORT || same_bytes(table, row, token, length)) return row;
    }
    const int64_t row = table->sizes[0], used = table->sizes[1];
    if (4 * (row + 1) > 3 * table->n_slots || used + length + 1 > table->arena_bytes) return -1;
    memcpy(table->arena + used, token, (size_t)length);
    table->arena[used + length] = ' ';
    table->slots[2 * slot] = key;
    table->slots[2 * slot + 1] = (uint64_t)(row + 1);
    table->starts[row + 1] = used + length + 1;
    table->counts[row] = 0;
    table->sizes[0] = row + 1;
    table->sizes[1] = used + length + 1;
    return row;
}

/* Fill the (zeroed) slots of a table from its rows: after the caller made it larger. */
WV_EXPORT void wv_labelled_rehash(wv_token_table *table) {
    for (int64_t row = 0; row < table->sizes[0]; row++) {
        const int64_t first = table->starts[row];
        const uint64_t key = token_key(table->arena + first, table->starts[row + 1] - 1 - first, 0);
        int64_t slot = key_slot(key, table->n_slots);
        while (table->slots[2 * slot + 1] != 0) slot = (slot + 1) & (table->n_slots - 1);
        table->slots[2 * slot] = key;
        table->slots[2 * slot + 1] = (uint64_t)(row + 1);
    }
}

static inline int64_t lowest_bit(uint64_t mask) {
#if defined(_MSC_VER) && !defined(__clang__) && defined(_M_X64)
    unsigned long index;
    _BitScanForward64(&index, mask);
    return (int64_t)index;
#elif defined(__GNUC__) || defined(__clang__)
    return (int64_t)__builtin_ctzll(mask);
#else
    int64_t index = 0;
    while (!(mask & 1)) mask >>= 1, index++;
    return index;
#endif
}

/* Bit k is set where buf[base + k] is a separator (bytes from n on count as separators); in
 * *feeds, where it is a line feed. */
static inline uint64_t separators(const uint8_t *buf, int64_t base, int64_t n, uint64_t *feeds) {
    uint8_t tail[64];
    const uint8_t *bytes = buf + base;
    if (n - base < 64) {
        memset(tail, ' ', sizeof tail);
        memcpy(tail, bytes, (size_t)(n - base));
        bytes = tail;
    }
    uint64_t found = 0, lines = 0;
#ifdef WV_SPLIT_SSE2
    const __m128i space = _mm_set1_epi8(' '), tab = _mm_set1_epi8('\t'), four = _mm_set1_epi8(4);
    const __m128i newline = _mm_set1_epi8('\n');
    for (int k = 0; k < 4; k++) {
        const __m128i chunk = _mm_loadu_si128((const __m128i *)(bytes + 16 * k));
        const __m128i control = _mm_sub_epi8(chunk, tab); /* \t \n \v \f \r: 0 to 4 */
        const __m128i separator = _mm_or_si128(_mm_or_si128(_mm_cmpeq_epi8(chunk, space),
                                                            _mm_cmpeq_epi8(chunk, _mm_setzero_si128())),
                                               _mm_cmpeq_epi8(_mm_min_epu8(control, four), control));
        found |= (uint64_t)(uint32_t)_mm_movemask_epi8(separator) << (16 * k);
        lines |= (uint64_t)(uint32_t)_mm_movemask_epi8(_mm_cmpeq_epi8(chunk, newline)) << (16 * k);
    }
#else
    for (int k = 0; k < 64; k++) {
        found |= (uint64_t)is_separator(bytes[k]) << k;
        lines |= (uint64_t)(bytes[k] == '\n') << k;
    }
#endif
    *feeds = lines;
    return found;
}

static inline int64_t bits_set(uint64_t mask) {
    mask -= (mask >> 1) & 0x5555555555555555ULL;
    mask = (mask & 0x3333333333333333ULL) + ((mask >> 2) & 0x3333333333333333ULL);
    mask = (mask + (mask >> 4)) & 0x0F0F0F0F0F0F0F0FULL;
    return (int64_t)((mask * 0x0101010101010101ULL) >> 56);
}

/* How many ids (tokens and a `</s>` a line) and lines wv_labelled_split gives for buf[0:n]: out[0], out[1]. */
WV_EXPORT void wv_labelled_count(const uint8_t *buf, int64_t n, int64_t *out) {
    int64_t tokens = 0, lines = 0;
    uint64_t after_separator = 1;
    for (int64_t base = 0; base < n; base += 64) {
        uint64_t feeds, seps = separators(buf, base, n, &feeds);
        tokens += bits_set(~seps & ((seps << 1) | after_separator));
        lines += bits_set(feeds);
        after_separator = seps >> 63;
    }
    lines += n > 0 && buf[n - 1] != '\n';
    out[0] = tokens + lines;
    out[1] = lines;
}

/* Where the token that runs on past buf[i] ends: the next separator, or n. */
static int64_t token_end(const uint8_t *buf, int64_t i, int64_t n) {
    while (i < n && !is_separator(buf[i])) i++;
    return i;
}

/* The open line gets `</s>` first (a line opens at its first token or its end). */
static inline void open_line(wv_line_split *at, int64_t eos, int64_t *counts) {
    if (at->line_first >= 0) return;
    at->line_first = at->n_ids;
    at->ids[at->n_ids++] = (int32_t)eos;
    counts[eos]++;
}

static inline void close_line(wv_line_split *at) {
    at->lengths[at->n_lines++] = at->n_ids - at->line_first;
    at->line_first = -1;
}

/* The tokens and line feeds of buf[base:base + 64) from position at->position on, in order; returns
 * where the next stretch starts (past a token running on beyond it), or -1 where the table is full
 * (at->position then at the token that did not fit). */
static inline int64_t split_stretch(wv_token_table *table, wv_line_split *at, int64_t eos) {
    const uint8_t *buf = at->buf;
    const int64_t n = at->n, base = at->position;
    uint64_t feeds, seps = separators(buf, base, n, &feeds);
    const uint64_t after_separator = base == 0 || is_separator(buf[base - 1]);
    uint64_t starts = ~seps & ((seps << 1) | after_separator);
    while (starts | feeds) {
        const int64_t s = starts ? lowest_bit(starts) : 64, f = feeds ? lowest_bit(feeds) : 64;
        if (f < s) {
            open_line(at, eos, table->counts);
            close_line(at);
            feeds &= feeds - 1;
            continue;
        }
        const int64_t start = base + s, rest = (int64_t)(seps >> s);
        const int64_t end = rest ? start + lowest_bit((uint64_t)rest) : token_end(buf, base + 64, n);
        const int64_t length = end - start;
        const int64_t row = token_row(table, buf + start, length, token_key(buf + start, length, n - start >= length + 8));
        if (row < 0) {
            at->position = start;
            at->more_bytes = length;
            return -1;
        }
        open_line(at, eos, table->counts);
        at->ids[at->n_ids++] = (int32_t)row;
        table->counts[row]++;
        starts &= starts - 1;
        if (end > base + 64) return end;
    }
    return base + 64;
}

/* Split and number the lines of at->buf from at->position on (see the top of the file). */
WV_EXPORT int wv_labelled_split(wv_token_table *table, wv_line_split *at) {
    const int64_t n = at->n;
    const int64_t eos = token_row(table, SPLIT_EOS, 4, token_key(SPLIT_EOS, 4, 0));
    if (eos < 0) {
        at->more_bytes = 4;
        return WV_SPLIT_GROW;
    }
    while (at->position < n) {
        const int64_t next = split_stretch(table, at, eos);
        if (next < 0) return WV_SPLIT_GROW;
        at->position = next;
    }
    if (at->line_first < 0 && n > 0 && at->buf[n - 1] != '\n') open_line(at, eos, table->counts);
    if (at->line_first >= 0) close_line(at);
    return WV_SPLIT_DONE;
}

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
