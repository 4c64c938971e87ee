"""`techmarket bench_web --docs 1000000 --clients 16 --seconds 30 [--database URL] [--json]`: the search page
under load (issue 4 part 7).

In a scratch database (core/bench.py) it inserts N published achievements (the shared corpus padded with
synthetic distractors when ``../shared/data/search_queries`` is there, generated Chinese text otherwise),
builds the index through the product's bulk rebuild (``services.search_reindex``), starts gunicorn
(``-w <cpu count> --threads 1``, production settings, DEBUG off) on a free loopback port, and drives it
with ``--clients`` client processes (keep-alive ``http.client``) for ``--seconds``:

1. on ``/search/?q=…`` with queries of every shared query set, shuffled with a fixed seed and split between
   the clients so none is asked twice while the set lasts (no result caching can help);
2. on a bare page of the same server for the same time (``--bare-path``, default ``/healthz/`` when the
   project has it, otherwise the login page).

JSON: database, docs, clients, search_rps, bare_rps, ratio, p50_ms, p95_ms (search requests).
"""
from __future__ import annotations

import http.client
import json
import multiprocessing
import os
import random
import socket
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import quote

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError

from techmarket.core.bench import add_scratch_arguments, refuse_unless_scratch, run_in_scratch
from techmarket.matching import evaluation

QUERY_SEED = 20261123
PAGE_PROBES = 50
BARE_CANDIDATES = ("/healthz/", "/healthz", "/accounts/login/")
_WORDS = ("智能", "制造", "材料", "电池", "传感器", "算法", "控制", "检测", "农业", "种植", "水稻", "医药", "中药",
          "疫苗", "环境", "污水", "能源", "光伏", "储能", "桥梁", "结构", "监测", "数据", "网络", "安全", "芯片",
          "机器人", "精密", "加工", "工艺", "复合", "涂层", "催化", "合成", "诊断", "模型", "优化", "系统")


def _timed_get(port: int, path: str) -> float:
    """Milliseconds for one GET on a fresh connection (the deep-page probe)."""
    started = time.perf_counter()
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
    conn.request("GET", path)
    conn.getresponse().read()
    conn.close()
    return (time.perf_counter() - started) * 1000


def shared_dir() -> Path | None:
    for base in (Path.cwd(), Path(__file__).resolve().parents[4]):
        candidate = base.parent / "shared" / "data" / "search_queries"
        if (candidate / "corpus.jsonl").is_file():
            return candidate
    return None


def generated_docs(n: int, seed: int = QUERY_SEED) -> list[evaluation.CorpusDoc]:
    rng = random.Random(seed)
    docs = []
    for i in range(n):
        words = [rng.choice(_WORDS) for _j in range(rng.randint(20, 40))]
        docs.append(evaluation.CorpusDoc(id=f"gen-{i:07d}", title="".join(words[:4]) + "技术",
                                         abstract="，".join("".join(words[j:j + 4]) for j in range(0, len(words), 4)) + "。",
                                         keywords=words[:2]))
    return docs


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _client(args) -> tuple[int, int, list[float]]:
    """One client process: requests until the deadline; (ok, errors, latencies of ok requests)."""
    port, paths, deadline = args
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    ok = errors = 0
    latencies: list[float] = []
    i = 0
    while time.time() < deadline:
        path = paths[i % len(paths)]
        i += 1
        started = time.perf_counter()
        try:
            conn.request("GET", path, headers={"Connection": "keep-alive"})
            response = conn.getresponse()
            response.read()
            if response.status == 200:
                ok += 1
                latencies.append((time.perf_counter() - started) * 1000)
            else:
                errors += 1
            if response.will_close:
                conn.close()
        except (OSError, http.client.HTTPException):
            errors += 1
            conn.close()
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    conn.close()
    return ok, errors, latencies


