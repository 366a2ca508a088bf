"""What the fake model servers share: a real HTTP/1.1 server on loopback, scripts, and a recorder.

A fake listens on 127.0.0.1 on a free port, in a background thread, and is told
per test how to behave through a Script: what to answer, how slowly, with which
error status, or to hang, drop the stream half-way or send garbage. It records
every request it receives, byte for byte, so a test can assert what left.
Streams are sent with chunked transfer encoding, as the real APIs do, so a
dropped stream is a truncated chunked body to the client.
"""

from __future__ import annotations

import contextlib
import json
import re
import socket
import sys
import threading
from collections import deque
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

# A hung request is released at teardown, or after this long at the latest.
MAX_HANG_SECONDS = 30.0
# Streamed tool input is cut every this many characters: a cut can fall inside a key or a string value,
# as it does in the real APIs' streams, so a client that parses each piece on its own is caught.
ARGUMENT_PIECE_CHARS = 7


@dataclass(frozen=True)
class FakeToolCall:
    """A tool call the fake model makes: the tool's name and its input (a JSON object).

    id: the call's id on the wire; None lets the server make one (toolu_fake... for Anthropic,
    call_fake... for OpenAI), new for each reply.
    """

    name: str
    arguments: dict[str, Any]
    id: str | None = None

    def arguments_json(self) -> str:
        """The input as the model writes it: JSON with spaces after separators, non-ASCII kept."""
        return json.dumps(self.arguments, ensure_ascii=False)

    def argument_pieces(self) -> list[str]:
        """arguments_json() cut into the pieces a stream sends."""
        text = self.arguments_json()
        return [text[i : i + ARGUMENT_PIECE_CHARS] for i in range(0, len(text), ARGUMENT_PIECE_CHARS)]


@dataclass(frozen=True)
class Script:
    """How the fake answers a request.

    text: the reply, streamed as `chunks` (default: split after each space).
    status: an error status to answer with instead (429, 500, 529 ...); retry_after goes with 429/529.
    delay_first_byte / delay_between_chunks: seconds, to make it slow.
    hang: accept the request and never answer.
    drop_after: close the connection after this many stream events, mid-stream.
    garbage: answer 200 with a body (or an SSE event) that is not the protocol.
    error_after: send an error inside the stream after this many events (Anthropic: an `error` event of
        type error_type) or content chunks, text or tool-call pieces (OpenAI: an {"error": ...} object, as
        vLLM does).
    model: the model the server reports (default: the one asked for).
    tool_calls: tool calls the reply makes after its text, stopping for tool use (Anthropic stop_reason
        "tool_use", OpenAI finish_reason "tool_calls"). The text goes before them unless it is empty: set
        text="" for a reply that only calls tools.
    """

    text: str = "Deploys are rolled back from the deploy dashboard [1]."
    chunks: tuple[str, ...] | None = None
    status: int = 200
    retry_after: float | None = None
    delay_first_byte: float = 0.0
    delay_between_chunks: float = 0.0
    hang: bool = False
    drop_after: int | None = None
    garbage: bool = False
    error_after: int | None = None
    error_type: str = "overloaded_error"
    model: str | None = None
    input_tokens: int | None = None
    output_tokens: int | None = None
    tool_calls: tuple[FakeToolCall, ...] = ()

    def deltas(self) -> tuple[str, ...]:
        return self.chunks if self.chunks is not None else tuple(re.findall(r"\S+\s*|\s+", self.text))

    def completion_tokens(self) -> int:
        """The output tokens reported: output_tokens, or one a text delta plus an estimate for each tool call."""
        if self.output_tokens:
            return self.output_tokens
        calls = sum(estimate_tokens(call.name + call.arguments_json()) for call in self.tool_calls)
        return len(self.deltas()) + calls


@dataclass(frozen=True)
class RecordedRequest:
    """One request as the fake received it; `raw` is every byte read from the socket for it (body included)."""

    method: str
    path: str
    headers: dict[str, str]
    body: bytes
    raw: bytes = field(repr=False)

    def json(self) -> Any:
        return json.loads(self.body)


class _TeeReader:
    """The socket's reader, keeping a copy of every byte read."""

    def __init__(self, wrapped: Any) -> None:
        self.wrapped = wrapped
        self.seen = bytearray()

    def readline(self, limit: int = -1) -> bytes:
        data = self.wrapped.readline(limit)
        self.seen += data
        return data

    def read(self, n: int = -1) -> bytes:
        data = self.wrapped.read(n)
        self.seen += data
        return data

    def close(self) -> None:
        self.wrapped.close()


