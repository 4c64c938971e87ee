"""`techmarket bench_search --corpus CORPUS.jsonl --queries QUERIES.jsonl --sizes 10000,100000,1000000
[--fields title,abstract] [--database URL] [--json]`: the product's engines beside bm25s, tantivy and
SQLite FTS5 trigram (issue 4 part 6).

In a scratch database (core/bench.py), it

1. ingests the corpus through the product end to end (rows, dictionary, analysis, engine:
   ``evaluation.evaluate``) and prints that rate separately — the domain dictionary then holds the
   corpus keywords;
2. pads the corpus to the largest size with synthetic distractors (``evaluation.distractors``: 3–6
   sentences of different corpus abstracts, fixed seed, ids ``pad-…``) and segments every document ONCE
   with the product's analyzer, in a pool of ``os.cpu_count()`` forked workers sharing the loaded
   dictionary (timed: ``tokenize_docs_per_s``);
3. per size (a prefix of the padded set) and engine, in a forked child (so the tokens are shared and the
   child's memory is the engine's): builds the index from the tokens in hand (``build_docs_per_s``),
   answers the queries (all of them below 100k documents; a fixed sample of ``--sample`` queries at 100k
   and above, for quality and latency alike), and reports index size and the child's peak RSS above what
   it inherited.

The PostgreSQL engine runs only with ``--database`` (its scratch database holds the index tables).
"""
from __future__ import annotations

import gc
import json
import multiprocessing
import os
import random
import resource
import shutil
import time
import traceback
from pathlib import Path

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError

from techmarket.core.bench import add_scratch_arguments, refuse_unless_scratch, run_in_scratch
from techmarket.matching import evaluation
from techmarket.matching.bench_peers import ENGINES, OPTIONAL_ENGINES, BenchQuery, DocSet, engine_for, raw_text

SAMPLE_SEED = 20261123
SAMPLE_FROM_SIZE = 100_000
TOKENIZE_CHUNK = 2000

# Shared with the forked tokenizer workers (set before the pool starts).
_work: dict = {}


def _tokenize_chunk(bounds: tuple[int, int]) -> list[tuple[str, str, str]]:
    a, docs, sentences, plans = _work["analyzer"], _work["docs"], _work["sentences"], _work["plans"]
    out = []
    n_docs = len(docs)
    for i in range(*bounds):
        if i < n_docs:
            doc = docs[i]
            out.append((" ".join(a.tokenize(doc.title)), " ".join(t for k in doc.keywords for t in a.tokenize(k)),
                        " ".join(a.tokenize(doc.abstract))))
        else:
            out.append(("", "", " ".join(a.tokenize(evaluation.distractor_text(sentences, plans[i - n_docs])))))
    return out


def _rss_kb(key: str) -> int:
    with open("/proc/self/status") as fh:
        for line in fh:
            if line.startswith(key + ":"):
                return int(line.split()[1])
    return 0


def _run_engine(conn, name: str, workdir: Path, docset: DocSet, n: int, queries: list[BenchQuery]) -> None:
    """The child: build, search, report (through ``conn``)."""
    try:
        base_kb = _rss_kb("VmRSS")
        engine = engine_for(name, workdir)
        started = time.perf_counter()
        engine.build(docset, n)
        build_s = time.perf_counter() - started
        if queries:
            engine.search(queries[0])  # warm-up
        runs, latencies = {}, []
        for query in queries:
            started = time.perf_counter()
            hits = engine.search(query)
            latencies.append((time.perf_counter() - started) * 1000)
            runs[query.qid] = [docset.ids[i] for i in hits]
        peak_kb = max(_rss_kb("VmHWM"), resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)
        conn.send({"build_s": build_s, "index_bytes": engine.size_bytes(), "runs": runs, "latencies": latencies,
                   "rss_mb": max(0.0, (peak_kb - base_kb) / 1024)})
    except BaseException:
        conn.send({"error": traceback.format_exc()})
    finally:
        conn.close()


