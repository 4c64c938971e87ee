"""Ship the reason contexts of 揭榜挂帅 (SPEC §2 B2): why an application was not chosen (未中榜反馈), why a
challenge was not published or a demand not admitted to the pool (不予发榜/不予入库). The bureau edits them
afterwards; reversing removes only the shipped rows that no history uses yet.
"""
from django.db import migrations

# (slug, label, description, [(code, label, description), ...])
SEED = [
    ("challenge_not_awarded", "未中榜反馈", "揭榜申请未中榜或形式审查未通过的原因", [
        ("lower_score", "综合评分较低", "专家评审综合评分低于中榜申请"),
        ("plan_infeasible", "技术方案可行性不足", "技术路线或实施方案难以实现榜单指标"),
        ("team_weak", "团队能力不足", "研发团队的经验、人员或条件不足以承担任务"),
        ("price_high", "报价偏高", "报价高于榜单预算或明显高于其他申请"),
        ("schedule", "进度安排不合理", "实施周期或节点安排不能满足榜单要求"),
        ("indicators", "指标承诺不足", "承诺的技术指标未达到榜单要求"),
        ("other", "其他", "其他原因，请在意见中说明"),
    ]),
    ("challenge_reject", "不予发榜/不予入库", "揭榜挂帅榜单不予发榜或需求不予入库的原因", [
        ("not_technical", "非技术问题", "所提问题不属于需要技术攻关的问题"),
        ("unclear", "需求描述不清", "技术问题、指标或应用场景表述不清楚"),
        ("budget", "预算不明确", "合同金额或资金来源不明确"),
        ("duplicate", "重复", "与已发布或已入库的榜单、需求重复"),
        ("other", "其他", "其他原因，请在意见中说明"),
    ]),
]
FIRST_SORT_ORDER = 100  # after the feedback app's own contexts


def seed(apps, schema_editor):
    ReasonContext = apps.get_model("feedback", "ReasonContext")
    ReasonCode = apps.get_model("feedback", "ReasonCode")
    for ctx_order, (slug, label, description, codes) in enumerate(SEED):
        ReasonContext.objects.update_or_create(
            slug=slug, defaults={"label": label, "description": description,
                                 "sort_order": FIRST_SORT_ORDER + ctx_order * 10})
        for order, (code, code_label, code_description) in enumerate(codes, start=1):
            ReasonCode.objects.get_or_create(
                context_id=slug, code=code,
                defaults={"label": code_label, "description": code_description, "sort_order": order * 10})


def unseed(apps, schema_editor):
    """Removes only the shipped codes no history uses yet (a used code stays, and so does its context)."""
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
        ("challenges", "0001_initial"),
        ("feedback", "0002_seed_reason_codes"),
        ("core", "0001_initial"),
    ]

    operations = [migrations.RunPython(seed, unseed)]
