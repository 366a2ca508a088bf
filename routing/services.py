"""One question through the gate, as docs/DESIGN's eight steps: authenticate (the caller's user),
inspect, retrieve, decide, minimise, synthesise, restore, record.

`stream_answer` / `answer_question` are the entry point for every caller: they retrieve what the user
may read and run the gate. `stream_through_gate` runs the gate over passages already retrieved.
Everything here runs on-prem except the synthesis call itself, which goes only to a target the
Decision names, with the redacted bundle.
"""

from __future__ import annotations

import dataclasses
import logging
import time
from collections import Counter
from collections.abc import Collection, Generator, Iterator, Sequence
from dataclasses import dataclass, replace

from django.conf import settings
from django.db import transaction

from accounts.clearance import Classification
from accounts.models import ApiKey, User
from accounts.selectors import get_user_groups
from inspection import CustomPattern, Finding, inspect_question, inspect_text, resolve_overlaps
from inspection.injection import judge_typed
from inspection.repeated_names import name_occurrences, name_words
from inspection.stored import inspect_passage
from retrieval.embedders import loaded_embed
from retrieval.follow_up import standalone_query
from retrieval.models import MAIN_COLLECTION
from retrieval.selectors import (
    Passage,
    Reader,
    documents_holding_flagged,
    get_reader,
    list_passages,
    neighbour_passages,
    search_passages,
)
from retrieval.terms import content_terms
from routing import cache, resilience
from routing.answer import (
    ConversationContext,
    Event,
    Final,
    GatedAnswer,
    GateRequest,
    KeepWithAudit,
    SourcePassage,
)
from routing.answer_check import LinkHosts, check_answer
from routing.audit import keep_beside_audit, record_answer
from routing.backends import configured_backends
from routing.backends.base import Bundle, ContextPassage
from routing.budgets import budget_status
from routing.dispatch import DispatchLog
from routing.facts import count_findings, facts_for_user
from routing.grounding import Source, attribute, declines
from routing.held import hold_request
from routing.load import read_load
from routing.policy.decide import (
    DROPPED_READ_BY_EXTRACTIVE,
    INJECTION_NOTICES,
    Action,
    Decision,
    Health,
    InjectionAction,
    Policy,
    Workload,
    conversation_floor,
    decide,
)
from routing.policy.loader import PolicyError
from routing.policy.versions import get_active_policy
from routing.redaction import SECRET, Vault, redact, restore
from routing.route_sentence import FAILED_TEXT, answered_route, failed_route
from routing.runner import Attempt, DecisionRun, Delta, Restart
from routing.screening import Screened, screen_passages
from routing.seen_texts import inspect_texts

logger = logging.getLogger(__name__)

# How many ranked passages retrieval offers the gate (the best one's neighbours in its document come with
# them); the policy's rule may send fewer.
PASSAGES_PER_ANSWER = 4
# How many passages the previous answer cited a follow-up keeps as candidates, after its own ranked ones.
CARRIED_PASSAGES = 2


def answer_question(
    *,
    question: str,
    acting_user: User,
    workload: str = Workload.INTERACTIVE,
    collection: str = MAIN_COLLECTION,
    api_key: ApiKey | None = None,
    conversation: ConversationContext | None = None,
) -> GatedAnswer:
    """stream_answer(), waited for: the whole answer, audited."""
    return _final(
        stream_answer(
            question=question,
            acting_user=acting_user,
            workload=workload,
            collection=collection,
            api_key=api_key,
            conversation=conversation,
        )
    )


