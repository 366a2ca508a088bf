"""ThreadedStreamingResponse under ASGI (assistant/streaming.py): each step of the answer's generator in a pool
thread, never on the event loop, and the generator closed when the client leaves."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Iterator

from assistant.streaming import ThreadedStreamingResponse


def test_each_step_runs_in_a_pool_thread_and_the_parts_arrive_in_order() -> None:
    ran_in: list[str] = []

    def parts() -> Iterator[str]:
        for text in ("one ", "two ", "three"):
            ran_in.append(threading.current_thread().name)
            yield text

    async def read() -> list[bytes]:
        return [part async for part in ThreadedStreamingResponse(parts())]

    assert asyncio.run(read()) == [b"one ", b"two ", b"three"]
    assert ran_in and all(name.startswith("stream") for name in ran_in)


def test_a_client_that_leaves_gets_the_generator_closed() -> None:
    closed = threading.Event()

    def parts() -> Iterator[str]:
        try:
            while True:
                yield "more "
        except GeneratorExit:
            closed.set()  # where the gate records an abandoned answer
            raise

    async def read_two() -> None:
        response = ThreadedStreamingResponse(parts())
        stream = aiter(response)
        await anext(stream)
        await anext(stream)
        await stream.aclose()

    asyncio.run(read_two())
    assert closed.is_set()


def test_under_wsgi_it_is_iterated_as_any_streaming_response() -> None:
    response = ThreadedStreamingResponse(iter(["a", "b"]))
    assert list(response) == [b"a", b"b"]
