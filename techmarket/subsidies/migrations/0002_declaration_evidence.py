# Declaration evidence kinds, the policy flag requiring proof of local commercialisation, and one
# declaration per qualification (one-time awards are once per unit per qualification).

from django.conf import settings
from django.db import migrations, models

# The shipped seed rules whose text makes commercialisation in the city a condition (seed_rules.py
# LOCAL_TRANSFER_EVIDENCE_CODES, copied here so the migration does not change when the module does).
LOCAL_TRANSFER_CODES = ("hb-ent-buy-outside-province", "hb-univ-inst-transfer", "hb-demo-agency-rate",
                        "zk-ent-buy-outside-city", "zk-univ-inst-transfer", "zk-agency-brokered")


def flag_seed_rules(apps, schema_editor):
    SubsidyPolicy = apps.get_model("subsidies", "SubsidyPolicy")
    SubsidyPolicy.objects.filter(code__in=LOCAL_TRANSFER_CODES).update(local_transfer_evidence_required=True)


class Migration(migrations.Migration):

    dependencies = [
        ('contracts', '0003_registration'),
        ('directory', '0001_initial'),
        ('subsidies', '0001_initial'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.RemoveConstraint(
            model_name='subsidydeclaration',
            name='subsidy_declaration_unique',
        ),
        migrations.AddField(
            model_name='declarationevidence',
            name='kind',
            field=models.CharField(choices=[('local_transfer', '在本市实施转化证明'), ('payment_voucher', '付款转账凭证'), ('invoice', '发票'), ('qualification', '认定或备案文件'), ('performance', '绩效考核材料'), ('other', '其他材料')], default='other', max_length=20, verbose_name='材料类型'),
        ),
        migrations.AddField(
            model_name='subsidypolicy',
            name='local_transfer_evidence_required',
            field=models.BooleanField(default=False, help_text='政策原文要求在本市实施转化、产业化的，申报提交前须上传至少一份“在本市实施转化证明”', verbose_name='申报须附在本市转化证明'),
        ),
        migrations.AddConstraint(
            model_name='subsidydeclaration',
            constraint=models.UniqueConstraint(fields=('round', 'policy', 'organization', 'platform', 'qualification', 'contract', 'instalment'), name='subsidy_declaration_unique', violation_error_message='该单位已在本批次申报此项政策'),
        ),
        migrations.RunPython(flag_seed_rules, migrations.RunPython.noop),
    ]
