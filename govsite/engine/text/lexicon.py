"""Loading the editable data files and compiling them into one Aho-Corasick automaton.

Every protected term is expanded into its near-misses (homophones, similar shapes, swapped and
dropped characters) once at load time, so scanning is a single pass of the automaton over the
text plus a little Python per match."""

from __future__ import annotations

import functools
import hashlib
import importlib.util
import os
import pickle
import sys
import time
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import NamedTuple

from govsite.engine.text.matcher import Matcher

DATA_DIR = Path(__file__).parent / "data"

# Entry kinds: what a key of the automaton means.
OK = "ok"  # a protected term written correctly
NAME = "name"  # a leader's name written correctly
POST = "post"  # a post title (for the name/post/date check)
NEAR = "near"  # a near-miss of a protected term
CONFUSION = "confusion"  # a known miswriting
AD = "ad"  # an advertising phrase (G-ID-3: looked at by the ads check, not a text finding)
BANNED = "banned"  # banned/harmful vocabulary

# Short titles that identify a national post on their own (used right before or after a name).
NATIONAL_SHORT_POSTS = ("总书记", "国家主席", "国家副主席", "总理", "副总理", "委员长")
# Other ways of writing a post in the data file (text form -> data-file form).
POST_ALIASES = {
    "中华人民共和国主席": "国家主席",
    "中华人民共和国副主席": "国家副主席",
    "全国人民代表大会常务委员会委员长": "全国人大常委会委员长",
    "全国人大常委会委员长": "全国人大常委会委员长",
    "中共中央政治局常委": "中央政治局常委",
    "中央纪律检查委员会书记": "中央纪委书记",
    "中共中央军委主席": "中央军委主席",
    "中国人民政治协商会议全国委员会主席": "全国政协主席",
}
TERM_KIND_LABEL = {"country": "国名", "organ": "机构名称", "phrase": "重要表述", "name": "领导人姓名"}


def read_rows(path: Path, min_cols: int = 1) -> list[list[str]]:
    """Rows of a TAB-separated data file; `#` comments and blank lines skipped, cells stripped.
    A malformed row (too few cells) is an error naming the file and line, never silently used."""
    rows = []
    for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        cells = [c.strip() for c in line.split("\t")]
        if len(cells) < min_cols or not cells[0]:
            raise ValueError(f"{path.name} 第 {n} 行格式错误：至少需要 {min_cols} 列（以 TAB 分隔）")
        rows.append(cells)
    return rows


def read_site_whitelist(path: str | Path) -> list[str]:
    """A site's confirmed false positives: one per line, "form" or "form<TAB>context" (the form
    is whitelisted only in sentences carrying the context); `#` comments and blank lines skipped.
    Errors are ValueError with a Chinese message naming the file."""
    p = Path(path)
    if not p.is_file():
        raise ValueError(f"白名单文件不存在：{path}")
    try:
        text = p.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError:
        raise ValueError(f"白名单文件 {path} 不是 UTF-8 文本") from None
    except OSError as exc:
        raise ValueError(f"白名单文件 {path} 无法读取：{exc}") from None
    out = []
    for line in text.splitlines():
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        form, _, ctx = line.partition("\t")
        if form.strip():
            out.append(form.strip() + (f"\t{ctx.strip()}" if ctx.strip() else ""))
    return out


@dataclass(frozen=True)
class PostHeld:
    name: str
    post: str
    start: date | None
    end: date | None
    level: str  # national | provincial
    certain: bool

    def covers(self, day: date, grace_days: int = 45) -> bool:
        """Held on `day`, with some grace around hand-overs (acting periods, announcements)."""
        if self.start and (day - self.start).days < -grace_days:
            return False
        return not (self.end and (day - self.end).days > grace_days)


def post_compatible(text_post: str, held: str) -> bool:
    """Whether a post as written ("总理", "国务院总理") names the post held ("国务院总理"), but
    not its deputy ("总理" is not "国务院副总理")."""
    text_post = POST_ALIASES.get(text_post, text_post)
    if held == text_post:
        return True
    return held.endswith(text_post) and not held[: -len(text_post)].endswith("副")


class Entry(NamedTuple):
    """What one automaton key means (a key may carry several)."""

    kind: str
    wrong: str  # the key as it appears in text
    right: str  # the correct form (the key itself for OK/NAME/POST)
    sub: str = ""  # near-miss kind (homophone, homophone_tone, shape, swap, drop) / banned category / term kind
    term_kind: str = ""  # country | organ | phrase | name
    note: str = ""


# Each key's entries are one string in `Lexicons.table` (fields joined by _FS, entries by _RS),
# at the key's index in the matcher, made into Entry tuples only when the key is met in a text.
# Some 32,000 keys (nearly all near-misses) are never met on most sites: as strings they unpickle
# in a fraction of the time that many tuples take, and leave the garbage collector nothing to scan.
_FS, _RS = "\x1f", "\x1e"


