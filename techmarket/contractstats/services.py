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

from collections.abc import Iterable

from django.db import connections, router, transaction

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
#
# The rebuild runs in the database, over temporary tables, in GROUP BYs whose inputs stay small:
#
# 1. ``_CONTRACTS``: the registered contracts' columns the statistics read (year, month, both parties'
#    regions, the six keys, the amounts) — one scan of the wide contracts table;
# 2. ``_GROUPS``: for each side × dimension, those grouped by (year, month, the party's own region, key),
#    and the ``all`` dimension from the ``category`` groups (every contract has exactly one category key);
# 3. ``_CELLS``, level by level from the deepest: the cells of the regions at depth d are their own groups
#    plus their children's cells (depth d + 1) — a roll-up reads the level below, not every contract
#    again; depth 0 is the all-regions row "" (with the parties without a region).
# The regions' depths and parents come from ``_region_levels`` — the function stats_apply counts a
# contract's rows with — so each group ends in exactly the rows of its party's path: the cells stats_apply
# adds up contract by contract.

_CONTRACTS = "contractstats_rebuild_contracts"
_GROUPS = "contractstats_rebuild_groups"
_NODES = "contractstats_rebuild_nodes"
_PARENTS = "contractstats_rebuild_parents"
_CELLS = "contractstats_rebuild_cells"
_WORK_TABLES = (_CONTRACTS, _GROUPS, _NODES, _PARENTS, _CELLS)
_NO_REGION = 0  # no region id is 0: a party without a region (unknown, abroad) counts only in ""
_CELL_COLUMNS = "side varchar(8) NOT NULL, dimension varchar(16) NOT NULL, year integer NOT NULL, " \
                "month integer NOT NULL, term_key varchar(20) NOT NULL, n bigint NOT NULL, a bigint NOT NULL, " \
                "t bigint NOT NULL"


def _year_month_sql(connection, column: str) -> tuple[str, str]:
    if connection.vendor == "postgresql":
        return (f"CAST(EXTRACT(YEAR FROM {column}) AS integer)", f"CAST(EXTRACT(MONTH FROM {column}) AS integer)")
    # SQLite keeps dates as ISO text: no per-row date parsing
    return (f"CAST(substr({column}, 1, 4) AS integer)", f"CAST(substr({column}, 6, 2) AS integer)")


def _drop_work_tables(cursor) -> None:
    for name in _WORK_TABLES:
        cursor.execute(f"DROP TABLE IF EXISTS {name}")


def _region_tree(using: str) -> tuple[list[tuple], list[tuple]]:
    """(region id, own code, depth) for every region (and id 0: "", depth 0), and (code, parent code,
    depth) for every code of every path, both read off ``_region_levels``."""
    from techmarket.regions.models import Region

    nodes, parents = [(_NO_REGION, ALL_REGIONS, 0)], {}
    for pk, path in Region.objects.using(using).values_list("pk", "path"):
        levels = _region_levels(path)
        nodes.append((pk, levels[-1], len(levels) - 1))
        for depth in range(1, len(levels)):
            code, parent = levels[depth], levels[depth - 1]
            if parents.setdefault(code, (code, parent, depth)) != (code, parent, depth):
                raise ValueError(f"stats_rebuild: regions' paths disagree on the parent of {code}")
    return nodes, list(parents.values())


