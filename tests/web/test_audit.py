"""The audit log: every admin and coach action others should be able to look back on is written
once it succeeded, never when it failed, and admins read it at /admin/audit."""

from __future__ import annotations

import re
from datetime import timedelta

from flask import Flask
from sqlmodel import select

from app.audit import ACTIONS, record
from app.extensions import db
from app.models import AuditEntry, User
from tests.conftest import csrf_from
from tests.web import test_security
from tests.web.test_admin_questions import create, save
from tests.web.test_bank_import import NEW_QUESTION, bank_yaml, upload
from tests.web.test_security import EMAILS, World

# The security tests' world (an admin, a coach, candidates, a shared attempt, a draft rubric...),
# built once for this module too.
world_template = test_security.world_template
world = test_security.world


def entries(app: Flask, action: str | None = None) -> list[AuditEntry]:
    with app.app_context(), db.session() as session:
        query = select(AuditEntry).order_by(AuditEntry.id)
        if action:
            query = query.where(AuditEntry.action == action)
        return list(session.exec(query))


def user_id(app: Flask, email: str) -> int:
    with app.app_context(), db.session() as session:
        return session.exec(select(User).where(User.email == email)).one().id


def press(client, url: str, **fields: str):
    return client.post(url, data={"csrf_token": csrf_from(client.get("/account").text), **fields})


def test_each_admin_action_on_an_account_is_logged_with_who_did_it(world: World):
    admin, app = world.clients["admin"], world.app
    target = world.ids["user_id"]
    admin_id = user_id(app, EMAILS["admin"])
    press(admin, f"/admin/users/{target}/role", **{f"u{target}-role": "coach"})
    press(admin, f"/admin/users/{target}/deactivate")
    press(admin, f"/admin/users/{target}/reactivate")
    reset = press(admin, f"/admin/users/{target}/reset")
    assert reset.status_code == 200
    logged = [(e.actor_id, e.action, e.target) for e in entries(app)]
    assert logged == [
        (admin_id, "user.role", "target@example.com"),
        (admin_id, "user.deactivate", "target@example.com"),
        (admin_id, "user.reactivate", "target@example.com"),
        (admin_id, "user.reset_link", "target@example.com"),
    ]
    assert entries(app, "user.role")[0].detail == {"before": "candidate", "after": "coach"}
    # The reset link itself is a secret: the log never holds it.
    token = re.search(r"/reset/([\w-]+)", reset.text).group(1)
    assert all(token not in str(e.detail) for e in entries(app))


def test_a_refused_account_action_writes_nothing(world: World):
    admin, app = world.clients["admin"], world.app
    me = user_id(app, EMAILS["admin"])
    press(admin, f"/admin/users/{me}/role", **{f"u{me}-role": "candidate"})  # not yourself
    press(admin, f"/admin/users/{me}/deactivate")
    press(
        admin,
        f"/admin/users/{world.ids['user_id']}/role",
        **{f"u{world.ids['user_id']}-role": "king"},
    )
    assert entries(app) == []


def test_question_changes_are_logged_and_an_invalid_one_is_not(world: World):
    admin, app = world.clients["admin"], world.app
    refused = create(admin, title="")
    assert refused.status_code in {200, 422}
    assert entries(app) == []
    created = create(admin)
    assert created.status_code == 302
    question_id = int(re.search(r"/admin/questions/(\d+)/edit", created.headers["Location"])[1])
    assert save(admin, question_id, title="Design a parking app, again").status_code == 302
    press(admin, f"/admin/questions/{question_id}/retire")
    press(admin, f"/admin/questions/{question_id}/restore")
    logged = [(e.action, e.target, e.detail["question_id"]) for e in entries(app)]
    slug = logged[0][1]
    assert slug.startswith("design-a-parking-app")
    assert logged == [
        ("question.create", slug, question_id),
        ("question.edit", slug, question_id),
        ("question.retire", slug, question_id),
        ("question.restore", slug, question_id),
    ]


def test_a_bank_import_is_logged_once_it_is_applied(world: World):
    admin, app = world.clients["admin"], world.app
    response = upload(admin, "more.yaml", bank_yaml({**NEW_QUESTION, "slug": "audited"}).encode())
    import_id = int(response.headers["Location"].rsplit("/", 1)[1])
    assert entries(app) == []  # a preview changes nothing, so logs nothing
    press(admin, f"/admin/bank/imports/{import_id}/apply")
    (entry,) = entries(app, "bank.import")
    assert entry.target == "more.yaml" and entry.detail["import_id"] == import_id
    press(admin, f"/admin/bank/imports/{import_id}/apply")  # applied already: refused
    assert len(entries(app, "bank.import")) == 1


def test_rubric_publishes_and_retirements_are_logged(world: World):
    coach, app = world.clients["coach"], world.app
    draft = world.ids["draft_id"]
    published = press(coach, f"/coach/drafts/{draft}/publish", confirm="yes")
    assert published.status_code == 302
    version = int(re.search(r"/v(\d+)$", published.headers["Location"])[1])
    missing = press(coach, "/coach/rubrics/incident-response/v999/retire")
    assert missing.status_code == 404 and entries(app, "rubric.retire") == []
    press(coach, f"/coach/rubrics/incident-response/v{version - 1}/retire")
    coach_id = user_id(app, EMAILS["coach"])
    logged = [(e.actor_id, e.action, e.target) for e in entries(app)]
    assert logged == [
        (coach_id, "rubric.publish", f"incident-response v{version}"),
        (coach_id, "rubric.retire", f"incident-response v{version - 1}"),
    ]


