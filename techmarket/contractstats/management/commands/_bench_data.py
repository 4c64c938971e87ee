"""Generated registered contracts for ``bench_stats``: the TechContract rows the registration leaves.

Distribution (see docs/benchmarks.md, "Contract statistics"): parties across many cities with 郑州 (4101) about a
quarter of the sellers, the other seed cities a few percent each, the rest of 河南 and 25 other
cities nationwide; registration dates over 2022–2025 growing about 20 % a year; categories, fields,
party natures, IP types and plan categories after the shares of the national and provincial statistics
in shared/data/tech_market_stats (技术服务 and 技术开发 carry most of the value, enterprises sell most,
about half the contracts involve IP); amounts log-normal by category.
"""
from __future__ import annotations

import contextlib
import datetime
import time
from collections import defaultdict

SEED_CITIES = {"410100": 0.25, "410600": 0.03, "411600": 0.03, "130100": 0.03, "511900": 0.03}
HENAN_REST = 0.13
OTHER_CITIES = 25

CATEGORY = {"51": 40, "52": 3, "53": 4, "11": 22, "12": 10, "41": 9, "21": 3, "22": 1, "23": 2, "24": 2,
            "29": 0.5, "31": 2, "32": 1, "39": 0.5}
# median amount in yuan by top-level category (log-normal, sigma 1.2)
MEDIAN_YUAN = {"5": 150_000, "1": 300_000, "4": 50_000, "2": 500_000, "3": 400_000}
FIELD = {"11": 25, "01": 20, "02": 15, "07": 8, "08": 8, "05": 7, "06": 6, "10": 4, "04": 4, "03": 2, "09": 1, None: 2}
SELLER_NATURE = {"45": 45, "46": 12, "47": 12, "41": 5, "48": 2, "49": 2, "4X": 2, "21": 8, "22": 9, "23": 1,
                 "29": 1, "10": 0.5, "30": 0.5, "50": 0.5, "60": 0.5}
BUYER_NATURE = {"45": 40, "46": 12, "47": 12, "41": 10, "48": 2, "49": 2, "10": 8, "21": 3, "22": 3, "23": 3,
                "29": 2, "60": 2, None: 1}
IP_TYPE = {"00": 53, "08": 15, "01": 12, "04": 8, "02": 6, "03": 1, "05": 0.5, "06": 0.5, "07": 0.5, "09": 2, None: 1}
PLAN = {"0": 88, "1": 1.5, "2": 3, "3": 4.5, "4": 1.5, None: 1.5}
YEARS = {2022: 1.0, 2023: 1.2, 2024: 1.44, 2025: 1.73}
WORDS = ["智能制造", "新材料", "电子信息", "生物医药", "节能环保", "现代农业", "城市建设", "新能源", "软件", "检测"]
KINDS = {"1": "技术开发", "2": "技术转让", "3": "技术许可", "4": "技术咨询", "5": "技术服务"}


def _pick(rng, table: dict, terms: dict, n: int):
    keys = list(table)
    weights = [table[k] for k in keys]
    total = sum(weights)
    idx = rng.choice(len(keys), size=n, p=[w / total for w in weights])
    ids = [terms[k] if k is not None else None for k in keys]
    return [ids[i] for i in idx.tolist()], [keys[i] for i in idx.tolist()]


def _region_pools(rng):
    """(seller pool pks, weights), city pk → its counties' pks, region pk → its city pk."""
    from techmarket.regions.models import Region

    rows = list(Region.objects.values_list("pk", "code", "level", "path"))
    by_code = {code: pk for pk, code, _l, _p in rows}
    counties: dict[str, list[int]] = defaultdict(list)
    city_of: dict[int, str] = {}
    for pk, code, level, path in rows:
        parts = [p for p in path.split("/") if p]
        if level == 3 and len(parts) >= 2:
            counties[parts[1]].append(pk)
            city_of[pk] = parts[1]
        elif level == 2:
            city_of[pk] = code
    cities = sorted(c for c in counties if counties[c])
    henan = [c for c in cities if c.startswith("41") and c not in SEED_CITIES]
    others = [c for c in cities if not c.startswith("41") and c not in SEED_CITIES]
    chosen = rng.choice(len(others), size=min(OTHER_CITIES, len(others)), replace=False).tolist()
    city_weights = {c: w for c, w in SEED_CITIES.items() if counties.get(c)}
    for c in henan:
        city_weights[c] = HENAN_REST / max(1, len(henan))
    zipf = [1 / (i + 1) ** 0.8 for i in range(len(chosen))]
    rest = 1 - sum(city_weights.values())
    for i, j in enumerate(chosen):
        city_weights[others[j]] = rest * zipf[i] / sum(zipf)
    pool, weights = [], []
    for city, w in city_weights.items():
        share = rng.dirichlet([2.0] * len(counties[city]))
        for pk, s in zip(counties[city], share.tolist()):
            pool.append(pk)
            weights.append(w * s * 0.98)
        if city in by_code:  # a few parties registered with the city itself as their region
            pool.append(by_code[city])
            weights.append(w * 0.02)
    total = sum(weights)
    return pool, [w / total for w in weights], counties, city_of, by_code


