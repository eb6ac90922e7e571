"""The registry of record: regions, State Council departments, sponsoring organizations and
every government website with its status and a history of every change."""

from django.db import models

from govsite.registry.codes import validate_site_code


class Region(models.Model):
    """An administrative division (GB/T 2260 code), or 新疆生产建设兵团 (placeholder 660000)."""

    class Level(models.TextChoices):
        PROVINCE = "province", "省级"
        CITY = "city", "地市级"
        COUNTY = "county", "县级"

    code = models.CharField("行政区划代码", max_length=6, unique=True)
    name = models.CharField("名称", max_length=64)
    level = models.CharField("级别", max_length=8, choices=Level.choices)
    parent = models.ForeignKey("self", null=True, blank=True, on_delete=models.PROTECT, related_name="children")
    # Position of a province-level region in the notice's fixed order (1..32); 0 below province.
    notice_order = models.PositiveSmallIntegerField("通报顺序", default=0)

    class Meta:
        verbose_name = "行政区划"
        verbose_name_plural = verbose_name
        ordering = ["code"]

    def __str__(self) -> str:
        return self.name

    @property
    def province_code(self) -> str:
        return self.code[:2] + "0000"


class Department(models.Model):
    """A State Council department (国务院部门), the organiser of category-1 sites."""

    code = models.CharField("组织单位编码", max_length=8, unique=True)  # e.g. bm07
    name = models.CharField("名称", max_length=64, unique=True)
    short_name = models.CharField("简称", max_length=32, blank=True)
    domain_abbr = models.CharField("域名简称", max_length=32, blank=True)  # www.<abbr>.gov.cn
    kind = models.CharField("类别", max_length=32, blank=True)  # 组成部门, 直属机构, 国家局 …
    # False for departments without external service functions (RS2019 4/3 rule).
    has_external_services = models.BooleanField("有对外服务职能", default=True)
    notice_order = models.PositiveSmallIntegerField("通报顺序", default=0)

    class Meta:
        verbose_name = "国务院部门"
        verbose_name_plural = verbose_name
        ordering = ["notice_order", "code"]

    def __str__(self) -> str:
        return self.name


class Organization(models.Model):
    """A sponsoring unit (网站主办单位), named as the institution's official full name."""

    name = models.CharField("单位名称", max_length=128)
    region = models.ForeignKey(Region, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    department = models.ForeignKey(Department, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    address = models.CharField("办公地址", max_length=256, blank=True)

    class Meta:
        verbose_name = "主办单位"
        verbose_name_plural = verbose_name
        constraints = [models.UniqueConstraint(fields=["name", "region", "department"], name="org_unique_name")]

    def __str__(self) -> str:
        return self.name


class Category(models.IntegerChoices):
    """The seven site categories, in the fixed order every notice uses."""

    STATE_COUNCIL = 1, "国务院部门及其内设、垂直管理机构"
    PROVINCIAL_PORTAL = 2, "省级政府门户"
    PROVINCIAL_DEPARTMENT = 3, "省级政府部门"
    CITY_PORTAL = 4, "市级政府门户"
    CITY_DEPARTMENT = 5, "市级政府部门"
    COUNTY_PORTAL = 6, "县级政府门户"
    BELOW_COUNTY = 7, "县级以下"


class Site(models.Model):
    class Status(models.TextChoices):
        RUNNING = "running", "正常运行"
        TEMP_CLOSED = "temp_closed", "临时关停"
        CLOSED = "closed", "关停"
        MERGED = "merged", "已整合"

    class SiteClass(models.TextChoices):
        PORTAL = "portal", "政府门户网站"
        DEPARTMENT = "department", "部门网站"

    class Level(models.TextChoices):
        NATIONAL = "national", "国务院部门"
        PROVINCE = "province", "省级"
        CITY = "city", "地市级"
        COUNTY = "county", "县级"
        TOWNSHIP = "township", "乡镇街道"

    class MigrationState(models.TextChoices):
        NONE = "", "—"
        PENDING = "pending", "待迁移"
        VERIFIED = "verified", "已核验"
        INCOMPLETE = "incomplete", "内容缺失"

    code = models.CharField("网站标识码", max_length=10, unique=True, validators=[validate_site_code])
    name = models.CharField("网站名称", max_length=128)
    home_url = models.URLField("首页网址", max_length=512)
    category = models.PositiveSmallIntegerField("类别", choices=Category.choices, db_index=True)
    site_class = models.CharField("网站类型", max_length=16, choices=SiteClass.choices)
    level = models.CharField("级别", max_length=16, choices=Level.choices)
    region = models.ForeignKey(Region, null=True, blank=True, on_delete=models.PROTECT, related_name="sites")
    department = models.ForeignKey(Department, null=True, blank=True, on_delete=models.PROTECT, related_name="sites")
    sponsor = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="sites")
    operator = models.CharField("承办单位", max_length=128, blank=True)
    icp = models.CharField("ICP备案编号", max_length=64, blank=True)
    police_record = models.CharField("公安机关备案号", max_length=64, blank=True)
    conac_id = models.CharField("党政机关网站标识编号", max_length=64, blank=True)
    contacts = models.JSONField("联系人", default=list, blank=True)  # [{role, name, post, phone, mobile, email}]
    status = models.CharField("运行状态", max_length=16, choices=Status.choices, default=Status.RUNNING, db_index=True)
    merged_into = models.ForeignKey("self", null=True, blank=True, on_delete=models.PROTECT, related_name="merged_sites")
    migration_state = models.CharField("迁移状态", max_length=16, choices=MigrationState.choices, blank=True, default="")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "政府网站"
        verbose_name_plural = verbose_name
        ordering = ["code"]
        # (category, code): a category filter pages by code without sorting (the console registry).
        indexes = [models.Index(fields=["region", "category"]), models.Index(fields=["department", "category"]),
                   models.Index(fields=["category", "code"])]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(region__isnull=False) | models.Q(department__isnull=False),
                name="site_has_region_or_department",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name}（{self.code}）"


