"""A realistic national registry: `generate(like="2017Q3", seed=S)` returns site records with
exactly the seed quarter's category counts, spread over the 32 province-level regions and the
State Council departments, with official names (东丰县人民政府, 保定市水利局, 商务部), domains of the
`www.<abbr>.gov.cn` / `<dept>.<abbr>.gov.cn` shape and a stated share of naming/domain violations.
Deterministic for a seed: only `random.Random(seed)` and sorted inputs are used."""

from __future__ import annotations

import csv
import gzip
import random
from collections import defaultdict
from dataclasses import dataclass, field

from govsite.registry.fastdb import paused_gc
from govsite.registry.index import RegionInfo, RegistryIndex
from govsite.registry.models import Department
from govsite.registry.naming import (
    MUNICIPALITIES,
    PROVINCE_ABBR,
    PROVINCE_CHAR,
    initials,
    pinyin,
    portal_name,
    short_name,
)
from govsite.registry.records import SiteRecord, normalize_contacts
from govsite.registry.reference import DATA_DIR, PROVINCE_SHORT

# Running sites per notice category (1..7) in the quarters the notices report (rules.md §5.1).
PRESETS: dict[str, dict[int, int]] = {
    "2017Q1": {1: 2229, 2: 32, 3: 2591, 4: 496, 5: 17211, 6: 2773, 7: 17811},
    "2017Q2": {1: 2133, 2: 32, 3: 2543, 4: 519, 5: 16646, 6: 2778, 7: 12265},
    "2017Q3": {1: 1972, 2: 32, 3: 2501, 4: 531, 5: 15219, 6: 2770, 7: 6406},
    "2017Q4": {1: 1961, 2: 32, 3: 2435, 4: 541, 5: 14611, 6: 2748, 7: 2492},
}
DEFAULT_VIOLATION_SHARE = 0.03
TOWNSHIP_SHARE = 0.22  # of category 7; the rest are county government departments

