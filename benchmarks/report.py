"""docs/benchmarks.md and its plots, written from one benchmark run's JSON, and from the embedding paths'
run of its own beside it (embedding.json, `manage.py bench_embedding`) when there is one.

`manage.py bench --write-docs` calls `write_report` after measuring; `manage.py bench --report FILE`
writes the page again from a saved run (docs/benchmarks/bench.json) without measuring.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

import matplotlib

matplotlib.use("Agg")  # files only, no display
import matplotlib.pyplot as plt  # noqa: E402

from benchmarks.embedding_report import render_embedding  # noqa: E402
from benchmarks.scale_report import render_scale, scale_figure  # noqa: E402

# The embedding paths' run (`manage.py bench_embedding --write-docs`) and the growing collection's
# (`manage.py bench --scale --write-docs`), kept beside bench.json: longer than `make bench` allows,
# so measured on their own and shown on the page with their own dates and machines.
EMBEDDING_RUN = "embedding.json"
SCALE_RUN = "scale.json"
RUNS_BESIDE = (EMBEDDING_RUN, SCALE_RUN)

TARGETS = {
    "gate": "p95 ≤ 5 ms",
    "retrieval": "p95 ≤ 40 ms at 100k chunks",
    "ingest": "≥ 90 % of the raw model's throughput",
    "e2e": "p95 ≤ 1.25 × (200 ms + retrieval p95), 0 errors, 50 users",
    "redaction": "≥ 5× Presidio's throughput at equal or better recall on structured identifiers",
    "cost": "default ≤ 40 % of cloud-only, 0 violations",
}


def write_report(result: dict[str, Any], page: Path) -> list[Path]:
    """Write `page` (markdown) and its PNG plots beside it in `<page stem>/`, and the run's JSON there too.
    Returns the files written."""
    folder = page.parent / page.stem
    folder.mkdir(parents=True, exist_ok=True)
    run_file = folder / "bench.json"
    run_file.write_text(json.dumps(result, indent=1) + "\n")
    embedding, scale = (json.loads((folder / n).read_text()) if (folder / n).exists() else None for n in RUNS_BESIDE)
    scale_plot = scale_figure(scale)
    plots = [
        p
        for p in (
            _latency_plot(result, folder),
            _quality_plot(result, folder),
            _cost_plot(result, folder),
            _save(scale_plot, folder / "scale.png") if scale_plot else None,
        )
        if p
    ]
    plot_names = {p.stem: f"{folder.name}/{p.name}" for p in plots}
    page.write_text(render(result, plot_names=plot_names, embedding=embedding, scale=scale))
    return [page, run_file, *plots]


def write_beside(run: dict[str, Any], name: str, page: Path) -> list[Path]:
    """Keep a run of its own (`name`, one of RUNS_BESIDE) beside the page's bench.json, and write the page
    again from bench.json with it. Returns the files written."""
    folder = page.parent / page.stem
    folder.mkdir(parents=True, exist_ok=True)
    (folder / name).write_text(json.dumps(run, indent=1) + "\n")
    return [folder / name, *write_report(json.loads((folder / "bench.json").read_text()), page)]


def render(
    result: dict[str, Any],
    *,
    plot_names: dict[str, str],
    embedding: dict[str, Any] | None = None,
    scale: dict[str, Any] | None = None,
) -> str:
    """The markdown page for a run (and the embedding paths' and the growing collection's runs of their
    own, when given)."""
    parts = [_header(result), _summary(result), _notes(result)]
    for section in (_gate, _retrieval, _ingest, _e2e, _redaction, _cost):
        text = section(result, plot_names)
        if text:
            parts.append(text)
    if embedding:
        parts.append(render_embedding(embedding))
    if scale:
        parts.append(render_scale(scale, plot=plot_names.get("scale")))
    parts.append(_footer())
    return "\n\n".join(parts) + "\n"


def _ms(latency: dict[str, Any] | None, key: str = "p95") -> str:
    if not latency or latency.get(key) is None:
        return "–"
    return f"{latency[key]:,.1f} ms"


def _table(header: Sequence[str], rows: Iterable[Sequence[Any]]) -> str:
    lines = ["| " + " | ".join(header) + " |", "| " + " | ".join("---" for _ in header) + " |"]
    lines += ["| " + " | ".join(str(cell) for cell in row) + " |" for row in rows]
    return "\n".join(lines)


def _header(result: dict[str, Any]) -> str:
    machine = result.get("machine", {})
    return "\n".join(
        [
            "# Benchmarks",
            "",
            "<!-- Written by `make bench` (benchmarks/report.py) from docs/benchmarks/bench.json: edit those. -->",
            "",
            f"Measured on {result.get('date', '?')} with `{result.get('command', 'make bench')}` "
            f"in {result.get('duration_s', '?')} s, on {machine.get('description', '?')}. "
            "Every figure below comes from that one run (but the sections on the embedding model and on how "
            "cost grows, from longer runs of their own that say when); the benchmark works in a throwaway database it "
            "drops at the end, talks only to servers it starts on 127.0.0.1, and stops by itself.",
            "",
            f"Texts: {result.get('sources', '?')}.",
        ]
    )


def _summary(result: dict[str, Any]) -> str:
    rows = []
    gate = result.get("gate_overhead_ms")
    if gate:
        rows.append(("Gate overhead per request", _ms(gate), TARGETS["gate"], _verdict(gate["p95"] <= 5)))
    gateway = result.get("gateway_overhead_ms")
    if gateway:
        rows.append(
            ("Gateway overhead, 2 KB conversation", _ms(gateway), TARGETS["gate"], _verdict(gateway["p95"] <= 5))
        )
    retrieval = result.get("retrieval", {}).get("latency", {}).get("hybrid")
    if retrieval:
        rows.append(("Hybrid top-10 search", _ms(retrieval), TARGETS["retrieval"], _verdict(retrieval["p95"] <= 40)))
    ingest = result.get("retrieval", {}).get("ingest")
    if ingest:
        paths = [("Ingestion vs the raw model", ingest["ratio"], ingest["ingest_chunks_per_s"])]
        worker = ingest.get("upload_worker")
        if worker:
            paths.append(("Uploads (the worker) vs the raw model", worker["ratio"], worker["chunks_per_s"]))
        for figure, ratio, rate in paths:
            measured = f"{ratio:.0%} ({rate} vs {ingest['embed_chunks_per_s']} chunks/s)"
            rows.append((figure, measured, TARGETS["ingest"], _verdict(ratio >= 0.9)))
    e2e = result.get("e2e")
    if e2e and "latency_ms" in e2e:
        target = e2e.get("target_p95_ms")
        met = target is not None and e2e["latency_ms"]["p95"] <= target and e2e.get("errors", 1) == 0
        rows.append(
            (
                "End to end, 50 users",
                f"{_ms(e2e['latency_ms'])}, {e2e.get('errors')} errors",
                TARGETS["e2e"],
                _verdict(met),
            )
        )
    redaction = result.get("redaction")
    if redaction and "speedup" in redaction:
        rows.append(
            (
                "Inspector vs Presidio",
                f"{redaction['speedup']:.1f}× faster",
                TARGETS["redaction"],
                _redaction_verdict(redaction),
            )
        )
    cost = result.get("policy_cost")
    if cost and "ratio" in cost:
        violations = sum(p.get("violations", 0) for p in cost["policies"].values())
        rows.append(
            (
                "Default policy cost vs cloud-only",
                f"{cost['ratio']:.0%}, {violations} violations",
                TARGETS["cost"],
                _verdict(cost["ratio"] <= 0.4 and violations == 0),
            )
        )
    return "## Headline figures\n\n" + _table(("figure", "measured (p95 for latencies)", "target", "met"), rows)


def _notes(result: dict[str, Any]) -> str:
    """Why each missed target is missed, in the run's own figures, and the lever we would pull next."""
    notes = []
    gate = result.get("gate_overhead_ms")
    if gate and gate["p95"] > 5:
        notes.append(_gate_note(gate, result.get("gate_steps_ms")))
    gateway = result.get("gateway_overhead_ms")
    if gateway and gateway["p95"] > 5:
        notes.append(
            _gateway_note(gateway, result.get("gateway_follow_up_ms"), result.get("gateway_without_name_model_ms"))
        )
    latency = result.get("retrieval", {}).get("latency", {})
    hybrid = latency.get("hybrid")
    if hybrid and hybrid["p95"] > 40:
        embed, vector = latency.get("query_embedding_ms"), latency.get("vector_list_ms")
        keyword = latency.get("keyword_list", {}).get("pruned_ms")
        notes.append(
            _hybrid_note(result, latency)
            if "shared_buffers" in result.get("machine", {})
            else f"**Hybrid search** (p95 {_ms(hybrid)} at 100,000 chunks): embedding the query takes "
            f"{_ms(embed, 'median')} (p95 {_ms(embed)}; MiniLM {_embedding_path(result)} on two cores), and only then "
            f"can the vector list be read ({_ms(vector, 'median')}, p95 {_ms(vector)}, for 200 candidates "
            f"with the access filter); the keyword list (pruned: {_ms(keyword, 'median')}, p95 {_ms(keyword)}, against "
            f"{_ms(latency.get('keyword_list', {}).get('exact_ms'), 'median')} exact) is read while the query is "
            "embedded. So the floor is embedding plus vector search, and on two cores the embedding and "
            f"PostgreSQL compete for them. Next: {_embedding_lever(result)}fewer vector "
            "candidates; a larger shared_buffers for the embedded server (128 MB holds neither the vectors "
            "nor the HNSW graph of 100,000 chunks)."
        )
    quality = result.get("retrieval", {}).get("quality", {}).get("modes", {})
    if "hybrid" in quality and "hybrid, exact keyword list" in quality:
        pruned, exact = quality["hybrid"]["ndcg@10"], quality["hybrid, exact keyword list"]["ndcg@10"]
        keyword_pruned, keyword_exact = quality["keyword"]["ndcg@10"], quality["keyword, exact"]["ndcg@10"]
        notes.append(
            f"**What pruning costs**: nDCG@10 {pruned} for hybrid with the pruned keyword list against {exact} with "
            f"the exact one (keyword alone: {keyword_pruned} against {keyword_exact}), "
            f"over the same judged queries among 100,000 chunks; pruning keeps "
            f"{latency.get('keyword_list', {}).get('exact_top10_kept', 0):.0%} of the exact top 10 and returns exact "
            "scores for what it keeps."
        )
    ingest = result.get("retrieval", {}).get("ingest")
    worker = (ingest or {}).get("upload_worker")
    if ingest and worker and ingest.get("cpu", {}).get("database_ms_per_chunk") is not None:
        if min(ingest["ratio"], worker["ratio"]) < 0.9:
            notes.append(_ingest_note(ingest))
    elif ingest and worker and min(ingest["ratio"], worker["ratio"]) < 0.9:  # a run without the CPU breakdown
        notes.append(
            f"**Ingestion** ({ingest['ratio']:.0%} of the model's rate through the `ingest` command, "
            f"{worker['ratio']:.0%} through the upload worker): files are read (parsed, chunked, inspected) "
            "beside the model at a lower priority, so what is left is CPU time no overlap can hide: on two "
            "cores the model alone keeps most of both busy, and reading (the name model, mostly) and one "
            "transaction per document (HNSW inserts, BM25 postings) add about a third to its CPU time. The "
            "lever is the name model's cost at ingestion."
        )
    elif ingest and not worker and ingest["ratio"] < 0.9:  # a run from before reading overlapped the model
        notes.append(
            f"**Ingestion** ({ingest['ratio']:.0%} of the model's rate through the `ingest` command): the rest "
            "is per-document work the model does not do (parsing, inspection, one transaction per document "
            "with its HNSW inserts and BM25 postings)."
        )
    single = (ingest or {}).get("one_by_one")
    if single and single["ratio"] < 0.9:
        notes.append(
            f"**Uploads one at a time** ({single['ratio']:.0%}): the upload worker embeds one document's few "
            "chunks per call; the model is faster on large batches. Batching queued uploads together is the lever."
        )
    e2e = result.get("e2e", {})
    target = e2e.get("target_p95_ms")
    if e2e.get("latency_ms") and target and e2e["latency_ms"]["p95"] > target:
        embedding = latency.get("query_embedding_ms")
        of_which = f", of which embedding the query is about {_ms(embedding, 'median')}" if embedding else ""
        notes.append(
            f"**End to end** (p95 {_ms(e2e['latency_ms'])} against {target} ms): the fake cloud's 200 ms is "
            f"there (cloud call median {_ms(e2e.get('cloud_call_ms'), 'median')}), but retrieval inside the "
            f"loaded server takes {_ms(e2e.get('retrieval_ms'), 'median')} (p95 {_ms(e2e.get('retrieval_ms'))}), "
            "well above its time alone: each request costs the web workers "
            f"{e2e.get('cpu_s', {}).get('workers_ms_per_request', '?')} ms of CPU{of_which}, and 50 users keep "
            "two cores busy. The rest is spread over the gate's steps (the name model on the question, the egress "
            "guard on the prompt, the SDK's stream, the audit row, the page); an answer written on-prem after a "
            "failed cloud call costs several times more (the extractive answer embeds every sentence it weighs)."
            + _fallback_note(e2e)
        )
    redaction = result.get("redaction", {})
    ours = redaction.get("sluice", {}).get("recall", {})
    theirs = redaction.get("presidio_patterns", {}).get("recall", {})
    if ours and theirs and ours.get("structured", 0) < theirs.get("structured", 0):
        worse = [k for k in ours if k != "structured" and ours[k] < theirs.get(k, 0)]
        notes.append(
            f"**Redaction recall** on the generated texts ({ours['structured']} against Presidio's "
            f"{theirs['structured']}): ours misses more {', '.join(worse)}; the per-form misses are in "
            "docs/benchmarks/bench.json (`missed`)."
        )
    cost = result.get("policy_cost", {})
    if cost.get("ratio", 0) > 0.4:
        default = cost["policies"]["default"]
        notes.append(
            f"**Cost** ({cost['ratio']:.0%} of cloud-only): the default policy sends general questions about "
            f"public and internal documents to the cloud, as cloud-only does ({default['zones'].get('cloud', 0):.0%} "
            "of this workload); it saves only where the question or passages hold personal data, customer ids "
            "or confidential text, and on CI traffic. Reaching 40 % means answering more of the general "
            "questions on-prem, a policy choice (docs/policy.md) that trades answer quality for spend; the "
            "workload's mix (benchmarks/workload.yaml) decides the ratio as much as the policy does."
        )
    if not notes:
        return ""
    return "## Where a target is missed, and why\n\n" + "\n\n".join(f"- {note}" for note in notes)


