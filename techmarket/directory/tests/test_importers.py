"""Excel import of the registries (SPEC R6): all rows or none, each bad row and column named in Chinese."""
from __future__ import annotations

import io
import time

import pytest
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import Workbook, load_workbook

from techmarket.accounts.roles import Role
from techmarket.core.jobs import import_submit
from techmarket.core.models import ImportJob, ObjectChange
from techmarket.core.xlsx import ImportRefused
from techmarket.directory.models import Organization, Person, Platform

from .factories import make_organization, make_person, valid_credit_code

pytestmark = pytest.mark.django_db

ORG_HEADERS = ["单位名称", "统一社会信用代码", "单位类型", "所在区域", "技术领域", "成立日期"]


def xlsx_bytes(headers, rows, *, title="单位") -> bytes:
    wb = Workbook()
    ws = wb.active
    ws.title = title
    if headers is not None:
        ws.append(headers)
    for row in rows:
        ws.append(row)
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


def upload(headers, rows, name="导入.xlsx") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, xlsx_bytes(headers, rows), content_type="application/octet-stream")


def org_row(n: int, *, region="410105", code=None, kind="企业", fields="10101", founded="2019-05-06"):
    code = code or valid_credit_code(region if region.isdigit() else "410100")
    return [f"郑州测试{n}科技有限公司", code, kind, region, fields, founded]


def messages(exc: ImportRefused) -> list[str]:
    return [e.message for e in exc.errors]


@pytest.fixture
def bureau(make_user):
    return make_user("bureau-4101", Role.BUREAU_ADMIN, region_code="410100")


@pytest.fixture
def officer(make_user):
    return make_user("officer-410105", Role.DISTRICT_OFFICER, region_code="410105")


def run(kind, by, headers, rows):
    return import_submit(kind=kind, by=by, upload=upload(headers, rows))


