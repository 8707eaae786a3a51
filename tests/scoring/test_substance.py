"""Engine 2.0: substance over mentions, meaning over wording, and text that earns nothing."""

from __future__ import annotations

import pytest

from pm_scoring import load_rubric, score
from pm_scoring.substance import substance_of
from pm_scoring.text import is_dismissed, is_negated, split_sentences, tokenize

OUTAGE_QUESTION = "Handle a worldwide outage\nYour product just caused a worldwide outage."


@pytest.fixture(scope="module")
def outage():
    return load_rubric("incident-response")


def concepts(report, criterion):
    return {k.id: k for k in report.criterion(criterion).concepts}


def test_a_step_with_specifics_earns_more_than_the_same_step_named(outage):
    named = score(outage, "We rolled back the release.")
    done = score(outage, "At 18:15 the on-call lead rolled back the release; errors fell to 0.1%.")
    bare, specific = (
        concepts(named, "mitigation")["rollback"],
        concepts(done, "mitigation")["rollback"],
    )
    assert bare.specifics == [] and bare.points < specific.points
    assert "a number or time" in specific.specifics and "a result" in specific.specifics


def test_a_concept_in_a_list_of_others_earns_least(outage):
    listed = score(outage, "We would do a rollback, a status page, a postmortem and alerts.")
    alone = score(outage, "We would do a rollback.")
    listed_points = getattr(concepts(listed, "mitigation").get("rollback"), "points", 0)
    assert listed_points < concepts(alone, "mitigation")["rollback"].points


@pytest.mark.parametrize(
    ("sentence", "word", "negated"),
    [
        ("I would not split users into segments or pick a target user", "pick", True),
        ("not the status page, the apology or the banner", "banner", True),
        ("We did not wait, we rolled back at once", "rolled", False),
        ("someone did not test it, or whether it was the vendor", "vendor", False),
        ("we did not panic but rolled back at once", "rolled", False),
        ("I would not break it down by platform or country", "country", True),
        ("We did not know, and it rolled back on its own", "rolled", False),
        ("A dependency is not real until it reaches their roadmap", "roadmap", False),
        # Engine 2.34: a negated opinion negates the clause it introduces, and a skipped step
        # is not taken.
        ("I don't think I would declare an incident", "incident", True),
        ("I wouldn't say we learned a lesson", "lesson", True),
        ("I think we would declare an incident", "incident", False),
        ("Afterwards I would skip the postmortem", "postmortem", True),
        ("We watch the skip rate within 30 seconds", "rate", False),
        # Engine 2.35: what a negated verb asks or checks is not done either.
        ("I did not check whether the rollback worked", "rollback", True),
        ("We never asked what we had promised the partner", "promised", True),
        ("I wouldn't plan for what happens to checkout if it goes down", "goes", True),
        ("Messaging isn't where we differentiate", "differentiate", False),
        ("someone didn't test their code, or whether it was AWS", "aws", False),
        ("We did not wait; if errors rose we rolled back", "rolled", False),
    ],
)
def test_negation_covers_its_clause_and_the_list_it_governs(sentence, word, negated):
    words, _ = tokenize(sentence)
    assert is_negated(words, words.index(word)) is negated


@pytest.mark.parametrize(
    ("sentence", "word", "dismissed"),
    [
        ("Updating customers every 30 minutes isn't really necessary", "updating", True),
        ("Executives don't need scheduled updates", "executives", True),
        ("Trust and safety is not something I'd plan for", "trust", True),
        ("Breaking it down by platform, app version or country is not worth it", "country", True),
        ("A rollback would never be part of the plan", "rollback", True),
        ("We rolled back, and it did not matter much", "rolled", False),
        ("We rolled back the release because waiting was not worth the risk", "rolled", False),
        ("The tech lead owns it, no PM approval needed", "owns", False),
        ("We leave it alone no matter how much engineers hate it", "leave", False),
        ("We rolled back the release and did not wait", "rolled", False),
    ],
)
def test_a_clause_that_goes_on_to_dismiss_a_step_negates_it(sentence, word, dismissed):
    """Engine 2.20: the negator may come after the step, in a predicate that dismisses it."""
    words, _ = tokenize(sentence)
    assert is_dismissed(words, words.index(word)) is dismissed


def test_a_step_dismissed_as_not_worth_doing_earns_nothing(outage):
    said = "Updates on our status page every 30 minutes {}; the team is busy fixing the bug."
    done, dismissed = (
        score(outage, said.format(verb), OUTAGE_QUESTION)
        for verb in ("go out from the first hour", "aren't really necessary")
    )
    assert "status-updates" in done.criterion("communication").concepts_found
    assert "status-updates" not in dismissed.criterion("communication").concepts_found


