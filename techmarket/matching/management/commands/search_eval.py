"""`techmarket search_eval --corpus CORPUS.jsonl --queries QUERIES.jsonl [--fields title,abstract,keywords]
[--k 100] [--database URL] [--out RUN.jsonl] [--json]`: search quality (issue 4 part 5, SPEC X4).

In its own scratch database (core/bench.py: a temporary SQLite file and embedded index, or with
``--database postgres://…`` a scratch PostgreSQL database and the PostgreSQL engine) it loads every corpus
line as a published achievement, indexes them through the product's own rebuild
(``services.search_reindex``: the keywords join the domain dictionary, every record is analysed and written
to the engine) with only ``--fields`` in the index, and answers each query as the search page ranks it for a
visitor (``services.ranked_hits``: BM25 + the field prior) — without looking at ``relevant`` or
``discipline``. Figures: docs, build docs/s (the rebuild after the rows are in the database), MRR@10,
Recall@10/@100, nDCG@10 (binary), discipline precision@10, latency p50/p95/p99 (query analysis + engine +
rerank, per query).
"""
from __future__ import annotations

import json
from pathlib import Path

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError

from techmarket.core.bench import add_scratch_arguments, refuse_unless_scratch, run_in_scratch
from techmarket.matching import evaluation


def prepare_database() -> None:
    call_command("migrate", verbosity=0, interactive=False, skip_checks=True)


class Command(BaseCommand):
    requires_system_checks = []
    help = "检索质量评测：在临时数据库中把语料载入为已发布成果并按产品方式建索引，逐条回答查询并计算 MRR@10 等指标。"

    def add_arguments(self, parser):
        parser.add_argument("--corpus", required=True, help="语料 JSONL：{id, title, abstract, keywords, discipline}。")
        parser.add_argument("--queries", required=True, help="查询 JSONL：{qid, text, relevant, discipline}。")
        parser.add_argument("--fields", default="title,abstract,keywords",
                            help="建入索引的字段，逗号分隔（默认 title,abstract,keywords）。")
        parser.add_argument("--k", type=int, default=100, help="每个查询取前 k 条结果（默认 100）。")
        parser.add_argument("--out", default="", help="把每个查询的结果写入该 JSONL 文件：{qid, ids}。")
        add_scratch_arguments(parser)  # --json, --database, --inner

    def handle(self, *args, corpus: str, queries: str, fields: str, k: int, out: str, json: bool, database: str,
               inner: str, **options):
        try:
            evaluation.fields_clean(fields)
        except ValueError as exc:
            raise CommandError(str(exc)) from exc
        if k < 10:
            raise CommandError("--k 至少为 10")
        for name, path in (("--corpus", corpus), ("--queries", queries)):
            if not Path(path).is_file():
                raise CommandError(f"{name} 文件不存在：{path}")
        corpus, queries = str(Path(corpus).resolve()), str(Path(queries).resolve())
        out = str(Path(out).resolve()) if out else ""
        if inner:
            return self._inner(Path(inner), corpus=corpus, queries=queries, fields=fields, k=k, out=out,
                               as_json=json)
        args = ["--corpus", corpus, "--queries", queries, "--fields", fields, "--k", str(k)]
        args += ["--out", out] if out else []
        args += ["--json"] if json else []
        run_in_scratch(command="search_eval", args=args, database=database, warn=self.stderr.write)

    def _inner(self, workdir: Path, *, corpus: str, queries: str, fields: str, k: int, out: str,
               as_json: bool) -> None:
        database = refuse_unless_scratch(workdir)
        say = self.stderr.write if as_json else self.stdout.write
        try:
            docs = evaluation.corpus_read(corpus)
            query_list = evaluation.queries_read(queries)
        except ValueError as exc:
            raise CommandError(str(exc)) from exc
        if not docs:
            raise CommandError("语料为空")
        prepare_database()
        from techmarket.matching.engines import engine_name

        field_names = evaluation.fields_clean(fields)
        say(f"数据库 {database}，检索引擎 {engine_name()}，索引字段 {','.join(field_names)}，"
            f"语料 {len(docs):,} 篇，查询 {len(query_list):,} 条")
        result = evaluation.evaluate(docs, query_list, fields=field_names, k=k, say=say)
        if out:
            with open(out, "w", encoding="utf-8") as fh:
                for query in query_list:
                    fh.write(json.dumps({"qid": query.qid, "ids": result.runs.get(query.qid, [])},
                                        ensure_ascii=False) + "\n")
            say(f"结果已写入 {out}")
        figures = result.figures()
        s = result.scores
        say(f"文档数 docs: {figures['docs']}")
        say(f"建索引速度 build_docs_per_s: {figures['build_docs_per_s']}（不含写入数据库 {result.insert_seconds:.1f} 秒）")
        say(f"MRR@10 mrr10: {figures['mrr10']}（有标注的查询 {s.judged} 条）")
        say(f"召回率@10 recall10: {figures['recall10']}")
        say(f"召回率@100 recall100: {figures['recall100']}")
        say(f"nDCG@10 ndcg10: {figures['ndcg10']}")
        say(f"学科准确率@10 discipline_p10: {figures['discipline_p10']}（有学科的查询 {s.with_discipline} 条）")
        say(f"延迟 p50_ms / p95_ms / p99_ms: {figures['p50_ms']} / {figures['p95_ms']} / {figures['p99_ms']} 毫秒")
        if as_json:
            self.stdout.write(json.dumps(figures, ensure_ascii=False))