def stream_answer(
    *,
    question: str,
    acting_user: User,
    workload: str = Workload.INTERACTIVE,
    collection: str = MAIN_COLLECTION,
    api_key: ApiKey | None = None,
    conversation: ConversationContext | None = None,
    keep: KeepWithAudit | None = None,
) -> Iterator[Event]:
    """Answer `question` from the passages `acting_user` may read, citing them as [n], through the gate.

    Yields what stream_through_gate yields; the Final answer's latency_ms includes retrieval. The
    user's groups are read once, for both the access filter and the policy. `collection` is the
    main one except for an evaluation's throwaway collection (routing.evaluation). `api_key`, the key
    a program sent (acting as its user), is named in the audit row. `conversation`: the conversation the
    question continues; a follow-up is searched as retrieval.follow_up makes it standalone, and keeps the
    passages the previous answer cited as candidates. `keep`: written with the audit row (KeepWithAudit), given
    the answer with its latency from the start, retrieval included.
    """
    started = time.perf_counter()
    groups = get_user_groups(acting_user)
    reader = get_reader(acting_user, groups=groups, collection=collection)
    previous = conversation.previous if conversation else None
    query = standalone_query(question, previous)
    carried = previous.cited_chunk_ids if previous and query != question else ()
    found = passages_for_answer(reader, query, carried=carried)
    for event in stream_through_gate(
        question=question,
        passages=SourcePassage.of_all(found),
        acting_user=acting_user,
        workload=workload,
        groups=groups.names,
        api_key=api_key,
        conversation=conversation,
        follow_up=query != question,
        keep=_timed_from(started, keep),
    ):
        if isinstance(event, Final):
            event.answer.latency_ms = (time.perf_counter() - started) * 1000
        yield event


def _timed_from(started: float, keep: KeepWithAudit | None) -> KeepWithAudit | None:
    """`keep`, given the answer with its latency counted from `started` (retrieval included, as the Final's)."""
    if keep is None:
        return None
    keeping = keep

    def kept(answer: GatedAnswer) -> object:
        answer.latency_ms = (time.perf_counter() - started) * 1000
        return keeping(answer)

    return kept


def passages_for_answer(reader: Reader, question: str, *, carried: Sequence[int] = ()) -> list[Passage]:
    """What an answer is written from: the PASSAGES_PER_ANSWER best passages for `question`, then up to
    CARRIED_PASSAGES of the `carried` chunks (those the previous answer of a follow-up cited) that the reader
    may still read, then the chunks just before and after the best one in its document (which often hold its
    figure or its next step)."""
    found = search_passages(reader, question, k=PASSAGES_PER_ANSWER).passages
    seen = {p.chunk_id for p in found}
    kept = list_passages(reader, [i for i in carried if i not in seen])[:CARRIED_PASSAGES]
    found += kept
    if not found:
        return found
    seen |= {p.chunk_id for p in kept}
    return found + nearer_first(question, [p for p in neighbour_passages(reader, found[0]) if p.chunk_id not in seen])


def nearer_first(question: str, neighbours: Sequence[Passage]) -> list[Passage]:
    """The best passage's neighbours, the one sharing more of the question's words first: a policy's passage limit
    often keeps only one, and the fact may be in the section's rule before the match (an example matched, the
    "up to 24 credit hours" above it) or in the lines after it (the figure after "Eligibility:"). On a tie the
    one after the match, as neighbour_passages orders them."""
    terms = content_terms(question)
    return sorted(neighbours, key=lambda p: -len(terms & content_terms(f"{p.heading_path}\n{p.text}")))


def answer_through_gate(
    *, question: str, passages: Sequence[SourcePassage], acting_user: User, workload: str = Workload.INTERACTIVE
) -> GatedAnswer:
    """stream_through_gate(), waited for: the whole answer, audited."""
    return _final(stream_through_gate(question=question, passages=passages, acting_user=acting_user, workload=workload))


def _final(events: Iterator[Event]) -> GatedAnswer:
    for event in events:
        if isinstance(event, Final):
            return event.answer
    raise AssertionError("the gate's events ended without a Final one")  # pragma: no cover


