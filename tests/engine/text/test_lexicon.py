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
