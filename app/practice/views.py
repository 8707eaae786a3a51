"""Thin views: parse the request, call a service, render."""

from __future__ import annotations

from flask import abort, current_app, render_template, request

from app.extensions import db

from . import bp
from .services import QuestionFilters, QuestionNotFound, get_question, list_questions


@bp.get("/")
def home() -> str:
    page = list_questions(db.request_session(), QuestionFilters())
    return render_template("practice/home.html", total=page.total, facets=page.facets)


@bp.get("/questions")
def questions() -> str:
    args = request.args
    filters = QuestionFilters(
        type=args.get("type") or None,
        difficulty=args.get("difficulty") or None,
        category=args.get("category") or None,
        company=args.get("company") or None,
        tag=args.get("tag") or None,
        search=args.get("q") or None,
        page=args.get("page", 1, type=int) or 1,
    )
    page = list_questions(
        db.request_session(), filters, per_page=current_app.config["QUESTIONS_PER_PAGE"]
    )
    return render_template("practice/questions.html", page=page, filters=filters)


@bp.get("/questions/<slug>")
def question(slug: str) -> str:
    try:
        found = get_question(db.request_session(), slug)
    except QuestionNotFound:
        abort(404)
    return render_template("practice/question.html", question=found)
