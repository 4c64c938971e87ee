"""The demo's 成果库 and 需求库 (issue 3 item 8): 1,000 achievements from the CSL records and ~150 demands.

Achievements: the title, abstract, keywords and discipline of the 1,000 Apache-2.0 CSL records
(data/csl_achievements.jsonl, see data/SOURCE.md), spread over the seed cities' universities and
institutes; the discipline is mapped to GB/T 13745 through the csl_discipline taxonomy's ``mapped_to``;
the technology field, TRL, transfer modes, price and confidential detail are drawn for the demo.
Demands: the demo enterprises' technical problems, written from the templates below.

Every record goes through the services as users would: the owner creates and submits it, the city's
bureau administrator (bureau-<city>) approves, returns or rejects it, so the history is real. Only the
dates of published records are then moved back (publication spread over the past year, the workflow
rows moved with them), so the lists look lived-in and some records are inside the renewal window.
Idempotent: records are matched by owner and title.
"""
from __future__ import annotations

import datetime
import json
import random
from decimal import Decimal

from django.contrib.auth.models import Group
from django.contrib.contenttypes.models import ContentType
from django.db.models import Q
from django.utils import timezone

from techmarket.accounts.models import User
from techmarket.accounts.roles import Role
from techmarket.achievements import services as achievement_services
from techmarket.achievements.models import Achievement
from techmarket.achievements.records import add_months
from techmarket.achievements.selectors import market_setting_current
from techmarket.core.models import ObjectChange, StatusChange
from techmarket.demands import services as demand_services
from techmarket.demands.models import Demand
from techmarket.directory.models import Organization
from techmarket.taxonomies.models import Term

from . import generator as g

CSL_FILE = g.DATA / "csl_achievements.jsonl"
DEMANDS = 150
SEED = 20261124

# CSL discipline → plausible fields of 国家重点支持的高新技术领域 (level 2).
DISCIPLINE_FIELDS = {
    "中医学/中药学": ["202"], "食品科学与工程": ["206"], "材料科学与工程": ["401", "402", "403"],
    "交通运输工程": ["807", "506"], "园艺学": ["207"], "环境科学与工程": ["701", "702", "703", "707"],
    "基础医学/临床医学": ["201", "205"], "水产": ["207"], "化学/化学工程与技术": ["405", "707"],
    "药学": ["203", "204"], "纺织科学与工程": ["403", "809"], "土木工程": ["402", "507"],
    "计算机科学与技术": ["101", "103", "503"], "信息与通信工程": ["104", "105"], "光学工程": ["106", "803"],
    "地质学/地质资源与地质工程": ["708"], "石油与天然气工程": ["708", "601"], "地理学": ["706", "101"],
    "农业工程": ["207", "805"], "力学": ["804", "501"], "电子科学与技术": ["102", "106"],
    "兵器科学与技术": ["804", "803"], "电气工程": ["806", "604"], "动力工程及工程热物理": ["604", "601"],
    "大气科学": ["702", "705"], "船舶与海洋工程": ["808"], "冶金工程": ["401", "707"],
    "生物学/生物科学与工程": ["201", "206", "207"], "作物学": ["207"], "数学": ["501", "101"],
    "机械工程": ["804", "805"], "口腔医学": ["205", "404"], "农业资源利用": ["207", "706"],
    "建筑学": ["507", "604"], "矿业工程": ["708", "802"], "海洋科学": ["706", "808"],
    "畜牧学/兽医学": ["207", "201"], "测绘科学与技术": ["101", "803"], "林学/林业工程": ["706", "207"],
    "公共卫生与预防医学": ["201", "507"], "物理学": ["106", "501"], "控制科学与工程": ["801", "803"],
    "核科学与技术": ["602"], "水利工程": ["701"], "航空宇航科学与技术": ["301", "302"],
    "地球物理学": ["708", "705"], "植物保护": ["207"], "天文学": ["302"], "军事学": ["504"],
    "图书馆、情报与档案管理": ["503", "505"], "工商管理": ["504", "505"], "农林经济管理": ["504"],
    "公共管理": ["507"], "应用经济学": ["504"], "理论经济学": ["504"], "法学": ["505"],
    "新闻传播学": ["508"], "艺术学": ["508", "406"], "哲学": ["508"], "历史学": ["508"],
    "民族学": ["508"], "政治学": ["507"], "社会学": ["507"], "教育学": ["503", "508"],
    "体育学": ["504"], "心理学": ["504"], "中国语言文学": ["508"],
}
COMPUTING = {"101", "103", "503", "104", "105"}