def _embedding_path(result: dict[str, Any]) -> str:
    backend = result.get("machine", {}).get("embedding_backend", "torch")
    return {"torch": "in torch fp32", "onnx": "in ONNX Runtime fp32", "onnx-int8": "in ONNX Runtime int8"}[backend]


def _hybrid_note(result: dict[str, Any], latency: dict[str, Any]) -> str:
    """A run since the lists are read side by side (2026-12-05; such runs name shared_buffers)."""
    embed, vector = latency.get("query_embedding_ms"), latency.get("vector_list_ms")
    keyword = latency.get("keyword_list", {}).get("pruned_ms")
    counts = result.get("retrieval", {}).get("candidates", {}).get("counts", {})
    fewer = counts.get("100")
    swept = (
        f" With 100 candidates instead of 200 the hybrid p95 is {_ms(fewer['hybrid_ms'])} but nDCG@10 "
        f"{fewer['ndcg@10']} against {counts['200']['ndcg@10']} (the table above): more than the 0.005 allowed."
        if fewer and "200" in counts
        else ""
    )
    return (
        f"**Hybrid search** (p95 {_ms(latency['hybrid'])} at 100,000 chunks): the keyword list (pruned: "
        f"{_ms(keyword, 'median')}, p95 {_ms(keyword)}) is read on the request's connection while a pool thread "
        f"embeds the query ({_ms(embed, 'median')}, p95 {_ms(embed)}; MiniLM {_embedding_path(result)}) and reads the "
        f"vector list on its own ({_ms(vector, 'median')}, p95 {_ms(vector)}, 200 candidates with the access "
        "filter); a search costs the longer of the two, then the fusion and the passages' rows in one query. On "
        "two cores the model and two PostgreSQL backends compete for them, so the parts measured alone add up "
        f"to more than their overlap.{swept} shared_buffers is "
        f"{result.get('machine', {}).get('shared_buffers')} (the embedded server is sized to the machine)."
    )


