"""Load the shipped division files into Region rows (used by a data migration and `regions_load`)."""
from __future__ import annotations

import csv
import re
from pathlib import Path

DATA = Path(__file__).resolve().parent / "data"

_DERIVED = [
    (re.compile(r"^(.+)高新技术产业开发区$"), r"\1高新区"),
    (re.compile(r"^(.+)高新技术开发区$"), r"\1高新区"),
    (re.compile(r"^(.+)经济技术开发区$"), r"\1经开区"),
    (re.compile(r"^(.+)经济开发区$"), r"\1经开区"),
    (re.compile(r"^(.+)航空港经济综合实验区$"), r"\1航空港区"),
    (re.compile(r"^(.+)回族区$"), r"\1区"),
    (re.compile(r"^(.+?)(?:[\u4e00-\u9fa5]{1,4}族)+自治县$"), r"\1县"),
]


def derived_short_names(name: str, level: int) -> list[str]:
    out: list[str] = []
    for pattern, repl in _DERIVED:
        if pattern.match(name):
            out.append(pattern.sub(repl, name))
    # 金水区 → 金水, 中牟县 → 中牟, 巩义市 → 巩义 (ambiguous ones are resolved by scope).
    for base in [name, *out]:
        if level >= 2 and len(base) >= 3 and base[-1] in "区县市" and not base.endswith("市辖区"):
            out.append(base[:-1])
    if level == 1:
        for suffix in ("省", "市", "壮族自治区", "回族自治区", "维吾尔自治区", "自治区", "特别行政区"):
            if name.endswith(suffix) and len(name) > len(suffix) + 1:
                out.append(name[: -len(suffix)])
                break
    return [s for s in dict.fromkeys(out) if s != name]


def _rows(name: str):
    with open(DATA / name, encoding="utf-8", newline="") as fh:
        yield from csv.DictReader(fh)


def load_divisions(Region) -> int:
    """Idempotent: inserts missing units, keeps bureau edits (names, short names, export codes)."""
    existing = set(Region.objects.values_list("code", flat=True))
    by_code: dict[str, object] = {r.code: r for r in Region.objects.all()}
    extra: dict[str, list[str]] = {}
    for row in _rows("short_names.csv"):
        extra.setdefault(row["code"], []).append(row["short_name"])

    def make(code, name, level, parent, is_zone=False, is_official=True):
        if code in existing:
            return by_code[code]
        path = (parent.path if parent else "") + code + "/"
        shorts = derived_short_names(name, level) + [s for s in extra.get(code, []) if s != name]
        region = Region(code=code, name=name, level=level, parent=parent, path=path, is_zone=is_zone,
                        is_official=is_official, short_names=list(dict.fromkeys(shorts)))
        return region

    created = 0
    provinces = []
    for row in _rows("provinces.csv"):
        provinces.append(make(row["code"] + "0000", row["name"], 1, None))
    new = [r for r in provinces if r.pk is None]
    Region.objects.bulk_create(new)
    created += len(new)
    by_code.update({r.code: r for r in Region.objects.filter(level=1)})

    cities = []
    for row in _rows("cities.csv"):
        cities.append(make(row["code"] + "00", row["name"], 2, by_code[row["provinceCode"] + "0000"]))
    new = [r for r in cities if r.pk is None]
    Region.objects.bulk_create(new)
    created += len(new)
    by_code.update({r.code: r for r in Region.objects.filter(level=2)})

    counties = []
    for row in _rows("areas.csv"):
        code = row["code"]
        if code == row["cityCode"] + "00":
            continue  # 东莞、中山、儋州: cities without counties; the city row is the unit
        counties.append(make(code, row["name"], 3, by_code[row["cityCode"] + "00"],
                             is_zone=71 <= int(code[4:]) <= 79))
    for row in _rows("local_units.csv"):
        counties.append(make(row["code"], row["name"], 3, by_code[row["parent_code"]],
                             is_zone=row["is_zone"] == "1", is_official=False))
    new = [r for r in counties if r.pk is None]
    Region.objects.bulk_create(new, batch_size=1000)
    created += len(new)
    return created