CONFIDENTIAL = [
    "关键工艺参数、配方比例及中试数据（共 {n} 组），签署保密协议后提供。",
    "核心算法实现细节与测试数据集说明；专利申请文件全文 {n} 页。",
    "技术方案全文、实验记录和第三方检测报告（{n} 份）。",
    "设备结构图纸、控制程序说明及小试、中试放大数据。",
    "样品制备流程、性能测试原始数据和成本核算表（{n} 项指标）。",
]
RETURN_COMMENTS = ["请补充成果的应用场景和主要技术指标。", "价格与成熟度说明不一致，请核实后重新提交。",
                   "摘要过于学术化，请补充可转化的产品或工艺形态。", "请补充知识产权证明材料。"]
REJECT_COMMENTS = ["与已发布成果重复。", "不属于技术成果，建议以政策研究报告形式另行报送。"]

# Enterprise problems: (hitech field, title — {v} takes each variant —, description, keywords, budget 万元).
DEMAND_TEMPLATES = [
    ("603", "高效低成本{v}正极材料回收工艺", "公司年产生{v}废料约 800 吨，现采用火法回收，能耗高、锂回收率不足 80%。"
     "寻求湿法或直接再生工艺，锂回收率达到 90% 以上、单吨处理成本下降 20%，并可在现有厂房内完成中试。",
     ["电池回收", "正极材料", "湿法冶金"], (80, 300), ["锂电池", "三元锂电池", "磷酸铁锂电池", "钴酸锂电池"]),
    ("603", "{v}储能系统电池热管理优化", "储能集装箱运行中电芯温差超过 8℃，影响循环寿命。希望开发液冷板与均温控制策略，"
     "电芯温差控制在 3℃ 以内，并提供热仿真模型。", ["储能", "热管理", "液冷"], (50, 150), ["工商业", "光伏配套", "5G 基站备电", "数据中心"]),
    ("601", "分布式光伏电站智能运维与故障诊断", "公司运维 120 座屋顶光伏电站，人工巡检成本高。需要基于发电数据和无人机影像的"
     "故障诊断方法，识别热斑、遮挡和组串故障，准确率不低于 90%。", ["光伏运维", "故障诊断", "无人机巡检"], (30, 120), []),
    ("604", "{v}余热回收利用技术", "生产线排烟温度 180–260℃，余热未被利用。寻求余热回收换热与发电或供热方案，"
     "投资回收期不超过 4 年，需提供工程案例。", ["余热回收", "节能", "换热器"], (100, 500), ["窑炉烟气", "空压机", "化工反应釜", "铸造冲天炉"]),
    ("604", "电机系统能效提升与变频改造方案", "厂区 300 余台三相异步电机平均负载率低于 50%，希望通过永磁同步替换和变频控制"
     "提升系统能效 15% 以上，并提供能耗监测平台。", ["电机能效", "变频", "永磁同步"], (40, 200), []),
    ("403", "{v}用可降解材料改性", "现有产品使用 PE 材料，客户要求改用可降解材料。需要 PBAT/PLA 共混改性配方，"
     "拉伸强度不低于 20MPa、可吹膜加工，成本增加不超过 30%。", ["可降解", "PBAT", "共混改性"], (30, 100), ["快递包装袋", "农用地膜", "购物袋", "一次性餐具"]),
    ("403", "高性能{v}复合材料成型工艺", "拟开发碳纤维增强复合材料制品，现有手糊工艺孔隙率高、效率低。寻求 RTM 或模压成型工艺，"
     "孔隙率低于 2%，单件成型周期不超过 30 分钟。", ["碳纤维", "复合材料", "RTM"], (80, 260), ["汽车轻量化", "无人机机身", "体育器材", "风电叶片"]),
    ("401", "{v}铝合金薄壁件焊接变形控制", "薄壁铝合金结构件焊接后变形量超过 2mm，需大量校形。寻求焊接工艺与工装优化或"
     "搅拌摩擦焊方案，变形量控制在 0.5mm 以内。", ["铝合金", "焊接变形", "搅拌摩擦焊"], (40, 150), ["新能源汽车电池托盘", "轨道车辆", "冷链厢体", "光伏支架"]),
    ("401", "高强耐磨钢热处理工艺优化", "耐磨板淬火后硬度不均，局部开裂。希望优化淬火与回火工艺参数，硬度波动控制在 HB±15，"
     "开裂率降至 0.5% 以下。", ["耐磨钢", "热处理", "淬火"], (20, 80), []),
    ("402", "{v}陶瓷低温烧结技术", "现有烧结温度 1450℃，能耗高。寻求助烧剂与工艺方案，将烧结温度降低 150℃ 以上且"
     "力学性能不下降。", ["陶瓷", "低温烧结", "助烧剂"], (30, 120), ["氧化铝", "氮化硅", "建筑陶瓷", "卫生陶瓷"]),
    ("405", "水性{v}涂料配方开发", "按环保要求需将溶剂型涂料改为水性体系。需要附着力、耐盐雾（500 小时）达到现有产品水平的"
     "水性配方，VOC 低于 100g/L。", ["水性涂料", "VOC", "防腐"], (20, 90), ["工业防腐", "木器", "集装箱", "钢结构桥梁"]),
    ("804", "{v}视觉检测系统开发", "产品外观缺陷依靠人工目检，漏检率约 3%。需要基于机器视觉和深度学习的在线检测系统，"
     "节拍不低于 60 件/分钟，漏检率低于 0.5%。", ["机器视觉", "缺陷检测", "深度学习"], (50, 200), ["注塑件", "金属冲压件", "纺织面料", "锂电池极片", "药品包装"]),
    ("804", "精密零件加工{v}", "关键零件加工精度要求 ±0.005mm，现有工艺合格率仅 85%。寻求工艺路线优化与在线测量补偿方案，"
     "合格率提升至 98%。", ["精密加工", "在线测量", "误差补偿"], (30, 120), ["热变形补偿", "刀具磨损预测", "装夹优化", "五轴编程优化"]),
    ("801", "生产线数字化改造与 MES 系统实施", "公司有 6 条装配线，生产数据靠纸质记录。需要设备联网、数据采集和 MES 系统，"
     "实现工单、质量追溯和设备 OEE 统计。", ["MES", "设备联网", "智能制造"], (80, 300), []),
    ("801", "{v}过程控制优化", "关键工段依赖人工经验调节，产品质量波动大。希望建立过程模型和先进控制（APC）策略，"
     "关键指标标准差降低 30%。", ["过程控制", "APC", "建模"], (50, 180), ["反应釜温度", "干燥工段", "精馏塔", "水泥回转窑"]),
    ("805", "农机{v}关键部件研发", "现有产品在复杂工况下故障率偏高，需联合开发关键部件并完成田间试验，可靠性提升 50%。",
     ["农业机械", "可靠性", "田间试验"], (60, 200), ["玉米收获机", "植保无人机", "秸秆打捆机", "花生收获机"]),
    ("803", "{v}在线监测传感器开发", "需开发适用于现场工况的在线监测传感器和数据采集终端，测量精度 ±1%，"
     "防护等级 IP67，支持 4G/NB-IoT 传输。", ["传感器", "在线监测", "物联网"], (30, 120), ["水质", "粉尘浓度", "振动", "油液品质"]),
    ("806", "配电网{v}技术", "希望与高校合作研究配电网运行中的关键问题，形成可装备化的样机并在园区配电网试点。",
     ["配电网", "电能质量", "样机"], (50, 200), ["故障定位", "电能质量治理", "分布式电源接入", "台区线损分析"]),
    ("807", "新能源汽车{v}开发", "公司为整车厂配套，需开发满足新一代平台要求的零部件，完成台架和道路试验。",
     ["新能源汽车", "零部件", "台架试验"], (100, 400), ["电驱动减速器降噪", "轻量化底盘件", "热泵空调控制器", "车载充电机"]),
    ("101", "{v}管理系统开发", "现有业务依靠表格和多个孤立系统，需开发一体化管理软件，支持移动端、权限管理和数据报表，"
     "可在本地服务器部署。", ["管理系统", "软件开发", "数据报表"], (20, 80), ["仓储物流", "设备运维", "质量追溯", "供应链协同", "能耗管理"]),
    ("103", "工业数据{v}平台建设", "需整合生产、设备和能耗数据，建设数据平台并提供分析模型，支持故障预警和能耗优化。",
     ["工业大数据", "数据平台", "故障预警"], (60, 200), ["分析", "中台", "可视化", "治理"]),
    ("104", "厂区 5G 专网与{v}应用", "拟建设厂区 5G 专网，需要方案设计和典型应用开发，时延低于 20ms。",
     ["5G专网", "工业互联网", "远程控制"], (80, 300), ["AGV 调度", "远程运维", "高清视频质检", "设备预测性维护"]),
    ("107", "工控系统网络安全防护", "生产控制网络与办公网存在交叉，需开展安全评估并建设防护体系，满足等保 2.0 三级要求。",
     ["工控安全", "等保2.0", "安全评估"], (30, 100), []),
    ("102", "{v}芯片国产化替代方案", "现用进口芯片供货周期长，需评估国产替代方案并完成电路改版和可靠性验证。",
     ["芯片", "国产化", "可靠性验证"], (50, 200), ["电机驱动", "电源管理", "通信模组", "工业控制 MCU"]),
    ("106", "{v}传感器封装工艺改进", "传感器批量一致性差，封装应力导致零点漂移。寻求封装工艺改进，零点漂移降低 50%。",
     ["传感器封装", "零点漂移", "MEMS"], (30, 120), ["压力", "温湿度", "气体", "流量"]),
    ("201", "{v}快速检测试剂盒开发", "需开发现场快速检测试剂盒，检测时间不超过 15 分钟，灵敏度和特异性均不低于 95%。",
     ["快速检测", "试剂盒", "免疫层析"], (50, 200), ["兽药残留", "病原微生物", "农药残留", "非洲猪瘟病毒"]),
    ("202", "{v}有效成分提取纯化工艺", "现有提取收率低、溶剂消耗大。寻求绿色提取与纯化工艺，有效成分收率提升 20%，"
     "并满足中试放大要求。", ["中药提取", "纯化", "绿色工艺"], (40, 150), ["金银花", "连翘", "山药", "怀菊花", "艾叶"]),
    ("203", "{v}原料药合成工艺优化", "现有合成路线步骤多、收率低，三废处理压力大。寻求工艺路线优化，总收率提高 15% 以上。",
     ["原料药", "合成工艺", "绿色化学"], (80, 300), ["抗感染类", "心血管类", "解热镇痛类", "抗肿瘤类"]),
    ("205", "{v}医疗器械研发与注册", "拟开发二类医疗器械新产品，需联合完成样机研制、性能测试和注册检验。",
     ["医疗器械", "注册检验", "样机"], (100, 400), ["康复训练", "智能输液监护", "便携式超声", "远程心电监测"]),
    ("206", "{v}发酵工艺优化", "发酵产率和批次稳定性不足，希望通过菌种选育和工艺优化提升产率 20%。",
     ["发酵", "菌种选育", "工艺优化"], (40, 150), ["酶制剂", "益生菌", "氨基酸", "生物农药"]),
    ("206", "{v}保鲜与货架期延长技术", "产品货架期仅 7 天，限制了销售半径。寻求不添加防腐剂的保鲜技术，货架期延长至 21 天。",
     ["食品保鲜", "货架期", "冷链"], (20, 80), ["鲜湿面条", "低温肉制品", "鲜切果蔬", "速冻水饺"]),
    ("207", "{v}新品种选育与栽培技术", "希望与农业科研单位合作选育适合本地的优质高产品种，并形成配套栽培技术规程。",
     ["品种选育", "栽培技术", "高产"], (30, 120), ["小麦", "食用菌", "设施蔬菜", "花生", "茶叶"]),
    ("207", "畜禽养殖{v}技术", "养殖场需要降低疫病风险和养殖成本，寻求可推广的技术方案并开展示范。",
     ["畜禽养殖", "疫病防控", "降本增效"], (30, 100), ["粪污资源化", "精准饲喂", "环境智能调控", "疫病智能预警"]),
    ("701", "{v}废水深度处理技术", "现有废水 COD 出水约 120mg/L，需提标至 50mg/L 以下，寻求经济可行的深度处理工艺。",
     ["废水处理", "深度处理", "提标改造"], (80, 300), ["印染", "食品加工", "化工园区", "制药"]),
    ("702", "{v}VOCs 治理技术", "车间 VOCs 排放浓度需满足最新地方标准，寻求吸附浓缩加催化燃烧等组合治理方案，"
     "去除效率不低于 90%。", ["VOCs治理", "催化燃烧", "废气处理"], (50, 200), ["喷涂车间", "印刷", "家具制造", "汽修"]),
    ("703", "{v}资源化利用技术", "公司每年产生固体废物约 2 万吨，需寻求资源化利用途径，形成有附加值的产品。",
     ["固废利用", "资源化", "建材"], (50, 250), ["粉煤灰", "建筑垃圾", "冶炼废渣", "废旧轮胎"]),
    ("707", "电镀{v}清洁生产改造", "需减少重金属排放和用水量，寻求替代工艺和回收技术，用水量降低 40%。",
     ["清洁生产", "电镀", "重金属回收"], (40, 150), ["无氰", "镀液回收", "逆流漂洗"]),
    ("502", "{v}检测方法开发与 CMA 认证支持", "公司拟拓展检测业务，需开发检测方法并通过资质认定评审。",
     ["检测方法", "CMA", "标准"], (20, 60), ["新材料力学性能", "食品微生物", "电磁兼容", "医疗器械生物相容性"]),
    ("501", "{v}产品工业设计与结构优化", "现有产品外观老旧、结构件成本高，需要工业设计和结构仿真优化，成本降低 10%。",
     ["工业设计", "结构优化", "仿真"], (20, 80), ["智能家电", "医疗设备", "工程机械驾驶室", "电动自行车"]),
    ("506", "仓储物流{v}改造", "仓库拣选效率低、差错率高，需规划自动化改造并开发调度系统。",
     ["智慧物流", "仓储", "调度算法"], (60, 250), ["自动分拣", "AGV 搬运", "立体库", "冷链温控"]),
    ("505", "{v}领域专利布局与高价值专利培育", "公司核心产品的专利数量少、保护范围窄。希望与知识产权服务机构合作开展专利导航，"
     "形成覆盖核心技术的专利组合，三年内新增发明专利 10 件以上。", ["专利布局", "专利导航", "知识产权"], (10, 40),
     ["智能装备", "生物医药", "新能源汽车零部件"]),
    ("504", "研发管理体系建设与研发费用归集辅导", "公司拟申报高新技术企业，研发项目立项、研发费用归集和成果转化记录不规范。"
     "寻求服务机构建立研发管理制度并辅导落实。", ["研发管理", "高新技术企业", "研发费用"], (5, 20), []),
]

