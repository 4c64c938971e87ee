"""The targets written in the five seed cities' documents, as ready-made configurations (SPEC T5).

Every value cites its paragraph. ``ZHENGZHOU_2019_TABLE`` is seed 004's 附件 “2019年度科技创新工作主要
目标任务分解” cell by cell (16 units × 8 indicators, in the document's row and column order); the units do
not add up to the city's targets (e.g. 700 vs 500 新增有效高新技术企业, 55.5 vs 115 亿元), which the sum
check reports and never corrects. ``seed_configurations_load()`` writes them (idempotent);
``zhengzhou_demo_year_load()`` copies 郑州's set to another year as a clearly labelled demo configuration.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from django.db import transaction

from techmarket.regions.models import Region
from techmarket.regions.selectors import region_resolve

from .models import Indicator, Target
from .services import clean_indicator, target_set


@dataclass(frozen=True)
class IndicatorSpec:
    code: str
    name: str
    unit: str
    kind: str                        # count | amount | level
    computation: str = ""            # empty: reported by districts
    params: dict = field(default_factory=dict)
    aliases: tuple[str, ...] = ()
    description: str = ""


@dataclass(frozen=True)
class TargetSpec:
    code: str
    year: int
    value: str
    citation: str


@dataclass(frozen=True)
class CityConfig:
    city: str                        # 6-digit code
    document: str                    # the seed document, for citations
    seed: str                        # seed file
    indicators: tuple[IndicatorSpec, ...]
    targets: tuple[TargetSpec, ...]


HITECH_NET_NEW = {"kind": "hitech", "min_level": ""}
CONTRACTS_SELLER = {"amount": "total", "side": "seller"}

# --------------------------------------------------------------------------- 郑州 2019 (seed 004)

ZZ_DOC = "郑州市科学技术局《2019年郑州市科技创新工作要点》（郑科〔2019〕1号）"
ZZ_MAIN = ZZ_DOC + " 二、主要目标 第{n}条"
ZZ_TABLE = ZZ_DOC + " 附件：2019年度科技创新工作主要目标任务分解"

ZHENGZHOU_INDICATORS = (
    IndicatorSpec("rd_gdp_share", "全社会研发投入占GDP的比重", "%", "level",
                  aliases=("全社会研发投入占GDP的比重", "研发投入占GDP比重", "研发投入占GDP"),
                  description="统计部门口径，县区填报、市局审核"),
    IndicatorSpec("hitech_value_added_share", "高新技术产业增加值占规模以上工业增加值比重", "%", "level",
                  aliases=("高新技术产业增加值占比",)),
    IndicatorSpec("tech_progress_contribution", "科技进步贡献率", "%", "level"),
    IndicatorSpec("hitech_net_new", "新增有效高新技术企业", "家", "count", "qualified_net_new", HITECH_NET_NEW,
                  aliases=("新增有效高新技术企业",),
                  description="期末有效高新技术企业证书数减期初有效数"),
    IndicatorSpec("tech_enterprise_new", "新增科技型企业", "家", "count", "qualified_recognised",
                  {"kind": "tech_sme", "min_level": ""}, aliases=("新增科技型企业",),
                  description="期间内新入库（评价）的科技型（中小）企业数"),
    IndicatorSpec("contract_amount", "技术合同成交额", "亿元", "amount", "contract_amount", CONTRACTS_SELLER,
                  aliases=("国家网技术合同成交额",),
                  description="期间内（按登记日期）认定登记、卖方在本区域的技术合同的合同成交额"),
    IndicatorSpec("invention_patents_per_10k", "万人发明专利拥有量", "件/万人", "level"),
    IndicatorSpec("provincial_platforms_new", "新建省级及以上创新平台", "家", "count", "platforms_recognised",
                  {"kinds": [], "min_level": "provincial"},
                  aliases=("搭建省级以上创新引领型平台", "新建省级以上创新平台")),
    IndicatorSpec("talents_introduced", "引进领军人才和高层次紧缺人才", "人", "count",
                  aliases=("引进培育领军人才和高层次紧缺人才",)),
    IndicatorSpec("top_talent_teams", "其中：顶尖人才团队", "个", "count", aliases=("顶尖人才团队",)),
    IndicatorSpec("rd_institutions_new", "引进建设新型研发机构", "家", "count", "qualified_recognised",
                  {"kind": "rd_institution", "min_level": ""}, aliases=("引进建设新型研发机构数量",)),
    IndicatorSpec("academician_stations_new", "院士工作站建站", "家", "count", "platforms_recognised",
                  {"kinds": ["academician_station"], "min_level": ""},
                  aliases=("2019年院士工作站建站目标", "院士工作站建站目标")),
)

# The 11 values of 二、主要目标 (9 items; item 4 and item 8 hold two values each).
ZHENGZHOU_2019_MAIN = (
    TargetSpec("rd_gdp_share", 2019, "2", ZZ_MAIN.format(n=1)),
    TargetSpec("hitech_value_added_share", 2019, "48", ZZ_MAIN.format(n=2)),
    TargetSpec("tech_progress_contribution", 2019, "64", ZZ_MAIN.format(n=3)),
    TargetSpec("hitech_net_new", 2019, "500", ZZ_MAIN.format(n=4)),
    TargetSpec("tech_enterprise_new", 2019, "800", ZZ_MAIN.format(n=4)),
    TargetSpec("contract_amount", 2019, "115", ZZ_MAIN.format(n=5)),
    TargetSpec("invention_patents_per_10k", 2019, "16", ZZ_MAIN.format(n=6)),
    TargetSpec("provincial_platforms_new", 2019, "200", ZZ_MAIN.format(n=7)),
    TargetSpec("talents_introduced", 2019, "200", ZZ_MAIN.format(n=8)),
    TargetSpec("top_talent_teams", 2019, "5", ZZ_MAIN.format(n=8)),
    TargetSpec("rd_institutions_new", 2019, "10", ZZ_MAIN.format(n=9)),
    # Not one of the 主要目标, but stated in the text: 三、(二)5 “组建院士工作站10家”.
    TargetSpec("academician_stations_new", 2019, "10", ZZ_DOC + " 三、重点任务（二）第5条"),
)

ZHENGZHOU_TABLE_COLUMNS = (
    "全社会研发投入占GDP的比重(%)", "新增有效高新技术企业(家)", "新增科技型企业(家)",
    "搭建省级以上创新引领型平台(家)", "引进培育领军人才和高层次紧缺人才(人)", "引进建设新型研发机构数量(家)",
    "国家网技术合同成交额(亿元)", "2019年院士工作站建站目标(家)",
)
ZHENGZHOU_TABLE_CODES = ("rd_gdp_share", "hitech_net_new", "tech_enterprise_new", "provincial_platforms_new",
                         "talents_introduced", "rd_institutions_new", "contract_amount", "academician_stations_new")
# (unit as written in the 附件, region code, the 8 cells)
ZHENGZHOU_2019_TABLE = (
    ("郑州高新区", "410172", ("8.7", "270", "300", "35", "45", "2", "7.5", "2")),
    ("郑州经开区", "410171", ("4.5", "46", "80", "25", "25", "2", "4.5", "2")),
    ("郑东新区", "410190", ("2.0", "46", "60", "15", "25", "2", "1.5", "2")),
    ("郑州航空港区", "410173", ("2.0", "46", "50", "20", "15", "2", "3.5", "2")),
    ("金水区", "410105", ("2.0", "99", "120", "25", "45", "2", "4.5", "2")),
    ("二七区", "410103", ("2.7", "19", "40", "8", "6", "1", "3.0", "1")),
    ("管城区", "410104", ("5.6", "19", "40", "8", "6", "1", "3.5", "1")),
    ("中原区", "410102", ("2.5", "19", "40", "8", "6", "1", "3.5", "1")),
    ("惠济区", "410108", ("3.0", "12", "20", "8", "6", "1", "3.0", "1")),
    ("上街区", "410106", ("2.3", "19", "20", "8", "6", "1", "3.0", "1")),
    ("登封市", "410185", ("1.1", "16", "35", "8", "6", "1", "3.0", "1")),
    ("新密市", "410183", ("1.0", "16", "35", "8", "6", "1", "3.0", "1")),
    ("新郑市", "410184", ("1.1", "16", "35", "8", "6", "1", "3.0", "1")),
    ("荥阳市", "410182", ("1.0", "16", "35", "8", "6", "1", "3.0", "1")),
    ("中牟县", "410122", ("2.0", "16", "20", "8", "6", "1", "3.0", "1")),
    ("巩义市", "410181", ("1.9", "25", "80", "8", "6", "1", "3.0", "1")),
)


def zhengzhou_table_targets(year: int = 2019) -> tuple[TargetSpec, ...]:
    out = []
    for _name, code, cells in ZHENGZHOU_2019_TABLE:
        for indicator_code, value in zip(ZHENGZHOU_TABLE_CODES, cells):
            out.append(TargetSpec(indicator_code, year, value, ZZ_TABLE + f"@{code}"))
    return tuple(out)


ZHENGZHOU = CityConfig("410100", ZZ_DOC, "004_0d77b8a8f3910f0d.txt", ZHENGZHOU_INDICATORS, ZHENGZHOU_2019_MAIN)

# --------------------------------------------------------------------------- 鹤壁 2019, 2020 (seed 000)

HB_DOC = "鹤壁市《创新驱动提速增效工程实施方案》（鹤创新领〔2019〕2号）"
HB_TT = "鹤壁市《技术转移体系建设实施方案》（鹤创新领〔2019〕2号）"
HEBI = CityConfig("410600", HB_DOC, "000_e720425f00aa2e77.txt", (
    IndicatorSpec("hitech_total", "高新技术企业总量", "家", "level", "qualified_total", HITECH_NET_NEW),
    IndicatorSpec("tech_sme_total", "国家科技型中小企业数量", "家", "level", "qualified_total",
                  {"kind": "tech_sme", "min_level": ""}),
    IndicatorSpec("hitech_reserve_total", "高新技术后备企业入库数", "家", "level", "qualified_total",
                  {"kind": "hitech_reserve", "min_level": ""}),
    IndicatorSpec("contract_amount", "技术合同成交额", "万元", "amount", "contract_amount", CONTRACTS_SELLER),
    IndicatorSpec("rd_spending", "全社会研发投入", "亿元", "amount"),
    IndicatorSpec("hitech_value_added_share", "高新技术产业增加值占规模以上工业增加值比重", "%", "level"),
    IndicatorSpec("tech_progress_contribution", "科技进步对经济增长的贡献率", "%", "level"),
    IndicatorSpec("platforms_new", "新培育申报市级以上创新引领型平台", "家", "count", "platforms_recognised",
                  {"kinds": [], "min_level": "municipal"}),
    IndicatorSpec("talents_introduced", "引进培育科技领军人才和高层次创新创业人才", "人", "count"),
    IndicatorSpec("transfer_agencies", "市级以上技术转移示范机构", "家", "level", "qualified_total",
                  {"kind": "transfer_demo", "min_level": "municipal"}),
    IndicatorSpec("market_staff_trained", "培养技术市场从业人员", "人", "count"),
    IndicatorSpec("results_converted", "市内外高校、科研院所在我市落地转化科技成果", "项", "count"),
), (
    TargetSpec("hitech_total", 2019, "70", HB_DOC + " 一、(三)2.年度目标 创新引领型企业"),
    TargetSpec("tech_sme_total", 2019, "90", HB_DOC + " 一、(三)2.年度目标 创新引领型企业"),
    TargetSpec("hitech_reserve_total", 2019, "30", HB_DOC + " 二、(一)2"),
    TargetSpec("platforms_new", 2019, "10", HB_DOC + " 一、(三)2.年度目标 创新引领型平台（每年10家以上）"),
    TargetSpec("talents_introduced", 2019, "20", HB_DOC + " 一、(三)2.年度目标 创新引领型人才（每年20名左右）"),
    TargetSpec("hitech_total", 2020, "80", HB_DOC + " 一、(三)1.总体目标；2.年度目标"),
    TargetSpec("tech_sme_total", 2020, "110", HB_DOC + " 一、(三)2.年度目标 创新引领型企业"),
    TargetSpec("hitech_reserve_total", 2020, "50", HB_DOC + " 二、(一)2"),
    TargetSpec("contract_amount", 2020, "4000", HB_DOC + " 一、(三)1.总体目标（4000万元）"),
    TargetSpec("rd_spending", 2020, "10", HB_DOC + " 一、(三)1.总体目标（力争突破10亿元）"),
    TargetSpec("hitech_value_added_share", 2020, "40", HB_DOC + " 一、(三)1.总体目标（40%左右）"),
    TargetSpec("tech_progress_contribution", 2020, "60", HB_DOC + " 一、(三)1.总体目标（60%左右）"),
    TargetSpec("platforms_new", 2020, "10", HB_DOC + " 一、(三)2.年度目标 创新引领型平台（每年10家以上）"),
    TargetSpec("talents_introduced", 2020, "20", HB_DOC + " 一、(三)2.年度目标 创新引领型人才（每年20名左右）"),
    TargetSpec("transfer_agencies", 2020, "3", HB_TT + " 一、(二)建设目标"),
    TargetSpec("market_staff_trained", 2020, "30", HB_TT + " 一、(二)建设目标；(六)"),
    TargetSpec("results_converted", 2020, "30", HB_TT + " 一、(二)建设目标；(十一)"),
))

# --------------------------------------------------------------------------- 石家庄 2020 (seed 001)

SJZ_DOC = "《关于石家庄市创建全省科技创新示范市的实施意见》"
SHIJIAZHUANG = CityConfig("130100", SJZ_DOC, "001_24c0099a0670cf66.txt", (
    IndicatorSpec("hitech_total", "高新技术企业数", "家", "level", "qualified_total", HITECH_NET_NEW),
    IndicatorSpec("tech_sme_total", "科技型中小企业数", "家", "level", "qualified_total",
                  {"kind": "tech_sme", "min_level": ""}),
    IndicatorSpec("contract_amount", "技术交易总额", "亿元", "amount", "contract_amount", CONTRACTS_SELLER),
    IndicatorSpec("platforms_total", "市级以上各类创新平台", "家", "level", "platforms_total",
                  {"kinds": [], "min_level": "municipal"}),
    IndicatorSpec("maker_spaces_total", "众创空间", "家", "level", "platforms_total",
                  {"kinds": ["maker_space"], "min_level": ""}),
    IndicatorSpec("incubators_total", "科技企业孵化器", "家", "level", "platforms_total",
                  {"kinds": ["incubator"], "min_level": ""}),
    IndicatorSpec("academician_stations_total", "院士工作站", "家", "level", "platforms_total",
                  {"kinds": ["academician_station"], "min_level": ""}),
    IndicatorSpec("invention_patents_per_10k", "万人发明专利拥有量", "件/万人", "level"),
    IndicatorSpec("intl_cooperation_bases", "省级以上国际科技合作基地", "个", "level"),
), (
    TargetSpec("hitech_total", 2020, "1400", SJZ_DOC + " 四、(二)建设创新型企业聚集示范区"),
    TargetSpec("tech_sme_total", 2020, "11400", SJZ_DOC + " 四、(二)建设创新型企业聚集示范区"),
    TargetSpec("contract_amount", 2020, "100", SJZ_DOC + " 四、(四)建设科技成果转化示范区（100亿元以上）"),
    TargetSpec("platforms_total", 2020, "350", SJZ_DOC + " 四、(一)建设重点产业研发创新示范区"),
    TargetSpec("maker_spaces_total", 2020, "100", SJZ_DOC + " 四、(二)多元搭建特色众创空间"),
    TargetSpec("incubators_total", 2020, "60", SJZ_DOC + " 四、(二)科技企业孵化器"),
    TargetSpec("academician_stations_total", 2020, "64", SJZ_DOC + " 四、(三)建设高端产业领军人物发展示范区"),
    TargetSpec("invention_patents_per_10k", 2020, "8", SJZ_DOC + " 四、(四)建设科技成果转化示范区"),
    TargetSpec("intl_cooperation_bases", 2020, "30", SJZ_DOC + " 四、(五)建设国际科技合作交流示范区"),
))

# --------------------------------------------------------------------------- 巴中 2020 (seed 002)

BZ_DOC = "《巴中市促进科技成果转移转化行动方案》（2017）"
BAZHONG = CityConfig("511900", BZ_DOC, "002_307da3bc2ba799d6.txt", (
    IndicatorSpec("results_converted", "科技成果在市内转化应用", "项", "count"),
    IndicatorSpec("major_results_converted", "其中：引进转化重大科技成果", "项", "count"),
    IndicatorSpec("transfer_service_agencies", "科技成果转移转化专业化服务机构", "家", "level"),
    IndicatorSpec("industry_alliances", "产业技术创新联盟", "家", "level"),
    IndicatorSpec("transfer_talents_trained", "培养专业化技术转移人才", "人", "count"),
    IndicatorSpec("contract_amount", "技术合同登记交易额", "亿元", "amount", "contract_amount", CONTRACTS_SELLER),
), tuple(TargetSpec(code, 2020, value, BZ_DOC + " 三、主要目标") for code, value in (
    ("results_converted", "300"), ("major_results_converted", "10"), ("transfer_service_agencies", "10"),
    ("industry_alliances", "5"), ("transfer_talents_trained", "500"), ("contract_amount", "3"),
)))

# --------------------------------------------------------------------------- 周口 2023–2025 (seed 003)

ZK_DOC = "周口市《支持科技成果转化促进产学研用深度融合若干措施》（周政办〔2023〕63号）"
ZHOUKOU = CityConfig("411600", ZK_DOC, "003_745b83fc884d65b4.txt", (
    IndicatorSpec("industrial_rd_coverage", "规模以上工业企业科研活动覆盖率", "%", "level"),
    IndicatorSpec("incubation_carriers_new", "新增市级及以上科技孵化器、众创空间、星创天地", "家", "count",
                  "platforms_recognised", {"kinds": ["incubator", "maker_space", "xingchuang"],
                                           "min_level": "municipal"}),
    IndicatorSpec("national_reserve_carriers", "培育国家级孵化载体后备梯队", "家", "count"),
    IndicatorSpec("provincial_incubation_total", "省级科技孵化器和众创空间", "家", "level", "platforms_total",
                  {"kinds": ["incubator", "maker_space"], "min_level": "provincial"}),
    IndicatorSpec("contract_amount", "技术市场年合同成交金额", "亿元", "amount", "contract_amount", CONTRACTS_SELLER),
    IndicatorSpec("transfer_demo_agencies", "技术转移示范机构", "家", "level", "qualified_total",
                  {"kind": "transfer_demo", "min_level": ""}),
), (
    TargetSpec("industrial_rd_coverage", 2023, "70", ZK_DOC + " 一、(一)支持企业开展创新活动"),
    *(TargetSpec("incubation_carriers_new", y, "5", ZK_DOC + " 二、(三)推进成果孵化载体建设（每年不低于5家）")
      for y in (2023, 2024, 2025)),
    *(TargetSpec("national_reserve_carriers", y, "2", ZK_DOC + " 二、(三)推进成果孵化载体建设（每年不低于2家）")
      for y in (2023, 2024, 2025)),
    TargetSpec("provincial_incubation_total", 2025, "10", ZK_DOC + " 二、(三)（“十四五”末达到10家）"),
    TargetSpec("contract_amount", 2025, "20", ZK_DOC + " 四、(七)支持打造科技大市场（到2025年20亿元）"),
    TargetSpec("transfer_demo_agencies", 2025, "20", ZK_DOC + " 四、(八)支持发展科技服务机构（到2025年20家以上）"),
))

SEED_CONFIGS: tuple[CityConfig, ...] = (ZHENGZHOU, HEBI, SHIJIAZHUANG, BAZHONG, ZHOUKOU)


def _indicator_upsert(city: Region, spec: IndicatorSpec, order: int, citation: str) -> Indicator:
    obj = Indicator.objects.filter(city=city, code=spec.code).first() or Indicator(city=city, code=spec.code)
    obj.name, obj.unit, obj.kind = spec.name, spec.unit, spec.kind
    obj.source = "computed" if spec.computation else "reported"
    obj.computation, obj.params = spec.computation, dict(spec.params)
    obj.aliases, obj.description, obj.order = list(spec.aliases), spec.description, order
    obj.citation = citation[:300]
    clean_indicator(obj)
    obj.save()
    return obj


@transaction.atomic
def city_config_load(config: CityConfig, *, by=None, extra_targets: tuple[TargetSpec, ...] = ()) -> int:
    """Indicators and targets of one seed city; returns the number of targets written."""
    city = Region.objects.get(code=config.city)
    indicators = {spec.code: _indicator_upsert(city, spec, i * 10, config.document)
                  for i, spec in enumerate(config.indicators, start=1)}
    count = 0
    for spec in (*config.targets, *extra_targets):
        region = city
        citation = spec.citation
        if "@" in citation:
            citation, code = citation.rsplit("@", 1)
            region = Region.objects.get(code=code)
        target_set(indicator=indicators[spec.code], region=region, year=spec.year, value=Decimal(spec.value),
                   by=by, citation=citation, check_permission=False)
        count += 1
    return count


def seed_configurations_load(*, by=None, with_zhengzhou_table: bool = True) -> int:
    """All five seed cities (郑州 with its 附件 decomposition); idempotent."""
    total = 0
    for config in SEED_CONFIGS:
        extra = zhengzhou_table_targets() if (config is ZHENGZHOU and with_zhengzhou_table) else ()
        total += city_config_load(config, by=by, extra_targets=extra)
    return total


DEMO_CITATION = "演示配置：沿用2019年郑州市目标任务分解表的数值，非政策文件中的{year}年目标"


@transaction.atomic
def zhengzhou_demo_year_load(year: int, *, by=None) -> int:
    """郑州's 2019 set copied to ``year`` (targets flagged ``is_demo``), so a live dashboard has movement."""
    city = Region.objects.get(code=ZHENGZHOU.city)
    city_config_load(ZHENGZHOU, by=by)
    count = 0
    for spec in (*ZHENGZHOU_2019_MAIN, *zhengzhou_table_targets()):
        region = city
        if "@" in spec.citation:
            region = Region.objects.get(code=spec.citation.rsplit("@", 1)[1])
        indicator = Indicator.objects.get(city=city, code=spec.code)
        target_set(indicator=indicator, region=region, year=year, value=Decimal(spec.value), by=by,
                   citation=DEMO_CITATION.format(year=year), is_demo=True, check_permission=False)
        count += 1
    return count


def resolve_table_unit(name: str) -> Region:
    """The 附件's unit names resolve by short name inside 郑州 (used by tests and docs)."""
    return region_resolve(name, within=Region.objects.get(code=ZHENGZHOU.city))
