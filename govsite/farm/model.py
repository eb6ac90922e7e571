"""The farm's site model: identities (cheap, built for every site at start), and the lazily
built structure of one site (columns, item dates, defect intents). Ground truth for
freshness-type defects is *derived* from the generated data, so the manifest always agrees
with what is served."""

from __future__ import annotations

import csv
import functools
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path

from pypinyin import lazy_pinyin

from govsite.farm import text
from govsite.farm.rng import h64, rng, unit

DIVISIONS = Path(__file__).resolve().parent.parent / "registry" / "data" / "divisions.csv"
MAX_SITES = 20000

PROVINCE_SHORT = {
    "11": "京", "12": "津", "13": "冀", "14": "晋", "15": "蒙", "21": "辽", "22": "吉", "23": "黑", "31": "沪",
    "32": "苏", "33": "浙", "34": "皖", "35": "闽", "36": "赣", "37": "鲁", "41": "豫", "42": "鄂", "43": "湘",
    "44": "粤", "45": "桂", "46": "琼", "50": "渝", "51": "川", "52": "贵", "53": "云", "54": "藏", "61": "陕",
    "62": "甘", "63": "青", "64": "宁", "65": "新",
}
STYLES = ("trs", "ucap", "query")

# Defect kinds -> indicator (rules.md ids). "Intent" kinds are switched on per site; the
# freshness ones are then derived from the generated dates.
DEFECTS: dict[str, str] = {
    "unreachable": "V15-1",
    "flaky": "D15-1",
    "stale_home": "V15-2",
    "low_volume": "D15-3",
    "stale_column": "D15-4",
    "stale_columns_veto": "V15-3",
    "blank_column": "V15-3",
    "blank_columns_veto": "V15-3",
    "broken_link_home": "D15-2",
    "broken_link_deep": "D15-2",
    "bad_name": "G-NAME-1",
    "bad_domain": "G-DOM-1",
    "missing_footer_item": "G-ID-1",
    "wrong_code": "G-ID-2",
    "jiucuo_missing": "G-ID-4",
    "jiucuo_static_image": "G-ID-4",
    "ads": "G-ID-3",
    "hidden_links": "G-SEC-1",
    "malicious_script": "G-SEC-1",
    "defaced": "G-SEC-1",
    "leader_misspelled": "V15-4",
    "banned_content": "V15-4",
    "unanswered_consultation": "V15-5",
    "no_consultation": "D15-5",
    "no_surveys": "D15-6",
    "few_surveys": "D15-6",
    "no_interviews": "D15-7",
    "few_interviews": "D15-7",
    "guide_missing_elements": "D15-8",
    "attachment_404": "D15-9",
    "attachment_empty": "D15-9",
    "online_system_down": "D15-10",
    "broken_search": "G-FUN-6",
}
# Opt-in defect kinds -> indicator: off by default (the default farm keeps its bytes and its
# clean sites), switched on with Farm(opt_in=...) and then given to a share of the non-clean
# sites by their own hash, leaving every other intent as it was.
OPT_IN: dict[str, str] = {
    "stale_replies": "D19-7",  # no reply published in the last 2 months (recent messages left open)
    "slow_replies": "D19-7",  # a few messages answered after more than 5 working days
}
OPT_IN_SHARE = 0.2
HOSTILE = ("calendar_trap", "session_trap", "redirect_loop", "huge_page", "gzip_bomb", "slow_drip",
           "wrong_charset", "malformed_html")
INTENTS = tuple(DEFECTS) + HOSTILE  # kinds a site can be given on purpose
EXCLUSIVE = [("unreachable", "flaky"), ("jiucuo_missing", "jiucuo_static_image"), ("stale_home", "low_volume"),
             ("no_surveys", "few_surveys"), ("no_interviews", "few_interviews"), ("attachment_404", "attachment_empty")]

