"""The gate's answer as a stream: deltas as they come, a restart when a target stops mid-answer,
a marked cut-off when nobody can finish it, and an audit row even when the reader leaves."""

from __future__ import annotations

from fakes.common import Script
from retrieval.selectors import get_reader, search_passages
from routing.answer import Final, SourcePassage
from routing.models import AuditEvent
from routing.runner import Delta, Restart
from routing.services import stream_through_gate

DEPLOYS = "# Deploys\n\nRoll back a bad deploy from the deploy dashboard, then post in the deploys channel."
QUESTION = "How do I roll back a bad deploy?"
ANSWER = "Roll back from the deploy dashboard, then tell the deploys channel [1]."


def stream(user, question: str = QUESTION):
    passages = [
        SourcePassage(p.chunk_id, p.document_id, p.title, p.text, p.classification)
        for p in search_passages(get_reader(user), question, k=5).passages
    ]
    return stream_through_gate(question=question, passages=passages, acting_user=user)


def test_deltas_arrive_one_by_one_and_add_up_to_the_audited_answer(ingest, employee, cloud):
    ingest("deploys.md", DEPLOYS, "internal")
    cloud.behave(text=ANSWER)

    events = list(stream(employee))

    *deltas, final = events
    assert isinstance(final, Final) and all(isinstance(e, Delta) for e in deltas)
    assert len(deltas) > 5  # streamed, not one block
    assert "".join(d.text for d in deltas) == final.answer.text == ANSWER
    assert AuditEvent.objects.get(id=final.answer.audit_id).outcome == AuditEvent.Outcome.ANSWERED


def test_a_stream_dropped_mid_answer_is_withdrawn_and_written_again(ingest, employee, cloud):
    ingest("deploys.md", DEPLOYS, "internal")
    cloud.enqueue(Script(text="Something half written that is never finished", drop_after=6))
    cloud.behave(text=ANSWER)

    events = list(stream(employee))

    restart = next(i for i, e in enumerate(events) if isinstance(e, Restart))
    assert all(isinstance(e, Delta) for e in events[:restart]) and restart > 0  # the user saw the first try
    assert "claude stopped mid-answer (dropped_stream)" in events[restart].reason
    final = events[-1].answer
    assert "".join(e.text for e in events[restart + 1 : -1]) == final.text == ANSWER
    event = AuditEvent.objects.get(id=final.audit_id)
    assert [a["outcome"] for a in event.attempts] == ["dropped_stream", "ok"]
    assert event.outcome == AuditEvent.Outcome.ANSWERED


def test_when_no_allowed_target_can_finish_the_answer_it_is_kept_and_marked_cut_off(
    ingest, employee, cloud, edit_policy
):
    # A policy whose internal rule allows the cloud only, and fails closed.
    edit_policy(
        "    targets: [claude, local]\n    redact: true\n    max_passages: 5\n    on_failure: degrade",
        "    targets: [claude]\n    redact: true\n    max_passages: 5\n    on_failure: fail_closed",
    )
    ingest("deploys.md", DEPLOYS, "internal")
    cloud.behave(text="Roll back from the deploy dashboard and then", drop_after=6)

    events = list(stream(employee))

    assert sum(isinstance(e, Restart) for e in events) == 3  # every try stopped mid-way
    answer = events[-1].answer
    assert answer.cut_off and answer.answered_by.name == "claude"
    assert answer.text.endswith("[The answer was cut off here: the model stopped mid-answer.]")
    assert "but cut off" in answer.route
    assert AuditEvent.objects.get(id=answer.audit_id).outcome == AuditEvent.Outcome.CUT_OFF


def test_a_reader_who_leaves_mid_answer_is_still_audited(ingest, employee, cloud):
    ingest("deploys.md", DEPLOYS, "internal")
    cloud.behave(text=ANSWER)

    events = stream(employee)
    first = next(events)
    events.close()  # the browser went away

    assert isinstance(first, Delta)
    event = AuditEvent.objects.get()
    assert event.outcome == AuditEvent.Outcome.CUT_OFF
    assert [(a["target"], a["outcome"]) for a in event.attempts] == [("claude", "abandoned")]
    assert event.question == QUESTION and event.passages  # what was sent is on record


def test_a_reader_who_leaves_on_the_last_held_back_piece_is_audited_with_the_servers_usage(ingest, employee, cloud):
    ingest("deploys.md", DEPLOYS, "internal")
    # "[EMA" could begin the question's placeholder [EMAIL_1], so it is held back until the stream ends.
    cloud.behave(chunks=("Roll back from the deploy dashboard [1]. Mail ", "[EMA"), input_tokens=120, output_tokens=9)

    events = stream(employee, "I am dana.cho@quillfern.example: how do I roll back a bad deploy?")
    for event in events:
        if isinstance(event, Delta) and event.text.endswith("[EMA"):
            break
    events.close()

    event = AuditEvent.objects.get()
    assert event.backend == "claude" and event.outcome == AuditEvent.Outcome.CUT_OFF
    [attempt] = event.attempts
    assert (attempt["outcome"], attempt["input_tokens"], attempt["output_tokens"]) == ("abandoned", 120, 9)
    assert attempt["usage_estimated"] is False


def test_a_stream_that_breaks_is_billed_by_estimate(ingest, employee, cloud, settings):
    settings.GATE_RETRY_ATTEMPTS = 1
    settings.ANTHROPIC_PRICE_INPUT_PER_MTOK = 10.0
    ingest("deploys.md", DEPLOYS, "internal")
    cloud.behave(text="Something half written that is never finished", drop_after=6)

    final = list(stream(employee))[-1].answer

    event = AuditEvent.objects.get(id=final.audit_id)
    dropped = event.attempts[0]
    assert dropped["outcome"] == "dropped_stream" and dropped["usage_estimated"] is True
    assert dropped["input_tokens"] > 20 and dropped["output_tokens"] > 0  # the prompt was read, text was written
    assert event.cost_usd == dropped["cost_usd"] > 0


def test_a_reader_who_leaves_during_a_cache_hit_is_audited_as_a_hit(ingest, employee, cloud):
    ingest("deploys.md", DEPLOYS, "internal")
    cloud.behave(text=ANSWER)
    list(stream(employee))  # answered by the model, and kept

    events = stream(employee)
    next(events)
    events.close()

    event = AuditEvent.objects.order_by("-id").first()
    assert event.cache_hit is True and event.backend == "claude"
    assert [a["outcome"] for a in event.attempts] == ["cache_hit"]
    assert len(cloud.requests) == 1
