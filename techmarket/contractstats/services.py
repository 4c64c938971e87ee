"""Summary tables of registered technology contracts (C3), kept current inside the registration,
amendment and deregistration transactions.

* ``stats_apply(contract, sign)``: the registration services call it inside their transaction, +1 when a
  contract becomes registered, −1 when it is deregistered, −1 (old values) then +1 (new values) around an
  amendment. One ``INSERT … ON CONFLICT … DO UPDATE SET count = count + excluded.count`` statement adds
  the contract's cells: race-safe on PostgreSQL (the unique constraint serialises concurrent upserts of a
  cell; cells are written in one fixed order so two registrations cannot deadlock) and on SQLite (one
  writer at a time).
* ``stats_compute()`` / ``stats_rebuild()``: the same cells recomputed from the registered contracts
  (``techmarket contract_stats_rebuild``, the demo and the benchmark build the summary with it).
"""
from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable

from django.db import connections, models, router, transaction
from django.db.models import Count, Func, Sum

from .models import ALL_REGIONS, UNKNOWN_KEY, ContractStat, Dimension, Side

__all__ = ["stats_apply", "stats_compute", "stats_rebuild", "stats_snapshot", "contract_cells",
           "DIMENSION_FIELDS", "SIDE_REGION_FIELDS"]

# The contract's column each dimension counts by, and each side's party region.
DIMENSION_FIELDS = {
    Dimension.CATEGORY: "category_id",
    Dimension.FIELD: "tech_field_id",
    Dimension.SELLER_NATURE: "seller_nature_id",
    Dimension.BUYER_NATURE: "buyer_nature_id",
    Dimension.IP_TYPE: "ip_type_id",
    Dimension.PLAN_CATEGORY: "plan_category_id",
}
SIDE_REGION_FIELDS = {Side.OUTPUT: "seller_region_id", Side.ABSORBED: "buyer_region_id"}

CellKey = tuple[str, str, str, int, int, str]  # region_code, side, dimension, year, month, key
_COLUMNS = ("region_code", "side", "dimension", "year", "month", "key", "count", "contract_amount_fen",
            "tech_amount_fen")


def _key(term_id) -> str:
    return UNKNOWN_KEY if term_id is None else str(term_id)


def _region_levels(path: str | None) -> list[str]:
    """"410000/410100/410105/" → ["", "410000", "410100", "410105"]: every row the party counts in."""
    return [ALL_REGIONS, *[code for code in (path or "").split("/") if code]]


def _region_paths(ids: Iterable[int | None]) -> dict[int, str]:
    from techmarket.regions.models import Region

    wanted = {i for i in ids if i is not None}
    return dict(Region.objects.filter(pk__in=wanted).values_list("pk", "path")) if wanted else {}


def contract_cells(contract, *, paths: dict[int, str] | None = None) -> list[CellKey]:
    """The summary cells one registered contract counts in (2 sides × its region levels × 7 dimensions)."""
    if contract.registered_on is None:
        raise ValueError("stats_apply: the contract has no registered_on date")
    if paths is None:
        paths = _region_paths([contract.seller_region_id, contract.buyer_region_id])
    year, month = contract.registered_on.year, contract.registered_on.month
    cells: list[CellKey] = []
    for side, region_field in SIDE_REGION_FIELDS.items():
        region_id = getattr(contract, region_field)
        for code in _region_levels(paths.get(region_id) if region_id is not None else None):
            cells.append((code, side.value, Dimension.ALL.value, year, month, ""))
            for dimension, field in DIMENSION_FIELDS.items():
                cells.append((code, side.value, dimension.value, year, month, _key(getattr(contract, field))))
    return cells


def stats_apply(contract, sign: int) -> None:
    """Add (``sign=+1``) or remove (``sign=-1``) ``contract``'s figures to or from the summary tables,
    from the contract's field values as they are now. Called inside the registration transaction."""
    if sign not in (1, -1):
        raise ValueError("stats_apply: sign must be +1 or -1")
    cells = sorted(set(contract_cells(contract)))  # one fixed order: concurrent upserts cannot deadlock
    values = (sign, sign * int(contract.total_amount_fen or 0), sign * int(contract.tech_amount_fen or 0))
    alias = router.db_for_write(ContractStat)
    connection = connections[alias]
    qn = connection.ops.quote_name
    table = qn(ContractStat._meta.db_table)
    columns = ", ".join(qn(c) for c in _COLUMNS)
    conflict = ", ".join(qn(c) for c in _COLUMNS[:6])
    updates = ", ".join(f"{qn(c)} = {table}.{qn(c)} + excluded.{qn(c)}" for c in _COLUMNS[6:])
    placeholders = ", ".join(["(" + ", ".join(["%s"] * len(_COLUMNS)) + ")"] * len(cells))
    sql = (f"INSERT INTO {table} ({columns}) VALUES {placeholders} "
           f"ON CONFLICT ({conflict}) DO UPDATE SET {updates}")
    params = [value for cell in cells for value in (*cell, *values)]
    with transaction.atomic(using=alias), connection.cursor() as cursor:
        cursor.execute(sql, params)


