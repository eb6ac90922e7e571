"""Public submission: site resolution, captcha, rate limits, screenshot sanitising, duplicate
detection and the one atomic insert."""

from __future__ import annotations

import difflib
import hashlib
import hmac
import io
import re
import secrets
from contextlib import nullcontext
from dataclasses import dataclass
from datetime import timedelta
from functools import lru_cache
from urllib.parse import urlsplit

from django.core import signing
from django.core.cache import cache
from django.core.files.base import ContentFile
from django.db import IntegrityError, connection, transaction
from django.db.models import Q
from django.utils import timezone

from govsite.accounts.scope import province_of
from govsite.feedback import conf
from govsite.feedback.models import REJECTED_STATUSES, Message, Status, Transition
from govsite.registry.models import Domain, Region, Site

CAPTCHA_SALT = "govsite.feedback.captcha"
TEST_TOKEN_RE = re.compile(r"^test-[A-Za-z0-9_-]{16,48}$")
NONCE_RE = re.compile(r"^[A-Za-z0-9_-]{16,64}$")
# Anything that looks like markup or a script URL. User text is always rendered escaped; this
# rejects it up front so an injection attempt is refused with a message rather than stored.
MARKUP_RE = re.compile(r"<\s*[a-zA-Z!/?]|javascript\s*:|vbscript\s*:|data\s*:\s*text/html|\bon[a-z]+\s*=", re.I)


class IntakeError(Exception):
    """Bad input from the public form; the message is shown on the page as is."""


# --- sites -------------------------------------------------------------------------------------

def host_of(url: str) -> str:
    try:
        host = urlsplit(url).hostname or ""
    except ValueError:
        return ""
    return host.lower().rstrip(".")


SUBMIT_SITE_FIELDS = {"id", "code", "name", "region", "department"}


@lru_cache(maxsize=1)
def _site_by_code_sql() -> tuple[str, list[str]]:
    qn = connection.ops.quote_name
    # Model.from_db wants the values in the model's field order.
    fields = [f for f in Site._meta.concrete_fields if f.name in SUBMIT_SITE_FIELDS]
    sql = (f"SELECT {', '.join(qn(f.column) for f in fields)} FROM {qn(Site._meta.db_table)} "
           f"WHERE {qn(Site._meta.get_field('code').column)} = %s")
    return sql, [f.attname for f in fields]


def site_by_code(code: str) -> Site | None:
    """Only what a submission needs (routing is cached by region), as plain SQL: this is on the
    hot path of every report and compiling the ORM query cost more than running it."""
    sql, attnames = _site_by_code_sql()
    with connection.cursor() as cur:
        cur.execute(sql, [code])
        row = cur.fetchone()
    return None if row is None else Site.from_db(connection.alias, attnames, row)


def site_for_host(host: str) -> Site | None:
    """The site a host belongs to: an exact Domain, then the parent domains (m.x.gov.cn → x.gov.cn)."""
    if not host:
        return None
    labels = host.split(".")
    candidates = [".".join(labels[i:]) for i in range(len(labels) - 1)]
    domains = {d.host: d for d in Domain.objects.select_related("site").filter(host__in=candidates)}
    for name in candidates:
        if name in domains:
            return domains[name].site
    return None


def search_sites(query: str, limit: int = 20) -> list[Site]:
    """Sites matching a 标识码, a domain (or a URL) or part of the name; exact hits first."""
    q = (query or "").strip()
    if not q:
        return []
    exact = list(Site.objects.filter(code__iexact=q)[:1])
    host = host_of(q) if "/" in q else q.lower()
    by_host = site_for_host(host)
    if by_host and by_host not in exact:
        exact.append(by_host)
    rest = Site.objects.filter(
        Q(name__icontains=q) | Q(domains__host__icontains=q.lower()) | Q(code__startswith=q)
    ).exclude(pk__in=[s.pk for s in exact]).distinct().order_by("code")[: max(0, limit - len(exact))]
    return exact + list(rest)


def route(site: Site) -> tuple[int | None, int | None]:
    """(region id, department id) of the office a message goes to: the site's State Council
    department, else the province-level region office of the site's region."""
    if site.department_id:
        return None, site.department_id
    return (province_id(site.region_id) if site.region_id else None), None


