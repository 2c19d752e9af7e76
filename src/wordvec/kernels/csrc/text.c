/* wordvec's reading kernels: documents found in blocks of bytes, their words numbered.
 *
 * The same results, byte for byte, as the reference kernels of tests/oracles.py
 * (wordvec/kernels/text.py calls these through ctypes and mirrors the structs below).
 * Every array is owned by the caller: when a table of words is full, wv_encode_block
 * returns WV_TEXT_GROW, the caller allocates a larger table (wv_rehash fills its slots)
 * and calls again to go on where it stopped. Nothing here allocates, and no global is
 * written, so encoding threads run these at once on tables of their own.
 */
#include <stdint.h>
#include <string.h>

#include "compiler.h"

#define WV_TEXT_DONE 0
#define WV_TEXT_GROW 1

enum { NEWLINE = 10, SPACE = 32, TAG_OPEN = 60, TAG_CLOSE = 62, TAG_MAX_INSIDE = 200, SHORT_WORD = 7 };

static const uint64_t FNV_OFFSET = 0xCBF29CE484222325ULL;
static const uint64_t FNV_PRIME = 0x100000001B3ULL;
static const uint64_t SLOT_MIX = 0x9E3779B97F4A7C15ULL;
static const uint64_t LONG_KEY = 1ULL << 63;
static const char SNAP_SUMMARY[] = "review/summary:";
static const char SNAP_TEXT[] = "review/text:";

/* A table of words (wordvec.kernels.text.Words): open addressing, linear probing. */
typedef struct {
    uint64_t *slots;     /* n_slots pairs (key, row + 1), 0 where empty; n_slots a power of two */
    int64_t n_slots;
    int64_t *starts;     /* word r is arena[starts[r]:starts[r + 1] - 1], then a space */
    uint8_t *arena;
    int64_t arena_bytes;
    int64_t *sizes;      /* rows, arena bytes used */
} wv_words;

/* A block's documents: d is buf[docs[4d]:docs[4d + 1]] then buf[docs[4d + 2]:docs[4d + 3]],
 * or, where hard[d], the next replacement (replacements[starts[k]:starts[k + 1]]). */
typedef struct {
    const uint8_t *buf;
    const int64_t *docs;
    const uint8_t *hard;
    int64_t n_docs;
    const uint8_t *replacements;
    const int64_t *replacement_starts;
    const uint8_t *fold; /* per byte: 0 where it separates words, else its lower case */
} wv_block;

/* Where encoding a block stands, kept across the calls that a growing table takes. */
typedef struct {
    int32_t *ids;        /* the rows of the block's words, in order */
    int64_t *tally;      /* ids written, where the open document started, documents, their sizes */
    int64_t tally_size;
    int64_t doc;         /* the first document of the group being encoded */
    int64_t replacement; /* the next replacement */
    int64_t part;        /* 0: the group's summary, 1: the rest */
    int64_t position;    /* where to go on in the part; -1 at its start */
    int64_t more_bytes;  /* after WV_TEXT_GROW: the bytes of the part left to read */
} wv_encoding;

/* One stretch of bytes to split into words; a document ends at its end when closes. */
typedef struct {
    const uint8_t *src;
    int64_t start;
    int64_t end;
    int closes;
} wv_range;

/* Ids of a corpus turned into vocabulary rows (see wv_remap_range). */
typedef struct {
    const int32_t *ids;
    int64_t n_ids;
    int64_t first;
    const int32_t *remap;
    const int64_t *doc_starts;
    int64_t n_doc_starts;
    int64_t *offsets;
    int64_t *state;
    int32_t *out;
} wv_remap;

/* -- the table ---------------------------------------------------------------------------- */

static inline int64_t slot_of(uint64_t key, int64_t n_slots) {
    return (int64_t)(((key * SLOT_MIX) >> 32) & (uint64_t)(n_slots - 1));
}

/* The key of a word of lower-case bytes: the bytes themselves up to 7, else an FNV-1a hash, top bit set. */
static uint64_t word_key(const uint8_t *word, int64_t length) {
    uint64_t key = 0;
    if (length <= SHORT_WORD) {
        for (int64_t k = 0; k < length; k++) key |= (uint64_t)word[k] << (8 * k);
        return key;
    }
    key = FNV_OFFSET;
    for (int64_t k = 0; k < length; k++) key = (key ^ word[k]) * FNV_PRIME;
    return key | LONG_KEY;
}