def _embedding_lever(result: dict[str, Any]) -> str:
    """Runs before the ONNX path record no backend: they embedded with torch."""
    if result.get("machine", {}).get("embedding_backend", "torch") != "torch":
        return ""
    return (
        "the ONNX path, which this run predates: the CPU default since 2026-12-05, measured against torch "
        "in its own run (the section on the embedding model below); "
    )


def _verdict(met: bool) -> str:
    return "yes" if met else "**no** (see below)"


def _gate_note(gate: dict[str, Any], steps: dict[str, Any] | None) -> str:
    if not steps:
        return (
            f"**Gate overhead** (p95 {_ms(gate)}): inspection of the question, the policy read, the audit row and "
            "the Python of deciding and redacting (this run has no breakdown per step)."
        )
    without = steps["without_name_model"]
    return (
        f"**Gate overhead** (p95 {_ms(gate)}): most of it is the name model reading the question "
        f"({_ms(steps['name_model'], 'median')}, p95 {_ms(steps['name_model'])}: spaCy's small English pipeline on "
        "the sentences of the question that hold a word shaped as a name, outside the identifiers other "
        "detectors found, about 0.1 ms a word on two cores; here the question's first sentence, which holds the "
        "name). Without it the gate takes "
        f"{_ms(without, 'median')} (p95 {_ms(without)}): the other detectors, the policy read "
        f"({_ms(steps['policy_read'], 'median')}), the audit row in two statements "
        f"({_ms(steps['audit_row'], 'median')}: the chain's lock, head and next id in one, then the INSERT) and "
        "the Python of deciding, redacting and hashing. A question as people usually type one (about 100 "
        f"characters, a name and a card) passes the whole gate in {_ms(steps['short_question'], 'median')} "
        f"(p95 {_ms(steps['short_question'])}). What is left is the model's per-word cost: names are found by "
        "default since issue 14 (names missed are names sent to the cloud), after this target was set; the "
        "smallest spaCy pipeline is the one used, and no lighter model reaches its recall on the held-out names. "
        "Inside it, measured alone on a 20-token sentence (2026-12-06), the entity recogniser with its own tok2vec "
        "takes about two thirds (2.3 ms) and the shared tok2vec with the part-of-speech tagger a third (1.1 ms). "
        "Leaving the tagger out, the last lever, was measured the same day (2 cores of AMD EPYC): 1.9 ms instead "
        "of 3.2 ms on that sentence, but the name rules it feeds (proper-noun runs, a verb after a name) then "
        "find fewer people: PERSON recall on the held-out generated pool 0.903 to 0.739 as questions and 0.863 "
        "to 0.739 as documents, on the fresh pool 0.867 to 0.705 (`eval_redaction`). Even so the gate's p95 "
        "would be about the gate without the name model plus 60 % of the model's p95, above 5 ms. So no lever "
        "is left on two cores that keeps the names, and the name model stays, since a name it misses is a name "
        f"sent to the cloud. Without it the gate's p95 is {_ms(without)} in this run"
        + (
            ", within the target."
            if without["p95"] <= 5
            else ", also above 5 ms: every step took longer in this run (the policy read "
            f"{_ms(steps['policy_read'], 'median')} median, the audit row {_ms(steps['audit_row'], 'median')}), "
            "and what is left of them is one statement each and the detectors' regular expressions."
        )
    )


