"""The national-system import (SPEC C4): command, all-or-nothing, idempotency, round trip with the exporter."""
from __future__ import annotations

import datetime
import io

import pytest
from django.core.management import call_command
from openpyxl import Workbook

from techmarket.contracts.choices import ContractSource, ContractStatus, RegistrationNumberSource
from techmarket.contracts.models import TechContract
from techmarket.contracts.national import national_columns, national_export, national_import
from techmarket.core.actors import SYSTEM
from techmarket.core.xlsx import ImportRefused

pytestmark = pytest.mark.django_db

HEADERS = [c.header for c in national_columns()]


def good(n: int = 1, **changes) -> dict:
    values = {
        "登记号": f"2025410101{n:06d}", "合同名称": f"智能传感器技术转让合同{n}", "合同类别": "21 专利权转让",
        "卖方名称": "郑州材料研究院", "卖方统一社会信用代码": "", "卖方所在地区代码": "410105", "卖方性质": "21",
        "买方名称": "中原制造有限公司", "买方统一社会信用代码": "", "买方所在地区代码": "410102", "买方性质": "45",
        "合同成交额（元）": "500000.00", "技术交易额（元）": "450000.00", "技术领域": "01", "知识产权类型": "01",
        "计划类别": "0", "签订日期": datetime.date(2025, 3, 1), "有效期起": "2025-03-01", "有效期止": "2027-02-28",
        "登记日期": "2025-03-20", "登记机构": "郑州市技术合同认定登记站", "预计新增投入（元）": "",
        "预计新增产值（元）": "",
    }
    values.update(changes)
    return values


def workbook(rows: list[dict], path=None):
    wb = Workbook()
    ws = wb.active
    ws.append(HEADERS)
    for r in rows:
        ws.append([r.get(h) for h in HEADERS])
    if path is not None:
        wb.save(path)
        return str(path)
    handle = io.BytesIO()
    wb.save(handle)
    handle.seek(0)
    return handle


def run(capsys, path, *args) -> tuple[int, str, str]:
    try:
        call_command("contracts_import_national", path, *args)
        code = 0
    except SystemExit as exc:
        code = exc.code
    out = capsys.readouterr()
    return code, out.out, out.err


