"""Site whitelist files (confirmed false positives, `govsite check --whitelist FILE`)."""

from __future__ import annotations

import pytest

from govsite.engine.text import scan_text
from govsite.engine.text.lexicon import read_site_whitelist

SENTENCE = "会议认真传达学习了习近乎同志重要讲话精神。"


def test_whitelist_file_forms_and_contexts(tmp_path):
    p = tmp_path / "white.txt"
    p.write_text("\ufeff# 本站已确认的误报\n\n习近乎\t传达学习\n 攻府 \n", encoding="utf-8")
    white = read_site_whitelist(p)
    assert white == ["习近乎\t传达学习", "攻府"]
    assert scan_text(SENTENCE) and not scan_text(SENTENCE, site_whitelist=white)
    assert scan_text("习近乎同志指出。", site_whitelist=white)  # another sentence: still reported


def test_bad_whitelist_files_are_clear_errors(tmp_path):
    with pytest.raises(ValueError, match="白名单文件不存在"):
        read_site_whitelist(tmp_path / "none.txt")
    bad = tmp_path / "gbk.txt"
    bad.write_bytes("习近乎".encode("gbk"))
    with pytest.raises(ValueError, match="不是 UTF-8"):
        read_site_whitelist(bad)


def test_loading_reads_pypinyin_characters_without_its_phrase_dictionary() -> None:
    """The homophone tables need pypinyin's character file only; importing the package would
    also load its phrase dictionary (~50 MB) that the scanners never use."""
    import subprocess
    import sys

    code = ("import sys\nfrom govsite.engine.text import lexicon as lx\nlex = lx.load()\n"
            "assert lex.sizes['near_misses'] > 10000, lex.sizes\n"
            "print(sorted(m for m in sys.modules if m.startswith('pypinyin')))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"


def test_compiled_lexicons_are_kept_in_a_private_cache_and_rebuilt_when_unusable(tmp_path, monkeypatch) -> None:
    import dataclasses
    import os
    import pickle
    import time
    from datetime import date

    from govsite.engine.text import lexicon as lx

    monkeypatch.setenv(lx.CACHE_ENV, str(tmp_path / "cache"))
    text = "国务院总理李克强作出批示，县攻府落实。澳门百家乐。"
    want = [f.to_json() for f in scan_text(text, on_date=date(2012, 5, 1), lexicons=lx.load())]
    built = lx.load_cached()
    path = lx.cache_path()
    assert path.is_file() and (path.stat().st_mode & 0o777) == 0o600
    stamp = path.stat().st_mtime_ns
    again = lx.load_cached()  # read back, not rebuilt
    assert path.stat().st_mtime_ns == stamp and again is not built
    for lex in (built, again):
        assert [f.to_json() for f in scan_text(text, on_date=date(2012, 5, 1), lexicons=lex)] == want
    assert again.sizes == built.sizes
    # A damaged copy is rebuilt and replaced; a copy others could have written is not read.
    path.write_bytes(b"not a pickle")
    assert lx.load_cached().sizes == built.sizes and path.stat().st_size > 1000
    marked = dataclasses.replace(built, sizes={"marked": 1})
    path.write_bytes(pickle.dumps(marked))
    assert lx.load_cached().sizes == {"marked": 1}  # our own file is what is read
    path.write_bytes(pickle.dumps(marked))
    os.chmod(path, 0o666)
    assert lx.load_cached().sizes == built.sizes  # writable by others: not read, rebuilt
    # An edited data file is a new cache key. The other version's compiled copy stays (another
    # checkout may still use it); only copies unused for CACHE_KEEP_DAYS are removed.
    data = tmp_path / "data"
    data.mkdir()
    for f in lx.DATA_DIR.iterdir():
        if f.is_file():
            (data / f.name).write_bytes(f.read_bytes())
    with (data / "banned.tsv").open("a", encoding="utf-8") as fh:
        fh.write("\n测试违禁词\tfraud\n")
    assert lx.cache_path(data) != path
    stale = path.with_name("lexicons-000000000000000000000000.pickle")
    stale.write_bytes(b"left by a version no longer run")
    old = time.time() - (lx.CACHE_KEEP_DAYS + 1) * 86_400
    os.utime(stale, (old, old))
    edited = lx.load_cached(data)
    assert [f.wrong for f in scan_text("出现测试违禁词。", lexicons=edited)] == ["测试违禁词"]
    assert path.is_file() and lx.cache_path(data).is_file() and not stale.exists()
    # Two versions alternating read their own copies, neither rebuilt.
    stamps = (path.stat().st_mtime_ns, lx.cache_path(data).stat().st_mtime_ns)
    assert lx.load_cached().sizes == built.sizes and lx.load_cached(data).sizes == edited.sizes
    assert (path.stat().st_mtime_ns, lx.cache_path(data).stat().st_mtime_ns) == stamps
    # A copy in use is kept fresh when read: an old stamp is renewed, so it is not pruned.
    os.utime(path, (old, old))
    lx.load_cached()
    assert path.stat().st_mtime > old + 86_400