def _gateway_note(gateway: dict[str, Any], follow_up: dict[str, Any] | None, without: dict[str, Any] | None) -> str:
    note = (
        f"**Gateway overhead** (p95 {_ms(gateway)} on a conversation seen for the first time): as on the ask path, "
        "most of it is the name model reading every text of the conversation"
    )
    if without:
        note += f"; with it off the gateway takes {_ms(without, 'median')} (p95 {_ms(without)})"
    if follow_up:
        note += (
            f". The next turn of a conversation, whose earlier turns the process inspected before (by digest), "
            f"takes {_ms(follow_up, 'median')} (p95 {_ms(follow_up)})"
        )
    return note + (
        ". The rest is the request's own path: HTTP parsing, the key, the policy, the audit row, the SDK call's "
        "framing and the egress guard over the exact bytes sent."
    )


def _redaction_verdict(redaction: dict[str, Any]) -> str:
    ours = redaction.get("sluice", {}).get("recall", {}).get("structured")
    theirs = redaction.get("presidio_patterns", {}).get("recall", {}).get("structured")
    return _verdict(redaction["speedup"] >= 5 and ours is not None and theirs is not None and ours >= theirs)


def _gate(result: dict[str, Any], plots: dict[str, str]) -> str:
    gate = result.get("gate_overhead_ms")
    if not gate:
        return ""
    return "\n".join(
        [
            "## The gate's overhead",
            "",
            "A 2 KB question with an e-mail address, a phone number, a card, an IBAN, an IP address, a name "
            "and a customer id, and five passages as retrieval delivers them (their findings stored at "
            "ingestion), answered by the in-process extractive backend whose own time is taken out: inspect "
            "the question, decide, minimise and redact, restore, write the audit row. Retrieval and model "
            "time are not in it. Rolled back after each run.",
            "",
            _table(
                ("requests", "median", "p95", "target"), [(gate["n"], _ms(gate, "median"), _ms(gate), TARGETS["gate"])]
            ),
            *_gate_steps(result.get("gate_steps_ms")),
            *_gateway(
                result.get("gateway_overhead_ms"),
                result.get("gateway_follow_up_ms"),
                result.get("gateway_without_name_model_ms"),
            ),
        ]
    )


def _gateway(
    gateway: dict[str, Any] | None, follow_up: dict[str, Any] | None, without_names: dict[str, Any] | None
) -> list[str]:
    if not gateway:
        return []
    rows = [("every text inspected (a conversation seen first)", gateway)]
    if follow_up:
        rows.append(("the next turn of a conversation (earlier turns seen)", follow_up))
    if without_names:
        rows.append(("every text inspected, the name model off", without_names))
    return [
        "",
        "The gateway (docs/gateway.md): a support conversation of about 2 KB of text (a system prompt and 28 "
        "turns, with a name, an e-mail and a phone) through `POST /v1/chat/completions`, served by Django in-"
        "process (middleware, parsing, the key, the gate, the reply), to the fake cloud, redacted and "
        "restored; the cloud call's own time is taken out. The per-minute rate limits are off for the run "
        "(two statements each when on). Each request carries the whole conversation, so a process remembers the "
        "findings of texts it inspected (by digest, routing/seen_texts.py): the next turn of a conversation is "
        "inspected for its new text only.",
        "",
        _table(
            ("", "requests", "median", "p95", "target"),
            [(name, x["n"], _ms(x, "median"), _ms(x), TARGETS["gate"]) for name, x in rows],
        ),
    ]


def _gate_steps(steps: dict[str, Any] | None) -> list[str]:
    if not steps:
        return []
    rows = [
        ("inspecting the 2 KB question, every detector", steps["inspect_question"]),
        ("… of which the name model", steps["name_model"]),
        ("reading the active policy", steps["policy_read"]),
        ("writing the audit row (lock and head, INSERT)", steps["audit_row"]),
        ("the whole gate with the name model off", steps["without_name_model"]),
        ("the whole gate on a 100-character question", steps["short_question"]),
    ]
    return [
        "",
        "Where the time goes: each step alone on the same input, the same number of times.",
        "",
        _table(("step", "median", "p95"), [(name, _ms(x, "median"), _ms(x)) for name, x in rows]),
    ]


