"""Phrase banks for real-looking Chinese government text (titles, bodies, names).

Everything here is GBK-encodable, because some farm sites are served in GBK."""

from __future__ import annotations

import functools
import random

SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤"
GIVEN = "伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超秀兰霞平刚桂英华建国志红文辉新春海波宏斌玉林晓东亮宁德庆永福成龙飞鹏俊峰雪梅立群卫民振兴长江保华"

LEADER_POSTS_PORTAL = ["{lvl}长", "常务副{lvl}长", "副{lvl}长", "副{lvl}长", "副{lvl}长", "{lvl}政府党组成员"]
LEADER_POSTS_DEPT = ["局长", "副局长", "副局长", "纪检组长", "总工程师"]

# National leaders mentioned in news bodies; misspellings are a V15-4 serious error.
NATIONAL_LEADERS = [("习近平", "习近乎"), ("李克强", "李克疆"), ("习近平", "习进平"), ("李克强", "李克墙")]

TOPICS = [
    "安全生产", "脱贫攻坚", "精准扶贫", "环境保护", "大气污染防治", "河长制", "营商环境", "放管服改革",
    "农村人居环境整治", "城乡医疗保险", "义务教育均衡发展", "森林防火", "防汛抗旱", "食品药品安全",
    "社会救助", "就业创业", "招商引资", "项目建设", "文明城市创建", "秸秆禁烧", "消防安全", "冬季供暖",
    "农村危房改造", "养老服务", "全民健身", "统计调查", "双拥工作", "信访维稳", "政务公开", "电子政务",
    "市场监管", "税收征管", "国有资产管理", "土地利用", "水利工程建设", "交通运输", "旅游发展",
    "文化惠民", "乡村振兴", "社区治理", "不动产登记", "生态文明建设", "普法宣传", "审计监督",
]
MEETINGS = ["常务会议", "专题会议", "工作推进会", "动员部署会", "座谈会", "现场观摩会", "工作会议", "培训班"]
ACTIONS = ["调研", "督导检查", "专题研究", "部署推进", "现场办公", "走访慰问", "安排部署"]
DEPTS = [
    "发展和改革局", "教育局", "科学技术局", "工业和信息化局", "公安局", "民政局", "司法局", "财政局",
    "人力资源和社会保障局", "国土资源局", "环境保护局", "住房和城乡建设局", "交通运输局", "水务局",
    "农业局", "林业局", "商务局", "文化广电新闻出版局", "卫生和计划生育委员会", "审计局", "统计局",
    "安全生产监督管理局", "食品药品监督管理局", "市场监督管理局", "扶贫开发办公室", "住房公积金管理中心",
]
DEPT_ABBR = {
    "发展和改革局": "fgj", "教育局": "jyj", "财政局": "czj", "民政局": "mzj", "水务局": "swj",
    "农业局": "nyj", "林业局": "lyj", "统计局": "tjj", "审计局": "sjj", "商务局": "swuj",
    "交通运输局": "jtj", "司法局": "sfj",
}
TOWN_SUFFIX = ["镇", "乡", "街道"]
TOWN_STEMS = "东西南北红新兴安和平城关河口石桥柳树青山白云金沙龙泉长岭双河太平永安三合大营"

SERVICE_ITEMS = [
    "建设工程规划许可证核发", "公共场所卫生许可", "食品经营许可", "社会团体成立登记", "民办非企业单位登记",
    "最低生活保障审批", "临时救助申请", "残疾人证办理", "医疗机构执业登记", "危险化学品经营许可",
    "户口迁移审批", "道路运输经营许可", "林木采伐许可证核发", "取水许可", "排污许可证核发",
    "建筑工程施工许可证核发", "人力资源服务许可", "劳务派遣经营许可", "城镇职工养老保险关系转移",
    "失业保险金申领", "农村宅基地审批", "出生医学证明办理", "再生育审批", "法律援助申请",
    "企业投资项目备案", "药品零售企业许可", "特种设备使用登记", "个体工商户设立登记",
]
GUIDE_ELEMENTS = ["事项名称", "设定依据", "申请条件", "办理材料", "办理地点", "办理时间", "联系电话", "办理流程"]
GUIDE_EXTRA = ["办理时限", "收费标准"]
LAWS = [
    "《中华人民共和国行政许可法》", "《中华人民共和国城乡规划法》第四十条", "《社会团体登记管理条例》第九条",
    "《城市居民最低生活保障条例》", "《中华人民共和国食品安全法》第三十五条", "《公共场所卫生管理条例》第八条",
    "《中华人民共和国森林法》第三十二条", "《取水许可和水资源费征收管理条例》", "《建筑工程施工许可管理办法》",
]
SYSTEMS = ["网上办事大厅", "行政审批网上申报系统", "办件进度查询系统", "公积金网上查询系统", "社保个人账户查询系统",
           "不动产登记预约系统", "企业信用信息公示系统"]

