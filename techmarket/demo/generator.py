"""Plausible, generated registry records for the five seed cities (no real person's data).

Everything is drawn from a seeded random generator, so two runs produce the same records and
`techmarket demo` stays idempotent.
"""
from __future__ import annotations

import csv
import datetime
import random
from dataclasses import dataclass, field
from pathlib import Path

from techmarket.directory.credit_code import ALPHABET, check_character

DATA = Path(__file__).resolve().parent / "data"

SEED_CITIES = {
    "130100": ("石家庄", "石家庄市科学技术局"),
    "410100": ("郑州", "郑州市科学技术局"),
    "410600": ("鹤壁", "鹤壁市科学技术局"),
    "411600": ("周口", "周口市科学技术局"),
    "511900": ("巴中", "巴中市科学技术局"),
}

BRANDS = list("华中宇恒瑞博新金汇鼎盛智天泰远达信德安嘉海润合众宏峰凯锐晟启明辰航拓云腾正豫冀蜀淇")
# industry word → (hitech field codes, GB/T 4754 class)
INDUSTRIES = [
    ("智能科技", ["103", "801"], "6531"), ("电子信息", ["102", "106"], "3979"), ("软件技术", ["101"], "6513"),
    ("生物科技", ["201", "206"], "2761"), ("医疗器械", ["205"], "3581"), ("新材料", ["401", "402"], "3099"),
    ("高分子材料", ["403"], "2651"), ("机械制造", ["804", "805"], "3499"), ("自动化设备", ["801", "803"], "3411"),
    ("环保科技", ["701", "703"], "7721"), ("新能源", ["601", "603"], "4415"), ("节能技术", ["604"], "7514"),
    ("农业科技", ["207"], "0511"), ("检测技术", ["502"], "7452"), ("光电科技", ["106"], "3976"),
    ("网络科技", ["104", "107"], "6432"), ("电力设备", ["806"], "3829"), ("汽车零部件", ["807"], "3670"),
    ("中药科技", ["202"], "2740"), ("食品科技", ["206"], "1499"),
]
SUFFIXES = ["有限公司", "有限公司", "股份有限公司", "有限责任公司"]
INSTITUTE_FIELDS = ["农业科学", "林业科学", "畜牧兽医", "化工", "机械", "电子技术", "环境保护", "中医药", "材料",
                    "水利", "食品工业", "信息技术", "纺织", "地质矿产", "能源"]
SURNAMES = list("王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤")
GIVEN = list("伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉萍红鹏飞斌建波辉宁欣悦晨浩宇轩博文思远志国庆海峰睿哲琳雪梅兰婷颖晓东旭阳光")
TITLES = ["教授", "研究员", "高级工程师", "副教授", "副研究员", "正高级工程师", "工程师", "讲师"]
EXPERTISE = {
    "101": "工业软件、嵌入式系统与软件工程", "102": "集成电路设计与微电子器件", "103": "大数据分析与云计算平台",
    "104": "5G 通信与物联网技术", "106": "新型电子元器件与传感器", "107": "网络与信息安全",
    "201": "生物医药、基因工程与疫苗", "202": "中药现代化与天然药物", "205": "医疗器械与医学影像",
    "207": "作物育种与农业生物技术", "401": "高性能金属材料与轻合金", "402": "陶瓷与无机非金属材料",
    "403": "高分子材料改性与复合材料", "601": "光伏与风电等可再生能源", "603": "储能与动力电池",
    "604": "工业节能与余热利用", "701": "污水处理与水资源利用", "703": "固体废物资源化利用",
    "801": "工业过程控制与智能制造", "804": "先进制造工艺与装备", "806": "电力系统与智能电网",
    "807": "汽车及轨道车辆技术",
}
# The level-1 disciplines (GB/T 13745) an expert of each expertise would hold: a search or a match that votes for a
# discipline must find experts of that discipline working in it, not a metals expert filed under 中医学与中药学.
EXPERTISE_DISCIPLINES = {
    "101": ["520"], "102": ["510"], "103": ["520"], "104": ["510"], "106": ["510"], "107": ["520"],
    "201": ["350", "180"], "202": ["360"], "205": ["320", "416"], "207": ["210", "180"], "401": ["430", "450"],
    "402": ["430"], "403": ["430", "530"], "601": ["480"], "603": ["480", "470"], "604": ["470", "480"],
    "701": ["610"], "703": ["610"], "801": ["413", "460"], "804": ["460"], "806": ["470"], "807": ["580", "460"],
}
PLATFORM_KINDS = [
    ("key_lab", "重点实验室"), ("eng_centre", "工程技术研究中心"), ("design_centre", "工业设计中心"),
    ("incubator", "科技企业孵化器"), ("maker_space", "众创空间"), ("xingchuang", "星创天地"),
    ("academician_station", "院士工作站"), ("pilot_base", "中试基地"),
]
ORG_CODE_WEIGHTS = [3, 7, 9, 10, 5, 8, 4, 2]
ORG_CODE_CHARS = "0123456789ABCDEFGHJKLMNPQRTUWXY"