class TestOrganizationImport:
    def test_good_file_imports_every_row_with_links_qualifications_and_contacts(self, bureau):
        # given: regions by code, by name and by short name; fields by code and "code name"
        headers = ORG_HEADERS + ["资质", "联系人", "联系电话", "联系邮箱", "单位性质", "所属行业"]
        rows = [
            org_row(1, region="410105", fields="10101,10102") + [
                "高新技术企业（国家级）2023-12-01至2026-11-30 证书GR202341000123；科技型中小企业 2024-05-10",
                "王明；李华", "13800138000；0371-60000000", "wang@example.cn", "45 有限责任公司", "6513"],
            org_row(2, region="管城区", fields="10101 基础软件") + [None, None, None, None, "47", None],
            org_row(3, region="郑州高新区", kind="新型研发机构", fields=None) + [None, None, None, None, None, None],
        ]
        # when
        job = run("organizations", bureau, headers, rows)
        # then
        assert job.status == ImportJob.Status.SUCCEEDED and job.created_count == 3
        first = Organization.objects.get(name="郑州测试1科技有限公司")
        assert first.region.code == "410105" and first.kind == "enterprise"
        assert sorted(first.tech_fields.values_list("code", flat=True)) == ["10101", "10102"]
        assert first.party_nature.code == "45" and first.industry.code == "6513"
        assert str(first.established_on) == "2019-05-06"
        quals = sorted((q.kind, q.level, str(q.valid_until), q.certificate_no) for q in first.qualifications.all())
        assert quals == [("hitech", "national", "2026-11-30", "GR202341000123"), ("tech_sme", "", "None", "")]
        contacts = [(c.name, c.phone, c.email) for c in first.contacts.all()]
        assert contacts == [("王明", "13800138000", "wang@example.cn"), ("李华", "0371-60000000", "")]
        assert Organization.objects.get(name="郑州测试2科技有限公司").region.code == "410104"
        third = Organization.objects.get(name="郑州测试3科技有限公司")
        assert third.region.code == "410172" and third.kind == "rd_institution"

    def test_import_writes_one_batch_entry_and_one_entry_per_record(self, bureau):
        # when
        job = run("organizations", bureau, ORG_HEADERS, [org_row(i) for i in range(3)])
        # then
        org_ct = ContentType.objects.get_for_model(Organization)
        per_record = ObjectChange.objects.filter(content_type=org_ct, action=ObjectChange.Action.IMPORT)
        assert per_record.count() == 3 and {c.actor_id for c in per_record} == {bureau.pk}
        batch = ObjectChange.objects.filter(content_type=ContentType.objects.get_for_model(ImportJob),
                                            object_id=str(job.pk))
        assert batch.count() == 1 and batch.get().after["created_count"] == 3

    def test_one_bad_row_among_1000_imports_nothing_and_names_row_and_column(self, bureau):
        # given: the 501st data row (Excel row 502) has a wrong check character
        rows = [org_row(i) for i in range(1000)]
        good = rows[500][1]
        rows[500][1] = good[:17] + ("0" if good[17] != "0" else "1")
        # when
        with pytest.raises(ImportRefused) as refused:
            run("organizations", bureau, ORG_HEADERS, rows)
        # then
        assert len(refused.value.errors) == 1
        error = refused.value.errors[0]
        assert error.field == "第502行 统一社会信用代码"
        assert error.message.startswith("第502行 统一社会信用代码: 统一社会信用代码无效：校验位错误")
        assert Organization.objects.count() == 0
        assert refused.value.job.status == ImportJob.Status.FAILED

    def test_10000_rows_with_one_bad_row_import_nothing_in_the_background(self, bureau, settings,
                                                                          django_capture_on_commit_callbacks):
        # Issue: "A 10,000-row import with one bad row imports nothing and names the row and column".
        # given
        settings.TECHMARKET_IMPORT_SYNC_ROWS = 2000
        rows = [org_row(i, fields=None, founded=None) for i in range(10000)]
        rows[7777][3] = "火星区"
        started = time.perf_counter()
        # when
        with django_capture_on_commit_callbacks(execute=True):
            job = run("organizations", bureau, ORG_HEADERS, rows)
        # then
        job.refresh_from_db()
        assert job.status == ImportJob.Status.FAILED and job.total_rows == 10000
        assert [e["message"] for e in job.errors] == ["第7779行 所在区域: 未找到行政区划“火星区”"]
        assert Organization.objects.count() == 0
        assert not job.file  # the stored upload is removed when the job ends
        assert time.perf_counter() - started < 30

    def test_large_good_file_runs_as_a_job_and_records_progress(self, bureau, settings,
                                                               django_capture_on_commit_callbacks):
        # given
        settings.TECHMARKET_IMPORT_SYNC_ROWS = 5
        # when
        with django_capture_on_commit_callbacks(execute=True):
            job = run("organizations", bureau, ORG_HEADERS, [org_row(i) for i in range(12)])
        # then
        assert job.status == ImportJob.Status.QUEUED  # as returned to the caller
        job.refresh_from_db()
        assert job.status == ImportJob.Status.SUCCEEDED and job.created_count == 12
        assert job.processed_rows == job.total_rows == 12 and job.started_at and job.finished_at
        assert Organization.objects.count() == 12

    def test_duplicate_credit_code_inside_the_file_names_both_rows(self, bureau):
        # given
        code = valid_credit_code()
        rows = [org_row(1, code=code), org_row(2), org_row(3, code=code)]
        # when
        with pytest.raises(ImportRefused) as refused:
            run("organizations", bureau, ORG_HEADERS, rows)
        # then
        assert messages(refused.value) == ["第4行 统一社会信用代码: 与第2行的统一社会信用代码重复"]
        assert Organization.objects.count() == 0

    def test_credit_code_already_registered_is_refused(self, bureau):
        # given
        existing = make_organization("已登记科技有限公司")
        # when
        with pytest.raises(ImportRefused) as refused:
            run("organizations", bureau, ORG_HEADERS, [org_row(1), org_row(2, code=existing.credit_code.lower())])
        # then
        assert messages(refused.value) == ["第3行 统一社会信用代码: 该统一社会信用代码已登记（已登记科技有限公司）"]
        assert Organization.objects.count() == 1

    def test_missing_required_column_is_named(self, bureau):
        # when
        with pytest.raises(ImportRefused) as refused:
            run("organizations", bureau, ["单位名称", "单位类型", "所在区域"], [["某公司", "企业", "410105"]])
        # then
        assert messages(refused.value) == ["表头: 缺少必填列“统一社会信用代码”"]

    def test_unknown_column_is_named(self, bureau):
        # when
        with pytest.raises(ImportRefused) as refused:
            run("organizations", bureau, ORG_HEADERS + ["注册资本"], [org_row(1) + ["100万"]])
        # then
        assert messages(refused.value) == ["表头: 无法识别的列“注册资本”（第 G 列），请使用导入模板中的列名"]

    def test_header_marks_of_required_columns_are_accepted(self, bureau):
        # when
        job = run("organizations", bureau, ["单位名称*", "统一社会信用代码（必填）", "单位类型", "所在区域"],
                  [org_row(1)[:4]])
        # then
        assert job.created_count == 1

    def test_empty_file_is_refused(self, bureau):
        # when
        with pytest.raises(ImportRefused) as refused:
            run("organizations", bureau, ORG_HEADERS, [])
        # then
        assert messages(refused.value) == ["文件中没有数据行"]

    def test_file_without_even_a_header_is_empty(self, bureau):
        with pytest.raises(ImportRefused) as refused:
            run("organizations", bureau, None, [])
        assert messages(refused.value) == ["文件中没有数据行"]

    def test_non_excel_file_renamed_xlsx_is_refused(self, bureau):
        # given
        fake = SimpleUploadedFile("单位.xlsx", "单位名称,统一社会信用代码\n某公司,123\n".encode("gbk"))
        # when
        with pytest.raises(Exception) as refused:
            import_submit(kind="organizations", by=bureau, upload=fake)
        # then
        assert [e.message for e in refused.value.errors] == ["文件不是有效的 Excel (.xlsx) 文件"]
        assert Organization.objects.count() == 0

    def test_each_bad_cell_is_reported_with_row_and_column(self, bureau):
        # given
        rows = [
            org_row(1, region="火星区"),
            org_row(2, fields="10101,99999"),
            org_row(3, founded="2019-13-45"),
            org_row(4, kind="外星企业"),
            ["", valid_credit_code(), "企业", "410105", None, None],
        ]
        # when
        with pytest.raises(ImportRefused) as refused:
            run("organizations", bureau, ORG_HEADERS, rows)
        # then
        assert messages(refused.value) == [
            "第2行 所在区域: 未找到行政区划“火星区”",
            "第3行 技术领域: “99999”不是有效的代码",
            "第4行 成立日期: “2019-13-45”不是有效的日期（格式 YYYY-MM-DD）",
            "第5行 单位类型: “外星企业”不是有效的选项（可选：企业、高等院校、科研院所、新型研发机构、技术转移机构、"
            "服务机构、投资机构、政府部门）",
            "第6行 单位名称: 必填，不能为空",
        ]

    def test_bad_qualification_and_masked_contact_are_refused(self, bureau):
        # given
        headers = ORG_HEADERS + ["资质", "联系人", "联系电话"]
        rows = [org_row(1) + ["高新技术企业 2025-01-01至2024-01-01", "王明", "138****8000"]]
        # when
        with pytest.raises(ImportRefused) as refused:
            run("organizations", bureau, headers, rows)
        # then
        assert messages(refused.value) == [
            "第2行 资质: 资质“高新技术企业 2025-01-01至2024-01-01”：有效期至不能早于认定日期",
            "第2行 联系电话: 是脱敏后的数据（含 *），不能导入，请填写完整信息",
        ]

    def test_district_officer_imports_into_its_district(self, officer):
        # when
        job = run("organizations", officer, ORG_HEADERS, [org_row(1, region="金水区")])
        # then
        assert job.created_count == 1

    def test_district_officer_cannot_import_outside_its_district(self, officer):
        # when
        with pytest.raises(ImportRefused) as refused:
            run("organizations", officer, ORG_HEADERS, [org_row(1, region="410105"), org_row(2, region="管城区")])
        # then
        assert messages(refused.value) == [
            "第3行 所在区域: “河南省郑州市管城回族区”不在您的管辖范围（河南省郑州市金水区）内，无权在该区域登记单位"]
        assert Organization.objects.count() == 0

    def test_users_without_the_import_permission_are_refused(self, make_user):
        # given
        enterprise = make_user("ent-1", Role.ENTERPRISE)
        # when / then
        with pytest.raises(PermissionDenied):
            run("organizations", enterprise, ORG_HEADERS, [org_row(1)])
        assert not ImportJob.objects.exists()

    def test_file_over_the_size_limit_is_refused(self, bureau, settings):
        # given
        settings.TECHMARKET_UPLOAD_MAX_MB = 0
        # when
        with pytest.raises(Exception) as refused:
            run("organizations", bureau, ORG_HEADERS, [org_row(1)])
        # then
        assert refused.value.errors[0].code == "file_too_large"


