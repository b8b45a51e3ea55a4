"""A `ttshop dev` killed with SIGKILL leaves children; the next one stops them (and nothing else)."""

from __future__ import annotations

import subprocess
import sys
import time

from libs.cli import leftovers


def _child() -> subprocess.Popen[bytes]:
    return subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"], start_new_session=True)


def test_recorded_children_of_a_dead_run_are_stopped(tmp_path, monkeypatch):
    monkeypatch.setenv("TTSHOP_STATE_DIR", str(tmp_path))
    left = _child()
    bystander = _child()
    try:
        time.sleep(0.2)
        leftovers.record(left.pid)
        # the same pid later running something else must never be signalled: simulate with a wrong command
        (tmp_path / "dev.pids").open("a").write(f"{bystander.pid}\tpostgres: not what we started\n")
        stopped = leftovers.reap(grace_s=5)
        assert len(stopped) == 1 and str(left.pid) in stopped[0]
        assert left.wait(timeout=5) is not None
        assert bystander.poll() is None  # untouched
        assert not (tmp_path / "dev.pids").exists()
        assert leftovers.reap() == []
    finally:
        for proc in (left, bystander):
            if proc.poll() is None:
                proc.kill()
                proc.wait()


def test_clean_stop_leaves_no_record(tmp_path, monkeypatch):
    monkeypatch.setenv("TTSHOP_STATE_DIR", str(tmp_path))
    proc = _child()
    try:
        leftovers.record(proc.pid)
        assert (tmp_path / "dev.pids").exists()
        leftovers.clear()
        assert not (tmp_path / "dev.pids").exists()
    finally:
        proc.kill()
        proc.wait()
