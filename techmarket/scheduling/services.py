"""Every write of the scheduling app: periodic jobs, history pruning, the working-day calendar."""
from __future__ import annotations

import csv
import datetime
import logging
from pathlib import Path

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.module_loading import import_string
from django.utils.translation import gettext as _
from django_tasks.base import Task

from techmarket.core.audit import record_change, snapshot
from techmarket.core.errors import ApplicationError, ErrorItem
from techmarket.core.models import ObjectChange, StatusChange

from .cron import cron_next, validate_cron
from .models import CalendarDay, ScheduledJob

logger = logging.getLogger(__name__)

# 网络安全法 第二十一条: network logs are kept for no less than six months.
AUDIT_RETENTION_MIN_DAYS = 180
TASK_RESULT_RETENTION_DAYS = 30
CALENDAR_CSV = Path(__file__).resolve().parent / "data" / "cn_public_holidays.csv"


# --------------------------------------------------------------------------- periodic jobs


def task_resolve(path: str) -> Task:
    """The django-tasks ``Task`` at dotted ``path``; ValidationError (Chinese) if there is none."""
    try:
        obj = import_string(path)
    except ImportError:
        obj = None
    if not isinstance(obj, Task):
        raise ValidationError(
            _("任务“{path}”不存在或不是 django-tasks 任务函数（应为用 @task() 装饰的模块级函数的完整路径）。").format(path=path),
            code="invalid_task",
        )
    return obj


def _check_kwargs(kwargs) -> dict:
    if kwargs is None:
        return {}
    if not isinstance(kwargs, dict):
        raise ValidationError(_("任务参数应为 JSON 对象，例如 {\"days\": 7}。"), code="invalid_kwargs")
    return kwargs


def scheduled_job_register(*, name: str, task: str, cron: str, description: str = "", enabled: bool = True,
                           kwargs: dict | None = None, model=None):
    """Create the periodic job ``name`` if it does not exist yet; idempotent.

    Other apps call it from a data migration (pass ``model=apps.get_model("scheduling", "ScheduledJob")``)
    or declare the job with ``techmarket.scheduling.registry.periodic_job`` and let ``migrate`` sync it.
    On an existing job only the code-owned fields (``task``, ``description``) are brought up to date:
    the schedule, ``enabled`` and ``kwargs`` belong to the bureau administrators who may have edited them.
    """
    model = model or ScheduledJob
    validate_cron(cron)
    task_resolve(task)
    kwargs = _check_kwargs(kwargs)
    job = model.objects.filter(name=name).first()
    if job is None:
        now = timezone.now()
        job = model.objects.create(
            name=name, task=task, cron=cron.strip(), description=description, enabled=enabled, kwargs=kwargs,
            next_run_at=cron_next(cron, after=now) if enabled else None,
        )
        logger.info("Registered scheduled job %s (%s) at %r", name, task, cron)
        return job
    changed = [f for f, v in (("task", task), ("description", description)) if getattr(job, f) != v]
    if changed:
        for field in changed:
            setattr(job, field, task if field == "task" else description)
        job.save(update_fields=[*changed, "updated_at"])
    return job


@transaction.atomic
def scheduled_job_update(*, job: ScheduledJob, by, cron: str | None = None, enabled: bool | None = None,
                         kwargs: dict | None = None, description: str | None = None) -> ScheduledJob:
    """Change a job's schedule, switch it on or off, or change its arguments (admin)."""
    job = ScheduledJob.objects.select_for_update().get(pk=job.pk)
    before = snapshot(job)
    errors: list[ErrorItem] = []
    if cron is not None:
        try:
            validate_cron(cron)
        except ValidationError as exc:
            errors.append(ErrorItem("cron", exc.code or "invalid", exc.messages[0]))
    if kwargs is not None:
        try:
            _check_kwargs(kwargs)
        except ValidationError as exc:
            errors.append(ErrorItem("kwargs", exc.code or "invalid", exc.messages[0]))
    if errors:
        raise ApplicationError(errors=errors)

    reschedule = False
    if cron is not None and cron.strip() != job.cron:
        job.cron, reschedule = cron.strip(), True
    if enabled is not None and enabled != job.enabled:
        job.enabled, reschedule = enabled, reschedule or enabled
    if kwargs is not None:
        job.kwargs = kwargs
    if description is not None:
        job.description = description
    if not job.enabled:
        job.next_run_at = None
    elif reschedule or job.next_run_at is None:
        # Re-enabling a job starts from now: runs missed while it was off are not made up.
        job.next_run_at = cron_next(job.cron, after=timezone.now())
    job.save()
    after = snapshot(job)
    if after != before:
        record_change(obj=job, action=ObjectChange.Action.UPDATE, by=by, before=before, after=after,
                      comment=_("修改定时任务"))
    return job


