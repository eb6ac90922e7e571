"""The message workflow (rules.md §4.1, rules-addendum §3.2): who may take which step from
which status, every step recorded, and the deadlines in working days."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from django.core.mail import send_mass_mail
from django.db import transaction
from django.utils import timezone

from govsite.accounts.models import NATIONAL_ROLES, Membership, Role
from govsite.accounts.scope import membership_of, sites_in_scope
from govsite.feedback import conf
from govsite.feedback.models import (
    AWAITING_FORWARD,
    AWAITING_OWNER,
    CLOSED_STATUSES,
    REJECTED_STATUSES,
    Message,
    Status,
    Transition,
    status_label,
)
from govsite.feedback.workdays import WorkCalendar, load_calendar


class WorkflowError(Exception):
    """A step that is not allowed (wrong status, wrong role, out of scope, missing reason)."""


S = Status
NATIONAL = "national"  # the national operations team (screening, final review, publication)
ORGANISER = "organiser"  # the province-level / State Council department office the message is routed to
OWNER = "owner"  # the site's sponsor (网站主办单位)


@dataclass(frozen=True)
class Step:
    label: str
    sources: frozenset[int]
    actor: str
    target: int | None  # None: chosen by the caller among `choices`
    needs_reason: bool = False
    choices: frozenset[int] = frozenset()


STEPS: dict[str, Step] = {
    "screen_valid": Step("甄别有效，转办", frozenset({S.UNHANDLED}), NATIONAL, S.TRANSFERRED),
    "screen_valid_unpublished": Step("甄别有效，转办（不曝光）", frozenset({S.UNHANDLED}), NATIONAL,
                                     S.TRANSFERRED_UNPUBLISHED),
    "screen_reject": Step("不予受理", frozenset({S.UNHANDLED}), NATIONAL, None, True, frozenset(REJECTED_STATUSES)),
    "screen_duplicate": Step("重复留言", frozenset({S.UNHANDLED}), NATIONAL, S.DUPLICATE, True),
    "forward": Step("转交网站主办单位办理", frozenset(AWAITING_FORWARD), ORGANISER, S.ACCEPTED),
    "forward_offline": Step("线下受理", frozenset(AWAITING_FORWARD), ORGANISER, S.OFFLINE, True),
    "reply": Step("办理并答复", frozenset(AWAITING_OWNER), OWNER, S.HANDLED_PENDING_REVIEW, True),
    "first_pass": Step("初审通过", frozenset({S.HANDLED_PENDING_REVIEW, S.RETURNED_REREVIEW}), ORGANISER,
                       S.FINAL_REVIEW_PENDING),
    "first_reject": Step("初审驳回", frozenset({S.HANDLED_PENDING_REVIEW, S.RETURNED_REREVIEW}), ORGANISER,
                         S.FIRST_REVIEW_REJECTED, True),
    "final_close": Step("终审通过，办结并曝光", frozenset({S.FINAL_REVIEW_PENDING}), NATIONAL, S.CLOSED),
    "final_close_unpublished": Step("终审通过，办结不曝光", frozenset({S.FINAL_REVIEW_PENDING}), NATIONAL,
                                    S.CLOSED_UNPUBLISHED),
    "final_return_rehandle": Step("退回重新处理", frozenset({S.FINAL_REVIEW_PENDING}), NATIONAL,
                                  S.RETURNED_REHANDLE, True),
    "final_return_rereview": Step("退回重新审核", frozenset({S.FINAL_REVIEW_PENDING}), NATIONAL,
                                  S.RETURNED_REREVIEW, True),
    "publish": Step("曝光", frozenset({S.CLOSED_UNPUBLISHED}), NATIONAL, S.CLOSED),
}


def _is_actor(m: Membership | None, actor: str, msg: Message) -> bool:
    if m is None:
        return False
    if actor == NATIONAL:
        return m.role in NATIONAL_ROLES
    if actor == ORGANISER:
        # Only the office the message is routed to (not a city office below it).
        if m.role == Role.REGIONAL_ADMIN:
            return msg.office_region_id is not None and m.region_id == msg.office_region_id
        if m.role == Role.DEPARTMENT_ADMIN:
            return msg.office_department_id is not None and m.department_id == msg.office_department_id
        return False
    if actor == OWNER:
        return m.role == Role.SITE_OPERATOR and m.sites.filter(pk=msg.site_id).exists()
    return False


def allowed_steps(user, msg: Message) -> list[str]:  # noqa: ANN001
    m = membership_of(user)
    return [name for name, step in STEPS.items() if msg.status in step.sources and _is_actor(m, step.actor, msg)]


def messages_in_scope(user):  # noqa: ANN001, ANN201 - QuerySet[Message]
    """Messages a user may see: national roles all; organisers those routed to them or on sites in
    their scope; operators and inspectors those on their sites."""
    m = membership_of(user)
    if m is None:
        return Message.objects.none()
    if m.role in NATIONAL_ROLES:
        return Message.objects.all()
    qs = Message.objects.filter(site__in=sites_in_scope(user))
    if m.role == Role.REGIONAL_ADMIN:
        qs = qs | Message.objects.filter(office_region_id=m.region_id)
    elif m.role == Role.DEPARTMENT_ADMIN:
        qs = qs | Message.objects.filter(office_department_id=m.department_id)
    return qs.distinct()


def act(msg: Message, user, action: str, reason: str = "", target: int | None = None,  # noqa: ANN001
        reply: str = "", published_text: str = "") -> Message:
    """Take one workflow step, atomically, with a history entry. Raises WorkflowError."""
    step = STEPS.get(action)
    if step is None:
        raise WorkflowError(f"未知操作：{action}")
    reason = (reason or "").strip()
    with transaction.atomic():
        msg = Message.objects.select_for_update().get(pk=msg.pk)
        m = membership_of(user)
        if not _is_actor(m, step.actor, msg):
            raise WorkflowError(f"无权执行“{step.label}”：不是该留言的{_ACTOR_NAMES[step.actor]}")
        if msg.status not in step.sources:
            raise WorkflowError(f"留言当前状态为“{status_label(msg.status, m.role)}”，不能执行“{step.label}”")
        to = step.target
        if to is None:
            if target is None or target not in step.choices:
                names = "、".join(f"{c} {Status(c).label}" for c in sorted(step.choices))
                raise WorkflowError(f"请选择不予受理的类型：{names}")
            to = target
        if action == "reply":
            reply = (reply or reason).strip()
        if step.needs_reason and not reason:
            raise WorkflowError(f"“{step.label}”必须填写原因或说明")
        now = timezone.now()
        before = msg.status
        msg.status = to
        if action.startswith("screen_"):
            msg.screened_at = now
            if action in ("screen_reject", "screen_duplicate"):
                msg.reject_reason = reason
        elif action.startswith("forward"):
            msg.forwarded_at = now
        elif action == "reply":
            msg.reply = reply
            msg.replied_at = now
        if to in CLOSED_STATUSES and msg.closed_at is None:
            msg.closed_at = now
        if to == S.CLOSED:
            msg.published = True
            msg.published_at = now
            msg.published_text = (published_text or msg.published_text or msg.reply).strip()
        msg.save()
        Transition.objects.create(message=msg, actor=user, actor_name=user.get_username(), actor_role=m.role,
                                  action=action, from_status=before, to_status=to, reason=reason)
    return msg


_ACTOR_NAMES = {NATIONAL: "国家级运维组", ORGANISER: "承办组织单位", OWNER: "网站主办单位"}


# --- deadlines -----------------------------------------------------------------------------------

def local_date(moment: dt.datetime) -> dt.date:
    return timezone.localtime(moment).date()


def transfer_due(msg: Message, cal: WorkCalendar) -> dt.date:
    """Last day the national team may screen and transfer (default: 1 working day after submission)."""
    return cal.add_workdays(local_date(msg.created_at), int(conf.get("TRANSFER_WORKDAYS")))


def handle_due(msg: Message, cal: WorkCalendar) -> dt.date | None:
    """Last day the unit may reply: N working days (default 3) after the message was transferred
    to it (screened valid). None before transfer."""
    if msg.screened_at is None or msg.status in REJECTED_STATUSES or msg.status == S.DUPLICATE:
        return None
    return cal.add_workdays(local_date(msg.screened_at), int(conf.get("HANDLE_WORKDAYS")))


def overdue_party(msg: Message, today: dt.date, cal: WorkCalendar) -> str | None:
    """Who is late on an open message today: NATIONAL (not screened in time), ORGANISER (not
    forwarded), OWNER (not replied), or None."""
    if msg.status == S.UNHANDLED:
        return NATIONAL if today > transfer_due(msg, cal) else None
    due = handle_due(msg, cal)
    if due is None or today <= due:
        return None
    if msg.status in AWAITING_FORWARD:
        return ORGANISER
    if msg.status in AWAITING_OWNER:
        return OWNER
    return None


def closed_on_time(msg: Message, cal: WorkCalendar) -> bool:
    """按期办结: closed, and the reply that was finally accepted came by the handling deadline."""
    if msg.status not in CLOSED_STATUSES or msg.replied_at is None:
        return False
    due = handle_due(msg, cal)
    return due is not None and local_date(msg.replied_at) <= due


def _recipients(msg: Message, party: str) -> list[str]:
    members = Membership.objects.select_related("user").filter(user__is_active=True).exclude(user__email="")
    if party == NATIONAL:
        members = members.filter(role=Role.NATIONAL_OPS)
    elif party == ORGANISER:
        members = (members.filter(role=Role.REGIONAL_ADMIN, region_id=msg.office_region_id)
                   if msg.office_region_id else
                   members.filter(role=Role.DEPARTMENT_ADMIN, department_id=msg.office_department_id))
    else:
        members = members.filter(role=Role.SITE_OPERATOR, sites=msg.site_id)
    return sorted({m.user.email for m in members})


@dataclass
class ReminderReport:
    overdue: int = 0
    newly_flagged: int = 0
    emails: int = 0
    without_recipient: int = 0


def remind_overdue(today: dt.date | None = None, cal: WorkCalendar | None = None,
                   send: bool = True, echo: Callable[[str], None] | None = None) -> ReminderReport:
    """Flag every open message that is past its deadline and e-mail the late party (at most one
    reminder per message per day). Raises CalendarNotCovered for a year not in the calendar."""
    cal = cal or load_calendar()
    now = timezone.now()
    today = today or local_date(now)
    report = ReminderReport()
    mails: list[tuple[str, str, str, list[str]]] = []
    open_statuses: Iterable[int] = [S.UNHANDLED, *AWAITING_FORWARD, *AWAITING_OWNER]
    for msg in Message.objects.filter(status__in=list(open_statuses)).select_related("site").order_by("id"):
        party = overdue_party(msg, today, cal)
        if party is None:
            continue
        report.overdue += 1
        fields = ["overdue"]
        if not msg.overdue:
            msg.overdue = True
            report.newly_flagged += 1
        already = msg.reminded_at is not None and local_date(msg.reminded_at) >= today
        to = _recipients(msg, party)
        if not to:
            report.without_recipient += 1
        elif send and not already:
            due = transfer_due(msg, cal) if party == NATIONAL else handle_due(msg, cal)
            subject = f"【找错催办】{msg.site_name} 留言已超期（期限 {due}）"
            body = (f"网站：{msg.site_name}（{msg.site_code}）\n问题类型：{msg.get_category_display()}\n"
                    f"问题页面：{msg.page_url}\n当前状态：{status_label(msg.status, None)}\n"
                    f"办理期限：{due}\n留言编号：#{msg.pk}\n\n请尽快办理。")
            mails.append((subject, body, None, to))
            msg.reminded_at = now
            fields.append("reminded_at")
            report.emails += 1
        msg.save(update_fields=fields)
        if echo:
            echo(f"#{msg.pk}\t{msg.site_code}\t{status_label(msg.status, None)}\t超期方:{_ACTOR_NAMES[party]}")
    if mails:
        send_mass_mail(mails, fail_silently=False)
    return report
