"""`techmarket bench_auction --bidders 200 --bids 5000 --auctions 10 --workers 4 [--database URL] [--json]`.

The auction benchmark (SPEC §4, issue 3): concurrent bidders through several server processes, zero lost or
duplicated bids.

1. A scratch database (core.bench: a temporary SQLite file, or with ``--database postgres://…`` a scratch
   PostgreSQL database created and dropped on that server); the measuring process refuses any other.
2. Set-up through the services where practical: a bureau administrator and a seller (accounts), one API
   token per bidder user (``api_token_create``), the achievements (create → submit → approve), the
   listings (create → submit → approve), every bidder's interest (``listing_register_interest``), the
   listing's close (``listing_close_if_due`` → ``auction_create_from_listing``), every deposit
   (``bidder_deposit_confirm``) and the start moved to now (``auction_update_terms``). Written in bulk:
   the bidder organizations, their users and their role memberships, and each listing's end time, moved to
   now (the benchmark cannot wait out a 20-day listing period).
3. A real server: ``gunicorn techmarket.wsgi -w WORKERS -b 127.0.0.1:<free port>`` with DEBUG off and the
   scratch database, warmed up.
4. The bids: ``--clients`` processes (default 2 × workers), each with keep-alive ``http.client``
   connections and its share of the bidders' Bearer tokens, send ``--bids`` bids in total to random auctions.
   Each amount is the high bid the client last saw plus 1–3 increments (the starting price plus 0–2 for
   its first bid on an auction), so clients collide on the same amounts; after a ``bid_too_low`` the client
   takes the lowest acceptable amount from the refusal's message ("…即 105100.00 元"), as a bidder reading
   it would (it reads the auction, ``GET /api/v1/auctions/{id}``, only if the message has no amount).
   Latency is measured per bid; bids_per_s = bids answered / wall time of the bidding phase.
5. bare_rps: the same clients and connections on the same server, on the trivial
   ``GET /api/v1/auctions/clock`` (the server time the countdown uses: full middleware and routing, no
   database), as many requests as bids sent.
6. The server is stopped and the database checked: ``lost`` = acknowledged (201) bids missing from the
   database or different there + bids in the database never acknowledged; then every auction is ended
   now and closed through ``auction_close``; ``multi_winner_auctions`` counts auctions with two bids at
   the top price, more than one winner, more than one deal or a winner other than the top bid;
   ``hash_chain_valid`` = every auction's chain recomputes (``auction_chain_verify``).

``--json`` prints one object on the last line with: database, workers, auctions, sent, accepted, refused,
refused_by_reason, lost, multi_winner_auctions, hash_chain_valid, p50_ms, p95_ms, bids_per_s, bare_rps, ratio.
"""
from __future__ import annotations

import datetime
import http.client
import json
import multiprocessing
import os
import random
import re
import signal
import socket
import statistics
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError

from techmarket.core.bench import add_scratch_arguments, refuse_unless_scratch, run_in_scratch

HOST = "127.0.0.1"
# The lowest acceptable bid as services.bid_place writes it in a bid_too_low message.
MINIMUM_RE = re.compile(r"(\d+\.\d{2}) 元")
PRICE_STEPS_YUAN = (500_000, 800_000, 1_000_000, 1_200_000, 1_500_000, 2_000_000)