def scheduled_job_run_now(*, job: ScheduledJob, by):
    """Enqueue ``job``'s task at once (admin action "立即执行"); the schedule is unchanged."""
    try:
        task = task_resolve(job.task)
    except ValidationError as exc:
        raise ApplicationError(exc.messages[0], field="task", code="invalid_task") from None
    with transaction.atomic():
        result = task.enqueue(**(job.kwargs or {}))
        ScheduledJob.objects.filter(pk=job.pk).update(last_enqueued_at=timezone.now(),
                                                      last_task_result_id=str(result.id))
        record_change(obj=job, action=ObjectChange.Action.UPDATE, by=by, before=None, after=None,
                      comment=_("立即执行定时任务，任务编号 {id}").format(id=result.id))
    return result


def scheduled_job_claim(*, job: ScheduledJob, now: datetime.datetime) -> bool:
    """Take the run that was due at ``job.next_run_at`` (as this process read it); True if this caller won.

    The claim is one conditional UPDATE: it moves ``next_run_at`` on only if nobody has moved it since
    ``job`` was read, so of two schedulers that read the same due job exactly one gets True.
    """
    next_at = cron_next(job.cron, after=now)
    claimed = ScheduledJob.objects.filter(
        pk=job.pk, enabled=True, next_run_at=job.next_run_at,
    ).update(next_run_at=next_at, updated_at=now)
    if claimed:
        job.next_run_at = next_at
    return bool(claimed)


def scheduled_job_run(*, job: ScheduledJob, now: datetime.datetime):
    """Claim ``job``'s due run and enqueue its task; the TaskResult, or None if another scheduler had it.

    Claim and enqueue share one transaction: with the database task backend a failed enqueue
    gives the run back and the next tick tries again.
    """
    try:
        task = task_resolve(job.task)
        validate_cron(job.cron)
    except ValidationError as exc:
        with transaction.atomic():
            if scheduled_job_claim(job=job, now=now):  # skip this run, keep the schedule
                logger.error("Scheduled job %s skipped: %s", job.name, "; ".join(exc.messages))
        return None
    with transaction.atomic():
        if not scheduled_job_claim(job=job, now=now):
            return None
        result = task.enqueue(**(job.kwargs or {}))
        ScheduledJob.objects.filter(pk=job.pk).update(last_enqueued_at=now, last_task_result_id=str(result.id))
    logger.info("Enqueued scheduled job %s (%s) as %s; next run %s", job.name, job.task, result.id,
                job.next_run_at.isoformat())
    return result


def scheduled_jobs_run_due(*, now: datetime.datetime | None = None) -> list[ScheduledJob]:
    """One scheduler tick: enqueue every enabled job whose next run is due; the jobs this process enqueued.

    A job that was down for several periods runs once, not once per missed period.
    """
    now = now or timezone.now()
    for job in ScheduledJob.objects.filter(enabled=True, next_run_at__isnull=True):
        try:
            first = cron_next(job.cron, after=now)
        except Exception:  # noqa: BLE001 - a hand-broken cron must not stop the other jobs
            logger.exception("Scheduled job %s has a bad cron expression %r", job.name, job.cron)
            continue
        ScheduledJob.objects.filter(pk=job.pk, next_run_at__isnull=True).update(next_run_at=first)
    enqueued = []
    for job in ScheduledJob.objects.filter(enabled=True, next_run_at__lte=now).order_by("next_run_at", "pk"):
        try:
            if scheduled_job_run(job=job, now=now) is not None:
                enqueued.append(job)
        except Exception:  # noqa: BLE001 - one job's failure must not starve the others
            logger.exception("Scheduled job %s could not be enqueued; will retry", job.name)
    return enqueued


# --------------------------------------------------------------------------- history retention


def audit_retention_days() -> int:
    """Days audit and workflow history are kept: the setting, never less than 180 (网络安全法 第二十一条)."""
    return max(int(settings.TECHMARKET_AUDIT_RETENTION_DAYS), AUDIT_RETENTION_MIN_DAYS)


def _delete_in_batches(queryset, *, batch_size: int) -> int:
    model = queryset.model
    total = 0
    while True:
        pks = list(queryset.order_by().values_list("pk", flat=True)[:batch_size])
        if not pks:
            return total
        with transaction.atomic():
            _count, per_model = model.objects.filter(pk__in=pks).delete()
        total += per_model.get(model._meta.label, 0)


