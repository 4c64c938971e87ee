"""Administrative divisions of China to county level, plus development zones (R4)."""
from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class Region(models.Model):
    class Level(models.IntegerChoices):
        PROVINCE = 1, _("省级")
        CITY = 2, _("地级")
        COUNTY = 3, _("县级")

    code = models.CharField(_("区划代码"), max_length=6, unique=True,
                            help_text=_("6 位代码：省 410000，市 410100，县区 410105"))
    name = models.CharField(_("名称"), max_length=64)
    level = models.PositiveSmallIntegerField(_("层级"), choices=Level.choices)
    parent = models.ForeignKey("self", null=True, blank=True, on_delete=models.PROTECT,
                               related_name="children", verbose_name=_("上级"))
    # "410000/410100/410105/": subtree queries are one indexed prefix match.
    path = models.CharField(_("路径"), max_length=64, db_index=True, editable=False)
    is_zone = models.BooleanField(_("开发区/功能区"), default=False,
                                  help_text=_("国家代码 xx71–xx79 的统计区或本地设立的功能区"))
    is_official = models.BooleanField(_("国家统计代码"), default=True,
                                      help_text=_("本地自编代码（如郑东新区 410190）为否"))
    short_names = models.JSONField(_("简称"), default=list, blank=True,
                                   help_text=_("导入时可识别的简称，如“管城区”“郑州高新区”"))
    export_code = models.CharField(_("上报代码"), max_length=12, blank=True,
                                   help_text=_("向全国系统上报时使用的代码；为空时使用区划代码"))

    class Meta:
        verbose_name = _("行政区划")
        verbose_name_plural = _("行政区划")
        ordering = ["code"]

    def __str__(self) -> str:
        return self.name

    @property
    def full_name(self) -> str:
        names = []
        node = self
        while node is not None:
            if node.name != "市辖区":
                names.append(node.name)
            node = node.parent
        return "".join(reversed(names))

    @property
    def short_code(self) -> str:
        """Province 41, city 4101, county 410105 — the form used in URLs like /city/4101/."""
        return self.code[: {1: 2, 2: 4, 3: 6}[self.level]]

    @property
    def effective_export_code(self) -> str:
        return self.export_code or self.code

    def is_within(self, other: "Region") -> bool:
        return self.path.startswith(other.path)
