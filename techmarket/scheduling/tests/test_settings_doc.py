"""docs/operations/settings.md lists every setting declared with env_* in techmarket/settings/base.py."""
import re
from pathlib import Path

from django.conf import settings

from techmarket.settings.env import DECLARED

SETTINGS_DOC = Path(settings.BASE_DIR) / "docs" / "operations" / "settings.md"
ROW = re.compile(r"^\|\s*`([A-Z][A-Z0-9_]*)`\s*\|", re.MULTILINE)


def documented() -> set[str]:
    return set(ROW.findall(SETTINGS_DOC.read_text(encoding="utf-8")))


class TestSettingsDoc:
    def test_every_declared_setting_is_documented(self):
        # given
        declared = set(DECLARED)
        # when
        missing = sorted(declared - documented())
        # then
        assert declared, "techmarket.settings.env.DECLARED is empty: were the settings imported?"
        assert not missing, f"add these to docs/operations/settings.md: {missing}"

    def test_no_documented_setting_is_stale(self):
        # when
        stale = sorted(documented() - set(DECLARED))
        # then
        assert not stale, f"docs/operations/settings.md lists settings base.py no longer declares: {stale}"
