"""What a market deal tells about its technology contract (SPEC M6 → C1).

* the category (合同类别) from the deal's transfer mode and the achievement's IP type;
* the contract name;
* the contract-statistics technology field (技术领域) from the achievement's 高新技术领域 term, through the
  mapping the taxonomy data ships (``contract_field.csv``, column ``hitech_domains`` → ``Term.mapped_to``),
  so the bureau's edits of that mapping in the admin take effect here.
"""
from __future__ import annotations

from django.utils.translation import gettext as _

from techmarket.taxonomies.models import Term

# transfer mode → the contract kind it makes. 作价入股 (technology as equity) is registered as a technology
# transfer (技术合同认定规则: 以技术入股订立的合同按技术转让合同认定); 合作开发 is 技术开发 (合作).
TRANSFER, LICENCE, JOINT_DEVELOPMENT = "transfer", "licence", "joint_development"
KIND_BY_MODE = {
    "transfer": TRANSFER,
    "equity": TRANSFER,
    "licence_exclusive": LICENCE,
    "licence_non_exclusive": LICENCE,
    "joint_development": JOINT_DEVELOPMENT,
}

# ip_type code → contract_category code (taxonomies/data/ip_type.csv, contract_category.csv).
PATENTS = ("01", "02", "03")  # 发明专利, 实用新型, 外观设计
TRANSFER_CATEGORY_BY_IP = {**{c: "21" for c in PATENTS}, "04": "24", "05": "25", "06": "26", "08": "23"}
TRANSFER_CATEGORY_OTHER = "29"   # 其他技术转让
LICENCE_CATEGORY_BY_IP = {**{c: "31" for c in PATENTS}, "08": "32"}
LICENCE_CATEGORY_OTHER = "39"    # 其他技术许可
JOINT_DEVELOPMENT_CATEGORY = "12"  # 合作开发

NAME_MAX = 200


def category_code_for(*, transfer_mode: str, ip_type_code: str | None) -> str | None:
    """The contract_category code a deal of ``transfer_mode`` on an achievement of ``ip_type_code`` makes;
    None when the mode is unknown (the seller then picks the category)."""
    kind = KIND_BY_MODE.get(transfer_mode)
    if kind == TRANSFER:
        return TRANSFER_CATEGORY_BY_IP.get(ip_type_code or "", TRANSFER_CATEGORY_OTHER)
    if kind == LICENCE:
        return LICENCE_CATEGORY_BY_IP.get(ip_type_code or "", LICENCE_CATEGORY_OTHER)
    if kind == JOINT_DEVELOPMENT:
        return JOINT_DEVELOPMENT_CATEGORY
    return None


def contract_name_for(*, title: str, transfer_mode: str) -> str:
    """《成果名称》技术转让合同 / 技术许可合同 / 技术转让（作价入股）合同 / 合作开发合同."""
    suffix = {
        "transfer": _("技术转让合同"),
        "equity": _("技术转让（作价入股）合同"),
        "licence_exclusive": _("技术许可合同"),
        "licence_non_exclusive": _("技术许可合同"),
        "joint_development": _("合作开发合同"),
    }.get(transfer_mode, _("技术合同"))
    room = NAME_MAX - len(suffix) - 2
    title = (title or "").strip()
    if len(title) > room:
        title = title[: room - 1] + "…"
    return "《{t}》{s}".format(t=title, s=suffix)


def term_or_none(scheme: str, code: str | None) -> Term | None:
    if not code:
        return None
    return Term.objects.filter(scheme__code=scheme, code=code, is_active=True).first()


def contract_field_for(hitech_term: Term | None) -> Term | None:
    """The contract-statistics field whose mapping holds ``hitech_term`` or its nearest ancestor.

    The most specific mapping wins: 智能交通和轨道交通技术 (108) lies under 电子信息 (10) but is mapped to
    现代交通 on its own, so an achievement in 108 or below is 现代交通, one elsewhere in 10 is 电子信息.
    """
    if hitech_term is None:
        return None
    chain: list[int] = []  # the term, then its ancestors (taxonomies are at most 4 levels deep)
    node = hitech_term
    while node is not None and len(chain) < 8:
        chain.append(node.pk)
        node = Term.objects.filter(pk=node.parent_id).first() if node.parent_id else None
    through = Term.mapped_to.through
    rows = list(through.objects.filter(from_term__scheme__code="contract_field", from_term__is_active=True,
                                       to_term_id__in=chain).values_list("from_term_id", "to_term_id"))
    if not rows:
        return None
    best_from, _to = min(rows, key=lambda row: (chain.index(row[1]), row[0]))
    return Term.objects.get(pk=best_from)
