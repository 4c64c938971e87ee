"""The seller side's .xlsx import of draft contracts (SPEC R6 for C1): all rows or none."""
from __future__ import annotations

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import Workbook, load_workbook

from techmarket.contracts.choices import ContractSource, ContractStatus
from techmarket.contracts.imports import ContractImporter, parse_costs
from techmarket.contracts.models import NonTechnicalCost, TechContract
from techmarket.core.errors import ApplicationError
from techmarket.core.jobs import import_submit
from techmarket.core.models import ImportJob, ObjectChange
from techmarket.core.xlsx import ImportRefused

pytestmark = pytest.mark.django_db

HEADERS = ["合同名称", "合同类别", "买方名称", "买方统一社会信用代码", "买方所在地区", "买方性质", "合同成交额（元）",
           "非技术性费用", "技术领域", "知识产权类型", "计划类别", "签订日期", "有效期起", "有效期止"]
GOOD = ["智能仓储调度系统委托开发合同", "11", "河南中原物流有限公司", "", "410102", "有限责任公司", "300000.00",
        "服务器设备:50000.00;材料:2000", "01 电子信息", "计算机软件著作权", "0", "2025-03-01", "2025-03-01",
        "2026-02-28"]


def xlsx(rows, headers=HEADERS) -> SimpleUploadedFile:
    wb = Workbook()
    ws = wb.active
    ws.append(headers)
    for row in rows:
        ws.append(row)
    handle = io.BytesIO()
    wb.save(handle)
    return SimpleUploadedFile("contracts.xlsx", handle.getvalue())


def row(**changes):
    values = dict(zip(HEADERS, GOOD))
    if "成交额" in changes:
        changes["合同成交额（元）"] = changes.pop("成交额")
    values.update(changes)
    return [values[h] for h in HEADERS]


class TestContractImport:
    def test_valid_file_imports_every_row_as_drafts_of_the_seller(self, seller, seller_org):
        # given
        upload = xlsx([row(), row(合同名称="第二份合同", 非技术性费用="", 成交额=120000.5)])
        # when
        job = import_submit(kind="contracts", by=seller, upload=upload)
        # then
        assert job.status == ImportJob.Status.SUCCEEDED and job.created_count == 2
        first, second = TechContract.objects.order_by("pk")
        assert first.status == ContractStatus.DRAFT and first.source == ContractSource.IMPORT
        assert first.seller_organization == seller_org and first.seller_name == seller_org.name
        assert first.total_amount_fen == 30_000_000 and first.tech_amount_fen == 30_000_000 - 5_200_000
        assert list(first.non_technical_costs.values_list("item", "amount_fen")) == [
            ("服务器设备", 5_000_000), ("材料", 200_000)]
        assert first.category.code == "11" and first.buyer_nature.code == "45" and first.ip_type.code == "04"
        assert first.buyer_region.code == "410102"
        assert second.total_amount_fen == 12_000_050 and second.tech_amount_fen == 12_000_050
        assert ObjectChange.objects.filter(action=ObjectChange.Action.IMPORT, object_id=str(first.pk)).exists()

    def test_buyer_in_the_registry_is_linked_by_credit_code(self, seller, buyer_org):
        upload = xlsx([row(买方名称="", 买方统一社会信用代码=buyer_org.credit_code, 买方所在地区="", 买方性质="")])
        import_submit(kind="contracts", by=seller, upload=upload)
        contract = TechContract.objects.get()
        assert contract.buyer_organization == buyer_org and contract.buyer_name == buyer_org.name
        assert contract.buyer_region == buyer_org.region

    def test_bad_rows_import_nothing_and_name_every_row_and_column(self, seller):
        # given: row 2 good, rows 3 and 4 bad in several columns
        upload = xlsx([
            row(),
            row(合同类别="不存在的类别", 成交额="十万", 签订日期="2025-13-01"),
            row(买方名称="", 买方所在地区="999999", 非技术性费用="设备1000", 成交额="1000"),
            row(非技术性费用="设备:5000", 成交额="1000"),
        ])
        # when
        with pytest.raises(ImportRefused) as exc:
            import_submit(kind="contracts", by=seller, upload=upload)
        # then
        messages = [e.message for e in exc.value.errors]
        assert TechContract.objects.count() == 0 and NonTechnicalCost.objects.count() == 0
        assert any(m.startswith("第3行 合同类别: ") and "不存在的类别" in m for m in messages)
        assert any(m.startswith("第3行 合同成交额（元）: ") for m in messages)
        assert any(m.startswith("第3行 签订日期: ") for m in messages)
        assert any(m.startswith("第4行 买方名称: ") for m in messages)
        assert any(m.startswith("第4行 买方所在地区: ") for m in messages)
        assert any(m.startswith("第4行 非技术性费用: ") for m in messages)
        assert any(m.startswith("第5行 非技术性费用: ") and "不能超过合同成交额" in m for m in messages)
        assert not any(m.startswith("第2行") for m in messages)
        assert ImportJob.objects.get().status == ImportJob.Status.FAILED

    def test_signed_in_the_future_is_refused(self, seller):
        with pytest.raises(ImportRefused) as exc:
            import_submit(kind="contracts", by=seller, upload=xlsx([row(签订日期="2999-01-01", 有效期起="", 有效期止="")]))
        assert [e.message for e in exc.value.errors] == ["第2行 签订日期: 签订日期不能晚于今天"]

    def test_missing_required_column_is_refused(self, seller):
        with pytest.raises(ImportRefused) as exc:
            import_submit(kind="contracts", by=seller, upload=xlsx([["x"]], headers=["合同名称"]))
        assert any("缺少必填列“买方名称”" in e.message for e in exc.value.errors)

    def test_staff_may_not_import(self, bureau):
        from django.core.exceptions import PermissionDenied

        with pytest.raises(PermissionDenied):
            import_submit(kind="contracts", by=bureau, upload=xlsx([row()]))

    def test_costs_text_is_parsed(self):
        assert parse_costs("设备：1000.00；材料:200") == [{"item": "设备", "amount": "1000.00"},
                                                      {"item": "材料", "amount": "200"}]
        with pytest.raises(ApplicationError):
            parse_costs("设备1000")


