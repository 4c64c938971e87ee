"""`techmarket bench_stats --contracts 1000000 [--database postgres://…] [--json]`: the statistics
benchmark (SPEC §4).

In its own scratch database (core/bench.py: a temporary SQLite file, or a PostgreSQL database created on
the server of ``--database`` and dropped afterwards; the configured database is refused) it

1. bulk-inserts N registered technology contracts (the TechContract rows as the registration leaves
   them: status registered, registration number and source, registration and signing dates, parties'
   regions and natures, category, field, IP type, plan category, amounts) — one executemany in one
   transaction on SQLite, one COPY on PostgreSQL, the table's secondary indexes (PostgreSQL: also its
   foreign keys and unique constraint) dropped before and recreated from their own definitions after;
   load settings on the scratch connection only (``_bench_data.loading``) — then builds the summary
   with ``stats_rebuild()``, the function ``techmarket contract_stats_rebuild`` uses (a test asserts
   it equals what ``stats_apply`` keeps incrementally). No StatusChange, audit or payment rows: the
   statistics never read them;
2. times each dashboard figure as the product computes it — the selectors the API and the page call,
   region code lookup included — warm (median of several calls) and cold (every database connection
   closed first, so the call opens a new one: for SQLite a fresh connection with an empty page cache; the
   operating system's file cache stays warm, there is no way to drop it without root);
3. exports the same contract rows to Parquet through pyarrow and computes every figure in DuckDB from
   those raw rows (a GROUP BY per figure, joined to the small term-grouping table), checks that DuckDB's
   numbers equal ours (a mismatch is printed and the command exits non-zero) and prints ratio =
   ours_ms / duckdb_ms (goal ≤ 3; cold figures under 300 ms).

Figures: by_month, by_region_rollup, by_category, by_field, by_seller_nature, output_absorbed, for year
2024, each for the scope city 4101 and for all regions.
"""
from __future__ import annotations

import datetime
import json
import os
import platform
import statistics
import time
from pathlib import Path

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError

from techmarket.core.bench import add_scratch_arguments, refuse_unless_scratch, run_in_scratch

YEAR = 2024
CITY = "410100"
WARM_RUNS = 7
DUCKDB_RUNS = 7
FIGURES = ("by_month", "by_region_rollup", "by_category", "by_field", "by_seller_nature", "output_absorbed")
GROUP_OF_FIGURE = {"by_month": "month", "by_region_rollup": "region", "by_category": "category",
                   "by_field": "field", "by_seller_nature": "seller_nature"}


class Command(BaseCommand):
    requires_system_checks = []  # a scratch database: the project's checks are not what is measured
    help = "统计性能基准：在临时数据库中写入 N 份已登记技术合同，与 DuckDB（Parquet）对比各统计图表的耗时（不会触碰已配置的数据库）。"

    def add_arguments(self, parser):
        parser.add_argument("--contracts", type=int, default=1_000_000, help="已登记技术合同份数（默认 1000000）。")
        parser.add_argument("--seed", type=int, default=20261123, help="随机数种子。")
        add_scratch_arguments(parser)  # --json, --database, --inner

    def handle(self, *args, contracts: int, json: bool, database: str, seed: int, inner: str, **options):
        if contracts < 100:
            raise CommandError("--contracts 至少为 100")
        if inner:
            return self._inner(Path(inner), n=contracts, as_json=json, seed=seed)
        run_in_scratch(command="bench_stats", args=["--contracts", str(contracts), "--seed", str(seed)]
                       + (["--json"] if json else []), database=database, warn=self.stderr.write)

    # The measuring process --------------------------------------------------------------------------

    def _inner(self, workdir: Path, *, n: int, as_json: bool, seed: int) -> None:
        engine = refuse_unless_scratch(workdir)
        say = self.stderr.write if as_json else self.stdout.write
        try:
            import duckdb  # noqa: F401
            import pyarrow  # noqa: F401
        except ImportError as exc:
            raise CommandError("需要 duckdb 与 pyarrow：pip install -e .[bench]") from exc
        say(f"准备临时数据库（{engine}）…")
        started = time.perf_counter()
        call_command("migrate", verbosity=0, interactive=False, skip_checks=True)
        say(f"  迁移用时 {time.perf_counter() - started:.1f} 秒")

        from django.db import connection

        from techmarket.contractstats.services import stats_rebuild

        from ._bench_data import insert_contracts, loading

        with loading(connection):
            started = time.perf_counter()
            inserted = insert_contracts(n, seed=seed, say=say)
            insert_s = time.perf_counter() - started
            say(f"写入 {inserted:,} 份已登记合同：{insert_s:.1f} 秒")
            started = time.perf_counter()
            cells = stats_rebuild()
            rebuild_s = time.perf_counter() - started
            say(f"按 stats_rebuild() 生成统计汇总 {cells:,} 个单元格：{rebuild_s:.1f} 秒")
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")  # as a maintained database is (PostgreSQL autovacuum; SQLite's ANALYZE)

        parquet = workdir / "contracts.parquet"
        started = time.perf_counter()
        groups = export_parquet(parquet)
        say(f"导出 Parquet（pyarrow）：{time.perf_counter() - started:.1f} 秒，{parquet.stat().st_size / 1e6:.1f} MB")

        results, mismatches = [], []
        duck = DuckFigures(parquet, groups)
        for scope in (CITY, ""):
            for name in FIGURES:
                ours = lambda: our_figure(name, scope)  # noqa: E731
                cold_ms = _cold(ours)
                warm_ms, our_rows = _warm(ours, WARM_RUNS)
                duck_ms, duck_rows = _warm(lambda: duck.figure(name, scope), DUCKDB_RUNS)
                if comparable(our_rows) != duck_rows:
                    mismatches.append((name, scope, comparable(our_rows), duck_rows))
                results.append({"name": name, "scope": scope or "all", "ours_ms": round(warm_ms, 3),
                                "ours_cold_ms": round(cold_ms, 3), "duckdb_ms": round(duck_ms, 3),
                                "ratio": round(warm_ms / duck_ms, 3) if duck_ms else None})
                say("  {n:<18} {s:<7} ours {w:8.2f} ms (cold {c:7.2f} ms)  duckdb {d:8.2f} ms  ratio {r}".format(
                    n=name, s=scope or "all", w=warm_ms, c=cold_ms, d=duck_ms, r=results[-1]["ratio"]))
        for name, scope, ours, theirs in mismatches:
            self.stderr.write(f"!!! 结果不一致：{name} / {scope or 'all'}\n  ours:   {ours}\n  duckdb: {theirs}")
        result = {
            "database": engine, "contracts": inserted, "figures": results,
            "year": YEAR, "summary_cells": cells, "insert_seconds": round(insert_s, 1),
            "rebuild_seconds": round(rebuild_s, 1), "equal_to_duckdb": not mismatches,
            "cpus": os.cpu_count(), "python": platform.python_version(),
            "date": datetime.date.today().isoformat(),
        }
        if as_json:
            self.stdout.write(json.dumps(result, ensure_ascii=False))
        if mismatches:
            raise CommandError("DuckDB 与本系统的统计结果不一致")