class Domain(models.Model):
    """A host name a site answers on; the primary one is the host of its home URL."""

    site = models.ForeignKey(Site, on_delete=models.CASCADE, related_name="domains")
    host = models.CharField("域名", max_length=255, unique=True)
    is_primary = models.BooleanField("主域名", default=False)

    class Meta:
        verbose_name = "域名"
        verbose_name_plural = verbose_name

    def __str__(self) -> str:
        return self.host


class SiteChange(models.Model):
    """One change to a site's record: who, when, what (field → [before, after]) and why."""

    class Action(models.TextChoices):
        CREATE = "create", "新增"
        UPDATE = "update", "修改"
        STATUS = "status", "状态变更"

    site = models.ForeignKey(Site, on_delete=models.CASCADE, related_name="changes")
    at = models.DateTimeField("时间", auto_now_add=True, db_index=True)
    actor = models.CharField("操作人", max_length=150)
    action = models.CharField("操作", max_length=16, choices=Action.choices)
    changes = models.JSONField("变更内容", default=dict)
    reason = models.CharField("原因", max_length=512, blank=True)

    class Meta:
        verbose_name = "变更记录"
        verbose_name_plural = verbose_name
        ordering = ["site", "at", "id"]


# -- consolidation and discovery (issue 11) ------------------------------------------------------

class ContentInventory(models.Model):
    """What a site published (articles with title/date/URL, files) as of one crawl; kept so a
    closed or merged site's content can be looked for at its target later."""

    site = models.ForeignKey(Site, on_delete=models.CASCADE, related_name="inventories")
    taken_at = models.DateTimeField("采集时间", auto_now_add=True, db_index=True)
    start_url = models.URLField("起始网址", max_length=512)
    pages = models.PositiveIntegerField("页面数", default=0)
    articles = models.PositiveIntegerField("文章数", default=0)
    files = models.PositiveIntegerField("文件数", default=0)
    items = models.JSONField("内容清单", default=list)  # [{title, date, url, kind}]

    class Meta:
        verbose_name = "内容清单"
        verbose_name_plural = verbose_name
        ordering = ["site", "-taken_at", "-id"]


