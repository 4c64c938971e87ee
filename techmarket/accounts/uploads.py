"""The authorisation letter (授权书) of a registration request: PDF or an image, size-limited, content checked."""
from __future__ import annotations

from django.conf import settings
from django.utils.translation import gettext as _

from techmarket.core.uploads import content_matches, file_extension, storage_name

# Extension -> (leading bytes of a real file of that type, content type served on download)
LETTER_TYPES: dict[str, tuple[tuple[bytes, ...], str]] = {
    "pdf": ((b"%PDF-",), "application/pdf"),
    "jpg": ((b"\xff\xd8\xff",), "image/jpeg"),
    "png": ((b"\x89PNG\r\n\x1a\n",), "image/png"),
}


def letter_extension(name: str) -> str:
    return file_extension(name)


def letter_content_type(name: str) -> str:
    entry = LETTER_TYPES.get(letter_extension(name))
    return entry[1] if entry else "application/octet-stream"


def authorization_letter_problem(upload) -> str | None:
    """None when the upload is an acceptable letter, else a Chinese explanation."""
    ext = letter_extension(getattr(upload, "name", ""))
    if ext not in LETTER_TYPES:
        return _("授权书只接受 PDF、JPG 或 PNG 文件")
    size = getattr(upload, "size", 0) or 0
    if size == 0:
        return _("授权书文件为空")
    limit = settings.TECHMARKET_UPLOAD_MAX_MB
    if size > limit * 1024 * 1024:
        return _("授权书文件大小为 {size:.1f} MB，超过上限 {limit} MB").format(size=size / 1024 / 1024, limit=limit)
    if not content_matches(upload, ext):
        return _("授权书文件内容与扩展名 .{ext} 不符，请上传真实的 {ext} 文件").format(ext=ext)
    return None


def letter_storage_name(name: str) -> str:
    """A random file name: the applicant's name never reaches the file system."""
    return storage_name(name)