class TestPersonImport:
    HEADERS = ["姓名", "类别", "所在区域", "身份证号", "人才计划", "工作单位", "学科", "电子邮箱"]

    def test_people_with_the_same_name_are_accepted(self, bureau):
        # given
        org = make_organization("郑州大学测试院")
        rows = [["张伟", "专家", "410105", "11010519491231002X", "领军人才,科技特派员", org.name, "520", None],
                ["张伟", "科研人员", "二七区", None, None, org.credit_code, None, "zw@example.cn"]]
        # when
        job = run("people", bureau, self.HEADERS, rows)
        # then
        assert job.created_count == 2
        first = Person.objects.get(kind="expert")
        assert first.programmes == ["leading", "commissioner"] and first.organization == org
        assert list(first.disciplines.values_list("code", flat=True)) == ["520"]
        assert Person.objects.get(kind="researcher").region.code == "410103"

    def test_duplicate_id_number_is_refused_in_the_file_and_against_the_registry(self, bureau):
        # given
        make_person("李娜", id_number="11010519491231002X")
        rows = [["王芳", "专家", "410105", "440524188001010014", None, None, None, None],
                ["王芳", "专家", "410105", "440524188001010014", None, None, None, None],
                ["李娜", "专家", "410105", "11010519491231002x", None, None, None, None]]
        # when
        with pytest.raises(ImportRefused) as refused:
            run("people", bureau, self.HEADERS, rows)
        # then
        assert messages(refused.value) == [
            "第3行 身份证号: 与第2行的身份证号重复",
            "第4行 身份证号: 身份证号 1101**********002X 已在人才库中登记",
        ]
        assert Person.objects.count() == 1

    def test_bad_id_number_email_and_unknown_organization_are_named(self, bureau):
        # given
        rows = [["赵强", "专家", "410105", "110105194912310021", None, "不存在的单位", None, "not-an-email"]]
        # when
        with pytest.raises(ImportRefused) as refused:
            run("people", bureau, self.HEADERS, rows)
        # then
        assert messages(refused.value) == [
            "第2行 身份证号: 身份证号校验位错误",
            "第2行 工作单位: 未找到单位“不存在的单位”（请填写已登记单位的名称或统一社会信用代码）",
            "第2行 电子邮箱: 输入一个有效的 Email 地址。",
        ]


