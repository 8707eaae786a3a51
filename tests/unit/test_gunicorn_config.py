"""gunicorn.conf.py run by gunicorn itself: what it leaves behind."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from tests.conftest import ROOT, free_port, stop_process, wait_for_port


def _serve_and_stop(tmp_path: Path, **environment: str) -> None:
    """gunicorn with the config and one worker, from start until it answers, then stopped."""
    inherited = {k: v for k, v in os.environ.items() if k != "PROMETHEUS_MULTIPROC_DIR"}
    environment = {
        **inherited,
        "COACH_INSTANCE_PATH": str(tmp_path / "instance"),
        "COACH_TASK_CONSUMER": "none",
        **environment,
    }
    port = free_port()
    gunicorn = [sys.executable, "-m", "gunicorn", "-c", ROOT / "gunicorn.conf.py", "-w", "1"]
    server = subprocess.Popen(
        [*gunicorn, "-b", f"127.0.0.1:{port}", "app:create_app()"],
        cwd=ROOT,
        env=environment,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        wait_for_port(port, server, timeout=60)
    finally:
        stop_process(server)
    assert server.returncode == 0


def test_the_metrics_folder_gunicorn_makes_is_removed_when_it_exits(tmp_path):
    """Without PROMETHEUS_MULTIPROC_DIR the config makes a temporary folder for the workers'
    metrics: every start would leave one behind if the exit did not remove it."""
    temporary = tmp_path / "tmp"  # where tempfile makes its folders
    temporary.mkdir()
    _serve_and_stop(tmp_path, TMPDIR=str(temporary))
    assert list(temporary.iterdir()) == []


def test_a_metrics_folder_given_to_gunicorn_is_kept(tmp_path):
    given = tmp_path / "metrics"
    given.mkdir()
    _serve_and_stop(tmp_path, PROMETHEUS_MULTIPROC_DIR=str(given))
    assert given.is_dir()