class Command(BaseCommand):
    help = ("竞价性能基准：在临时数据库上启动 gunicorn 多进程服务器，多个客户端进程并发出价，检查不丢单、不重复、"
            "无双胜、哈希链完整，并与同一服务器的简单页面吞吐量对比（不会触碰已配置的数据库）。")

    def add_arguments(self, parser):
        parser.add_argument("--bidders", type=int, default=200, help="竞买单位数（每个单位一个用户和一个 API 令牌）。")
        parser.add_argument("--bids", type=int, default=5000, help="出价请求总数。")
        parser.add_argument("--auctions", type=int, default=10, help="同时进行的拍卖场数（每个竞买单位参加每一场）。")
        parser.add_argument("--workers", type=int, default=4, help="gunicorn 工作进程数。")
        parser.add_argument("--clients", type=int, default=0, help="客户端进程数（默认为工作进程数的 2 倍）。")
        parser.add_argument("--seed", type=int, default=20261122, help="随机数种子。")
        add_scratch_arguments(parser)  # --json, --database, --inner

    def handle(self, *args, bidders: int, bids: int, auctions: int, workers: int, clients: int, json: bool,
               database: str, seed: int, inner: str, **options):
        if bidders < 2 or bids < 1 or auctions < 1 or workers < 1 or clients < 0:
            raise CommandError("--bidders 至少为 2，--bids、--auctions、--workers 应为正整数")
        clients = clients or 2 * workers
        if inner:
            return self._inner(Path(inner), bidders=bidders, bids=bids, auctions=auctions, workers=workers,
                               clients=clients, as_json=json, seed=seed)
        args = ["--bidders", str(bidders), "--bids", str(bids), "--auctions", str(auctions), "--workers",
                str(workers), "--clients", str(clients), "--seed", str(seed)] + (["--json"] if json else [])
        run_in_scratch(command="bench_auction", args=args, database=database, warn=self.stderr.write)

    # The measuring process ----------------------------------------------------------------------------------

    def _inner(self, workdir: Path, *, bidders: int, bids: int, auctions: int, workers: int, clients: int,
               as_json: bool, seed: int) -> None:
        from django.db import connections

        engine = refuse_unless_scratch(workdir)
        say = self.stderr.write if as_json else self.stdout.write
        say(f"准备临时数据库（{engine}）…")
        call_command("migrate", verbosity=0, interactive=False)
        started = time.perf_counter()
        plan = _seed(bidders=bidders, auctions=auctions, seed=seed, say=say)
        say(f"  准备数据用时 {time.perf_counter() - started:.1f} 秒：{auctions} 场拍卖 × {bidders} 家竞买人，"
            f"保证金均已确认")
        connections.close_all()  # the client processes are forked: they must not share the connection

        port = _free_port()
        server = _start_gunicorn(workdir, port=port, workers=workers)
        try:
            _wait_ready(port, server)
            _wait_until(plan["starts_at"])
            _run_clients(port, clients=clients, jobs=[{"kind": "warm", "n": 20 * workers}] * clients)
            say(f"服务器 gunicorn -w {workers}（127.0.0.1:{port}）已启动；{clients} 个客户端进程并发出价 {bids} 次…")
            jobs = _bid_jobs(plan, bids=bids, clients=clients, seed=seed)
            bid_results, bid_wall = _run_clients(port, clients=clients, jobs=jobs)
            sent = sum(r["sent"] for r in bid_results)
            say(f"  出价阶段 {bid_wall:.2f} 秒")
            bare_jobs = [{"kind": "bare", "n": n} for n in _split(max(sent, 1000), clients)]
            bare_results, bare_wall = _run_clients(port, clients=clients, jobs=bare_jobs)
        finally:
            _stop(server)
        bare_sent = sum(r["sent"] for r in bare_results)
        bare_errors = sum(r["errors"] for r in bare_results)
        say(f"  简单页面 {bare_sent} 次请求，{bare_wall:.2f} 秒（错误 {bare_errors}）")

        latencies = sorted(ms for r in bid_results for ms in r["latencies"])
        acked = [row for r in bid_results for row in r["accepted"]]
        refused = Counter()
        for r in bid_results:
            refused.update(r["refused"])
        errors = sum(r["errors"] for r in bid_results)
        reads = sum(r["reads"] for r in bid_results)
        check = _check_database(plan, acked)
        result = {
            "database": engine,
            "workers": workers,
            "auctions": auctions,
            "sent": sent,
            "accepted": len(acked),
            "refused": sum(refused.values()),
            "refused_by_reason": dict(sorted(refused.items())),
            "lost": check["lost"],
            "multi_winner_auctions": check["multi_winner_auctions"],
            "hash_chain_valid": check["hash_chain_valid"],
            "p50_ms": round(_percentile(latencies, 50), 2),
            "p95_ms": round(_percentile(latencies, 95), 2),
            "bids_per_s": round(sent / bid_wall, 1),
            "bare_rps": round(bare_sent / bare_wall, 1),
        }
        result["ratio"] = round(result["bids_per_s"] / result["bare_rps"], 4) if result["bare_rps"] else 0.0
        self._table(result, say=say, errors=errors, reads=reads, bare_errors=bare_errors, check=check,
                    clients=clients, bidders=bidders)
        if as_json:
            self.stdout.write(json.dumps(result, ensure_ascii=False))
        if errors or bare_errors:
            raise CommandError(f"有 {errors + bare_errors} 个请求未得到 201/422/200 应答")

    def _table(self, r: dict, *, say, errors: int, reads: int, bare_errors: int, check: dict, clients: int,
               bidders: int) -> None:
        rows = [
            ("数据库", r["database"]),
            ("gunicorn 工作进程 / 客户端进程", f"{r['workers']} / {clients}"),
            ("拍卖场数 × 竞买单位", f"{r['auctions']} × {bidders}"),
            ("出价请求（201 接受 / 422 拒绝 / 其他）", f"{r['sent']}（{r['accepted']} / {r['refused']} / {errors}）"),
            ("拒绝原因", "、".join(f"{k} {v}" for k, v in r["refused_by_reason"].items()) or "—"),
            ("被拒后读取拍卖（消息中无金额时，不计入出价）", str(reads)),
            ("丢失出价（已应答未入库 + 入库未应答）", str(r["lost"])),
            ("同价两笔以上 / 多个竞得人的拍卖", str(r["multi_winner_auctions"])),
            ("结束后成交 / 流拍", f"{check['succeeded']} / {check['failed']}"),
            ("哈希链全部有效", "是" if r["hash_chain_valid"] else "否"),
            ("出价延迟 p50 / p95（毫秒）", f"{r['p50_ms']} / {r['p95_ms']}"),
            ("出价吞吐（次/秒）", f"{r['bids_per_s']:,}"),
            ("简单页面吞吐（次/秒）", f"{r['bare_rps']:,}" + (f"（错误 {bare_errors}）" if bare_errors else "")),
            ("比值 出价/简单页面", f"{r['ratio']}（目标 ≥ 0.10）"),
        ]
        width = max(len(k) for k, _v in rows)
        for key, value in rows:
            say(f"{key}{' ' * (width - len(key))}  {value}")


