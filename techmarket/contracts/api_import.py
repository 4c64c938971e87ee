"""Contract imports on the API (SPEC R6, C4), mounted under /api/v1/.

* ``POST /contracts/import`` (multipart ``file``): the seller side's drafts; 201 ``{"created", "job"}``,
  202 ``{"job", "status", "status_url"}`` for a large file (background job, ``GET /imports/{id}``), 422 with
  every ``第N行 列名: 原因`` when any row is bad (nothing imported); 403 for users who may not enter contracts.
* ``GET /contracts/import/template.xlsx``: the template with its 填写说明 and code tables.
* ``POST /contracts/import-national`` (multipart ``file``, form fields ``point`` = ``CITY4-PP``, ``dry_run``):
  bureau administrators; 201 ``{"created", "skipped", "job", "summary"}`` (200 for a dry run), 422 as above.
* ``GET /contracts/export-national.xlsx``: registered contracts the administrator sees, national layout.
"""
from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext as _
from ninja import File, Form, Router, Status
from ninja.files import UploadedFile

from techmarket.core.jobs import import_submit
from techmarket.core.xlsx import template_response

from . import imports  # noqa: F401  (registers the contract importer with core.xlsx)
from . import views_import
from .imports import ContractImporter
from .national import may_import_national, national_import, parse_point

router = Router(tags=["技术合同导入"])


@router.post("/contracts/import", response={201: dict, 202: dict}, summary="从 Excel 导入本单位的技术合同（草稿，全部校验通过才导入）")
def contract_import(request, file: UploadedFile = File(...)):
    job = import_submit(kind=ContractImporter.kind, by=request.auth, upload=file, file_name=file.name)
    if job.is_finished:
        return Status(201, {"created": job.created_count, "job": job.pk})
    return Status(202, {"job": job.pk, "status": job.status, "status_url": f"/api/v1/imports/{job.pk}"})


@router.get("/contracts/import/template.xlsx", summary="技术合同导入模板")
def contract_import_template(request):
    if not ContractImporter.may_import(request.auth):
        raise PermissionDenied(_("只有企业、高校院所、技术转移机构等单位的用户可以导入技术合同"))
    return template_response(ContractImporter(by=request.auth), _("技术合同导入模板.xlsx"))


@router.post("/contracts/import-national", response={200: dict, 201: dict},
             summary="导入全国技术合同登记系统导出的合同（市科技局管理员，导入为已登记合同）")
def contract_import_national(request, file: UploadedFile = File(...), point: str = Form(""),
                             dry_run: bool = Form(False)):
    if not may_import_national(request.auth):
        raise PermissionDenied(_("只有市科技局管理员可以导入全国系统的技术合同"))
    result = national_import(source=file, by=request.auth, point=parse_point(point), dry_run=dry_run,
                             file_name=file.name)
    body = {"created": result.created, "skipped": result.skipped, "job": result.job.pk if result.job else None,
            "dry_run": result.dry_run, "summary": result.summary}
    return Status(200 if dry_run else 201, body)


@router.get("/contracts/export-national.xlsx", summary="按全国系统格式导出已登记的技术合同（市科技局管理员）")
def contract_export_national(request):
    if not may_import_national(request.auth):
        raise PermissionDenied(_("只有市科技局管理员可以导出"))
    return views_import.national_export_response(request.auth)