def insert_contracts(n: int, *, seed: int, say=print) -> int:
    import numpy as np
    from django.db import connection, transaction

    from techmarket.contracts.choices import ContractSource, ContractStatus, RegistrationNumberSource
    from techmarket.contracts.models import TechContract
    from techmarket.taxonomies.models import Term

    rng = np.random.default_rng(seed)
    terms = defaultdict(dict)
    for scheme, code, pk in Term.objects.values_list("scheme__code", "code", "pk"):
        terms[scheme][code] = pk
    pool, weights, counties, city_of, by_code = _region_pools(rng)
    started = datetime.datetime.now()

    sellers = [pool[i] for i in rng.choice(len(pool), size=n, p=weights).tolist()]
    mode = rng.random(n).tolist()
    u = rng.random(n).tolist()
    others = [pool[i] for i in rng.choice(len(pool), size=n, p=weights).tolist()]
    henan_cities = [c for c in counties if c.startswith("41")]
    buyers = []
    for s, m, x, o in zip(sellers, mode, u, others):
        if m < 0.03:
            buyers.append(None)  # abroad or unknown
        elif m < 0.38:
            same = counties.get(city_of.get(s, ""), [s])
            buyers.append(same[int(x * len(same))])
        elif m < 0.60:
            city = henan_cities[int(x * len(henan_cities))]
            buyers.append(counties[city][int(x * 7919) % len(counties[city])])
        else:
            buyers.append(o)

    category, category_codes = _pick(rng, CATEGORY, terms["contract_category"], n)
    field, _c = _pick(rng, FIELD, terms["contract_field"], n)
    seller_nature, _c = _pick(rng, SELLER_NATURE, terms["party_nature"], n)
    buyer_nature, _c = _pick(rng, BUYER_NATURE, terms["party_nature"], n)
    ip_type, _c = _pick(rng, IP_TYPE, terms["ip_type"], n)
    plan, _c = _pick(rng, PLAN, terms["plan_category"], n)
    year_keys = list(YEARS)
    year_w = np.array([YEARS[y] for y in year_keys])
    years = [year_keys[i] for i in rng.choice(len(year_keys), size=n, p=year_w / year_w.sum()).tolist()]
    day_of_year = (rng.random(n) * 365).astype(int).tolist()
    medians = np.array([MEDIAN_YUAN[c[0]] for c in category_codes], dtype=float)
    totals = np.minimum(np.exp(np.log(medians) + 1.2 * rng.standard_normal(n)), 5e8)
    total_fen = (np.round(totals) * 100).astype(np.int64)
    tech_fen = (total_fen * rng.uniform(0.6, 1.0, n)).astype(np.int64)
    total_fen, tech_fen = total_fen.tolist(), tech_fen.tolist()
    source_draw = rng.random(n).tolist()

    # Registration numbers: YYYY + 4-digit city + point 01 + 6-digit serial per (year, city).
    postgres = connection.vendor == "postgresql"
    day_cache: dict[tuple, tuple] = {}

    def day_values(year: int, doy: int):
        """(registered_on, signed_on, created_at) as the database adapter would send them."""
        value = day_cache.get((year, doy))
        if value is None:
            day = datetime.date(year, 1, 1) + datetime.timedelta(days=doy)
            signed = day - datetime.timedelta(days=14 + doy % 40)
            at = datetime.datetime.combine(day, datetime.time(10, 0), tzinfo=datetime.timezone(datetime.timedelta(hours=8)))
            if postgres:
                value = (day.isoformat(), signed.isoformat(), at.isoformat(sep=" "))
            else:
                value = (day.isoformat(), signed.isoformat(),
                         at.astimezone(datetime.timezone.utc).replace(tzinfo=None).isoformat(sep=" "))
            day_cache[(year, doy)] = value
        return value

    code_of = {pk: code for code, pk in by_code.items()}
    serial: dict[tuple, int] = defaultdict(int)
    number, number_source, source = [], [], []
    entered, national = str(ContractSource.ENTERED), str(ContractSource.NATIONAL)
    issued_number, national_number = str(RegistrationNumberSource.ISSUED), str(RegistrationNumberSource.NATIONAL)
    for year, seller, draw in zip(years, sellers, source_draw):
        if draw < 0.05:
            number.append(None)
            number_source.append("")
            source.append(entered)
            continue
        city4 = (code_of.get(seller) or "")[:4] or "0000"
        serial[(year, city4)] += 1
        number.append(f"{year}{city4}01{serial[(year, city4)]:06d}")
        number_source.append(issued_number if draw < 0.15 else national_number)
        source.append(entered if draw < 0.15 else national)
    days = [day_values(y, d) for y, d in zip(years, day_of_year)]
    registered_on, signed_on, stamped = (list(c) for c in zip(*days))
    names = [f"{WORDS[i % 10]}{KINDS[code[0]]}合同" for i, code in enumerate(category_codes)]
    # Columns given per row; every other column is the same for every row (its model default, NULL for the
    # nullable ones) and is written as a constant.
    data = {
        "source": source, "name": names,
        "seller_name": [f"卖方单位{i % 50000:05d}" for i in range(n)],
        "buyer_name": [f"买方单位{(i * 7) % 50000:05d}" for i in range(n)],
        "seller_region": sellers, "buyer_region": buyers, "category": category, "tech_field": field,
        "seller_nature": seller_nature, "buyer_nature": buyer_nature, "ip_type": ip_type, "plan_category": plan,
        "total_amount_fen": total_fen, "tech_amount_fen": tech_fen, "registration_number": number,
        "registration_number_source": number_source, "registered_on": registered_on, "signed_on": signed_on,
        "created_at": stamped, "updated_at": stamped,
    }
    meta = TechContract._meta
    columns = [meta.get_field(name).column for name in data]
    constants = {"status": ContractStatus.REGISTERED.value}
    for f in meta.concrete_fields:
        if f.primary_key or f.name in data or f.name in constants:
            continue
        constants[f.name] = None if f.null else f.get_db_prep_save(f.get_default(), connection)
    constant_columns = [meta.get_field(name).column for name in constants]
    say(f"  生成用时 {(datetime.datetime.now() - started).total_seconds():.1f} 秒")

    if postgres:
        _copy_postgres(connection, meta.db_table, columns, list(data.values()), constant_columns,
                       list(constants.values()), say=say)
    else:
        _insert_sqlite(connection, meta.db_table, columns, list(data.values()), constant_columns,
                       list(constants.values()), say=say)
    return n


