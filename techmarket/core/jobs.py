"""Excel imports as jobs (SPEC R6): in the request for small files, in the task queue for large ones.

``import_submit()`` is what pages and the API call with an uploaded file. Every import is an
``ImportJob`` row, so the bureau can see who imported what and how it went:

* a file of at most ``TECHMARKET_IMPORT_SYNC_ROWS`` data rows runs at once; the function returns
  the succeeded job or raises ``ImportRefused`` listing every bad row (nothing imported);
* a larger file is stored under ``MEDIA_ROOT/imports/`` and queued (django-tasks); the job page
  polls ``processed_rows``; the stored file is deleted when the job ends.

One import writes its records in one transaction, one batch audit entry (on the ImportJob) and one
audit entry per created record (``core.audit.record_bulk_import``), or nothing at all.
"""
from __future__ import annotations

import gc
import logging
import os
from contextlib import contextmanager

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _
from django_tasks import task

from techmarket.accounts.permissions import is_authenticated, is_region_staff, region_in_staff_scope, staff_scope

from .audit import record_bulk_import, record_change
from .errors import ApplicationError, ErrorItem
from .models import ImportJob, ObjectChange
from .xlsx import ImportRefused, count_data_rows, importer_class, validate_file

logger = logging.getLogger(__name__)


# Decisions and reads ------------------------------------------------------------------------------

def can_view_import_job(user, job: ImportJob) -> bool:
    """Own jobs; staff whose region scope holds the importer's scope; superusers all."""
    if not is_authenticated(user):
        return False
    if job.user_id == user.pk or user.is_superuser:
        return True
    return is_region_staff(user) and job.region is not None and region_in_staff_scope(user, job.region)


def import_job_get_for_user(user, pk) -> ImportJob:
    """Same 404 for a job that does not exist and one the user may not see (STYLE §5.6)."""
    try:
        job = ImportJob.objects.select_related("user", "region").get(pk=pk)
    except (ImportJob.DoesNotExist, ValueError, TypeError):
        raise Http404
    if not can_view_import_job(user, job):
        raise Http404
    return job


def import_jobs_recent(user, *, kind: str | None = None, limit: int = 10) -> list[ImportJob]:
    """The user's own latest imports (the import page lists them)."""
    if not is_authenticated(user):
        return []
    qs = ImportJob.objects.filter(user=user)
    if kind:
        qs = qs.filter(kind=kind)
    return list(qs[:limit])


def import_job_out(job: ImportJob) -> dict:
    from .api import iso

    return {
        "id": job.pk,
        "kind": job.kind,
        "status": job.status,
        "status_display": job.get_status_display(),
        "file_name": job.file_name,
        "total_rows": job.total_rows,
        "processed_rows": job.processed_rows,
        "created_count": job.created_count,
        "errors": job.errors,
        "user": str(job.user) if job.user_id else None,
        "created_at": iso(job.created_at),
        "started_at": iso(job.started_at),
        "finished_at": iso(job.finished_at),
    }


# Writes -------------------------------------------------------------------------------------------

def _upload_size_check(upload) -> None:
    limit = settings.TECHMARKET_UPLOAD_MAX_MB
    size = getattr(upload, "size", None)
    if size is not None and size > limit * 1024 * 1024:
        raise ApplicationError(_("文件超过 {n} MB 的上限").format(n=limit), field="file", code="file_too_large")
    if size == 0:
        raise ApplicationError(_("文件不是有效的 Excel (.xlsx) 文件"), field="file", code="invalid_file")


def import_submit(*, kind: str, by, upload, file_name: str | None = None) -> ImportJob:
    """Import an uploaded .xlsx into the registry ``kind``.

    Returns the job: ``succeeded`` for a small file (imported now), ``queued`` for a large one.
    Raises PermissionDenied when ``by`` may not import, ApplicationError for a file that is too large
    or not an .xlsx workbook, and ImportRefused (with ``.job``) when any row is bad.
    """
    importer_cls = importer_class(kind)
    if not importer_cls.may_import(by):
        raise PermissionDenied(_("无权导入{label}").format(label=importer_cls.label))
    _upload_size_check(upload)
    name = os.path.basename(file_name or getattr(upload, "name", "") or "import.xlsx")[:255]
    total = count_data_rows(upload, stop_after=settings.TECHMARKET_IMPORT_SYNC_ROWS)
    job = ImportJob.objects.create(kind=kind, user=by, region=staff_scope(by), file_name=name, total_rows=total)
    if total <= settings.TECHMARKET_IMPORT_SYNC_ROWS:
        job = import_job_run(job=job, source=upload)
        if job.status == ImportJob.Status.FAILED:
            raise ImportRefused([ErrorItem(e.get("field"), e.get("code", "invalid"), e.get("message", ""))
                                 for e in job.errors], job=job)
        return job
    if hasattr(upload, "seek"):
        upload.seek(0)
    job.file.save(f"{kind}-{job.pk}.xlsx", upload, save=True)
    transaction.on_commit(lambda: run_import_job.enqueue(job.pk))
    return job