DISCLOSED_DEMAND_DETAIL = [
    "现有工艺流程图、关键设备清单和近一年的运行数据，签署保密协议后提供。",
    "产品图纸、现有技术指标和试验报告（{n} 份）。",
    "年需求量、现有供应商报价和目标成本测算表。",
]


def _seed_city_query() -> Q:
    query = Q(pk__in=[])
    for code in g.SEED_CITIES:
        query |= Q(region__path__startswith=_path(code))
    return query


def _path(city_code: str) -> str:
    return f"{city_code[:2]}0000/{city_code}/"


class MarketLoader:
    def __init__(self, loader):
        self.loader = loader
        self.rng = random.Random(SEED)
        self.now = timezone.now()
        self.months = market_setting_current().publication_months
        self.bureaus = {code: User.objects.filter(username=f"bureau-{code[:4]}").first() for code in g.SEED_CITIES}
        self.terms = {(t.scheme.code, t.code): t for t in Term.objects.filter(
            scheme__code__in=["hitech_domains", "ip_type"]).select_related("scheme")}
        self.csl = {t.name: min(t.mapped_to.all(), key=lambda m: m.code, default=None)
                    for t in Term.objects.filter(scheme__code="csl_discipline", level=2).prefetch_related("mapped_to")}
        self.groups = {role: Group.objects.get_or_create(name=role)[0] for role in (Role.INSTITUTION, Role.ENTERPRISE)}

    # -- owners and reviewers ------------------------------------------------------------------

    def reviewer_for(self, org: Organization) -> User | None:
        for code, user in self.bureaus.items():
            if org.region.path.startswith(_path(code)):
                return user
        return None

    def owner_for(self, org: Organization, role: str) -> User:
        """An active user of ``org`` with ``role``; generated organizations get a demo liaison account."""
        user = (User.objects.filter(organization=org, is_active=True, groups__name=role)
                .order_by("username").first())
        if user is not None:
            return user
        user = User(username=f"liaison-{org.credit_code.lower()}", name=g.person_name(random.Random(org.credit_code)),
                    email=f"liaison-{org.credit_code.lower()}@demo.techmarket.local", organization=org,
                    region=org.region, is_demo=True)
        user.set_unusable_password()  # acts for the demo records only; nobody logs in as it
        user.save()
        user.groups.add(self.groups[role])
        return user

    # -- dates -----------------------------------------------------------------------------------

    def backdate(self, record, *, days: int) -> None:
        """Move a just-published record's publication ``days`` back, its workflow rows with it."""
        published = self.now - datetime.timedelta(days=days, hours=self.rng.randrange(0, 9),
                                                   minutes=self.rng.randrange(60))
        submitted = published - datetime.timedelta(days=self.rng.randrange(1, 6), hours=self.rng.randrange(1, 8))
        created = submitted - datetime.timedelta(days=self.rng.randrange(0, 15), hours=self.rng.randrange(1, 8))
        model = type(record)
        model.objects.filter(pk=record.pk).update(
            created_at=created, updated_at=published, published_at=published, last_confirmed_at=published,
            expires_at=add_months(published, self.months))
        ct = ContentType.objects.get_for_model(model)
        rows = {"content_type": ct, "object_id": str(record.pk)}
        StatusChange.objects.filter(**rows, action="submit").update(created_at=submitted)
        StatusChange.objects.filter(**rows, action__in=("approve", "publish")).update(created_at=published)
        ObjectChange.objects.filter(**rows, action=ObjectChange.Action.CREATE).update(created_at=created)

    def state(self) -> str:
        roll = self.rng.random()
        return ("published" if roll < 0.82 else "submitted" if roll < 0.90 else "returned" if roll < 0.95
                else "draft" if roll < 0.99 else "rejected")

    def move(self, record, *, state: str, owner, reviewer, act, approve) -> None:
        """Take a new draft to ``state`` through the services."""
        if state == "draft":
            return
        record = act(record=record, action="submit", by=owner)
        if state == "returned":
            act(record=record, action="return", by=reviewer, reason_code=self.rng.choice(
                ["missing_materials", "incorrect_info", "unclear_description"]),
                comment=self.rng.choice(RETURN_COMMENTS))
        elif state == "rejected":
            act(record=record, action="reject", by=reviewer, reason_code="duplicate", comment=REJECT_COMMENTS[0])
        elif state == "published":
            approve(record=record, by=reviewer)
            self.backdate(record, days=self.rng.randrange(0, 361))

    # -- achievements ----------------------------------------------------------------------------

    def achievement_data(self, row: dict) -> dict:
        rng = self.rng
        field_code = rng.choice(DISCIPLINE_FIELDS.get(row["discipline"], ["504"]))
        trl = rng.randint(3, 8)
        if field_code in COMPUTING:
            ip = rng.choice(["04", "04", "01"])
        else:
            ip = rng.choices(["01", "02", "08", "09"], [60, 20, 15, 5])[0]
        if trl >= 6:
            modes = rng.sample(["transfer", "licence_exclusive", "licence_non_exclusive", "equity"], rng.randint(1, 3))
        else:
            modes = rng.sample(["licence_non_exclusive", "joint_development", "transfer"], rng.randint(1, 2))
        base = Decimal(5 + trl * trl * 3)  # 万元: a TRL 8 result asks more than a TRL 3 one
        data = {
            "title": row["title"][:200], "abstract": row["abstract"],
            "keywords": [k for k in row["keywords"] if len(k) <= 20][:10],
            "tech_field": self.terms[("hitech_domains", field_code)],
            "discipline": self.csl.get(row["discipline"]), "trl": trl,
            "ip_type": self.terms[("ip_type", ip)], "transfer_modes": modes,
        }
        roll = rng.random()
        if roll < 0.45:
            data["price"] = _wan(base * Decimal(rng.uniform(0.5, 3)))
        elif roll < 0.8:
            low = base * Decimal(rng.uniform(0.4, 1.2))
            data["price_min"], data["price_max"] = _wan(low), _wan(low * Decimal(rng.uniform(1.5, 3)))
        else:
            data["negotiable"] = True
        if rng.random() < 0.85:
            data["confidential_detail"] = rng.choice(CONFIDENTIAL).format(n=rng.randint(3, 40))
        return data

    def load_achievements(self, *, limit: int | None) -> int:
        hosts = list(Organization.objects.filter(_seed_city_query(), kind__in=["university", "institute"])
                     .select_related("region").order_by("pk"))
        if not hosts:
            return 0
        named = [o for o in hosts if o.name in self.loader.named]  # those with demo accounts get more
        with open(CSL_FILE, encoding="utf-8") as fh:
            rows = [json.loads(line) for line in fh if line.strip()]
        rows = rows[:limit] if limit is not None else rows
        existing = set(Achievement.objects.values_list("title", flat=True))
        owners: dict[int, User] = {}
        created = 0
        for n, row in enumerate(rows):
            # One generator per record: what a record gets does not depend on which others were skipped.
            self.rng = random.Random(SEED * 100_003 + n)
            org = named[n % len(named)] if named and n % 10 == 0 else self.rng.choice(hosts)
            data = self.achievement_data(row)
            state = self.state()
            if data["title"] in existing:
                continue
            reviewer = self.reviewer_for(org)
            if reviewer is None:
                continue
            if org.pk not in owners:
                owners[org.pk] = self.owner_for(org, Role.INSTITUTION)
            owner = owners[org.pk]
            record = achievement_services.achievement_create(by=owner, data=data)
            self.move(record, state=state, owner=owner, reviewer=reviewer,
                      act=lambda *, record, **kw: achievement_services.achievement_act(achievement=record, **kw),
                      approve=lambda *, record, by: achievement_services.achievement_approve(achievement=record, by=by))
            existing.add(data["title"])
            created += 1
        return created

    # -- demands ---------------------------------------------------------------------------------

    def demand_titles(self):
        """Every (template, title) pair, variants spread so consecutive demands differ."""
        pairs = []
        for template in DEMAND_TEMPLATES:
            variants = template[5] or [""]
            for v in variants:
                pairs.append((template, template[1].format(v=v), v))
        return pairs

    def demand_plan(self, enterprises: list[Organization], count: int) -> list[tuple]:
        """(organization, template, title, variant) for ``count`` demands; the same on every run."""
        rng = random.Random(SEED)
        named = [o for o in enterprises if o.name in self.loader.named]
        others = [o for o in enterprises if o.name not in self.loader.named]
        chosen = (named * 4 + rng.sample(others, min(len(others), max(0, count - len(named) * 4))))[:count]
        pairs = self.demand_titles()
        rng.shuffle(pairs)
        used, plan = set(), []
        for org in chosen:
            domains = {t.code[:2] for t in org.tech_fields.all()}
            free = [p for p in pairs if p[1] not in used]
            pick = next((p for p in free if p[0][0][:2] in domains), None) or (free[0] if free else None)
            if pick is None:
                break
            used.add(pick[1])
            plan.append((org, *pick))
        return plan

    def load_demands(self, *, count: int) -> int:
        enterprises = list(Organization.objects.filter(_seed_city_query(), kind="enterprise")
                           .select_related("region").prefetch_related("tech_fields").order_by("pk"))
        if not enterprises or count <= 0:
            return 0
        existing = set(Demand.objects.values_list("title", flat=True))
        owners: dict[int, User] = {}
        created = 0
        for n, (org, template, title, variant) in enumerate(self.demand_plan(enterprises, count)):
            if title in existing:
                continue
            reviewer = self.reviewer_for(org)
            if reviewer is None:
                continue
            self.rng = random.Random(SEED * 7 + n)
            field_code, _t, description, keywords, (low, high), _variants = template
            low = Decimal(low) * Decimal(self.rng.uniform(0.8, 1.2))
            high = max(low, Decimal(high) * Decimal(self.rng.uniform(0.8, 1.2)))
            data = {
                "title": title, "description": description.format(v=variant or "产品"),
                "keywords": keywords, "tech_field": self.terms[("hitech_domains", field_code)],
                "budget_min": _wan(low), "budget_max": _wan(high),
                "deadline": timezone.localdate() + datetime.timedelta(days=self.rng.randrange(45, 400)),
            }
            if self.rng.random() < 0.6:
                data["confidential_detail"] = self.rng.choice(DISCLOSED_DEMAND_DETAIL).format(n=self.rng.randint(2, 12))
            if org.pk not in owners:
                owners[org.pk] = self.owner_for(org, Role.ENTERPRISE)
            owner = owners[org.pk]
            record = demand_services.demand_create(by=owner, data=data)
            self.move(record, state=self.state(), owner=owner, reviewer=reviewer,
                      act=lambda *, record, **kw: demand_services.demand_act(demand=record, **kw),
                      approve=lambda *, record, by: demand_services.demand_approve(demand=record, by=by))
            existing.add(title)
            created += 1
        return created


def _wan(value: Decimal) -> str:
    """万元 (rounded to 0.5 万) → the yuan string the services take."""
    halves = max(1, int((value * 2).to_integral_value()))
    return f"{Decimal(halves) * 5000:.2f}"


def load_market(loader, *, limit: int | None = None, demands: int | None = None) -> None:
    """Demo achievements (the CSL records, or the first ``limit``) and demands (``demands``, default ~150)."""
    market = MarketLoader(loader)
    made = market.load_achievements(limit=limit)
    count = DEMANDS if demands is None else demands
    if limit is not None and demands is None:
        count = max(1, limit // 6)
    made_demands = market.load_demands(count=count)
    loader.say(f"成果库：新建 {made} 项；需求库：新建 {made_demands} 项。\n")