@contextlib.contextmanager
def loading(connection):
    """Settings of the scratch connection while it is filled (insert and summary build), put back after.

    SQLite: no rollback journal and no fsync (``journal_mode=OFF``, ``synchronous=OFF``: a crash loses a
    throwaway file), a 1 GiB page cache and temporary b-trees in memory, so that index builds and the
    rebuild's GROUP BYs sort in memory. PostgreSQL: ``synchronous_commit=off`` and more memory for sorts,
    hashes and index builds, for this session only. Neither changes a row that is written."""
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            for pragma in ("journal_mode = OFF", "synchronous = OFF", "cache_size = -1048576", "temp_store = MEMORY"):
                cursor.execute(f"PRAGMA {pragma}")
            restore = ("journal_mode = WAL", "synchronous = NORMAL", "cache_size = -2000", "temp_store = DEFAULT")
        else:
            for setting in ("synchronous_commit = off", "work_mem = '256MB'", "maintenance_work_mem = '512MB'"):
                cursor.execute(f"SET {setting}")
            restore = ("synchronous_commit", "work_mem", "maintenance_work_mem")
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            for item in restore:
                cursor.execute(f"PRAGMA {item}" if connection.vendor == "sqlite" else f"RESET {item}")


def _sql_literal(value) -> str:
    if value is None:
        return "NULL"
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, int):
        return str(value)
    return "'" + str(value).replace("'", "''") + "'"


