/* fastText's supervised input, Dictionary::getLine rule for rule (wordvec/classifier_lines.py is
 * the reference): tokens at the seven separator bytes, the line ended by "</s>" (or by a "</s>"
 * token), words looked up by fastText's 32-bit FNV-1a hash of signed chars, unknown tokens
 * starting "__label__" taken as labels (no rows), the character n-grams of "<word>" counted in
 * UTF-8 characters and hashed into buckets, then the word n-grams; pruned buckets left out.
 * No I/O, no allocation: the caller passes the tables and the output space. */
#include <string.h>

#include "classify_lines.h"

#define FNV_OFFSET 2166136261u
#define FNV_PRIME 16777619u
#define NGRAM_MULTIPLIER 116049371u

static const char EOS[] = "</s>";
static const char LABEL_PREFIX[] = "__label__";

static inline uint32_t fnv_step(uint32_t h, char c) {
    return (h ^ (uint32_t)(int32_t)(signed char)c) * FNV_PRIME;
}

static uint32_t fnv(const char *text, int64_t length) {
    uint32_t h = FNV_OFFSET;
    for (int64_t i = 0; i < length; i++) h = fnv_step(h, text[i]);
    return h;
}

static inline int is_separator(char c) {
    return c == ' ' || c == '\n' || c == '\r' || c == '\t' || c == '\v' || c == '\f' || c == '\0';
}

static inline uint32_t prune_slot(int64_t key, int64_t mask) {
    return (uint32_t)(((uint64_t)key * 0x9E3779B97F4A7C15ull) >> 32) & (uint32_t)mask;
}

WV_EXPORT int64_t wv_lines_hash_bound(int64_t length) { return length / 2 + 2; }

WV_EXPORT int64_t wv_lines_row_bound(const wv_lines *lines, int64_t length) {
    const int64_t tokens = wv_lines_hash_bound(length), maxn = lines->maxn > 0 ? lines->maxn : 0;
    const int64_t ngrams = lines->word_ngrams > 1 ? lines->word_ngrams - 1 : 0;
    return (length + 2 * tokens) * maxn + tokens * (1 + ngrams);
}

WV_EXPORT void wv_lines_build_slots(const char *words, const int64_t *word_starts, int64_t n_entries, int32_t *slots,
                                    int64_t slot_mask) {
    for (int64_t s = 0; s <= slot_mask; s++) slots[s] = -1;
    for (int64_t i = 0; i < n_entries; i++) {
        const char *word = words + word_starts[i];
        const int64_t length = word_starts[i + 1] - word_starts[i];
        int64_t s = fnv(word, length) & slot_mask;
        while (slots[s] >= 0) {
            const int64_t other = slots[s];
            if (word_starts[other + 1] - word_starts[other] == length &&
                memcmp(words + word_starts[other], word, (size_t)length) == 0)
                break;
            s = (s + 1) & slot_mask;
        }
        slots[s] = (int32_t)i;
    }
}

WV_EXPORT void wv_lines_build_prune(const int64_t *pairs, int64_t n_pairs, int32_t *slots, int64_t mask,
                                    uint64_t *bits, int64_t bucket) {
    for (int64_t s = 0; s <= mask; s++) slots[2 * s] = -1;
    for (int64_t b = 0; b < (bucket + 63) / 64; b++) bits[b] = 0;
    for (int64_t i = 0; i < n_pairs; i++) {
        const int64_t key = pairs[2 * i];
        if (key < 0 || key >= bucket) continue;  /* never looked up */
        uint32_t s = prune_slot(key, mask);
        while (slots[2 * s] >= 0 && slots[2 * s] != key) s = (s + 1) & (uint32_t)mask;
        slots[2 * s] = (int32_t)key;
        slots[2 * s + 1] = (int32_t)pairs[2 * i + 1];
        bits[key >> 6] |= (uint64_t)1 << (key & 63);
    }
}

/* Lemire's fast remainder by a 32-bit constant: the magic number, and x % bucket from it. */
WV_EXPORT uint64_t wv_lines_bucket_magic(int64_t bucket) {
    return bucket > 0 && bucket <= UINT32_MAX ? UINT64_MAX / (uint64_t)bucket + 1 : 0;
}

static inline uint32_t bucket_of(const wv_lines *lines, uint32_t h) {
#if defined(__SIZEOF_INT128__)
    if (lines->bucket_magic) {
        const uint64_t low = lines->bucket_magic * h;
        return (uint32_t)(((unsigned __int128)low * (uint64_t)lines->bucket) >> 64);
    }
#endif
    return h % (uint32_t)lines->bucket;
}

static int64_t lookup(const wv_lines *lines, const char *token, int64_t length, uint32_t h) {
    int64_t s = h & lines->slot_mask;
    for (;;) {
        const int32_t entry = lines->slots[s];
        if (entry < 0) return -1;
        const int64_t start = lines->word_starts[entry];
        if (lines->word_starts[entry + 1] - start == length && memcmp(lines->words + start, token, (size_t)length) == 0)
            return entry;
        s = (s + 1) & lines->slot_mask;
    }
}