class FakeHandler(BaseHTTPRequestHandler):
    """Request plumbing; subclasses implement route(), using the helpers below."""

    protocol_version = "HTTP/1.1"
    server: FakeServer

    def setup(self) -> None:
        super().setup()
        self.rfile = _TeeReader(self.rfile)  # type: ignore[assignment]

    def handle_one_request(self) -> None:
        self.rfile.seen.clear()  # type: ignore[attr-defined]
        super().handle_one_request()

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002
        pass  # tests stay quiet

    def do_GET(self) -> None:
        self._dispatch()

    def do_POST(self) -> None:
        self._dispatch()

    def _dispatch(self) -> None:
        length = int(self.headers.get("content-length") or 0)
        body = self.rfile.read(length) if length else b""
        request = RecordedRequest(
            method=self.command,
            path=self.path,
            headers={k.lower(): v for k, v in self.headers.items()},
            body=body,
            raw=bytes(self.rfile.seen),  # type: ignore[attr-defined]
        )
        script = self.server.record(request)
        if script.hang:
            self.server.stopping.wait(MAX_HANG_SECONDS)
            self.close_connection = True
            return
        if script.delay_first_byte and self.server.stopping.wait(script.delay_first_byte):
            self.close_connection = True
            return
        self.route(request, script)

    def route(self, request: RecordedRequest, script: Script) -> None:
        raise NotImplementedError

    # -- answering -------------------------------------------------------------------------------

    def send_json(self, status: int, document: Any, headers: dict[str, str] | None = None) -> None:
        self.send_bytes(status, json.dumps(document).encode(), "application/json", headers)

    def send_bytes(self, status: int, body: bytes, content_type: str, headers: dict[str, str] | None = None) -> None:
        self.send_response(status)
        self.send_header("content-type", content_type)
        self.send_header("content-length", str(len(body)))
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(body)
        self.wfile.flush()

    def start_stream(self, headers: dict[str, str] | None) -> None:
        """The status line and headers of an SSE answer sent as a chunked body."""
        self.send_response(200)
        self.send_header("content-type", "text/event-stream; charset=utf-8")
        self.send_header("cache-control", "no-cache")
        self.send_header("transfer-encoding", "chunked")
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.flush()

    def send_stream(self, events: Iterator[bytes], script: Script, headers: dict[str, str] | None = None) -> None:
        """Send SSE events as a chunked body, paced and possibly cut short as the script says."""
        self.start_stream(headers)
        for sent, event in enumerate(events):
            if script.drop_after is not None and sent >= script.drop_after:
                self._drop()
                return
            if sent and script.delay_between_chunks and self.server.stopping.wait(script.delay_between_chunks):
                self._drop()
                return
            self.wfile.write(b"%x\r\n%s\r\n" % (len(event), event))
            self.wfile.flush()
        self.wfile.write(b"0\r\n\r\n")
        self.wfile.flush()

    def _drop(self) -> None:
        # No terminating chunk: the client sees the body end in the middle.
        self.wfile.flush()
        self.close_connection = True
        with contextlib.suppress(OSError):
            self.connection.shutdown(socket.SHUT_RDWR)


class FakeServer(ThreadingHTTPServer):
    """A fake API on 127.0.0.1:<free port>, serving in a background thread until stop()."""

    daemon_threads = True
    block_on_close = False
    handler: type[FakeHandler]

    def __init__(self, *, api_key: str | None = None, models: tuple[str, ...] = ()) -> None:
        super().__init__(("127.0.0.1", 0), self.handler)
        self.api_key = api_key
        self.models = models
        self.default = Script()
        self.scripts: deque[Script] = deque()
        self.requests: list[RecordedRequest] = []
        self.stopping = threading.Event()
        self._lock = threading.Lock()
        self._thread = threading.Thread(target=self.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}"

    def start(self) -> FakeServer:
        self._thread.start()
        return self

    def stop(self) -> None:
        self.stopping.set()
        self.shutdown()
        self.server_close()
        self._thread.join(timeout=5)

    def behave(self, **changes: Any) -> None:
        """Answer every following request this way (fields of Script)."""
        self.default = replace(Script(), **changes)

    def enqueue(self, *scripts: Script) -> None:
        """Answer the next requests with these scripts, in order, then with the default again."""
        self.scripts.extend(scripts)

    def record(self, request: RecordedRequest) -> Script:
        with self._lock:
            self.requests.append(request)
            return self.scripts.popleft() if self.scripts else self.default

    def handle_error(self, request: Any, client_address: Any) -> None:
        # A client that gives up (a timeout, an abandoned stream) is what these tests do on purpose.
        if isinstance(sys.exc_info()[1], ConnectionError):
            return
        super().handle_error(request, client_address)

    def received(self) -> bytes:
        """Every byte every request brought, concatenated: what a leak test searches."""
        with self._lock:
            return b"".join(r.raw for r in self.requests)


def sse(data: Any, event: str | None = None) -> bytes:
    """One server-sent event; `data` is JSON-encoded unless it is already a string."""
    payload = data if isinstance(data, str) else json.dumps(data, separators=(",", ":"))
    head = f"event: {event}\n" if event else ""
    return f"{head}data: {payload}\n\n".encode()


def estimate_tokens(text: str) -> int:
    """A stable stand-in for a tokenizer: about four characters a token."""
    return max(1, len(text) // 4)
