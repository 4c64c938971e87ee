"""Scratch databases for the benchmark commands (SPEC §4): they never touch the configured database.

A benchmark command runs in two processes:

* the outer one (``run_in_scratch``) makes a fresh temporary directory ``techmarket-bench-*``, and either
  leaves ``DATABASE_URL`` unset (so the database is a scratch SQLite file in that directory, which is also
  ``TECHMARKET_VAR_DIR``) or, with ``--database postgres://…``, creates a scratch database
  ``techmarket_bench_<random>`` on that server; it re-executes the same command with ``--inner <dir>`` in
  that environment and afterwards drops the database and removes the directory, whatever happened;
* the inner one calls ``refuse_unless_scratch`` first: it refuses to run unless its database is such a
  scratch database.

Used by ``bench_import`` (directory) and ``bench_auction`` (auctions).
"""
from __future__ import annotations

import argparse
import os
import secrets
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

from django.conf import settings
from django.core.management.base import CommandError

SCRATCH_PREFIX = "techmarket_bench_"
WORKDIR_PREFIX = "techmarket-bench-"

__all__ = ["SCRATCH_PREFIX", "WORKDIR_PREFIX", "add_scratch_arguments", "scratch_env", "postgres_create", "postgres_drop", "run_in_scratch",
           "refuse_unless_scratch"]


def add_scratch_arguments(parser) -> None:
    """The options every benchmark command has: ``--json``, ``--database`` and the hidden ``--inner``."""
    parser.add_argument("--json", action="store_true", help="最后一行输出一个 JSON 对象。")
    parser.add_argument("--database", default="",
                        help="在该 PostgreSQL 服务器上新建并在结束后删除一个临时数据库进行测试，"
                             "如 postgres://postgres@127.0.0.1:5432/postgres。")
    parser.add_argument("--inner", default="", help=argparse.SUPPRESS)  # the measuring subprocess


def scratch_env(workdir: Path) -> dict:
    """The environment of the inner process (and of any server it starts): scratch var dir, SQLite unless a
    scratch PostgreSQL URL is added, production settings, tasks run immediately."""
    env = os.environ.copy()
    env["TECHMARKET_VAR_DIR"] = str(workdir)
    env.pop("DATABASE_URL", None)
    env.setdefault("DJANGO_SETTINGS_MODULE", "techmarket.settings.base")
    env["TECHMARKET_TASKS_BACKEND"] = "django_tasks.backends.immediate.ImmediateBackend"
    return env


def _configured_database() -> tuple[str, str, str]:
    db = settings.DATABASES["default"]
    return str(db.get("HOST") or ""), str(db.get("PORT") or ""), str(db.get("NAME") or "")


def postgres_create(url: str, *, warn=None) -> tuple[str, str]:
    """Create ``techmarket_bench_<random>`` on the server of ``url``; ``(admin_url, scratch_url)``."""
    parts = urlsplit(url)
    if parts.scheme not in ("postgres", "postgresql"):
        raise CommandError("--database 只支持 postgres:// 地址")
    host, port, name = _configured_database()
    if settings.DATABASES["default"]["ENGINE"].endswith("postgresql") and parts.path.lstrip("/") == name \
            and (parts.hostname or "") == host and str(parts.port or "") in ("", port) and warn is not None:
        warn("提示：将在该服务器上另建临时数据库，不会写入已配置的数据库 {n}".format(n=name))
    scratch = SCRATCH_PREFIX + secrets.token_hex(4)
    import psycopg

    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{scratch}"')
    return url, urlunsplit(parts._replace(path="/" + scratch))


def postgres_drop(admin_url: str, scratch_url: str) -> None:
    import psycopg

    scratch = urlsplit(scratch_url).path.lstrip("/")
    if not scratch.startswith(SCRATCH_PREFIX):
        return
    with psycopg.connect(admin_url, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{scratch}" WITH (FORCE)')


def run_in_scratch(*, command: str, args: list[str], database: str = "", warn=None) -> None:
    """The outer process: run ``techmarket <command> <args> --inner <dir>`` against a scratch database."""
    workdir = Path(tempfile.mkdtemp(prefix=WORKDIR_PREFIX))
    env = scratch_env(workdir)
    scratch_url = admin_url = ""
    try:
        if database:
            admin_url, scratch_url = postgres_create(database, warn=warn)
            env["DATABASE_URL"] = scratch_url
        argv = [sys.executable, "-m", "techmarket", command, *args, "--inner", str(workdir)]
        result = subprocess.run(argv, env=env)
        if result.returncode:
            raise CommandError(f"基准测试子进程失败（退出码 {result.returncode}）")
    finally:
        if scratch_url:
            postgres_drop(admin_url, scratch_url)
        shutil.rmtree(workdir, ignore_errors=True)


def refuse_unless_scratch(workdir: Path) -> str:
    """The inner process's guard; returns the engine's short name ("sqlite", "postgresql")."""
    db = settings.DATABASES["default"]
    if db["ENGINE"].endswith("sqlite3"):
        name = Path(str(db["NAME"])).resolve()
        if workdir.resolve() not in name.parents or not workdir.name.startswith(WORKDIR_PREFIX):
            raise CommandError("拒绝运行：数据库不是基准测试的临时数据库")
        return "sqlite"
    if not str(db["NAME"]).startswith(SCRATCH_PREFIX):
        raise CommandError("拒绝运行：数据库不是基准测试的临时数据库")
    return db["ENGINE"].rsplit(".", 1)[-1]
