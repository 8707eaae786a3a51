"""The instance's secret key: made once, whole, however many workers start at the same moment."""

from __future__ import annotations

import threading

from app.config import _instance_secret


def test_workers_starting_together_share_one_whole_key(tmp_path):
    starting = threading.Barrier(8)
    keys: list[str] = []

    def start_worker() -> None:
        starting.wait()
        keys.append(_instance_secret(tmp_path / "secret_key"))

    workers = [threading.Thread(target=start_worker) for _ in range(8)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    assert len(set(keys)) == 1 and len(keys[0]) == 64
    assert [p.name for p in tmp_path.iterdir()] == ["secret_key"]
    assert (tmp_path / "secret_key").stat().st_mode & 0o777 == 0o600