def _pack(entries: list[Entry]) -> str:
    for e in entries:
        if any(_FS in f or _RS in f for f in e):
            raise ValueError(f"词条含控制字符 U+001E/U+001F，无法编译：{e.wrong!r}")
    return _RS.join(_FS.join(e) for e in entries)


@dataclass
class Lexicons:
    matcher: Matcher  # every entry's key; a match's key index is its entries' index in `table`
    leaders: dict[str, list[PostHeld]]
    name_cues: tuple[str, ...]
    suppress_cues: tuple[str, ...]
    whitelist: list[tuple[str, str]]
    placeholders: frozenset[str]
    ad_hosts: tuple[str, ...]
    ad_phrases: tuple[str, ...]
    sizes: dict[str, int] = field(default_factory=dict)
    table: tuple[str, ...] = ()  # packed entries of each key, by index
    _entries: dict[int, tuple[Entry, ...]] = field(default_factory=dict, repr=False, compare=False)

    def posts_of(self, name: str) -> list[str]:
        return [p.post for p in self.leaders.get(name, [])]

    def entries(self, index: int) -> tuple[Entry, ...]:
        """The entries of the key at `index` in the matcher."""
        got = self._entries.get(index)
        if got is None:
            got = self._entries[index] = tuple(Entry(*e.split(_FS)) for e in self.table[index].split(_RS))
        return got


# -- character tables -------------------------------------------------------------------

_TONE_MARKS = {"\u0304": 1, "\u0301": 2, "\u030c": 3, "\u0300": 4}


def _split_tone(syllable: str) -> tuple[str, int]:
    tone = 5
    out = []
    for ch in unicodedata.normalize("NFD", syllable):
        if ch in _TONE_MARKS:
            tone = _TONE_MARKS[ch]
        elif ch == "\u0308":  # ü keeps its identity as "v"
            out[-1] = "v"
        else:
            out.append(ch)
    return "".join(out), tone


def _is_gb2312(ch: str) -> bool:
    try:
        ch.encode("gb2312")
    except UnicodeEncodeError:
        return False
    return True


def _pinyin_dict() -> dict[int, str]:
    """pypinyin's character dictionary (code point -> tone-marked readings). Read from its own
    file, not through `import pypinyin`: the package also loads its phrase dictionary, some
    50 MB of memory and 0.1 s that the scanners never use."""
    mod = sys.modules.get("pypinyin.pinyin_dict")
    if mod is None:
        spec = importlib.util.find_spec("pypinyin")
        if not spec or not spec.submodule_search_locations:
            raise ImportError("pypinyin is not installed")
        path = Path(next(iter(spec.submodule_search_locations))) / "pinyin_dict.py"
        spec = importlib.util.spec_from_file_location("_govsite_pinyin_dict", path)
        assert spec and spec.loader
        mod = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(mod)
    return mod.pinyin_dict


@functools.lru_cache(maxsize=1)
def _pinyin_tables() -> tuple[dict[str, set[tuple[str, int]]], dict[str, set[str]], dict[tuple[str, int], set[str]]]:
    """char -> readings, toneless syllable -> chars, toned syllable -> chars (GB2312 chars only:
    what input methods offer, and what a miswriting realistically uses)."""
    readings: dict[str, set[tuple[str, int]]] = {}
    toneless: dict[str, set[str]] = {}
    toned: dict[tuple[str, int], set[str]] = {}
    for cp, value in _pinyin_dict().items():
        if not 0x4E00 <= cp <= 0x9FFF:
            continue
        ch = chr(cp)
        if not _is_gb2312(ch):
            continue
        rs = {_split_tone(s) for s in value.split(",")}
        readings[ch] = rs
        for syl, tone in rs:
            toneless.setdefault(syl, set()).add(ch)
            toned.setdefault((syl, tone), set()).add(ch)
    return readings, toneless, toned


def homophones(ch: str, same_tone: bool) -> set[str]:
    readings, toneless, toned = _pinyin_tables()
    out: set[str] = set()
    for syl, tone in readings.get(ch, ()):
        out |= toned.get((syl, tone), set()) if same_tone else toneless.get(syl, set())
    out.discard(ch)
    return out


def load_shapes(data_dir: Path) -> dict[str, set[str]]:
    groups: dict[str, set[str]] = {}
    for fname in ("same_stroke.txt", "shapes_extra.tsv"):
        path = data_dir / fname
        if not path.exists():
            continue
        for row in read_rows(path):
            chars = {c for c in row if len(c) == 1}
            for c in chars:
                groups.setdefault(c, set()).update(chars - {c})
    return groups


# -- near-miss generation ---------------------------------------------------------------------

