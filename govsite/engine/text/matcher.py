"""Multi-pattern search: every occurrence of any of many keys in a text, in one pass
(Aho-Corasick, the Rust `aho-corasick` crate through ahocorasick_rs)."""

from __future__ import annotations

import sys
from collections.abc import Iterable

import ahocorasick_rs

# Long texts are searched in pieces, so that a text packed with keys cannot build a list of
# millions of matches before the caller's limit applies.
CHUNK_CHARS = 8192


class Matcher:
    """The keys in one automaton: a contiguous NFA, a few MB in one block. Inside a crawl, whose
    own work evicts it between pages, a page's new text takes ~55 µs, against 85–98 µs with
    pyahocorasick's trie of separately allocated nodes (~12 against ~23 in a loop over the same
    texts). Built when made or unpickled (~50 ms for the 32,000 lexicon keys); a pickle holds only
    the keys, as the automaton itself cannot be pickled."""

    def __init__(self, keys: Iterable[str]) -> None:
        self.keys = tuple(keys)
        if not all(self.keys):
            raise ValueError("空词条无法编译")
        self._longest = max(map(len, self.keys), default=0)
        self._ac = ahocorasick_rs.AhoCorasick(
            self.keys, implementation=ahocorasick_rs.Implementation.ContiguousNFA) if self.keys else None

    def __reduce__(self) -> tuple:
        return Matcher, (self.keys,)

    def find(self, text: str, limit: int | None = None) -> list[tuple[int, int, int]]:
        """Every match, overlapping ones included, as (key index, start, end) in characters:
        ordered by end, the longest first at one end; the first `limit` of them."""
        if self._ac is None or not text or (limit is not None and limit <= 0):
            return []
        if limit is None:
            limit = sys.maxsize
        if len(text) <= CHUNK_CHARS:
            got = self._find(text)
            return got if len(got) <= limit else got[:limit]
        # Piece by piece: each piece starts early enough (the longest key, less one) to hold
        # every match that ends in it, and keeps just those, so the pieces' matches are the whole
        # text's, in the same order.
        out: list[tuple[int, int, int]] = []
        pad = self._longest - 1
        for a in range(0, len(text), CHUNK_CHARS):
            lo = max(0, a - pad)
            out += [(i, s + lo, e + lo) for i, s, e in self._find(text[lo:a + CHUNK_CHARS]) if e + lo > a]
            if len(out) >= limit:
                return out[:limit]
        return out

    def _find(self, text: str) -> list[tuple[int, int, int]]:
        try:
            return self._ac.find_matches_as_indexes(text, overlapping=True)  # type: ignore[union-attr]
        except UnicodeEncodeError:
            # Lone surrogates (a broken page) have no UTF-8 form: each is read as "?", one
            # character for one, so offsets stay the text's.
            return self._ac.find_matches_as_indexes(  # type: ignore[union-attr]
                text.encode("utf-8", "replace").decode("utf-8"), overlapping=True)
