"""Official naming and domain conventions (指引 §3.2–3.3): short names of regions, pinyin domain
abbreviations and portal names. Used by the generator and by `registry lint`."""

from __future__ import annotations

import re
from functools import cache

from pypinyin import Style, lazy_pinyin

# 2017 portal abbreviations of the province-level regions (www.<abbr>.gov.cn).
PROVINCE_ABBR = {
    "110000": "beijing", "120000": "tj", "130000": "hebei", "140000": "shanxi", "150000": "nmg", "210000": "ln",
    "220000": "jl", "230000": "hlj", "310000": "shanghai", "320000": "jiangsu", "330000": "zj", "340000": "ah",
    "350000": "fujian", "360000": "jiangxi", "370000": "shandong", "410000": "henan", "420000": "hubei",
    "430000": "hunan", "440000": "gd", "450000": "gxzf", "460000": "hainan", "500000": "cq", "510000": "sc",
    "520000": "guizhou", "530000": "yn", "540000": "xizang", "610000": "shaanxi", "620000": "gansu",
    "630000": "qinghai", "640000": "nx", "650000": "xinjiang", "660000": "bingtuan",
}
# One-character province abbreviations as ICP and 公安 filing numbers use them.
PROVINCE_CHAR = {
    "11": "京", "12": "津", "13": "冀", "14": "晋", "15": "蒙", "21": "辽", "22": "吉", "23": "黑", "31": "沪",
    "32": "苏", "33": "浙", "34": "皖", "35": "闽", "36": "赣", "37": "鲁", "41": "豫", "42": "鄂", "43": "湘",
    "44": "粤", "45": "桂", "46": "琼", "50": "渝", "51": "川", "52": "黔", "53": "滇", "54": "藏", "61": "陕",
    "62": "甘", "63": "青", "64": "宁", "65": "新", "66": "新",
}
MUNICIPALITIES = {"110000", "120000", "310000", "500000"}

_ETHNIC = (
    "维吾尔 哈萨克 柯尔克孜 乌孜别克 塔吉克 塔塔尔 俄罗斯 鄂温克 鄂伦春 达斡尔 土家 布依 傈僳 拉祜 东乡 纳西 景颇 仫佬 "
    "撒拉 毛南 仡佬 锡伯 阿昌 普米 德昂 保安 裕固 独龙 赫哲 门巴 珞巴 基诺 朝鲜 蒙古 哈尼 高山 布朗 回 藏 苗 彝 壮 侗 瑶 白 "
    "傣 黎 佤 畲 水 土 羌 怒 京 各"
).split()
_ETHNIC_RE = re.compile("(?:" + "|".join(sorted(_ETHNIC, key=len, reverse=True)) + ")族$")
_SUFFIXES = ("特别行政区", "自治区", "自治州", "自治县", "自治旗", "地区", "林区", "特区", "矿区", "省", "市", "县", "区", "旗", "盟")
# Decorations that make a site name non-standard (G-NAME-1).
NAME_DECORATIONS = ("中国·", "中国.", "公众信息网", "信息网", "政务网", "在线", "之窗", "门户网", "网站")


@cache
def short_name(name: str) -> str:
    """东丰县 → 东丰, 延边朝鲜族自治州 → 延边, 内蒙古自治区 → 内蒙古, 城区 → 城区."""
    base = name
    for suffix in _SUFFIXES:
        if base.endswith(suffix) and len(base) > len(suffix):
            base = base[: -len(suffix)]
            break
    while True:
        stripped = _ETHNIC_RE.sub("", base)
        if stripped == base or len(stripped) < 2:
            break
        base = stripped
    if base.endswith("维吾尔") and len(base) > 3:  # 新疆维吾尔自治区 writes no 族
        base = base[:-3]
    return base if len(base) >= 2 else name


@cache
def pinyin(text: str) -> str:
    return "".join(lazy_pinyin(text)).replace("ü", "v").lower()


@cache
def initials(text: str) -> str:
    return "".join(lazy_pinyin(text, style=Style.FIRST_LETTER)).lower()


def portal_name(region_name: str, region_code: str) -> str:
    """The official name of a region's government (its portal's name)."""
    if region_code == "660000":
        return region_name
    if region_name.endswith(("地区", "盟")):
        return region_name + "行政公署"
    return region_name + "人民政府"


def has_decoration(name: str) -> bool:
    return any(d in name for d in NAME_DECORATIONS)