@lru_cache(maxsize=8192)
def province_id(region_id: int) -> int | None:
    """The province-level ancestor of a region. Cached: divisions are reference data that do not
    change while the server runs, and this is on the hot path of every submission."""
    province = province_of(Region.objects.select_related("parent__parent").get(pk=region_id))
    return province.pk if province else None


# --- captcha (stateless: the question is derived from a signed nonce with the secret key) -----

def _question(nonce: str) -> tuple[int, int]:
    digest = hmac.new(_captcha_key(), nonce.encode(), hashlib.sha256).digest()
    return 1 + digest[0] % 20, 1 + digest[1] % 9


def _captcha_key() -> bytes:
    from django.conf import settings

    return hashlib.sha256(("captcha:" + settings.SECRET_KEY).encode()).digest()


def new_captcha() -> str:
    """A fresh form token: a signed, timestamped nonce. It names the captcha question and, once a
    form with it is stored, can never be stored again."""
    return signing.TimestampSigner(salt=CAPTCHA_SALT).sign(secrets.token_urlsafe(18))


def captcha_text(token: str) -> str:
    a, b = _question(_unsign(token, check_age=False))
    return f"{a} + {b} = ?"


def _unsign(token: str, check_age: bool = True) -> str:
    signer = signing.TimestampSigner(salt=CAPTCHA_SALT)
    try:
        if check_age:
            return signer.unsign(token, max_age=int(conf.get("CAPTCHA_MAX_AGE")))
        return signer.unsign(token)
    except signing.SignatureExpired:
        raise IntakeError("验证码已过期，请刷新页面后重新填写验证码") from None
    except signing.BadSignature:
        raise IntakeError("表单已失效（验证码无效），请刷新页面后重新提交") from None


def check_captcha(token: str, answer: str) -> str:
    """Return the form nonce if the answer is right; raise IntakeError otherwise."""
    token = (token or "").strip()
    if conf.get("CAPTCHA_TEST_MODE") and TEST_TOKEN_RE.match(token):
        return token
    nonce = _unsign(token)
    a, b = _question(nonce)
    if (answer or "").strip() != str(a + b):
        raise IntakeError("验证码计算结果不正确，请重新计算")
    return nonce


def render_captcha_png(token: str) -> bytes:
    from PIL import Image, ImageDraw, ImageFont

    text = captcha_text(token)
    rnd = secrets.SystemRandom()
    img = Image.new("RGB", (180, 56), (245, 247, 250))
    draw = ImageDraw.Draw(img)
    for _ in range(6):  # noise lines so the image is not trivially OCR'd
        draw.line([(rnd.randint(0, 180), rnd.randint(0, 56)), (rnd.randint(0, 180), rnd.randint(0, 56))],
                  fill=(rnd.randint(120, 200),) * 3, width=1)
    font = ImageFont.load_default(size=30)
    x = 10
    for ch in text:
        draw.text((x, rnd.randint(6, 14)), ch, font=font, fill=(rnd.randint(0, 80), 40, rnd.randint(60, 140)))
        x += 20 if ch != " " else 8
    out = io.BytesIO()
    img.save(out, "PNG")
    return out.getvalue()


# --- rate limit ---------------------------------------------------------------------------------

def _rate_key(kind: str, ip: str) -> str:
    window = int(conf.get("RATE_LIMIT_WINDOW"))
    return f"fb:{kind}:{ip}:{int(timezone.now().timestamp()) // window}"


def rate_limited(ip: str | None) -> bool:
    """True if this IP already made its allowed submissions, or its allowed form posts (accepted
    or not, so a captcha cannot be guessed by retrying), in the current window. Fixed-window
    counters in Django's cache: per process with the local-memory cache, shared with Redis.
    RATE_LIMIT_COUNT = 0 turns both off (benchmarks)."""
    limit = int(conf.get("RATE_LIMIT_COUNT"))
    if limit <= 0 or not ip:
        return False
    if (cache.get(_rate_key("ok", ip)) or 0) >= limit:
        return True
    return (cache.get(_rate_key("try", ip)) or 0) >= int(conf.get("ATTEMPT_LIMIT"))


def _bump(key: str) -> None:
    window = int(conf.get("RATE_LIMIT_WINDOW"))
    if not cache.add(key, 1, timeout=window + 5):
        try:
            cache.incr(key)
        except ValueError:  # expired between add and incr
            cache.add(key, 1, timeout=window + 5)


def count_attempt(ip: str | None) -> None:
    if ip and int(conf.get("RATE_LIMIT_COUNT")) > 0:
        _bump(_rate_key("try", ip))


