"""Excel export of the registries (SPEC R6): filtered lists, masked per SPEC §3, importable again."""
from __future__ import annotations

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import load_workbook

from techmarket.accounts.roles import Role
from techmarket.core.jobs import import_submit
from techmarket.directory import services
from techmarket.directory.models import Organization, Person, Platform
from techmarket.directory.representations import organization_managed, person_managed, platform_public
from techmarket.taxonomies.models import Term

from .factories import make_organization, make_person, make_platform

pytestmark = pytest.mark.django_db


@pytest.fixture
def bureau(make_user):
    return make_user("bureau-4101", Role.BUREAU_ADMIN, region_code="410100")


@pytest.fixture
def officer(make_user):
    return make_user("officer-410105", Role.DISTRICT_OFFICER, region_code="410105")


def sheet_of(response) -> list[dict]:
    """The first sheet as dicts by Chinese header."""
    assert response.status_code == 200, response.content[:300]
    assert response["Content-Type"].startswith("application/vnd.openxmlformats-officedocument.spreadsheetml")
    wb = load_workbook(io.BytesIO(b"".join(response.streaming_content)), read_only=True)
    rows = list(wb.worksheets[0].iter_rows(values_only=True))
    return [dict(zip(rows[0], row)) for row in rows[1:]]


def file_of(response) -> bytes:
    return b"".join(response.streaming_content)


@pytest.fixture
def jinshui_org(db):
    org = make_organization("金水测试科技有限公司", region_code="410105",
                            contacts=[("王经理", "13912345678", "wang@example.cn")],
                            legal_representative="王强", established_on="2016-03-08")
    org.tech_fields.set(Term.objects.filter(scheme__code="hitech_domains", code__in=["10101", "10102"]))
    return org


class TestOrganizationExport:
    def test_district_officer_gets_masked_contacts(self, client, officer, jinshui_org):
        # given
        client.force_login(officer)
        # when
        rows = sheet_of(client.get("/manage/organizations/export.xlsx"))
        # then
        [row] = rows
        assert row["联系人"] == "王经理" and row["联系电话"] == "139****5678" and row["联系邮箱"] == "wa***@example.cn"
        assert row["统一社会信用代码"] == jinshui_org.credit_code and row["法定代表人"] == "王强"

    def test_bureau_admin_in_scope_gets_clear_contacts(self, client, bureau, jinshui_org):
        # given
        client.force_login(bureau)
        # when
        [row] = sheet_of(client.get("/manage/organizations/export.xlsx"))
        # then
        assert row["联系电话"] == "13912345678" and row["联系邮箱"] == "wang@example.cn"
        assert row["技术领域"] == "10101 基础软件，10102 嵌入式软件"

    def test_managed_export_keeps_to_the_scope_and_the_filters(self, client, officer, jinshui_org):
        # given
        make_organization("二七测试机械有限公司", region_code="410103")
        make_organization("金水测试大学", region_code="410105", kind="university")
        client.force_login(officer)
        # when
        everything = sheet_of(client.get("/manage/organizations/export.xlsx"))
        universities = sheet_of(client.get("/manage/organizations/export.xlsx?kind=university"))
        # then
        assert {r["单位名称"] for r in everything} == {"金水测试科技有限公司", "金水测试大学"}
        assert [r["单位名称"] for r in universities] == ["金水测试大学"]

    def test_public_export_has_no_contacts_and_needs_no_login(self, client, jinshui_org):
        # when
        [row] = sheet_of(client.get("/organizations/export.xlsx?region=410100"))
        # then
        assert "联系电话" not in row and "内部备注" not in row and "法定代表人" not in row
        assert row["单位名称"] == "金水测试科技有限公司" and row["区域名称"] == "河南省郑州市金水区"

    def test_export_declares_its_size(self, client, jinshui_org):
        # given
        response = client.get("/organizations/export.xlsx")
        # when
        ws = load_workbook(io.BytesIO(file_of(response)), read_only=True).worksheets[0]
        # then: read-only readers learn the size without parsing the sheet twice
        assert ws.max_row == 2

    def test_too_large_an_export_is_refused_with_a_message(self, client, bureau, jinshui_org, settings):
        # given
        make_organization("另一家测试公司")
        settings.TECHMARKET_EXPORT_MAX_ROWS = 1
        client.force_login(bureau)
        # when
        response = client.get("/manage/organizations/export.xlsx?kind=enterprise", follow=True)
        # then
        assert response.redirect_chain[0][0] == "/manage/organizations/?kind=enterprise"
        assert "超过单次导出 1 条的上限" in response.content.decode()

    def test_exported_file_imports_again(self, client, bureau, jinshui_org):
        # given: a second organization with a qualification, then the managed export
        other = make_organization("管城测试材料有限公司", region_code="410104", website="https://example.cn")
        services.qualification_add(organization=other, by=bureau, kind="hitech", level="national",
                                   recognised_on="2023-12-01", valid_until="2026-11-30", certificate_no="GR2023")
        client.force_login(bureau)
        before = {o.credit_code: _comparable(organization_managed(o, bureau)) for o in Organization.objects.all()}
        exported = file_of(client.get("/manage/organizations/export.xlsx"))
        Organization.objects.all().delete()
        # when
        job = import_submit(kind="organizations", by=bureau, upload=SimpleUploadedFile("单位.xlsx", exported))
        # then
        assert job.created_count == 2
        after = {o.credit_code: _comparable(organization_managed(o, bureau)) for o in Organization.objects.all()}
        assert after == before


