"""`techmarket serve` started for real: three children, page served, clean stop, stop on a child's death."""
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc to find the children")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def child_pids(pid: int) -> set[int]:
    found = set()
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            if int(stat.rsplit(")", 1)[1].split()[1]) == pid:
                found.add(int(entry.name))
    return found


def running(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


def env_for(var_dir: Path) -> dict:
    env = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "DEBUG"}}
    env.update(DJANGO_SETTINGS_MODULE="techmarket.settings.base", TECHMARKET_VAR_DIR=str(var_dir),
               PYTHONUNBUFFERED="1")
    return env


def techmarket(*args) -> list[str]:
    return [sys.executable, "-m", "techmarket", *args]


def wait_for(predicate, timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.1)
    return False


class TestServe:
    def test_serves_pages_and_stops_all_children_on_sigint(self, tmp_path):
        # given: a database holding the tables the worker and the scheduler poll
        env = env_for(tmp_path)
        subprocess.run(
            [sys.executable, "-c", "import django; django.setup(); from django.core.management import call_command; "
             "[call_command('migrate', app, verbosity=0) for app in ('django_tasks_database', 'scheduling')]"],
            env=env, check=True, capture_output=True)
        port = free_port()
        serve = subprocess.Popen(techmarket("serve", "--port", str(port)), env=env,
                                 stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
        try:
            def page_ok():
                try:
                    with urllib.request.urlopen(f"http://127.0.0.1:{port}/admin/login/", timeout=1) as resp:
                        return resp.status == 200
                except OSError:
                    return False

            assert wait_for(page_ok, 30), "the web child never answered"
            children = child_pids(serve.pid)
            assert len(children) == 3
            # when
            serve.send_signal(signal.SIGINT)
            code = serve.wait(timeout=30)
        finally:
            if serve.poll() is None:
                serve.kill()
                serve.wait()
        output = serve.stdout.read().decode()
        # then
        assert code == 0, output
        assert not any(running(pid) for pid in children)
        # every child's lines carry its prefix; the web child always prints before answering, while the
        # scheduler may not have logged anything yet when SIGINT arrives
        assert "web       | " in output
        assert all(line.startswith(("web       | ", "worker    | ", "scheduler | ", "[serve]"))
                   for line in output.splitlines() if line.strip())
        assert "已全部停止" in output

    def test_exits_non_zero_and_stops_the_others_when_a_child_dies(self, tmp_path):
        # given: no tables at all, so db_worker fails on its first poll
        port = free_port()
        serve = subprocess.Popen(techmarket("serve", "--port", str(port)), env=env_for(tmp_path),
                                 stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
        seen: set[int] = set()
        try:
            # when
            deadline = time.monotonic() + 30
            while serve.poll() is None and time.monotonic() < deadline:
                seen |= child_pids(serve.pid)
                time.sleep(0.05)
        finally:
            if serve.poll() is None:
                serve.kill()
                serve.wait()
        output = serve.stdout.read().decode()
        # then
        assert serve.returncode not in (0, None), output
        assert "已退出" in output and "正在停止其他进程" in output
        assert seen and not any(running(pid) for pid in seen)