# --- set-up ------------------------------------------------------------------------------------------------

def _credit_code(n: int, region_code: str) -> str:
    from techmarket.directory.credit_code import check_character

    first17 = "91" + region_code + f"{n:09d}"
    return first17 + check_character(first17)


def _seed(*, bidders: int, auctions: int, seed: int, say) -> dict:
    from django.contrib.auth.models import Group
    from django.utils import timezone

    from techmarket.accounts.models import User
    from techmarket.accounts.roles import Role
    from techmarket.accounts.services import api_token_create, user_set_roles
    from techmarket.achievements import services as achievements
    from techmarket.auctions import services as auctions_services
    from techmarket.auctions.models import Auction
    from techmarket.directory.models import Organization
    from techmarket.listings import services as listings
    from techmarket.listings.models import Listing
    from techmarket.regions.models import Region
    from techmarket.taxonomies.models import Term

    rng = random.Random(seed)
    city, jinshui, zhongyuan = (Region.objects.get(code=c) for c in ("410100", "410105", "410102"))
    bureau = User.objects.create_user("bench-bureau", password=None, name="基准测试市科技局", region=city)
    user_set_roles(user=bureau, roles=[Role.BUREAU_ADMIN])
    seller_org = Organization.objects.create(name="郑州基准测试研究院", credit_code=_credit_code(1, "410105"),
                                             kind="institute", region=jinshui)
    seller = User.objects.create_user("bench-seller", password=None, name="研究院成果转化办", organization=seller_org,
                                      region=jinshui)
    user_set_roles(user=seller, roles=[Role.INSTITUTION])

    # Bulk: the bidder organizations, their users (token authentication only) and role memberships.
    orgs = Organization.objects.bulk_create([
        Organization(name=f"基准竞买企业{i:04d}有限公司", credit_code=_credit_code(1000 + i, "410102"),
                     kind="enterprise", region=zhongyuan) for i in range(1, bidders + 1)])
    users = [User(username=f"bench-ent-{i:04d}", name=f"竞买人{i:04d}", organization=org, region=zhongyuan)
             for i, org in enumerate(orgs, start=1)]
    for user in users:
        user.set_unusable_password()
    users = User.objects.bulk_create(users)
    group, _created = Group.objects.get_or_create(name=Role.ENTERPRISE)
    User.groups.through.objects.bulk_create([User.groups.through(user_id=u.pk, group_id=group.pk) for u in users])
    tokens = {u.organization_id: api_token_create(user=u, name="bench_auction")[1] for u in users}
    say(f"  {bidders} 家竞买单位、用户与 API 令牌")

    field, ip_type = Term.objects.get(scheme__code="hitech_domains", code="10"), \
        Term.objects.get(scheme__code="ip_type", code="01")
    auction_ids = []
    for n in range(1, auctions + 1):
        price_yuan = rng.choice(PRICE_STEPS_YUAN)
        achievement = achievements.achievement_create(by=seller, data={
            "title": f"基准测试成果 {n}：一种高效催化材料的制备方法", "abstract": "用于竞价基准测试的科技成果。",
            "keywords": ["催化", "材料"], "tech_field": field, "trl": 6, "ip_type": ip_type,
            "transfer_modes": ["transfer"], "price": f"{price_yuan}.00"})
        achievements.achievement_submit(achievement=achievement, by=seller)
        achievements.achievement_approve(achievement=achievement, by=bureau)
        listing = listings.listing_create(by=seller, achievement=achievement, transfer_mode="transfer",
                                          price_fen=price_yuan * 100)
        listings.listing_submit(listing=listing, by=seller)
        listing = listings.listing_approve(listing=listing, by=bureau)
        for user in users:
            listings.listing_register_interest(listing=listing, by=user)
        # Bulk: the listing period ends now (instead of in 20 days), then the listing closes as it would.
        Listing.objects.filter(pk=listing.pk).update(ends_at=timezone.now())
        listings.listing_close_if_due(listing=Listing.objects.get(pk=listing.pk))
        auction = Auction.objects.get(listing=listing)
        for bidder in auction.bidders.all():
            auctions_services.bidder_deposit_confirm(bidder=bidder, by=bureau, reference=f"BENCH-{bidder.pk:07d}")
        auction_ids.append(auction.pk)
        say(f"  第 {n} 场：挂牌 → {bidders} 家意向 → 拍卖 #{auction.pk}，保证金已确认")
    starts_at = timezone.now() + datetime.timedelta(seconds=15)
    for auction in Auction.objects.filter(pk__in=auction_ids):
        auctions_services.auction_update_terms(auction=auction, by=bureau, data={
            "starts_at": starts_at, "ends_at": starts_at + datetime.timedelta(hours=2)}, comment="基准测试：立即开拍")
    rows = Auction.objects.filter(pk__in=auction_ids).values_list("pk", "starting_price_fen", "increment_fen")
    return {"auctions": [{"id": pk, "start": start, "step": step} for pk, start, step in rows],
            "tokens": [tokens[u.organization_id] for u in users], "starts_at": starts_at.timestamp(),
            "bureau_id": bureau.pk}