def drive(port: int, paths_per_client: list[list[str]], seconds: float) -> tuple[int, int, list[float], float]:
    deadline = time.time() + seconds
    started = time.perf_counter()
    with multiprocessing.get_context("fork").Pool(len(paths_per_client)) as pool:
        results = pool.map(_client, [(port, paths, deadline) for paths in paths_per_client])
    elapsed = time.perf_counter() - started
    ok = sum(r[0] for r in results)
    errors = sum(r[1] for r in results)
    return ok, errors, [lat for r in results for lat in r[2]], elapsed


class Command(BaseCommand):
    requires_system_checks = []
    help = "检索页压力基准：临时数据库中写入 N 项已发布成果并建索引，用 gunicorn 提供服务，多个客户端进程并发请求检索页与一个空白页面，比较吞吐。"

    def add_arguments(self, parser):
        parser.add_argument("--docs", type=int, default=1_000_000, help="成果数（默认 1000000）。")
        parser.add_argument("--clients", type=int, default=16, help="并发客户端进程数（默认 16）。")
        parser.add_argument("--seconds", type=float, default=30, help="每一轮压测的秒数（默认 30）。")
        parser.add_argument("--workers", type=int, default=0, help="gunicorn 进程数（默认 CPU 核数）。")
        parser.add_argument("--bare-path", default="", help="对照用的空白页面路径（默认 /healthz/，没有则用登录页）。")
        add_scratch_arguments(parser)  # --json, --database, --inner

    def handle(self, *args, docs, clients, seconds, workers, bare_path, json, database, inner, **options):
        if docs < 1 or clients < 1 or seconds <= 0:
            raise CommandError("--docs、--clients 须为正整数，--seconds 须为正数")
        if inner:
            return self._inner(Path(inner), n=docs, clients=clients, seconds=seconds, workers=workers,
                               bare_path=bare_path, as_json=json)
        args = ["--docs", str(docs), "--clients", str(clients), "--seconds", str(seconds), "--workers", str(workers)]
        args += ["--bare-path", bare_path] if bare_path else []
        run_in_scratch(command="bench_web", args=args + (["--json"] if json else []), database=database,
                       warn=self.stderr.write)

    def _inner(self, workdir: Path, *, n, clients, seconds, workers, bare_path, as_json) -> None:
        database = refuse_unless_scratch(workdir)
        say = self.stderr.write if as_json else self.stdout.write
        call_command("migrate", verbosity=0, interactive=False, skip_checks=True)

        shared = shared_dir()
        if shared is not None:
            corpus = evaluation.corpus_read(shared / "corpus.jsonl")[:n]
            docs = corpus + list(evaluation.distractors(corpus, n - len(corpus)))
            texts = []
            for path in sorted(shared.glob("queries_*.jsonl")):
                texts.extend(q.text for q in evaluation.queries_read(path))
            say(f"语料：{shared}（{len(corpus):,} 篇 + {len(docs) - len(corpus):,} 篇干扰文档），查询 {len(texts):,} 条")
        else:
            docs = generated_docs(n)
            texts = [d.title for d in docs[:5000]]
            say(f"未找到 ../shared：生成 {n:,} 篇中文文本，以其标题为查询")
        from tqdm import tqdm

        started = time.perf_counter()
        evaluation.achievements_insert(docs, progress=lambda it: tqdm(it, unit="批", desc="写入成果", disable=None,
                                                                      file=sys.stderr))
        say(f"写入 {len(docs):,} 项成果：{time.perf_counter() - started:.1f} 秒")
        started = time.perf_counter()
        evaluation.product_index(("title", "abstract", "keywords"),
                                 progress=lambda entries, total: tqdm(entries, total=total, unit="条", desc="建索引",
                                                                      disable=None, file=sys.stderr))
        say(f"建索引：{time.perf_counter() - started:.1f} 秒")
        del docs

        from django.db import connections
        from django.urls import Resolver404, resolve

        if not bare_path:
            for candidate in BARE_CANDIDATES:
                try:
                    resolve(candidate)
                except Resolver404:
                    continue
                bare_path = candidate
                break
        rng = random.Random(QUERY_SEED)
        rng.shuffle(texts)
        search_paths = [f"/search/?q={quote(t)}" for t in texts]
        # warm-up queries (each worker loads the analyzer and opens the index once) are kept out of the measure
        n_warm = min(len(search_paths) // 4, 8 * (workers or os.cpu_count() or 1))
        warm_paths, search_paths = search_paths[:n_warm], search_paths[n_warm:]
        per_client = [search_paths[i::clients] or search_paths[:1] for i in range(clients)]
        connections.close_all()

        port = _free_port()
        env = os.environ.copy()
        env["DEBUG"] = "0"
        env.setdefault("ALLOWED_HOSTS", "127.0.0.1,localhost")
        argv = [sys.executable, "-m", "gunicorn", "techmarket.wsgi", "-w", str(workers or os.cpu_count() or 1),
                "--threads", "1", "-b", f"127.0.0.1:{port}", "--log-level", "warning", "--timeout", "120"]
        server = subprocess.Popen(argv, env=env, stdout=subprocess.DEVNULL)
        try:
            self._wait_ready(port, bare_path)
            if warm_paths:
                drive(port, [warm_paths[i::2] or warm_paths[:1] for i in range(2)], min(5.0, seconds))
            say(f"gunicorn 已启动（127.0.0.1:{port}）；检索页压测 {seconds:g} 秒，{clients} 个客户端进程…")
            ok, errors, latencies, elapsed = drive(port, per_client, seconds)
            search_rps = ok / elapsed
            asked = ok + errors
            if asked > len(search_paths):
                say(f"提示：请求数 {asked} 超过不重复查询数 {len(search_paths)}，部分查询重复")
            say(f"  检索页：{ok} 次成功、{errors} 次失败，{search_rps:.1f} 次/秒")
            say(f"对照页 {bare_path} 压测 {seconds:g} 秒…")
            bare_ok, bare_errors, _lat, bare_elapsed = drive(port, [[bare_path]] * clients, seconds)
            bare_rps = bare_ok / bare_elapsed
            say(f"  对照页：{bare_ok} 次成功、{bare_errors} 次失败，{bare_rps:.1f} 次/秒")
            # Deep pages (the issue: page 50 no slower than 2x page 1): the same queries, one client, in turn.
            page1, page50 = [], []
            for path in texts[:PAGE_PROBES]:
                base = f"/search/?q={quote(path)}"
                page1.append(_timed_get(port, base))
                page50.append(_timed_get(port, base + "&page=50"))
            p1, p50_ = evaluation.percentile(page1, 50), evaluation.percentile(page50, 50)
            say(f"翻页：第 1 页 p50 {p1:.1f} ms，第 50 页 p50 {p50_:.1f} ms（{PAGE_PROBES} 条查询，单客户端），"
                f"比值 {p50_ / p1 if p1 else 0:.2f}")
        finally:
            server.terminate()
            try:
                server.wait(timeout=20)
            except subprocess.TimeoutExpired:
                server.kill()
        if not ok:
            raise CommandError("检索页没有一次成功的请求")
        result = {
            "database": database, "docs": n, "clients": clients, "search_rps": round(search_rps, 1),
            "bare_rps": round(bare_rps, 1), "ratio": round(search_rps / bare_rps, 4) if bare_rps else None,
            "p50_ms": round(evaluation.percentile(latencies, 50), 1),
            "p95_ms": round(evaluation.percentile(latencies, 95), 1),
        }
        say("检索吞吐 / 对照吞吐 ratio = {r}；检索延迟 p50 {p50} ms，p95 {p95} ms".format(
            r=result["ratio"], p50=result["p50_ms"], p95=result["p95_ms"]))
        if as_json:
            self.stdout.write(json.dumps(result, ensure_ascii=False))

    @staticmethod
    def _wait_ready(port: int, path: str, timeout: float = 60) -> None:
        deadline = time.time() + timeout
        while time.time() < deadline:
            try:
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
                conn.request("GET", path)
                status = conn.getresponse().status
                conn.close()
                if status < 500:
                    return
            except OSError:
                pass
            time.sleep(0.3)
        raise CommandError("gunicorn 未能在 60 秒内就绪")
