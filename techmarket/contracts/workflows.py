"""The contract's workflow (data only). The market creates drafts; the contract issue adds
submission and registration (C2) to this table."""
from django.utils.translation import gettext_lazy as _

from techmarket.core.workflows import Transition

from .choices import ContractStatus as S
from .models import TechContract

EDIT = "contracts.change_techcontract"

TRANSITIONS = {
    "cancel": Transition({S.DRAFT}, S.CANCELLED, EDIT, _("作废"), style="outline-danger", comment_required=True),
}

TechContract.TRANSITIONS = TRANSITIONS
