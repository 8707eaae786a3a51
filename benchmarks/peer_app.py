"""A peer for the submit and autosave benchmarks: the write views a careful Flask developer would
write with the same extensions, and nothing of ours but the scorer.

- POST /questions/<slug>/submit: Flask-Login loads the user (one ORM row), a Flask-WTF form
  checks its CSRF token (CSRFProtect is on too, as in the coach), the answer is scored with
  `pm_scoring.score`, the post and its report go in with one SQLModel insert as JSON, commit,
  redirect.
- POST /questions/<slug>/draft: the same write without scoring, the plain write an autosave is
  measured against.

It shares the coach instance's database (its user rows, and a table of its own for posts) and
secret key, so one login's cookies work in both apps."""

from __future__ import annotations

from datetime import UTC, datetime
from functools import cache
from typing import Any

from flask import Flask, g, jsonify, redirect, url_for
from flask_login import LoginManager, current_user, login_required
from flask_wtf import CSRFProtect, FlaskForm
from sqlalchemy import JSON, Column
from sqlmodel import Field, Session, SQLModel, create_engine, select
from werkzeug.wrappers import Response
from wtforms import HiddenField, TextAreaField
from wtforms.validators import InputRequired

from app.models import Question, RubricStatus, RubricVersion, User
from pm_scoring import Rubric, parse_rubric, score


class PeerPost(SQLModel, table=True):
    __tablename__ = "bench_peer_posts"

    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(foreign_key="users.id")
    slug: str
    answer_text: str
    time_spent_seconds: int = 0
    overall: int | None = None
    report: dict[str, Any] | None = Field(default=None, sa_column=Column(JSON))
    created_at: datetime = Field(default_factory=lambda: datetime.now(UTC))


class PostForm(FlaskForm):
    answer_text = TextAreaField(validators=[InputRequired()])
    time_spent_seconds = HiddenField(default="0")


def create_peer_app(database_url: str, secret_key: str) -> Flask:
    app = Flask(__name__)
    app.config.update(SECRET_KEY=secret_key, WTF_CSRF_TIME_LIMIT=None)
    engine = create_engine(database_url)
    PeerPost.__table__.create(engine, checkfirst=True)  # type: ignore[attr-defined]
    CSRFProtect(app)
    login_manager = LoginManager(app)

    def db() -> Session:
        if "db" not in g:
            g.db = Session(engine)
        return g.db

    @app.teardown_appcontext
    def close_session(_exc: BaseException | None) -> None:
        if (session := g.pop("db", None)) is not None:
            session.close()

    @login_manager.user_loader
    def load_user(user_id: str) -> User | None:
        # The coach's session carries "id:version"; the peer reads the id and loads the row.
        return db().get(User, int(user_id.partition(":")[0]))

    @cache
    def rubric_and_question(slug: str) -> tuple[Rubric, str, list[str]]:
        with Session(engine) as session:
            question = session.exec(select(Question).where(Question.slug == slug)).one()
            row = session.exec(
                select(RubricVersion)
                .where(
                    RubricVersion.rubric_id == question.rubric_id,
                    RubricVersion.status == RubricStatus.PUBLISHED,
                )
                .order_by(RubricVersion.version.desc())  # type: ignore[attr-defined]
            ).first()
            asked = f"{question.title}\n{question.prompt}"
            return parse_rubric(row.content, slug), asked, question.hints

    def store(slug: str, form: PostForm, scored: bool) -> int:
        post = PeerPost(
            user_id=current_user.id,
            slug=slug,
            answer_text=form.answer_text.data,
            time_spent_seconds=int(form.time_spent_seconds.data or 0),
        )
        if scored:
            # The same scoring as the coach's, hints included: only what is around it differs.
            rubric, question, hints = rubric_and_question(slug)
            report = score(rubric, form.answer_text.data, question, hints)
            post.overall, post.report = report.overall, report.to_dict()
        db().add(post)
        db().commit()
        return post.id  # type: ignore[return-value]

    @app.get("/questions/<slug>")
    @login_required
    def question(slug: str) -> str:
        return f'<meta name="csrf-token" content="{PostForm().csrf_token.current_token}">'

    @app.post("/questions/<slug>/submit")
    @login_required
    def submit(slug: str) -> Response | tuple[str, int]:
        form = PostForm()
        if not form.validate_on_submit():
            return "invalid", 400
        return redirect(url_for("post", post_id=store(slug, form, scored=True)))

    @app.post("/questions/<slug>/draft")
    @login_required
    def draft(slug: str) -> Response | tuple[str, int]:
        form = PostForm()
        if not form.validate_on_submit():
            return "invalid", 400
        return redirect(url_for("post", post_id=store(slug, form, scored=False)))

    @app.get("/posts/<int:post_id>")
    @login_required
    def post(post_id: int) -> Response:
        return jsonify(id=post_id)

    return app
