"""Excel pages of technology contracts (SPEC R6, C4).

* ``/manage/contracts/import/``: the seller side imports its own contracts as drafts (``imports.py``
  through ``core.jobs.import_submit``), with the template download; 404 for users who may not enter
  contracts (``permissions.can_create_contract``).
* ``/manage/contracts/import/national/``: bureau administrators upload the national system's export
  (``national.national_import``, the command's code path), optionally for one registration point and
  as a dry run; 404 for everybody else.
* ``/manage/contracts/export/national.xlsx``: registered contracts the administrator may see, in the
  national layout.
"""
from __future__ import annotations

import tempfile

from django import forms
from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods

from techmarket.core.errors import ApplicationError
from techmarket.core.jobs import import_jobs_recent, import_submit
from techmarket.core.xlsx import XLSX_CONTENT_TYPE, Importer, ImportRefused, template_response

from . import selectors
from .imports import ContractImporter
from .models import RegistrationPoint
from .national import KIND, NationalImporter, may_import_national, national_export, national_import
from .permissions import can_create_contract


class UploadForm(forms.Form):
    file = forms.FileField(label=gettext_lazy("Excel 文件（.xlsx）"),
                           widget=forms.ClearableFileInput(attrs={"accept": ".xlsx"}))


class NationalUploadForm(UploadForm):
    point = forms.ModelChoiceField(label=gettext_lazy("登记点"), required=False,
                                   queryset=RegistrationPoint.objects.none(), empty_label=gettext_lazy("按登记号自动识别"),
                                   help_text=gettext_lazy("选择后，每个登记号都应属于该登记点"))
    dry_run = forms.BooleanField(label=gettext_lazy("只校验，不导入（试运行）"), required=False)

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        from techmarket.accounts.permissions import staff_scope

        qs = RegistrationPoint.objects.select_related("city").filter(is_active=True)
        scope = staff_scope(user)
        if scope is not None:
            qs = qs.filter(city__path__startswith=scope.path)
        self.fields["point"].queryset = qs


@login_required
@require_http_methods(["GET", "POST"])
def contract_import(request):
    user = request.user
    if not ContractImporter.may_import(user):
        raise Http404
    context = {"form": UploadForm(), "errors": None, "created": None, "job": None,
               "columns": [c for c in ContractImporter.columns() if c.importable],
               "sync_rows": settings.TECHMARKET_IMPORT_SYNC_ROWS, "can_create": can_create_contract(user)}
    status = 200
    if request.method == "POST":
        form = UploadForm(request.POST, request.FILES)
        context["form"] = form
        if form.is_valid():
            upload = form.cleaned_data["file"]
            try:
                job = import_submit(kind=ContractImporter.kind, by=user, upload=upload, file_name=upload.name)
            except PermissionDenied:
                raise Http404 from None
            except ApplicationError as exc:
                context.update(errors=list(exc.errors), job=getattr(exc, "job", None))
                status = 422
            else:
                context.update(created=job.created_count if job.is_finished else None, job=job, form=UploadForm())
        else:
            status = 422
    context["recent"] = import_jobs_recent(user, kind=ContractImporter.kind)
    return render(request, "contracts/import_contracts.html", context, status=status)


@login_required
@require_GET
def contract_import_template(request):
    if not ContractImporter.may_import(request.user):
        raise Http404
    return template_response(ContractImporter(by=request.user), _("技术合同导入模板.xlsx"))


@login_required
@require_http_methods(["GET", "POST"])
def national_upload(request):
    user = request.user
    if not may_import_national(user):
        raise Http404
    context = {"form": NationalUploadForm(user=user), "errors": None, "result": None,
               "columns": NationalImporter.columns()}
    status = 200
    if request.method == "POST":
        form = NationalUploadForm(request.POST, request.FILES, user=user)
        context["form"] = form
        if form.is_valid():
            upload = form.cleaned_data["file"]
            try:
                result = national_import(source=upload, by=user, point=form.cleaned_data["point"],
                                         dry_run=form.cleaned_data["dry_run"], file_name=upload.name)
            except ImportRefused as exc:
                context["errors"] = list(exc.errors)
                status = 422
            except ApplicationError as exc:
                context["errors"] = list(exc.errors)
                status = 422
            else:
                context["result"] = result
                context["form"] = NationalUploadForm(user=user)
        else:
            status = 422
    context["recent"] = import_jobs_recent(user, kind=KIND)
    return render(request, "contracts/import_national.html", context, status=status)


class _BlankNational(Importer):
    """The national layout as a blank template (header, column notes), for provinces filling it by hand."""

    kind = KIND
    label = NationalImporter.label
    sheet_title = gettext_lazy("技术合同登记明细")

    @classmethod
    def columns(cls):
        return NationalImporter.columns()

    def notes(self):
        return [_("全国技术合同登记系统导出的合同明细格式；每行一份已登记的技术合同。"),
                _("全部校验通过才导入；登记号已导入且内容一致的行跳过，内容不同的行报错。")]


@login_required
@require_GET
def national_template(request):
    if not may_import_national(request.user):
        raise Http404
    return template_response(_BlankNational(by=request.user), _("全国系统技术合同导入格式.xlsx"))


def national_export_response(user) -> FileResponse:
    """Registered contracts visible to ``user`` (``selectors.contracts_visible_to``), national layout."""
    handle = tempfile.TemporaryFile()
    handle.write(national_export(selectors.contracts_visible_to(user)))
    handle.seek(0)
    name = _("技术合同登记明细-{d}.xlsx").format(d=timezone.localdate().strftime("%Y%m%d"))
    return FileResponse(handle, as_attachment=True, filename=name, content_type=XLSX_CONTENT_TYPE)


@login_required
@require_GET
def national_export_view(request):
    if not may_import_national(request.user):
        raise Http404
    return national_export_response(request.user)