def org_code(rng: random.Random) -> str:
    """A 9-character organization code (GB 11714) with its own check character."""
    body = "".join(rng.choice(ORG_CODE_CHARS) for _ in range(8))
    values = {c: (int(c) if c.isdigit() else ord(c) - 55) for c in body}
    total = sum(values[c] * w for c, w in zip(body, ORG_CODE_WEIGHTS))
    check = 11 - total % 11
    return body + ("X" if check == 10 else "0" if check == 11 else str(check))


def credit_code(rng: random.Random, region_code: str, prefix: str = "91") -> str:
    """prefix: 91 enterprise, 12 public institution, 11 government organ, 52 social organization."""
    first17 = prefix + region_code + org_code(rng)
    assert all(c in ALPHABET for c in first17)
    return first17 + check_character(first17)


def person_name(rng: random.Random) -> str:
    return rng.choice(SURNAMES) + "".join(rng.choice(GIVEN) for _ in range(rng.choice([1, 2, 2])))


def demo_phone(rng: random.Random) -> str:
    return rng.choice(["139", "138", "137", "186", "158"]) + f"{rng.randrange(10**8):08d}"


def universities() -> list[dict]:
    with open(DATA / "universities.csv", encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


@dataclass
class OrgSpec:
    name: str
    credit_code: str
    kind: str
    region: str
    party_nature: str
    industry: str = ""
    tech_fields: list[str] = field(default_factory=list)
    description: str = ""
    address: str = ""
    qualifications: list[tuple] = field(default_factory=list)
    contact: tuple | None = None


def enterprise_spec(rng: random.Random, city_short: str, region_code: str, district_name: str,
                    used: set[str]) -> OrgSpec:
    while True:
        word, fields, industry = rng.choice(INDUSTRIES)
        name = f"{city_short}{rng.choice(BRANDS)}{rng.choice(BRANDS)}{word}{rng.choice(SUFFIXES)}"
        if name not in used:
            used.add(name)
            break
    today = datetime.date(2026, 11, 1)
    quals = []
    roll = rng.random()
    if roll < 0.22:
        start = today - datetime.timedelta(days=rng.randrange(30, 1000))
        quals.append(("hitech", "national", start, start + datetime.timedelta(days=3 * 365 - 1)))
    elif roll < 0.30:
        start = today - datetime.timedelta(days=rng.randrange(30, 300))
        quals.append(("hitech_reserve", "provincial", start, None))
    if rng.random() < 0.35:
        start = datetime.date(today.year, rng.randrange(3, 10), 15)
        quals.append(("tech_sme", "", start, datetime.date(today.year, 12, 31)))
    if rng.random() < 0.05:
        start = today - datetime.timedelta(days=rng.randrange(60, 700))
        quals.append(("specialised", "provincial", start, start + datetime.timedelta(days=3 * 365)))
    nature = rng.choice(["45", "45", "45", "46", "47", "41"])
    return OrgSpec(
        name=name, credit_code=credit_code(rng, region_code), kind="enterprise", region=region_code,
        party_nature=nature, industry=industry, tech_fields=fields,
        description=f"专注于{word}领域的研发、生产与技术服务，拥有自主知识产权的核心产品。",
        address=f"{district_name}{rng.choice(['科学大道', '金水路', '长江路', '创新路', '建设路', '工业路'])}{rng.randrange(1, 300)}号",
        qualifications=quals,
        contact=(person_name(rng), rng.choice(["总经理", "技术总监", "办公室主任"]), demo_phone(rng)),
    )