class TestPlatformImport:
    HEADERS = ["平台名称", "平台类型", "级别", "依托/运营单位", "认定日期", "有效期至", "所在区域"]

    def test_region_defaults_to_the_organization_region(self, bureau):
        # given
        org = make_organization("郑州测试研究院", region_code="410103")
        rows = [["河南省测试工程技术研究中心", "工程技术研究中心", "省级", org.name, "2021-12-20", "2026-12-19", None]]
        # when
        job = run("platforms", bureau, self.HEADERS, rows)
        # then
        assert job.created_count == 1
        platform = Platform.objects.get()
        assert platform.region.code == "410103" and platform.kind == "eng_centre" and platform.level == "provincial"

    def test_validity_before_recognition_and_missing_organization_are_refused(self, bureau):
        # given
        org = make_organization("郑州测试研究院")
        rows = [["测试中心甲", "重点实验室", "市级", org.credit_code, "2021-12-20", "2020-01-01", None],
                ["测试中心乙", "重点实验室", "市级", None, "2021-12-20", None, None]]
        # when
        with pytest.raises(ImportRefused) as refused:
            run("platforms", bureau, self.HEADERS, rows)
        # then
        assert messages(refused.value) == ["第2行 有效期至: 有效期至不能早于认定日期",
                                           "第3行 依托/运营单位: 必填，不能为空"]