/* Whether row holds the word whose bytes, lower-cased by fold, are word[0:length]. */
static inline int same_word(const wv_words *table, int64_t row, const uint8_t *word, int64_t length,
                            const uint8_t *fold) {
    const int64_t first = table->starts[row];
    if (table->starts[row + 1] - 1 - first != length) return 0;
    for (int64_t k = 0; k < length; k++)
        if (table->arena[first + k] != fold[word[k]]) return 0;
    return 1;
}

/* Add a word at an empty slot as the next row; -1 (nothing written) when the table is full. */
static inline int64_t add_word(wv_words *table, int64_t slot, uint64_t key, const uint8_t *word, int64_t length,
                               const uint8_t *fold) {
    const int64_t row = table->sizes[0], used = table->sizes[1];
    if (4 * (row + 1) > 3 * table->n_slots || used + length + 1 > table->arena_bytes) return -1;
    for (int64_t k = 0; k < length; k++) table->arena[used + k] = fold[word[k]];
    table->arena[used + length] = SPACE;
    table->slots[2 * slot] = key;
    table->slots[2 * slot + 1] = (uint64_t)(row + 1);
    table->starts[row + 1] = used + length + 1;
    table->sizes[0] = row + 1;
    table->sizes[1] = used + length + 1;
    return row;
}

/* The row of a word (added if new); -1 when it is new and the table is full. */
static inline int64_t row_of(wv_words *table, const uint8_t *word, int64_t length, uint64_t key,
                             const uint8_t *fold) {
    int64_t slot = slot_of(key, table->n_slots);
    while (table->slots[2 * slot + 1] != 0) {
        if (table->slots[2 * slot] == key) {
            const int64_t row = (int64_t)table->slots[2 * slot + 1] - 1;
            if (length <= SHORT_WORD || same_word(table, row, word, length, fold)) return row;
        }
        slot = (slot + 1) & (table->n_slots - 1);
    }
    return add_word(table, slot, key, word, length, fold);
}

/* Fill the (zeroed) slots of a table from its rows: after the caller made it larger. */
WV_EXPORT void wv_rehash(wv_words *table) {
    for (int64_t row = 0; row < table->sizes[0]; row++) {
        const int64_t first = table->starts[row];
        const uint64_t key = word_key(table->arena + first, table->starts[row + 1] - 1 - first);
        int64_t slot = slot_of(key, table->n_slots);
        while (table->slots[2 * slot + 1] != 0) slot = (slot + 1) & (table->n_slots - 1);
        table->slots[2 * slot] = key;
        table->slots[2 * slot + 1] = (uint64_t)(row + 1);
    }
}

/* -- words of a document ------------------------------------------------------------------ */

/* Where reading goes on after the '<' at start: past its tag (<[^<>]{0,200}>), or the next byte. */
static inline int64_t after_tag(const uint8_t *src, int64_t start, int64_t end) {
    const int64_t stop = end < start + TAG_MAX_INSIDE + 2 ? end : start + TAG_MAX_INSIDE + 2;
    for (int64_t i = start + 1; i < stop; i++) {
        if (src[i] == TAG_CLOSE) return i + 1;
        if (src[i] == TAG_OPEN || src[i] == NEWLINE) break; /* a tag never runs on to the next document */
    }
    return start + 1;
}

/* End the open document at n_ids ids, if it has words and the tally has room for its size. */
static inline void close_document(int64_t *tally, int64_t tally_size, int64_t n_ids) {
    if (n_ids > tally[1] && 3 + tally[2] < tally_size) {
        tally[3 + tally[2]] = n_ids - tally[1];
        tally[1] = n_ids;
        tally[2] += 1;
    }
}

/* Append the rows of the words of a range to at->ids; a line feed ends a document. Returns where it
 * stopped: the range's end, or the start of a new word met with the table full. */
