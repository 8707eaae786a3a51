"""With COACH_REDIS_URL set, feedback tasks go through a real Redis to a `coach worker` process."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path

from tests.conftest import AuthActions, csrf_from, make_app

from .standin import Reply, StandIn, completion

COACH = str(Path(sys.executable).parent / "coach")
ADVICE = {"summary": "Solid first step; name your recovery metrics.", "criteria": [], "rewrite": ""}


def test_a_coach_worker_process_writes_the_feedback(tmp_path, seeded_database, redis_url):
    shutil.copy(seeded_database, tmp_path / "coach.db")
    with StandIn() as standin:
        standin.always(Reply(body=completion(json.dumps(ADVICE))))
        config = {
            "REDIS_URL": redis_url,
            "OPENAI_API_KEY": "test-key",
            "OPENAI_BASE_URL": standin.base_url,
        }
        client = make_app(tmp_path, **config).test_client()
        AuthActions(client).register_candidate()
        token = csrf_from(client.get("/questions/worldwide-outage").text)
        response = client.post(
            "/questions/worldwide-outage/submit",
            data={"answer_text": "We roll back the release and apologise.", "csrf_token": token},
        )
        attempt = re.search(r"/attempts/(\d+)$", response.headers["Location"]).group(1)
        assert 'data-status="pending"' in client.get(f"/attempts/{attempt}/feedback").text

        env = {
            **os.environ,
            "COACH_INSTANCE_PATH": str(tmp_path),
            "COACH_REDIS_URL": redis_url,
            "OPENAI_API_KEY": "test-key",
            "OPENAI_BASE_URL": standin.base_url,
        }
        env.pop("COACH_DATABASE_URL", None)
        worker = subprocess.Popen(
            [COACH, "worker", "--workers", "1"], env=env, stdout=subprocess.PIPE, text=True
        )
        try:
            deadline = time.monotonic() + 20
            html = ""
            while time.monotonic() < deadline:
                html = client.get(f"/attempts/{attempt}/feedback").text
                if 'data-status="pending"' not in html:
                    break
                time.sleep(0.1)
        finally:
            worker.terminate()
            worker.wait(timeout=20)
        assert 'data-status="ok"' in html
        assert "name your recovery metrics" in html
        assert len(standin.requests) == 1