def _retrieval(result: dict[str, Any], plots: dict[str, str]) -> str:
    retrieval = result.get("retrieval")
    if not retrieval or "latency" not in retrieval:
        return ""
    size = retrieval.get("collection", {})
    latency = retrieval["latency"]
    rows = [(mode, _ms(latency[mode], "median"), _ms(latency[mode])) for mode in ("hybrid", "vector", "keyword")]
    keyword = latency.get("keyword_list", {})
    lines = [
        "## Retrieval at 100,000+ chunks",
        "",
        f"{size.get('chunks', '?'):,} chunks in {size.get('documents', '?'):,} documents of mixed classification "
        f"and reader groups (bulk load {size.get('load_s')} s, index build {size.get('index_s')} s). The real "
        "documents were ingested by the product; the rest are synthetic chunks made of their sentences, "
        "with vectors mixed from theirs (benchmarks/corpus.py says how). Searched as an employee "
        "cleared for internal documents in one group, through `search_passages`: query embedding, both "
        f"lists, fusion and the passages' rows, {latency['hybrid']['n']} queries."
        + (
            " Measured warm: the tables and indexes a search reads were loaded into shared_buffers first "
            "(pg_prewarm), as a server that has been answering for a while holds them."
            if latency.get("prewarmed")
            else ""
        ),
        "",
        _table(("mode", "median", "p95"), rows),
        "",
        "The keyword list alone (200 candidates), pruned as in production against exact BM25 over every posting:",
        "",
        _table(
            ("keyword list", "median", "p95", "share of the exact top 10 kept"),
            [
                (
                    "pruned",
                    _ms(keyword.get("pruned_ms"), "median"),
                    _ms(keyword.get("pruned_ms")),
                    keyword.get("exact_top10_kept"),
                ),
                ("exact", _ms(keyword.get("exact_ms"), "median"), _ms(keyword.get("exact_ms")), "1.0"),
            ],
        ),
    ]
    if "latency" in plots:
        lines += ["", f"![Latency distributions]({plots['latency']})"]
    quality = retrieval.get("quality", {})
    if "modes" in quality:
        lines += [
            "",
            f"### Quality per mode ({quality['queries']} judged queries, the synthetic chunks as distractors)",
            "",
            _table(
                ("mode", "nDCG@10", "Recall@100", "MRR@10"),
                [(mode, m["ndcg@10"], m["recall@100"], m["mrr@10"]) for mode, m in quality["modes"].items()],
            ),
        ]
        if "quality" in plots:
            lines += ["", f"![Retrieval quality per mode]({plots['quality']})"]
    elif "skipped" in quality:
        lines += ["", f"Quality per mode: skipped ({quality['skipped']})."]
    lines += _candidates(retrieval.get("candidates"))
    return "\n".join(lines)


def _candidates(sweep: dict[str, Any] | None) -> list[str]:
    """How many candidates each list gives the fusion: quality and hybrid latency per count."""
    if not sweep or not sweep.get("counts"):
        return []
    counts = sweep["counts"]
    best = max(m["ndcg@10"] for m in counts.values())
    rows = [
        (count, m["ndcg@10"], m["recall@100"], _ms(m["hybrid_ms"], "median"), _ms(m["hybrid_ms"]))
        for count, m in counts.items()
    ]
    kept = [int(c) for c, m in counts.items() if m["ndcg@10"] >= best - 0.005]
    return [
        "",
        "### Candidates per list",
        "",
        f"Both lists cut to each count (SEARCH_CANDIDATES, now {sweep['current']}), the same judged queries:",
        "",
        _table(("candidates", "hybrid nDCG@10", "Recall@100", "hybrid median", "hybrid p95"), rows),
        "",
        f"The fewest candidates within 0.005 nDCG@10 of the best: {min(kept)}. Fewer make the vector list "
        "faster (its graph search is as wide as the count) but leave the fusion fewer passages both lists "
        "agree on.",
    ]


def _ingest(result: dict[str, Any], plots: dict[str, str]) -> str:
    ingest = result.get("retrieval", {}).get("ingest")
    if not ingest:
        return ""
    rows = [
        ("the model alone, one call", ingest["embed_chunks_per_s"], "100%"),
        ("`ingest` command (ingest_files)", ingest["ingest_chunks_per_s"], f"{ingest['ratio']:.0%}"),
    ]
    worker = ingest.get("upload_worker")
    single = ingest.get("one_by_one")  # runs from before the worker batched its jobs
    if worker:
        label = f"upload worker (run_ingestion_job over queued jobs), first {worker['documents']} files"
        rows.append((label, worker["chunks_per_s"], f"{worker['ratio']:.0%}"))
    elif single:
        label = f"upload worker (ingest_file), first {single['documents']} files"
        rows.append((label, single["chunks_per_s"], f"{single['ratio']:.0%}"))
    if worker:
        paths = (
            "The `ingest` command reads each file (parse, chunk, inspect) in a thread of its own while the model "
            "embeds the files read before it in another, several files' chunks per call, and stores each "
            "document in its own transaction (chunks, vectors into HNSW, BM25 postings) while the model embeds "
            "the next call's files. The upload worker's run of a queued "
            "job takes the other queued jobs along, claimed as the reading gets to them, and ingests them the "
            "same way, finishing each job as its document is stored."
        )
    else:  # a run from before the worker batched its jobs and reading overlapped the model
        paths = (
            "The `ingest` command reads each file (parse, chunk, inspect), embeds the chunks of all of them "
            "together, then stores each document in its own transaction (chunks, vectors into HNSW, BM25 "
            "postings); the upload worker does the same one document at a time, so the model sees a "
            "document's few chunks per call."
        )
    return "\n".join(
        [
            "## Ingestion against the raw model",
            "",
            f"{ingest['documents']} documents, {ingest['chunks']} chunks. The model alone embeds the very texts "
            f"ingestion embeds (parsed and chunked the same way) in one call. {paths}",
            "",
            _table(("path", "chunks/s", "of the model's"), rows),
            *_ingest_cpu(ingest.get("cpu")),
        ]
    )


def _ingest_cpu(cpu: dict[str, Any] | None) -> list[str]:
    if not cpu:
        return []
    ms = cpu["ms_per_chunk"]
    rows = [
        ("the model, both of its threads", ms["model"]),
        ("reading: parsing and chunking", ms["parse_and_chunk"]),
        ("reading: the detectors but the name model", ms["detectors"]),
        ("reading: the name model", ms["name_model"]),
        ("reading: the injection cues", ms["injection_cues"]),
    ]
    if "process_ms_per_chunk" in cpu:
        rows.append(("the whole `ingest` run: this process, every thread", cpu["process_ms_per_chunk"]))
    if cpu.get("database_ms_per_chunk") is not None:
        rows.append(("the whole `ingest` run: the database server", cpu["database_ms_per_chunk"]))
    return [
        "",
        "Where the CPU goes, in milliseconds of CPU per chunk: each stage alone on the same files (the thread's "
        "time; the model's, its process's), then the `ingest` run above, in this process and in the database "
        "server (its processes alive at the end).",
        "",
        _table(("stage", "CPU ms per chunk"), rows),
    ]