class TestNationalImportCommand:
    def test_success_creates_registered_contracts(self, capsys, tmp_path, regions, seller_org):
        # given: the seller is in the registry by credit code
        path = workbook([good(1, 卖方统一社会信用代码=seller_org.credit_code), good(2)], tmp_path / "n.xlsx")
        # when
        code, out, err = run(capsys, path)
        # then
        assert code == 0 and "已导入 2 份技术合同" in out and err == ""
        c = TechContract.objects.get(registration_number="2025410101000001")
        assert c.status == ContractStatus.REGISTERED and c.source == ContractSource.NATIONAL
        assert c.registration_number_source == RegistrationNumberSource.IMPORTED
        assert c.registered_on == datetime.date(2025, 3, 20) and c.seller_organization == seller_org
        assert c.total_amount_fen == 50_000_000 and c.tech_amount_fen == 45_000_000
        assert list(c.non_technical_costs.values_list("amount_fen", flat=True)) == [5_000_000]
        assert c.category.code == "21" and c.buyer_region.code == "410102" and c.has_national_number

    def test_bad_rows_exit_1_list_every_error_and_import_nothing(self, capsys, tmp_path, regions):
        path = workbook([
            good(1),
            good(2, 卖方所在地区代码="419999"),
            good(3, **{"合同成交额（元）": "五十万"}),
            good(4, **{"技术交易额（元）": "600000.00"}),
            good(1, 合同名称="同号的另一份合同"),
        ], tmp_path / "bad.xlsx")
        code, out, err = run(capsys, path)
        assert code == 1 and TechContract.objects.count() == 0
        assert "第3行 卖方所在地区代码: " in err
        assert "第4行 合同成交额（元）: " in err
        assert "第5行 技术交易额（元）: 技术交易额 600000.00 元不能大于合同成交额 500000.00 元" in err
        assert "第6行 登记号: 与第2行的登记号重复" in err
        assert "已导入" not in out

    def test_number_already_in_db_with_other_content_is_a_row_error(self, capsys, tmp_path, regions):
        national_import(source=workbook([good(1)]), by=SYSTEM)
        code, _out, err = run(capsys, workbook([good(1, 合同名称="改过名的合同")], tmp_path / "again.xlsx"))
        assert code == 1 and "第2行 登记号: 登记号 2025410101000001 已存在" in err
        assert TechContract.objects.get().name == "智能传感器技术转让合同1"

    def test_reimporting_the_same_file_is_idempotent(self, capsys, tmp_path, regions):
        path = workbook([good(1), good(2)], tmp_path / "same.xlsx")
        assert run(capsys, path)[0] == 0
        code, out, _err = run(capsys, path)
        assert code == 0 and "已导入 0 份技术合同（2 份登记号已存在且内容一致，已跳过）" in out
        assert TechContract.objects.count() == 2

    def test_dry_run_writes_nothing(self, capsys, tmp_path, regions):
        code, out, _err = run(capsys, workbook([good(1)], tmp_path / "d.xlsx"), "--dry-run")
        assert code == 0 and "试运行" in out and TechContract.objects.count() == 0

    def test_point_option_checks_every_number(self, capsys, tmp_path, regions):
        from techmarket.contracts.models import RegistrationPoint

        point = RegistrationPoint.objects.create(city=regions["city"], code="02", name="郑州二号登记点")
        code, _out, err = run(capsys, workbook([good(1)], tmp_path / "p.xlsx"), "--point", "4101-02")
        assert code == 1 and "第2行 登记号: " in err and "登记点代码 02" in err
        code, _out, _err = run(capsys, workbook([good(1, 登记号="2025410102000001")], tmp_path / "p2.xlsx"),
                               "--point", "4101-02")
        assert code == 0 and TechContract.objects.get().registration_point == point

    def test_unknown_point_is_a_usage_error(self, capsys, tmp_path, regions):
        from django.core.management.base import CommandError

        with pytest.raises(CommandError):
            call_command("contracts_import_national", workbook([good(1)], tmp_path / "u.xlsx"), "--point", "4101-77")


class TestNationalRoundTrip:
    def test_export_then_import_gives_the_same_contracts(self, regions):
        # given
        national_import(source=workbook([good(1), good(2, **{"技术交易额（元）": "500000.00", "计划类别": "国家科技计划"})]),
                        by=SYSTEM)
        before = {c.registration_number: (c.name, c.category_id, c.total_amount_fen, c.tech_amount_fen, c.signed_on,
                                          c.registered_on, c.seller_region_id, c.buyer_nature_id, c.plan_category_id)
                  for c in TechContract.objects.all()}
        data = national_export(TechContract.objects.all())
        # when: into an empty register
        TechContract.objects.all().delete()
        result = national_import(source=io.BytesIO(data), by=SYSTEM)
        # then
        after = {c.registration_number: (c.name, c.category_id, c.total_amount_fen, c.tech_amount_fen, c.signed_on,
                                         c.registered_on, c.seller_region_id, c.buyer_nature_id, c.plan_category_id)
                 for c in TechContract.objects.all()}
        assert result.created == 2 and after == before
        # and importing the export again over them changes nothing
        assert national_import(source=io.BytesIO(data), by=SYSTEM).skipped == 2


class TestNationalUploadPage:
    def test_bureau_uploads_and_others_get_404(self, client, bureau, seller, regions):
        from django.core.files.uploadedfile import SimpleUploadedFile
        from django.urls import reverse

        client.force_login(seller)
        assert client.get(reverse("contract_imports:national")).status_code == 404
        client.force_login(bureau)
        upload = SimpleUploadedFile("n.xlsx", workbook([good(1)]).getvalue())
        response = client.post(reverse("contract_imports:national"), {"file": upload})
        assert response.status_code == 200 and "已导入 1 份技术合同" in response.content.decode()

    def test_bureau_of_another_city_is_refused_per_row(self, bureau_hebi, regions):
        with pytest.raises(ImportRefused) as exc:
            national_import(source=workbook([good(1)]), by=bureau_hebi)
        assert exc.value.errors[0].message.startswith("第2行 卖方所在地区代码: 卖方和买方都不在您的管辖范围")