def test_level_overrides_and_reverts_are_logged_and_a_refused_one_is_not(world: World):
    coach, app = world.clients["coach"], world.app
    attempt = world.ids["attempt_id"]
    url = f"/coach/reviews/{attempt}/overrides"
    refused = press(coach, url, criterion="no-such-criterion", level="2", reason="Nope.")
    assert refused.status_code == 422 and entries(app) == []
    assert press(coach, url, criterion="mitigation", level="2", reason="Slow.").status_code == 302
    (override,) = entries(app, "review.override")
    assert override.target == f"attempt {attempt}"
    assert override.detail["criterion"] == "mitigation" and override.detail["level"] == 2
    press(coach, f"/coach/reviews/{attempt}/overrides/{override.detail['override_id']}/revert")
    press(coach, f"/coach/reviews/{attempt}/overrides/{override.detail['override_id']}/revert")
    (revert,) = entries(app, "review.revert")  # the second revert found nothing to revert
    assert revert.detail["override_id"] == override.detail["override_id"]


def test_the_audit_page_lists_newest_first_in_pages_and_filters_by_action(world: World):
    admin, app = world.clients["admin"], world.app
    app.config["AUDIT_PER_PAGE"] = 2
    actor = user_id(app, EMAILS["coach"])
    with app.app_context(), db.session() as session:
        for number, action in enumerate(["user.role", "question.edit", "user.role"]):
            entry = record(session, actor, action, f"target-{number}")
            entry.created_at -= timedelta(minutes=10 - number)
            session.add(entry)
        session.commit()
    first = admin.get("/admin/audit")
    assert first.status_code == 200
    assert first.text.index("target-2") < first.text.index("target-1")
    assert "target-0" not in first.text and "Page 1 of 2" in first.text
    assert EMAILS["coach"] in first.text
    second = admin.get("/admin/audit?page=2")
    assert "target-0" in second.text and "target-2" not in second.text
    only_roles = admin.get("/admin/audit?action=user.role").text
    assert "target-2" in only_roles and "target-0" in only_roles
    assert "target-1" not in only_roles and "Page 1 of 1" not in only_roles
    assert 'href="/admin/audit"' in admin.get("/admin/users").text  # in the admin's menu


def test_only_admins_read_the_audit_log(world: World):
    for visitor in ("candidate_a", "coach"):
        assert world.clients[visitor].get("/admin/audit").status_code == 403
        assert 'href="/admin/audit"' not in world.clients[visitor].get("/account").text
    anonymous = world.clients["anonymous"].get("/admin/audit")
    assert anonymous.status_code == 302 and "/login" in anonymous.headers["Location"]


def test_an_unknown_action_is_a_programming_error_not_a_silent_entry(app):
    with app.app_context(), db.session() as session:
        try:
            record(session, None, "user.promote", "x")
        except ValueError as error:
            assert "ACTIONS" in str(error)
        else:
            raise AssertionError("an unknown action was logged")
    assert "user.role" in ACTIONS


def test_what_the_command_line_does_to_accounts_and_the_bank_is_logged_without_an_actor(
    app: Flask, runner, tmp_path
):
    passphrase = "a long and rather unusual passphrase 91\n"
    for email in ("boss@example.com", "deputy@example.com"):
        made = runner.invoke(
            args=["user", "create-admin", email, "--password-stdin"], input=passphrase
        )
        assert made.exit_code == 0, made.output
    assert runner.invoke(args=["user", "set-role", "boss@example.com", "coach"]).exit_code == 0
    again = runner.invoke(args=["user", "create-admin", "boss@example.com"])  # promoted back
    assert again.exit_code == 0, again.output
    bank = tmp_path / "more.yaml"
    bank.write_text(bank_yaml({**NEW_QUESTION, "slug": "from-the-shell"}))
    imported = runner.invoke(args=["bank", "import", str(bank)])
    assert imported.exit_code == 0, imported.output
    assert runner.invoke(args=["user", "set-role", "boss@example.com", "admin"]).exit_code == 0

    logged = [(e.action, e.target, e.actor_id, e.detail) for e in entries(app)]
    assert logged[:4] == [
        ("user.role", "boss@example.com", None, {"before": None, "after": "admin"}),
        ("user.role", "deputy@example.com", None, {"before": None, "after": "admin"}),
        ("user.role", "boss@example.com", None, {"before": "admin", "after": "coach"}),
        ("user.role", "boss@example.com", None, {"before": "coach", "after": "admin"}),
    ]
    (action, target, actor, detail), *rest = logged[4:]
    assert (action, target, actor) == ("bank.import", str(bank), None)
    assert "1 new" in detail["summary"]
    assert rest == []  # setting the role an account already has changes nothing and logs nothing