SENTENCES = [
    "会议指出，要深入学习贯彻党的十九大精神，以习近平新时代中国特色社会主义思想为指导，统筹推进各项工作。",
    "会议强调，各级各部门要提高政治站位，压实工作责任，确保{topic}各项任务落到实处。",
    "{person}指出，{topic}事关人民群众切身利益，必须坚持问题导向，补齐短板弱项。",
    "近年来，{place}坚持以人民为中心的发展思想，扎实推进{topic}，取得了阶段性成效。",
    "下一步，{place}将进一步完善工作机制，加强督促检查，推动{topic}工作再上新台阶。",
    "据统计，今年以来全{lvl}共开展{topic}专项检查{n}次，排查整改问题{m}个。",
    "各乡镇、各部门要严格落实属地管理责任，建立健全长效机制，切实做到守土有责、守土负责。",
    "活动现场，工作人员通过发放宣传资料、现场解答咨询等方式，向群众普及{topic}相关知识。",
    "{person}一行先后深入{town}、{town2}等地，实地察看{topic}推进情况，听取有关情况汇报。",
    "要加强统筹协调，形成工作合力，以钉钉子精神抓好各项工作落实。",
    "会上，{dept}主要负责同志汇报了{topic}工作开展情况及下一步工作打算。",
    "此次活动进一步增强了广大干部群众的{topic}意识，营造了良好的社会氛围。",
    "根据上级统一部署，结合我{lvl}实际，现就有关事项通知如下。",
    "请各单位高度重视，认真组织，于{mon}月{day}日前将有关材料报送至{dept}。",
    "本通知自印发之日起施行，由{dept}负责解释。",
    "联系人：{person2}，联系电话：{phone}。",
]

CONSULT_Q = [
    "请问办理{service}需要准备哪些材料？", "我村的道路破损严重，什么时候能够修缮？", "请问{topic}政策什么时候出台实施细则？",
    "小区附近施工噪音扰民，晚上十点以后还在施工，希望有关部门处理。", "请问今年的{topic}补贴什么时候发放？",
    "孩子明年上小学，请问学区是怎么划分的？", "请问{service}可以在网上办理吗？", "单位未按时缴纳社会保险，应该向哪个部门反映？",
]
CONSULT_A = [
    "您好！您反映的问题已收悉。经核实，{text}感谢您对我们工作的关心和支持。",
    "您好！经与{dept}联系，{text}如有疑问，请拨打{phone}咨询。",
]
SURVEY_T = ["关于《{place}{topic}实施方案（征求意见稿）》公开征求意见的公告", "{place}{topic}满意度问卷调查",
            "关于征集{year}年{place}为民办实事项目建议的公告"]
INTERVIEW_T = ["{dept}负责人做客在线访谈谈{topic}", "聚焦{topic}——{dept}在线访谈", "{topic}政策解读在线访谈"]

GAMBLING = ["澳门百家乐", "北京赛车pk10", "时时彩计划", "真人娱乐城", "葡京赌场", "六合彩开奖"]
BANNED = ["专业代开发票，联系QQ", "高价回收出售枪支", "裸聊视频一对一", "澳门赌场线上开户送彩金"]
ADS = [("贷款秒批 低息无抵押", "www.kuaidai365.com"), ("家装节 全场五折", "www.jiazhuang88.com"),
       ("游戏充值 一折起", "www.yx-cz.com"), ("减肥瘦身 无效退款", "www.shoushen-mall.com")]


def pick(r: random.Random, seq):  # noqa: ANN001, ANN201 - faster than Random.choice, same determinism
    return seq[int(r.random() * len(seq))]


def person(r: random.Random) -> str:
    n = 1 if r.random() < 0.34 else 2
    return pick(r, SURNAMES) + "".join(pick(r, GIVEN) for _ in range(n))


def town(r: random.Random) -> str:
    return pick(r, TOWN_STEMS) + pick(r, TOWN_STEMS) + pick(r, TOWN_SUFFIX)


def phone(r: random.Random, area: str) -> str:
    return f"{area}-{2000000 + int(r.random() * 7000000)}"


class _Lazy(dict):
    """Placeholder values computed only when a template uses them."""

    def __init__(self, r: random.Random, ctx: dict[str, str]) -> None:
        super().__init__((k, v) for k, v in ctx.items() if k in ("place", "lvl", "text"))
        self.r = r
        self.ctx = ctx

    def __missing__(self, key: str) -> str:
        r, ctx = self.r, self.ctx
        if key == "topic":
            v = pick(r, TOPICS)
        elif key == "person":
            v = ctx.get("leader") or person(r)
        elif key == "person2":
            v = person(r)
        elif key == "dept":
            v = ctx.get("short", "") + pick(r, DEPTS)
        elif key in ("town", "town2"):
            v = town(r)
        elif key == "n":
            v = str(3 + int(r.random() * 88))
        elif key == "m":
            v = str(10 + int(r.random() * 390))
        elif key == "mon":
            v = str(1 + int(r.random() * 12))
        elif key == "day":
            v = str(1 + int(r.random() * 28))
        elif key == "phone":
            v = phone(r, ctx.get("area", "0431"))
        elif key == "service":
            v = pick(r, SERVICE_ITEMS)
        elif key == "year":
            v = ctx.get("year", "2017")
        elif key == "meeting":
            v = pick(r, MEETINGS)
        elif key == "action":
            v = pick(r, ACTIONS)
        else:
            raise KeyError(key)
        self[key] = v
        return v