static int64_t encode_range(const wv_range *range, wv_words *table, const uint8_t *fold, wv_encoding *at) {
    const uint8_t *src = range->src;
    int64_t i = range->start, n_ids = at->tally[0];
    while (i < range->end) {
        if (fold[src[i]] == 0) {
            if (src[i] == NEWLINE) close_document(at->tally, at->tally_size, n_ids);
            i = src[i] == TAG_OPEN ? after_tag(src, i, range->end) : i + 1;
            continue;
        }
        uint64_t packed = 0, hashed = FNV_OFFSET;
        int64_t j = i;
        for (; j < range->end && fold[src[j]] != 0; j++) {
            const uint64_t folded = fold[src[j]];
            hashed = (hashed ^ folded) * FNV_PRIME;
            if (j - i < SHORT_WORD) packed |= folded << (8 * (j - i));
        }
        const uint64_t key = j - i <= SHORT_WORD ? packed : hashed | LONG_KEY;
        const int64_t row = row_of(table, src + i, j - i, key, fold);
        if (row < 0) break;
        at->ids[n_ids++] = (int32_t)row;
        i = j;
    }
    at->tally[0] = n_ids;
    if (i >= range->end && range->closes) close_document(at->tally, at->tally_size, n_ids);
    return i;
}

/* -- documents of a block ----------------------------------------------------------------- */

/* The last document of the group starting at d: the consecutive lines without summary that follow it. */
static int64_t last_of_group(const wv_block *block, int64_t d) {
    const int64_t *docs = block->docs;
    int64_t last = d;
    if (block->hard[d]) return d;
    while (last + 1 < block->n_docs && !block->hard[last + 1] && docs[4 * (last + 1) + 1] == docs[4 * (last + 1)]
           && docs[4 * (last + 1) + 2] == docs[4 * last + 3] + 1)
        last++;
    return last;
}

/* The range of a part of the group at->doc..last; 0 where the part has nothing to read (no summary). */
static int part_range(const wv_block *block, const wv_encoding *at, int64_t last, wv_range *range) {
    const int64_t *doc = block->docs + 4 * at->doc;
    if (at->part == 0) {
        if (block->hard[at->doc] || doc[1] <= doc[0]) return 0;
        *range = (wv_range){block->buf, doc[0], doc[1], 0};
    } else if (block->hard[at->doc]) {
        const int64_t *starts = block->replacement_starts + at->replacement;
        *range = (wv_range){block->replacements, starts[0], starts[1], 1};
    } else {
        *range = (wv_range){block->buf, doc[2], block->docs[4 * last + 3], 1};
    }
    return 1;
}

/* Number the words of a block's documents in a table, adding new words: the documents from at->doc
 * on, from at->part and at->position. Returns WV_TEXT_DONE, or WV_TEXT_GROW where the table is full:
 * the caller makes it larger (room for a row and at->more_bytes bytes) and calls again. */
WV_EXPORT int wv_encode_block(wv_words *table, const wv_block *block, wv_encoding *at) {
    while (at->doc < block->n_docs) {
        const int64_t last = last_of_group(block, at->doc);
        for (; at->part < 2; at->part++) {
            wv_range range;
            if (!part_range(block, at, last, &range)) continue;
            if (at->position >= 0) range.start = at->position;
            const int64_t stopped = encode_range(&range, table, block->fold, at);
            if (stopped < range.end) {
                at->position = stopped;
                at->more_bytes = range.end - stopped;
                return WV_TEXT_GROW;
            }
            at->position = -1;
        }
        at->replacement += block->hard[at->doc] != 0;
        at->doc = last + 1;
        at->part = 0;
    }
    return WV_TEXT_DONE;
}

/* The bitwise or of buf[start:end]: its top bit is set where a byte is outside ASCII. */
static inline uint8_t bits_of(const uint8_t *buf, int64_t start, int64_t end) {
    uint8_t seen = 0;
    for (int64_t i = start; i < end; i++) seen |= buf[i];
    return seen;
}

/* Where the line starting at start ends: its line feed, or n. */
static inline int64_t line_end(const uint8_t *buf, int64_t start, int64_t n) {
    const uint8_t *found = start < n ? memchr(buf + start, NEWLINE, (size_t)(n - start)) : NULL;
    return found == NULL ? n : found - buf;
}

