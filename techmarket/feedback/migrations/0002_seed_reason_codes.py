"""Ship the reason contexts and codes of SPEC §2 B2. The bureau edits them afterwards.

Reversing removes only the shipped rows that no history uses yet (a used code stays).
"""
from django.db import migrations

# (slug, label, description, [(code, label, description), ...])
SEED = [
    ("review_reject", "审核不通过", "成果、需求等记录审核不予通过的原因", [
        ("incomplete", "信息不完整", "必填信息或必要附件缺失，无法判断"),
        ("unclear_description", "描述不清", "技术内容、应用场景或指标表述不清楚"),
        ("field_mismatch", "领域不符", "所选技术领域或行业与内容不一致"),
        ("ip_unclear", "知识产权不清", "权属不明确、专利信息无法核实或存在争议"),
        ("duplicate", "重复提交", "与已提交或已发布的记录重复"),
        ("out_of_scope", "不属于本平台范围", "内容不属于技术成果或技术需求，不在平台受理范围内"),
        ("other", "其他", "其他原因，请在意见中说明"),
    ]),
    ("review_return", "退回修改", "审核退回申请人修改后重新提交的原因", [
        ("missing_materials", "材料不全", "请补充所需的证明材料或附件"),
        ("incorrect_info", "信息有误", "部分信息与证明材料不一致或填写错误"),
        ("unclear_description", "描述不清", "请完善技术内容、指标或应用场景的描述"),
        ("other", "其他", "其他需修改之处，请在意见中说明"),
    ]),
    ("match_decline", "匹配不适用", "对推送或推荐的匹配结果表示不适用的原因", [
        ("too_early", "技术成熟度过早", "技术尚处于早期阶段（技术就绪水平偏低），暂不具备转化条件"),
        ("benefit_unclear", "效益不明确", "经济或社会效益不明确，难以评估投入产出"),
        ("unclear_description", "描述不清", "技术内容或需求描述不足以判断是否适用"),
        ("price", "价格不合适", "报价或预算与预期差距较大"),
        ("ip_unclear", "知识产权不清", "权属不明确或知识产权保护不充分"),
        ("field_mismatch", "领域不符", "技术领域与本单位方向不一致"),
        ("location", "地域不便", "地理位置不便于合作或实施"),
        ("other", "其他", "其他原因，请在意见中说明"),
    ]),
    ("bid_lost", "未成交原因", "竞价未成交或出价未中标的原因", [
        ("below_reserve", "出价低于保留价", "最高出价未达到保留价，拍卖未成交"),
        ("outbid", "被更高出价超过", "其他竞买人出价更高"),
        ("deposit_unconfirmed", "保证金未确认", "保证金未在规定时间内到账或未经确认"),
        ("other", "其他", "其他原因，请在意见中说明"),
    ]),
    ("registration_refuse", "不予登记", "技术合同认定登记不予登记的原因", [
        ("not_tech_contract", "不属于技术合同", "合同标的不属于技术开发、转让、许可、咨询或服务"),
        ("incomplete_elements", "合同要素不全", "合同主要条款或必要要素缺失"),
        ("duplicate", "重复登记", "该合同已经登记"),
        ("false_party_info", "当事人信息不实", "当事人名称、统一社会信用代码等信息不真实或不一致"),
        ("other", "其他", "其他原因，请在意见中说明"),
    ]),
    ("account_registration_reject", "注册申请不通过", "单位用户注册申请审核不通过的原因", [
        ("org_mismatch", "单位信息不符", "单位名称、统一社会信用代码或所在区域与登记信息不符"),
        ("invalid_authorization", "授权书无效", "授权书缺失、未盖章或内容不符合要求"),
        ("duplicate", "重复注册", "该单位或该用户已注册"),
        ("other", "其他", "其他原因，请在意见中说明"),
    ]),
    ("disclosure_reject", "披露申请不通过", "保密信息查看申请不予批准的原因", [
        ("not_partner", "非合作对象", "申请单位不是本单位拟合作的对象"),
        ("incomplete", "信息不完整", "申请说明不足以判断合作意向，请补充后重新申请"),
        ("other", "其他", "其他原因，请在意见中说明"),
    ]),
]


def seed(apps, schema_editor):
    ReasonContext = apps.get_model("feedback", "ReasonContext")
    ReasonCode = apps.get_model("feedback", "ReasonCode")
    for ctx_order, (slug, label, description, codes) in enumerate(SEED, start=1):
        ReasonContext.objects.update_or_create(
            slug=slug, defaults={"label": label, "description": description, "sort_order": ctx_order * 10})
        for order, (code, code_label, code_description) in enumerate(codes, start=1):
            ReasonCode.objects.get_or_create(
                context_id=slug, code=code,
                defaults={"label": code_label, "description": code_description, "sort_order": order * 10})


def unseed(apps, schema_editor):
    ReasonContext = apps.get_model("feedback", "ReasonContext")
    ReasonCode = apps.get_model("feedback", "ReasonCode")
    StatusChange = apps.get_model("core", "StatusChange")
    used = set(StatusChange.objects.exclude(reason_code="").values_list("reason_code", flat=True))
    for slug, _label, _description, codes in SEED:
        ReasonCode.objects.filter(context_id=slug, code__in=[c[0] for c in codes]).exclude(code__in=used).delete()
        if not ReasonCode.objects.filter(context_id=slug).exists():
            ReasonContext.objects.filter(slug=slug).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("feedback", "0001_initial"),
        ("core", "0001_initial"),
    ]

    operations = [migrations.RunPython(seed, unseed)]
