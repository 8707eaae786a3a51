"""Thin views: every published rubric, readable by anyone; drafts only by their editors."""

from __future__ import annotations

from flask import abort, render_template
from flask_login import current_user
from werkzeug.wrappers import Response

from app.auth.access import edits_rubrics
from app.extensions import db

from . import bp
from .services import RubricNotFound, published_rubrics, rubric_page, rubric_text


@bp.get("/rubrics")
def index() -> str:
    return render_template("rubrics/index.html", rubrics=published_rubrics(db.request_session()))


@bp.get("/rubrics/<rubric_id>")
@bp.get("/rubrics/<rubric_id>/v<id:version>")
def show(rubric_id: str, version: int | None = None) -> str:
    page = _page(rubric_id, version)
    return render_template("rubrics/show.html", page=page, editor=edits_rubrics(current_user))


@bp.get("/rubrics/<rubric_id>/v<id:version>.yaml")
def download(rubric_id: str, version: int) -> Response:
    page = _page(rubric_id, version)
    filename = f"{page.row.rubric_id}-v{page.row.version}.yaml"
    return Response(
        rubric_text(page.row),
        mimetype="application/yaml",
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )


def _page(rubric_id: str, version: int | None):
    try:
        return rubric_page(db.request_session(), rubric_id, version, edits_rubrics(current_user))
    except RubricNotFound:
        abort(404)