def import_job_run(*, job: ImportJob, source=None) -> ImportJob:
    """Validate every row, then write all of them in one transaction, or none; record the outcome.

    ``source`` is the uploaded file (synchronous imports) or None to read the job's stored file.
    Row errors end the job as ``failed`` with its error list; they are not raised here.
    """
    job.status = ImportJob.Status.RUNNING
    job.started_at = timezone.now()
    job.save(update_fields=["status", "started_at"])
    importer = importer_class(job.kind)(by=job.user)
    every = max(500, job.total_rows // 100)

    def progress(processed: int, total: int) -> None:
        ImportJob.objects.filter(pk=job.pk).update(processed_rows=processed, total_rows=total)
        job.processed_rows, job.total_rows = processed, total

    handle = None
    try:
        if source is None:
            handle = job.file.open("rb")
            source = handle
        with _gc_paused():
            _validate_and_write(job, importer, source, progress=progress if handle is not None else None,
                                every=every)
    except ApplicationError as exc:
        _fail(job, exc.errors)
    except IntegrityError:
        logger.warning("import job %s: integrity error while writing", job.pk, exc_info=True)
        _fail(job, [ErrorItem(None, "conflict", _("保存失败：与已有记录冲突（如统一社会信用代码重复），"
                                                  "可能有人同时登记了相同的记录，请重新导入"))])
    except Exception:
        logger.exception("import job %s failed", job.pk)
        _fail(job, [ErrorItem(None, "internal_error", _("导入时发生内部错误，未导入任何数据，请联系管理员"))])
        raise
    finally:
        if handle is not None:
            handle.close()
        if job.file:
            job.file.delete(save=False)
            ImportJob.objects.filter(pk=job.pk).update(file="")
    return job


@contextmanager
def _write_cache(pages_kib: int = 131072):
    """SQLite: a 128 MB page cache for the length of one import's write (the default 2 MB makes
    every index insert of a 100,000-row import go back to the file); restored afterwards."""
    from django.db import connection

    if connection.vendor != "sqlite":
        yield
        return
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA cache_size")
        previous = cursor.fetchone()[0]
        cursor.execute("PRAGMA cache_size = -%d" % int(pages_kib))
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            cursor.execute("PRAGMA cache_size = %d" % int(previous))


def _batch_summary(job: ImportJob) -> dict:
    return {"kind": job.kind, "file_name": job.file_name, "status": job.status, "total_rows": job.total_rows,
            "created_count": job.created_count, "region": job.region_id}


def _validate_and_write(job: ImportJob, importer, source, *, progress, every: int) -> None:
    cleaned = validate_file(importer, source, progress=progress, progress_every=every)
    if progress is None:
        job.total_rows = job.processed_rows = len(cleaned)
    with transaction.atomic(), _write_cache():
        groups = importer.write([row for _n, row in cleaned])
        comment = _("Excel 批量导入（导入任务 #{id}）").format(id=job.pk)
        for model, objs in groups:
            if objs:
                record_bulk_import(model=model, objs=objs, by=job.user, comment=comment)
        job.status = ImportJob.Status.SUCCEEDED
        job.created_count = len(groups[0][1]) if groups else 0
        job.finished_at = timezone.now()
        job.errors = []
        job.save(update_fields=["status", "created_count", "total_rows", "processed_rows", "finished_at", "errors"])
        record_change(obj=job, action=ObjectChange.Action.IMPORT, by=job.user, after=_batch_summary(job),
                      comment=_("导入{label} {n} 条（{f}）").format(label=importer.label, n=job.created_count,
                                                                f=job.file_name)[:200])


@contextmanager
def _gc_paused():
    """No cyclic garbage collection while a file's rows become records: the rows and instances of a
    large import are all alive until the end, so every collection would walk them again for nothing
    (a standard bulk-load measure; about a fifth of the import time at 100,000 rows). Collection
    resumes, and runs once, afterwards."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()
            gc.collect()


def _fail(job: ImportJob, errors: list[ErrorItem]) -> None:
    job.status = ImportJob.Status.FAILED
    job.errors = [e.as_dict() for e in errors]
    job.created_count = 0
    job.finished_at = timezone.now()
    job.save(update_fields=["status", "errors", "created_count", "finished_at", "processed_rows", "total_rows"])


@task()
def run_import_job(job_id: int) -> dict:
    """The background side of ``import_submit`` for large files."""
    job = ImportJob.objects.select_related("user").filter(pk=job_id).first()
    if job is None or job.status != ImportJob.Status.QUEUED:
        return {"skipped": True}
    job = import_job_run(job=job)
    return {"status": job.status, "created": job.created_count}
