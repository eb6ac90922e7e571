"""Multi-pattern search (govsite.engine.text.matcher)."""

from __future__ import annotations

import pickle
import random

import pytest

from govsite.engine.text import matcher as m
from govsite.engine.text.matcher import Matcher


def naive(keys: tuple[str, ...], text: str) -> list[tuple[int, int, int]]:
    """Every occurrence of every key, by end, the longest first at one end."""
    got = [(i, s, s + len(k)) for i, k in enumerate(keys) for s in range(len(text)) if text.startswith(k, s)]
    return sorted(got, key=lambda x: (x[2], x[1]))


def test_matches_are_overlapping_in_character_offsets_by_end() -> None:
    keys = ("中华人民共和国", "人民", "共和国", "和国", "国务院")
    text = "中华人民共和国国务院"
    assert Matcher(keys).find(text) == naive(keys, text)
    assert Matcher(keys).find(text, 2) == naive(keys, text)[:2]


def test_long_texts_in_pieces_give_the_matches_of_one_pass(monkeypatch: pytest.MonkeyPatch) -> None:
    r = random.Random(3)
    keys = tuple(dict.fromkeys("".join(r.choice("政府工作报告人民") for _ in range(r.randint(2, 5))) for _ in range(60)))
    text = "".join(r.choice("政府工作报告人民，") for _ in range(3000))
    whole = Matcher(keys).find(text)
    monkeypatch.setattr(m, "CHUNK_CHARS", 97)  # many piece boundaries, inside keys too
    pieces = Matcher(keys)
    assert pieces.find(text) == whole == naive(keys, text)
    assert pieces.find(text, 1000) == whole[:1000]  # the limit keeps the first matches


def test_lone_surrogates_read_as_one_character_each() -> None:
    text = "a\ud800政府x\udfff政府"
    assert Matcher(("政府",)).find(text) == [(0, 2, 4), (0, 6, 8)]


def test_pickles_as_its_keys_and_refuses_an_empty_key() -> None:
    mt = pickle.loads(pickle.dumps(Matcher(("政府", "人民"))))
    assert mt.keys == ("政府", "人民") and {mt.keys[i] for i, _s, _e in mt.find("人民政府")} == {"政府", "人民"}
    assert Matcher(()).find("政府") == []
    with pytest.raises(ValueError):
        Matcher(("政府", ""))
