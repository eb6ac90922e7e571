"""`govsite campaign ...`: draw samples, run checks, self-checks, re-verification, inspector
review, results, rectification and accountability."""

from __future__ import annotations

import datetime as dt
import functools
import getpass
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import click

from govsite.cli.errors import UserError


def _boot() -> None:
    from govsite.project.boot import setup_django

    setup_django()


def _service(fn: Callable) -> Callable:
    """Boot Django, and turn service errors (bad input) into `错误: …` with exit status 2."""

    @functools.wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        _boot()
        from govsite.inspections.errors import InspectionError

        try:
            return fn(*args, **kwargs)
        except InspectionError as exc:
            raise UserError(str(exc)) from exc

    return wrapper


def _date(value: str | None, what: str) -> dt.date | None:
    if value is None:
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError as exc:
        raise UserError(f"{what}“{value}”不是有效日期（YYYY-MM-DD）") from exc


def _emit(data: Any) -> None:
    click.echo(json.dumps(data, ensure_ascii=False, indent=2, default=str))


def _actor(value: str | None) -> str:
    if value:
        return value
    try:
        return getpass.getuser()
    except (KeyError, OSError):  # no passwd entry in some containers
        return "cli"


actor_option = click.option("--actor", help="操作人（写入审计日志），默认当前系统用户")


def _campaign_json(c) -> dict:  # noqa: ANN001
    return {
        "id": c.pk,
        "name": c.name,
        "quarter": c.quarter,
        "kind": c.kind,
        "unit": c.unit.name if c.unit else None,
        "ruleset": c.ruleset,
        "as_of": c.as_of.isoformat(),
        "window": [str(c.window_start), str(c.window_end)],
        "state": c.state,
        "seed": c.seed,
        "algorithm": c.algorithm,
        "snapshot_hash": c.snapshot_hash,
        "population": c.population,
        "total": c.total,
        "done": c.done,
        "running": c.running,
        "failed": c.failed,
        "eta_seconds": c.eta_seconds,
        "second_review": c.second_review,
        "params": c.params,
    }


def register(main: click.Group) -> None:
    main.add_command(campaign)


@click.group()
def campaign() -> None:
    """抽查活动：抽样、检查、自查、复核、审核、结果、整改与问责。"""


@campaign.command()
@click.option("--quarter", required=True, help="季度，如 2017Q3")
@click.option("--size", required=True, type=int, help="样本量")
@click.option("--seed", required=True, help="随机种子（记录在活动中，用于复现）")
@click.option("--min-per-stratum", default=1, show_default=True, type=int, help="每个抽样层最少样本数")
@click.option("--exclude-previous", is_flag=True, help="排除上季度国办抽查已抽中的网站")
@click.option("--skip-empty-strata", is_flag=True, help="排除后为空的抽样层直接跳过（记录在活动中）")
@click.option("--as-of", help="监测时间点（日期），默认季度最后一天")
@click.option("--window", help="采样时间窗口 START:END（日期），默认整个季度")
@click.option("--second-review", is_flag=True, help="审核需要初审和复审两级")
@click.option("--name", help="活动名称，默认 季度-国办抽查-种子")
@click.option("--replace", is_flag=True, help="同名活动已存在时替换它（演示用；有整改任务的活动不能替换）")
@click.option("--farm-manifest", type=click.Path(dir_okay=False),
              help="只在模拟站点群中与登记库一致（标识码和域名相同）的网站中抽样（演示、测试用）")
