"""Server-sent events for an answer being written: `delta`, `restart`, then `final` with the whole answer (its
HTML for the page, its JSON record for the API)."""

from __future__ import annotations

import json
import logging
from collections.abc import Callable, Iterable, Iterator
from typing import Any

from assistant.services import KeptAnswer
from routing.runner import Delta, Restart

logger = logging.getLogger(__name__)


def frame(event: str, data: dict[str, Any]) -> str:
    """One event in the text/event-stream format (the data is one line of JSON)."""
    return f"event: {event}\ndata: {json.dumps(data, ensure_ascii=False)}\n\n"


def answer_events(
    events: Iterable[Delta | Restart | KeptAnswer], final_data: Callable[[KeptAnswer], dict[str, Any]]
) -> Iterator[str]:
    """The stream_answer() events as SSE frames. The final frame carries `final_data` of the whole answer
    (the page: its HTML rendered by the server, escaped by the template), which replaces what the deltas
    built."""
    for event in events:
        if isinstance(event, Delta):
            yield frame("delta", {"text": event.text})
        elif isinstance(event, Restart):
            yield frame("restart", {"reason": event.reason})
        else:
            try:
                data = final_data(event)
            except Exception:  # the answer is written and audited: say so rather than end in silence
                logger.exception("Rendering the final answer failed (audit #%s)", event.answer.audit_id)
                yield frame(
                    "error",
                    {
                        "message": f"The answer was written (audit #{event.answer.audit_id}) but cannot be "
                        "shown. Reload the page to see it in your history."
                    },
                )
                return
            yield frame("final", data)
