"""Ship a default confidentiality agreement (保密协议) as the current version.

Bureaus publish their own versions in the admin; a signed version never changes.
"""
from django.db import migrations

TITLE = "科技大市场保密信息查看协议"
VERSION = "2025-1"
BODY = """\
本协议由申请查看保密信息的一方（以下简称“接收方”）在科技大市场平台（以下简称“平台”）上签署，\
适用于接收方经信息所有者（以下简称“披露方”）批准后通过平台查看的全部保密信息。接收方勾选同意并提交，\
即表示接收方及其所代表的单位已阅读、理解并接受本协议全部条款。

第一条 保密信息的范围
保密信息是指披露方通过平台向接收方提供、且未在平台公开部分展示的全部信息，包括但不限于技术方案、\
工艺流程、配方、设计图纸、实验数据、源代码、专利申请文件、技术秘密、报价、客户与合作信息、经营信息，\
以及接收方在查看上述信息过程中知悉的其他非公开信息，无论其载体和表现形式。

第二条 不属于保密信息的情形
下列信息不属于保密信息，但接收方应当对此承担举证责任：
（一）接收方查看前已经合法知悉，且有书面记录证明的；
（二）非因接收方过错已经为公众所知悉的；
（三）接收方从有权披露的第三方合法取得且未负保密义务的；
（四）接收方独立开发且未使用保密信息的。

第三条 使用目的
接收方只能为评估与披露方开展技术转让、许可、合作开发、作价入股、技术咨询或技术服务等合作的可行性\
使用保密信息，不得用于其他任何目的，不得据此申请专利或进行反向工程。

第四条 保密义务
（一）接收方应当以不低于保护自身同类保密信息的谨慎程度，且不低于合理的谨慎程度，保护保密信息；
（二）未经披露方书面同意，接收方不得向任何第三方披露、转让、许可使用保密信息；
（三）接收方只能向为第三条目的确需知悉的本单位工作人员披露保密信息，并应确保其遵守本协议；\
该等人员的违约行为视为接收方的违约行为；
（四）未经披露方书面同意，接收方不得复制、摘录、截屏或以其他方式留存保密信息，为第三条目的确需留存的除外。

第五条 依法披露
接收方依照法律法规或者司法机关、行政机关的要求必须披露保密信息的，应当在法律允许的范围内事先书面通知\
披露方，并仅在要求的范围内披露。

第六条 查看记录
接收方知悉并同意，平台记录每一次查看保密信息的时间、账号、单位、IP 地址和查看内容，披露方可以查阅上述记录；\
该记录可以作为认定查看行为的依据。

第七条 授权的撤销与信息的返还
披露方可以随时通过平台撤销查看授权。授权撤销、合作终止或者披露方书面要求时，接收方应当立即停止使用保密信息，\
并返还或者销毁其留存的保密信息及其复制件。

第八条 保密期限
本协议的保密义务自接收方签署之日起生效，至保密信息依第二条成为公开信息之日终止；查看授权被撤销或者\
合作未能达成的，不影响保密义务的继续履行。

第九条 无权利转让
披露保密信息不构成披露方对接收方任何知识产权的转让或者许可，也不构成披露方对保密信息准确性、\
完整性或者适用性的保证。双方的合作以另行签订的技术合同为准。

第十条 违约责任
接收方违反本协议的，应当立即停止违约行为，并赔偿披露方因此遭受的全部损失；平台可以依照平台规则\
暂停或者终止接收方的账号，并将违约情况记入诚信档案。

第十一条 法律适用与争议解决
本协议适用中华人民共和国法律，包括《中华人民共和国民法典》《中华人民共和国反不正当竞争法》\
《中华人民共和国促进科技成果转化法》。因本协议发生的争议，双方应协商解决；协商不成的，\
任何一方可以向披露方所在地有管辖权的人民法院提起诉讼。

第十二条 其他
披露方与接收方另行签订的保密协议对同一事项有不同约定的，以另行签订的协议为准。本协议以电子方式签署，\
与书面签署具有同等法律效力。
"""


def create(apps, schema_editor):
    DisclosureTerms = apps.get_model("disclosure", "DisclosureTerms")
    if DisclosureTerms.objects.filter(version=VERSION).exists():
        return
    has_current = DisclosureTerms.objects.filter(is_current=True).exists()
    DisclosureTerms.objects.create(title=TITLE, version=VERSION, body=BODY, is_current=not has_current)


def remove(apps, schema_editor):
    DisclosureTerms = apps.get_model("disclosure", "DisclosureTerms")
    DisclosureTerms.objects.filter(version=VERSION, requests__isnull=True).delete()


class Migration(migrations.Migration):
    dependencies = [("disclosure", "0001_initial")]

    operations = [migrations.RunPython(create, remove)]