@click.option("--json", "as_json", is_flag=True, help="以 JSON 输出")
@actor_option
@_service
def draw(quarter, size, seed, min_per_stratum, exclude_previous, skip_empty_strata, as_of, window,
         second_review, name, replace, farm_manifest, as_json, actor) -> None:
    """随机分层抽取国办抽查样本（算法见 govsite.inspections.sampling）。"""
    from govsite.inspections.campaigns import draw_national_sample

    restrict, note = None, None
    if farm_manifest:
        from govsite.inspections.farmlink import load_manifest, matching_codes

        entries, digest = load_manifest(farm_manifest)
        restrict = matching_codes(entries)
        note = {"farm_manifest": str(farm_manifest), "sha256": digest, "farm_sites": len(entries),
                "matched": len(restrict)}

    win = None
    if window:
        start, sep, end = window.partition(":")
        if not sep:
            raise UserError(f"--window 格式应为 START:END，收到“{window}”")
        win = (_date(start, "窗口开始"), _date(end, "窗口结束"))
    c = draw_national_sample(
        quarter, size, seed, minimum=min_per_stratum, exclude_previous=exclude_previous,
        skip_empty_strata=skip_empty_strata, as_of=_date(as_of, "--as-of"), window=win,
        second_review=second_review, name=name, restrict_to=restrict, restrict_note=note, replace=replace,
        actor=_actor(actor),
    )
    if as_json:
        data = _campaign_json(c)
        data["sites"] = list(c.sites.order_by("site__code").values_list("site__code", flat=True))
        _emit(data)
    else:
        click.echo(
            f"已抽取 {c.total} 个网站（总体 {c.population}，{len(c.params['strata'])} 个抽样层），"
            f"活动“{c.name}”（编号 {c.pk}），规则集 {c.ruleset}，登记库快照 {c.snapshot_hash[:12]}"
        )


@campaign.command()
@click.argument("campaign_ref")
@click.option("--json", "as_json", is_flag=True)
@_service
def verify(campaign_ref, as_json) -> None:
    """按记录的种子和参数重新抽样，核对样本是否一致。"""
    from govsite.inspections.campaigns import get_campaign, verify_sample

    res = verify_sample(get_campaign(campaign_ref))
    if as_json:
        _emit(res)
    else:
        click.echo(("样本一致" if res["identical"] else "样本不一致")
                   + ("；登记库快照相同" if res["snapshot_matches"] else "；登记库已变化（快照不同）"))
    if not res["identical"]:
        raise SystemExit(1)


@campaign.command()
@click.argument("campaign_ref")
@click.option("--resolve", multiple=True, help="HOST:PORT:ADDR（同 curl），仅用于本地测试站点")
@click.option("--allow-private", is_flag=True, help="允许访问私有/回环地址（仅用于本地测试站点）")
@click.option("--probe-log", type=click.Path(exists=True, dir_okay=False), help="可用性探测日志文件")
@click.option("--concurrency", default=16, show_default=True, type=int, help="同时检查的网站数")
@click.option("--per-host", default=2, show_default=True, type=int, help="同一主机同时检查的网站数")
@click.option("--attempts", default=3, show_default=True, type=int, help="每个网站最多尝试次数")
@click.option("--backoff", default=2.0, show_default=True, type=float, help="首次重试前等待秒数（之后加倍）")
@click.option("--timeout", default=900.0, show_default=True, type=float, help="每次检查的超时秒数")
@click.option("--max-pages", type=int)
@click.option("--max-depth", type=int)
@click.option("--time-budget", type=float)
@click.option("--retry-failed", is_flag=True, help="重新检查已标记为失败的网站")
@click.option("--checker", default="govsite.inspections.executor:engine_checker", show_default=True,
              help="检查器工厂 module:attr（测试和性能评估用）")
@click.option("--farm-manifest", type=click.Path(exists=True, dir_okay=False),
              help="按模拟站点群清单改用其网址并解析到 127.0.0.1（需同时 --allow-private）")