def _ingest_note(ingest: dict[str, Any]) -> str:
    cpu, worker = ingest["cpu"], ingest["upload_worker"]
    ms = cpu["ms_per_chunk"]
    whole = cpu["process_ms_per_chunk"] + cpu["database_ms_per_chunk"]
    reading = ms["parse_and_chunk"] + ms["detectors"] + ms["name_model"] + ms["injection_cues"]
    storing = max(0.0, whole - ms["model"] - reading)
    return (
        f"**Ingestion** ({ingest['ratio']:.0%} of the model's rate through the `ingest` command, "
        f"{worker['ratio']:.0%} through the upload worker): on two cores the model alone keeps both busy "
        f"({ms['model']:.1f} ms of CPU a chunk), so ingestion's rate is about the model's share of all the CPU "
        f"it spends: {whole:.1f} ms a chunk ({cpu['process_ms_per_chunk']:.1f} in this process, "
        f"{cpu['database_ms_per_chunk']:.1f} in the database server), {ms['model'] / whole:.0%} of it the model's. "
        f"Reading takes {reading:.1f} ms a chunk, of which the name model {ms['name_model']:.1f}, the injection "
        f"cues {ms['injection_cues']:.1f}, the other detectors {ms['detectors']:.1f}, parsing and chunking "
        f"{ms['parse_and_chunk']:.1f}; storing (the transaction, the HNSW insert, the BM25 postings) about "
        f"{storing:.1f}. The model's rate within 90 % leaves the rest {ms['model'] / 9:.1f} ms a chunk: storing "
        "alone is above it, and so is the name model. Overlap cannot help when the model holds both cores. The "
        "name model's levers, measured on 2026-12-06 (2 cores of AMD EPYC, 500 SciFact abstracts): its sentences "
        "read in batches of 64 across documents instead of per chunk cost 11.1 ms of CPU an abstract instead of "
        "15.3 (a quarter less; larger batches are slower again), and leaving the part-of-speech tagger out 40 % "
        "less at a loss of 0.12 to 0.16 of PERSON recall (the gate's note above). Both together would about "
        "halve the name model's CPU and leave storing as it is: about 70 % of the model's rate, not 90 %. On two cores "
        "no lever is left; on a machine with more cores than the model uses, reading and storing run beside it."
    )


def _e2e(result: dict[str, Any], plots: dict[str, str]) -> str:
    e2e = result.get("e2e")
    if not e2e:
        return ""
    if "latency_ms" not in e2e:
        return "## End to end\n\n" + f"Not measured: {e2e.get('skipped', e2e)}"
    rows = [
        ("users", e2e.get("users")),
        ("requests", e2e.get("requests")),
        ("errors", e2e.get("errors")),
        ("throughput", f"{e2e.get('throughput_rps')} requests/s"),
        ("latency median / p95", f"{_ms(e2e['latency_ms'], 'median')} / {_ms(e2e['latency_ms'])}"),
        ("first token median / p95", f"{_ms(e2e.get('first_token_ms'), 'median')} / {_ms(e2e.get('first_token_ms'))}"),
        ("target p95", f"{e2e.get('target_p95_ms')} ms"),
        ("web workers", _served_by(e2e)),
    ]
    think = e2e.get("think_s") or ("?", "?")
    text = (
        f"{e2e.get('users')} signed-in employees ask the demo corpus through `/ask/stream/` (the page's own "
        "stream) on gunicorn started as `manage.py serve` starts it (uvicorn's ASGI workers), for "
        f"{e2e.get('duration_s')} s; each reads the streamed answer to its end, then thinks {think[0]}–{think[1]} s "
        f"(uniform, seeded) before the next question. The cloud is the fake Anthropic server on 127.0.0.1, "
        f"streaming each answer over {e2e.get('cloud_ms')} ms; the response cache is off, so every question "
        "reaches it. Errors: non-200, transport errors, timeouts, error events, refusals and cut-off answers; "
        f"answers written on-prem after a cloud failure are fallbacks ({e2e.get('fallbacks', 0)} here"
        f"{_failed_calls(e2e)}). "
        f"Target basis: {e2e.get('target_basis', '?')}."
    )
    server = [
        (
            "retrieval inside the server, median / p95",
            f"{_ms(e2e.get('retrieval_ms'), 'median')} / {_ms(e2e.get('retrieval_ms'))}",
        ),
        ("cloud call, median / p95", f"{_ms(e2e.get('cloud_call_ms'), 'median')} / {_ms(e2e.get('cloud_call_ms'))}"),
        ("worker CPU per request", f"{e2e.get('cpu_s', {}).get('workers_ms_per_request', '?')} ms"),
    ]
    table = _table(("figure", "value"), rows + server)
    parts = ["## End to end through gunicorn", "", text, "", table, _rss(result), _remote_embedder(e2e)]
    return "\n".join([*parts, _slow_streams(e2e), ISSUE_15])


# Measured apart from any run of this page (interleaved runs of the same window, the code before and after), so
# kept as written; the figures above are the page's own run.
ISSUE_15 = """
### Where the workers' CPU and memory went (issue 15, 2026-12-05)

Measured on 2 cores of AMD EPYC (lscpu's model name), shared with other work, with `benchmarks.e2e.e2e_benchmark`: 50
users for 60 s, thinking 5–15 s, the code before and after run in turn, twice each, on the same demo database,
and the workers profiled with py-spy.

| | before | after |
| --- | --- | --- |
| answers that fell back on-prem | 104 of 225, 101 of 269 | 0 of 275, 0 of 275 |
| worker CPU per request | 200.3 ms, 177.5 ms | 64.9 ms, 62.3 ms |
| resident memory of a worker, largest | 1,249.9 MB, 1,406.1 MB | 444.9 MB, 450.1 MB |
| latency p95 (others' work beside it: a load of 4 to 8) | 6,910.0 ms, 1,890.0 ms | 441.3 ms, 494.5 ms |

- **Fallbacks**: the cloud never failed. The egress guard stopped the call (`egress_blocked`) for 4 of the 9
  questions: a passage's title line over a date, or over the closing marker's hexadecimal code, read as a name
  heading a contact block (docs/inspection.md). Each such answer was then written by the extractive backend,
  which embeds every sentence it weighs: some 300 ms of CPU, most of the CPU per request measured before.
- **CPU after**: the egress guard read each prompt twice (the check before the call, then the request's exact
  bytes), the system prompt included; it now reads the user's message once (strings read before are remembered
  by digest), which took 77–81 ms a request to 68–69 ms in interleaved runs of 25 users. What is left is
  spread thin: the query embedding (about 5 ms, as above), the name model on the question, the SDK's stream,
  the database, the page.
- **Memory**: loading spaCy imported torch (thinc does when it is installed) and presidio-analyzer's spaCy
  component, which imports transformers and scipy: some 300 MB a worker that nothing used, and more as the
  threads' heaps grew under load. Measured alone, a process holding the name model went from 491 to 159 MB
  with the same findings on 400 texts."""