def stream_through_gate(
    *,
    question: str,
    passages: Sequence[SourcePassage],
    acting_user: User,
    workload: str = Workload.INTERACTIVE,
    groups: Sequence[str] | None = None,
    api_key: ApiKey | None = None,
    conversation: ConversationContext | None = None,
    follow_up: bool = False,
    keep: KeepWithAudit | None = None,
) -> Iterator[Event]:
    """Answer `question` from `passages` (which the user may read) where the active policy allows, and
    audit it, with what `keep` writes in the audit row's transaction (not when the reader left mid-answer).
    `groups` are the user's group names when the caller has read them already. In a `conversation`, the
    class of its earlier turns is the least this one is decided at, the audit row names it, and a
    `follow_up` (it refers back) sends the previous question along, redacted.

    Yields the answer as it is written (Delta; Restart when a target stopped mid-answer and another
    writes it again), then one Final with the whole answer, after its audit row is written. Never
    raises for a broken backend or an invalid stored policy: the result is then the policy's outcome
    (a degraded answer or a refusal) with its reason.
    """
    started = time.perf_counter()
    try:
        policy = get_active_policy()
    except PolicyError:
        logger.exception("The active routing policy does not validate")
        audited = conversation.audit_json(follow_up=follow_up) if conversation else None
        request = GateRequest(
            question, [], acting_user, str(workload), "", started, api_key=api_key, conversation=audited
        )
        answer = _refusal(
            None,
            text="Sluice cannot answer right now: its routing policy is invalid. An admin must fix it.",
            route="Refused: the routing policy is invalid, so nothing may be sent anywhere.",
        )
        yield Final(_record(answer, request, keep))
        return
    # Screen the passages: those flagged as injected instructions are handled as the policy says.
    screened = screen(passages, policy)
    passages = screened.passages
    # Inspect the question, on-prem.
    custom = policy.custom_patterns
    findings = inspect_question(question, custom=custom)
    # A question that reads as a prompt injection is decided as any other (it is the asker's own request and
    # reaches only passages the asker may read) unless a rule of the policy asks for `typed_injection`; the
    # audit row says so for auditors either way.
    typed = judge_typed(question)
    # Decide, from the facts of the request.
    budget = budget_status(acting_user)
    if groups is None:
        groups = get_user_groups(acting_user).names
    facts = facts_for_user(
        user=acting_user,
        groups=groups,
        workload=workload,
        passage_classes=[p.classification for p in passages],
        findings=count_findings(findings),
        budget=budget,
        question=question,
        conversation_class=conversation.data_class if conversation else None,
        conversation_secret=bool(conversation and conversation.held_secret),
        typed_injection=typed is not None,
    )
    decision = decide(facts, policy, current_health(policy))
    request = GateRequest(
        question,
        findings,
        acting_user,
        str(workload),
        budget.team,
        started,
        injection=screened.audit_json(),
        question_injection=typed,
        api_key=api_key,
        conversation=conversation.audit_json(follow_up=follow_up) if conversation else None,
    )
    carried = conversation_floor(facts)
    carried_class = carried.label if carried >= Classification.CONFIDENTIAL else ""
    if decision.action == Action.REFUSE:
        answer = _refusal(
            decision,
            text=" ".join(decision.notices or decision.reasons[-1:]),
            route="Refused: " + " ".join(decision.reasons),
        )
        answer.carried_class = carried_class
        yield Final(_record(answer, request, keep))
        return
    if decision.action == Action.HOLD:
        # Held for approval: stored redacted whatever the rule's `redact` (the approver approves what they
        # read, and exactly that is sent), its vault sealed; nothing is sent now (routing/held.py).
        used = list(passages[: decision.max_passages])
        vault = Vault()
        bundle, redacted = _minimise(question, findings, used, replace(decision, redact=True), vault, custom)
        yield Final(hold_request(bundle=bundle, vault=vault, redacted=redacted, passages=used,
                                 decision=decision, request=request, notices=screened.notices, keep=keep))  # fmt: skip
        return
    # Minimise: the passages the rule allows, sensitive spans replaced by placeholders kept in the vault.
    used = list(passages[: decision.max_passages])
    vault = Vault()
    secret_kinds = policy.secrets.kinds | {SECRET}
    bundle, redacted = _minimise(question, findings, used, decision, vault, custom, secret_kinds)
    # On-prem targets read the passages as the asker may read them (redaction guards what leaves; nothing
    # leaves here): only the question's secrets are removed, as for every target when the rule says so.
    unredacted = replace(decision, redact=False)
    onprem = (
        _minimise(question, findings, used, unredacted, vault, custom, secret_kinds)[0] if decision.redact else None
    )
    previous = conversation.previous if conversation and follow_up else None
    if previous is not None:
        earlier = _minimise_previous(previous.question, decision, vault, custom, secret_kinds)
        bundle = dataclasses.replace(bundle, previous_question=earlier.text)
        if onprem is not None:
            onprem_earlier = _minimise_previous(previous.question, unredacted, vault, custom, secret_kinds)
            onprem = dataclasses.replace(onprem, previous_question=onprem_earlier.text)
        findings = [*findings, *earlier.findings]  # so that the cache skips a bundle holding them in the clear
        for kind, n in earlier.counts.items():
            redacted[kind] = redacted.get(kind, 0) + n
        # The answer may quote what the previous question named.
        question = f"{previous.question}\n{question}"
    # Passages dropped as injected instructions are kept from every model; the extractive answer, which no
    # text can instruct and which never quotes a sentence of a flagged passage that carries a cue, reads them
    # marked, after the others (a false alarm then costs no answer: docs/policy.md).
    # Only those the Decision's class covers (a dropped passage did not count towards it), at most two.
    dropped = (
        [p for p in screened.withheld if p.classification <= decision.data_class][:2]
        if screened.action == InjectionAction.DROP
        else []
    )
    in_process = _extractive_bundle(onprem or bundle, dropped) if dropped else None
    # Synthesise on the Decision's targets in order, restoring placeholders as the answer streams.
    key = _cache_key(bundle, decision, findings, acting_user, tuple(groups), custom)
    # Each call outside on-prem is on record before it is made (routing/dispatch.py).
    dispatches = DispatchLog(request, decision, used, redacted)
    run = DecisionRun(
        bundle=bundle,
        decision=decision,
        vault=vault,
        custom=custom,
        before_call=dispatches,
        onprem_bundle=onprem,
        in_process_bundle=in_process,
    )
    try:
        answer = yield from _answer(run, key, used, question, dropped)
    except GeneratorExit:
        # The reader left mid-answer (closed the page): what was sent out is audited all the same (not
        # grounded: nobody is left to show its sources to).
        sent = _sent(run, used, dropped)
        answer = _answered(run, sent, cut_off=run.cut_off or "the reader left before the answer was finished")
        _finish(answer, sent, redacted, decision, request, screened.notices)
        raise
    # Record.
    answer.carried_class = carried_class
    sent = _sent(run, used, dropped)
    notices = screened.notices
    if len(sent) > len(used) and screened.tell_user == INJECTION_NOTICES[InjectionAction.DROP]:
        # The extractive answer read a dropped passage, so "left out of this answer" would be untrue; a sentence
        # the policy wrote itself (`tell_user`) is the admin's and is told as written.
        notices = (DROPPED_READ_BY_EXTRACTIVE,)
    yield Final(_finish(answer, sent, redacted, decision, request, notices, keep))