# Recomputing from the contracts ---------------------------------------------------------------------

class _Year(Func):
    """The year of a DateField; on SQLite a substring of the ISO text (no per-row Python function)."""

    output_field = models.IntegerField()
    template = "EXTRACT(YEAR FROM %(expressions)s)"

    def as_sqlite(self, compiler, connection, **extra):
        return self.as_sql(compiler, connection, template="CAST(substr(%(expressions)s, 1, 4) AS INTEGER)", **extra)

    def as_postgresql(self, compiler, connection, **extra):
        return self.as_sql(compiler, connection, template="EXTRACT(YEAR FROM %(expressions)s)::integer", **extra)


class _Month(_Year):
    template = "EXTRACT(MONTH FROM %(expressions)s)"

    def as_sqlite(self, compiler, connection, **extra):
        return self.as_sql(compiler, connection, template="CAST(substr(%(expressions)s, 6, 2) AS INTEGER)", **extra)

    def as_postgresql(self, compiler, connection, **extra):
        return self.as_sql(compiler, connection, template="EXTRACT(MONTH FROM %(expressions)s)::integer", **extra)


def stats_compute(*, using: str = "default") -> dict[CellKey, list[int]]:
    """Every non-zero summary cell recomputed from the registered contracts.

    One GROUP BY (year, month, party region, key) per side and dimension in the database; the roll-up
    to the region's ancestors and the all-regions row is done here (the grouped rows are few).
    """
    from techmarket.contracts.choices import ContractStatus
    from techmarket.contracts.models import TechContract
    from techmarket.regions.models import Region

    levels = {pk: _region_levels(path) for pk, path in Region.objects.using(using).values_list("pk", "path")}
    no_region = _region_levels(None)
    cells: dict[CellKey, list[int]] = defaultdict(lambda: [0, 0, 0])
    registered = TechContract.objects.using(using).filter(status=ContractStatus.REGISTERED,
                                                          registered_on__isnull=False)
    for side, region_field in SIDE_REGION_FIELDS.items():
        for n, (dimension, field) in enumerate(DIMENSION_FIELDS.items()):
            rows = (registered.annotate(y=_Year("registered_on"), m=_Month("registered_on"))
                    .values_list("y", "m", region_field, field)
                    .annotate(n=Count("pk"), a=Sum("total_amount_fen"), t=Sum("tech_amount_fen"))
                    .order_by())
            for year, month, region_id, term_id, count, amount, tech in rows.iterator(chunk_size=20000):
                key = _key(term_id)
                amount, tech = int(amount or 0), int(tech or 0)
                for code in (levels.get(region_id, no_region) if region_id is not None else no_region):
                    targets = [(code, side.value, dimension.value, year, month, key)]
                    if n == 0:  # every contract has exactly one key per dimension: the first gives the totals
                        targets.append((code, side.value, Dimension.ALL.value, year, month, ""))
                    for cell in targets:
                        acc = cells[cell]
                        acc[0] += count
                        acc[1] += amount
                        acc[2] += tech
    return {cell: acc for cell, acc in cells.items() if any(acc)}


def stats_snapshot(*, using: str = "default") -> dict[CellKey, list[int]]:
    """The summary table as it is, without zero cells (left behind by deregistrations)."""
    snapshot = {}
    for row in ContractStat.objects.using(using).values_list(*_COLUMNS).iterator(chunk_size=20000):
        if any(row[6:]):
            snapshot[tuple(row[:6])] = list(row[6:])
    return snapshot


def stats_rebuild(*, using: str = "default") -> int:
    """Replace the summary by ``stats_compute()`` in one transaction; returns the number of cells written.

    PostgreSQL: ``TRUNCATE`` (which also holds registrations back until the commit) and ``COPY``;
    SQLite: ``DELETE`` and ``executemany`` in the same transaction.
    """
    connection = connections[using]
    with transaction.atomic(using=using):
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute(f"LOCK TABLE {connection.ops.quote_name(ContractStat._meta.db_table)} "
                               "IN SHARE ROW EXCLUSIVE MODE")
        cells = stats_compute(using=using)
        _write_cells(connection, cells)
    return len(cells)


def _write_cells(connection, cells: dict[CellKey, list[int]]) -> None:
    qn = connection.ops.quote_name
    table = qn(ContractStat._meta.db_table)
    columns = ", ".join(qn(c) for c in _COLUMNS)
    rows = ((*cell, *acc) for cell, acc in cells.items())
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(f"TRUNCATE {table}")
            with cursor.cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
        else:
            cursor.execute(f"DELETE FROM {table}")
            sql = f"INSERT INTO {table} ({columns}) VALUES ({', '.join(['%s'] * len(_COLUMNS))})"
            batch: list[tuple] = []
            for row in rows:
                batch.append(row)
                if len(batch) >= 20000:
                    cursor.executemany(sql, batch)
                    batch = []
            if batch:
                cursor.executemany(sql, batch)