@click.option("--no-progress", is_flag=True, help="不显示进度条")
@_service
def run(campaign_ref, resolve, allow_private, probe_log, concurrency, per_host, attempts, backoff, timeout,
        max_pages, max_depth, time_budget, retry_failed, checker, farm_manifest, no_progress) -> None:
    """检查活动中尚未完成的网站；中断后再次运行会从中断处继续。"""
    from asgiref.sync import async_to_sync
    from tqdm import tqdm

    from govsite.inspections.campaigns import after_run, get_campaign
    from govsite.inspections.executor import RunOptions, load_checker, run_campaign

    c = get_campaign(campaign_ref)
    factory = load_checker(checker)
    urls: dict[str, str] = {}
    if farm_manifest:
        from govsite.inspections.farmlink import run_overrides

        urls, farm_resolve = run_overrides(farm_manifest)
        resolve = tuple(resolve) + farm_resolve
    opts = RunOptions(url_overrides=urls,
        concurrency=concurrency, per_host=per_host, max_attempts=attempts, backoff=backoff,
        timeout=timeout or None, retry_failed=retry_failed, resolve=tuple(resolve),
        allow_private=allow_private, probe_log=probe_log, max_pages=max_pages, max_depth=max_depth,
        time_budget=time_budget,
    )
    bar = tqdm(total=c.total, initial=c.done + c.failed, unit="站", disable=no_progress, desc=c.name)
    last = [c.done + c.failed]

    def progress(done: int, failed: int, total: int) -> None:
        bar.update(done + failed - last[0])
        last[0] = done + failed
        bar.set_postfix(失败=failed, refresh=False)

    try:
        # --- issue 10 hook: with GOVSITE_BROKER_URL set, Celery workers check the sites ---
        from govsite.inspections.dispatch import broker_configured, dispatch_campaign

        if broker_configured():
            summary = dispatch_campaign(c.pk, opts, checker, progress)
        else:
            # async_to_sync keeps the database work on this (the main) thread.
            summary = async_to_sync(run_campaign)(c.pk, factory, opts, progress)
    finally:
        bar.close()
    c.refresh_from_db()
    extra = after_run(c) if c.state == c.State.CHECKED else {}
    click.echo(
        f"本次检查 {summary.checked_now} 个，用时 {summary.seconds:.1f} 秒；"
        f"共 {summary.total} 个：完成 {summary.done}，失败 {summary.failed}"
        + (f"；{extra}" if extra else "")
    )


@campaign.command()
@click.argument("campaign_ref", required=False)
@click.option("--quarter")
@click.option("--json", "as_json", is_flag=True)
@_service
def status(campaign_ref, quarter, as_json) -> None:
    """活动列表或某个活动的进度（已完成/进行中/失败、预计剩余时间）。"""
    from govsite.inspections.campaigns import get_campaign
    from govsite.inspections.models import Campaign
    from govsite.inspections.periods import Quarter

    if campaign_ref:
        c = get_campaign(campaign_ref)
        data = _campaign_json(c)
        data["failures"] = list(c.sites.filter(state="failed").values_list("site__code", "error"))
        if as_json:
            _emit(data)
            return
        eta = f"，预计剩余 {c.eta_seconds:.0f} 秒" if c.eta_seconds and c.state == c.State.RUNNING else ""
        click.echo(f"{c.name}（{c.get_kind_display()}，{c.get_state_display()}）：共 {c.total}，完成 {c.done}，"
                   f"进行中 {c.running}，失败 {c.failed}{eta}")
        for code, err in data["failures"]:
            click.echo(f"  失败 {code}: {err}")
        return
    qs = Campaign.objects.all()
    if quarter:
        qs = qs.filter(quarter=str(Quarter.parse(quarter)))
    rows = [_campaign_json(c) for c in qs]
    if as_json:
        _emit(rows)
        return
    for r in rows:
        click.echo(f"{r['id']:>4}  {r['name']}  {r['kind']}  {r['state']}  {r['done']}/{r['total']} 失败 {r['failed']}")


@campaign.command()
@click.option("--quarter", required=True)
@click.option("--by", type=click.Choice(["region", "department", "category", "all"]), default="all",
              show_default=True)