class TestImportViews:
    def test_import_page_shows_the_template_link_for_staff(self, client, bureau):
        # given
        client.force_login(bureau)
        # when
        response = client.get("/manage/organizations/import/")
        # then
        assert response.status_code == 200
        assert "/manage/organizations/import/template.xlsx" in response.content.decode()

    def test_import_page_is_404_for_users_who_may_not_import(self, client, make_user):
        # given
        client.force_login(make_user("ent-1", Role.ENTERPRISE))
        # then
        assert client.get("/manage/organizations/import/").status_code == 404
        assert client.get("/manage/people/import/template.xlsx").status_code == 404

    def test_template_has_header_instructions_and_dropdowns(self, client, bureau):
        # given
        client.force_login(bureau)
        # when
        response = client.get("/manage/organizations/import/template.xlsx")
        # then
        wb = load_workbook(io.BytesIO(b"".join(response.streaming_content)))
        data, instructions = wb.worksheets[0], wb.worksheets[1]
        assert instructions.title == "填写说明"
        headers = [c.value for c in data[1]]
        assert headers[:4] == ["单位名称", "统一社会信用代码", "单位类型", "所在区域"]
        assert data.freeze_panes == "A2"
        kind_column = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"[headers.index("单位类型")]
        assert any(str(v.sqref).startswith(f"{kind_column}2") for v in data.data_validations.dataValidation)
        rows = {r[0]: r for r in instructions.iter_rows(values_only=True) if r and r[0]}
        assert rows["单位类型"][1] == "必填" and "企业" in rows["单位类型"][3]
        assert "郑州高新区" in rows["所在区域"][2]
        assert "技术领域代码表" in wb.sheetnames and "区划代码表" in wb.sheetnames

    def test_small_file_shows_the_result(self, client, bureau):
        # given
        client.force_login(bureau)
        # when
        response = client.post("/manage/organizations/import/",
                               {"file": upload(ORG_HEADERS, [org_row(1), org_row(2)])})
        # then
        assert response.status_code == 200
        assert "成功导入 2 条单位" in response.content.decode()

    def test_bad_file_lists_the_errors_and_imports_nothing(self, client, bureau):
        # given
        client.force_login(bureau)
        # when
        response = client.post("/manage/organizations/import/",
                               {"file": upload(ORG_HEADERS, [org_row(1), org_row(2, region="火星区")])})
        # then
        assert response.status_code == 422
        assert "第3行 所在区域: 未找到行政区划“火星区”" in response.content.decode()
        assert Organization.objects.count() == 0

    def test_large_file_redirects_to_the_job_page_which_polls_until_done(self, client, bureau, settings,
                                                                        django_capture_on_commit_callbacks):
        # given
        settings.TECHMARKET_IMPORT_SYNC_ROWS = 3
        client.force_login(bureau)
        # when
        with django_capture_on_commit_callbacks(execute=True):
            response = client.post("/manage/organizations/import/",
                                   {"file": upload(ORG_HEADERS, [org_row(i) for i in range(6)])})
        # then
        job = ImportJob.objects.get()
        assert response.status_code == 302 and response["Location"] == f"/manage/imports/{job.pk}/"
        page = client.get(response["Location"]).content.decode()
        assert "成功导入 6 条单位" in page and "hx-trigger" not in page
        fragment = client.get(f"/manage/imports/{job.pk}/progress/")
        assert fragment.status_code == 200 and "成功导入 6 条单位" in fragment.content.decode()

    def test_queued_job_page_polls_every_second(self, client, bureau):
        # given
        job = ImportJob.objects.create(kind="organizations", user=bureau, region=bureau.region, total_rows=9000)
        client.force_login(bureau)
        # when
        page = client.get(f"/manage/imports/{job.pk}/").content.decode()
        # then
        assert 'hx-trigger="every 1s"' in page and f"/manage/imports/{job.pk}/progress/" in page

    def test_job_page_is_404_for_other_users_out_of_scope(self, client, bureau, make_user):
        # given
        job = ImportJob.objects.create(kind="organizations", user=bureau, region=bureau.region)
        client.force_login(make_user("officer-410103", Role.DISTRICT_OFFICER, region_code="410103"))
        # then
        assert client.get(f"/manage/imports/{job.pk}/").status_code == 404


