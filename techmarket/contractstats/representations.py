"""JSON shape of statistics rows (SPEC §3: money as yuan strings with two decimals)."""
from __future__ import annotations

from techmarket.core.money import yuan_str


def stat_row_out(row: dict) -> dict:
    return {
        "key": row["key"],
        "label": row["label"],
        "count": row["count"],
        "contract_amount": yuan_str(row["contract_amount_fen"]),
        "tech_amount": yuan_str(row["tech_amount_fen"]),
        "yoy_pct": row["yoy_pct"],
    }