def history_prune(*, now: datetime.datetime | None = None, batch_size: int = 5000) -> dict[str, int]:
    """Delete audit rows (ObjectChange) and workflow history (StatusChange) older than the retention
    period, and finished background-task results older than 30 days; the number deleted of each."""
    from django_tasks_db.models import DBTaskResult

    now = now or timezone.now()
    history_cutoff = now - datetime.timedelta(days=audit_retention_days())
    results_cutoff = now - datetime.timedelta(days=TASK_RESULT_RETENTION_DAYS)
    counts = {
        "object_changes": _delete_in_batches(ObjectChange.objects.filter(created_at__lt=history_cutoff),
                                             batch_size=batch_size),
        "status_changes": _delete_in_batches(StatusChange.objects.filter(created_at__lt=history_cutoff),
                                             batch_size=batch_size),
        "task_results": _delete_in_batches(DBTaskResult.objects.finished().filter(finished_at__lt=results_cutoff),
                                           batch_size=batch_size),
    }
    logger.info("Pruned history older than %s and task results older than %s: %s",
                history_cutoff.date().isoformat(), results_cutoff.date().isoformat(), counts)
    return counts


# --------------------------------------------------------------------------- working-day calendar


def _calendar_rows(path: Path) -> list[dict]:
    """Parse and check the CSV (date,kind,name,source; '#' lines are comments); all errors at once."""
    kinds = {k.value for k in CalendarDay.Kind}
    with open(path, encoding="utf-8-sig", newline="") as fh:
        numbered = [(no, line) for no, line in enumerate(fh, start=1) if line.strip() and not line.startswith("#")]
    if not numbered:
        raise ApplicationError(_("文件 {path} 没有数据。").format(path=path.name), code="empty")
    reader = csv.DictReader([line for _no, line in numbered])
    missing = {"date", "kind", "name"} - set(reader.fieldnames or [])
    if missing:
        raise ApplicationError(_("缺少列：{cols}").format(cols="、".join(sorted(missing))), code="missing_columns")
    rows, errors, seen = [], [], {}
    for (line_no, _line), record in zip(numbered[1:], reader):
        def bad(field, message, code="invalid", line_no=line_no):
            errors.append(ErrorItem(field, code, _("第{row}行 {field}: {error}").format(
                row=line_no, field=field, error=message)))
        try:
            day = datetime.date.fromisoformat((record.get("date") or "").strip())
        except ValueError:
            bad("date", _("日期“{v}”应为 YYYY-MM-DD 格式").format(v=record.get("date")))
            continue
        kind = (record.get("kind") or "").strip()
        name = (record.get("name") or "").strip()
        if kind not in kinds:
            bad("kind", _("类型“{v}”应为 holiday（法定节假日）或 workday（调休上班）").format(v=kind))
        elif kind == CalendarDay.Kind.WORKDAY and day.weekday() < 5:
            bad("kind", _("{d} 是周一至周五，不能是调休上班日").format(d=day.isoformat()))
        if not name:
            bad("name", _("节日名称不能为空"))
        if day in seen:
            bad("date", _("日期 {d} 与第{row}行重复").format(d=day.isoformat(), row=seen[day]))
        seen[day] = line_no
        rows.append({"date": day, "kind": kind, "name": name, "source": (record.get("source") or "").strip()})
    if errors:
        raise ApplicationError(errors=errors)
    return rows


def calendar_load_csv(*, path: Path | str | None = None, update: bool = False, model=None) -> dict[str, int]:
    """Load holidays and 调休 workdays from a CSV (default: the shipped State Council arrangements).

    All rows are checked first; nothing is written if one is bad. Dates already in the calendar are
    left as the administrators keep them unless ``update`` is true. Returns created/updated/unchanged counts.
    Data migrations pass ``model=apps.get_model("scheduling", "CalendarDay")``.
    """
    model = model or CalendarDay
    rows = _calendar_rows(Path(path) if path else CALENDAR_CSV)
    counts = {"created": 0, "updated": 0, "unchanged": 0}
    with transaction.atomic():
        existing = {d.date: d for d in model.objects.filter(date__in=[r["date"] for r in rows])}
        new = []
        for row in rows:
            day = existing.get(row["date"])
            if day is None:
                new.append(model(**row))
                counts["created"] += 1
            elif update and any(getattr(day, f) != row[f] for f in ("kind", "name", "source")):
                for f in ("kind", "name", "source"):
                    setattr(day, f, row[f])
                day.save(update_fields=["kind", "name", "source", "updated_at"])
                counts["updated"] += 1
            else:
                counts["unchanged"] += 1
        model.objects.bulk_create(new)
    return counts