def _warm(fn, runs: int) -> tuple[float, object]:
    fn()  # warm-up
    times, value = [], None
    for _i in range(runs):
        started = time.perf_counter()
        value = fn()
        times.append((time.perf_counter() - started) * 1000)
    return statistics.median(times), value


def _cold(fn) -> float:
    from django.db import connections

    connections.close_all()
    started = time.perf_counter()
    fn()
    return (time.perf_counter() - started) * 1000


def our_figure(name: str, scope: str):
    """A figure as the API and the dashboard compute it: region lookup, then the selector."""
    from techmarket.contractstats.selectors import region_from_code, contract_stats, contract_stats_headline

    region = region_from_code(scope)
    if name == "output_absorbed":
        return list(contract_stats_headline(year=YEAR, region=region).values())
    return contract_stats(year=YEAR, region=region, group_by=GROUP_OF_FIGURE[name], side="output")


def comparable(rows) -> dict:
    """{key: (count, amount, tech, previous count, previous amount, previous tech)} without all-zero rows."""
    out = {}
    for r in rows:
        values = (r["count"], r["contract_amount_fen"], r["tech_amount_fen"], r["previous_count"],
                  r["previous_contract_amount_fen"], r["previous_tech_amount_fen"])
        if any(values):
            out[r["key"]] = values
    return out


# DuckDB over Parquet ----------------------------------------------------------------------------------

def export_parquet(path: Path) -> dict[str, dict[int, str]]:
    """The registered contracts' raw rows → Parquet (one row per contract; the party regions as their
    6-digit code and path, terms as ids); returns the term → reported-group tables."""
    import pyarrow as pa
    import pyarrow.parquet as pq
    from django.db import connection

    from techmarket.contracts.choices import ContractStatus
    from techmarket.contracts.models import TechContract
    from techmarket.contractstats.selectors import term_groups
    from techmarket.regions.models import Region

    paths = dict(Region.objects.values_list("pk", "path"))
    names = ["registered_on", "seller_region_id", "buyer_region_id", "category_id", "tech_field_id",
             "seller_nature_id", "buyer_nature_id", "ip_type_id", "plan_category_id", "total_amount_fen",
             "tech_amount_fen"]
    qs = TechContract.objects.filter(status=ContractStatus.REGISTERED, registered_on__isnull=False).values_list(*names)
    sql, params = qs.query.sql_with_params()
    writer = None
    schema = pa.schema([("registered_on", pa.date32()), ("seller_path", pa.string()), ("buyer_path", pa.string()),
                        ("category_id", pa.int64()), ("tech_field_id", pa.int64()), ("seller_nature_id", pa.int64()),
                        ("buyer_nature_id", pa.int64()), ("ip_type_id", pa.int64()), ("plan_category_id", pa.int64()),
                        ("total_amount_fen", pa.int64()), ("tech_amount_fen", pa.int64())])
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        writer = pq.ParquetWriter(str(path), schema)
        while True:
            batch = cursor.fetchmany(200_000)
            if not batch:
                break
            cols = list(zip(*batch))
            days = [d if isinstance(d, datetime.date) else datetime.date.fromisoformat(d) for d in cols[0]]
            arrays = [pa.array(days, pa.date32()),
                      pa.array([paths.get(i) for i in cols[1]], pa.string()),
                      pa.array([paths.get(i) for i in cols[2]], pa.string())]
            arrays += [pa.array(c, pa.int64()) for c in cols[3:]]
            writer.write_table(pa.Table.from_arrays(arrays, schema=schema))
        writer.close()
    groups = {}
    for scheme in ("contract_category", "contract_field", "party_nature"):
        groups[scheme] = {pk: term.code for pk, term in term_groups(scheme).items()}
    return groups