WINDOWS = {"news": 14, "notice": 183, "policy": 183, "personnel": 365, "plan": 365}
CLEAN_SHARE_MOD = 4  # every 4th site (shifted by the seed) is clean
SLOTS_PER_WEEK = 2016  # 5-minute availability slots
# Consultation replies. A clean reply comes within 5 calendar days of its question, so within 5
# PRC working days whatever the holidays; a slow one 20-30 calendar days later, i.e. more than 5
# working days (the longest holiday takes at most 7 working days out of 20) yet well within V15-5's
# 3 months. `stale_replies` leaves the messages of the last 75 days open (under V15-5's 3 months)
# so that the newest reply is older than 2 months.
REPLY_MAX_LAG = 5
SLOW_REPLY_LAG = (20, 30)
STALE_REPLY_OPEN_DAYS = 75


@dataclass(frozen=True)
class ColumnDef:
    key: str
    names: tuple[str, ...]
    type: str
    kind: str  # article | guide | consult | survey | interview
    path: str  # TRS path
    home: float  # probability it shows on the home page (1 = always)
    parent: str | None = None


COLUMN_DEFS: tuple[ColumnDef, ...] = (
    ColumnDef("zwyw", ("政务要闻", "{stem}要闻", "工作动态"), "news", "article", "xwzx/zwyw", 1),
    ColumnDef("bmdt", ("部门动态",), "news", "article", "xwzx/bmdt", 1),
    ColumnDef("xzdt", ("乡镇动态", "基层动态"), "news", "article", "xwzx/xzdt", 0.5),
    ColumnDef("tzgg", ("通知公告",), "notice", "article", "xwzx/tzgg", 1),
    ColumnDef("zcwj", ("政策文件", "政府文件"), "policy", "article", "zwgk/zcwj", 1),
    ColumnDef("zcjd", ("政策解读",), "policy", "article", "zwgk/zcjd", 0.5),
    ColumnDef("rsxx", ("人事信息", "人事任免"), "personnel", "article", "zwgk/rsxx", 0.4),
    ColumnDef("ghjh", ("规划计划",), "plan", "article", "zwgk/ghjh", 0.3),
    ColumnDef("jgzn", ("机构职能",), "disclosure", "article", "xxgk/jgzn", 0, "xxgk"),
    ColumnDef("gfxwj", ("规范性文件",), "disclosure", "article", "xxgk/gfxwj", 0, "xxgk"),
    ColumnDef("czxx", ("财政信息", "财政预决算"), "disclosure", "article", "xxgk/czxx", 0, "xxgk"),
    ColumnDef("tjxx", ("统计信息",), "disclosure", "article", "xxgk/tjxx", 0, "xxgk"),
    ColumnDef("zdxm", ("重大项目",), "disclosure", "article", "xxgk/zdxm", 0, "xxgk"),
    ColumnDef("jyta", ("建议提案办理",), "disclosure", "article", "xxgk/jyta", 0, "xxgk"),
    ColumnDef("bszn", ("办事指南",), "service", "guide", "bsfw/bszn", 0),
    ColumnDef("zxzx", ("咨询投诉", "在线咨询", "{lead}信箱"), "interaction", "consult", "hdjl/zxzx", 0.4),
    ColumnDef("zjdc", ("征集调查", "意见征集"), "interaction", "survey", "hdjl/zjdc", 0.3),
    ColumnDef("zxft", ("在线访谈",), "interaction", "interview", "hdjl/zxft", 0.3),
)
A_TYPE = ("zwyw", "bmdt", "xzdt", "tzgg", "zcwj", "zcjd")
TYPE_LABEL = {"news": "动态要闻", "notice": "通知公告", "policy": "政策文件", "personnel": "人事信息", "plan": "规划计划",
              "disclosure": "信息公开目录", "service": "办事服务", "interaction": "互动交流", "other": "其他"}


