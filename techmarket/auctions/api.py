"""REST API of 竞价拍卖 (SPEC §3 conventions)."""
from ninja import Router

router = Router(tags=["竞价拍卖"])