class TestContractImportPages:
    def test_page_imports_and_reports(self, client, seller):
        client.force_login(seller)
        assert client.get(reverse("contract_imports:import")).status_code == 200
        response = client.post(reverse("contract_imports:import"), {"file": xlsx([row(成交额="abc")])})
        assert response.status_code == 422
        assert "第2行 合同成交额（元）" in response.content.decode()
        response = client.post(reverse("contract_imports:import"), {"file": xlsx([row()])})
        assert response.status_code == 200 and "成功导入 1 份" in response.content.decode()

    def test_page_is_404_for_staff(self, client, bureau):
        client.force_login(bureau)
        assert client.get(reverse("contract_imports:import")).status_code == 404

    def test_template_has_instructions_and_code_tables(self, client, seller):
        client.force_login(seller)
        response = client.get(reverse("contract_imports:template"))
        wb = load_workbook(io.BytesIO(b"".join(response.streaming_content)))
        assert wb.sheetnames[:2] == ["技术合同", "填写说明"] and "合同类别代码表" in wb.sheetnames
        headers = [c.value for c in wb["技术合同"][1]]
        assert headers == [c.header for c in ContractImporter.columns()]
        # the template, filled with one row, imports
        ws = wb["技术合同"]
        values = dict(zip(HEADERS, GOOD))
        ws.append([values.get(h, "") for h in headers])
        handle = io.BytesIO()
        wb.save(handle)
        job = import_submit(kind="contracts", by=seller, upload=SimpleUploadedFile("t.xlsx", handle.getvalue()))
        assert job.created_count == 1

    def test_api_import_201_and_422(self, client, seller):
        client.force_login(seller)
        response = client.post("/api/v1/contracts/import", {"file": xlsx([row()])})
        assert response.status_code == 201 and response.json()["created"] == 1
        response = client.post("/api/v1/contracts/import", {"file": xlsx([row(合同名称="")])})
        assert response.status_code == 422
        assert response.json()["errors"][0]["message"].startswith("第2行 合同名称: ")
        assert TechContract.objects.count() == 1