@functools.lru_cache(maxsize=1)
def _divisions() -> tuple[list[tuple[str, str, str, str]], dict[str, str]]:
    rows = list(csv.DictReader(DIVISIONS.open(encoding="utf-8")))
    names = {r["code"]: r["name"] for r in rows}
    pool = [(r["code"], r["name"], r["level"], names.get(r["parent"], "")) for r in rows
            if r["level"] in ("county", "city") and 2 <= len(r["name"]) <= 5
            and not any(w in r["name"] for w in ("市辖区", "直辖", "开发区", "示范区", "管理区", "自治州", "新区"))
            and r["code"][:2] in PROVINCE_SHORT]
    pool.sort()
    return pool, names


def _stem(name: str) -> str:
    for suf in ("自治县", "自治旗", "特区", "林区", "县", "区", "市", "旗"):
        if name.endswith(suf) and len(name) > len(suf) + 1:
            return name[: -len(suf)]
    return name


def _level_char(name: str) -> str:
    for c in ("县", "区", "市", "旗"):
        if name.endswith(c):
            return c
    return "县"


@dataclass
class Identity:
    index: int
    host: str
    code: str  # registered 网站标识码
    official_name: str
    name: str  # what the site shows (differs for bad_name)
    place: str  # e.g. 东丰县 / 四平市
    stem: str
    lvl: str  # 县/区/市/旗: used in 县长, 全县
    category: str
    style: str
    encoding: str  # utf-8 | gbk
    meta_charset: bool  # GBK declared in <meta> too (False: only in the HTTP header)
    hub: bool
    intents: frozenset[str]
    division: str
    province: str
    area: str  # telephone area code
    dept: str | None = None