@pytest.mark.parametrize(
    ("sentence", "owner"),
    [
        ("At 18:20 the on-call lead owns the rollback.", True),
        ("Comms are assigned to the support manager.", True),
        ("I was the PM accountable for the partner launch.", True),
        ("We made one person responsible for every customer update.", True),
        ("I would ensure the right owners are accountable for follow-up.", False),
        ("We would hold the responsible team to a clear plan.", False),
        ("We would survey 200 dog owners near the park.", False),
    ],
)
def test_an_owner_is_someone_given_a_step_not_a_word_for_owning(outage, sentence, owner):
    """Engine 2.20: "owners", "accountable" and "responsible" describe; they assign nobody unless
    the speaker takes on what they describe."""
    (only,) = split_sentences(sentence)
    kinds = substance_of(only, outage.vocabulary).kinds
    assert ("who does it" in kinds) is owner


@pytest.mark.parametrize(
    ("sentence", "pinned"),
    [
        ("At the end of the day, reliability is what keeps customers loyal.", False),
        ("Our day-to-day work is keeping the platform calm for customers.", False),
        ("In this day and age, customers expect software to simply work.", False),
        ("We had restored every region by the end of the day.", True),
        ("Our on-call lead reviews the error budget every day.", True),
        # Engine 2.35: "B2B" names who sells to whom and "two-sided" a kind of market;
        # "P95", "Q3" and "two-week" are figures.
        ("The partner sells a B2B plan to shops.", False),
        ("The partner sells a plan to shops in Q3.", True),
        ("The partner tracks P95 latency for shops.", True),
        ("The partner runs a two-sided marketplace for shops.", False),
        ("The partner ran a two-week pilot with shops.", True),
    ],
)
def test_a_time_word_in_a_turn_of_phrase_pins_nothing_down(outage, sentence, pinned):
    """Engine 2.34: "at the end of the day" and "day-to-day" are ways of speaking, not times;
    nor is a figure in a word such as "B2B" or "two-sided" (engine 2.35)."""
    (only,) = split_sentences(sentence)
    kinds = substance_of(only, outage.vocabulary).kinds
    assert ("a number or time" in kinds) is pinned


def test_a_name_the_question_gives_is_not_a_specific():
    """Engine 2.34: like a figure the question gives, its names ("Instagram") pin nothing down
    when an answer says them back; a name of the answer's own does."""
    rubric = load_rubric("product-design")
    question = "Help small businesses on a social app\nDesign a feature for Instagram."
    said_back = "I would build a feature that makes small shops grow on Instagram."
    own_name = "I would build a feature that makes small shops grow, starting with Shopify stores."
    for sentence, pinned in ((said_back, False), (own_name, True)):
        report = score(rubric, sentence, question)
        specifics = {s for c in report.criteria for k in c.concepts for s in k.specifics}
        assert ("who does it" in specifics) is pinned, sentence


def test_a_template_with_blanks_earns_nothing_and_says_so(outage):
    template = (
        "In [situation] I would [action] because [reason]. Then I would tell <stakeholder> "
        "every ___ minutes and roll back to [version]. The result was [result]."
    )
    report = score(outage, template, OUTAGE_QUESTION)
    assert "template" in report.flag_ids
    assert report.overall == 0


def test_a_checklist_of_bare_steps_is_flagged_and_earns_nothing(outage):
    checklist = (
        "I would roll back.\nI would tell users.\nI would write a postmortem.\n"
        "I would add monitoring.\nI would track the error rate.\n"
    )
    report = score(outage, checklist, OUTAGE_QUESTION)
    assert "checklist" in report.flag_ids
    assert report.overall <= 5


def test_fluent_filler_that_pins_nothing_down_is_flagged(outage):
    filler = (
        "First I would clarify the situation and understand the key stakeholders' needs. Then "
        "I would prioritise restoring service and ensure clear communication with all relevant "
        "parties. I would identify the root cause through a structured and thorough approach, "
        "align on the right actions, and define clear metrics to measure success and impact. "
        "Finally I would make sure lessons are learned and improvements are put in place."
    )
    report = score(outage, filler, OUTAGE_QUESTION)
    assert "filler" in report.flag_ids
    assert report.overall <= 10


def test_a_sentence_that_means_a_concept_counts_without_its_words(outage):
    plain = "At 18:15 we put the previous version of the app back and payments worked again."
    report = score(outage, plain)
    assert "rollback" in concepts(report, "mitigation")


def test_the_report_shows_its_arithmetic(outage):
    report = score(outage, "At 18:15 the on-call lead rolled back the release; errors fell.")
    mitigation = report.criterion("mitigation")
    assert mitigation.points > 0 and mitigation.full_marks_at == 3
    assert report.weighted >= report.overall
    too_short = next(f for f in report.flags if f.id == "too_short")
    assert "words on the question" in too_short.message and too_short.penalty > 0