@click.option("--consecutive", default=3, show_default=True, type=int, help="连续 N 个季度合格率 100%")
@click.option("--json", "as_json", is_flag=True)
@_service
def results(quarter, by, consecutive, as_json) -> None:
    """季度结果：合格率（地区、部门、类别）及与上季度比较、自查比例、复核、问题网站。"""
    from govsite.inspections import results as res

    data = res.summary(quarter, consecutive=consecutive)
    if as_json:
        if by != "all":
            data = {"quarter": data["quarter"], "overall": data["overall"], "pass_rates": {by: data["pass_rates"][by]}}
        _emit(data)
        return
    o = data["overall"]
    click.echo(f"{data['quarter']} 国办抽查：审定 {o['sampled']} 个，合格 {o['passed']} 个，合格率 "
               f"{_rate(o['rate'])}，比上季度 {_change(o['change_pp'])}")
    groups = ("region", "department", "category") if by == "all" else (by,)
    titles = {"region": "地区", "department": "国务院部门", "category": "网站类别"}
    for g in groups:
        click.echo(f"\n按{titles[g]}：")
        for r in data["pass_rates"][g]["rows"]:
            click.echo(f"  {r['name']}\t抽查 {r['sampled']}\t合格 {r['passed']}\t合格率 {_rate(r['rate'])}\t"
                       f"比上季度 {_change(r['change_pp'])}")
    if by == "all":
        click.echo(f"\n合格率 100% 的地区：{'、'.join(data['regions_at_100']) or '无'}")
        key = f"regions_at_100_for_{consecutive}_quarters"
        click.echo(f"连续 {consecutive} 个季度合格率 100% 的地区：{'、'.join(data[key]) or '无'}")
        sc = data["selfcheck"]
        click.echo(f"自查：{sc['self_checked']} 个，占运行网站 {_ratio(sc['ratio'])}，合格率 {_rate(sc['pass_rate'])}；"
                   f"自查比例低于 30% 的单位 {len(sc['below_30'])} 个")
        rv = data["reverification"]
        click.echo(f"抽样复核：{rv['rechecked']} 个，一致率 {_rate(rv['agreement'])}，不一致 {len(rv['disagreements'])} 个")
        click.echo(f"问题网站 {len(data['problem_sites'])} 个：")
        for p in data["problem_sites"]:
            click.echo(f"  {p['no']}. {p['unit']}  {p['name']}  {p['url']}  {p['site']}  {p['problems']}")


def _rate(v: float | None) -> str:
    return "—" if v is None else f"{v:.1f}%"


def _ratio(v: float | None) -> str:
    return "—" if v is None else f"{100 * v:.1f}%"


def _change(v: float | None) -> str:
    return "无可比数据（not available）" if v is None else f"{v:+.1f} 个百分点"


# --- self-checks and re-verification ---------------------------------------------------------


@campaign.command("selfcheck-template")
@click.option("--quarter", required=True)
@click.option("--unit", required=True, help="省级行政区划代码、部门编码或全称")
@click.option("-o", "--output", required=True, type=click.Path(dir_okay=False, path_type=Path))
@_service
def selfcheck_template(quarter, unit, output) -> None:
    """生成本单位自查结果上报模板（XLSX）。"""
    from govsite.inspections.selfcheck import write_template

    n = write_template(output, quarter, unit)
    click.echo(f"已生成模板 {output}（{n} 个正常运行网站）")


@campaign.command("selfcheck-upload")
@click.option("--quarter", required=True)
@click.option("--unit", required=True)
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--json", "as_json", is_flag=True)
@actor_option
@_service
def selfcheck_upload(quarter, unit, file, as_json, actor) -> None:
    """上报自查结果；任何一行有误则整个文件不接收，并列出行、列和原因。"""
    from govsite.inspections.selfcheck import upload

    res = upload(file, quarter, unit, actor=_actor(actor))
    if as_json:
        _emit(res)
    else:
        click.echo(f"已接收 {res['unit']} 自查结果 {res['rows']} 行（新增 {res['created']}，更新 {res['updated']}），"
                   f"活动“{res['campaign']}”")


