"""Deployment settings read from the environment.

Every setting is declared once here, with its default and the line that
documents it; ``docs/operations/settings.md`` lists the same names and a test
keeps the two in step.
"""
from __future__ import annotations

import os
from dataclasses import dataclass

DECLARED: dict[str, "Declared"] = {}


@dataclass(frozen=True)
class Declared:
    name: str
    default: str
    doc: str


def _declare(name: str, default: str, doc: str) -> str:
    DECLARED[name] = Declared(name, default, doc)
    return os.environ.get(name, default)


def env_str(name: str, default: str, doc: str) -> str:
    return _declare(name, default, doc)


def env_bool(name: str, default: bool, doc: str) -> bool:
    raw = _declare(name, "1" if default else "0", doc)
    return raw.strip().lower() in {"1", "true", "yes", "on"}


def env_int(name: str, default: int, doc: str) -> int:
    return int(_declare(name, str(default), doc))


def env_list(name: str, default: str, doc: str) -> list[str]:
    return [item.strip() for item in _declare(name, default, doc).split(",") if item.strip()]