# Provincial departments: (name in provinces/autonomous regions, name in the four municipalities).
PROVINCE_DEPTS: tuple[tuple[str, str], ...] = tuple((a, b or a) for a, b in (
    ("人民政府办公厅", ""), ("发展和改革委员会", ""), ("教育厅", "教育委员会"), ("科学技术厅", "科学技术委员会"),
    ("经济和信息化委员会", ""), ("民族宗教事务委员会", ""), ("公安厅", "公安局"), ("民政厅", "民政局"),
    ("司法厅", "司法局"), ("财政厅", "财政局"), ("人力资源和社会保障厅", "人力资源和社会保障局"),
    ("国土资源厅", "国土资源局"), ("环境保护厅", "环境保护局"), ("住房和城乡建设厅", "住房和城乡建设委员会"),
    ("交通运输厅", "交通委员会"), ("水利厅", "水务局"), ("农业厅", "农业委员会"), ("林业厅", "林业局"),
    ("商务厅", "商务委员会"), ("文化厅", "文化委员会"), ("卫生和计划生育委员会", ""), ("审计厅", "审计局"),
    ("外事侨务办公室", ""), ("人民政府国有资产监督管理委员会", ""), ("地方税务局", ""), ("工商行政管理局", ""),
    ("质量技术监督局", ""), ("新闻出版广电局", ""), ("体育局", ""), ("安全生产监督管理局", ""),
    ("食品药品监督管理局", ""), ("统计局", ""), ("旅游发展委员会", ""), ("粮食局", ""), ("物价局", ""),
    ("人民防空办公室", ""), ("机关事务管理局", ""), ("扶贫开发办公室", ""), ("地震局", ""), ("档案局", ""),
    ("人民政府法制办公室", ""), ("人民政府金融工作办公室", ""), ("人民政府研究室", ""), ("信访局", ""),
    ("海洋与渔业厅", "海洋局"), ("中小企业局", ""), ("知识产权局", ""), ("测绘地理信息局", ""), ("监狱管理局", ""),
    ("戒毒管理局", ""), ("煤炭工业局", ""), ("能源局", ""), ("公共资源交易中心", ""), ("政务服务管理办公室", ""),
    ("投资促进局", ""), ("农业机械管理局", ""), ("畜牧兽医局", ""), ("供销合作社联合社", ""), ("社会科学院", ""),
    ("农业科学院", ""), ("地方志办公室", ""), ("通信管理局", ""), ("气象局", ""), ("文物局", ""),
    ("中医药管理局", ""), ("住房公积金管理中心", ""), ("社会保险事业管理局", ""), ("就业服务局", ""),
    ("疾病预防控制中心", ""), ("信息中心", ""), ("经济信息中心", ""), ("科学技术协会", ""), ("残疾人联合会", ""),
    ("国防科学技术工业办公室", ""), ("民防局", ""), ("移民开发局", ""), ("水土保持局", ""), ("国土资源执法监察总队", ""),
    ("环境监察总队", ""), ("交通运输厅公路管理局", "公路局"), ("道路运输管理局", ""), ("港航管理局", ""),
    ("农村信用社联合社", ""), ("地质矿产勘查开发局", ""), ("招生考试院", "教育考试院"), ("人事考试中心", ""),
    ("质量技术监督检验研究院", ""), ("产品质量监督检验研究院", ""), ("标准化研究院", ""), ("计量科学研究院", ""),
    ("医疗保险事业管理中心", ""), ("劳动保障监察总队", ""), ("救助管理站", ""), ("殡葬管理所", ""),
    ("图书馆", ""), ("博物馆", ""), ("文化馆", ""), ("群众艺术馆", ""), ("科技馆", ""), ("美术馆", ""),
    ("体育科学研究所", ""), ("林业科学研究院", ""), ("水利科学研究院", ""), ("建设工程质量安全监督总站", ""),
    ("建筑市场监督管理总站", ""), ("环境监测中心站", ""), ("政府采购中心", ""), ("国库集中支付中心", ""),
    ("人民政府驻北京办事处", ""), ("行政学院", ""), ("广播电视局", ""), ("知识产权保护中心", ""),
))
CITY_DEPTS: tuple[str, ...] = (
    "人民政府办公室", "发展和改革委员会", "教育局", "科学技术局", "工业和信息化委员会", "民族宗教事务局", "公安局",
    "民政局", "司法局", "财政局", "人力资源和社会保障局", "国土资源局", "环境保护局", "住房和城乡建设局",
    "城乡规划局", "城市管理行政执法局", "交通运输局", "水利局", "农业局", "林业局", "商务局", "文化广电新闻出版局",
    "卫生和计划生育委员会", "审计局", "外事侨务办公室", "人民政府国有资产监督管理委员会", "地方税务局",
    "工商行政管理局", "质量技术监督局", "体育局", "安全生产监督管理局", "食品药品监督管理局", "统计局", "旅游局",
    "粮食局", "物价局", "人民防空办公室", "机关事务管理局", "扶贫开发办公室", "地震局", "档案局",
    "人民政府法制办公室", "金融工作办公室", "信访局", "海洋与渔业局", "畜牧兽医局", "农业机械管理局", "公共资源交易中心",
    "政务服务中心", "住房公积金管理中心", "房产管理局", "招商局", "知识产权局", "园林局", "水务局", "公路管理局",
    "社会保险事业管理局", "就业服务局", "疾病预防控制中心", "中心血站", "图书馆", "博物馆", "科学技术协会",
    "残疾人联合会", "气象局", "供销合作社联合社", "老龄工作委员会办公室", "地方志办公室", "行政服务中心",
    "经济技术合作局", "中小企业局", "人民政府研究室", "民防局", "防汛抗旱指挥部办公室", "移民局",
)
COUNTY_DEPTS: tuple[str, ...] = (
    "教育局", "公安局", "民政局", "财政局", "人力资源和社会保障局", "国土资源局", "环境保护局", "住房和城乡建设局",
    "交通运输局", "水利局", "农业局", "林业局", "商务局", "卫生和计划生育局", "审计局", "地方税务局",
    "市场监督管理局", "统计局", "安全生产监督管理局", "旅游局", "扶贫开发办公室", "发展和改革局", "科学技术局",
    "文化广电新闻出版局", "司法局", "政务服务中心", "公共资源交易中心", "食品药品监督管理局", "畜牧兽医局", "档案局",
)
# Sub-domain labels real sites use where the plain pinyin initials would be unwieldy.
SUBDOMAIN = {
    "发展和改革委员会": "fgw", "发展和改革局": "fgj", "人力资源和社会保障厅": "rst", "人力资源和社会保障局": "rsj",
    "住房和城乡建设厅": "zjt", "住房和城乡建设局": "zjj", "住房和城乡建设委员会": "zjw", "卫生和计划生育委员会": "wjw",
    "卫生和计划生育局": "wjj", "经济和信息化委员会": "jxw", "工业和信息化委员会": "gxw", "人民政府办公厅": "gov",
    "人民政府办公室": "gov", "人民政府国有资产监督管理委员会": "gzw", "食品药品监督管理局": "fda",
    "新闻出版广电局": "gdj", "文化广电新闻出版局": "wgxj", "安全生产监督管理局": "ajj", "质量技术监督局": "qts",
}
ZONE_KINDS = (("经济技术开发区", "jkq"), ("高新技术产业开发区", "gxq"), ("新区", "xq"), ("综合保税区", "zbq"),
              ("工业园区", "gyy"))
