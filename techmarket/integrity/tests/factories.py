"""Integrity records for tests, made through the services as a bureau administrator makes them."""
from __future__ import annotations

import datetime

from techmarket.integrity import services


def record_data(**overrides) -> dict:
    data = {
        "subject_kind": "organization",
        "record_type": "false_declaration",
        "facts": "虚报研发费用骗取后补助资金。",
        "source_document": "郑科〔2025〕12号",
        "source_authority": "郑州市科学技术局",
        "effective_from": datetime.date(2025, 1, 1),
        "effective_to": datetime.date(2027, 12, 31),
        "is_published": True,
    }
    data.update(overrides)
    return data


def org_record(*, by, organization, **overrides):
    return services.integrity_record_create(by=by, data=record_data(organization=organization.pk, **overrides))


def person_record(*, by, name: str = "张某某", region: str = "410105", **overrides):
    fields = {"subject_kind": "person", "subject_name": name, "region": region, "record_type": "misconduct",
              "facts": "抄袭他人研究成果。", **overrides}
    return services.integrity_record_create(by=by, data=record_data(**fields))