class Farm:
    """All sites of one (seed, size, as_of). Identities are built eagerly (small); the
    structure of a site is built on demand and kept in a bounded LRU."""

    def __init__(self, seed: int, sites: int, as_of: date, port: int = 8080, time_warp: float = 1.0,
                 opt_in: Iterable[str] = ()) -> None:
        if not 1 <= sites <= MAX_SITES:
            raise ValueError(f"sites must be between 1 and {MAX_SITES}")
        self.opt_in = tuple(sorted(set(opt_in)))
        unknown = [k for k in self.opt_in if k not in OPT_IN]
        if unknown:
            raise ValueError(f"unknown opt-in defect kinds: {', '.join(unknown)} (known: {', '.join(OPT_IN)})")
        self.seed = seed
        self.n = sites
        self.as_of = as_of
        self.port = port
        self.time_warp = time_warp
        self.identities: list[Identity] = []
        self.by_host: dict[str, Identity] = {}
        self._build_identities()
        self.site = functools.lru_cache(maxsize=256)(self._site)

    # -- identities -------------------------------------------------------------------
    def _build_identities(self) -> None:
        pool, names = _divisions()
        order = sorted(range(len(pool)), key=lambda i: h64(self.seed, "pool", i))
        taken: set[str] = set()
        codes: set[str] = set()
        clean_shift = self.seed % CLEAN_SHARE_MOD
        nonclean_rank = 0
        for i in range(self.n):
            code, name, level, parent = pool[order[i % len(pool)]]
            r = rng(self.seed, "identity", i)
            clean = (i + clean_shift) % CLEAN_SHARE_MOD == CLEAN_SHARE_MOD - 1
            intents: set[str] = set()
            if not clean:
                intents.add(INTENTS[(nonclean_rank + self.seed) % len(INTENTS)])
                nonclean_rank += 1
                for k in INTENTS:
                    p = 0.015 if k in HOSTILE else 0.05
                    if r.random() < p:
                        intents.add(k)
                for a, b in EXCLUSIVE:
                    if a in intents and b in intents:
                        intents.discard(b if r.random() < 0.5 else a)
            dept = None
            if i >= len(pool) or (level == "city" and r.random() < 0.5):
                dept = r.choice([d for d in text.DEPTS if d in text.DEPT_ABBR])
            stem = _stem(name)
            lvl = _level_char(name) if level == "county" else "市"
            if dept:
                official = f"{name}{dept}"
                category = "市级政府部门" if level == "city" else "县级政府部门"
            else:
                official = f"{name}人民政府"
                category = "市级政府门户" if level == "city" else "县级政府门户"
            abbr = "".join(lazy_pinyin(stem)).replace("ü", "v").replace("'", "")
            if not abbr.isascii() or not abbr:
                abbr = f"site{i}"
            base = f"{text.DEPT_ABBR[dept]}.{abbr}" if dept else f"www.{abbr}"
            tld = "gov.cn"
            if "bad_domain" in intents:
                tld = r.choice(["com", "net", "org.cn", "com.cn"])
            host = f"{base}.{tld}"
            if host in taken:
                pin = "".join(x[0] for x in lazy_pinyin(_stem(parent) or "x"))
                host = f"{base}{pin}.{tld}"
            n = 2
            while host in taken:
                host = f"{base}{n}.{tld}"
                n += 1
            taken.add(host)
            shown = official
            if "bad_name" in intents:
                shown = r.choice([f"中国·{stem}政府公众信息网", f"{stem}政务网", f"{stem}在线", f"中国{stem}", f"{official}门户网站欢迎您"])
            serial = 1 if not dept else 10 + list(text.DEPT_ABBR).index(dept)
            serial += 100 * (i // len(pool))
            while f"{code}{serial:04d}" in codes:  # the division table repeats a few codes
                serial += 1
            codes.add(f"{code}{serial:04d}")
            style = STYLES[h64(self.seed, host, "style") % 3]
            enc = "utf-8"
            meta_charset = True
            if style == "ucap" and unit(self.seed, host, "enc") < 0.5:
                enc = "gbk"
            elif style == "query" and unit(self.seed, host, "enc") < 0.35:
                enc, meta_charset = "gbk", False
            hub = unit(self.seed, host, "hub") < 0.1
            if hub:
                intents.discard("low_volume")
            if intents:  # never on a site that is clean without them
                intents.update(k for k in self.opt_in if unit(self.seed, host, "opt_in", k) < OPT_IN_SHARE)
            ident = Identity(
                index=i, host=host, code=f"{code}{serial:04d}", official_name=official, name=shown,
                place=name, stem=stem, lvl=lvl, category=category, style=style, encoding=enc,
                meta_charset=meta_charset, hub=hub, intents=frozenset(intents), division=code,
                province=PROVINCE_SHORT[code[:2]], area=f"0{300 + h64(code) % 600}", dept=dept,
            )
            self.identities.append(ident)
            self.by_host[host] = ident

    def _site(self, index: int) -> Site:
        return Site(self, self.identities[index])

    def site_for_host(self, host: str) -> Site | None:
        ident = self.by_host.get(host.split(":")[0].lower())
        return self.site(ident.index) if ident else None

    def base_url(self, host: str) -> str:
        return f"http://{host}:{self.port}" if self.port != 80 else f"http://{host}"


@dataclass
class Column:
    d: ColumnDef
    name: str
    cid: int
    ages: list[int]  # days before as_of, newest first (len == item count)
    on_home: bool
    note_empty: bool = False  # an intentionally empty disclosure column with an explanation

    @property
    def key(self) -> str:
        return self.d.key

    @property
    def type(self) -> str:
        return self.d.type

    @property
    def kind(self) -> str:
        return self.d.kind


@dataclass
class Site:
    farm: Farm
    ident: Identity
    columns: list[Column] = field(default_factory=list)
    by_key: dict[str, Column] = field(default_factory=dict)
    by_cid: dict[int, Column] = field(default_factory=dict)
    memo: dict[str, str] = field(default_factory=dict)  # per-site page parts (nav, footer)

    def __post_init__(self) -> None:
        self._build()

    # -- shorthand -------------------------------------------------------------------
    @property
    def seed(self) -> int:
        return self.farm.seed

    @property
    def host(self) -> str:
        return self.ident.host

    def has(self, intent: str) -> bool:
        return intent in self.ident.intents

    def r(self, *parts: object):  # noqa: ANN201 - random.Random
        return rng(self.seed, self.host, *parts)

    def ctx(self) -> dict[str, str]:
        ident = self.ident
        return {"place": ident.place, "lvl": ident.lvl, "short": ident.place, "area": ident.area,
                "year": str(self.farm.as_of.year)}

    # -- structure -------------------------------------------------------------------
    def _build(self) -> None:
        ident = self.ident
        r = self.r("structure")
        cid_base = 1000 + (h64(self.seed, self.host, "cid") % 80) * 100
        intents = ident.intents
        stale: set[str] = set()
        blank: set[str] = set()
        if "stale_column" in intents:
            stale.update(r.sample(["tzgg", "zcwj", "rsxx", "ghjh", "xzdt", "zcjd"], r.randint(1, 3)))
        if "stale_columns_veto" in intents:
            stale.update(r.sample(list(A_TYPE), r.randint(5, 6)))
        optional = ["xzdt", "zcjd", "ghjh", "jgzn", "gfxwj", "czxx", "tjxx", "zdxm", "jyta"]
        if "blank_column" in intents:
            blank.update(r.sample(optional, r.randint(1, 3)))
        if "blank_columns_veto" in intents:
            blank.update(r.sample(optional, r.randint(5, 7)))
        stale -= blank
        note_empty_key = r.choice(["zdxm", "jyta"]) if r.random() < 0.2 else None
        skip = {"zxzx"} if "no_consultation" in intents else set()
        if ident.dept:
            skip.update({"xzdt", "jyta"})
        for pos, d in enumerate(COLUMN_DEFS):
            if d.key in skip:
                continue
            cr = self.r("col", d.key)
            name = cr.choice(d.names).format(stem=ident.stem, lead=ident.lvl + "长" if not ident.dept else "局长")
            on_home = cr.random() < d.home and not (ident.style == "ucap" and d.type in ("personnel", "plan", "interaction"))
            if d.key in blank:
                ages: list[int] = []
            elif d.key == note_empty_key:
                ages = []
            else:
                ages = self._ages(d, cr, d.key in stale, on_home)
            col = Column(d, name, cid_base + pos, ages, on_home, note_empty=d.key == note_empty_key)
            self.columns.append(col)
            self.by_key[d.key] = col
            self.by_cid[col.cid] = col

    def _ages(self, d: ColumnDef, r, stale: bool, on_home: bool) -> list[int]:  # noqa: ANN001
        intents = self.ident.intents
        t, kind = d.type, d.kind
        counts = {"news": (30, 70), "notice": (15, 40), "policy": (10, 30), "personnel": (5, 15), "plan": (4, 10),
                  "disclosure": (5, 20)}
        if kind == "guide":
            n, first, step = r.randint(8, 14), r.randint(0, 200), (10, 60)
        elif kind == "consult":
            n, first, step = r.randint(15, 30), r.randint(0, 4), (2, 9)
        elif kind in ("survey", "interview"):
            n, first, step = r.randint(8, 14), r.randint(3, 40), (15, 45)
            none = "no_surveys" if kind == "survey" else "no_interviews"
            if none in intents:
                first = r.randint(380, 600)
            elif f"few_{kind}s" in intents:
                step = (70, 120)
        else:
            n = r.randint(*counts[t])
            if t == "news":
                first, step = r.randint(0, 1), ((0, 1) if d.key == "zwyw" else (0, 2))
            elif t in ("notice", "policy"):
                first, step = r.randint(0, 40), (3, 25)
            elif t in ("personnel", "plan"):
                first, step = r.randint(0, 150), (10, 60)
            else:
                first, step = r.randint(0, 90), (5, 40)
            if stale:
                first = {"news": r.randint(20, 90), "notice": r.randint(200, 300), "policy": r.randint(200, 300)}.get(
                    t, r.randint(400, 700))
            if "low_volume" in intents and on_home:
                if d.key == "zwyw":
                    first, step = r.randint(0, 2), (6, 9)
                elif t == "news":
                    first, step = max(first, r.randint(3, 8)), (9, 14)
                else:
                    first = max(first, r.randint(15, 30))
        if "stale_home" in intents and (on_home or self.ident.hub):
            first = max(first, r.randint(20, 60))
        ages = []
        a = first
        for _ in range(n):
            ages.append(a)
            a += r.randint(*step)
        return ages

    # -- item helpers ----------------------------------------------------------------
    def item_id(self, col: Column, idx: int) -> int:
        return col.cid * 10000 + idx + 1

    def locate(self, item_id: int) -> tuple[Column, int] | None:
        col = self.by_cid.get(item_id // 10000)
        idx = item_id % 10000 - 1
        if col is None or not 0 <= idx < len(col.ages):
            return None
        return col, idx

    def item_date(self, col: Column, idx: int) -> date:
        return self.farm.as_of - timedelta(days=col.ages[idx])

    def item_time(self, col: Column, idx: int) -> str:
        x = h64(self.seed, self.host, "time", col.key, idx)
        return f"{8 + x % 11:02d}:{(0, 5, 10, 15, 20, 30, 40, 45, 50)[(x >> 8) % 9]:02d}"

    def item_title(self, col: Column, idx: int) -> str:
        kind = col.kind if col.kind != "article" else col.type
        pool = text.bank(self.seed).titles[kind]
        return self.sub(pool[h64(self.seed, self.host, "title", col.key, idx) % len(pool)])

    def sub(self, s: str) -> str:
        """Put this site's place name, level, area code and year into bank text."""
        i = self.ident
        return (s.replace("{P}", i.place).replace("{L}", i.lvl).replace("{A}", i.area)
                .replace("{Y}", str(self.farm.as_of.year)))

    def paragraphs(self, *key: object, n: int | None = None) -> list[str]:
        f = text.Fast(h64(self.seed, self.host, "body", *key))
        return [self.sub(p) for p in text.body(text.bank(self.seed), f, n)]

    # consultation: (answered, reply_age)
    def consult_state(self, col: Column, idx: int) -> tuple[bool, int | None]:
        answered, reply_age = self._consult_state(col, idx)
        if answered and idx in self.slow_reply_idxs:
            return True, col.ages[idx] - self.r("slow_reply", idx).randint(*SLOW_REPLY_LAG)
        return answered, reply_age

    def _consult_state(self, col: Column, idx: int) -> tuple[bool, int | None]:
        age = col.ages[idx]
        if idx == self.unanswered_idx():
            return False, None
        if self.has("stale_replies") and age < STALE_REPLY_OPEN_DAYS:
            return False, None
        r = self.r("reply", idx)
        if age <= 10 and r.random() < 0.4:
            return False, None
        lag = r.randint(1, min(REPLY_MAX_LAG, age)) if age else 0  # never a reply dated after the check day
        return True, age - lag

    @functools.cached_property
    def slow_reply_idxs(self) -> frozenset[int]:
        """Consultation messages answered slowly (`slow_replies`): 1-3 answered messages asked
        35-330 days ago (inside the 1-year window, room for the slow lag)."""
        col = self.by_key.get("zxzx")
        if not self.has("slow_replies") or col is None:
            return frozenset()
        pool = [i for i, a in enumerate(col.ages) if 35 <= a <= 330 and self._consult_state(col, i)[0]]
        r = self.r("slow_replies")
        return frozenset(r.sample(pool, min(len(pool), r.randint(1, 3))))

    def unanswered_idx(self) -> int | None:
        if not self.has("unanswered_consultation"):
            return None
        col = self.by_key.get("zxzx")
        if not col:
            return None
        for i, a in enumerate(col.ages):
            if 100 <= a <= 330:
                return i
        return None

    # -- per-item defects (positions chosen deterministically) ---------------------
    @functools.cached_property
    def marks(self) -> dict[str, object]:
        """Which page carries which item-level defect."""
        r = self.r("marks")
        m: dict[str, object] = {}
        news = self.by_key["zwyw"]
        if self.has("leader_misspelled") and news.ages:
            m["leader_misspelled"] = (news.key, r.randrange(len(news.ages)), r.choice(text.NATIONAL_LEADERS))
        if self.has("banned_content"):
            col = self.by_key["bmdt"] if self.by_key["bmdt"].ages else news
            if col.ages:
                m["banned_content"] = (col.key, r.randrange(len(col.ages)), r.choice(text.BANNED))
        if self.has("broken_link_deep"):
            picks = []
            for _ in range(r.randint(1, 3)):
                col = self.by_key[r.choice(["zwyw", "tzgg", "zcwj"])]
                if col.ages:
                    picks.append((col.key, r.randrange(len(col.ages))))
            m["broken_link_deep"] = sorted(set(picks))
        guides = self.by_key["bszn"]
        ng = len(guides.ages)
        if self.has("guide_missing_elements") and ng:
            bad = {}
            for gi in r.sample(range(ng), min(ng, r.randint(1, 6))):
                bad[gi] = sorted(r.sample(text.GUIDE_ELEMENTS, r.randint(1, 5)), key=text.GUIDE_ELEMENTS.index)
            m["guide_missing_elements"] = bad
        for kind in ("attachment_404", "attachment_empty"):
            if self.has(kind) and ng:
                m[kind] = sorted({(gi, 0) for gi in r.sample(range(ng), min(ng, r.randint(1, 3)))})
        if self.has("online_system_down"):
            m["online_system_down"] = sorted(r.sample(range(len(text.SYSTEMS)), r.randint(1, 2)))
        for kind in ("wrong_charset", "malformed_html"):
            if self.has(kind):
                col = self.by_key["tzgg"] if self.by_key["tzgg"].ages else news
                if col.ages:
                    m[kind] = (col.key, r.randrange(len(col.ages)))
        if self.has("missing_footer_item"):
            m["missing_footer_item"] = r.choice(["conac", "site_code", "icp", "police", "sponsor", "contact"])
        if self.has("wrong_code"):
            code = self.ident.code
            m["wrong_code"] = r.choice([code[:6] + "00" + code[6:], str((int(code) + 7) % 10**10).zfill(10),
                                        code[:4] + "000000"])
        if self.has("broken_search"):
            m["broken_search"] = r.choice(["error", "empty"])
        if self.has("unreachable") or self.has("flaky"):
            share = r.uniform(0.06, 0.3) if self.has("unreachable") else r.uniform(0.012, 0.04)
            m["availability"] = round(share * SLOTS_PER_WEEK) / SLOTS_PER_WEEK
        return m

    def guide_attachments(self, gi: int) -> list[tuple[int, str, str]]:
        r = self.r("att", gi)
        n = r.randint(1, 3)
        names = ["申请表", "登记表", "承诺书", "材料清单", "审批表"]
        exts = ["pdf", "docx", "xlsx"]
        return [(k, r.choice(names), exts[(gi + k) % 3]) for k in range(n)]

    def guide_system(self, gi: int) -> int:
        return (gi * 3 + h64(self.host) % 7) % len(text.SYSTEMS)

    def attachment_state(self, gi: int, k: int) -> str:
        m = self.marks
        if (gi, k) in m.get("attachment_404", []):
            return "404"
        if (gi, k) in m.get("attachment_empty", []):
            return "empty"
        return "ok"

    def leaders(self) -> list[tuple[str, str]]:
        r = self.r("leaders")
        posts = text.LEADER_POSTS_DEPT if self.ident.dept else [p.format(lvl=self.ident.lvl) for p in text.LEADER_POSTS_PORTAL]
        return [(text.person(r), p) for p in posts]

    def home_items(self) -> list[tuple[Column, list[int]]]:
        """Columns shown on the home page with the indices of their shown items."""
        if self.ident.hub:
            return []
        out = []
        for c in self.columns:
            if c.on_home:
                k = 8 if c.key == "zwyw" else 7
                idxs = list(range(min(k, len(c.ages))))
                if self.ident.style == "ucap":
                    # Year-less [MM-DD] dates are only unambiguous within a year.
                    idxs = [i for i in idxs if c.ages[i] < 350]
                out.append((c, idxs))
        return out
