"""REST API of 技术合同 (SPEC §3 conventions)."""
from ninja import Router

router = Router(tags=["技术合同"])
