"""`techmarket serve`: the web server, the background worker and the scheduler in one command.

Starts three child processes of the same installation:

* web:       ``techmarket runserver HOST:PORT`` (auto-reload only when DEBUG is on),
* worker:    ``techmarket db_worker`` (runs the django-tasks queue),
* scheduler: ``techmarket scheduler`` (enqueues periodic jobs),

prefixes their output with the child's name, and on Ctrl-C or SIGTERM stops all three and exits 0.
If any child ends by itself the others are stopped and serve exits non-zero, so a supervisor
notices. For production use the three systemd units of docs/operations/deployment.md instead.
"""
from __future__ import annotations

import argparse
import contextlib
import ctypes
import os
import signal
import subprocess
import sys
import threading
import time

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

POLL_SECONDS = 0.2


def techmarket_command() -> list[str]:
    """How to run this installation's ``techmarket`` console script from a child process."""
    return [sys.executable, "-m", "techmarket"]


def _die_with_parent() -> None:  # pragma: no cover - runs in the child between fork and exec
    """Linux: have the kernel send SIGTERM to the child if serve itself is killed (even by SIGKILL)."""
    os.setsid()
    if sys.platform.startswith("linux"):
        with contextlib.suppress(OSError, AttributeError):
            ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG


class Child:
    def __init__(self, name: str, argv: list[str]):
        self.name = name
        self.argv = argv
        self.process: subprocess.Popen | None = None
        self.pump: threading.Thread | None = None

    @property
    def pid(self) -> int:
        return self.process.pid

    def alive(self) -> bool:
        return self.process is not None and self.process.poll() is None

    def signal_group(self, signum: int) -> None:
        # Each child leads its own process group, which also holds runserver's auto-reload child.
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(self.process.pid, signum)


class Command(BaseCommand):
    help = "同时启动网站（runserver）、后台任务进程（db_worker）和定时任务进程（scheduler）；Ctrl-C 全部停止。"
    requires_system_checks = []  # each child runs its own checks

    def add_arguments(self, parser):
        parser.add_argument("--host", default="127.0.0.1", help="网站监听地址（默认 127.0.0.1）。")
        parser.add_argument("--port", type=int, default=8000, help="网站监听端口（默认 8000）。")
        parser.add_argument("--reload", action=argparse.BooleanOptionalAction, default=None,
                            help="代码改动后自动重启网站；默认在 DEBUG 时开启。")
        parser.add_argument("--stop-timeout", type=float, default=20.0,
                            help="停止时等待子进程结束的秒数，超时强制结束（默认 20）。")

    def handle(self, *args, host: str, port: int, reload: bool | None, stop_timeout: float, **options):
        if not 0 < port < 65536:
            raise CommandError("--port 应在 1–65535 之间")
        reload = settings.DEBUG if reload is None else reload
        base = techmarket_command()
        addr = f"[{host}]" if ":" in host and not host.startswith("[") else host  # IPv6
        web = [*base, "runserver", f"{addr}:{port}"] + (["--ipv6"] if addr.startswith("[") else [])
        web += [] if reload else ["--noreload"]
        children = [
            Child("web", web),
            Child("worker", [*base, "db_worker", "--reload" if reload else "--no-reload"]),
            Child("scheduler", [*base, "scheduler"]),
        ]
        width = max(len(c.name) for c in children)
        self._lock = threading.Lock()

        stop = threading.Event()
        signals_seen: list[int] = []

        def on_signal(signum, _frame):
            signals_seen.append(signum)
            stop.set()

        previous = {s: signal.signal(s, on_signal) for s in (signal.SIGINT, signal.SIGTERM)}
        env = {**os.environ, "PYTHONUNBUFFERED": "1"}
        failed: Child | None = None
        try:
            for child in children:
                child.process = subprocess.Popen(
                    child.argv, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                    env=env, preexec_fn=_die_with_parent,
                )
            # Output threads start after the last fork (preexec_fn and threads do not mix).
            for child in children:
                child.pump = threading.Thread(target=self._pump, args=(child, width), daemon=True)
                child.pump.start()
            self._say(f"网站 http://{addr}:{port}/ ，后台任务进程和定时任务进程已启动；按 Ctrl-C 停止。")
            while not stop.wait(POLL_SECONDS):
                failed = next((c for c in children if not c.alive()), None)
                if failed is not None:
                    self._say(f"{failed.name} 已退出（退出码 {failed.process.returncode}），正在停止其他进程。",
                              error=True)
                    break
        finally:
            self._stop_all(children, stop_timeout, signals_seen)
            for s, handler in previous.items():
                signal.signal(s, handler)
        if failed is not None:
            code = failed.process.returncode
            sys.exit(code if code and code > 0 else 1)
        self._say("已全部停止。")

    # -- helpers ---------------------------------------------------------------------------

    def _say(self, text: str, *, error: bool = False) -> None:
        with self._lock:
            (self.stderr if error else self.stdout).write(f"[serve] {text}")

    def _pump(self, child: Child, width: int) -> None:
        prefix = f"{child.name:<{width}} | "
        for raw in iter(child.process.stdout.readline, b""):
            line = raw.decode("utf-8", errors="replace").rstrip("\r\n")
            with self._lock:
                self.stdout.write(prefix + line)
        child.process.stdout.close()

    def _stop_all(self, children: list[Child], timeout: float, signals_seen: list[int]) -> None:
        started = [c for c in children if c.process is not None]
        for child in started:
            if child.alive():
                child.signal_group(signal.SIGTERM)
        deadline = time.monotonic() + timeout
        while any(c.alive() for c in started) and time.monotonic() < deadline:
            if len(signals_seen) > 1:  # a second Ctrl-C: do not wait for running tasks
                break
            time.sleep(POLL_SECONDS)
        for child in started:
            if child.alive():
                self._say(f"{child.name} 未在规定时间内结束，强制停止。", error=True)
                child.signal_group(signal.SIGKILL)
            child.process.wait()
            if child.pump is not None:
                child.pump.join(timeout=5)