def count_submission(ip: str | None) -> None:
    if ip and int(conf.get("RATE_LIMIT_COUNT")) > 0:
        _bump(_rate_key("ok", ip))


# --- screenshot ---------------------------------------------------------------------------------

def sanitize_screenshot(upload) -> ContentFile:  # noqa: ANN001 - Django UploadedFile
    """Check the upload is a real image within limits and re-encode it (drops EXIF/GPS and any
    trailing payload). Output is PNG or JPEG with a random name; the client's name is ignored."""
    from PIL import Image, UnidentifiedImageError

    max_bytes = int(conf.get("UPLOAD_MAX_BYTES"))
    if upload.size > max_bytes:
        raise IntakeError(f"截图过大（{upload.size / 1048576:.1f} MB），最大 {max_bytes // 1048576} MB")
    if upload.size == 0:
        raise IntakeError("截图文件是空的")
    try:
        upload.seek(0)
        with Image.open(upload) as probe:
            fmt = probe.format
            w, h = probe.size
            if w * h > int(conf.get("IMAGE_MAX_PIXELS")):
                raise IntakeError("截图像素过多，请缩小后再上传")
            probe.verify()
        upload.seek(0)
        with Image.open(upload) as img:
            img.load()
            keep_jpeg = fmt == "JPEG"
            img = img.convert("RGB") if keep_jpeg or img.mode not in ("RGB", "RGBA", "L", "LA") else img
            out = io.BytesIO()
            if keep_jpeg:
                img.save(out, "JPEG", quality=85)
            else:
                img.save(out, "PNG", optimize=False)
    except IntakeError:
        raise
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, Image.DecompressionBombError):
        raise IntakeError("截图不是有效的图片（支持 PNG、JPEG、GIF、WebP 等常见格式）") from None
    ext = "jpg" if keep_jpeg else "png"
    return ContentFile(out.getvalue(), name=f"{secrets.token_hex(16)}.{ext}")


# --- submission --------------------------------------------------------------------------------

@dataclass
class Submission:
    site: Site
    page_url: str
    category: int
    description: str
    contact: str
    nonce: str
    ip: str | None
    screenshot: ContentFile | None = None


def _normalise(text: str) -> str:
    return re.sub(r"[\s\W_]+", "", text.lower())


@lru_cache(maxsize=1)
def _duplicate_sql() -> str:
    """The duplicate lookup as plain SQL, built once from the model: compiling the equivalent
    ORM query cost more CPU than the rest of a submission's queries together (hot path)."""
    qn = connection.ops.quote_name
    col = {f.name: qn(f.column) for f in Message._meta.concrete_fields}
    excluded = ", ".join(str(int(s)) for s in sorted(REJECTED_STATUSES))
    return (f"SELECT {col['id']}, {col['description']} FROM {qn(Message._meta.db_table)} "
            f"WHERE {col['site']} = %s AND {col['category']} = %s AND {col['page_url']} = %s "
            f"AND {col['created_at']} >= %s AND {col['duplicate_of']} IS NULL AND {col['status']} NOT IN ({excluded}) "
            f"ORDER BY {col['created_at']} DESC LIMIT 50")


def find_duplicate(site: Site, page_url: str, category: int, description: str) -> Message | None:
    """An earlier message on the same page and category with near-identical text in the window
    (rejected ones don't count: a fresh report of a real problem must not be buried by them)."""
    since = timezone.now() - timedelta(days=int(conf.get("DUPLICATE_WINDOW_DAYS")))
    target = _normalise(description)
    ratio = float(conf.get("DUPLICATE_RATIO"))
    created = Message._meta.get_field("created_at").get_db_prep_value(since, connection)
    with connection.cursor() as cur:
        cur.execute(_duplicate_sql(), [site.pk, category, page_url, created])
        earlier = cur.fetchall()
    for pk, text in earlier:
        other = _normalise(text)
        if other == target or difflib.SequenceMatcher(None, target, other, autojunk=False).ratio() >= ratio:
            return Message(pk=pk)
    return None


def _insert_fields(model: type) -> list:  # noqa: ANN401 - Django fields
    return [f for f in model._meta.concrete_fields if not f.primary_key and f.name != "message"]