def _prepare_cells(connection, cursor, using: str) -> None:
    """Fill ``_CELLS`` with every non-zero summary cell, computed from the registered contracts.
    Inside a transaction; the caller drops the temporary tables (``_drop_work_tables``)."""
    from techmarket.contracts.choices import ContractStatus
    from techmarket.contracts.models import TechContract

    qn = connection.ops.quote_name
    meta = TechContract._meta
    column = lambda name: qn(meta.get_field(name).column)  # noqa: E731
    _drop_work_tables(cursor)

    nodes, parents = _region_tree(using)
    cursor.execute(f"CREATE TEMPORARY TABLE {_NODES} (region_id bigint NOT NULL, code varchar(6) NOT NULL, "
                   "depth integer NOT NULL)")
    cursor.executemany(f"INSERT INTO {_NODES} (region_id, code, depth) VALUES (%s, %s, %s)", nodes)
    cursor.execute(f"CREATE INDEX {_NODES}_region ON {_NODES} (region_id)")
    cursor.execute(f"CREATE TEMPORARY TABLE {_PARENTS} (code varchar(6) NOT NULL, parent_code varchar(6) NOT NULL, "
                   "depth integer NOT NULL)")
    cursor.executemany(f"INSERT INTO {_PARENTS} (code, parent_code, depth) VALUES (%s, %s, %s)", parents)
    cursor.execute(f"CREATE INDEX {_PARENTS}_code ON {_PARENTS} (code)")

    # 1. The registered contracts, narrow.
    year, month = _year_month_sql(connection, column("registered_on"))
    keys = {side_field: f"COALESCE({column(side_field.removesuffix('_id'))}, {_NO_REGION})"
            for side_field in SIDE_REGION_FIELDS.values()}
    keys |= {field: column(field.removesuffix("_id")) for field in DIMENSION_FIELDS.values()}
    cursor.execute(f"CREATE TEMPORARY TABLE {_CONTRACTS} (year integer NOT NULL, month integer NOT NULL, "
                   + ", ".join(f"{name} bigint" for name in keys) + ", a bigint NOT NULL, t bigint NOT NULL)")
    cursor.execute(
        f"INSERT INTO {_CONTRACTS} (year, month, {', '.join(keys)}, a, t) "
        f"SELECT {year}, {month}, {', '.join(keys.values())}, {column('total_amount_fen')}, "
        f"{column('tech_amount_fen')} FROM {qn(meta.db_table)} "
        f"WHERE {column('status')} = %s AND {column('registered_on')} IS NOT NULL",
        [ContractStatus.REGISTERED.value])

    # 2. Per side × dimension: (year, month, own region, key).
    cursor.execute(f"CREATE TEMPORARY TABLE {_GROUPS} (region_id bigint NOT NULL, {_CELL_COLUMNS})")
    for side, region_field in SIDE_REGION_FIELDS.items():
        for dimension, field in DIMENSION_FIELDS.items():
            cursor.execute(
                f"INSERT INTO {_GROUPS} (side, dimension, year, month, region_id, term_key, n, a, t) "
                f"SELECT %s, %s, year, month, {region_field}, COALESCE(CAST({field} AS varchar(20)), %s), "
                f"COUNT(*), SUM(a), SUM(t) FROM {_CONTRACTS} GROUP BY year, month, {region_field}, {field}",
                [side.value, dimension.value, UNKNOWN_KEY])
    cursor.execute(
        f"INSERT INTO {_GROUPS} (side, dimension, year, month, region_id, term_key, n, a, t) "
        f"SELECT side, %s, year, month, region_id, %s, SUM(n), SUM(a), SUM(t) FROM {_GROUPS} "
        f"WHERE dimension = %s GROUP BY side, year, month, region_id",
        [Dimension.ALL.value, "", Dimension.CATEGORY.value])

    # 3. Level by level, from the deepest.
    cursor.execute(f"CREATE TEMPORARY TABLE {_CELLS} (code varchar(6) NOT NULL, depth integer NOT NULL, "
                   f"{_CELL_COLUMNS})")
    cell = "side, dimension, year, month, term_key"
    deepest = max(depth for _pk, _code, depth in nodes)
    for depth in range(deepest, -1, -1):
        own = (f"SELECT nd.code, g.side, g.dimension, g.year, g.month, g.term_key, g.n, g.a, g.t FROM {_GROUPS} g "
               f"JOIN {_NODES} nd ON nd.region_id = g.region_id WHERE nd.depth = %s")
        if depth == deepest:  # no children: each region's groups are its cells already
            cursor.execute(f"INSERT INTO {_CELLS} (code, depth, {cell}, n, a, t) "
                           f"SELECT code, %s, {cell}, n, a, t FROM ({own}) x", [depth, depth])
            continue
        children = (f"SELECT p.parent_code, c.side, c.dimension, c.year, c.month, c.term_key, c.n, c.a, c.t "
                    f"FROM {_CELLS} c JOIN {_PARENTS} p ON p.code = c.code WHERE c.depth = %s")
        cursor.execute(f"INSERT INTO {_CELLS} (code, depth, {cell}, n, a, t) "
                       f"SELECT code, %s, {cell}, SUM(n), SUM(a), SUM(t) FROM ({own} UNION ALL {children}) x "
                       f"GROUP BY code, {cell}", [depth, depth, depth + 1])


