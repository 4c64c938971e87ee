"""Government intranets have no internet: pages must load every asset from the instance itself."""
import re

import pytest

EXTERNAL = re.compile(r"""(?:src|href)\s*=\s*["'](?:https?:)?//""", re.I)


@pytest.mark.django_db
@pytest.mark.parametrize("path", ["/", "/city/4101/", "/organizations/", "/people/", "/platforms/",
                                  "/accounts/login/", "/api/docs"])
def test_page_loads_no_external_assets(client, path):
    # when
    resp = client.get(path, follow=True)
    # then
    assert resp.status_code == 200
    html = resp.content.decode()
    assert not EXTERNAL.findall(html), EXTERNAL.findall(html)
    assert "/static/" in html