def near_misses(term: str, term_kind: str, shapes: dict[str, set[str]]) -> Iterable[tuple[str, str]]:
    """(variant, kind) pairs for one protected term. How far a term is expanded depends on how
    likely a variant is to be an ordinary word: names and long terms get toneless homophones,
    three-character organ names only same-tone ones; two-character phrases none."""
    n = len(term)
    is_name = term_kind == "name"
    if n < 2 or (n < 3 and not is_name):
        return
    same_tone_only = not is_name and n < 4
    for i, ch in enumerate(term):
        if not "\u4e00" <= ch <= "\u9fff":
            continue
        same = homophones(ch, same_tone=True)
        for alt in same:
            yield term[:i] + alt + term[i + 1:], "homophone"
        if not same_tone_only:
            for alt in homophones(ch, same_tone=False) - same:
                yield term[:i] + alt + term[i + 1:], "homophone_tone"
        for alt in shapes.get(ch, ()):
            if _is_gb2312(alt):
                yield term[:i] + alt + term[i + 1:], "shape"
    # Swapped neighbours. In phrases only inside the term: at the edges a swap often makes a
    # real rewording ("改革开放" / "改革放开").
    lo, hi = (0, n - 1) if is_name else (1, n - 2)
    for i in range(lo, hi):
        if term[i] != term[i + 1] and not term[i].isdigit():
            yield term[:i] + term[i + 1] + term[i] + term[i + 2:], "swap"
    # Dropped characters: only inside long official names (a dropped edge is just a shorter,
    # legitimate word; dropped characters of phrases often give a legitimate abbreviation).
    if term_kind in ("country", "organ") and n >= 5:
        for i in range(1, n - 1):
            yield term[:i] + term[i + 1:], "drop"


def _parse_date(s: str, path: str) -> date | None:
    if not s:
        return None
    try:
        return date.fromisoformat(s)
    except ValueError:
        raise ValueError(f"{path} 中的日期无法识别：{s!r}（应为 YYYY-MM-DD）") from None


def load(data_dir: Path = DATA_DIR) -> Lexicons:
    """Read every data file and build the matcher."""
    entries: dict[str, list[Entry]] = {}

    def add(e: Entry) -> None:
        entries.setdefault(e.wrong, []).append(e)

    # Leaders and posts.
    leaders: dict[str, list[PostHeld]] = {}
    for row in read_rows(data_dir / "leaders.tsv", 2):
        row += [""] * (6 - len(row))
        name, post, start, end, level, certainty = row[:6]
        leaders.setdefault(name, []).append(PostHeld(
            name, post, _parse_date(start, "leaders.tsv"), _parse_date(end, "leaders.tsv"),
            level or "national", certainty != "uncertain"))
    posts = {p.post for ps in leaders.values() for p in ps} | set(POST_ALIASES) | set(NATIONAL_SHORT_POSTS)
    for p in posts:
        add(Entry(POST, p, p))
    for name in leaders:
        add(Entry(NAME, name, name, term_kind="name"))

    protected = [(r[0], r[1] if len(r) > 1 else "phrase") for r in read_rows(data_dir / "protected.tsv")]
    for term, kind in protected:
        add(Entry(OK, term, term, term_kind=kind))

    confusions = read_rows(data_dir / "confusions.tsv", 2)
    for row in confusions:
        add(Entry(CONFUSION, row[0], row[1], note=row[2] if len(row) > 2 else ""))

    for row in read_rows(data_dir / "banned.tsv", 2):
        add(Entry(BANNED, row[0], row[0], sub=row[1]))

    whitelist = [(r[0], r[1] if len(r) > 1 else "") for r in read_rows(data_dir / "whitelist.tsv")]
    white_forms = {f for f, ctx in whitelist if not ctx}

    # Near-misses: never a correct term, a known right form, or a globally whitelisted form.
    correct = set(leaders) | {t for t, _ in protected} | {r[1] for r in confusions} | posts
    shapes = load_shapes(data_dir)
    seen_near: set[tuple[str, str]] = set()
    targets = [(name, "name") for name in leaders] + protected
    for term, kind in targets:
        for variant, how in near_misses(term, kind, shapes):
            if variant in correct or variant in white_forms or (variant, term) in seen_near:
                continue
            seen_near.add((variant, term))
            add(Entry(NEAR, variant, term, sub=how, term_kind=kind))

    # Advertising phrases go through the same automaton: a page's text is searched once for both.
    ads = read_rows(data_dir / "ads.tsv", 2)
    ad_phrases = tuple(r[1] for r in ads if r[0] == "phrase")
    if not all(ad_phrases):
        raise ValueError("ads.tsv 中的广告用语不能为空")
    for p in dict.fromkeys(ad_phrases):
        add(Entry(AD, p, p))

    matcher = Matcher(entries)
    table = tuple(_pack(es) for es in entries.values())

    cues = read_rows(data_dir / "cues.tsv", 2)
    placeholders = frozenset(r[0].lower() for r in read_rows(data_dir / "placeholders.tsv"))
    sizes = {
        "leaders": len(leaders), "posts": len(posts), "protected": len(protected), "confusions": len(confusions),
        "near_misses": len(seen_near), "keys": len(entries),
    }
    return Lexicons(
        matcher=matcher,
        leaders=leaders,
        name_cues=tuple(w for k, w in ((r[0], r[1]) for r in cues) if k == "name"),
        suppress_cues=tuple(w for k, w in ((r[0], r[1]) for r in cues) if k == "suppress"),
        whitelist=whitelist,
        placeholders=placeholders,
        ad_hosts=tuple(r[1].lower() for r in ads if r[0] == "host"),
        ad_phrases=ad_phrases,
        sizes=sizes,
        table=table,
    )


