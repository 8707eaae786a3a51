"""`coach feedback`: the `coach score` JSON plus an `llm` part; it exits 0 whatever the AI does."""

from __future__ import annotations

import json

import pytest

from .standin import Reply, completion, error_body
from .test_client import ANSWER, GOOD_REPLY, IDS

# what `coach score --format json` prints
SCORE_FIELDS = {
    "question",
    "question_version",
    "rubric",
    "engine_version",
    "overall",
    "word_count",
    "criteria",
    "flags",
}


@pytest.fixture
def answer_file(tmp_path):
    path = tmp_path / "answer.md"
    path.write_text(ANSWER, encoding="utf-8")
    return path


def feedback_json(app, runner, answer_file, standin, *, api_key: str | None = "test-key"):
    app.config.update(
        OPENAI_API_KEY=api_key,
        OPENAI_BASE_URL=standin.base_url,
        LLM_MODEL="standin-model",
        LLM_TIMEOUT=1,
        LLM_MAX_RETRIES=0,
    )
    args = ["feedback", "--question", "worldwide-outage", "--file", str(answer_file)]
    result = runner.invoke(args=[*args, "--format", "json"])
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def score_json(runner, answer_file):
    args = ["score", "--question", "worldwide-outage", "--file", str(answer_file)]
    result = runner.invoke(args=[*args, "--format", "json"])
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def without_llm(data: dict) -> dict:
    return {key: value for key, value in data.items() if key != "llm"}


def test_feedback_adds_the_ai_advice_to_the_score(app, runner, answer_file, standin):
    standin.script(Reply(body=completion(json.dumps(GOOD_REPLY))))

    data = feedback_json(app, runner, answer_file, standin)

    assert set(data) >= SCORE_FIELDS
    assert data["question"] == "worldwide-outage"
    assert data["rubric"]["id"] == "incident-response" and data["rubric"]["version"] >= 1
    assert [c["id"] for c in data["criteria"]] == IDS
    llm = data["llm"]
    assert (llm["status"], llm["reason"], llm["model"]) == ("ok", None, "standin-model")
    assert llm["feedback"] == GOOD_REPLY
    assert llm["prompt_tokens"] == 120
    [seen] = standin.requests
    assert seen.message("user").startswith(
        "Question:\nYour product just caused a worldwide outage."
    )
    assert f"<answer>\n{ANSWER}\n</answer>" in seen.message("user")


def test_feedback_without_a_key_is_disabled_and_sends_nothing(app, runner, answer_file, standin):
    data = feedback_json(app, runner, answer_file, standin, api_key=None)

    assert set(data) >= SCORE_FIELDS
    assert data["llm"]["status"] == "disabled"
    assert "OPENAI_API_KEY" in data["llm"]["reason"]
    assert data["llm"]["feedback"] is None
    assert standin.requests == []


def test_feedback_when_the_server_fails_still_exits_0_with_the_reason(
    app, runner, answer_file, standin
):
    standin.always(Reply(status=500, body=error_body("down", "server_error")))

    data = feedback_json(app, runner, answer_file, standin)

    assert set(data) >= SCORE_FIELDS
    llm = data["llm"]
    assert (llm["status"], llm["model"], llm["feedback"]) == ("error", "standin-model", None)
    assert "(500)" in llm["reason"]
    assert len(standin.requests) == 1


def test_the_overall_score_is_the_same_whatever_the_ai_does(app, runner, answer_file, standin):
    greedy = {"summary": "100/100", "criteria": [{"id": i, "level": 9} for i in IDS]}
    standin.script(Reply(body=completion(json.dumps(greedy))))
    standin.always(Reply(status=500, body=error_body("down", "server_error")))

    ok = feedback_json(app, runner, answer_file, standin)
    error = feedback_json(app, runner, answer_file, standin)
    disabled = feedback_json(app, runner, answer_file, standin, api_key=None)
    scored = score_json(runner, answer_file)

    assert [ok["llm"]["status"], error["llm"]["status"], disabled["llm"]["status"]] == [
        "ok",
        "error",
        "disabled",
    ]
    assert ok["overall"] == error["overall"] == disabled["overall"] == scored["overall"] < 100
    assert without_llm(ok) == without_llm(error) == without_llm(disabled) == scored


def test_feedback_runs_through_the_flask_cli_runner_without_a_pushed_context(
    app, runner, answer_file
):
    args = ["feedback", "--question", "worldwide-outage", "--file", str(answer_file)]
    result = runner.invoke(args=[*args, "--format", "json"])

    assert result.exit_code == 0, repr(result.exception)
    assert json.loads(result.stdout)["llm"]["status"] == "disabled"
