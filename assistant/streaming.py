"""Server-sent events for an answer being written: `delta`, `restart`, then `final` with the whole answer (its
HTML for the page, its JSON record for the API), and the response that streams them under ASGI without a
thread of its own for the whole answer (ThreadedStreamingResponse)."""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import threading
from collections.abc import AsyncIterator, Callable, Iterable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any

from asgiref.sync import sync_to_async
from django.conf import settings
from django.db import connections
from django.http import StreamingHttpResponse

from assistant.services import KeptAnswer
from routing.runner import Delta, Restart

logger = logging.getLogger(__name__)

_pool: ThreadPoolExecutor | None = None
_pool_lock = threading.Lock()
_DONE = object()


def stream_pool() -> ThreadPoolExecutor:
    """The process's threads that read answers chunk by chunk (STREAM_THREADS of them at most, started as
    needed)."""
    global _pool
    with _pool_lock:
        if _pool is None:
            _pool = ThreadPoolExecutor(max_workers=settings.STREAM_THREADS, thread_name_prefix="stream")
        return _pool


def _step(items: Iterator[Any]) -> Any:
    try:
        return next(items, _DONE)
    finally:
        # The next step may run in another thread: a connection kept here would outlive its use (the gate
        # reads and writes only in its first and last steps, never inside a transaction across a chunk).
        connections.close_all()


def _close_after(step: Future[Any] | None, items: Iterator[Any]) -> None:
    # A generator cannot be closed while it runs in another thread: wait for the step in flight first.
    if step is not None:
        with contextlib.suppress(Exception):
            step.result()
    try:
        close = getattr(items, "close", None)
        if close is not None:
            close()  # GeneratorExit inside: the gate records the answer as abandoned, and audits it
    finally:
        connections.close_all()


async def in_stream_threads(items: Iterator[Any]) -> AsyncIterator[Any]:
    """`items`, a sync iterator, read asynchronously: each next() in a thread of stream_pool(), which is
    held only for that step (the gate's work, or the wait for the model's next chunk), never by the
    connection in between. Closed early (the client left), `items` is closed once its step in flight is
    done, and this waits for that."""
    loop = asyncio.get_running_loop()
    step: Future[Any] | None = None
    try:
        while True:
            step = stream_pool().submit(_step, items)
            item = await asyncio.wrap_future(step, loop=loop)
            step = None
            if item is _DONE:
                return
            yield item
    finally:
        closing = stream_pool().submit(_close_after, step, items)
        await asyncio.shield(asyncio.wrap_future(closing, loop=loop))


class ThreadedStreamingResponse(StreamingHttpResponse):
    """A StreamingHttpResponse over a sync iterator that an ASGI server streams through in_stream_threads()
    instead of reading it whole first (Django's fallback for a sync iterator under ASGI). Under WSGI and
    Django's test client it is iterated as any StreamingHttpResponse."""

    def __init__(self, items: Iterator[Any], **kwargs: Any) -> None:
        super().__init__(items, **kwargs)
        self._items = items

    async def __aiter__(self) -> AsyncIterator[bytes]:
        # The view's thread (the request's own) kept the connection it used, until the response ends, by
        # Django's signal: closed now, a stream of 10 s does not hold it (200 streams held 200, more than
        # PostgreSQL takes).
        await sync_to_async(connections.close_all)()
        async for part in in_stream_threads(self._items):
            yield self.make_bytes(part)


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