def _extractive_bundle(onprem: Bundle, dropped: Sequence[SourcePassage]) -> Bundle:
    """The on-prem bundle with the passages dropped as injected instructions after the others, flagged."""
    first = len(onprem.passages) + 1
    extra = tuple(_context(n, p, p.text, heading=p.heading_path, flagged=True) for n, p in enumerate(dropped, first))
    return dataclasses.replace(onprem, passages=onprem.passages + extra)


def _context(
    n: int, passage: SourcePassage, text: str, *, heading: str, flagged: bool, title: str | None = None
) -> ContextPassage:
    """`passage` as a bundle carries it, numbered `n`, with `text` and `title` (redacted or not)."""
    return ContextPassage(
        n=n,
        chunk_id=passage.chunk_id,
        document_id=passage.document_id,
        title=passage.title if title is None else title,
        text=text,
        neighbour=passage.neighbour,
        flagged=flagged,
        heading=heading,
    )


def _sent(run: DecisionRun, used: list[SourcePassage], dropped: Sequence[SourcePassage]) -> list[SourcePassage]:
    """The passages the answer was written from, numbered as it cites them: the dropped ones too when the
    in-process extractive answer wrote it and quoted one of them (they come after the others)."""
    extra = range(len(used) + 1, len(used) + len(dropped) + 1)
    quoted = run.answered_by is not None and run.answered_by.in_process and any(f"[{n}]" in run.text for n in extra)
    return [*used, *dropped] if quoted else used


