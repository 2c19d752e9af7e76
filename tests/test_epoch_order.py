"""The order an epoch trains the corpus in: blocks, their cuts, and the calls gathered from them."""

import numpy as np

from wordvec.engines.epoch_order import EpochOrder


def _order(doc_lengths, block_tokens):
    offsets = np.concatenate([[0], np.cumsum(doc_lengths)]).astype(np.int64)
    tokens = np.arange(offsets[-1], dtype=np.int32)
    return EpochOrder(tokens, offsets, block_tokens=block_tokens), offsets


def test_blocks_end_at_the_next_document_start_when_one_is_near():
    order, _ = _order([4, 6, 2, 8], block_tokens=6)  # documents start at 0, 4, 10, 12; 20 tokens
    assert order.block_starts.tolist() == [0, 10, 12, 20]  # cuts at 6, 12, 18 moved to 10, 12, the end


def test_a_long_document_is_cut_where_no_document_starts_near():
    order, _ = _order([3, 25, 2], block_tokens=10)  # documents start at 0, 3, 28; 30 tokens
    assert order.block_starts.tolist() == [0, 10, 28, 30]  # the cut at 20 moved to 28, the one at 10 kept


def test_an_empty_corpus_has_no_calls():
    order, _ = _order([], block_tokens=4)
    assert list(order.calls(blocks_per_call=2, seed=1, epoch=0)) == []


def test_the_calls_of_an_epoch_cover_every_token_once_with_every_document_boundary_kept():
    order, offsets = _order(np.random.default_rng(0).integers(0, 30, 400), block_tokens=64)
    calls = list(order.calls(blocks_per_call=3, seed=7, epoch=2))
    assert sorted(r for call in calls for r in call.ranges) == list(zip(order.block_starts[:-1].tolist(),
                                                                       order.block_starts[1:].tolist()))
    for call in calls:
        tokens, doc_offsets = call.stream.tokens, call.stream.doc_offsets
        assert np.array_equal(tokens, np.concatenate([np.arange(s, e) for s, e in call.ranges]))
        assert doc_offsets[0] == 0 and doc_offsets[-1] == tokens.shape[0] and np.all(np.diff(doc_offsets) >= 0)
        # each token's original document start, or its block's start, is a boundary in the call
        starts = {int(tokens[i]) for i in doc_offsets[:-1] if i < tokens.shape[0]}
        expected = {s for s, e in call.ranges} | {int(o) for s, e in call.ranges for o in offsets if s < o < e}
        assert starts == expected


def test_the_order_repeats_for_a_seed_and_epoch_and_changes_with_either():
    order, _ = _order([10] * 100, block_tokens=10)

    def firsts(seed, epoch):
        return [call.ranges[0][0] for call in order.calls(blocks_per_call=1, seed=seed, epoch=epoch)]

    assert firsts(1, 0) == firsts(1, 0)
    assert firsts(1, 0) != firsts(1, 1) and firsts(1, 0) != firsts(2, 0)
    assert sorted(firsts(1, 0)) == list(range(0, 1000, 10))