# Vertically managed systems: (department name, name templates per level). {P} = province name,
# {Ps} = its short name, {C} = city name, {Cs} = its short name.
VERTICAL: tuple[tuple[str, str | None, str | None], ...] = (
    ("国家税务总局", "{P}国家税务局", "{C}国家税务局"),
    ("国家质量监督检验检疫总局", "{Ps}出入境检验检疫局", "{C}出入境检验检疫局"),
    ("中国气象局", "{P}气象局", "{C}气象局"),
    ("中国地震局", "{P}地震局", None),
    ("中国银行业监督管理委员会", "中国银监会{Ps}监管局", "中国银监会{Cs}监管分局"),
    ("中国证券监督管理委员会", "中国证监会{Ps}监管局", None),
    ("中国保险监督管理委员会", "中国保监会{Ps}监管局", None),
    ("中国人民银行", None, "中国人民银行{C}中心支行"),
    ("国家外汇管理局", "国家外汇管理局{Ps}分局", None),
    ("国家烟草专卖局", "{P}烟草专卖局", "{C}烟草专卖局"),
    ("国家邮政局", "{P}邮政管理局", "{C}邮政管理局"),
    ("国家统计局", "国家统计局{Ps}调查总队", "国家统计局{Cs}调查队"),
    ("国家煤矿安全监察局", "{P}煤矿安全监察局", None),
    ("交通运输部", "{Ps}海事局", None),
)
NAMED_UNITS: dict[str, tuple[str, ...]] = {
    "海关总署": tuple(f"{c}海关" for c in (
        "北京", "天津", "石家庄", "太原", "满洲里", "呼和浩特", "大连", "沈阳", "长春", "哈尔滨", "上海", "南京", "杭州",
        "宁波", "合肥", "福州", "厦门", "南昌", "青岛", "济南", "郑州", "武汉", "长沙", "广州", "黄埔", "深圳", "拱北",
        "汕头", "海口", "湛江", "江门", "南宁", "成都", "重庆", "贵阳", "昆明", "拉萨", "西安", "乌鲁木齐", "兰州",
        "西宁", "银川")),
    "审计署": tuple(f"审计署{c}特派员办事处" for c in (
        "京津冀", "太原", "沈阳", "哈尔滨", "上海", "南京", "武汉", "广州", "郑州", "济南", "西安", "兰州", "昆明",
        "成都", "长沙", "深圳", "长春", "重庆")),
    "商务部": tuple(f"商务部驻{c}特派员办事处" for c in (
        "天津", "大连", "上海", "南京", "福州", "青岛", "郑州", "武汉", "广州", "深圳", "海口", "成都", "昆明", "西安",
        "杭州", "厦门")),
    "国土资源部": tuple(f"国家土地督察{c}局" for c in ("北京", "沈阳", "上海", "南京", "济南", "广州", "武汉", "成都", "西安")),
    "水利部": ("长江水利委员会", "黄河水利委员会", "淮河水利委员会", "海河水利委员会", "珠江水利委员会", "松辽水利委员会",
             "太湖流域管理局"),
    "环境保护部": tuple(f"{c}环境保护督查中心" for c in ("华北", "华东", "华南", "西北", "西南", "东北")),
    "中国民用航空局": tuple(f"民航{c}地区管理局" for c in ("华北", "东北", "华东", "中南", "西南", "西北", "新疆")),
    "国家海洋局": ("国家海洋局北海分局", "国家海洋局东海分局", "国家海洋局南海分局"),
    "国家铁路局": tuple(f"{c}铁路监督管理局" for c in ("沈阳", "上海", "广州", "成都", "武汉", "西安", "兰州")),
}
INTERNAL_UNITS: tuple[str, ...] = (
    "信息中心", "机关服务中心", "干部学院", "培训中心", "离退休干部局", "档案馆", "新闻宣传中心", "科学技术研究院",
    "规划研究院", "发展研究中心", "人才交流中心", "国际合作中心", "政策研究中心", "统计信息中心", "标准化研究所",
    "机关党委", "政务服务中心", "宣传教育中心", "数据中心", "应急指挥中心",
)
ROADS = ("人民", "解放", "建设", "中山", "胜利", "和平", "文化", "新华", "光明", "府前", "政通", "振兴", "朝阳", "长江")
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉兰萍红建国文斌志宏峰海燕波辉鹏亮雪梅晨浩宇"
POSTS = ("主任", "副主任", "局长", "副局长", "处长", "科长", "秘书长", "副秘书长")