def test_a_tip_names_only_what_is_missing(outage):
    report = score(
        outage, "At 18:15 the on-call lead rolled back the release; errors fell to 0.1%."
    )
    mitigation = report.criterion("mitigation")
    tips = {c.id: c.tip for c in outage.criteria[2].concepts}
    assert "rollback" in mitigation.concepts_found
    assert tips["rollback"] not in mitigation.tip
    assert tips["kill-switch"] in mitigation.tip


def test_a_story_told_as_a_plan_earns_only_mentions_where_the_rubric_wants_what_happened():
    star = load_rubric("star")
    did = (
        "I sat down with each team lead on Monday to hear their worries, because the launch date "
        "was at risk. Then I proposed cutting the export feature, which saved three weeks."
    )
    would = (
        "I would sit down with each team lead on Monday to hear their worries, because the launch "
        "date is at risk. Then I would propose cutting the export feature, which would save three "
        "weeks."
    )
    happened, planned = score(star, did), score(star, would)
    assert not any(k.planned for k in happened.criterion("action").concepts)
    assert all(k.planned for k in planned.criterion("action").concepts)
    assert planned.criterion("action").score < happened.criterion("action").score
    # "I would have asked" is what did not happen, not a story.
    hindsight = concepts(score(star, "I would have asked the lead."), "action")
    assert hindsight and all(k.planned for k in hindsight.values())


def test_a_lesson_may_be_told_as_a_plan():
    star = load_rubric("star")
    lesson = (
        "Next time I would show the numbers to finance a week before the review, because the late "
        "surprise cost us the budget."
    )
    learned = score(star, lesson).criterion("learning").concepts
    assert learned and not any(k.planned for k in learned)


def test_one_concept_done_well_reaches_the_level_the_rubric_allows(outage):
    deep = score(
        outage,
        "At 18:15 the on-call lead rolled back the release, before anyone looked for the cause; "
        "payments recovered by 18:21.",
    )
    rollback = concepts(deep, "mitigation")["rollback"]
    assert rollback.reaches_level == 3 and deep.criterion("mitigation").score == 3
    named = score(outage, "First we would roll back the release to restore service.")
    assert concepts(named, "mitigation")["rollback"].reaches_level == 0
    assert named.criterion("mitigation").score < 3


@pytest.mark.parametrize(
    ("sentence", "remark"),
    [
        ("I think trust is the foundation of every healthy engineering team.", True),
        ("In my view reliability is the feature customers only notice when it is gone.", True),
        ("I would also say that failure is part of every product manager's job.", True),
        ("I think the bad config push is the cause, so I would revert it first.", False),
        ("I would want to know which change is live in every region right now.", False),
        ("We think of reliability as a feature, so our team has an error budget.", False),
        ("I have always believed that calm teams are the ones customers trust most.", True),
    ],
)
def test_an_opinion_does_not_put_the_speaker_in_a_remark(sentence, remark):
    """Engine 2.13: "I think", "in my view", "I would also say" in front of a remark about how
    things are leave it a remark (a mention at most); a speaker who takes a step ("I would
    revert", "I would want to know") or is in the story ("our team") is in the sentence."""
    (parsed,) = split_sentences(sentence)
    assert substance_of(parsed, frozenset()).vague is remark


def test_a_sentence_that_earns_nothing_vouches_for_nothing(outage):
    """Engine 2.21: a plan that pins nothing down stays bare when a musing paragraph, which
    earns nothing, adds a time ("every hour"); on 2.20 that time made every step believed."""
    plan = (
        "I would roll back the release and get the site working again. I would post an update "
        "on the status page and tell customers what is going on. Afterwards I would hold a "
        "blameless postmortem with the team."
    )
    musing = (
        "\n\nOutages are a fact of life for every software company. Trust is always built "
        "slowly and lost very quickly in software. Customers remember whether a status page "
        "told them the truth every hour."
    )
    alone, mused = (
        score(outage, plan, OUTAGE_QUESTION),
        score(outage, plan + musing, OUTAGE_QUESTION),
    )
    assert "musing" in {f.id for f in mused.flags}
    found = {k.id: k.points for c in mused.criteria for k in c.concepts}
    assert found == {k.id: k.points for c in alone.criteria for k in c.concepts}
    assert set(found) >= {"rollback", "status-updates", "postmortem"}
    assert mused.weighted == alone.weighted
    # The same time said where the answer counts does vouch for the steps.
    timed = score(outage, plan.replace("team.", "team within a day."), OUTAGE_QUESTION)
    assert timed.weighted > alone.weighted
