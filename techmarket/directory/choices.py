from django.db import models
from django.utils.translation import gettext_lazy as _


class OrganizationKind(models.TextChoices):
    ENTERPRISE = "enterprise", _("企业")
    UNIVERSITY = "university", _("高等院校")
    INSTITUTE = "institute", _("科研院所")
    RD_INSTITUTION = "rd_institution", _("新型研发机构")
    AGENCY = "agency", _("技术转移机构")
    SERVICE_PROVIDER = "service_provider", _("服务机构")
    INVESTOR = "investor", _("投资机构")
    GOVERNMENT = "government", _("政府部门")


class QualificationKind(models.TextChoices):
    HITECH = "hitech", _("高新技术企业")
    SME = "tech_sme", _("科技型中小企业")
    HITECH_RESERVE = "hitech_reserve", _("高新技术后备企业")
    LITTLE_GIANT = "little_giant", _("科技小巨人")
    SPECIALISED = "specialised", _("专精特新")
    TRANSFER_DEMO = "transfer_demo", _("技术转移示范机构")
    RD_INSTITUTION = "rd_institution", _("新型研发机构")


class Level(models.TextChoices):
    NATIONAL = "national", _("国家级")
    PROVINCIAL = "provincial", _("省级")
    MUNICIPAL = "municipal", _("市级")
    DISTRICT = "district", _("县区级")


class PersonKind(models.TextChoices):
    EXPERT = "expert", _("专家")
    RESEARCHER = "researcher", _("科研人员")
    BROKER = "broker", _("技术经纪人")
    TALENT = "talent", _("人才")


class TalentProgramme(models.TextChoices):
    LEADING = "leading", _("领军人才")
    HIGH_LEVEL = "high_level", _("高层次人才")
    ACADEMICIAN = "academician", _("院士")
    SPECIAL_COMMISSIONER = "commissioner", _("科技特派员")
    TOP_TEAM = "top_team", _("顶尖人才团队")


class PlatformKind(models.TextChoices):
    KEY_LAB = "key_lab", _("重点实验室")
    ENGINEERING_CENTRE = "eng_centre", _("工程技术研究中心")
    ENGINEERING_LAB = "eng_lab", _("工程研究中心/工程实验室")
    DESIGN_CENTRE = "design_centre", _("工业设计中心")
    INCUBATOR = "incubator", _("科技企业孵化器")
    MAKER_SPACE = "maker_space", _("众创空间")
    XINGCHUANG = "xingchuang", _("星创天地")
    ACADEMICIAN_STATION = "academician_station", _("院士工作站")
    PILOT_BASE = "pilot_base", _("中试基地")
    TRANSFER_CENTRE = "transfer_centre", _("技术转移中心")
    OTHER = "other", _("其他")


class Gender(models.TextChoices):
    MALE = "M", _("男")
    FEMALE = "F", _("女")