class TestImportApi:
    def test_small_file_answers_201_with_the_count(self, client, bureau):
        # given
        client.force_login(bureau)
        # when
        response = client.post("/api/v1/organizations/import",
                               {"file": upload(ORG_HEADERS, [org_row(1), org_row(2)])})
        # then
        assert response.status_code == 201 and response.json()["created"] == 2

    def test_bad_row_answers_422_with_the_full_message(self, client, bureau):
        # given
        client.force_login(bureau)
        rows = [org_row(1), org_row(2, code="91410105MA00000000")]
        # when
        response = client.post("/api/v1/organizations/import", {"file": upload(ORG_HEADERS, rows)})
        # then
        assert response.status_code == 422
        [error] = response.json()["errors"]
        assert error["field"] == "第3行 统一社会信用代码"
        assert error["message"].startswith("第3行 统一社会信用代码: 统一社会信用代码无效：校验位错误")
        assert Organization.objects.count() == 0

    def test_large_file_answers_202_and_the_job_reports_the_result(self, client, bureau, settings,
                                                                  django_capture_on_commit_callbacks):
        # given
        settings.TECHMARKET_IMPORT_SYNC_ROWS = 3
        client.force_login(bureau)
        # when
        with django_capture_on_commit_callbacks(execute=True):
            response = client.post("/api/v1/people/import", {"file": upload(
                TestPersonImport.HEADERS, [[f"专家{i}", "专家", "410105"] + [None] * 5 for i in range(5)])})
        # then
        assert response.status_code == 202
        body = response.json()
        assert body["status_url"] == f"/api/v1/imports/{body['job']}"
        job = client.get(body["status_url"]).json()
        assert job["status"] == "succeeded" and job["created_count"] == 5 and job["errors"] == []

    def test_someone_elses_job_is_404(self, client, bureau, officer):
        # given
        job = ImportJob.objects.create(kind="organizations", user=bureau, region=bureau.region)
        client.force_login(officer)
        # then
        assert client.get(f"/api/v1/imports/{job.pk}").status_code == 404

    def test_bureau_admin_sees_a_district_officers_job(self, client, bureau, officer):
        # given
        job = ImportJob.objects.create(kind="organizations", user=officer, region=officer.region)
        client.force_login(bureau)
        # then
        assert client.get(f"/api/v1/imports/{job.pk}").status_code == 200

    def test_anonymous_import_is_401(self, client):
        response = client.post("/api/v1/organizations/import", {"file": upload(ORG_HEADERS, [org_row(1)])})
        assert response.status_code == 401

    def test_enterprise_user_import_is_403(self, client, make_user):
        client.force_login(make_user("ent-1", Role.ENTERPRISE))
        response = client.post("/api/v1/platforms/import", {"file": upload(ORG_HEADERS, [org_row(1)])})
        assert response.status_code == 403