/* The number of lines of buf[0:n]: its line feeds, and one more where it does not end with one. */
WV_EXPORT int64_t wv_count_lines(const uint8_t *buf, int64_t n) {
    int64_t lines = 0;
    for (int64_t start = 0; start < n; lines++) start = line_end(buf, start, n) + 1;
    return lines;
}

/* The lines of buf[0:n] as documents: docs[4k + 2], docs[4k + 3] its range (line feed left out),
 * hard[k] 1 where it holds a byte outside ASCII. docs and hard hold wv_count_lines rows. */
WV_EXPORT void wv_find_lines(const uint8_t *buf, int64_t n, int64_t *docs, uint8_t *hard) {
    int64_t k = 0;
    for (int64_t start = 0; start < n; k++) {
        const int64_t end = line_end(buf, start, n);
        docs[4 * k + 2] = start;
        docs[4 * k + 3] = end;
        hard[k] = bits_of(buf, start, end) >> 7;
        start = end + 1;
    }
}

/* Whether the line buf[start:end] starts with prefix. */
static inline int starts_with(const uint8_t *buf, int64_t start, int64_t end, const char *prefix, int64_t size) {
    return end - start >= size && memcmp(buf + start, prefix, (size_t)size) == 0;
}

/* The reviews of buf[0:n] in the SNAP layout; returns how many. A review is the rest of a review/text:
 * line (docs[4k + 2], docs[4k + 3]), after the rest of the last review/summary: line since the previous
 * text (docs[4k], docs[4k + 1]) when include_summary. hard[k] is 1 where either part holds a byte outside
 * ASCII, or the summary a '<'. docs (zeroed) and hard hold wv_count_lines rows. */
WV_EXPORT int64_t wv_find_reviews(const uint8_t *buf, int64_t n, int include_summary, int64_t *docs, uint8_t *hard) {
    const int64_t summary_size = (int64_t)sizeof SNAP_SUMMARY - 1, text_size = (int64_t)sizeof SNAP_TEXT - 1;
    int64_t summary_start = -1, summary_end = -1, k = 0;
    uint8_t summary_hard = 0;
    for (int64_t start = 0; start < n;) {
        const int64_t end = line_end(buf, start, n);
        if (starts_with(buf, start, end, SNAP_SUMMARY, summary_size)) {
            summary_start = start + summary_size;
            summary_end = end;
            summary_hard = (bits_of(buf, start, end) >> 7) | (memchr(buf + start, TAG_OPEN, (size_t)(end - start)) != NULL);
        } else if (starts_with(buf, start, end, SNAP_TEXT, text_size)) {
            docs[4 * k + 2] = start + text_size;
            docs[4 * k + 3] = end;
            hard[k] = bits_of(buf, start, end) >> 7;
            if (include_summary && summary_start >= 0) {
                docs[4 * k] = summary_start;
                docs[4 * k + 1] = summary_end;
                hard[k] |= summary_hard;
            }
            summary_start = summary_end = -1;
            k++;
        }
        start = end + 1;
    }
    return k;
}

/* -- the corpus in vocabulary rows -------------------------------------------------------- */

/* Rows remap[ids] into out, those mapped to 0 left out; returns how many were kept. ids are the
 * corpus' ids from position first; state holds the next document and the rows kept so far, carried
 * from range to range; each document starting in the range (at doc_starts[d]) gets offsets[d], the
 * rows kept before it. */
WV_EXPORT int64_t wv_remap_range(const wv_remap *remap) {
    int64_t doc = remap->state[0], n_kept = 0;
    const int64_t kept = remap->state[1];
    for (int64_t i = 0; i < remap->n_ids; i++) {
        while (doc < remap->n_doc_starts && remap->doc_starts[doc] == remap->first + i) {
            remap->offsets[doc] = kept + n_kept;
            doc++;
        }
        const int32_t row = remap->remap[remap->ids[i]];
        if (row > 0) remap->out[n_kept++] = row;
    }
    remap->state[0] = doc;
    remap->state[1] = kept + n_kept;
    return n_kept;
}
