"""Excel import and export pages of the registries (SPEC R6).

* ``/manage/<registry>/import/``: the upload form with the template download and instructions;
  a small file is imported at once (the result or every bad row), a large one becomes a background
  job whose page polls its progress with htmx every second.
* ``/manage/<registry>/export.xlsx`` (the managed list, the user's scope) and ``/<registry>/export.xlsx``
  (the public list) take the list pages' filters.

Import pages answer 404 to everyone who may not import (``permissions.can_import_registry``).
"""
from __future__ import annotations

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods

from techmarket.core.errors import ApplicationError
from techmarket.core.jobs import import_job_get_for_user, import_jobs_recent, import_submit
from techmarket.core.xlsx import ImportRefused, importer_class, template_response

from . import permissions
from .exporters import registry_export

REGISTRIES = {
    "organizations": {"label": gettext_lazy("单位"), "list": "directory:manage_organization_list",
                      "public_list": "directory:organization_list", "singular": "organization"},
    "people": {"label": gettext_lazy("人才"), "list": "directory:manage_person_list",
               "public_list": "directory:person_list", "singular": "person"},
    "platforms": {"label": gettext_lazy("创新平台"), "list": "directory:manage_platform_list",
                  "public_list": "directory:platform_list", "singular": "platform"},
}


class ImportUploadForm(forms.Form):
    file = forms.FileField(label=gettext_lazy("Excel 文件（.xlsx）"),
                           widget=forms.ClearableFileInput(attrs={"accept": ".xlsx"}))


def _registry(registry: str) -> dict:
    try:
        return REGISTRIES[registry]
    except KeyError:
        raise Http404


def _importer_or_404(request, registry: str):
    _registry(registry)
    importer_cls = importer_class(registry)
    if not importer_cls.may_import(request.user):
        raise Http404
    return importer_cls


@login_required
@require_http_methods(["GET", "POST"])
def registry_import(request, registry: str):
    importer_cls = _importer_or_404(request, registry)
    info = _registry(registry)
    context = {"registry": registry, "info": info, "label": info["label"],
               "columns": [c for c in importer_cls.columns() if c.importable],
               "form": ImportUploadForm(), "errors": None, "created": None, "job": None,
               "sync_rows": settings.TECHMARKET_IMPORT_SYNC_ROWS}
    status = 200
    if request.method == "POST":
        form = ImportUploadForm(request.POST, request.FILES)
        context["form"] = form
        if form.is_valid():
            upload = form.cleaned_data["file"]
            try:
                job = import_submit(kind=registry, by=request.user, upload=upload, file_name=upload.name)
            except PermissionDenied:
                raise Http404
            except ImportRefused as exc:
                context.update(errors=exc.errors, job=exc.job)
                status = 422
            except ApplicationError as exc:
                context["errors"] = exc.errors
                status = 422
            else:
                if not job.is_finished:
                    return redirect("directory:import_job", pk=job.pk)
                context.update(created=job.created_count, job=job, form=ImportUploadForm())
        else:
            status = 422
    context["recent"] = import_jobs_recent(request.user, kind=registry)
    return render(request, "directory/excel/import.html", context, status=status)


@login_required
@require_GET
def import_template(request, registry: str):
    importer_cls = _importer_or_404(request, registry)
    label = _registry(registry)["label"]
    return template_response(importer_cls(by=request.user), _("{label}导入模板.xlsx").format(label=label))


@login_required
@require_GET
def import_job(request, pk: int):
    job = import_job_get_for_user(request.user, pk)
    info = REGISTRIES.get(job.kind, {"label": job.kind, "list": None, "singular": ""})
    return render(request, "directory/excel/job.html", {"job": job, "info": info, "registry": job.kind})


@login_required
@require_GET
def import_job_progress(request, pk: int):
    """The htmx fragment the job page polls every second until the job has finished."""
    job = import_job_get_for_user(request.user, pk)
    info = REGISTRIES.get(job.kind, {"label": job.kind, "list": None, "singular": ""})
    return render(request, "directory/excel/_job_progress.html", {"job": job, "info": info, "registry": job.kind})


def _export(request, registry: str, *, managed: bool, back: str):
    try:
        return registry_export(registry, user=request.user, managed=managed, params=request.GET)
    except ApplicationError as exc:
        for item in exc.errors:
            messages.error(request, item.message)
        query = request.GET.urlencode()
        return redirect(reverse(back) + ("?" + query if query else ""))


@login_required
@require_GET
def manage_export(request, registry: str):
    info = _registry(registry)
    if not permissions.can_export_registry(request.user):
        raise Http404
    return _export(request, registry, managed=True, back=info["list"])


@require_GET
def public_export(request, registry: str):
    info = _registry(registry)
    return _export(request, registry, managed=False, back=info["public_list"])

