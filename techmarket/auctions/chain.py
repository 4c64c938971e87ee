"""The tamper-evident bid log (SPEC B4): each bid's hash covers the previous bid's hash.

``hash = SHA-256 hex of "auction_id|seq|bidder_alias|amount|created_at|prev_hash"`` where ``amount`` is
the yuan amount with two decimals ("105000.00"), ``created_at`` is ISO 8601 in +08:00 to the
millisecond ("2026-11-23T10:15:02.137+08:00") and the first ``prev_hash`` is 64 zeros.

Bid times are stored truncated to the millisecond, so the string hashed is exactly the ``created_at``
the API returns and the chain file lists (``auction_chain_text``): anyone can recompute every hash.
Pure functions only; services.bid_place writes, services.auction_chain_verify reads.
"""
from __future__ import annotations

import datetime
import hashlib
from zoneinfo import ZoneInfo

from techmarket.core.money import yuan_str

from .models import GENESIS_HASH

SHANGHAI = ZoneInfo("Asia/Shanghai")

__all__ = ["GENESIS_HASH", "bid_time", "bid_time_iso", "bid_payload", "bid_hash", "chain_line", "chain_problems"]


def bid_time(moment: datetime.datetime) -> datetime.datetime:
    """``moment`` truncated to the millisecond: the precision bids are stored, hashed and shown with."""
    return moment.replace(microsecond=moment.microsecond // 1000 * 1000)


def bid_time_iso(moment: datetime.datetime) -> str:
    """ISO 8601 in Asia/Shanghai with exactly three decimals, e.g. ``2026-11-23T10:15:02.137+08:00``."""
    return moment.astimezone(SHANGHAI).isoformat(timespec="milliseconds")


def bid_payload(*, auction_id: int, seq: int, alias: str, amount_fen: int, created_at: datetime.datetime,
                prev_hash: str) -> str:
    return "|".join((str(auction_id), str(seq), alias, yuan_str(amount_fen), bid_time_iso(created_at), prev_hash))


def bid_hash(**fields) -> str:
    return hashlib.sha256(bid_payload(**fields).encode("utf-8")).hexdigest()


def chain_line(bid, alias: str) -> str:
    """One line of the published log: the hashed text, a space, its hash."""
    payload = bid_payload(auction_id=bid.auction_id, seq=bid.seq, alias=alias, amount_fen=bid.amount_fen,
                          created_at=bid.created_at, prev_hash=bid.prev_hash)
    return f"{payload} {bid.hash}"


def chain_problems(*, auction_id: int, rows, last_hash: str, bid_count: int) -> list[str]:
    """Recompute the chain; the problems found, in Chinese (empty when it verifies).

    ``rows`` are ``(seq, alias, amount_fen, created_at, prev_hash, hash)`` in seq order.
    """
    problems: list[str] = []
    expected_prev = GENESIS_HASH
    previous_amount = None
    n = 0
    for n, (seq, alias, amount_fen, created_at, prev_hash, stored) in enumerate(rows, start=1):
        if seq != n:
            problems.append("第 {n} 条出价的序号为 {seq}，序号不连续".format(n=n, seq=seq))
        if prev_hash != expected_prev:
            problems.append("序号 {seq} 的前一哈希与上一条出价的哈希不一致".format(seq=seq))
        computed = bid_hash(auction_id=auction_id, seq=seq, alias=alias, amount_fen=amount_fen,
                            created_at=created_at, prev_hash=prev_hash)
        if computed != stored:
            problems.append("序号 {seq} 的哈希与重新计算的结果不一致（记录可能被改动）".format(seq=seq))
        if previous_amount is not None and amount_fen <= previous_amount:
            problems.append("序号 {seq} 的出价未高于上一条出价".format(seq=seq))
        previous_amount = amount_fen
        expected_prev = stored
    if n != bid_count:
        problems.append("出价记录共 {n} 条，与拍卖记载的出价次数 {c} 不一致".format(n=n, c=bid_count))
    if expected_prev != last_hash:
        problems.append("最后一条出价的哈希与拍卖公布的最终哈希不一致")
    return problems
