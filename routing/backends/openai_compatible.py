"""The on-prem backend: any server speaking OpenAI's chat-completions API, through the official SDK.

vLLM, llama.cpp's server, Ollama and TGI all serve /v1/chat/completions with
streaming; LOCAL_LLM_BASE_URL names it (with /v1) and LOCAL_LLM_MODEL the model.
The SDK does no retries (max_retries=0): the gateway decides.
"""

from __future__ import annotations

from collections.abc import Generator, Sequence
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

import httpx2
import openai
from django.conf import settings

from routing.backends.base import (
    GARBAGE,
    HEALTH_TIMEOUT,
    MAX_ANSWER_TOKENS,
    BackendError,
    Bundle,
    Deadlines,
    ErrorKind,
    Finish,
    Health,
    HttpChatBackend,
    Usage,
    build_prompt,
    kind_for_status,
    retry_after_seconds,
)
from routing.chat import Chat, Speaker, ToolCall
from routing.errors import EgressBlocked
from routing.load import READ_TIMEOUT_S, parse_load
from routing.policy.decide import Load

if TYPE_CHECKING:
    from inspection import CustomPattern

# Servers without authentication still need a key: the SDK refuses to start without one
# (and would otherwise read OPENAI_API_KEY from the environment and send it here).
NO_KEY = "sluice-no-key"


class OpenAICompatibleBackend(HttpChatBackend):
    name = "openai_compatible"
    zone = "onprem"
    settings_prefix = "LOCAL_LLM_"  # a change to any of these settings makes a new instance

    def __init__(
        self,
        *,
        base_url: str | None = None,
        model: str | None = None,
        api_key: str | None = None,
        first_token_timeout: float | None = None,
        total_timeout: float | None = None,
        egress_custom: Sequence[CustomPattern] = (),
        guard_egress: bool = False,
    ) -> None:
        """Arguments left out come from settings (LOCAL_LLM_*). On-prem, the egress guard is off by default."""
        self.base_url = base_url or settings.LOCAL_LLM_BASE_URL
        self.model = model or settings.LOCAL_LLM_MODEL
        self._api_key = (settings.LOCAL_LLM_API_KEY if api_key is None else api_key) or NO_KEY
        super().__init__(
            first_token_timeout=first_token_timeout,
            total_timeout=total_timeout,
            egress_custom=egress_custom,
            guard_egress=guard_egress,
        )

    def generate(self, bundle: Bundle) -> Generator[str, None, Finish]:
        """Stream the answer from /chat/completions; return the Finish (model, usage) the server reported.

        Raises BackendError.
        """
        prompt = build_prompt(bundle)
        params = {
            "messages": [{"role": "system", "content": prompt.system}, {"role": "user", "content": prompt.user}],
            # max_tokens, not max_completion_tokens: the older name is the one every server knows.
            "max_tokens": MAX_ANSWER_TOKENS,
            "temperature": 0.0,
        }
        return (yield from self._completions(params))

    def generate_chat(self, chat: Chat) -> Generator[str | ToolCall, None, Finish]:
        """Stream a gateway conversation (routing.chat): text deltas and, once the model finished, the tool
        calls it made (their arguments arrive in pieces); return the Finish the server reported."""
        return (yield from self._completions(completions_params(chat)))

    def _completions(self, params: dict[str, Any]) -> Generator[str | ToolCall, None, Finish]:
        client = self._sdk()
        deadlines = Deadlines(first_token=self.first_token_timeout, total=self.total_timeout)
        model, usage, finish_reason = self.model, None, None
        responded = chunks = False
        calls: dict[int, dict[str, str]] = {}  # tool calls being written, by index
        try:
            stream = client.chat.completions.create(
                model=self.model, stream=True, stream_options={"include_usage": True}, **params
            )
            responded = True
            with stream:
                for chunk in stream:
                    deadlines.check()
                    chunks = True
                    model = chunk.model or model
                    if chunk.usage is not None:
                        usage = Usage(
                            input_tokens=chunk.usage.prompt_tokens, output_tokens=chunk.usage.completion_tokens
                        )
                    for choice in chunk.choices[:1]:
                        if choice.delta.content:
                            deadlines.token()
                            yield choice.delta.content
                        for piece in choice.delta.tool_calls or ():
                            deadlines.token()
                            call = calls.setdefault(piece.index, {"id": "", "name": "", "arguments": ""})
                            call["id"] = piece.id or call["id"]
                            if piece.function is not None:
                                call["name"] += piece.function.name or ""
                                call["arguments"] += piece.function.arguments or ""
                        finish_reason = choice.finish_reason or finish_reason
        except EgressBlocked:
            raise
        except openai.APIStatusError as err:
            raise status_error(err) from None
        except openai.APITimeoutError:
            raise BackendError(
                f"openai_compatible: nothing received for {self.first_token_timeout:g}s", kind=ErrorKind.TIMEOUT
            ) from None
        except openai.APIConnectionError:
            if responded:
                raise BackendError("openai_compatible: stream broken", kind=ErrorKind.DROPPED_STREAM) from None
            raise BackendError("openai_compatible: cannot connect", kind=ErrorKind.UNREACHABLE) from None
        except openai.APIError as err:
            # An {"error": ...} object inside the stream (vLLM sends these).
            raise BackendError(f"openai_compatible: error in stream: {err.message[:200]}") from None
        except (openai.OpenAIError, *GARBAGE) as err:
            if not responded:
                raise  # our own mistake in calling the SDK, not the server's
            raise BackendError(
                f"openai_compatible: malformed stream ({type(err).__name__})", kind=ErrorKind.BAD_RESPONSE
            ) from None
        if not chunks:
            raise BackendError("openai_compatible: the stream had no chunks", kind=ErrorKind.BAD_RESPONSE)
        if finish_reason is None:
            raise BackendError(
                "openai_compatible: the stream ended before finish_reason", kind=ErrorKind.DROPPED_STREAM
            )
        for index in sorted(calls):
            call = calls[index]
            yield ToolCall(call["id"] or f"call_{index}", call["name"], call["arguments"])
        return Finish(model=model, usage=usage, stop_reason=finish_reason)

    def health(self) -> Health:
        """Up when the server lists its models (GET /v1/models); the detail says whether ours is among them."""
        if not self.base_url or not self.model:
            return Health(ok=False, detail="LOCAL_LLM_BASE_URL and LOCAL_LLM_MODEL are not set")
        try:
            page = self._sdk().models.list(timeout=min(HEALTH_TIMEOUT, self.first_token_timeout))
            served = [m.id for m in page.data]
        except openai.APIStatusError as err:
            return Health(ok=False, detail=status_error(err).message)
        except openai.APITimeoutError:
            return Health(ok=False, detail="openai_compatible: no response")
        except openai.APIConnectionError:
            return Health(ok=False, detail="openai_compatible: cannot connect")
        except (openai.OpenAIError, *GARBAGE):
            return Health(ok=False, detail="openai_compatible: malformed response")
        # Servers with one model (llama.cpp) answer whatever name is asked for, so
        # a model missing from the list is reported, not counted as down.
        if self.model in served:
            return Health(ok=True, detail=f"{self.model} served")
        return Health(ok=True, detail=f"up, but {self.model} is not listed (serves {', '.join(served) or 'nothing'})")

    def metrics_url(self) -> str:
        """LOCAL_LLM_METRICS_URL, else /metrics at the root of the base URL (where vLLM and llama.cpp serve it)."""
        if settings.LOCAL_LLM_METRICS_URL:
            return str(settings.LOCAL_LLM_METRICS_URL)
        if not self.base_url:
            return ""
        root = self.base_url.rstrip("/").removesuffix("/v1")
        return f"{root}/metrics"

    def load(self) -> Load:
        """The server's queue from its Prometheus metrics (routing/load.py). Never raises: unknown, saying why,
        when they cannot be read. The API key goes along only to the server's own origin (llama.cpp wants it)."""
        url = self.metrics_url()
        if not url:
            return Load(unknown="LOCAL_LLM_BASE_URL is not set")
        headers = {}
        if self._api_key != NO_KEY and urlsplit(url)[:2] == urlsplit(self.base_url)[:2]:
            headers["authorization"] = f"Bearer {self._api_key}"
        try:
            response = httpx2.get(url, headers=headers, timeout=READ_TIMEOUT_S)
        except httpx2.TimeoutException:
            return Load(unknown=f"no answer from {url} within {READ_TIMEOUT_S:g}s")
        except httpx2.HTTPError as err:
            return Load(unknown=f"cannot read {url} ({type(err).__name__})")
        if response.status_code != 200:
            return Load(unknown=f"{url} answered {response.status_code}")
        return parse_load(response.text)

    def _sdk(self) -> openai.OpenAI:
        if not self.base_url or not self.model:
            raise BackendError("LOCAL_LLM_BASE_URL and LOCAL_LLM_MODEL are not set", kind=ErrorKind.NOT_FOUND)
        if self._client is None:
            self._client = openai.OpenAI(
                api_key=self._api_key,
                base_url=self.base_url,
                max_retries=0,
                # A read timeout of the first-token time: no byte for that long is a timeout.
                timeout=httpx2.Timeout(self.first_token_timeout),
                http_client=openai.DefaultHttpxClient(event_hooks=self._event_hooks()),
            )
        return self._client