def stats_compute(*, using: str = "default") -> dict[CellKey, list[int]]:
    """Every non-zero summary cell recomputed from the registered contracts (the cells ``stats_rebuild``
    writes; read back for the dry run and the tests)."""
    connection = connections[using]
    cells: dict[CellKey, list[int]] = {}
    with transaction.atomic(using=using), connection.cursor() as cursor:
        _prepare_cells(connection, cursor, using)
        cursor.execute(f"SELECT code, side, dimension, year, month, term_key, n, a, t FROM {_CELLS}")
        for code, side, dimension, year, month, key, n, a, t in cursor.fetchall():
            acc = [int(n), int(a or 0), int(t or 0)]
            if any(acc):
                cells[(code, side, dimension, int(year), int(month), key)] = acc
        _drop_work_tables(cursor)
    return cells


def stats_snapshot(*, using: str = "default") -> dict[CellKey, list[int]]:
    """The summary table as it is, without zero cells (left behind by deregistrations)."""
    snapshot = {}
    for row in ContractStat.objects.using(using).values_list(*_COLUMNS).iterator(chunk_size=20000):
        if any(row[6:]):
            snapshot[tuple(row[:6])] = list(row[6:])
    return snapshot


def stats_rebuild(*, using: str = "default") -> int:
    """Replace the summary by the cells recomputed from the registered contracts (the cells
    ``stats_compute`` returns), in one transaction, in the database (``INSERT … SELECT``); returns the
    number of cells written.

    PostgreSQL: ``LOCK`` and ``TRUNCATE`` (registrations wait until the commit), the unique constraint
    dropped and added back around the insert; SQLite: ``DELETE`` (one writer at a time anyway).
    """
    connection = connections[using]
    qn = connection.ops.quote_name
    table = qn(ContractStat._meta.db_table)
    columns = ", ".join(qn(c) for c in _COLUMNS)
    postgres = connection.vendor == "postgresql"
    with transaction.atomic(using=using), connection.cursor() as cursor:
        if postgres:
            cursor.execute(f"LOCK TABLE {table} IN SHARE ROW EXCLUSIVE MODE")
        _prepare_cells(connection, cursor, using)
        unique = []
        if postgres:
            # TRUNCATE holds the table exclusively until the commit anyway: the unique index is built once
            # over the new rows (same name, same definition) instead of row by row.
            cursor.execute(f"TRUNCATE {table}")
            cursor.execute("SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint "
                           "WHERE conrelid = %s::regclass AND contype = 'u'", [ContractStat._meta.db_table])
            unique = cursor.fetchall()
            for name, _definition in unique:
                cursor.execute(f"ALTER TABLE {table} DROP CONSTRAINT {qn(name)}")
        else:
            cursor.execute(f"DELETE FROM {table}")
        # SQLite: in the unique index's order, so that the index grows by appending
        cursor.execute(f"INSERT INTO {table} ({columns}) SELECT code, side, dimension, year, month, term_key, n, a, t "
                       f"FROM {_CELLS}" + ("" if postgres else " ORDER BY code, side, dimension, year, month, term_key"))
        written = cursor.rowcount
        for name, definition in unique:
            cursor.execute(f"ALTER TABLE {table} ADD CONSTRAINT {qn(name)} {definition}")
        _drop_work_tables(cursor)
    return written