@campaign.command("selfcheck-create")
@click.option("--quarter", required=True)
@click.option("--unit", required=True)
@click.option("--ratio", default=1.0, show_default=True, type=float, help="自查比例（0–1）")
@click.option("--seed", default="", help="按比例抽取时的随机种子")
@click.option("--as-of", help="监测时间点（日期）")
@actor_option
@_service
def selfcheck_create(quarter, unit, ratio, seed, as_of, actor) -> None:
    """用 govsite 自查本单位网站：创建自查活动（随后用 campaign run 执行）。"""
    from govsite.inspections.campaigns import create_selfcheck_campaign

    c = create_selfcheck_campaign(quarter, unit, ratio=ratio, seed=seed, as_of=_date(as_of, "--as-of"),
                                  actor=_actor(actor))
    click.echo(f"已创建自查活动“{c.name}”（编号 {c.pk}），{c.total} 个网站；运行：govsite campaign run {c.pk}")


@campaign.command()
@click.option("--quarter", required=True)
@click.option("--per-unit", required=True, type=int, help="每个单位复核的网站数")
@click.option("--seed", required=True)
@click.option("--as-of", help="监测时间点（日期）")
@actor_option
@_service
def reverify(quarter, per_unit, seed, as_of, actor) -> None:
    """从各单位自查过的网站中随机抽取一部分，由国家级集中复核。"""
    from govsite.inspections.campaigns import create_reverification

    c = create_reverification(quarter, per_unit=per_unit, seed=seed, as_of=_date(as_of, "--as-of"),
                              actor=_actor(actor))
    click.echo(f"已创建抽样复核活动“{c.name}”（编号 {c.pk}），{c.total} 个网站；运行：govsite campaign run {c.pk}")


# --- inspector review ---------------------------------------------------------------------------


@campaign.group()
def review() -> None:
    """人工审核：分配、待审队列、查看证据、逐项确认或改判、自动接受。"""


@review.command("assign")
@click.argument("campaign_ref")
@click.option("--inspector", "inspectors", required=True, multiple=True, help="可重复；多人时按网站轮流分配")
@click.option("--site", "sites", multiple=True, help="网站标识码，可重复")
@click.option("--all-unassigned", is_flag=True, help="分配本阶段尚未分配的全部网站")
@click.option("--stage", type=click.Choice(["first", "second"]), default="first", show_default=True)
@actor_option
@_service
def review_assign(campaign_ref, inspectors, sites, all_unassigned, stage, actor) -> None:
    from govsite.inspections.campaigns import get_campaign
    from govsite.inspections.models import Assignment
    from govsite.inspections.reviews import assign

    c = get_campaign(campaign_ref)
    codes = list(sites)
    if all_unassigned:
        taken = set(Assignment.objects.filter(campaign=c, stage=stage).values_list("site__code", flat=True))
        codes += [x for x in c.sites.values_list("site__code", flat=True) if x not in taken]
    codes = list(dict.fromkeys(codes))
    from django.db import transaction

    with transaction.atomic():  # all inspectors' shares, or none
        for k, name in enumerate(inspectors):
            share = codes[k :: len(inspectors)]
            n = assign(c, name, share, stage=stage, actor=_actor(actor)) if share else 0
            click.echo(f"已将 {n} 个网站分配给 {name}（{'初审' if stage == 'first' else '复审'}）")


@review.command("queue")
@click.argument("campaign_ref")
@click.option("--inspector", required=True)
@click.option("--json", "as_json", is_flag=True)
@_service
def review_queue(campaign_ref, inspector, as_json) -> None:
    from govsite.inspections.campaigns import get_campaign
    from govsite.inspections.reviews import queue

    rows = queue(get_campaign(campaign_ref), inspector)
    if as_json:
        _emit(rows)
        return
    click.echo(f"{inspector} 待审 {len(rows)} 个：")
    for r in rows:
        click.echo(f"  {r['site']}  {r['name']}  {r['stage']}  自动结论 {r['auto_verdict'] or r['state']}  {r['problems']}")


