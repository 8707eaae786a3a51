"""The coach app plus two logged-in POST routes, measured under the same gunicorn so the report
can say how much of a submission's cost is the framework's, how much the scorer's and how much
is storing it:

- /bench/nothing: the floor every submission stands on (session cookie, CSRF check, user load,
  redirect), doing nothing more.
- /bench/score: the floor plus scoring the posted answer against the question's rubric (loaded
  once), storing nothing."""

from functools import cache

from flask import redirect, request
from flask_login import login_required
from werkzeug.wrappers import Response

from app import create_app
from app.extensions import db
from app.practice.services import current_rubric, get_question
from app.scoring import question_as_asked
from pm_scoring import Rubric, score

QUESTION = "worldwide-outage"

app = create_app()


@app.post("/bench/nothing")
@login_required
def nothing() -> Response:
    return redirect("/")


@cache
def _rubric_and_question() -> tuple[Rubric, str, tuple[str, ...], str | None]:
    with db.session() as session:
        question = get_question(session, QUESTION)
        _, rubric = current_rubric(session, question.rubric_id)
        asked = question_as_asked(question.title, question.prompt)
        return rubric, asked, tuple(question.hints), question.model_answer


@app.post("/bench/score")
@login_required
def score_only() -> Response:
    rubric, asked, hints, model_answer = _rubric_and_question()
    score(rubric, request.form["answer_text"], asked, hints, model_answer)
    return redirect("/")
