"""An admin's journey through a real browser: write a question with its Markdown preview
updating as they type, save it, find it listed, and retire it. Waits are for states (`expect`),
never fixed sleeps."""

from __future__ import annotations

import re

from playwright.sync_api import Page, expect

from tests.e2e.test_candidate_journey import sign_up

TITLE = "Design a parking app for busy cities"


def test_an_admin_writes_a_question_with_a_live_preview_and_retires_it(page: Page):
    sign_up(page, "admin@example.com")  # the first account is the admin
    page.get_by_role("link", name="Manage questions").click()
    page.get_by_role("link", name="New question").click()
    expect(page.get_by_role("heading", name="New question")).to_be_visible()

    page.get_by_label("Title", exact=True).fill(TITLE)
    prompt = page.get_by_label("Prompt (Markdown)", exact=True)
    preview = page.locator("#prompt-preview")
    prompt.press_sequentially("Drivers circle for **twenty minutes**")
    expect(preview.locator("strong")).to_have_text("twenty minutes")
    prompt.press_sequentially(" <script>document.title = 'owned'</script>")
    expect(preview).to_contain_text("Drivers circle for twenty minutes")
    expect(preview.locator("script")).to_have_count(0)
    page.get_by_label("Rubric", exact=True).select_option("product-design")
    page.get_by_label("Type", exact=True).select_option(label="Product design")
    page.get_by_label("Tags", exact=True).fill("mobility, maps")
    page.get_by_label("Time limit (minutes)").fill("20")
    page.get_by_role("button", name="Create question").click()

    expect(page.get_by_text(f"Created “{TITLE}”")).to_be_visible()
    page.get_by_role("link", name="Manage questions").first.click()
    page.get_by_label("Title or slug").fill("busy cities")
    page.get_by_role("button", name="Filter").click()
    row = page.get_by_role("row", name=re.compile(TITLE))
    expect(row).to_contain_text("design-a-parking-app-for-busy-cities")
    expect(row).to_contain_text("Active")

    row.get_by_role("link", name=TITLE).click()
    page.get_by_role("button", name="Retire question").click()
    expect(page.get_by_text(f"Retired “{TITLE}”")).to_be_visible()
    expect(page.get_by_role("button", name="Restore question")).to_be_visible()
    page.goto("/admin/questions?status=retired")
    expect(page.get_by_role("row", name=re.compile(TITLE))).to_contain_text("Retired")