def status_error(err: openai.APIStatusError) -> BackendError:
    """An error response of an OpenAI-compatible server as a BackendError."""
    detail = f"openai_compatible {err.status_code}"
    if isinstance(err.body, dict) and isinstance(err.body.get("message"), str):
        detail += f": {err.body['message'][:200]}"
    return BackendError(
        detail, kind=kind_for_status(err.status_code), retry_after=retry_after_seconds(err.response.headers)
    )


def completions_params(chat: Chat) -> dict[str, Any]:
    """A conversation as /chat/completions takes it."""
    messages: list[dict[str, Any]] = [{"role": "system", "content": chat.system}] if chat.system else []
    for message in chat.messages:
        if message.role == Speaker.TOOL:
            messages.append({"role": "tool", "tool_call_id": message.tool_call_id, "content": message.text})
            continue
        turn: dict[str, Any] = {"role": str(message.role), "content": message.text or None}
        if message.tool_calls:
            turn["tool_calls"] = [
                {"id": c.id, "type": "function", "function": {"name": c.name, "arguments": c.arguments}}
                for c in message.tool_calls
            ]
        elif turn["content"] is None:
            turn["content"] = ""
        messages.append(turn)
    params: dict[str, Any] = {"messages": messages}
    if chat.max_tokens:
        params["max_tokens"] = chat.max_tokens
    for name in ("temperature", "top_p"):
        if getattr(chat, name) is not None:
            params[name] = getattr(chat, name)
    if chat.stop:
        params["stop"] = list(chat.stop)
    if chat.tools:
        params["tools"] = [
            {"type": "function", "function": {"name": t.name, "description": t.description, "parameters": t.parameters}}
            for t in chat.tools
        ]
    if chat.tool_choice:
        named = {"type": "function", "function": {"name": chat.tool_choice}}
        params["tool_choice"] = chat.tool_choice if chat.tool_choice in ("auto", "none", "required") else named
    return params
