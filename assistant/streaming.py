"""Server-sent events for an answer being written: `delta`, `restart`, then `final` with the answer's HTML."""

from __future__ import annotations

import json
import logging
from collections.abc import Callable, Iterable, Iterator

from assistant.services import KeptAnswer
from routing.runner import Delta, Restart

logger = logging.getLogger(__name__)


def frame(event: str, data: dict[str, str]) -> str:
    """One event in the text/event-stream format (the data is one line of JSON)."""
    return f"event: {event}\ndata: {json.dumps(data, ensure_ascii=False)}\n\n"


def answer_events(
    events: Iterable[Delta | Restart | KeptAnswer], render_final: Callable[[KeptAnswer], str]
) -> Iterator[str]:
    """The stream_answer() events as SSE frames. The final frame carries the whole answer rendered by
    the server (escaped by the template), which replaces what the deltas built."""
    for event in events:
        if isinstance(event, Delta):
            yield frame("delta", {"text": event.text})
        elif isinstance(event, Restart):
            yield frame("restart", {"reason": event.reason})
        else:
            try:
                html = render_final(event)
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
            yield frame("final", {"html": html})
