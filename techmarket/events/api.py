"""REST API of 对接活动 (SPEC §3 conventions)."""
from ninja import Router

router = Router(tags=["对接活动"])