# --- the server ---------------------------------------------------------------------------------------------

def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((HOST, 0))
        return sock.getsockname()[1]


def _start_gunicorn(workdir: Path, *, port: int, workers: int) -> subprocess.Popen:
    env = os.environ.copy()  # the scratch environment of core.bench (var dir, database URL)
    env.update(DEBUG="0", ALLOWED_HOSTS=HOST, LOG_LEVEL="WARNING")
    argv = [sys.executable, "-m", "gunicorn", "techmarket.wsgi", "-w", str(workers), "-b", f"{HOST}:{port}",
            "--log-level", "warning"]
    log = open(workdir / "gunicorn.log", "wb")
    return subprocess.Popen(argv, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)


def _wait_ready(port: int, server: subprocess.Popen, timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise CommandError(f"gunicorn 启动失败（退出码 {server.returncode}）")
        try:
            conn = http.client.HTTPConnection(HOST, port, timeout=2)
            conn.request("GET", "/api/v1/auctions/clock")
            if conn.getresponse().status == 200:
                return
        except OSError:
            pass
        time.sleep(0.2)
    raise CommandError("gunicorn 未在 60 秒内就绪")


def _stop(server: subprocess.Popen) -> None:
    if server.poll() is None:
        os.killpg(server.pid, signal.SIGTERM)
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(server.pid, signal.SIGKILL)
            server.wait()


def _wait_until(moment: float) -> None:
    delay = moment - time.time() + 0.2
    if delay > 0:
        time.sleep(delay)


# --- the clients ---------------------------------------------------------------------------------------------

def _split(total: int, parts: int) -> list[int]:
    return [total // parts + (1 if i < total % parts else 0) for i in range(parts)]


def _bid_jobs(plan: dict, *, bids: int, clients: int, seed: int) -> list[dict]:
    tokens = plan["tokens"]
    return [{"kind": "bid", "n": n, "seed": seed + i, "auctions": plan["auctions"], "tokens": tokens[i::clients]}
            for i, n in enumerate(_split(bids, clients))]


def _run_clients(port: int, *, clients: int, jobs: list[dict]) -> tuple[list[dict], float]:
    """Run one job per client process, all starting at the same moment; (results, wall seconds)."""
    ctx = multiprocessing.get_context("fork")
    queue = ctx.Queue()
    start_at = time.time() + 0.5
    procs = [ctx.Process(target=_client, args=(port, job, start_at, queue)) for job in jobs]
    for proc in procs:
        proc.start()
    results = [queue.get() for _proc in procs]
    for proc in procs:
        proc.join()
    wall = max(r["finished"] for r in results) - start_at
    return results, wall


def _client(port: int, job: dict, start_at: float, queue) -> None:
    result = {"sent": 0, "latencies": [], "accepted": [], "refused": Counter(), "errors": 0, "reads": 0}
    try:
        conn = http.client.HTTPConnection(HOST, port, timeout=60)
        delay = start_at - time.time()
        if delay > 0:
            time.sleep(delay)
        if job["kind"] == "bid":
            _bid_loop(conn, job, result)
        else:
            path = "/api/v1/auctions/clock"
            for _i in range(job["n"]):
                status, _body = _request(conn, "GET", path)
                result["sent"] += 1
                result["errors"] += status != 200
    finally:
        result["finished"] = time.time()
        result["refused"] = dict(result["refused"])
        queue.put(result)


def _request(conn, method: str, path: str, body: bytes | None = None, token: str | None = None):
    headers = {"Content-Type": "application/json"} if body is not None else {}
    if token:
        headers["Authorization"] = f"Bearer {token}"
    for attempt in (1, 2):
        try:
            conn.request(method, path, body=body, headers=headers)
            response = conn.getresponse()
            return response.status, response.read()
        except (http.client.RemoteDisconnected, ConnectionResetError, BrokenPipeError):
            conn.close()  # the server closed a kept-alive connection before this request: send it again
            if attempt == 2:
                return 0, b""
        except OSError:
            conn.close()
            return 0, b""
    return 0, b""


def _bid_loop(conn, job: dict, result: dict) -> None:
    rng = random.Random(job["seed"])
    auctions = job["auctions"]
    seen: dict[int, int | None] = {a["id"]: None for a in auctions}
    for _i in range(job["n"]):
        auction = rng.choice(auctions)
        token = rng.choice(job["tokens"])
        k = rng.randint(1, 3)
        high = seen[auction["id"]]
        amount = (auction["start"] + (k - 1) * auction["step"] if high is None
                  else high + k * auction["step"])
        body = json.dumps({"amount": f"{amount // 100}.{amount % 100:02d}"}).encode()
        began = time.perf_counter()
        status, raw = _request(conn, "POST", f"/api/v1/auctions/{auction['id']}/bids", body, token)
        result["latencies"].append((time.perf_counter() - began) * 1000)
        result["sent"] += 1
        if status == 201:
            data = json.loads(raw)
            result["accepted"].append((data["id"], auction["id"], amount, data["seq"], data["hash"]))
            seen[auction["id"]] = max(seen[auction["id"]] or 0, amount)
        elif status == 422:
            error = json.loads(raw)["errors"][0]
            result["refused"][error["code"]] += 1
            if error["code"] == "bid_too_low":
                # like a bidder reading the refusal ("…即 105100.00 元"): bid again from that minimum
                found = MINIMUM_RE.search(error["message"])
                if found:
                    seen[auction["id"]] = int(found.group(1).replace(".", "")) - auction["step"]
                else:  # the message changed: read the auction as its page would
                    read_status, read = _request(conn, "GET", f"/api/v1/auctions/{auction['id']}", None, token)
                    result["reads"] += 1
                    if read_status == 200 and json.loads(read)["high_bid"]:
                        seen[auction["id"]] = int(json.loads(read)["high_bid"]["amount"].replace(".", ""))
        else:
            result["errors"] += 1


def _percentile(values: list[float], pct: float) -> float:
    if not values:
        return 0.0
    if len(values) == 1:
        return values[0]
    return statistics.quantiles(values, n=100, method="inclusive")[int(pct) - 1]


# --- the check ---------------------------------------------------------------------------------------------------

def _check_database(plan: dict, acked: list[tuple]) -> dict:
    from django.db.models import Count
    from django.utils import timezone

    from techmarket.auctions import services
    from techmarket.auctions.models import Auction, Bid
    from techmarket.deals.models import Deal

    ids = [a["id"] for a in plan["auctions"]]
    stored = {pk: (auction_id, amount, seq, digest) for pk, auction_id, amount, seq, digest in
              Bid.objects.filter(auction_id__in=ids).values_list("pk", "auction_id", "amount_fen", "seq", "hash")}
    answered = {pk: (auction_id, amount, seq, digest) for pk, auction_id, amount, seq, digest in acked}
    lost = sum(1 for pk, row in answered.items() if stored.get(pk) != row)
    lost += sum(1 for pk in stored if pk not in answered)
    lost += len(acked) - len(answered)  # the same bid acknowledged twice

    # End every auction now (instead of waiting two hours) and close it through the service.
    Auction.objects.filter(pk__in=ids).update(ends_at=timezone.now())
    multi = succeeded = failed = 0
    chains_ok = True
    for auction in Auction.objects.filter(pk__in=ids):
        closed = services.auction_close(auction=auction)
        succeeded += closed.status == "succeeded"
        failed += closed.status == "failed"
        bids = Bid.objects.filter(auction=auction)
        top = bids.order_by("-amount_fen").first()
        ties = bids.values("amount_fen").annotate(n=Count("pk")).filter(n__gt=1).exists()
        winners = auction.bidders.filter(status="won").count()
        deals = Deal.objects.filter(auction=auction).count()
        wrong_winner = top is not None and not auction.bidders.filter(pk=top.bidder_id, status="won").exists()
        if ties or winners > 1 or deals > 1 or wrong_winner:
            multi += 1
        ok, _problems = services.auction_chain_verify(auction)
        chains_ok = chains_ok and ok
    return {"lost": lost, "multi_winner_auctions": multi, "hash_chain_valid": chains_ok, "succeeded": succeeded,
            "failed": failed}