@functools.lru_cache(maxsize=4)
def default(data_dir: Path = DATA_DIR) -> Lexicons:
    """The shared lexicons, loaded once per process (from the compiled copy in the user's cache
    when the data files and this code are unchanged: 0.08 s instead of 0.3 s per process)."""
    return load_cached(data_dir)


CACHE_ENV = "GOVSITE_CACHE_DIR"


def cache_path(data_dir: Path = DATA_DIR) -> Path:
    """Where the compiled lexicons of `data_dir` are kept: named by a digest of every data file,
    this module's and the matcher's code and Python's version, so any edit makes a new file (the
    copy holds the matcher's keys; its automaton is built again when read)."""
    h = hashlib.blake2b(digest_size=12)
    h.update(Path(__file__).read_bytes() + Path(__file__).with_name("matcher.py").read_bytes())
    h.update(f"{sys.version_info[:2]}".encode())
    for f in sorted(Path(data_dir).iterdir()):
        if f.is_file():
            h.update(f.name.encode() + b"\0" + f.read_bytes() + b"\0")
    base = os.environ.get(CACHE_ENV) or os.path.join(
        os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache"), "govsite")
    return Path(base) / f"lexicons-{h.hexdigest()}.pickle"


def _private(path: Path) -> bool:
    """Owned by this user and writable by no one else (the file and its directory): a pickle
    runs code when read, so only a file that only we could have written is read."""
    for p in (path.parent, path):
        st = p.stat()
        if st.st_uid != os.getuid() or st.st_mode & 0o022:
            return False
    return True


def load_cached(data_dir: Path = DATA_DIR) -> Lexicons:
    """`load(data_dir)`, through the compiled copy in the cache directory (`$GOVSITE_CACHE_DIR`,
    else ~/.cache/govsite); a missing, foreign or unreadable copy is rebuilt, and a cache that
    cannot be written only costs the time. Other versions' copies are left alone unless unused
    for CACHE_KEEP_DAYS, so checkouts of two versions do not rebuild each other's."""
    try:
        path = cache_path(data_dir)
    except OSError:
        return load(data_dir)
    try:
        if _private(path):
            with path.open("rb") as fh:
                lex = pickle.load(fh)
            if isinstance(lex, Lexicons):
                _keep_fresh(path)
                return lex
    except Exception:  # noqa: BLE001 - absent, truncated or stale: rebuilt below
        pass
    lex = load(data_dir)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        st = path.parent.stat()
        if st.st_uid != os.getuid() or st.st_mode & 0o022:
            return lex  # a shared directory: its files would never be read back
        with open(os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600), "wb") as fh:
            pickle.dump(lex, fh, protocol=pickle.HIGHEST_PROTOCOL)
        os.replace(tmp, path)  # atomic: a concurrent reader sees the old file or the whole new one
        _prune(path)
    except OSError:
        tmp.unlink(missing_ok=True)
    return lex


# Compiled copies of other digests belong to other versions (another checkout, an older install)
# that may still be in use: only copies nobody has read for this long are removed. A copy in use
# has its time refreshed at most once a day when read.
CACHE_KEEP_DAYS = 30
_DAY = 86_400


def _keep_fresh(path: Path) -> None:
    try:
        if time.time() - path.stat().st_mtime > _DAY:
            os.utime(path)
    except OSError:
        pass  # a read-only cache still serves; it is only pruned sooner


def _prune(path: Path, keep_days: float = CACHE_KEEP_DAYS) -> None:
    """Remove compiled copies other than `path` unused for `keep_days` (left behind by edits of
    the data or code, or by versions no longer run)."""
    cutoff = time.time() - keep_days * _DAY
    for old in path.parent.glob("lexicons-*.pickle"):
        try:
            if old != path and old.stat().st_mtime < cutoff:
                old.unlink()
        except OSError:
            pass  # removed by another process meanwhile, or not ours to remove
