"""Checks on uploaded article attachments: extension, size, and that the content matches the extension."""
from __future__ import annotations

import re
import unicodedata
from pathlib import PurePosixPath

from django.conf import settings
from django.utils.translation import gettext as _

from techmarket.core.errors import ApplicationError, ErrorItem

from .choices import ATTACHMENT_EXTENSIONS

MAX_ATTACHMENTS_PER_ARTICLE = 20

_OLE = (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1",)  # .doc .xls .wps (Office 97–2003 and WPS)
_ZIP = (b"PK\x03\x04", b"PK\x05\x06")  # .docx .xlsx .zip, and .ofd (a zip package, GB/T 33190)
SIGNATURES: dict[str, tuple[bytes, ...]] = {
    "pdf": (b"%PDF-",),
    "png": (b"\x89PNG\r\n\x1a\n",),
    "jpg": (b"\xff\xd8\xff",),
    "doc": _OLE, "xls": _OLE, "wps": _OLE + _ZIP,
    "docx": _ZIP, "xlsx": _ZIP, "ofd": _ZIP, "zip": _ZIP,
}


def max_upload_bytes() -> int:
    return settings.TECHMARKET_UPLOAD_MAX_MB * 1024 * 1024


def clean_filename(name: str) -> str:
    """The bare file name a browser sent, without directories or control characters, at most 255 chars."""
    name = unicodedata.normalize("NFC", str(name or ""))
    name = re.split(r"[\\/]", name)[-1]
    name = "".join(ch for ch in name if unicodedata.category(ch)[0] != "C").strip().strip(".")
    if len(name) > 255:
        suffix = PurePosixPath(name).suffix[:16]
        name = name[: 255 - len(suffix)] + suffix
    return name


def _extension(name: str) -> str:
    return PurePosixPath(name).suffix.lower().lstrip(".")


def _human_size(size: int) -> str:
    if size >= 1024 * 1024:
        return "{:.1f} MB".format(size / 1024 / 1024)
    return "{:.0f} KB".format(max(size, 1) / 1024)


def attachment_problem(upload) -> str | None:
    """None if the upload is acceptable, else a Chinese explanation naming the file."""
    name = clean_filename(getattr(upload, "name", ""))
    if not name:
        return _("附件缺少文件名")
    ext = _extension(name)
    if ext == "jpeg":
        ext = "jpg"
    if ext not in ATTACHMENT_EXTENSIONS:
        return _("附件“{name}”的类型不允许上传，仅接受：{allowed}").format(
            name=name, allowed="、".join(ATTACHMENT_EXTENSIONS))
    size = upload.size
    if size == 0:
        return _("附件“{name}”是空文件").format(name=name)
    if size > max_upload_bytes():
        return _("附件“{name}”大小为 {size}，超过上限 {limit} MB").format(
            name=name, size=_human_size(size), limit=settings.TECHMARKET_UPLOAD_MAX_MB)
    upload.seek(0)
    head = upload.read(16)
    upload.seek(0)
    if not any(head.startswith(sig) for sig in SIGNATURES[ext]):
        return _("附件“{name}”的内容与扩展名 .{ext} 不符，请上传真实的 {ext} 文件").format(name=name, ext=ext)
    return None


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
