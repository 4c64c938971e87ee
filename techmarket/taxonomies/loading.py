"""Load the shipped taxonomy files (idempotent; bureau edits to names are kept)."""
from __future__ import annotations

import csv
from pathlib import Path

DATA = Path(__file__).resolve().parent / "data"

SCHEMES = [
    # code, name, file, source, mapping column → target scheme
    ("hitech_domains", "国家重点支持的高新技术领域", "hitech_domains.csv", "国科发火〔2016〕32号 附件", None),
    ("gbt4754", "国民经济行业分类", "gbt4754.csv", "GB/T 4754-2017", None),
    ("gbt13745", "学科分类与代码", "gbt13745.csv", "GB/T 13745-2009（一、二级）", None),
    ("csl_discipline", "CSL 学科（67 类）", "csl_disciplines.csv", "CSL 数据集（Li et al., COLING 2022, Apache-2.0）",
     ("gbt13745", "gbt13745")),
    ("contract_field", "技术合同技术领域", "contract_field.csv", "技术合同认定登记表（SPEC C1）",
     ("hitech_domains", "hitech_domains")),
    ("contract_category", "技术合同类别", "contract_category.csv", "技术合同认定登记管理办法（2026）", None),
    ("party_nature", "单位性质", "party_nature.csv", "技术合同认定登记表（SPEC C1）", None),
    ("ip_type", "知识产权类型", "ip_type.csv", "技术合同认定登记表（SPEC C1）", None),
    ("plan_category", "计划类别", "plan_category.csv", "技术合同认定登记表（SPEC C1）", None),
    ("trl", "技术就绪水平", "trl.csv", "GB/T 22900", None),
]


def load_taxonomies(Scheme, Term) -> int:
    created = 0
    pending_maps = []
    for code, name, filename, source, mapping in SCHEMES:
        scheme, _ = Scheme.objects.get_or_create(code=code, defaults={"name": name, "source": source})
        existing = {t.code: t for t in Term.objects.filter(scheme=scheme)}
        with open(DATA / filename, encoding="utf-8", newline="") as fh:
            rows = list(csv.DictReader(fh))
        new = []
        for order, row in enumerate(rows):
            if row["code"] in existing:
                continue
            term = Term(scheme=scheme, code=row["code"], name=row["name"], level=int(row["level"] or 1),
                        sort_order=order, description=row.get("description") or "")
            new.append((term, row.get("parent_code") or ""))
        Term.objects.bulk_create([t for t, _p in new], batch_size=1000)
        created += len(new)
        by_code = {t.code: t for t in Term.objects.filter(scheme=scheme)}
        changed = []
        for term, parent_code in new:
            if parent_code:
                saved = by_code[term.code]
                saved.parent = by_code[parent_code]
                changed.append(saved)
        Term.objects.bulk_update(changed, ["parent"], batch_size=1000)
        if mapping and new:
            column, target = mapping
            for row in rows:
                if row.get(column):
                    pending_maps.append((by_code[row["code"]], target, row[column].split()))
    for term, target, codes in pending_maps:
        targets = list(Term.objects.filter(scheme__code=target, code__in=codes))
        missing = set(codes) - {t.code for t in targets}
        if missing:
            raise ValueError(f"{term.code} maps to unknown {target} codes {sorted(missing)}")
        term.mapped_to.add(*targets)
    return created
