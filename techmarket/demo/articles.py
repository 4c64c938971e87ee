"""The seed cities' policy documents as 政策文件 entries, and a few 通知公告.

Titles, issuing authorities and document numbers are those of the real documents; the bodies are
short summaries written for the demo, pointing at what the platform implements from each.
"""
from __future__ import annotations

import datetime

from django.utils import timezone

from techmarket.accounts.models import User

POLICIES = {
    "4106": [{
        "title": "关于印发《鹤壁市创新驱动提速增效工程实施方案》和《鹤壁市技术转移体系建设实施方案》的通知",
        "authority": "鹤壁市建设创新型城市工作领导小组", "number": "鹤创新领〔2019〕2号", "date": "2019-03-01",
        "summary": "提出创新驱动提速增效工程和技术转移体系建设的目标任务，明确技术合同登记与奖补政策。",
        "body": "本方案围绕创新主体培育、创新平台建设、技术转移体系和科技金融等方面部署重点任务。\n\n"
                "技术转移方面：支持企业购买省外先进技术在本市转化，按上年度技术合同实际支付额给予奖补；"
                "支持省内高校院所在本市实施成果转化；支持省级以上技术转移示范机构开展技术转移服务。\n\n"
                "在全国技术合同登记系统中登记的技术合同方可享受财政奖补政策。平台据此在“补助政策”中配置规则。",
    }],
    "1301": [{
        "title": "关于石家庄市创建全省科技创新示范市的实施意见",
        "authority": "石家庄市人民政府", "number": "", "date": "2018-06-01",
        "summary": "明确创建全省科技创新示范市的总体目标，到 2020 年高新技术企业达到 1400 家、技术交易总额达到 100 亿元。",
        "body": "实施意见从培育创新主体、建设创新平台、集聚创新人才、促进成果转化和完善创新生态等方面提出举措。\n\n"
                "主要目标：到 2020 年全市高新技术企业达到 1400 家，技术交易总额达到 100 亿元。"
                "科研经费管理方面，对间接费用比例、会议差旅费等作出放宽规定。",
    }],
    "5119": [{
        "title": "巴中市促进科技成果转移转化行动方案",
        "authority": "巴中市科学技术局", "number": "", "date": "2017-07-10",
        "summary": "到 2020 年转化科技成果 300 项、技术合同登记交易额 3 亿元，建设科技成果转移转化服务平台。",
        "body": "行动方案提出建设科技成果信息汇交与发布、技术交易网络平台和科技成果转化服务体系。\n\n"
                "主要目标：到 2020 年转化科技成果 300 项以上，登记技术合同交易额 3 亿元。",
    }],
    "4116": [{
        "title": "周口市人民政府办公室关于印发周口市支持科技成果转化促进产学研用深度融合若干措施的通知",
        "authority": "周口市人民政府办公室", "number": "周政办〔2023〕63号", "date": "2023-11-24",
        "summary": "支持企业吸纳市外技术、高校院所在本市转化成果、技术转移机构服务，推行揭榜挂帅，到 2025 年技术市场合同成交额达到 20 亿元。",
        "body": "若干措施包括：支持企业购买市外技术成果在本市转化，按上年度实际成交额给予补助；"
                "支持驻周高校院所在市内转化成果；技术转移机构促成的成果在本市转化，按技术交易额给予奖补；"
                "实施揭榜挂帅，对入选项目按合同金额一定比例给予立项支持。\n\n"
                "到 2025 年，全市技术市场合同成交额达到 20 亿元。",
    }],
    "4101": [{
        "title": "关于印发2019年郑州市科技创新工作要点的通知",
        "authority": "郑州市科学技术局", "number": "郑科〔2019〕1号", "date": "2019-03-26",
        "summary": "2019 年全市科技创新主要目标与重点任务，附县（市、区）、开发区目标任务分解表。",
        "body": "主要目标：研发投入占 GDP 比重 2%，高新技术产业增加值占规上工业增加值比重 48%，科技进步贡献率 64%，"
                "新增有效高新技术企业 500 家、科技型企业 800 家，技术合同成交额 115 亿元，万人发明专利拥有量 16 件，"
                "新建省级以上创新平台 200 个，引进人才 200 名（其中顶尖人才团队 5 个），新型研发机构 10 家。\n\n"
                "附件列出 16 个县（市、区）和开发区的 8 项目标任务分解，纳入督查考核并定期通报。",
    }],
}

NOTICES = [
    ("科技大市场平台上线试运行的通知", "平台面向全市企业、高校院所、科研人员和服务机构开放注册，"
     "可在线维护单位信息、人才信息和创新平台信息。"),
    ("关于开展 2026 年度高新技术后备企业入库工作的通知", "请各县（市、区）科技管理部门组织符合条件的企业"
     "在平台上完善单位信息，由县区初审后报市科技局。"),
]


def load_articles(loader) -> None:
    from techmarket.portal.models import Article, PortalCity
    from techmarket.portal.services import article_create

    created = 0
    for city4, docs in POLICIES.items():
        city = PortalCity.objects.filter(region__code=city4 + "00").first()
        bureau = User.objects.filter(username=f"bureau-{city4}").first()
        if city is None or bureau is None:
            continue
        for doc in docs:
            if Article.objects.filter(city=city, title=doc["title"]).exists():
                continue
            published = timezone.make_aware(datetime.datetime.fromisoformat(doc["date"] + "T09:00:00"))
            article_create(by=bureau, city=city, kind="policy", title=doc["title"], body=doc["body"],
                           summary=doc["summary"], issuing_authority=doc["authority"],
                           document_number=doc["number"], published_at=published, publish=True)
            created += 1
        for n, (title, body) in enumerate(NOTICES):
            title = f"{city.region.name}{title}" if n == 0 else title
            if Article.objects.filter(city=city, title=title).exists():
                continue
            article_create(by=bureau, city=city, kind="notice", title=title, body=body,
                           issuing_authority=city.bureau_name,
                           published_at=timezone.now() - datetime.timedelta(days=3 * (n + 1)), publish=True)
            created += 1
    loader.say(f"政策文件和通知公告：新建 {created} 篇。\n")