def fill(template: str, r: random.Random, ctx: dict[str, str]) -> str:
    return template.format_map(_Lazy(r, ctx))


TITLES: dict[str, list[str]] = {
    "news": [
        "{place}召开{topic}{meeting}", "{person}{action}{topic}工作", "{place}{topic}工作取得新成效",
        "{place}举办{topic}{meeting}", "{town}扎实推进{topic}", "{dept}开展{topic}宣传活动",
        "{place}全力以赴做好{topic}工作", "{person}主持召开{lvl}政府{meeting}",
    ],
    "notice": [
        "关于做好{year}年{topic}工作的通知", "关于开展{topic}专项检查的通知", "{dept}关于{topic}的公告",
        "关于{year}年{topic}有关事项的通知", "关于公布{topic}举报电话的公告", "关于举办{topic}培训班的通知",
    ],
    "policy": [
        "{place}人民政府关于印发《{place}{topic}实施方案》的通知", "{place}人民政府办公室关于进一步加强{topic}工作的意见",
        "《{place}{topic}管理办法》政策解读", "{place}人民政府关于推进{topic}的实施意见",
    ],
    "personnel": [
        "{place}人民政府关于{person}等同志职务任免的通知", "{year}年{place}事业单位公开招聘工作人员公告",
        "{place}{year}年公开招聘教师拟聘用人员公示", "{dept}干部任前公示",
    ],
    "plan": [
        "{place}{year}年国民经济和社会发展计划", "{place}“十三五”{topic}专项规划", "{dept}{year}年工作计划",
        "{place}{year}年{topic}工作要点",
    ],
    "disclosure": [
        "{place}{year}年{topic}情况公开", "{dept}{year}年部门预算公开", "{place}{year}年{topic}统计数据",
        "{dept}主要职责和内设机构", "{place}{topic}重点项目进展情况",
    ],
}


def title(kind: str, r: random.Random, ctx: dict[str, str]) -> str:
    if kind in ("service", "guide"):
        return pick(r, SERVICE_ITEMS) + "办事指南"
    if kind == "consult":
        return fill(pick(r, CONSULT_Q), r, ctx)[:24]
    if kind == "survey":
        return fill(pick(r, SURVEY_T), r, ctx)
    if kind == "interview":
        return fill(pick(r, INTERVIEW_T), r, ctx)
    return fill(pick(r, TITLES.get(kind, TITLES["news"])), r, ctx)


def paragraphs(r: random.Random, ctx: dict[str, str], n: int | None = None) -> list[str]:
    count = n or 3 + int(r.random() * 5)
    out = []
    for _ in range(count):
        out.append("".join(fill(pick(r, SENTENCES), r, ctx) for _ in range(2 + int(r.random() * 3))))
    return out


MASK64 = (1 << 64) - 1


class Fast:
    """xorshift64: a cheap deterministic stream for hot paths (a Random() per item costs more)."""

    __slots__ = ("s",)

    def __init__(self, seed: int) -> None:
        self.s = (seed & MASK64) or 0x9E3779B97F4A7C15

    def below(self, n: int) -> int:
        x = self.s
        x ^= (x << 13) & MASK64
        x ^= x >> 7
        x ^= (x << 17) & MASK64
        self.s = x
        return x % n


PLACEHOLDERS = {"place": "{P}", "lvl": "{L}", "short": "{P}", "area": "{A}", "year": "{Y}"}
KINDS = ("news", "notice", "policy", "personnel", "plan", "disclosure", "guide", "consult", "survey", "interview")


class Bank:
    """Pre-filled sentences and titles for one seed; the site-specific parts stay as {P}
    (place), {L} (县/区/市), {A} (area code), {Y} (year) and are substituted per site."""

    def __init__(self, seed: int) -> None:
        r = random.Random(seed)
        self.sentences = [fill(pick(r, SENTENCES), r, PLACEHOLDERS) for _ in range(3000)]
        self.titles = {k: [title(k, r, PLACEHOLDERS) for _ in range(1500)] for k in KINDS}


@functools.lru_cache(maxsize=4)
def bank(seed: int) -> Bank:
    return Bank(seed)


def body(b: Bank, f: Fast, n: int | None = None) -> list[str]:
    """Paragraphs drawn from the bank (placeholders not yet substituted)."""
    sents = b.sentences
    ns = len(sents)
    return ["".join(sents[f.below(ns)] for _ in range(2 + f.below(3))) for _ in range(n or 3 + f.below(4))]