@lru_cache(maxsize=4)
def _insert_sql(n_history: int) -> str:
    """INSERT of a message and `n_history` history rows as ONE statement (a data-modifying CTE),
    built once from the models' fields, so a field added later is included."""
    qn = connection.ops.quote_name
    m_fields, t_fields = _insert_fields(Message), _insert_fields(Transition)
    # Typed placeholders: a NULL in a SELECT list would otherwise be taken as text.
    row = ", ".join(f"CAST(%s AS {f.cast_db_type(connection)})" for f in t_fields)
    message_col = qn(Transition._meta.get_field("message").column)
    return (f"WITH m AS (INSERT INTO {qn(Message._meta.db_table)} ({', '.join(qn(f.column) for f in m_fields)}) "
            f"VALUES ({', '.join(['%s'] * len(m_fields))}) RETURNING {qn(Message._meta.pk.column)}) "
            f"INSERT INTO {qn(Transition._meta.db_table)} ({message_col}, {', '.join(qn(f.column) for f in t_fields)}) "
            + " UNION ALL ".join([f"SELECT m.{qn(Message._meta.pk.column)}, {row} FROM m"] * n_history) + f" RETURNING {message_col}")


def _insert_together(msg: Message, history: list[Transition]) -> None:
    """Store the message and its history in one statement: in autocommit mode one round trip
    instead of four (BEGIN, two INSERTs, COMMIT), and atomic on its own. Values are prepared as
    Model.save prepares them (pre_save, get_db_prep_save). Like bulk_create, it sends no
    pre/post_save signals: nothing listens for a new message being created."""
    params = [f.get_db_prep_save(f.pre_save(msg, add=True), connection) for f in _insert_fields(Message)]
    t_fields = _insert_fields(Transition)
    for t in history:
        params.extend(f.get_db_prep_save(f.pre_save(t, add=True), connection) for f in t_fields)
    with connection.cursor() as cur:
        cur.execute(_insert_sql(len(history)), params)
        msg.pk = cur.fetchone()[0]
    msg._state.adding = False
    msg._state.db = connection.alias
    for t in history:
        t.message = msg


def submit(sub: Submission) -> Message:
    """Store one message atomically, routed, with its first history entry. A replayed form
    (nonce already stored) raises IntakeError and stores nothing."""
    region_id, department_id = route(sub.site)
    duplicate = find_duplicate(sub.site, sub.page_url, sub.category, sub.description)
    msg = Message()
    try:
        msg = Message(
            query_code=secrets.token_urlsafe(16),
            form_nonce=sub.nonce,
            site=sub.site,
            site_code=sub.site.code,
            site_name=sub.site.name,
            page_url=sub.page_url,
            category=sub.category,
            description=sub.description,
            contact=sub.contact,
            client_ip=sub.ip,
            office_region_id=region_id,
            office_department_id=department_id,
        )
        if duplicate is not None:
            msg.status = Status.DUPLICATE
            msg.duplicate_of = duplicate
            msg.screened_at = timezone.now()
            msg.reject_reason = "与近期已受理的同一页面、同类问题留言内容相同"
        if sub.screenshot is not None:
            msg.screenshot.save(sub.screenshot.name, sub.screenshot, save=False)
        history = [Transition(message=msg, actor_name="网民", action="submit", from_status=None,
                              to_status=Status.UNHANDLED, reason="网民提交留言")]
        if duplicate is not None:
            history.append(Transition(message=msg, actor_name="系统", action="screen_duplicate",
                                      from_status=Status.UNHANDLED, to_status=Status.DUPLICATE,
                                      reason=f"自动查重：与留言 #{duplicate.pk} 重复"))
        if connection.vendor == "postgresql":
            # Inside an outer transaction, a savepoint keeps a replay's IntegrityError from
            # poisoning it; at top level the one statement is atomic by itself.
            with transaction.atomic() if connection.in_atomic_block else nullcontext():
                _insert_together(msg, history)
        else:  # SQLite has no data-modifying CTEs
            with transaction.atomic():
                msg.save()
                Transition.objects.bulk_create(history)
    except Exception as exc:
        # The row was rolled back: do not leave its screenshot behind.
        if msg.screenshot:
            msg.screenshot.delete(save=False)
        if isinstance(exc, IntegrityError) and Message.objects.filter(form_nonce=sub.nonce).exists():
            raise IntakeError("该表单已经提交过，请勿重复提交；如需再次反映，请刷新页面重新填写") from None
        raise
    count_submission(sub.ip)
    return msg
