"""Finding regions by code or by the names people actually write in Excel files."""
from __future__ import annotations

import re
import threading

from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver
from django.utils.translation import gettext as _

from techmarket.core.errors import ApplicationError

from .models import Region

_lock = threading.Lock()
_index: dict | None = None


def normalize_code(code: str) -> str:
    """41 → 410000, 4101 → 410100, 410105 → 410105."""
    code = str(code).strip()
    if re.fullmatch(r"\d{2}", code):
        return code + "0000"
    if re.fullmatch(r"\d{4}", code):
        return code + "00"
    return code


def region_get(code: str) -> Region:
    """By 2-, 4- or 6-digit code; raises Region.DoesNotExist."""
    return Region.objects.select_related("parent").get(code=normalize_code(code))


def region_subtree(region: Region):
    return Region.objects.filter(path__startswith=region.path)


def _normalize_name(text: str) -> str:
    text = "".join(chr(ord(c) - 0xFEE0) if "！" <= c <= "～" else c for c in str(text))
    return re.sub(r"\s+", "", text.replace("\u3000", ""))


def _build_index() -> dict:
    by_name: dict[str, list[tuple[int, str, str]]] = {}
    rows = Region.objects.values_list("pk", "code", "name", "path", "short_names", "parent__name",
                                      "parent__parent__name")
    for pk, code, name, path, shorts, parent_name, grand_name in rows:
        keys = {name, *(shorts or [])}
        if parent_name and parent_name != "市辖区":
            keys |= {parent_name + k for k in list(keys)}
        if grand_name:
            keys |= {grand_name + (parent_name if parent_name != "市辖区" else "") + name}
        for key in keys:
            by_name.setdefault(_normalize_name(key), []).append((pk, code, path))
    return {"by_name": by_name}


def _get_index() -> dict:
    global _index
    with _lock:
        if _index is None:
            _index = _build_index()
        return _index


@receiver([post_save, post_delete], sender=Region)
def _invalidate(**kwargs) -> None:
    global _index
    with _lock:
        _index = None


def region_candidates(text: str, *, within: Region | None = None) -> list[tuple[int, str, str]]:
    text = _normalize_name(text)
    if not text:
        return []
    if text.isdigit() and len(text) in (2, 4, 6):
        found = list(Region.objects.filter(code=normalize_code(text)).values_list("pk", "code", "path"))
    else:
        found = list(_get_index()["by_name"].get(text, []))
    if within is not None and len(found) > 0:
        inside = [c for c in found if c[2].startswith(within.path)]
        if inside or len(found) > 1:
            found = inside
    return found


def region_resolve(text: str, *, within: Region | None = None, field: str | None = "region") -> Region:
    """One region for a code, a name or a short name (管城区 = 管城回族区); refuses unknown or ambiguous text.

    ``within`` prefers, and for ambiguous names requires, units inside that region.
    """
    found = region_candidates(text, within=within)
    if not found:
        raise ApplicationError(_("未找到行政区划“{t}”").format(t=text), field=field, code="unknown_region")
    codes = sorted({c[1] for c in found})
    if len(codes) > 1:
        names = "、".join(Region.objects.get(code=c).full_name + f"（{c}）" for c in codes[:5])
        raise ApplicationError(_("“{t}”对应多个区划：{n}，请填写 6 位代码").format(t=text, n=names),
                               field=field, code="ambiguous_region")
    return Region.objects.select_related("parent").get(code=codes[0])


class RegionResolver:
    """Bulk resolution for imports: memoizes each distinct text once per file."""

    def __init__(self, *, within: Region | None = None):
        self.within = within
        self._memo: dict[str, Region | ApplicationError] = {}

    def __call__(self, text: str) -> Region:
        key = _normalize_name(text)
        if key not in self._memo:
            try:
                self._memo[key] = region_resolve(key, within=self.within)
            except ApplicationError as exc:
                self._memo[key] = exc
        hit = self._memo[key]
        if isinstance(hit, ApplicationError):
            raise hit
        return hit
