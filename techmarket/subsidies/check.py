"""An independent recomputation of a round, for ``techmarket subsidy_check --round ID``.

Written separately from ``engine``: plain loops over raw rows (``values()``), no engine helper, so a
mistake in one does not hide in the other. Returns, per declaration, the amount this check arrives at;
the command prints it beside the round's current computation.
"""
from __future__ import annotations

import datetime

from django.db.models import Sum

RANK = {"": 0, "district": 1, "municipal": 2, "provincial": 3, "national": 4}
KINDS = {"enterprise": {"enterprise"}, "university_institute": {"university", "institute"}, "agency": {"agency"},
         "agency_or_intermediary": {"agency", "service_provider"},
         "challenge_solver": {"university", "institute", "enterprise", "rd_institution"}}
ACTIVE = ("computed", "notice", "approved", "closed")
SHARE_MAX_RATE = 30


def _stage_reached(c: dict, code: str) -> bool:
    """签约: the contract is registered; 验收: its 揭榜挂帅 project passed acceptance; nothing else."""
    from techmarket.challenges.models import Challenge

    if code == "signing":
        return c["status"] == "registered"
    if code == "acceptance":
        return Challenge.objects.filter(contract_id=c["id"], status="accepted").exists()
    return False


def _region_path(region_id):
    from techmarket.regions.models import Region

    return Region.objects.filter(pk=region_id).values_list("path", flat=True).first() if region_id else None


def _blocked(org_id: int, credit_code: str, day: datetime.date) -> bool:
    from techmarket.integrity.models import IntegrityRecord

    for row in IntegrityRecord.objects.values("organization_id", "subject_credit_code", "effective_from",
                                              "effective_to", "revoked_on"):
        if row["organization_id"] != org_id and (not credit_code or row["subject_credit_code"] != credit_code):
            continue
        if row["effective_from"] > day:
            continue
        if row["effective_to"] is not None and row["effective_to"] < day:
            continue
        if row["revoked_on"] is not None and row["revoked_on"] <= day:
            continue
        return True
    return False


def _year_overlap(start, end, year):
    return start <= datetime.date(year, 12, 31) and (end is None or end >= datetime.date(year, 1, 1))


def _rate(amount: int, rate) -> int:
    # rate is a Decimal percent with at most three decimals
    thousandths = int(rate * 1000)
    return (amount * thousandths) // 100000


def _unit_ok(p: dict, org: dict, org_path: str, city_path: str, province_path: str, d: dict, year: int) -> bool:
    if p["unit_kind"] in KINDS and org["kind"] not in KINDS[p["unit_kind"]]:
        return False
    if p["unit_location"] == "in_city" and not org_path.startswith(city_path):
        return False
    if p["unit_location"] == "in_province" and not org_path.startswith(province_path):
        return False
    from techmarket.directory.models import Platform, Qualification

    if p["unit_kind"] == "platform":
        rows = list(Platform.objects.filter(pk=d["platform_id"]).values())
        if not rows:
            return False
        pl = rows[0]
        return (pl["organization_id"] == org["id"] and pl["kind"] in p["platform_kinds"]
                and RANK[pl["level"]] >= RANK[p["min_level"]]
                and _year_overlap(pl["recognised_on"], pl["valid_until"], year))
    if p["qualification_kind"] and p["rule_kind"] != "one_time_on_event":
        for q in Qualification.objects.filter(organization_id=org["id"]).values():
            if q["kind"] == p["qualification_kind"] and RANK[q["level"]] >= RANK[p["min_level"]] and \
                    _year_overlap(q["recognised_on"], q["valid_until"], year):
                return True
        return False
    return True


