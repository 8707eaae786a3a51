"""The progress page in a real browser on a phone-sized screen, in the candidate's time zone:
nothing scrolls sideways, the charts draw straight segments through the real scores, and dates
show in local time."""

from __future__ import annotations

import re
from datetime import datetime
from zoneinfo import ZoneInfo

from playwright.sync_api import expect

from app.practice.home import SAMPLE_ANSWER
from tests.e2e.test_candidate_journey import sign_up
from tests.web.test_practice import ANSWER
from tests.web.test_progress import STORY

ZONE = "Asia/Kolkata"  # UTC+5:30: a half-hour offset shows any slip in the conversion
PHONE = {"width": 375, "height": 740}
MONTHS = "Jan Feb Mar Apr May Jun Jul Aug Sep Oct Nov Dec".split()

# Reads back every chart on the page through Chart.js itself: the options it drew with, the
# values, and whether any segment bends beyond the two points it joins.
READ_CHARTS = """() => Array.from(document.querySelectorAll("canvas[data-chart]")).map(canvas => {
  const chart = Chart.getChart(canvas);
  const area = chart.chartArea;
  return {
    id: canvas.id,
    width: canvas.getBoundingClientRect().width,
    datasets: chart.data.datasets.map((dataset, index) => {
      const meta = chart.getDatasetMeta(index);
      const points = meta.data.filter((p, i) => dataset.data[i] !== null);
      // A segment from p to q stays between their heights when both of its control points do
      // (p's second, q's first); straight segments have none.
      const bends = [];
      points.slice(1).forEach((q, i) => {
        const p = points[i], low = Math.min(p.y, q.y) - 0.5, high = Math.max(p.y, q.y) + 0.5;
        for (const y of [p.cp2y, q.cp1y]) {
          if (y !== undefined && (y < low || y > high)) bends.push(y);
        }
      });
      return {
        label: dataset.label,
        data: dataset.data,
        tension: meta.dataset.options.tension,
        monotoneOrDefault: meta.dataset.options.cubicInterpolationMode,
        stepped: meta.dataset.options.stepped,
        bends: bends,
        onValue: points.every((p, i) =>
          Math.abs(p.y - chart.scales.y.getPixelForValue(dataset.data.filter(v => v !== null)[i]))
            < 0.5),
        inside: points.every(p => p.y >= area.top - 0.5 && p.y <= area.bottom + 0.5),
      };
    }),
  };
})"""


def submit(context, slug: str, text: str) -> None:
    """Submit through the no-script form, as the page would post it (its CSRF token included)."""
    page = context.request.get(f"/questions/{slug}").text()
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page)[1]
    response = context.request.post(
        f"/questions/{slug}/submit",
        form={"answer_text": text, "time_spent_seconds": "90", "csrf_token": token},
    )
    assert response.ok, response.status


def assert_fits_the_phone(page) -> None:
    widths = page.evaluate(
        """() => ({
          page: document.documentElement.scrollWidth,
          screen: window.innerWidth,
          tables: Array.from(document.querySelectorAll("main table")).map(
            t => [t.scrollWidth, t.parentElement.clientWidth]),
        })"""
    )
    assert widths["page"] <= widths["screen"] == PHONE["width"], widths
    assert all(table <= box for table, box in widths["tables"]), widths["tables"]


def local_text(iso: str) -> str:
    moment = datetime.fromisoformat(iso.replace("Z", "+00:00")).astimezone(ZoneInfo(ZONE))
    return f"{moment.day} {MONTHS[moment.month - 1]} {moment.year}, {moment:%H:%M}"


def test_progress_on_a_phone_in_local_time(new_context):
    context = new_context(viewport=PHONE, timezone_id=ZONE)
    page = context.new_page()
    sign_up(page, "phone@example.com")
    # A small rise, then a large one: a smoothed line would dip below the first point.
    submit(context, "worldwide-outage", "We rolled back the release and said sorry.")
    submit(context, "worldwide-outage", ANSWER)
    submit(context, "worldwide-outage", SAMPLE_ANSWER)
    submit(context, "failure-did-not-go-as-planned", STORY)

    page.goto("/progress?show=question:worldwide-outage")
    expect(page.get_by_role("heading", name="My progress")).to_be_visible()
    page.wait_for_function(
        "() => typeof Chart !== 'undefined' && ['progress-chart', 'criteria-chart']"
        ".every(id => Chart.getChart(document.getElementById(id)) !== undefined)"
    )
    page.locator("details summary").first.click()  # the table behind the chart, opened

    charts = {chart["id"]: chart for chart in page.evaluate(READ_CHARTS)}
    overall = charts["progress-chart"]["datasets"]
    assert len(overall) == 1 and len(overall[0]["data"]) == 3  # this question's answers
    trends = charts["criteria-chart"]["datasets"]
    assert len(trends) >= 5  # a line per criterion of the rubric
    for dataset in overall + trends:
        assert dataset["tension"] == 0 and dataset["stepped"] is False, dataset["label"]
        assert dataset["bends"] == [], dataset["label"]  # no curve beyond its two points
        assert dataset["onValue"] and dataset["inside"], dataset["label"]
    scores = [int(s) for s in page.locator("details table tbody td:nth-child(3)").all_inner_texts()]
    assert overall[0]["data"] == scores  # the chart draws the scores the table lists

    # Nothing wider than the phone: no sideways scroll, charts and tables inside the screen.
    assert_fits_the_phone(page)
    assert all(chart["width"] <= PHONE["width"] for chart in charts.values())

    # Dates in the candidate's time zone, in the one format; the UTC text kept in the title.
    first_time = page.locator("time[data-local]").first
    iso = first_time.get_attribute("datetime")
    expect(first_time).to_have_text(re.compile("^" + re.escape(local_text(iso)) + r" \S+$"))
    expect(first_time).not_to_have_text(re.compile("UTC$"))
    expect(first_time).to_have_attribute("title", re.compile(r"UTC$"))
    # The streak's days are the browser's too (Chromium names Kolkata by its older alias).
    zone_note = page.locator("#this-week .help").last
    expect(zone_note).to_contain_text(re.compile(r"your time zone \(Asia/(Kolkata|Calcutta)\)"))

    page.goto("/")  # the home page: recent scores in local time, fitting the phone too
    recent = page.locator(".recent-scores time[data-local]").first
    expect(recent).to_have_text(re.compile(r"^\d{1,2} [A-Z][a-z]{2} \d{4}, \d\d:\d\d GMT\+5:30$"))
    assert_fits_the_phone(page)

    page.goto("/attempts/compare")
    expect(page.get_by_label("Question (with two or more of your answers)")).to_be_visible()
    page.get_by_role("button", name="Show its answers").click()
    page.get_by_role("button", name="Compare").click()
    expect(page.locator("li.sentence").first).to_be_visible()
    assert_fits_the_phone(page)
