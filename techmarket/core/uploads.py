"""Checks every upload shares: a clean file name, an allowed extension, the size limit, and content
that really is what the extension says (its leading bytes).

Used by portal article attachments, the registration authorisation letter (accounts) and the
achievement / demand attachments; each caller names its allowed extensions and its wording.
"""
from __future__ import annotations

import re
import unicodedata
import uuid
from pathlib import PurePosixPath

from django.conf import settings
from django.utils.translation import gettext as _

_OLE = (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1",)  # .doc .xls .ppt .wps (Office 97–2003 and WPS)
_ZIP = (b"PK\x03\x04", b"PK\x05\x06")  # .docx .xlsx .pptx .zip, and .ofd (a zip package, GB/T 33190)

# Extension -> leading bytes of a real file of that type.
SIGNATURES: dict[str, tuple[bytes, ...]] = {
    "pdf": (b"%PDF-",),
    "png": (b"\x89PNG\r\n\x1a\n",),
    "jpg": (b"\xff\xd8\xff",),
    "doc": _OLE, "xls": _OLE, "ppt": _OLE, "wps": _OLE + _ZIP,
    "docx": _ZIP, "xlsx": _ZIP, "pptx": _ZIP, "ofd": _ZIP, "zip": _ZIP,
}

# Content type sent on download (always as an attachment, with nosniff).
CONTENT_TYPES: dict[str, str] = {
    "pdf": "application/pdf", "png": "image/png", "jpg": "image/jpeg",
    "doc": "application/msword", "xls": "application/vnd.ms-excel", "ppt": "application/vnd.ms-powerpoint",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "pptx": "application/vnd.openxmlformats-officedocument.presentationml.presentation",
    "zip": "application/zip",
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


def file_extension(name: str) -> str:
    """Lower-case extension without the dot; ``jpeg`` is reported as ``jpg``."""
    ext = PurePosixPath(str(name or "").replace("\\", "/")).suffix.lower().lstrip(".")
    return "jpg" if ext == "jpeg" else ext


def content_type_for(name: str) -> str:
    return CONTENT_TYPES.get(file_extension(name), "application/octet-stream")


def human_size(size: int) -> str:
    if size >= 1024 * 1024:
        return "{:.1f} MB".format(size / 1024 / 1024)
    return "{:.0f} KB".format(max(size, 1) / 1024)


def content_matches(upload, ext: str) -> bool:
    """Whether the upload's first bytes are those of a real ``ext`` file (the read position is restored)."""
    upload.seek(0)
    head = upload.read(16)
    upload.seek(0)
    return any(head.startswith(sig) for sig in SIGNATURES.get(ext, ()))


def storage_name(name: str) -> str:
    """A random file name keeping the extension: an uploader's name never reaches the file system."""
    ext = file_extension(name)
    return f"{uuid.uuid4().hex}.{ext}" if ext else uuid.uuid4().hex


def upload_problem(upload, *, allowed, noun: str | None = None) -> str | None:
    """None if the upload is acceptable, else a Chinese explanation naming the file.

    ``allowed``: the accepted extensions (keys of SIGNATURES); ``noun``: what the file is called
    in messages (default 附件).
    """
    noun = noun or _("附件")
    name = clean_filename(getattr(upload, "name", ""))
    if not name:
        return _("{noun}缺少文件名").format(noun=noun)
    ext = file_extension(name)
    if ext not in allowed:
        return _("{noun}“{name}”的类型不允许上传，仅接受：{allowed}").format(
            noun=noun, name=name, allowed="、".join(allowed))
    size = getattr(upload, "size", 0) or 0
    if size == 0:
        return _("{noun}“{name}”是空文件").format(noun=noun, name=name)
    if size > max_upload_bytes():
        return _("{noun}“{name}”大小为 {size}，超过上限 {limit} MB").format(
            noun=noun, name=name, size=human_size(size), limit=settings.TECHMARKET_UPLOAD_MAX_MB)
    if not content_matches(upload, ext):
        return _("{noun}“{name}”的内容与扩展名 .{ext} 不符，请上传真实的 {ext} 文件").format(
            noun=noun, name=name, ext=ext)
    return None
