"""REST API of 成交与公示 (SPEC §3 conventions)."""
from ninja import Router

router = Router(tags=["成交与公示"])