@dataclass
class Generated:
    records: list[SiteRecord]
    violations: dict[str, str] = field(default_factory=dict)  # code → kind


def _allocate(total: int, weights: list[float], caps: list[int] | None = None) -> list[int]:
    """Split `total` proportionally to weights (largest remainder), never above caps."""
    n = len(weights)
    caps = caps or [total] * n
    if total > sum(caps):
        raise ValueError(f"cannot place {total} sites in {sum(caps)} slots")
    out = [0] * n
    remaining = total
    active = [i for i in range(n) if caps[i] > 0]
    while remaining > 0 and active:
        wsum = sum(weights[i] for i in active) or len(active)
        shares = {i: remaining * (weights[i] or 1) / wsum for i in active}
        floors = {i: min(int(shares[i]), caps[i] - out[i]) for i in active}
        given = sum(floors.values())
        for i, f in floors.items():
            out[i] += f
        left = remaining - given
        order = sorted(active, key=lambda i: (-(shares[i] - int(shares[i])), i))
        for i in order:
            if left == 0:
                break
            if out[i] < caps[i]:
                out[i] += 1
                left -= 1
        remaining = left
        active = [i for i in active if out[i] < caps[i]]
    return out


class _Builder:
    def __init__(self, index: RegistryIndex, seed: int, violation_share: float) -> None:
        self.index = index
        self.rng = random.Random(seed)
        self.violation_share = violation_share
        self.records: list[SiteRecord] = []
        self.violations: dict[str, str] = {}
        self.serial: dict[str, int] = defaultdict(int)
        self.hosts: set[str] = set()
        self.abbr: dict[str, str] = {}
        self._region_abbrs()

    # ----------------------------------------------------------------- names and domains
    def _region_abbrs(self) -> None:
        used: set[str] = set(PROVINCE_ABBR.values()) | {d.domain_abbr for d in self.index.departments.values()}
        self.abbr.update(PROVINCE_ABBR)
        for level in ("city", "county"):
            for code in sorted(c for c, r in self.index.regions.items() if r.level == level):
                info = self.index.regions[code]
                base = pinyin(short_name(info.name))
                parent = self.index.regions.get(info.parent or "")
                prefix = initials(short_name(parent.name)) if parent else ""
                for cand in (base, prefix + base, f"{base}{code[-2:]}", f"{base}{code}"):
                    if cand and cand not in used:
                        break
                used.add(cand)
                self.abbr[code] = cand

    def _host(self, wanted: str) -> str:
        host, n = wanted, 1
        while host in self.hosts:
            n += 1
            head, _, tail = wanted.partition(".")
            host = f"{head}{n}.{tail}"
        self.hosts.add(host)
        return host

    def _code(self, prefix: str, width: int = 4) -> str:
        self.serial[prefix] += 1
        return f"{prefix}{self.serial[prefix]:0{width}d}"

    def _person(self) -> str:
        r = self.rng
        return r.choice(SURNAMES) + "".join(r.choice(GIVEN) for _ in range(r.choice((1, 2))))

    def _extras(self, region: RegionInfo | None, host: str) -> dict:
        r = self.rng
        prov = self.index.province_of(region) if region else None
        char = PROVINCE_CHAR[prov.code[:2]] if prov else "京"
        area = (region.code if region else "110102")[:6]
        chain = "".join(self.index.chain(region.code)) if region else "北京市西城区"
        contacts = normalize_contacts([
            {"role": "负责人", "name": self._person(), "post": r.choice(POSTS),
             "phone": f"0{r.randint(10, 999)}-{r.randint(2000000, 89999999)}", "mobile": f"1{r.choice('3589')}{r.randint(0, 999999999):09d}",
             "email": ""},
            {"role": "联系人", "name": self._person(), "post": "", "phone": f"0{r.randint(10, 999)}-{r.randint(2000000, 89999999)}",
             "mobile": f"1{r.choice('3589')}{r.randint(0, 999999999):09d}", "email": f"webmaster@{host}"},
        ])
        return {
            "icp": f"{char}ICP备{r.randint(10**7, 10**8 - 1) if r.random() < 0.7 else r.randint(10**5, 10**6 - 1)}号",
            "police_record": f"{char}公网安备{area}{r.randint(0, 10**8 - 1):08d}号" if r.random() < 0.85 else "",
            "sponsor_address": f"{chain}{r.choice(ROADS)}{r.choice(('路', '街', '大道'))}{r.randint(1, 300)}号",
            "contacts": contacts,
            "conac_id": f"{r.randint(10**11, 10**12 - 1)}" if r.random() < 0.6 else "",
        }

    def add(self, *, code: str, name: str, host: str, category: int, site_class: str, level: str,
            region: RegionInfo | None, department: Department | None, sponsor: str | None = None) -> None:
        host = self._host(host)
        extras = self._extras(region, host)
        self.records.append(SiteRecord(
            code=code, name=name, home_url=f"http://{host}/", category=category, site_class=site_class, level=level,
            sponsor=sponsor or name, region=region.code if region else None,
            department=department.code if department else None, domains=[host], operator="", **extras,
        ))

    # ----------------------------------------------------------------- categories
    def provinces(self) -> list[RegionInfo]:
        return self.index.provinces

    def cities(self) -> list[RegionInfo]:
        # Real prefecture-level units only: not the 市辖区 / 省直辖县级行政区划 placeholders.
        return [r for r in sorted(self.index.regions.values(), key=lambda r: r.code)
                if r.level == "city" and not r.name.endswith(("市辖区", "直辖县级行政区划")) and r.name != "县"]

    def counties(self) -> list[RegionInfo]:
        return [r for r in sorted(self.index.regions.values(), key=lambda r: r.code) if r.level == "county"]

    def national(self, count: int) -> None:
        depts = sorted(self.index.departments.values(), key=lambda d: d.notice_order)
        with_site = [d for d in depts if d.name != "国家安全部"]  # 国家安全部 runs no public site
        portals = with_site[:count]
        for d in portals:
            self.add(code=self._code(f"{d.code}00", 4), name=d.name, host=f"www.{d.domain_abbr}.gov.cn", category=1,
                     site_class="portal", level="national", region=None, department=d)
        budget = count - len(portals)
        if budget <= 0:
            return
        provinces = [p for p in self.provinces() if p.code != "660000"]
        cities = self.cities()
        must: list[tuple[Department, str, RegionInfo | None]] = []
        optional: list[tuple[Department, str, RegionInfo | None]] = []
        for dname, ptpl, ctpl in VERTICAL:
            d = self.index.department_by_name[dname]
            if ptpl:
                for p in provinces:
                    must.append((d, ptpl.format(P=p.name, Ps=PROVINCE_SHORT[p.code]), p))
            if ctpl:
                for c in cities:
                    optional.append((d, ctpl.format(C=c.name, Cs=short_name(c.name)), c))
        for dname, names in sorted(NAMED_UNITS.items()):
            must += [(self.index.department_by_name[dname], n, None) for n in names]
        for d in with_site:
            if d.has_external_services:
                optional += [(d, d.name + u, None) for u in INTERNAL_UNITS]
        self.rng.shuffle(must)
        self.rng.shuffle(optional)
        chosen = (must + optional)[:budget]
        n = 0
        while len(chosen) < budget:  # larger presets than the pool: numbered internal units
            n += 1
            d = with_site[n % len(with_site)]
            chosen.append((d, f"{d.name}直属单位{n}", None))
        chosen.sort(key=lambda t: (t[0].notice_order, t[2].code if t[2] else "", t[1]))
        for d, name, region in chosen:
            sub = region.code[:2] if region else "00"
            label = self.abbr[region.code] if region else (initials(name.removeprefix(d.name)) or "unit")
            self.add(code=self._code(f"{d.code}{sub}", 4), name=name, host=f"{label}.{d.domain_abbr}.gov.cn", category=1,
                     site_class="department", level="national", region=region, department=d)

    def province_portals(self, count: int) -> None:
        for p in self.provinces()[:count]:
            self.add(code=self._code(p.code), name=portal_name(p.name, p.code), host=f"www.{self.abbr[p.code]}.gov.cn",
                     category=2, site_class="portal", level="province", region=p, department=None)

    def province_depts(self, count: int) -> None:
        provinces = self.provinces()
        weights = [0.3 if p.code == "660000" else 0.7 + 0.6 * self.rng.random() for p in provinces]
        alloc = _allocate(count, weights, [len(PROVINCE_DEPTS)] * len(provinces))
        for p, n in zip(provinces, alloc, strict=True):
            muni = p.code in MUNICIPALITIES
            prefix = p.name if p.code != "660000" else "新疆生产建设兵团"
            picks = self.rng.sample(range(len(PROVINCE_DEPTS)), n)
            for i in sorted(picks):
                dept = PROVINCE_DEPTS[i][1 if muni else 0]
                self._dept_site(prefix + dept, dept, p, 3, "province")

    def _dept_site(self, name: str, dept: str, region: RegionInfo, category: int, level: str) -> None:
        sub = SUBDOMAIN.get(dept) or initials(dept.removeprefix("人民政府")) or "bm"
        self.add(code=self._code(region.code), name=name, host=f"{sub}.{self.abbr[region.code]}.gov.cn",
                 category=category, site_class="department", level=level, region=region, department=None)

    def city_portals(self, count: int) -> None:
        cities = self.cities()
        for c in cities[:count]:
            self.add(code=self._code(c.code), name=portal_name(c.name, c.code), host=f"www.{self.abbr[c.code]}.gov.cn",
                     category=4, site_class="portal", level="city", region=c, department=None)
        extra = count - min(count, len(cities))
        # Beyond the prefectures: development zones and new areas with their own city-level portal.
        slots = [(c, kind) for c in cities for kind in ZONE_KINDS]
        for c, (kind, abbr) in sorted(self.rng.sample(slots, extra), key=lambda t: (t[0].code, t[1][1])):
            name = f"{short_name(c.name)}{kind}管理委员会"
            self.add(code=self._code(c.code), name=name, host=f"www.{self.abbr[c.code]}{abbr}.gov.cn",
                     category=4, site_class="portal", level="city", region=c, department=None)

    def city_depts(self, count: int) -> None:
        cities = self.cities()
        weights = [0.5 + self.rng.random() for _ in cities]
        alloc = _allocate(count, weights, [len(CITY_DEPTS)] * len(cities))
        for c, n in zip(cities, alloc, strict=True):
            for i in sorted(self.rng.sample(range(len(CITY_DEPTS)), n)):
                self._dept_site(c.name + CITY_DEPTS[i], CITY_DEPTS[i], c, 5, "city")

    def county_portals(self, count: int, must: tuple[str, ...] = ()) -> list[RegionInfo]:
        counties = self.counties()
        forced = [c for c in counties if c.code in must][:count]
        rest = [c for c in counties if c.code not in must]
        chosen = sorted(forced + self.rng.sample(rest, count - len(forced)), key=lambda r: r.code)
        for c in chosen:
            self.add(code=self._code(c.code), name=portal_name(c.name, c.code), host=f"www.{self.abbr[c.code]}.gov.cn",
                     category=6, site_class="portal", level="county", region=c, department=None)
        return chosen

    def below_county(self, count: int, counties: list[RegionInfo]) -> None:
        towns = int(round(count * TOWNSHIP_SHARE))
        depts = count - towns
        if counties:
            alloc = _allocate(depts, [0.5 + self.rng.random() for _ in counties], [len(COUNTY_DEPTS)] * len(counties))
            for c, n in zip(counties, alloc, strict=True):
                for i in sorted(self.rng.sample(range(len(COUNTY_DEPTS)), n)):
                    self._dept_site(c.name + COUNTY_DEPTS[i], COUNTY_DEPTS[i], c, 7, "county")
        elif depts:
            raise ValueError("category 7 county departments need county portals")
        if towns:
            pool = _townships(set(self.index.regions))
            for county_code, town in sorted(self.rng.sample(pool, towns)):
                county = self.index.regions[county_code]
                name = f"{county.name}{town}" + ("办事处" if town.endswith("街道") else "人民政府")
                self.add(code=self._code(county_code), name=name, host=f"{initials(town)}.{self.abbr[county_code]}.gov.cn",
                         category=7, site_class="department", level="township", region=county, department=None)

    # ----------------------------------------------------------------- violations
    def violate(self, dongfeng: bool) -> None:
        r = self.rng
        n = int(round(len(self.records) * self.violation_share))
        candidates = sorted(range(len(self.records)), key=lambda i: self.records[i].code)
        picks = sorted(r.sample(candidates, min(n, len(candidates))))
        # A sponsoring unit is identified by (name, region, department): share both to share the unit.
        by_sponsor_region: dict[tuple[str | None, str | None], list[int]] = defaultdict(list)
        for i, rec in enumerate(self.records):
            by_sponsor_region[(rec.region, rec.department)].append(i)
        for i in picks:
            rec = self.records[i]
            kind = r.choice(("name", "dot-com", "shape", "one-site"))
            region = self.index.regions.get(rec.region or "")
            short = short_name(region.name) if region else (rec.name[:4])
            if kind == "name":
                if rec.site_class == "portal":
                    rec.name = r.choice((f"中国·{short}政府公众信息网", f"{short}政务网", f"中国{short}", f"{short}在线"))
                else:
                    rec.name = rec.name.removeprefix(region.name if region else "") + "信息网"
                    rec.name = short + rec.name if region else rec.name
            elif kind == "dot-com":
                old = rec.domains[0]
                base = old.split(".")[-3] if old.count(".") >= 3 else old.split(".")[0]
                host = self._host(f"www.{base}{r.choice(('.com', '.net', '.org.cn', '.cn'))}")
                self._rehost(rec, host)
            elif kind == "shape":
                parts = rec.domains[0].split(".")
                if rec.site_class == "portal":
                    host = self._host(".".join(parts[1:]))  # portal without the www. label
                else:
                    host = self._host(f"www.{parts[1]}{parts[0]}.gov.cn")  # department on a stand-alone domain
                self._rehost(rec, host)
            else:
                siblings = [j for j in by_sponsor_region[(rec.region, rec.department)] if j != i and self.records[j].category == rec.category]
                if not siblings:
                    continue
                other = self.records[r.choice(siblings)]
                rec.sponsor = other.sponsor
                rec.sponsor_address = other.sponsor_address
                rec.name = other.sponsor + r.choice(("政务服务网", "信息公开网", "专题网"))
            self.violations[rec.code] = kind
        if dongfeng:
            # The seed notice's own example (吉林省东丰县).
            for rec in self.records:
                if rec.region == "220421" and rec.category == 6:
                    rec.name = "中国·东丰政府公众信息网"
                    self.violations[rec.code] = "name"

    def _rehost(self, rec: SiteRecord, host: str) -> None:
        self.hosts.discard(rec.domains[0])
        rec.domains = [host]
        rec.home_url = f"http://{host}/"
        for c in rec.contacts:
            if c.get("email", "").startswith("webmaster@"):
                c["email"] = f"webmaster@{host}"