/* fastText's pushHash for the buckets rows[first:end]: each as its row, the ones a pruned model
 * dropped left out (the bitmap's loads first, independent of each other, then the table's). */
static int64_t bucket_rows(const wv_lines *lines, int32_t *rows, int64_t first, int64_t end) {
    const int32_t nwords = (int32_t)lines->nwords;
    if (!lines->pruned) {
        for (int64_t i = first; i < end; i++) rows[i] += nwords;
        return end;
    }
    if (lines->prune_count == 0) return first;
    const uint64_t *bits = lines->prune_bits;
    int64_t kept = first;
    for (int64_t i = first; i < end; i++) {
        const int32_t b = rows[i];
        rows[kept] = b;
        kept += (int64_t)((bits[b >> 6] >> (b & 63)) & 1);
    }
    const int32_t *slots = lines->prune_slots;
    const uint32_t mask = (uint32_t)lines->prune_mask;
    for (int64_t i = first; i < kept; i++) {
        uint32_t s = prune_slot(rows[i], mask);
        while (slots[2 * s] != rows[i]) s = (s + 1) & mask;
        rows[i] = nwords + slots[2 * s + 1];
    }
    return kept;
}

/* fastText's computeSubwords of "<token>": n-grams of minn..maxn UTF-8 characters, the
 * single-character "<" and ">" left out. */
static int64_t subwords(const wv_lines *lines, const char *token, int64_t length, int32_t *rows, int64_t n) {
    if (lines->maxn <= 0 || lines->bucket <= 0) return n;
    const int64_t first = n, size = length + 2, maxn = lines->maxn, minn = lines->minn;
#define AT(j) ((j) == 0 ? '<' : (j) == size - 1 ? '>' : token[(j) - 1])
    for (int64_t i = 0; i < size; i++) {
        if ((AT(i) & 0xC0) == 0x80) continue;
        uint32_t h = FNV_OFFSET;
        int64_t j = i;
        for (int64_t chars = 1; j < size && chars <= maxn; chars++) {
            h = fnv_step(h, AT(j));
            j++;
            while (j < size && (AT(j) & 0xC0) == 0x80) {
                h = fnv_step(h, AT(j));
                j++;
            }
            if (chars >= minn && !(chars == 1 && (i == 0 || j == size))) rows[n++] = (int32_t)bucket_of(lines, h);
        }
    }
#undef AT
    return bucket_rows(lines, rows, first, n);
}

static int is_eos(const char *token, int64_t length) { return length == 4 && memcmp(token, EOS, 4) == 0; }

WV_EXPORT int64_t wv_lines_word_rows(const wv_lines *lines, int64_t *row_starts, int32_t *rows) {
    int64_t total = 0;
    for (int64_t i = 0; i < lines->n_entries; i++) {
        const char *word = lines->words + lines->word_starts[i];
        const int64_t length = lines->word_starts[i + 1] - lines->word_starts[i];
        if (rows == NULL) {  /* the space needed, at most */
            total += 1 + wv_lines_row_bound(lines, length);
            continue;
        }
        row_starts[i] = total;
        rows[total] = (int32_t)i;
        total = is_eos(word, length) ? total + 1 : subwords(lines, word, length, rows, total + 1);
    }
    if (rows != NULL) row_starts[lines->n_entries] = total;
    return total;
}

WV_EXPORT int64_t wv_lines_text(const wv_lines *lines, const char *text, int64_t length, int32_t *rows,
                                int32_t *hashes) {
    int64_t n = 0, n_hashes = 0, at = 0;
    for (;;) {
        while (at < length && is_separator(text[at]) && text[at] != '\n') at++;
        const char *token = EOS;
        int64_t size = 4;
        if (at < length && text[at] != '\n') {
            const int64_t start = at;
            while (at < length && !is_separator(text[at])) at++;
            token = text + start;
            size = at - start;
        }
        const uint32_t h = fnv(token, size);
        const int64_t id = lookup(lines, token, size, h);
        const int label = id >= 0 ? id >= lines->nwords
                                  : size >= 9 && memcmp(token, LABEL_PREFIX, 9) == 0;
        const int eos = is_eos(token, size);
        if (!label) {
            if (id >= 0) {
                const int64_t first = lines->word_row_starts[id], count = lines->word_row_starts[id + 1] - first;
                memcpy(rows + n, lines->word_rows + first, (size_t)count * sizeof(int32_t));
                n += count;
            } else if (!eos) {
                n = subwords(lines, token, size, rows, n);
            }
            hashes[n_hashes++] = (int32_t)h;
        }
        if (eos) break;
    }
    if (lines->word_ngrams > 1 && lines->bucket > 0) {
        const uint64_t bucket = (uint64_t)lines->bucket;
        const int64_t first = n;
        for (int64_t i = 0; i < n_hashes; i++) {
            uint64_t h = (uint64_t)(int64_t)hashes[i];
            for (int64_t j = i + 1; j < n_hashes && j < i + lines->word_ngrams; j++) {
                h = h * NGRAM_MULTIPLIER + (uint64_t)(int64_t)hashes[j];
                rows[n++] = (int32_t)(h % bucket);
            }
        }
        n = bucket_rows(lines, rows, first, n);
    }
    return n;
}