class DuckFigures:
    def __init__(self, parquet: Path, groups: dict[str, dict[int, str]]):
        import duckdb

        self.con = duckdb.connect()
        self.con.execute(f"CREATE VIEW c AS SELECT * FROM read_parquet('{parquet}')")
        for scheme, table in groups.items():
            name = "g_" + scheme
            self.con.execute(f"CREATE TABLE {name} (term_id BIGINT, code VARCHAR)")
            self.con.executemany(f"INSERT INTO {name} VALUES (?, ?)", list(table.items()))

    def _rows(self, sql: str, params: list) -> dict:
        out: dict = {}
        for key, year, n, a, t in self.con.execute(sql, params).fetchall():
            cur = out.setdefault(key, [0, 0, 0, 0, 0, 0])
            offset = 0 if year == YEAR else 3
            cur[offset:offset + 3] = [int(n), int(a or 0), int(t or 0)]
        return {k: tuple(v) for k, v in out.items() if any(v)}

    def figure(self, name: str, scope: str) -> dict:
        where = "year(registered_on) IN (?, ?)"
        params: list = [YEAR, YEAR - 1]
        prefix = None
        if scope:
            from techmarket.regions.models import Region

            prefix = Region.objects.get(code=scope).path
        seller_in = "seller_path LIKE ?" if prefix else "TRUE"
        scope_params = [prefix + "%"] if prefix else []
        sums = "count(*), sum(total_amount_fen), sum(tech_amount_fen)"
        if name == "output_absorbed":
            buyer_in = "buyer_path LIKE ?" if prefix else "TRUE"
            rows = self.con.execute(
                f"SELECT year(registered_on), count(*) FILTER ({seller_in}), "
                f"sum(total_amount_fen) FILTER ({seller_in}), sum(tech_amount_fen) FILTER ({seller_in}), "
                f"count(*) FILTER ({buyer_in}), sum(total_amount_fen) FILTER ({buyer_in}), "
                f"sum(tech_amount_fen) FILTER ({buyer_in}) FROM c WHERE {where} GROUP BY 1",
                scope_params * 3 + scope_params * 3 + params).fetchall()
            out = {"output": [0] * 6, "absorbed": [0] * 6}
            for year, n1, a1, t1, n2, a2, t2 in rows:
                off = 0 if year == YEAR else 3
                out["output"][off:off + 3] = [int(n1), int(a1 or 0), int(t1 or 0)]
                out["absorbed"][off:off + 3] = [int(n2), int(a2 or 0), int(t2 or 0)]
            return {k: tuple(v) for k, v in out.items() if any(v)}
        if name == "by_month":
            # Keyed by the figure's year: the previous year's month counts in the same row.
            key = f"'{YEAR}-' || strftime(registered_on, '%m')"
            return self._rows(f"SELECT {key}, year(registered_on), {sums} FROM c WHERE {where} AND {seller_in} "
                              "GROUP BY 1, 2", params + scope_params)
        if name == "by_region_rollup":
            depth = len(prefix.strip("/").split("/")) + 1 if prefix else 1
            # The child's code, or the region itself / 'unknown' for parties not in a child.
            fallback = f"'{scope}'" if scope else "'unknown'"
            key = f"coalesce(nullif(split_part(seller_path, '/', {depth}), ''), {fallback})"
            return self._rows(f"SELECT {key}, year(registered_on), {sums} FROM c WHERE {where} AND {seller_in} "
                              "GROUP BY 1, 2", params + scope_params)
        column, scheme = {"by_category": ("category_id", "g_contract_category"),
                          "by_field": ("tech_field_id", "g_contract_field"),
                          "by_seller_nature": ("seller_nature_id", "g_party_nature")}[name]
        return self._rows(f"SELECT coalesce(g.code, 'unknown'), year(registered_on), {sums} FROM c "
                          f"LEFT JOIN {scheme} g ON g.term_id = c.{column} WHERE {where} AND {seller_in} "
                          "GROUP BY 1, 2", params + scope_params)
