"""REST API of 挂牌交易 (SPEC §3 conventions)."""
from ninja import Router

router = Router(tags=["挂牌交易"])
