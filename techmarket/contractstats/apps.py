from django.apps import AppConfig


class ContractStatsConfig(AppConfig):
    name = "techmarket.contractstats"
    verbose_name = "技术合同统计"
