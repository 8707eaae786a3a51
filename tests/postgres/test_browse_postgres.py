"""Browsing on a real PostgreSQL server: stemmed full-text search through the GIN index that
migration 0011 builds, filters on label rows, retired questions left out."""

from __future__ import annotations

import re

import pytest
from sqlmodel import select

from app.extensions import db
from app.practice.services import _search_hits
from tests.web.test_browse import add_question, retire, titles


def test_search_finds_other_forms_of_a_word(pg_app):
    client = pg_app.test_client()
    assert "Handle a worldwide outage" in titles(client.get("/questions?q=outages").text)
    found = titles(client.get("/questions?q=prioritise").text)
    assert "Prioritising with half the team" in found


def test_search_ranks_the_closest_match_first_and_combines_with_filters(pg_app):
    add_question(pg_app, "passing-mention", title="Aardvark pricing", prompt="Once: outage.")
    client = pg_app.test_client()
    assert titles(client.get("/questions?q=worldwide outage").text)[0] == (
        "Handle a worldwide outage"
    )
    both = client.get("/questions?q=outage&type=situational&company=Salesforce&tag=incident")
    assert titles(both.text) == ["Handle a worldwide outage"]
    assert "No question matches" in client.get("/questions?q=outage&tag=pricing").text


@pytest.mark.parametrize("search", ['"', "*", "NEAR(", "-", "a:b", "!(&|", "x" * 500, "the"])
def test_no_search_text_breaks_the_list(pg_app, search):
    response = pg_app.test_client().get("/questions", query_string={"q": search})
    assert response.status_code == 200


def test_filters_and_facets_leave_retired_questions_out(pg_app):
    add_question(pg_app, "pg-retiring", type="metrics", companies=["Gonecorp"], tags=["pg-gone"])
    client = pg_app.test_client()
    assert titles(client.get("/questions?tag=pg-gone").text) == ["Pg retiring"]
    retire(pg_app, "pg-retiring")
    assert "No question matches" in client.get("/questions?tag=pg-gone").text
    page = client.get("/questions").text
    assert "Gonecorp" not in page and "pg-gone" not in page
    missing = client.get("/questions?page=40")
    assert missing.status_code == 404 and re.search(r"there are \d pages", missing.text)


def test_the_search_uses_the_index(pg_app):
    """The query's tsvector is the index's very expression, so PostgreSQL can use the index
    (the only way left to it here, with sequential and plain index scans switched off)."""
    hits = _search_hits("postgresql", ["outages"])
    with pg_app.app_context(), db.session() as session:
        connection = session.connection()
        sql = select(hits.c.id).compile(connection, compile_kwargs={"literal_binds": True})
        connection.exec_driver_sql("SET enable_seqscan = off")
        connection.exec_driver_sql("SET enable_indexscan = off")
        plan = connection.exec_driver_sql(f"EXPLAIN {sql}").scalars().all()
    assert any("ix_questions_fts" in line for line in plan), plan
