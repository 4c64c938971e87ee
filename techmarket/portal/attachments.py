"""Checks on uploaded article attachments: extension, size, and that the content matches the extension."""
from __future__ import annotations

from django.utils.translation import gettext as _

from techmarket.core import uploads as upload_checks
from techmarket.core.errors import ApplicationError, ErrorItem

from .choices import ATTACHMENT_EXTENSIONS

MAX_ATTACHMENTS_PER_ARTICLE = 20

SIGNATURES = upload_checks.SIGNATURES
max_upload_bytes = upload_checks.max_upload_bytes
clean_filename = upload_checks.clean_filename


def attachment_problem(upload) -> str | None:
    """None if the upload is acceptable, else a Chinese explanation naming the file."""
    return upload_checks.upload_problem(upload, allowed=ATTACHMENT_EXTENSIONS)


def clean_attachments(uploads, *, existing: int = 0, field: str = "attachments") -> list:
    """Check every upload; raise one ApplicationError listing each bad file, or return the uploads."""
    uploads = [u for u in (uploads or []) if u is not None]
    errors = [ErrorItem(field, "invalid_attachment", problem)
              for problem in (attachment_problem(u) for u in uploads) if problem]
    if existing + len(uploads) > MAX_ATTACHMENTS_PER_ARTICLE:
        errors.append(ErrorItem(field, "too_many_attachments", _("每篇文章最多 {n} 个附件").format(
            n=MAX_ATTACHMENTS_PER_ARTICLE)))
    if errors:
        raise ApplicationError(errors=errors)
    return uploads