def _served_by(run: dict[str, Any]) -> str:
    if run.get("server", "threads") == "threads":
        return f"{run.get('workers')} × {run.get('threads')} threads (gthread, WSGI)"
    return f"{run.get('workers')} uvicorn (ASGI)"


def _slow_streams(e2e: dict[str, Any]) -> str:
    """Issue 11 §1's runs: many users, each answer streamed over 10 s, on the ASGI workers and on threads."""
    runs = e2e.get("slow_streams")
    if not runs:
        return ""
    header = ("served by", "users", "answer streamed over", "requests", "errors", "first token median / p95",
              "latency median / p95", "worker CPU per request")  # fmt: skip
    rows = [
        (
            _served_by(run),
            run.get("users"),
            f"{run.get('cloud_ms', 0) / 1000:g} s",
            run.get("requests"),
            run.get("errors"),
            f"{_ms(run.get('first_token_ms'), 'median')} / {_ms(run.get('first_token_ms'))}",
            f"{_ms(run.get('latency_ms'), 'median')} / {_ms(run.get('latency_ms'))}",
            f"{run.get('cpu_s', {}).get('workers_ms_per_request', '?')} ms",
        )
        for run in [{**e2e, "server": e2e.get("server", "asgi")}, e2e.get("on_threads", {}), *runs.values()]
        if "latency_ms" in run
    ]
    first = next(iter(runs.values()))
    think = first.get("think_s") or ("?", "?")
    text = (
        "### Many slow streams (issue 11 §1)\n\n"
        "An answer streams for as long as the model writes it. The same users' loop, with the fake cloud "
        f"streaming each answer over {first.get('cloud_ms', 0) / 1000:g} s and {first.get('users')} users thinking "
        f"{think[0]}–{think[1]} s, for {first.get('duration_s')} s: on uvicorn's ASGI workers, as `manage.py serve` "
        "serves, and on gunicorn's threads, as it served before, where each stream holds one of the 2 × 4 "
        "threads and the other questions wait (an ask times out after "
        f"{first.get('request_timeout_s', '?')} s, an error). The first rows are the run above, and the same "
        "run on gunicorn's threads, for comparison."
    )
    if e2e.get("note"):
        text += f" {e2e['note']}"
    return "\n".join(["", text, "", _table(header, rows)])


def _rss(result: dict[str, Any]) -> str:
    rss = result.get("rss_mb")
    if not rss:
        return ""
    text = f"\nResident memory of a web worker with the embedding model loaded: {rss} MB (largest worker)."
    held = result.get("e2e", {}).get("worker_libraries")
    if held is None:
        return text
    torch_used = result.get("machine", {}).get("embedding_backend") == "torch"
    unused = [name for name in ("torch", "scipy") if name in held and not (name == "torch" and torch_used)]
    if unused:
        return text + f" Its native libraries: {', '.join(held)}; {' and '.join(unused)} unused, there for spaCy."
    return text + (
        f" Its native libraries: {', '.join(held)}. Until issue 15 spaCy brought in torch (thinc imports it when "
        "installed) and transformers with scipy (presidio-analyzer's spaCy component): some 300 MB a worker."
    )


def _failed_calls(e2e: dict[str, Any]) -> str:
    """ ", after <outcome> <count> …" of the window's failed cloud calls (the fake's errors, the egress guard's
    blocks), or "" without any, or for a run from before they were recorded."""
    failed = e2e.get("failed_calls")
    return ", after " + ", ".join(f"{kind} {n}" for kind, n in sorted(failed.items())) if failed else ""


def _fallback_note(e2e: dict[str, Any]) -> str:
    """What the window's fallbacks fell back from, when it had any: the outcomes of the failed cloud calls."""
    if not e2e.get("fallbacks"):
        return ""
    return f" {e2e['fallbacks']} answers fell back on-prem{_failed_calls(e2e)}."


def _remote_embedder(e2e: dict[str, Any]) -> str:
    """Issue 11 §3: the same users with EMBEDDING_BACKEND=remote, the model in infinity-emb on loopback."""
    run = e2e.get("remote_embedder")
    if not run or "latency_ms" not in run:
        return ""

    def column(one: dict[str, Any]) -> list[str]:
        return [
            f"{one.get('rss_mb', {}).get('max', '?')} MB",
            f"{one['service_rss_mb']} MB" if "service_rss_mb" in one else "–",
            f"{one.get('requests')} / {one.get('errors')}",
            f"{_ms(one['latency_ms'], 'median')} / {_ms(one['latency_ms'])}",
            f"{_ms(one.get('retrieval_ms'), 'median')} / {_ms(one.get('retrieval_ms'))}",
            f"{one.get('cpu_s', {}).get('workers_ms_per_request', '?')} ms",
        ]

    figures = ("web worker RSS, largest", "embedding service RSS", "requests / errors", "latency median / p95",
               "retrieval inside the server, median / p95", "worker CPU per request")  # fmt: skip
    rows = list(zip(figures, column(e2e), column(run), strict=True))
    text = (
        "### Embeddings as a service (issue 11 §3)\n\n"
        f"The same {run.get('users')} users for {run.get('duration_s')} s with `EMBEDDING_BACKEND=remote`: the web "
        "workers hold no embedding model and send each question's text to infinity-emb serving the same "
        "all-MiniLM-L6-v2 on 127.0.0.1 (fp32 torch, one process), as text-embeddings-inference or vLLM would "
        "on a cluster's GPU nodes. Here the service shares the same two cores, so its time is not a GPU's."
    )
    return "\n".join(["", text, "", _table(("figure", "model in each worker", "remote embedder"), rows)])


def _redaction(result: dict[str, Any], plots: dict[str, str]) -> str:
    redaction = result.get("redaction")
    if not redaction:
        return ""
    lines = [
        "## Redaction: Sluice's inspector and Presidio",
        "",
        "Texts per second through the detector alone and recall on structured identifiers, on the same "
        f"texts; {redaction.get('matching', '')}. Presidio {redaction.get('presidio', {}).get('version', '')}: "
        "`presidio_patterns` is its six recognizers of these kinds with its no-op NLP engine (its cheapest "
        "set-up, so the conservative comparison), `presidio_all_patterns` its whole default registry "
        "without a model. `sluice` is every detector but the name model, like for like with those; "
        "`sluice_with_names` adds the name model, as the gate reads a question.",
    ]
    sets = [(redaction.get("source", "generated texts"), redaction)]
    dev = redaction.get("presidio_synth_dev", {})
    if "skipped" not in dev:
        sets.append(("Presidio's synthetic dev set (../shared/eval/pii/presidio-synth-dev.jsonl)", dev))
    for source, data in sets:
        lines += ["", f"**{source}**", "", _engines_table(data)]
    for name, data in redaction.items():
        if isinstance(data, dict) and "skipped" in data:
            lines += ["", f"`{name}`: not measured ({data['skipped']})."]
    return "\n".join(lines)


