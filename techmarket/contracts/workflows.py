"""The contract's workflow (data only): the market creates drafts, the seller side submits them to a
registration point, a registrar pre-examines (审核 → 分类 → 核定技术交易额) and registers, refuses
(不予登记, coded reason) or returns them; registered contracts are amended (登记变更) or deregistered
(注销登记). SPEC C2, C4; docs/workflows/contracts.md holds the table with its Chinese labels.

Actions that need input besides the comment (submit: point; pre_examine: category, tech_field,
non_technical_costs; register: registration_number, registered_on; amend: the changed fields) go
through their service in services.py; ``services.contract_act`` dispatches by action name.
"""
from django.utils.translation import gettext_lazy as _

from techmarket.core.workflows import Transition

from .choices import ContractStatus as S
from .models import TechContract

EDIT = "contracts.change_techcontract"  # the seller side
EXAMINE = "contracts.examine_techcontract"  # a registrar of the receiving point (permissions.registrar_refusal)

# Actions a registrar takes (they set examined_by).
REGISTRAR_ACTIONS = ("pre_examine", "register", "refuse", "return", "amend", "deregister")

TRANSITIONS = {
    "submit": Transition({S.DRAFT, S.RETURNED}, S.SUBMITTED, EDIT, _("提交登记"), style="success"),
    "withdraw": Transition({S.SUBMITTED}, S.DRAFT, EDIT, _("撤回登记申请"), style="outline-secondary"),
    "pre_examine": Transition({S.SUBMITTED}, S.PRE_EXAMINED, EXAMINE, _("初审（审核、分类、核定技术交易额）"),
                              style="primary"),
    "register": Transition({S.PRE_EXAMINED}, S.REGISTERED, EXAMINE, _("予以登记"), style="success"),
    "return": Transition({S.SUBMITTED, S.PRE_EXAMINED}, S.RETURNED, EXAMINE, _("退回修改"), style="warning",
                         comment_required=True),
    "refuse": Transition({S.SUBMITTED, S.PRE_EXAMINED}, S.REFUSED, EXAMINE, _("不予登记"),
                         reason_context="registration_refuse", style="danger"),
    "amend": Transition({S.REGISTERED}, S.REGISTERED, EXAMINE, _("登记变更"), style="outline-primary",
                        comment_required=True),
    "deregister": Transition({S.REGISTERED}, S.DEREGISTERED, EXAMINE, _("注销登记"), style="outline-danger",
                             comment_required=True),
    "cancel": Transition({S.DRAFT, S.RETURNED}, S.CANCELLED, EDIT, _("作废"), style="outline-danger",
                         comment_required=True),
}

TechContract.TRANSITIONS = TRANSITIONS