def _comparable(data: dict) -> dict:
    drop = {"id", "created_at", "updated_at", "last_confirmed_at"}
    data = {k: v for k, v in data.items() if k not in drop}
    data["qualifications"] = [{k: v for k, v in q.items() if k != "id"} for q in data["qualifications"]]
    return data


class TestPersonExport:
    @pytest.fixture
    def expert(self, db):
        org = make_organization("金水测试研究院")
        person = make_person("刘洋", region_code="410105", id_number="11010519491231002X", phone="13700001111",
                             email="liuyang@example.cn", organization=org, programmes=["leading"],
                             title="研究员", expertise="工业视觉")
        person.tech_fields.set(Term.objects.filter(scheme__code="hitech_domains", code="10101"))
        return person

    def test_district_officer_gets_masked_personal_data(self, client, officer, expert):
        # given
        client.force_login(officer)
        # when
        [row] = sheet_of(client.get("/manage/people/export.xlsx"))
        # then
        assert row["身份证号"] == "1101**********002X"
        assert row["手机号"] == "137****1111" and row["电子邮箱"] == "li***@example.cn"

    def test_bureau_admin_in_scope_gets_clear_personal_data(self, client, bureau, expert):
        # given
        client.force_login(bureau)
        # when
        [row] = sheet_of(client.get("/manage/people/export.xlsx"))
        # then
        assert row["身份证号"] == "11010519491231002X" and row["手机号"] == "13700001111"
        assert row["人才计划"] == "领军人才" and row["工作单位"] == "金水测试研究院"

    def test_public_export_has_no_personal_columns(self, client, expert):
        # when
        [row] = sheet_of(client.get("/people/export.xlsx"))
        # then
        assert not {"身份证号", "手机号", "电子邮箱", "内部备注"} & set(row)
        assert row["姓名"] == "刘洋"

    def test_masked_export_cannot_be_imported_back(self, client, officer, expert):
        # given
        client.force_login(officer)
        exported = file_of(client.get("/manage/people/export.xlsx"))
        # when
        with pytest.raises(Exception) as refused:
            import_submit(kind="people", by=officer, upload=SimpleUploadedFile("人才.xlsx", exported))
        # then
        assert [e.message for e in refused.value.errors] == [
            "第2行 身份证号: 是脱敏后的数据（含 *），不能导入，请填写完整信息",
            "第2行 手机号: 是脱敏后的数据（含 *），不能导入，请填写完整信息",
            "第2行 电子邮箱: 是脱敏后的数据（含 *），不能导入，请填写完整信息",
        ]

    def test_bureau_export_imports_again(self, client, bureau, expert):
        # given
        client.force_login(bureau)
        before = {k: v for k, v in person_managed(expert, bureau).items()
                  if k not in ("id", "created_at", "updated_at", "organization")}
        exported = file_of(client.get("/manage/people/export.xlsx"))
        Person.objects.all().delete()
        # when
        import_submit(kind="people", by=bureau, upload=SimpleUploadedFile("人才.xlsx", exported))
        # then
        after = {k: v for k, v in person_managed(Person.objects.get(), bureau).items()
                 if k not in ("id", "created_at", "updated_at", "organization")}
        assert after == before