def _engines_table(data: dict[str, Any]) -> str:
    engines = [(name, row) for name, row in data.items() if isinstance(row, dict) and "texts_per_s" in row]
    kinds = sorted({kind for _, row in engines for kind in row.get("recall", {}) if kind != "structured"})
    rows = [
        (
            name,
            row["texts_per_s"],
            row.get("recall", {}).get("structured", "–"),
            row.get("precision", {}).get("structured", "–"),
            *(row.get("recall", {}).get(k, "–") for k in kinds),
        )
        for name, row in engines
    ]
    return _table(("engine", "texts/s", "recall", "precision", *(f"recall: {k}" for k in kinds)), rows)


def _cost(result: dict[str, Any], plots: dict[str, str]) -> str:
    cost = result.get("policy_cost")
    if not cost or "policies" not in cost:
        return ""
    zones = sorted({zone for p in cost["policies"].values() for zone in p.get("zones", {})})
    rows = [
        (
            name,
            f"${p['cost_per_1k_usd']:.2f}",
            *(f"{p.get('zones', {}).get(z, 0):.0%}" for z in zones),
            p.get("violations"),
        )
        for name, p in cost["policies"].items()
    ]
    workload = cost.get("workload", {})
    prices = cost.get("prices", {})
    mix = ", ".join(f"{kind} {n}" for kind, n in workload.get("mix", {}).items())
    lines = [
        "## Cost: the default policy against cloud-only",
        "",
        f"The recorded workload of benchmarks/workload.yaml ({workload.get('requests', '?')} requests by "
        f"personas of every role and clearance: {mix}) asked through the `ask` service under each policy, "
        "the cloud and the on-prem model being fake servers on 127.0.0.1 (the cloud's token counts are "
        f"its usage fields). Prices: {prices.get('cloud_model', '?')} at ${prices.get('input_per_mtok_usd', '?')} "
        f"in / ${prices.get('output_per_mtok_usd', '?')} out per million tokens; on-prem answers cost no API "
        "spend. Cloud-only (benchmarks/cloud_only_policy.yaml) sends everything the gate lets out to the "
        "cloud, the rest to the extractive answer. Violations are counted on the wire, from what the fake "
        "cloud received: classified passages above what the policy allows out, or personal data and "
        "secrets in the clear.",
        "",
        _table(("policy", "cost per 1,000 requests", *zones, "violations"), rows),
    ]
    if "cost" in plots:
        lines += ["", f"![Cost per 1,000 requests]({plots['cost']})"]
    return "\n".join(lines)


def _footer() -> str:
    return (
        "## Elsewhere\n\n"
        "Retrieval quality on the whole of SciFact, the fusion study and embedding speed on a GPU are "
        "measured by separate, longer commands: [retrieval-evaluation.md](retrieval-evaluation.md)."
    )


def _latency_plot(result: dict[str, Any], folder: Path) -> Path | None:
    series = []
    gate = result.get("gate_overhead_ms", {})
    if gate.get("samples"):
        series.append(("gate overhead", gate["samples"]))
    gateway = result.get("gateway_overhead_ms", {})
    if gateway.get("samples"):
        series.append(("gateway overhead", gateway["samples"]))
    latency = result.get("retrieval", {}).get("latency", {})
    for mode in ("hybrid", "vector", "keyword"):
        if latency.get(mode, {}).get("samples"):
            series.append((f"search: {mode}", latency[mode]["samples"]))
    e2e = result.get("e2e", {})
    for key, label in (("first_token_ms", "e2e first token"), ("latency_ms", "e2e answer")):
        if e2e.get(key, {}).get("samples"):
            series.append((label, e2e[key]["samples"]))
    if not series:
        return None
    fig, ax = plt.subplots(figsize=(8, 0.6 * len(series) + 1.2))
    ax.boxplot([s for _, s in series], orientation="horizontal", whis=(5, 95), showfliers=False)
    ax.set_yticks(range(1, len(series) + 1), [name for name, _ in series])
    ax.set_xscale("log")
    ax.set_xlabel("milliseconds (log scale; box: quartiles, whiskers: p5–p95)")
    return _save(fig, folder / "latency.png")


def _quality_plot(result: dict[str, Any], folder: Path) -> Path | None:
    modes = result.get("retrieval", {}).get("quality", {}).get("modes")
    if not modes:
        return None
    fig, ax = plt.subplots(figsize=(8, 3.2))
    names = list(modes)
    ax.barh(names, [modes[n]["ndcg@10"] for n in names], color="#4c72b0")
    ax.invert_yaxis()
    ax.set_xlabel("nDCG@10")
    ax.set_xlim(0, 1)
    for i, name in enumerate(names):
        ax.text(modes[name]["ndcg@10"] + 0.01, i, f"{modes[name]['ndcg@10']:.3f}", va="center")
    return _save(fig, folder / "quality.png")


def _cost_plot(result: dict[str, Any], folder: Path) -> Path | None:
    policies = result.get("policy_cost", {}).get("policies")
    if not policies:
        return None
    fig, ax = plt.subplots(figsize=(6, 2.4))
    names = list(policies)
    values = [policies[n]["cost_per_1k_usd"] for n in names]
    ax.barh(names, values, color=["#55a868", "#c44e52"][: len(names)])
    ax.invert_yaxis()
    ax.set_xlabel("US dollars per 1,000 requests")
    for i, value in enumerate(values):
        ax.text(value, i, f" ${value:.2f}", va="center")
    return _save(fig, folder / "cost.png")


def _save(fig: Any, path: Path) -> Path:
    fig.tight_layout()
    # No timestamps in the PNG's metadata, so an unchanged figure leaves git quiet.
    fig.savefig(path, dpi=100, metadata={"Software": None})
    plt.close(fig)
    return path