def answer_approved(
    *,
    bundle: Bundle,
    vault: Vault,
    decision: Decision,
    passages: Sequence[SourcePassage],
    redacted: dict[str, int],
    request: GateRequest,
    custom: Sequence[CustomPattern],
) -> GatedAnswer:
    """A held request once approved (routing/approvals.py): its stored bundle on its Decision's targets,
    the answer restored with its vault, checked, grounded and audited as any answer (never from the cache)."""
    # Each call outside on-prem is on record before it is made (routing/dispatch.py).
    dispatches = DispatchLog(request, decision, passages, redacted)
    run = DecisionRun(bundle=bundle, decision=decision, vault=vault, custom=custom, before_call=dispatches)
    written = _answer(run, None, passages, request.question)
    try:
        while True:
            next(written)
    except StopIteration as done:
        answer: GatedAnswer = done.value
    return _finish(answer, list(passages), redacted, decision, request)


def screen(passages: Sequence[SourcePassage], policy: Policy) -> Screened:
    """The passages `policy` lets the gate use, those flagged as injected instructions handled as its
    `injection` says (routing.screening); under quarantine, the documents holding a flagged passage
    anywhere are read first."""
    quarantined: set[int] = set()
    if policy.injection.action == InjectionAction.QUARANTINE and passages:
        ids = {p.document_id for p in passages}
        quarantined = documents_holding_flagged(ids, threshold=policy.injection.threshold)
    return screen_passages(passages, policy.injection, quarantined=quarantined)


def current_health(policy: Policy) -> Health:
    """The policy's targets as they stand now: up when configured and its circuit is not open (in any
    process: the circuits are shared), and the load of those with `saturated_when`. The in-process
    extractive target is always up. One query; the load is read from the server when this process's
    reading is older than LOCAL_LLM_LOAD_MAX_AGE_S."""
    enabled = set(configured_backends())
    tripped = resilience.circuits_open_now()
    up, why = {}, {}
    for t in policy.targets:
        if t.in_process:
            continue
        if t.backend not in enabled:
            why[t.name] = "not configured"
        elif t.name in tripped:
            why[t.name] = "its circuit is open after failures in a row; it is tried again soon"
        up[t.name] = t.name not in why
    # The load of the targets a burst may be decided on (routing/load.py: kept a few seconds per process).
    load = {t.name: read_load(t, policy) for t in policy.targets if t.saturated_when is not None and up.get(t.name)}
    return Health(up=up, why_down=why, load=load)


def _finish(
    answer: GatedAnswer,
    used: list[SourcePassage],
    redacted: dict[str, int],
    decision: Decision,
    request: GateRequest,
    notices: tuple[str, ...] = (),
    keep: KeepWithAudit | None = None,
) -> GatedAnswer:
    answer.passages = used
    answer.redacted = redacted
    answer.notices = decision.notices + notices
    return _record(answer, request, keep)


def _ground(answer: GatedAnswer, *, attributed: Sequence[int] | None = None) -> None:
    """A model's answer held to its passages: one that says they do not answer is marked declined; one
    that cites nothing gets the passages its sentences match, marked as attributed (the page lists
    them as sources the model did not cite), or `attributed` when they were matched already (a cache
    hit). The in-process extractive answer cites every sentence itself, and its 'nothing found' text
    names documents it would wrongly match."""
    if answer.answered_by is None or answer.answered_by.in_process or not answer.passages:
        return
    answer.declined = declines(answer.text, cites=bool(answer.cited))
    if answer.declined or answer.cited:
        return
    if attributed is None:
        sources = [Source(n, p.title, p.text) for n, p in enumerate(answer.passages, 1)]
        attributed = attribute(answer.text, sources, embed=loaded_embed())
    answer.attributed = tuple(attributed)


def _record(answer: GatedAnswer, request: GateRequest, keep: KeepWithAudit | None = None) -> GatedAnswer:
    answer.question = request.question
    with transaction.atomic():
        answer.audit_id = record_answer(answer=answer, request=request).id
        answer.latency_ms = (time.perf_counter() - request.started) * 1000
        failed = keep_beside_audit(keep, answer)
    if failed is not None:
        raise failed
    return answer