class TestPlatformExport:
    def test_exported_platforms_import_into_a_fresh_region(self, client, bureau):
        # given: platforms of 金水区, exported, with the region column changed to 上街区 (no records yet)
        org = make_organization("金水测试研究院")
        platform = make_platform("河南省测试重点实验室", organization=org, valid_until="2027-12-31",
                                 approval_document="豫科〔2024〕1号")
        platform.tech_fields.set(Term.objects.filter(scheme__code="hitech_domains", code="10101"))
        platform.refresh_from_db()
        client.force_login(bureau)
        wb = load_workbook(io.BytesIO(file_of(client.get("/manage/platforms/export.xlsx"))))
        ws = wb.worksheets[0]
        region_column = [c.value for c in ws[1]].index("所在区域") + 1
        ws.cell(row=2, column=region_column, value="上街区")
        buffer = io.BytesIO()
        wb.save(buffer)
        # when
        job = import_submit(kind="platforms", by=bureau, upload=SimpleUploadedFile("平台.xlsx", buffer.getvalue()))
        # then
        assert job.created_count == 1
        copy = Platform.objects.get(region__code="410106")
        skip = {"id", "region", "region_name", "is_valid"}
        assert {k: v for k, v in platform_public(copy).items() if k not in skip} == \
            {k: v for k, v in platform_public(platform).items() if k not in skip}

    def test_public_export_filters_by_level(self, client):
        # given
        org = make_organization("金水测试研究院")
        make_platform("国家级测试中心", organization=org, level="national")
        make_platform("省级测试中心", organization=org, level="provincial")
        # when
        rows = sheet_of(client.get("/platforms/export.xlsx?level=national"))
        # then
        assert [r["平台名称"] for r in rows] == ["国家级测试中心"] and rows[0]["级别"] == "国家级"
        assert "内部备注" not in rows[0]


class TestExportApi:
    def test_public_export_with_filters(self, client, jinshui_org):
        # given
        make_organization("金水测试大学", region_code="410105", kind="university")
        # when
        rows = sheet_of(client.get("/api/v1/organizations/export.xlsx?kind=university"))
        # then
        assert [r["单位名称"] for r in rows] == ["金水测试大学"] and "联系电话" not in rows[0]

    def test_managed_export_masks_for_a_district_officer(self, client, officer, jinshui_org):
        # given
        client.force_login(officer)
        # when
        [row] = sheet_of(client.get("/api/v1/organizations/export.xlsx?managed=true"))
        # then
        assert row["联系电话"] == "139****5678"

    def test_managed_export_needs_credentials(self, client):
        assert client.get("/api/v1/people/export.xlsx?managed=true").status_code == 401

    def test_too_large_an_export_answers_422(self, client, jinshui_org, settings):
        # given
        make_organization("另一家测试公司")
        settings.TECHMARKET_EXPORT_MAX_ROWS = 1
        # when
        response = client.get("/api/v1/organizations/export.xlsx")
        # then
        assert response.status_code == 422 and response.json()["errors"][0]["code"] == "export_too_large"
