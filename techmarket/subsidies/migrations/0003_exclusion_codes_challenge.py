# Exclusion codes of 揭榜挂帅 support (share_of_contract): a contract not from a challenge, an instalment
# whose stage (签约 = registered, 验收 = project accepted) is not reached.

from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('subsidies', '0002_declaration_evidence'),
    ]

    operations = [
        migrations.AlterField(
            model_name='subsidyexclusion',
            name='code',
            field=models.CharField(choices=[('no_national_number', '未在全国技术合同登记系统登记'), ('not_registered', '合同未认定登记'), ('integrity_record', '存在科研失信记录'), ('cap_reached', '已达年度补助上限'), ('counterparty_not_outside_province', '交易对方不在省外'), ('counterparty_not_outside_city', '交易对方不在市外'), ('counterparty_location_unknown', '交易对方所在地不明'), ('transfer_not_in_city', '技术未在本市转化（买方不在本市）'), ('unit_not_in_city', '单位不在本市'), ('unit_not_in_province', '单位不在本省'), ('unit_kind_mismatch', '单位类型不符'), ('qualification_level', '资质或级别不符'), ('not_newly_recognised', '非基数年度新认定'), ('already_awarded', '已获得过该项一次性奖励'), ('not_party', '单位不是合同的相应当事方'), ('not_in_base_year', '不在基数年度内'), ('payment_not_evidenced', '付款缺少转账凭证或发票'), ('grade_missing', '未评定绩效档次或档次无奖励'), ('amount_missing', '未核定奖励金额'), ('instalment_invalid', '分期节点无效或已支持'), ('no_base', '没有可计入的基数'), ('declaration_not_accepted', '申报未通过复审'), ('not_challenge_contract', '非揭榜挂帅项目合同'), ('stage_not_reached', '分期节点尚未达到')], max_length=40, verbose_name='原因代码'),
        ),
    ]
