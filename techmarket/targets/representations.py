"""JSON shapes of the targets API."""
from __future__ import annotations

from techmarket.core.api import iso, workflow_fields

from .models import Indicator, ReportedValue, Target
from .progress import _dec


def indicator_out(indicator: Indicator) -> dict:
    return {"id": indicator.pk, "city": indicator.city.code, "code": indicator.code, "name": indicator.name,
            "unit": indicator.unit, "direction": indicator.direction, "kind": indicator.kind,
            "source": indicator.source, "computation": indicator.computation or None, "params": indicator.params,
            "aliases": indicator.aliases, "description": indicator.description, "citation": indicator.citation}


def target_out(target: Target) -> dict:
    return {"id": target.pk, "indicator": target.indicator.code, "indicator_name": target.indicator.name,
            "unit": target.indicator.unit, "region": target.region.code, "region_name": target.region.name,
            "year": target.year, "value": _dec(target.value), "citation": target.citation,
            "is_demo": target.is_demo}


def reported_value_out(value: ReportedValue, user) -> dict:
    return {"id": value.pk, "indicator": value.indicator.code, "indicator_name": value.indicator.name,
            "unit": value.indicator.unit, "region": value.region.code, "region_name": value.region.name,
            "year": value.year, "as_of": iso(value.as_of), "value": _dec(value.value), "note": value.note,
            "evidence_name": value.evidence_name or None, "created_at": iso(value.created_at),
            "reviewed_at": iso(value.reviewed_at), **workflow_fields(value, user)}