def _contract_ok(p: dict, org_id: int, c: dict, city_path: str, province_path: str) -> bool:
    party = {"buyer": c["buyer_organization_id"], "seller": c["seller_organization_id"],
             "broker": c["broker_agency_id"]}[p["recipient_role"]]
    if party != org_id or c["status"] != "registered":
        return False
    if p["requires_national_number"] and not (c["registration_number"] and c["registration_number_source"] in (
            "national", "imported")):
        return False
    seller_path, buyer_path = _region_path(c["seller_region_id"]), _region_path(c["buyer_region_id"])
    if p["counterparty_location"] != "any" and p["recipient_role"] != "broker":
        other = seller_path if p["recipient_role"] == "buyer" else buyer_path
        if other is None:
            return False
        if p["counterparty_location"] == "outside_province" and other.startswith(province_path):
            return False
        if p["counterparty_location"] == "outside_city" and other.startswith(city_path):
            return False
    if p["transfer_in_city"] and not (buyer_path or "").startswith(city_path):
        return False
    return True


def independent_amounts(round_) -> dict[int, int]:
    """declaration id → amount (fen) by this check, for every accepted declaration of the round."""
    from techmarket.contracts.models import ContractPayment, PaymentEvidence, TechContract
    from techmarket.directory.models import Organization, Qualification

    from .models import SubsidyDeclaration, SubsidyLine

    computation = round_.computations.filter(is_current=True).first()
    day = computation.as_of if computation else datetime.date.today()
    year = round_.base_year
    city_path = round_.city.path
    province_path = city_path.split("/")[0] + "/"
    prior = set()
    for line in SubsidyLine.objects.filter(computation__is_current=True, computation__round__city=round_.city,
                                           computation__round__status__in=ACTIVE).exclude(
            computation__round=round_).values("policy__code", "policy__rule_kind", "declaration__contract_id",
                                              "declaration__instalment", "explanation"):
        if line["policy__rule_kind"] == "one_time_on_event":
            # once per unit per qualification: the qualification an earlier line was awarded for
            for item in line["explanation"].get("items", []):
                if item.get("kind") == "qualification":
                    prior.add((line["policy__code"], "q", item["id"]))
        if line["policy__rule_kind"] == "share_of_contract":
            prior.add((line["policy__code"], line["declaration__contract_id"], line["declaration__instalment"]))
    got: dict[tuple, int] = {}
    capped: dict[int, int] = {}
    fixed: set[int] = set()
    for d in SubsidyDeclaration.objects.filter(round=round_, status="accepted").order_by("pk").values():
        p = round_.policies.filter(pk=d["policy_id"]).values().first()
        org = Organization.objects.filter(pk=d["organization_id"]).values().first()
        org_path = _region_path(org["region_id"])
        if _blocked(org["id"], org["credit_code"], day) or not _unit_ok(p, org, org_path, city_path, province_path,
                                                                        d, year):
            continue
        amount = 0
        award_key = None  # a one-time award or contract instalment, granted once
        if p["rule_kind"] == "rate_of_base":
            base = 0
            contract_ids = SubsidyDeclaration.contracts.through.objects.filter(
                subsidydeclaration_id=d["id"]).values_list("techcontract_id", flat=True)
            payment_ids = set(SubsidyDeclaration.payments.through.objects.filter(
                subsidydeclaration_id=d["id"]).values_list("contractpayment_id", flat=True))
            for c in TechContract.objects.filter(pk__in=list(contract_ids)).values():
                if not _contract_ok(p, org["id"], c, city_path, province_path):
                    continue
                if p["base"] == "paid_amount":
                    for pay in ContractPayment.objects.filter(contract_id=c["id"]).values():
                        if pay["id"] not in payment_ids or pay["paid_on"].year != year:
                            continue
                        kinds = set(PaymentEvidence.objects.filter(record_id=pay["id"]).values_list("kind", flat=True))
                        if p["payment_evidence_required"] and not {"voucher", "invoice"} <= kinds:
                            continue
                        base += pay["amount_fen"]
                elif c["registered_on"] and c["registered_on"].year == year:
                    base += c["total_amount_fen"] if p["base"] == "total_amount" else c["tech_amount_fen"]
            amount = _rate(base, p["rate_percent"])
        elif p["rule_kind"] == "band_by_grade":
            fixed.add(d["id"])
            for row in p["grade_amounts"]:
                if row["grade"] == d["grade"]:
                    amount = row["amount_fen"]
        elif p["rule_kind"] == "one_time_on_event":
            fixed.add(d["id"])
            # new recognitions in the base year at the level, not awarded before: highest level first,
            # then the lowest id; the declaration may name one
            quals = []
            for q in Qualification.objects.filter(organization_id=org["id"]).order_by("id").values():
                if q["kind"] != p["qualification_kind"] or RANK[q["level"]] < RANK[p["min_level"]]:
                    continue
                if q["recognised_on"].year != year:
                    continue
                if d["qualification_id"] and q["id"] != d["qualification_id"]:
                    continue
                if (p["code"], "q", q["id"]) in prior:
                    continue
                quals.append(q)
            best = None
            for q in quals:
                if best is None or RANK[q["level"]] > RANK[best["level"]]:
                    best = q
            low, high = p["min_amount_fen"] or 0, p["max_amount_fen"]
            if best is not None and d["assessed_amount_fen"] is not None and \
                    low <= d["assessed_amount_fen"] and (high is None or d["assessed_amount_fen"] <= high):
                amount = d["assessed_amount_fen"]
                award_key = (p["code"], "q", best["id"])
        else:
            c = TechContract.objects.filter(pk=d["contract_id"]).values().first()
            stage = [s for s in p["instalments"] if s["code"] == d["instalment"]]
            key = (p["code"], d["contract_id"], d["instalment"])
            if c and c["source"] == "challenge" and stage and key not in prior and \
                    _contract_ok(p, org["id"], c, city_path, province_path) and _stage_reached(c, stage[0]["code"]):
                # never above 30 % of the contract (seed 003 (六)); the policy's maximum bounds the whole
                ceiling = _rate(c["total_amount_fen"], min(p["rate_percent"], SHARE_MAX_RATE))
                if p["max_amount_fen"] is not None:
                    ceiling = min(ceiling, p["max_amount_fen"])
                amount = ceiling * stage[0]["percent"] // 100
                award_key = key
        if p["max_amount_fen"] is not None:
            amount = min(amount, p["max_amount_fen"])
        if p["cap_per_unit_year_fen"] is not None:
            before = SubsidyLine.objects.filter(
                computation__is_current=True, computation__round__city=round_.city,
                computation__round__year=round_.year, computation__round__status__in=ACTIVE,
                policy__code=p["code"], organization_id=org["id"]).exclude(
                computation__round=round_).aggregate(s=Sum("amount_fen"))["s"] or 0
            before += got.get((org["id"], p["code"]), 0)
            amount = min(amount, max(p["cap_per_unit_year_fen"] - before, 0))
        if amount > 0:
            if award_key is not None:
                prior.add(award_key)
            got[(org["id"], p["code"])] = got.get((org["id"], p["code"]), 0) + amount
            capped[d["id"]] = amount
    budget = round_.budget_fen
    if budget is not None:
        fixed_sum = sum(v for k, v in capped.items() if k in fixed)
        flex_sum = sum(v for k, v in capped.items() if k not in fixed)
        room = budget - fixed_sum
        if flex_sum > room:
            for k in list(capped):
                if k not in fixed:
                    capped[k] = capped[k] * room // flex_sum
    return capped


def side_by_side(round_) -> tuple[list[dict], bool]:
    """Rows ``{declaration, organization, policy, engine_fen, check_fen, same}`` and whether all agree."""
    from .models import SubsidyDeclaration

    computation = round_.computations.filter(is_current=True).first()
    engine_amounts = {}
    if computation is not None:
        engine_amounts = {line.declaration_id: line.amount_fen for line in computation.lines.all()}
    check = independent_amounts(round_)
    rows = []
    for d in SubsidyDeclaration.objects.filter(round=round_).exclude(status="draft").select_related(
            "organization", "policy").order_by("pk"):
        a, b = engine_amounts.get(d.pk, 0), check.get(d.pk, 0)
        rows.append({"declaration": d.pk, "organization": d.organization.name, "policy": d.policy.name,
                     "engine_fen": a, "check_fen": b, "same": a == b})
    return rows, all(r["same"] for r in rows)