@review.command("show")
@click.argument("campaign_ref")
@click.argument("site")
@click.option("--json", "as_json", is_flag=True)
@_service
def review_show(campaign_ref, site, as_json) -> None:
    from govsite.inspections.campaigns import get_campaign
    from govsite.inspections.reviews import findings

    f = findings(get_campaign(campaign_ref), site)
    if as_json:
        _emit(f)
        return
    click.echo(f"{f['name']}（{f['site']}）{f['url']}  自动结论 {f['auto_verdict'] or f['state']}  得分 {f['score']}")
    for i in f["indicators"]:
        click.echo(f"  {i['id']} {i['name']}: {i['status']} {i['points'] or ''}")
        for e in i["evidence"][:5]:
            click.echo(f"      {e.get('url', '')}  {e.get('detail', '')}")


@review.command("submit")
@click.argument("campaign_ref")
@click.argument("site")
@click.option("--inspector", required=True)
@click.option("--override", "overrides", multiple=True, help="改判：指标=状态:理由，如 V15-3=ok:专题页不属于应更新栏目")
@click.option("--verdict", type=click.Choice(["pass", "fail"]), help="直接给出结论（与逐项结果不同时须说明理由）")
@click.option("--reason", default="", help="给出结论的理由")
@click.option("--comment", default="")
@_service
def review_submit(campaign_ref, site, inspector, overrides, verdict, reason, comment) -> None:
    """提交审核：未改判的指标视为确认。"""
    from govsite.inspections.campaigns import get_campaign
    from govsite.inspections.reviews import parse_override, submit

    r = submit(get_campaign(campaign_ref), site, inspector, overrides=[parse_override(o) for o in overrides],
               verdict=verdict, verdict_reason=reason, comment=comment)
    click.echo(f"已提交{'初审' if r.stage == 'first' else '复审'}：{site} 结论 {r.verdict}")


@review.command("auto-accept")
@click.argument("campaign_ref")
@actor_option
@_service
def review_auto_accept(campaign_ref, actor) -> None:
    """接受所有未审核网站的自动结论（演示用，或决定不人工审核时）。"""
    from govsite.inspections.campaigns import get_campaign
    from govsite.inspections.reviews import auto_accept

    res = auto_accept(get_campaign(campaign_ref), actor=_actor(actor))
    click.echo(f"已自动接受 {res['accepted']} 个网站的结论，{res['skipped']} 个需人工审核（无检查报告或未能判定）")


@review.command("log")
@click.argument("campaign_ref")
@click.option("--json", "as_json", is_flag=True)
@_service
def review_log(campaign_ref, as_json) -> None:
    """审计日志：谁、何时、改前、改后、理由。"""
    from govsite.inspections.campaigns import get_campaign
    from govsite.inspections.models import AuditEntry

    c = get_campaign(campaign_ref)
    rows = list(AuditEntry.objects.filter(campaign=c).values("at", "actor", "action", "object_type", "object_id",
                                                             "before", "after", "reason"))
    if as_json:
        _emit(rows)
        return
    for r in rows:
        click.echo(f"{r['at']:%Y-%m-%d %H:%M:%S}  {r['actor']}  {r['action']}  {r['before']} → {r['after']}  {r['reason']}")


# --- rectification and accountability -------------------------------------------------------


@campaign.group()
def rectify() -> None:
    """整改：为不合格网站建任务、上报整改、复查、状态。"""


@rectify.command("create")
@click.argument("campaign_ref")
@click.option("--deadline", required=True, help="整改期限（日期）")
@actor_option
@_service
def rectify_create(campaign_ref, deadline, actor) -> None:
    from govsite.inspections.campaigns import get_campaign
    from govsite.inspections.rectification import create_tasks

    n = create_tasks(get_campaign(campaign_ref), _date(deadline, "--deadline"), actor=_actor(actor))
    click.echo(f"已创建整改任务 {n} 个")