class Command(BaseCommand):
    requires_system_checks = []
    help = "检索引擎对比基准：同一份 jieba 分词结果分别交给本系统引擎、bm25s、tantivy，原文交给 SQLite FTS5 trigram，比较质量、建索引速度、体积、内存与延迟。"

    def add_arguments(self, parser):
        parser.add_argument("--corpus", required=True, help="语料 JSONL。")
        parser.add_argument("--queries", required=True, help="查询 JSONL。")
        parser.add_argument("--sizes", default="10000,100000,1000000", help="文档规模，逗号分隔。")
        parser.add_argument("--fields", default="title,abstract", help="建入索引的字段（默认 title,abstract）。")
        parser.add_argument("--sample", type=int, default=300,
                            help="10 万及以上规模时固定抽样的查询数（默认 300）。")
        parser.add_argument("--engines", default=",".join(ENGINES), help="参与比较的引擎，逗号分隔。")
        add_scratch_arguments(parser)  # --json, --database, --inner

    def handle(self, *args, corpus, queries, sizes, fields, sample, engines, json, database, inner, **options):
        try:
            evaluation.fields_clean(fields)
            size_list = sorted({int(s) for s in sizes.split(",") if s.strip()})
        except ValueError as exc:
            raise CommandError(f"参数无效：{exc}") from exc
        if not size_list or size_list[0] < 1:
            raise CommandError("--sizes 须为正整数列表")
        engine_list = [e.strip() for e in engines.split(",") if e.strip()]
        if unknown := [e for e in engine_list if e not in ENGINES + OPTIONAL_ENGINES]:
            raise CommandError("未知引擎：{u}（可选 {c}）".format(u="、".join(unknown),
                                                            c="、".join(ENGINES + OPTIONAL_ENGINES)))
        for name, path in (("--corpus", corpus), ("--queries", queries)):
            if not Path(path).is_file():
                raise CommandError(f"{name} 文件不存在：{path}")
        corpus, queries = str(Path(corpus).resolve()), str(Path(queries).resolve())
        if inner:
            return self._inner(Path(inner), corpus=corpus, queries=queries, sizes=size_list, fields=fields,
                               sample=sample, engines=engine_list, as_json=json)
        args = ["--corpus", corpus, "--queries", queries, "--sizes", ",".join(map(str, size_list)),
                "--fields", fields, "--sample", str(sample), "--engines", ",".join(engine_list)]
        run_in_scratch(command="bench_search", args=args + (["--json"] if json else []), database=database,
                       warn=self.stderr.write)

    # The measuring process -------------------------------------------------------------------------------

    def _inner(self, workdir: Path, *, corpus, queries, sizes, fields, sample, engines, as_json) -> None:
        database = refuse_unless_scratch(workdir)
        say = self.stderr.write if as_json else self.stdout.write
        field_names = evaluation.fields_clean(fields)
        docs = evaluation.corpus_read(corpus)
        query_list = evaluation.queries_read(queries)
        call_command("migrate", verbosity=0, interactive=False, skip_checks=True)
        if "techmarket-postgres" in engines and database != "postgresql":
            say("跳过 techmarket-postgres：需要 --database postgres://…（在该服务器上建临时库）")
            engines = [e for e in engines if e != "techmarket-postgres"]

        # 1. the product end to end, on the corpus itself
        say(f"数据库 {database}；语料 {len(docs):,} 篇，查询 {len(query_list):,} 条，索引字段 {','.join(field_names)}")
        product = evaluation.evaluate(docs, query_list, fields=field_names, k=100)
        ingest_rate = len(docs) / (product.insert_seconds + product.build_seconds)
        say("本系统端到端入库（写库 + 词典 + 分词 + 建索引，services.search_reindex）：{r:.0f} 篇/秒"
            "（写库 {i:.1f} 秒，重建索引 {b:.1f} 秒）；此时 MRR@10 {m:.4f}".format(
                r=ingest_rate, i=product.insert_seconds, b=product.build_seconds, m=product.scores.mrr10))

        # 2. pad and segment once
        from django.db import connections

        from techmarket.matching.analysis import analyzer

        a = analyzer()
        a.refresh(force=True)
        disciplines = evaluation.csl_to_discipline_terms()
        n_max = max(sizes)
        n_pad = max(0, n_max - len(docs))
        sentences = evaluation.sentences_of(docs)
        started = time.perf_counter()
        plans = evaluation.distractor_plans(sentences, n_pad)
        say(f"生成 {n_pad:,} 篇干扰文档：{time.perf_counter() - started:.1f} 秒")
        corpus_ids = {d.id for d in docs}
        pad_ids = []
        i = 0
        while len(pad_ids) < n_pad:
            if evaluation.distractor_id(i) not in corpus_ids:
                pad_ids.append(evaluation.distractor_id(i))
            i += 1
        total = len(docs) + n_pad
        _work.update(analyzer=a, docs=docs, sentences=sentences, plans=plans)
        connections.close_all()  # never share a database connection with forked children
        workers = os.cpu_count() or 1
        chunks = [(s, min(s + TOKENIZE_CHUNK, total)) for s in range(0, total, TOKENIZE_CHUNK)]
        title, keywords, body = [], [], []
        started = time.perf_counter()
        # The forked workers inherit millions of objects (corpus, sentences, plans): frozen, the workers' garbage
        # collector never walks them (walking them also copies every page they sit on).
        gc.collect()
        gc.freeze()
        with multiprocessing.get_context("fork").Pool(workers) as pool:
            for part in pool.imap(_tokenize_chunk, chunks):
                for t, k, b in part:
                    title.append(t)
                    keywords.append(k)
                    body.append(b)
        tokenize_s = time.perf_counter() - started
        tokenize_rate = total / tokenize_s
        say(f"分词 {total:,} 篇（jieba + 领域词典，{workers} 个进程）：{tokenize_s:.1f} 秒，{tokenize_rate:.0f} 篇/秒")

        def raw(i: int) -> str:
            if i < len(docs):
                return raw_text(docs[i], field_names)
            return evaluation.distractor_text(sentences, plans[i - len(docs)]) if "abstract" in field_names else ""

        categories = []
        for doc in docs:
            term = disciplines.get(doc.discipline)
            categories.append(f"d:{term.code}" if term is not None else "")
        categories.extend([""] * n_pad)
        docset = DocSet(ids=[d.id for d in docs] + pad_ids, title=title, keywords=keywords, body=body,
                        categories=categories, raw=raw, fields=field_names)
        bench_queries = [BenchQuery(qid=q.qid, text=q.text, terms=list(dict.fromkeys(a.tokenize(q.text))))
                         for q in query_list]
        sampled = sorted(random.Random(SAMPLE_SEED).sample(range(len(bench_queries)),
                                                           min(sample, len(bench_queries))))
        doc_disciplines = {d.id: d.discipline for d in docs if d.discipline}

        # 3. per size and engine, in a forked child
        rows = []
        ctx = multiprocessing.get_context("fork")
        for size in sizes:
            n = min(size, total)
            if size >= SAMPLE_FROM_SIZE:
                qs = [bench_queries[i] for i in sampled]
                judged = [query_list[i] for i in sampled]
                say(f"— 规模 {n:,}：质量与延迟均按固定抽样的 {len(qs)} 条查询计")
            else:
                qs, judged = bench_queries, query_list
                say(f"— 规模 {n:,}：全部 {len(qs)} 条查询")
            for name in engines:
                engine_dir = workdir / f"{name}-{n}"
                parent_conn, child_conn = ctx.Pipe(duplex=False)
                connections.close_all()
                gc.freeze()  # the engine child must not walk the inherited tokens either
                process = ctx.Process(target=_run_engine, args=(child_conn, name, engine_dir, docset, n, qs))
                process.start()
                child_conn.close()
                result = parent_conn.recv()
                process.join()
                shutil.rmtree(engine_dir, ignore_errors=True)
                if "error" in result:
                    self.stderr.write(f"!!! {name} @ {n}: 失败\n{result['error']}")
                    continue
                s = evaluation.scores(result["runs"], judged, doc_disciplines)
                lat = result["latencies"]
                row = {
                    "engine": name, "size": n, "mrr10": round(s.mrr10, 4), "recall10": round(s.recall10, 4),
                    "discipline_p10": round(s.discipline_p10, 4) if s.discipline_p10 is not None else None,
                    "tokenize_docs_per_s": None if name == "fts5-trigram" else round(tokenize_rate, 1),
                    "build_docs_per_s": round(n / result["build_s"], 1) if result["build_s"] else None,
                    "index_mb": round(result["index_bytes"] / 1e6, 1),
                    "peak_rss_mb": round(result["rss_mb"], 1),
                    "p50_ms": round(evaluation.percentile(lat, 50), 2),
                    "p95_ms": round(evaluation.percentile(lat, 95), 2),
                }
                rows.append(row)
                say("  {engine:<20} MRR@10 {mrr10:.4f}  R@10 {recall10:.4f}  学科P@10 {dp}  建索引 {build_docs_per_s} 篇/秒  "
                    "索引 {index_mb} MB  内存峰值 {peak_rss_mb} MB  p50 {p50_ms} ms  p95 {p95_ms} ms".format(
                        dp=row["discipline_p10"], **row))
        self._table(rows, say)
        say("说明：tokenize_docs_per_s 为共享的一次分词速度（fts5-trigram 不分词，记为 null）；build_docs_per_s 不含分词；"
            "peak_rss_mb 为子进程在继承的分词结果之上新增的内存峰值（techmarket-postgres 不含数据库服务器进程）。")
        if as_json:
            self.stdout.write(json.dumps({"rows": rows}, ensure_ascii=False))

    def _table(self, rows, say) -> None:
        keys = ["engine", "size", "mrr10", "recall10", "discipline_p10", "tokenize_docs_per_s", "build_docs_per_s",
                "index_mb", "peak_rss_mb", "p50_ms", "p95_ms"]
        widths = {k: max(len(k), *(len(str(r[k])) for r in rows)) if rows else len(k) for k in keys}
        say("  ".join(k.ljust(widths[k]) for k in keys))
        for row in rows:
            say("  ".join(str(row[k]).ljust(widths[k]) for k in keys))