def _townships(known: set[str]) -> list[tuple[str, str]]:
    out = []
    with gzip.open(DATA_DIR / "townships.csv.gz", "rt", encoding="utf-8", newline="") as f:
        for row in csv.DictReader(f):
            if row["county"] in known and row["name"].endswith(("镇", "乡", "街道")):
                out.append((row["county"], row["name"]))
    out.sort()
    return out


def generate(like: str = "2017Q3", seed: int = 2017, violation_share: float = DEFAULT_VIOLATION_SHARE,
             counts: dict[int, int] | None = None, index: RegistryIndex | None = None) -> Generated:
    """Build a registry of running sites. `counts` (category → sites) overrides the preset."""
    if counts is None:
        if like not in PRESETS:
            raise ValueError(f"unknown preset {like!r}")
        counts = PRESETS[like]
    if not 0 <= violation_share <= 1:
        raise ValueError("violation share must be between 0 and 1")
    with paused_gc():
        return _generate(counts, seed, violation_share, index or RegistryIndex())


def _generate(counts: dict[int, int], seed: int, violation_share: float, index: RegistryIndex) -> Generated:
    b = _Builder(index, seed, violation_share)
    b.national(counts.get(1, 0))
    b.province_portals(counts.get(2, 0))
    b.province_depts(counts.get(3, 0))
    b.city_portals(counts.get(4, 0))
    b.city_depts(counts.get(5, 0))
    counties = b.county_portals(counts.get(6, 0), must=("220421",))
    b.below_county(counts.get(7, 0), counties)
    b.violate(dongfeng=violation_share > 0)
    return Generated(records=b.records, violations=b.violations)
