"""本年技术合同成交额 on a city's home page: the seeds' headline number (seed 000 (八), seed 004 附件),
read from the contract statistics' summary (contracts registered this year whose seller is in the city)."""
from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from techmarket.portal.headlines import register_headline


@register_headline("contract_amount", label=_("本年技术合同成交额"), unit=_("万元"), icon="file-earmark-text")
def contract_amount_this_year(city) -> int:
    from techmarket.contractstats.selectors import contract_stats_headline

    row = contract_stats_headline(year=timezone.localdate().year, region=city.region)["output"]
    # Whole 万元: the card has room for about six digits.
    return int((Decimal(row["contract_amount_fen"]) / 1_000_000).quantize(Decimal("1"), rounding=ROUND_HALF_UP))