@rectify.command("report")
@click.argument("task")
@click.option("--note", required=True, help="整改说明")
@click.option("--quarter", help="按网站标识码指定任务时的季度")
@actor_option
@_service
def rectify_report(task, note, quarter, actor) -> None:
    """网站主办单位上报整改完成（TASK 为任务编号或网站标识码）。"""
    from govsite.inspections.rectification import report_fixed

    t = report_fixed(task, note, quarter=quarter, actor=_actor(actor))
    click.echo(f"已上报整改：{t.site.code}（任务 {t.pk}），等待复查")


@rectify.command("recheck")
@click.option("--quarter", required=True)
@click.option("--as-of", help="复查的监测时间点（日期），默认今天")
@actor_option
@_service
def rectify_recheck(quarter, as_of, actor) -> None:
    """为已上报整改的任务创建整改复查活动（随后用 campaign run 执行）。"""
    from govsite.inspections.rectification import create_recheck

    c = create_recheck(quarter, as_of=_date(as_of, "--as-of"), actor=_actor(actor))
    click.echo(f"已创建整改复查活动“{c.name}”（编号 {c.pk}），{c.total} 个网站；运行：govsite campaign run {c.pk}")


@rectify.command("status")
@click.option("--quarter", required=True)
@click.option("--on", "on", help="以该日期判断逾期，默认今天")
@click.option("--json", "as_json", is_flag=True)
@_service
def rectify_status(quarter, on, as_json) -> None:
    from govsite.inspections.rectification import status as rect_status

    res = rect_status(quarter, _date(on, "--on"))
    if as_json:
        _emit(res)
        return
    labels = {"open": "待整改", "reported": "已报整改", "verified": "整改到位", "overdue": "逾期未整改"}
    click.echo(f"{res['quarter']} 整改任务 {res['total']} 个：" + "，".join(f"{labels[k]} {v}" for k, v in res["counts"].items()))
    for t in res["tasks"]:
        click.echo(f"  {t['id']:>4} {t['site']} {t['name']}  {labels[t['state']]}  期限 {t['deadline']}  {t['problems']}")


@rectify.command("overdue")
@click.option("--on", "on", help="以该日期判断逾期，默认今天")
@actor_option
@_service
def rectify_overdue(on, actor) -> None:
    """把超过期限仍未整改的任务标记为逾期。"""
    from govsite.inspections.rectification import refresh_overdue

    n = refresh_overdue(_date(on, "--on"), actor=_actor(actor))
    click.echo(f"{n} 个任务已标记为逾期")


@campaign.group()
def accountability() -> None:
    """问责记录：约谈、书面检查、通报批评、警告或记过、调离岗位或免职、辞退。"""


@accountability.command("add")
@click.option("--quarter", required=True)
@click.option("--unit", required=True, help="省级行政区划代码、部门编码或全称")
@click.option("--kind", required=True, help="约谈 / 书面检查 / 通报批评 / 警告或记过 / 调离岗位或免职 / 辞退")
@click.option("--count", default=1, show_default=True, type=int)
@click.option("--person", default="")
@click.option("--site", default="", help="相关网站标识码")
@click.option("--note", default="")
@actor_option
@_service
def accountability_add(quarter, unit, kind, count, person, site, note, actor) -> None:
    from govsite.inspections.rectification import add_accountability

    r = add_accountability(quarter, unit, kind, count, person=person, site_code=site, note=note, actor=_actor(actor))
    click.echo(f"已记录问责：{r.kind} {r.count} 人（记录 {r.pk}）")


@accountability.command("list")
@click.option("--quarter", required=True)
@click.option("--json", "as_json", is_flag=True)
@_service
def accountability_list(quarter, as_json) -> None:
    from govsite.inspections.rectification import accountability_summary

    res = accountability_summary(quarter)
    if as_json:
        _emit(res)
        return
    click.echo(f"{res['quarter']} 问责 {res['total']} 人：" + "，".join(f"{k} {v}" for k, v in res["by_kind"].items()))
    for unit, kinds in res["by_unit"].items():
        click.echo(f"  {unit}: " + "，".join(f"{k} {v}" for k, v in kinds.items() if v))
