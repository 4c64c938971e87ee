"""Masking of natural persons' personal data (SPEC §3).

ID numbers, phones and e-mail of natural persons are masked in every output
(pages, API, exports, audit history, search) except for the owner and
administrators. Callers decide *whether* the viewer may see the clear value
(see ``accounts.permissions.can_see_personal_data``); these functions only mask.
"""
from __future__ import annotations

import re

PERSONAL_KINDS = ("id_number", "phone", "email")


def mask_id_number(value: str | None) -> str:
    if not value:
        return ""
    value = str(value)
    if len(value) <= 8:
        return value[:1] + "*" * (len(value) - 1)
    return value[:4] + "*" * (len(value) - 8) + value[-4:]


def mask_phone(value: str | None) -> str:
    if not value:
        return ""
    digits = str(value)
    if len(digits) >= 11:
        return digits[:3] + "****" + digits[-4:]
    if len(digits) > 4:
        return "*" * (len(digits) - 4) + digits[-4:]
    return "*" * len(digits)


def mask_email(value: str | None) -> str:
    if not value:
        return ""
    value = str(value)
    if "@" not in value:
        return mask_phone(value)
    local, _, domain = value.partition("@")
    shown = local[:1] if len(local) <= 2 else local[:2]
    return f"{shown}***@{domain}"


MASKERS = {"id_number": mask_id_number, "phone": mask_phone, "email": mask_email}


def mask(kind: str, value):
    return MASKERS[kind](value)


_PHONE_RE = re.compile(r"(?<!\d)(1[3-9]\d)(\d{4})(\d{4})(?!\d)")
_ID_RE = re.compile(r"(?<![0-9A-Za-z])(\d{4})(\d{10})(\d{3}[0-9Xx])(?![0-9A-Za-z])")
# Both need a run of at least eleven digits: one plain scan for it spares most texts the two patterns
# above, whose look-behinds are tried at every character (a search page masks forty texts).
_DIGIT_RUN = re.compile(r"\d{11}")


def mask_text(text: str | None) -> str:
    """Mask phone and ID numbers appearing inside free text (snippets, notes)."""
    if not text:
        return text or ""
    if not _DIGIT_RUN.search(text):
        return text
    text = _ID_RE.sub(lambda m: m.group(1) + "*" * 10 + m.group(3), text)
    return _PHONE_RE.sub(lambda m: m.group(1) + "****" + m.group(3), text)