def _cache_key(
    bundle: Bundle,
    decision: Decision,
    findings: list[Finding],
    acting_user: User,
    groups: tuple[str, ...],
    custom: Sequence[CustomPattern],
) -> str | None:
    """The response-cache key, or None when the bundle still holds something found in the question
    (kept only redacted: the cache never stores raw personal data)."""
    removed = {f.kind for f in findings} if decision.redact else {"secret"} if decision.remove_secrets else set()
    if not cache.enabled() or any(f.kind not in removed for f in findings):
        return None
    models = [
        (t, resilience.backend_for(t, policy_version=decision.policy_version, custom=custom).model)
        for t in decision.targets
    ]
    return cache.cache_key(bundle, decision, models, cache.Scope(acting_user.clearance, groups))


def _answer(
    run: DecisionRun,
    key: str | None,
    passages: list[SourcePassage],
    question: str,
    dropped: Sequence[SourcePassage] = (),
) -> Generator[Delta | Restart, None, GatedAnswer]:
    """The answer from the cache, else from the Decision's targets in order (`run`), checked on the way
    back (_check) and held to `passages` (_ground); stored in the cache, with the passages it was
    attributed to, when a model (not the in-process extractive backend) wrote it whole and it was not
    withheld."""
    decision, vault = run.decision, run.vault
    began = time.perf_counter()
    hit = cache.lookup(key) if key else None
    target = next((t for t in decision.targets if t.name == hit.target), None) if hit else None
    if hit is not None and target is not None:
        # Recorded before it is shown, so a reader who leaves at once is audited with the hit.
        latency = round((time.perf_counter() - began) * 1000, 1)
        run.attempts.append(Attempt(target.name, str(target.zone), hit.model, "cache_hit", latency))
        run.text, run.answered_by, run.model, run.cache_hit = restore(hit.text, vault), target, hit.model, True
        answer = _answered(run, passages, cut_off="")
        _check(answer, question, run.custom)
        yield Delta(answer.text)
        if not answer.withheld:
            # Attributed when it was stored: matching it again would embed every sentence sent, on each hit.
            _ground(answer, attributed=hit.attributed)
        return answer
    yield from run
    if run.answered_by is None:
        answer = _refusal(decision, text=FAILED_TEXT[decision.on_failure], route=failed_route(run))
        answer.attempts = run.attempts
        return answer
    answer = _answered(run, _sent(run, passages, dropped), cut_off=run.cut_off)
    if why := _check(answer, question, run.custom):
        # What streamed is withdrawn and the answer as checked sent instead.
        yield Restart(why)
        yield Delta(answer.text)
    if not answer.withheld:
        _ground(answer)
    # Only an answer written from the bundle the key was made of: an on-prem target that read the passages
    # unredacted may have written what the key's placeholders stand for (another asker's name, say).
    read_keyed = run.bundle_for(run.answered_by) is run.bundle
    keep = key and read_keyed and not run.cut_off and not run.answered_by.in_process and not answer.withheld
    # Only answers that hold nothing sensitive in the clear are kept (an unredacted passage may be quoted).
    if key and keep and not inspect_text(run.model_text, custom=run.custom):
        cache.store(key, text=run.model_text, target=run.answered_by, model=run.model, attributed=answer.attributed)
    return answer


def _check(answer: GatedAnswer, question: str, custom: Sequence[CustomPattern]) -> str:
    """The answer, in place, as the reader may see it (routing.answer_check): withheld, its text a notice,
    when it quotes an identifier from neither `question` nor its passages; else with links to hosts neither
    in ANSWER_LINK_HOSTS nor verbatim in its passages taken out. Returns why its text changed ("" when not)."""
    checked = check_answer(
        answer.text,
        question=question,
        passages=[f"{p.title}\n{p.text}" for p in answer.passages],
        hosts=LinkHosts.parse(settings.ANSWER_LINK_HOSTS),
        custom=custom,
        quotes_passages=answer.answered_by is not None and answer.answered_by.in_process,
    )
    answer.text, answer.withheld = checked.text, checked.withheld_reason
    return checked.reason


