"""The registration certificate (技术合同认定登记证明) of a registered contract, as a Chinese PDF
(core.pdf): number, date, point, parties, category, field, amounts in yuan and the registrar."""
from __future__ import annotations

from django.utils.translation import gettext as _

from techmarket.core import pdf
from techmarket.core.errors import ApplicationError
from techmarket.core.money import fen_to_yuan

from .choices import ContractStatus

__all__ = ["contract_certificate_pdf", "certificate_filename"]


def _yuan(fen) -> str:
    value = fen_to_yuan(fen)
    return "—" if value is None else _("{v} 元").format(v=f"{value:,.2f}")


def _term(term) -> str:
    return "—" if term is None else f"{term.code} {term.name}"


def _region(region) -> str:
    return "—" if region is None else f"{region.code} {region.full_name}"


def certificate_filename(contract) -> str:
    return f"registration-{contract.registration_number}.pdf"


def contract_certificate_pdf(contract) -> bytes:
    """The certificate of a registered contract; 422 (ApplicationError) for any other status."""
    if contract.status != ContractStatus.REGISTERED or not contract.registration_number:
        raise ApplicationError(_("合同未处于已登记状态（当前：{s}），没有登记证明").format(
            s=contract.get_status_display()), code="not_registered")
    point = contract.registration_point
    registrar = contract.examined_by
    blocks = [
        pdf.KeyValue([
            (_("登记编号"), contract.registration_number),
            (_("编号来源"), contract.get_registration_number_source_display()),
            (_("登记日期"), contract.registered_on),
            (_("登记点"), f"{point.name}（{point.city.name} {point.code}）" if point else "—"),
            (_("合同名称"), contract.name),
            (_("合同类别"), _term(contract.category)),
            (_("技术领域"), _term(contract.tech_field)),
            (_("签订日期"), contract.signed_on),
        ]),
        pdf.Heading(_("当事人"), level=2),
        pdf.Table([_("当事人"), _("名称"), _("统一社会信用代码"), _("所在地区")], [
            [_("卖方"), contract.seller_name, contract.seller_credit_code or "—", _region(contract.seller_region)],
            [_("买方"), contract.buyer_name, contract.buyer_credit_code or "—", _region(contract.buyer_region)],
        ], col_widths=[2, 6, 4.5, 4.5]),
        pdf.Heading(_("金额"), level=2),
        pdf.KeyValue([
            (_("合同成交额"), _yuan(contract.total_amount_fen)),
            (_("技术交易额"), _yuan(contract.tech_amount_fen)),
        ]),
        pdf.Paragraph(_("经审查，该合同符合技术合同认定条件，准予登记。技术交易额为合同成交额扣除设备、零部件、"
                        "原材料等非技术性费用后的金额。")),
        pdf.KeyValue([(_("登记员"), getattr(registrar, "name", "") or getattr(registrar, "username", "—"))]),
    ]
    return pdf.render_pdf(title=_("技术合同认定登记证明"),
                          subtitle=_("登记编号 {n}").format(n=contract.registration_number),
                          footer=point.name if point else "", blocks=blocks)