class MigrationReport(models.Model):
    """One check of a closed/merged site's inventory against its target site."""

    site = models.ForeignKey(Site, on_delete=models.CASCADE, related_name="migration_reports")
    target = models.ForeignKey(Site, on_delete=models.PROTECT, related_name="+")
    inventory = models.ForeignKey(ContentInventory, on_delete=models.PROTECT, related_name="reports")
    checked_at = models.DateTimeField("核验时间", auto_now_add=True)
    actor = models.CharField("操作人", max_length=150, blank=True)
    state = models.CharField("迁移状态", max_length=16, choices=Site.MigrationState.choices)
    counts = models.JSONField("统计", default=dict)  # {redirected, moved, missing, total}
    missing = models.JSONField("缺失内容", default=list)  # [{title, date, url, kind}]
    moved = models.JSONField("迁移但无跳转", default=list)  # [{title, date, url, target_url}]

    class Meta:
        verbose_name = "迁移核验报告"
        verbose_name_plural = verbose_name
        ordering = ["-checked_at", "-id"]


class ClosedSiteFinding(models.Model):
    """G-OPEN-7: a closed or temporarily closed site seen still serving, or a placeholder
    left up past the allowed period."""

    class Kind(models.TextChoices):
        STILL_SERVING = "still_serving", "关停后仍可访问"
        PLACEHOLDER_AFTER_CLOSURE = "placeholder_after_closure", "关停后仍显示改版提示页"
        PLACEHOLDER_OVERDUE = "placeholder_overdue", "临时关停超期仍显示升级改版"
        CLOSURE_OVERDUE = "closure_overdue", "临时关停超期未恢复"

    site = models.ForeignKey(Site, on_delete=models.CASCADE, related_name="closed_findings")
    found_at = models.DateTimeField("发现时间", auto_now_add=True, db_index=True)
    kind = models.CharField("问题", max_length=32, choices=Kind.choices)
    url = models.URLField("网址", max_length=512)
    since = models.DateField("关停日期", null=True, blank=True)
    days = models.PositiveIntegerField("已关停天数", default=0)
    evidence = models.JSONField("证据", default=dict)  # status, title, snippet, final_url

    class Meta:
        verbose_name = "关停网站巡查问题"
        verbose_name_plural = verbose_name
        ordering = ["-found_at", "-id"]


class ImportedHost(models.Model):
    """A host name from a list an office imported (for discovery)."""

    host = models.CharField("域名", max_length=255, unique=True)  # IDNA (ascii) form
    source = models.CharField("来源文件", max_length=255, blank=True)
    actor = models.CharField("操作人", max_length=150, blank=True)
    imported_at = models.DateTimeField("导入时间", auto_now_add=True)

    class Meta:
        verbose_name = "导入的域名"
        verbose_name_plural = verbose_name
        ordering = ["host"]


class DiscoveredHost(models.Model):
    """A host found serving a site that the registry does not have (G-OPEN-8), or a suspected
    counterfeit of a registered site."""

    class Kind(models.TextChoices):
        UNREGISTERED = "unregistered", "未报送网站"
        COUNTERFEIT = "counterfeit", "疑似仿冒网站"

    host = models.CharField("域名", max_length=255, unique=True)  # IDNA (ascii) form
    display_host = models.CharField("域名（显示）", max_length=255)
    kind = models.CharField("类型", max_length=16, choices=Kind.choices, db_index=True)
    region = models.ForeignKey(Region, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    matched_site = models.ForeignKey(Site, null=True, blank=True, on_delete=models.SET_NULL, related_name="counterfeits")
    title = models.CharField("标题", max_length=256, blank=True)
    footer_code = models.CharField("页面标识码", max_length=16, blank=True)
    reasons = models.JSONField("依据", default=list)
    evidence = models.JSONField("证据", default=dict)  # linked_from, site_name, sponsor, simhash, near …
    first_seen = models.DateTimeField("首次发现", auto_now_add=True)
    last_seen = models.DateTimeField("最近发现", auto_now=True)

    class Meta:
        verbose_name = "发现的网站"
        verbose_name_plural = verbose_name
        ordering = ["kind", "region", "host"]


class RegistryVersion(models.Model):
    """One row (id 1) whose token database triggers replace whenever a change to sites, regions
    or departments commits (migration 0006): read it with govsite.registry.version.token()."""

    id = models.PositiveSmallIntegerField(primary_key=True)
    token = models.CharField(max_length=64)

    class Meta:
        db_table = "registry_version"
        verbose_name = "登记库版本"
        verbose_name_plural = verbose_name


# Availability probes live in their own module; imported here so Django registers them.
from govsite.registry.availability_models import AvailabilityDay, AvailabilityProbe, AvailabilityState  # noqa: E402, F401