def _answered(run: DecisionRun, passages: Sequence[SourcePassage], *, cut_off: str) -> GatedAnswer:
    """What the run wrote from `passages` (with nothing answered yet, an empty answer that says it was
    cut off)."""
    return GatedAnswer(
        text=run.text,
        passages=list(passages),
        decision=run.decision,
        answered_by=run.answered_by,
        model=run.model,
        attempts=run.attempts,
        cache_hit=run.cache_hit,
        cut_off=bool(cut_off),
        # Only the attempt whose text this is ("ok") took citations out; the others record none.
        citations_removed=sum(a.citations_removed for a in run.attempts),
        route=answered_route(run, cut_off=cut_off) if run.answered_by else f"Cut off: {cut_off}.",
    )


def _refusal(decision: Decision | None, *, text: str, route: str) -> GatedAnswer:
    return GatedAnswer(text=text, passages=[], decision=decision, answered_by=None, model="", refused=True, route=route)


@dataclass(frozen=True)
class _Earlier:
    text: str
    findings: list[Finding]
    counts: dict[str, int]


def _minimise_previous(
    question: str,
    decision: Decision,
    vault: Vault,
    custom: Sequence[CustomPattern],
    secret_kinds: Collection[str] = frozenset({SECRET}),
) -> _Earlier:
    """The previous question of a follow-up as the bundle carries it: inspected with the policy's patterns,
    redacted as this Decision redacts the question, and its secrets (the policy's `secrets.kinds`) removed
    whatever the Decision says (it held them in an earlier turn, where they were removed for good)."""
    findings = inspect_question(question, custom=custom)
    removed = findings if decision.redact else [f for f in findings if f.kind in secret_kinds]
    redaction = redact(question, removed, vault)
    return _Earlier(redaction.text, findings, redaction.counts_by_kind)


def _minimise(
    question: str,
    findings: list[Finding],
    passages: list[SourcePassage],
    decision: Decision,
    vault: Vault,
    custom: Sequence[CustomPattern],
    secret_kinds: Collection[str] = frozenset({SECRET}),
) -> tuple[Bundle, dict[str, int]]:
    """The bundle the targets see: sensitive spans of the question and passages replaced by placeholders.

    Passages are redacted with their findings from ingestion where those are current, else inspected now.
    Without redaction, the question's secrets (the kinds the policy's `secrets.kinds` names) are still removed
    when the Decision says so.
    """
    counts: Counter[str] = Counter()
    if decision.redact:
        question_findings = findings
    elif decision.remove_secrets:
        question_findings = [f for f in findings if f.kind in secret_kinds]
    else:
        question_findings = []
    redaction = redact(question, question_findings, vault)
    counts.update(redaction.counts_by_kind)
    # A title travels with its passages and may name a person ("Handover notes from Dana Whitfield"): inspected
    # as a question is (for recall; remembered per process by digest, titles recur) and redacted likewise.
    title_findings = inspect_texts({p.title for p in passages}, custom=custom) if decision.redact else {}
    titles: dict[str, str] = {}
    context = []
    # A name the question gives in full ("Did Zdenka Hrubá approve it?") is sought in the passages too: a
    # passage that writes only "Hrubá approved …" would otherwise say whom the redacted question is about.
    asked_about = name_words(question, findings) if decision.redact else set()
    for n, passage in enumerate(passages, 1):
        text, title = passage.text, passage.title
        if decision.redact:
            found = inspect_passage(text, stored=passage.stored_findings, custom=custom)
            found = resolve_overlaps(found + name_occurrences(text, asked_about, found))
            passage_redaction = redact(text, found, vault)
            text = passage_redaction.text
            counts.update(passage_redaction.counts_by_kind)
            if title not in titles:
                title_redaction = redact(title, title_findings[title], vault)
                titles[title] = title_redaction.text
                counts.update(title_redaction.counts_by_kind)
            title = titles[title]
        heading = "" if decision.redact else passage.heading_path
        context.append(_context(n, passage, text, heading=heading, flagged=passage.flagged, title=title))
    return Bundle(question=redaction.text, passages=tuple(context)), dict(counts)
