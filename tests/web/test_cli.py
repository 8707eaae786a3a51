"""The `coach` command on a real SQLite file."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import click
import pytest
import yaml
from sqlmodel import select

from app.bank.service import load_shipped_content
from app.extensions import db
from app.models import Question, RubricVersion
from pm_scoring import load_rubric
from tests.conftest import ROOT, count_rows

COACH = str(Path(sys.executable).parent / "coach")


def model_answer(runner, slug: str) -> str:
    exported = json.loads(runner.invoke(args=["bank", "export", "--format", "json"]).output)
    return next(q["model_answer"] for q in exported["questions"] if q["slug"] == slug)


def test_init_creates_the_database_and_a_second_run_changes_nothing(empty_app):
    runner = empty_app.test_cli_runner()
    first = runner.invoke(args=["init"])
    assert first.exit_code == 0, first.output
    assert "47 question(s) created" in first.output or "question(s) created" in first.output
    questions, rubrics = count_rows(empty_app, Question), count_rows(empty_app, RubricVersion)
    assert questions >= 44 and rubrics >= 9

    second = runner.invoke(args=["init"])
    assert second.exit_code == 0
    assert "nothing changed" in second.output
    assert count_rows(empty_app, Question) == questions
    assert count_rows(empty_app, RubricVersion) == rubrics


def test_a_changed_shipped_rubric_becomes_a_new_version(app, tmp_path):
    rubrics, bank = tmp_path / "rubrics", tmp_path / "bank"
    shutil.copytree(ROOT / "rubrics", rubrics)
    shutil.copytree(ROOT / "question_bank", bank)
    path = rubrics / "star.yaml"
    path.write_text(path.read_text().replace("title:", "title: Revised", 1))

    with app.app_context(), db.session() as session:
        summary = load_shipped_content(session, rubrics, bank)
        versions = session.exec(
            select(RubricVersion.version).where(RubricVersion.rubric_id == "star")
        ).all()
    shipped = load_rubric("star").version
    assert summary.rubrics_added == [f"star v{shipped + 1}"]
    assert sorted(versions) == [shipped, shipped + 1]


def test_score_prints_json_with_the_agreed_fields(runner, tmp_path):
    answer = tmp_path / "answer.md"
    answer.write_text(model_answer(runner, "worldwide-outage"))
    result = runner.invoke(
        args=["score", "--question", "worldwide-outage", "--file", str(answer), "--format", "json"]
    )
    assert result.exit_code == 0, result.output
    report = json.loads(result.output)
    assert report["question"] == "worldwide-outage" and report["question_version"] == 1
    shipped = load_rubric("incident-response").version
    assert report["rubric"] == {"id": "incident-response", "version": shipped}
    assert report["overall"] >= 85
    criterion = report["criteria"][0]
    assert {"id", "title", "score", "max", "evidence", "tip"} <= set(criterion)
    text = answer.read_text()
    for span in criterion["evidence"]:
        assert text[span["start"] : span["end"]] == span["text"]
    assert report["flags"] == []


def test_score_says_which_concepts_were_told_as_a_plan_and_which_were_done_well(runner, tmp_path):
    story = tmp_path / "story.md"
    story.write_text(
        "I would sit down with each team lead on Monday to hear their worries, because the "
        "launch date is at risk. Next time I would show Priya in finance the numbers a week "
        "before the review, because the late surprise cost us the budget and two weeks of work."
    )
    args = ["score", "--question", "resolve-team-conflict", "--file", str(story)]
    report = json.loads(runner.invoke(args=[*args, "--format", "json"]).output)
    concepts = {c["id"]: c["concepts"] for c in report["criteria"]}
    assert concepts["action"] and all(k["planned"] for k in concepts["action"])
    assert concepts["learning"] and not any(k["planned"] for k in concepts["learning"])
    assert {k["reaches_level"] for k in concepts["learning"]} == {3}
    text = runner.invoke(args=args).output
    assert "a plan, not what happened" in text and "done well, 3/4 alone" in text


def test_score_of_several_files_prints_one_json_line_each_in_order(runner, tmp_path):
    strong = tmp_path / "strong.md"
    strong.write_text(model_answer(runner, "worldwide-outage"))
    empty_words = tmp_path / "filler.md"
    empty_words.write_text("I like mornings. Coffee is warm and the sky is blue today.")
    files = ["--file", str(strong), "--file", str(empty_words)]
    result = runner.invoke(
        args=["score", "--question", "worldwide-outage", "--format", "json", *files]
    )
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert len(lines) == 2
    first, second = (json.loads(line) for line in lines)
    assert [first["file"], second["file"]] == [str(strong), str(empty_words)]
    assert first["overall"] > second["overall"]
    assert first["question"] == second["question"] == "worldwide-outage"


def test_questions_lists_every_slug_with_its_title_and_rubric(runner):
    result = runner.invoke(args=["questions"])
    assert result.exit_code == 0, result.output
    line = next(line for line in result.output.splitlines() if line.startswith("worldwide-outage"))
    assert line.split()[1] == "incident-response"
    assert line.endswith("Handle a worldwide outage")
    listed = json.loads(runner.invoke(args=["questions", "--format", "json"]).output)
    assert len(listed) >= 44
    assert {"slug": "star", "title": "x", "rubric": "y"}.keys() == listed[0].keys()


def test_importing_the_app_loads_no_ai_client_task_queue_or_redis():
    code = (
        "import sys, app; app.create_app({'TESTING': True}); "
        "print(sorted(m for m in ('openai', 'huey', 'redis') if m in sys.modules))"
    )
    loaded = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=ROOT
    )
    assert loaded.stdout.strip() == "[]"


def test_score_reads_standard_input_and_rates_off_topic_text_near_zero(runner):
    recipe = (
        "Slow-cooked tomato sauce needs onions softened in olive oil, crushed tomatoes, basil "
        "and two patient hours on a low flame before it meets the pasta and a little butter."
    )
    result = runner.invoke(
        args=["score", "--question", "worldwide-outage", "--file", "-"], input=recipe
    )
    assert result.exit_code == 0
    assert "overall 0/100" in result.output
    assert "Off topic" in result.output


def test_score_of_an_unknown_question_is_a_one_line_error(runner):
    result = runner.invoke(args=["score", "--question", "nope", "--file", "-"], input="text")
    assert result.exit_code == 1
    assert result.output.strip() == (
        "Error: no question with slug 'nope' (run `coach init` to load the bank)"
    )


def test_export_then_import_round_trips_the_bank(runner, tmp_path):
    exported = runner.invoke(args=["bank", "export", "--format", "json", "-"])
    data = json.loads(exported.output)
    assert len(data["questions"]) >= 44
    path = tmp_path / "bank.json"
    path.write_text(exported.output)
    result = runner.invoke(args=["bank", "import", str(path)])
    assert result.exit_code == 0, result.output
    assert "Preview: 0 new, 0 changed" in result.output
    assert "Nothing to change." in result.output


def test_import_is_all_or_nothing(app, runner, tmp_path):
    good = tmp_path / "good.yaml"
    good.write_text(
        yaml.safe_dump(
            {"questions": [{"slug": "brand-new", "title": "New", "prompt": "P", "rubric": "star"}]}
        )
    )
    bad = tmp_path / "bad.yaml"
    bad.write_text("questions:\n  - slug: other\n    title: T\n    prompt: P\n    rubric: nope\n")
    before = count_rows(app, Question)
    result = runner.invoke(args=["bank", "import", str(good), str(bad)])
    assert result.exit_code == 1
    assert f"Error: {bad}:2: rubric: unknown rubric 'nope' (known: " in result.output
    assert count_rows(app, Question) == before


def test_rubric_validate_reports_each_problem_with_its_line(runner, tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text("id: Bad Id\nversion: 0\n")
    result = runner.invoke(args=["rubric", "validate", str(bad)])
    assert result.exit_code == 1
    assert f"Error: {bad}:1: id: String should match pattern" in result.output
    assert f"Error: {bad}:2: version: Input should be greater than or equal to 1" in result.output
    ok = runner.invoke(args=["rubric", "validate", str(ROOT / "rubrics" / "star.yaml")])
    assert ok.exit_code == 0 and f"star v{load_rubric('star').version}: ok" in ok.output


def run_coach(*args: str, instance: Path, stdin: str = "") -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "COACH_INSTANCE_PATH": str(instance)}
    env.pop("COACH_DATABASE_URL", None)
    return subprocess.run(
        [COACH, *args], input=stdin, capture_output=True, text=True, env=env, timeout=60
    )


def test_coach_score_reads_the_instance_it_is_pointed_at_without_loading_the_web_app(
    runner, tmp_path
):
    """Run as `coach`, score builds no app: its settings come from the environment, and neither
    the models nor the views are imported (they would be most of its time)."""
    instance = tmp_path / "instance"
    assert run_coach("init", instance=instance).returncode == 0
    answer = tmp_path / "answer.md"
    answer.write_text(model_answer(runner, "worldwide-outage"))
    args = ["score", "--question", "worldwide-outage", "--file", str(answer), "--format", "json"]
    code = (
        "import sys\nfrom app.cli import main\nsys.argv[0] = 'coach'\n"
        "try:\n    main()\nexcept SystemExit:\n    pass\n"
        "web = ('sqlmodel', 'app.models', 'app.extensions', 'app.practice', 'flask_login')\n"
        "print(sorted(m for m in web if m in sys.modules), file=sys.stderr)\n"
    )
    env = {**os.environ, "COACH_INSTANCE_PATH": str(instance)}
    env.pop("COACH_DATABASE_URL", None)
    scored = subprocess.run(
        [sys.executable, "-c", code, *args], capture_output=True, text=True, env=env, timeout=60
    )
    assert scored.stderr.strip() == "[]"
    assert json.loads(scored.stdout) == json.loads(runner.invoke(args=args).output)


def test_every_command_has_help(runner):
    for sub in (
        ["init"],
        ["score"],
        ["bank", "import"],
        ["bank", "export"],
        ["rubric", "validate"],
    ):
        result = runner.invoke(args=[*sub, "--help"])
        assert result.exit_code == 0 and "Usage:" in result.output


def test_the_installed_command_has_help_and_never_prints_a_traceback(tmp_path):
    help_text = run_coach("--help", instance=tmp_path)
    assert help_text.returncode == 0
    for command in ("init", "score", "bank", "rubric", "run", "routes", "shell"):
        assert command in help_text.stdout

    not_ready = run_coach("score", "--question", "x", "--file", "-", instance=tmp_path, stdin="hi")
    assert not_ready.returncode == 1
    assert "Traceback" not in not_ready.stderr
    assert not_ready.stderr.strip().splitlines() == [not_ready.stderr.strip().splitlines()[0]]
    assert "run `coach init` first" in not_ready.stderr

    missing = run_coach("bank", "import", str(tmp_path / "nope.yaml"), instance=tmp_path)
    assert missing.returncode != 0 and "Traceback" not in missing.stderr


def test_a_bug_is_not_dressed_up_as_a_users_mistake():
    """`user_errors` turns an unknown question (a LookupError) into a one-line message, but an
    IndexError or KeyError is a bug in our code: it keeps its traceback, where a message such as
    "Error: string index out of range" would send the user looking for a mistake of theirs."""
    from app.cli import user_errors

    @user_errors
    def unknown_question() -> None:
        raise LookupError("no question 'nope'")

    with pytest.raises(click.ClickException, match="no question 'nope'"):
        unknown_question()
    for bug in (IndexError("string index out of range"), KeyError("slug")):

        @user_errors
        def buggy(bug: Exception = bug) -> None:
            raise bug

        with pytest.raises(type(bug)):
            buggy()
