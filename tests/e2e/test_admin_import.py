"""An admin imports a foreign bank in a real browser: upload, read the preview (new, changed,
skipped), apply, and candidates find the new question. Waits are for states, never for time."""

from __future__ import annotations

import re

from playwright.sync_api import Page, expect

from tests.e2e.test_candidate_journey import sign_up

MOODLE = """<?xml version="1.0" encoding="UTF-8"?>
<quiz>
  <question type="category">
    <category><text>$course$/top/Product Design/Pricing</text></category>
  </question>
  <question type="essay">
    <name><text>Price a family plan</text></name>
    <questiontext format="html"><text><![CDATA[
      <p>How would you price a <b>family plan</b> for a music app?</p>]]></text></questiontext>
    <graderinfo format="html">
      <text><![CDATA[<p>Start from who shares accounts today.</p>]]></text>
    </graderinfo>
    <responsetemplate format="plain"><text>Users:
Price:</text></responsetemplate>
  </question>
  <question type="truefalse">
    <name><text>Is pricing a product decision?</text></name>
    <questiontext format="html"><text>Pricing is part of the product.</text></questiontext>
    <answer fraction="100"><text>true</text></answer>
    <answer fraction="0"><text>false</text></answer>
  </question>
</quiz>
"""


def test_an_admin_previews_and_applies_a_moodle_bank(page: Page, new_context, tmp_path):
    sign_up(page, "admin@example.com")  # the first account is the admin
    page.goto("/admin/bank")
    bank = tmp_path / "pricing.xml"
    bank.write_text(MOODLE)
    page.get_by_label("Bank file").set_input_files(str(bank))
    page.get_by_label("Rubric for questions that name none").select_option("product-design")
    page.get_by_role("button", name="Preview the import").click()

    expect(page.locator("#import-summary")).to_have_text(
        "Preview: 1 new, 0 changed, 0 unchanged, 1 skipped."
    )
    expect(page.locator("#import-new")).to_contain_text("Price a family plan")
    expect(page.locator("#import-skipped")).to_contain_text("Is pricing a product decision?")

    page.get_by_role("button", name=re.compile(r"^Apply: 1 new, 0 changed")).click()
    expect(page.get_by_role("status").first).to_contain_text("Imported: 1 new")

    candidate = new_context().new_page()
    sign_up(candidate, "candidate@example.com")
    candidate.goto("/questions?q=family+plan")
    candidate.get_by_role("link", name=re.compile("Price a family plan")).first.click()
    expect(candidate.get_by_text("How would you price a")).to_be_visible()
    expect(candidate.locator("textarea[name=answer_text]")).to_have_value(
        re.compile(r"^Users:\nPrice:")
    )
