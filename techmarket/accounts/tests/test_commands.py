from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from techmarket.accounts.models import APIToken

from .factories import make_user

pytestmark = pytest.mark.django_db


class TestApiTokenCommand:
    def test_prints_only_the_raw_token(self, client):
        # given
        user = make_user("script-user")
        out, err = StringIO(), StringIO()
        # when
        call_command("api_token", "script-user", "--name", "同步脚本", "--days", "30", stdout=out, stderr=err)
        # then
        raw = out.getvalue().strip()
        assert "\n" not in raw and raw.startswith("tm_")
        token = APIToken.objects.get(user=user)
        assert token.name == "同步脚本"
        assert token.key_hash == APIToken.hash(raw)
        assert client.get("/api/v1/me", HTTP_AUTHORIZATION=f"Bearer {raw}").json()["username"] == "script-user"

    def test_unknown_user_fails(self):
        with pytest.raises(CommandError, match="不存在"):
            call_command("api_token", "ghost", stdout=StringIO(), stderr=StringIO())

    def test_bad_days_fail(self):
        make_user("days-user")
        with pytest.raises(CommandError, match="有效天数"):
            call_command("api_token", "days-user", "--days", "0", stdout=StringIO(), stderr=StringIO())
