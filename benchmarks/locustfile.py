"""Simulated candidates for `benchmarks.load`: each logs in as one of the accounts the benchmark
created, then practises, over and over: the question list, a question, a few autosaves a page's
interval apart (JSON with the page's CSRF token, as static/js/answer.js sends them), the
submission, and its result.

Settings come from the environment (set by benchmarks.load): LOAD_PASSWORD, LOAD_EMAILS (a
comma-separated list, one account per simulated user), LOAD_ANSWER_FILE (the answer to type),
LOAD_AUTOSAVE_SECONDS and LOAD_AUTOSAVES."""

from __future__ import annotations

import itertools
import os
import random
import re
from pathlib import Path

import gevent
from locust import HttpUser, between, task

EMAILS = os.environ.get("LOAD_EMAILS", "").split(",")
PASSWORD = os.environ.get("LOAD_PASSWORD", "")
ANSWER = (
    Path(os.environ["LOAD_ANSWER_FILE"]).read_text() if os.environ.get("LOAD_ANSWER_FILE") else ""
)
AUTOSAVE_SECONDS = float(os.environ.get("LOAD_AUTOSAVE_SECONDS", "5"))
AUTOSAVES = int(os.environ.get("LOAD_AUTOSAVES", "3"))

_accounts = itertools.count()
_FORM_TOKEN = re.compile(r'name="csrf_token" (?:type="hidden" )?value="([^"]+)"')
_META_TOKEN = re.compile(r'<meta name="csrf-token" content="([^"]+)"')
_QUESTION_LINK = re.compile(r'href="/questions/([a-z0-9-]+)"')


def _hidden(html: str, name: str) -> str:
    found = re.search(rf'name="{name}" (?:type="hidden" )?value="([^"]*)"', html)
    return found.group(1) if found else ""


class Candidate(HttpUser):
    wait_time = between(1, 3)  # reading the result, choosing the next question

    def on_start(self) -> None:
        email = EMAILS[next(_accounts) % len(EMAILS)]
        page = self.client.get("/login", name="login page")
        token = _FORM_TOKEN.search(page.text).group(1)
        with self.client.post(
            "/login",
            data={"email": email, "password": PASSWORD, "csrf_token": token},
            name="login",
            allow_redirects=False,
            catch_response=True,
        ) as reply:
            if reply.status_code != 302 or "/login" in reply.headers.get("Location", ""):
                reply.failure(f"login as {email} refused ({reply.status_code})")

    @task
    def practise(self) -> None:
        listing = self.client.get("/questions", name="question list")
        slugs = sorted(set(_QUESTION_LINK.findall(listing.text)))
        if not slugs:
            return
        slug = random.choice(slugs)
        page = self.client.get(f"/questions/{slug}", name="question page")
        csrf = _META_TOKEN.search(page.text).group(1)
        # The page's draft (its key, rendered into the form) and the version its next save is.
        key, version = _hidden(page.text, "draft_key"), int(_hidden(page.text, "version"))
        words = ANSWER.split(" ")
        seconds = 0
        for typed in range(1, AUTOSAVES + 1):
            gevent.sleep(AUTOSAVE_SECONDS)
            seconds += int(AUTOSAVE_SECONDS)
            body = {
                "draft_key": key,
                "version": version,
                "answer_text": " ".join(words[: len(words) * typed // (AUTOSAVES + 1)]),
                "time_spent_seconds": seconds,
            }
            version += 1
            with self.client.post(
                f"/questions/{slug}/draft",
                json=body,
                headers={"X-CSRFToken": csrf},
                name="autosave",
                catch_response=True,
            ) as reply:
                if reply.status_code != 200:
                    reply.failure(f"autosave: {reply.status_code} {reply.text[:200]}")
                    return
        gevent.sleep(AUTOSAVE_SECONDS)
        form = {
            "answer_text": ANSWER,
            "time_spent_seconds": str(seconds + int(AUTOSAVE_SECONDS)),
            "draft_key": key,
            "version": str(version),
            "csrf_token": _FORM_TOKEN.search(page.text).group(1),
        }
        with self.client.post(
            f"/questions/{slug}/submit",
            data=form,
            name="submit",
            allow_redirects=False,
            catch_response=True,
        ) as reply:
            result = reply.headers.get("Location", "")
            if reply.status_code != 302 or "/attempts/" not in result:
                reply.failure(f"submit: {reply.status_code} {result} {reply.text[:200]}")
                return
        self.client.get(result, name="result")