def _insert_sqlite(connection, table, columns, data, constant_columns, constants, *, say) -> None:
    """One transaction of executemany with the constant columns as SQL literals; the table's secondary
    indexes dropped first and recreated after from their own stored definitions (the same indexes)."""
    from django.db import transaction

    qn = connection.ops.quote_name
    column_sql = ", ".join(qn(c) for c in [*columns, *constant_columns])
    values_sql = ", ".join(["%s"] * len(columns) + [_sql_literal(v) for v in constants])
    started = time.perf_counter()
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SELECT sql, name FROM sqlite_master WHERE type = 'index' AND tbl_name = %s "
                       "AND sql IS NOT NULL", [table])
        indexes = cursor.fetchall()
        for _sql, name in indexes:
            cursor.execute(f"DROP INDEX {qn(name)}")
        cursor.executemany(f"INSERT INTO {qn(table)} ({column_sql}) VALUES ({values_sql})", zip(*data))
        say(f"  executemany {time.perf_counter() - started:.1f} 秒")
        started = time.perf_counter()
        for index_sql, _name in indexes:
            cursor.execute(index_sql)
        say(f"  重建 {len(indexes)} 个索引 {time.perf_counter() - started:.1f} 秒")


def _copy_text(value) -> str:
    if value is None:
        return "\\N"
    if isinstance(value, bool):
        return "t" if value else "f"
    text = str(value)
    if any(ch in text for ch in "\\\t\n\r"):
        raise ValueError(f"bench data value needs COPY escaping: {text!r}")
    return text


def _copy_postgres(connection, table, columns, data, constant_columns, constants, *, say) -> None:
    """One COPY (text format, built in large chunks) with the table's foreign keys, unique constraints and
    secondary indexes dropped first and recreated after from their own definitions (pg_get_constraintdef /
    pg_get_indexdef): the same constraints, validated once over the whole table instead of row by row."""
    from django.db import transaction

    qn = connection.ops.quote_name
    column_sql = ", ".join(qn(c) for c in [*columns, *constant_columns])
    suffix = "".join("\t" + _copy_text(v) for v in constants) + "\n"
    text_columns = [values if None not in values and all(isinstance(v, str) for v in values)
                    else ["\\N" if v is None else str(v) for v in values] for values in data]
    for values in data:  # generated from fixed templates: a sample shows no tab, newline or backslash
        for v in values[:1000]:
            _copy_text(v)
    started = time.perf_counter()
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint "
                       "WHERE conrelid = %s::regclass AND contype IN ('f', 'u') ORDER BY conname", [table])
        constraints = cursor.fetchall()
        for name, _definition in constraints:
            cursor.execute(f"ALTER TABLE {qn(table)} DROP CONSTRAINT {qn(name)}")
        cursor.execute("SELECT i.indexrelid::regclass::text, pg_get_indexdef(i.indexrelid) FROM pg_index i "
                       "WHERE i.indrelid = %s::regclass AND NOT i.indisprimary AND NOT EXISTS "
                       "(SELECT 1 FROM pg_constraint c WHERE c.conrelid = i.indrelid AND c.conindid = i.indexrelid) ORDER BY 1", [table])
        indexes = cursor.fetchall()
        for name, _definition in indexes:
            cursor.execute(f"DROP INDEX {name}")
        with cursor.cursor.copy(f"COPY {qn(table)} ({column_sql}) FROM STDIN") as copy:
            chunk = 100_000
            for start in range(0, len(text_columns[0]), chunk):
                lines = zip(*(values[start:start + chunk] for values in text_columns))
                copy.write(suffix.join("\t".join(line) for line in lines) + suffix)
        say(f"  COPY {time.perf_counter() - started:.1f} 秒")
        started = time.perf_counter()
        for _name, definition in indexes:
            cursor.execute(definition)
        for name, definition in constraints:
            cursor.execute(f"ALTER TABLE {qn(table)} ADD CONSTRAINT {qn(name)} {definition}")
        say(f"  重建 {len(indexes)} 个索引、{len(constraints)} 个约束 {time.perf_counter() - started:.1f} 秒")
