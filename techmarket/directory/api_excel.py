"""Registry API: Excel import and export (SPEC R6), on the directory router.

* ``POST /{registry}/import`` (multipart, field ``file``): 201 ``{"created": N, "job": id}`` for a file
  imported at once; 202 ``{"job": id, "status": "queued", "status_url": …}`` for a large file, which
  runs as a background job; 422 ``{"errors": [{"field": "第N行 列名", "code", "message":
  "第N行 列名: 原因"}]}`` when any row is bad — nothing is imported then.
* ``GET /imports/{id}``: a job's progress and result (own jobs; staff whose scope holds it).
* ``GET /{registry}/export.xlsx``: the list's filters; ``managed=true`` exports the managed list of
  the caller's scope (masked per SPEC §3), otherwise the public list.
"""
from __future__ import annotations

from django.http import HttpRequest
from ninja import File, Status
from ninja.errors import AuthenticationError
from ninja.files import UploadedFile

from techmarket.accounts.permissions import is_authenticated
from techmarket.core.api import caller
from techmarket.core.jobs import import_job_get_for_user, import_job_out, import_submit

from .api import public, router
from .exporters import registry_export


def _import(request: HttpRequest, kind: str, file: UploadedFile):
    job = import_submit(kind=kind, by=request.auth, upload=file, file_name=file.name)
    if job.is_finished:
        return Status(201, {"created": job.created_count, "job": job.pk})
    return Status(202, {"job": job.pk, "status": job.status, "status_url": f"/api/v1/imports/{job.pk}"})


def _export(request: HttpRequest, kind: str, managed: bool):
    user = caller(request)
    if managed and not is_authenticated(user):
        raise AuthenticationError()
    return registry_export(kind, user=user, managed=managed, params=request.GET)


@router.post("/organizations/import", response={201: dict, 202: dict}, summary="从 Excel 导入单位（全部校验通过才导入）")
def organization_import(request, file: UploadedFile = File(...)):
    return _import(request, "organizations", file)


@router.post("/people/import", response={201: dict, 202: dict}, summary="从 Excel 导入人才（全部校验通过才导入）")
def person_import(request, file: UploadedFile = File(...)):
    return _import(request, "people", file)


@router.post("/platforms/import", response={201: dict, 202: dict}, summary="从 Excel 导入创新平台（全部校验通过才导入）")
def platform_import(request, file: UploadedFile = File(...)):
    return _import(request, "platforms", file)


@router.get("/imports/{job_id}", summary="导入任务的进度和结果")
def import_job_detail(request, job_id: int):
    return import_job_out(import_job_get_for_user(request.auth, job_id))


@router.get("/organizations/export.xlsx", auth=public, summary="导出单位列表为 .xlsx（筛选条件同列表）")
def organization_export(request, region: str | None = None, kind: str | None = None,
                        qualification: str | None = None, field: str | None = None, q: str | None = None,
                        managed: bool = False):
    return _export(request, "organizations", managed)


@router.get("/people/export.xlsx", auth=public, summary="导出人才列表为 .xlsx（筛选条件同列表）")
def person_export(request, region: str | None = None, kind: str | None = None, programme: str | None = None,
                  field: str | None = None, q: str | None = None, organization: int | None = None,
                  managed: bool = False):
    return _export(request, "people", managed)


@router.get("/platforms/export.xlsx", auth=public, summary="导出创新平台列表为 .xlsx（筛选条件同列表）")
def platform_export(request, region: str | None = None, kind: str | None = None, level: str | None = None,
                    field: str | None = None, q: str | None = None, valid: bool | None = None,
                    managed: bool = False):
    return _export(request, "platforms", managed)
