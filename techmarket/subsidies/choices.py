"""Choices of subsidy policies (P1) and rounds (P2). Labels are what bureau officers read."""
from django.db import models
from django.utils.translation import gettext_lazy as _


class RuleKind(models.TextChoices):
    RATE_OF_BASE = "rate_of_base", _("按基数比例（封顶）")
    BAND_BY_GRADE = "band_by_grade", _("按绩效档次定额")
    ONE_TIME_ON_EVENT = "one_time_on_event", _("认定后一次性奖励")
    SHARE_OF_CONTRACT = "share_of_contract", _("按合同额比例分期支持")


class Base(models.TextChoices):
    TOTAL_AMOUNT = "total_amount", _("合同成交额（按登记日期）")
    TECH_AMOUNT = "tech_amount", _("技术交易额（按登记日期）")
    PAID_AMOUNT = "paid_amount", _("年度实际支付额（按付款日期）")


class RecipientRole(models.TextChoices):
    BUYER = "buyer", _("买方（吸纳技术）")
    SELLER = "seller", _("卖方（输出技术）")
    BROKER = "broker", _("促成交易的技术转移机构")
    UNIT = "unit", _("单位本身（不按合同）")


class CounterpartyLocation(models.TextChoices):
    ANY = "any", _("不限")
    OUTSIDE_PROVINCE = "outside_province", _("省外")
    OUTSIDE_CITY = "outside_city", _("市外")


class UnitLocation(models.TextChoices):
    ANY = "any", _("不限")
    IN_CITY = "in_city", _("本市")
    IN_PROVINCE = "in_province", _("本省")


class UnitKind(models.TextChoices):
    ENTERPRISE = "enterprise", _("企业")
    UNIVERSITY_INSTITUTE = "university_institute", _("高校、科研院所")
    AGENCY = "agency", _("技术转移机构")
    AGENCY_OR_INTERMEDIARY = "agency_or_intermediary", _("技术转移机构、科技中介服务机构")
    RD_INSTITUTION = "rd_institution", _("新型研发机构")
    PLATFORM = "platform", _("创新创业载体（按运营单位）")
    CHALLENGE_SOLVER = "challenge_solver", _("揭榜方（高校、科研院所或企业）")


# Organization kinds (directory OrganizationKind) each unit kind admits.
UNIT_KIND_ORGANIZATION_KINDS = {
    UnitKind.ENTERPRISE: {"enterprise"},
    UnitKind.UNIVERSITY_INSTITUTE: {"university", "institute"},
    UnitKind.AGENCY: {"agency"},
    UnitKind.AGENCY_OR_INTERMEDIARY: {"agency", "service_provider"},
    UnitKind.RD_INSTITUTION: None,  # any organization holding the qualification the rule names
    UnitKind.PLATFORM: None,  # any operating organization of a platform of the listed kinds
    UnitKind.CHALLENGE_SOLVER: {"university", "institute", "enterprise", "rd_institution"},
}


class Payer(models.TextChoices):
    PROVINCE = "province", _("省财政（市推荐）")
    CITY = "city", _("市财政")
    DISTRICT = "district", _("单位所在地受益财政")


class RoundStatus(models.TextChoices):
    DRAFT = "draft", _("草稿")
    OPEN = "open", _("申报中")
    REVIEWING = "reviewing", _("审核中")
    COMPUTED = "computed", _("已测算")
    NOTICE = "notice", _("公示中")
    APPROVED = "approved", _("已批准")
    CLOSED = "closed", _("已办结")
    CANCELLED = "cancelled", _("已取消")


class DeclarationStatus(models.TextChoices):
    DRAFT = "draft", _("草稿")
    SUBMITTED = "submitted", _("已申报待初审")
    PRE_APPROVED = "pre_approved", _("初审通过待复审")
    RETURNED = "returned", _("退回修改")
    ACCEPTED = "accepted", _("复审通过")
    REJECTED = "rejected", _("不予支持")


class EvidenceKind(models.TextChoices):
    """What a declaration file proves (申报材料)."""

    LOCAL_TRANSFER = "local_transfer", _("在本市实施转化证明")
    PAYMENT_VOUCHER = "payment_voucher", _("付款转账凭证")
    INVOICE = "invoice", _("发票")
    QUALIFICATION = "qualification", _("认定或备案文件")
    PERFORMANCE = "performance", _("绩效考核材料")
    OTHER = "other", _("其他材料")


# Declaration files: PDF and OFD (e-documents, GB/T 33190), scans, Word/Excel, or a ZIP of several.
EVIDENCE_EXTENSIONS = ("pdf", "ofd", "jpg", "png", "doc", "docx", "xls", "xlsx", "zip")
MAX_EVIDENCE_PER_DECLARATION = 20


class ExclusionCode(models.TextChoices):
    NO_NATIONAL_NUMBER = "no_national_number", _("未在全国技术合同登记系统登记")
    NOT_REGISTERED = "not_registered", _("合同未认定登记")
    INTEGRITY_RECORD = "integrity_record", _("存在科研失信记录")
    CAP_REACHED = "cap_reached", _("已达年度补助上限")
    COUNTERPARTY_NOT_OUTSIDE_PROVINCE = "counterparty_not_outside_province", _("交易对方不在省外")
    COUNTERPARTY_NOT_OUTSIDE_CITY = "counterparty_not_outside_city", _("交易对方不在市外")
    COUNTERPARTY_UNKNOWN = "counterparty_location_unknown", _("交易对方所在地不明")
    TRANSFER_NOT_IN_CITY = "transfer_not_in_city", _("技术未在本市转化（买方不在本市）")
    UNIT_NOT_IN_CITY = "unit_not_in_city", _("单位不在本市")
    UNIT_NOT_IN_PROVINCE = "unit_not_in_province", _("单位不在本省")
    UNIT_KIND = "unit_kind_mismatch", _("单位类型不符")
    QUALIFICATION = "qualification_level", _("资质或级别不符")
    NOT_NEWLY_RECOGNISED = "not_newly_recognised", _("非基数年度新认定")
    ALREADY_AWARDED = "already_awarded", _("已获得过该项一次性奖励")
    NOT_PARTY = "not_party", _("单位不是合同的相应当事方")
    NOT_IN_BASE_YEAR = "not_in_base_year", _("不在基数年度内")
    PAYMENT_NOT_EVIDENCED = "payment_not_evidenced", _("付款缺少转账凭证或发票")
    GRADE_MISSING = "grade_missing", _("未评定绩效档次或档次无奖励")
    AMOUNT_MISSING = "amount_missing", _("未核定奖励金额")
    INSTALMENT = "instalment_invalid", _("分期节点无效或已支持")
    NO_BASE = "no_base", _("没有可计入的基数")
    NOT_ACCEPTED = "declaration_not_accepted", _("申报未通过复审")
    NOT_CHALLENGE = "not_challenge_contract", _("非揭榜挂帅项目合同")
    STAGE_NOT_REACHED = "stage_not_reached", _("分期节点尚未达到")


# 按合同额比例分期支持 (seed 003 (六)): 争取省财政按不超过合同额的30%给予支持.
SHARE_OF_CONTRACT_MAX_RATE = 30
# The instalment codes whose stage the platform records (engine.contract_stages_reached): 签约 is reached
# when the contract is registered (认定登记), 验收 when its 揭榜挂帅 project passed acceptance.
STAGE_SIGNING = "signing"
STAGE_ACCEPTANCE = "acceptance"
