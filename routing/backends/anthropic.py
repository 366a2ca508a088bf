"""The cloud backend: Anthropic's Messages API, streamed through the official SDK.

Enabled when ANTHROPIC_API_KEY is set. The SDK does no retries (max_retries=0):
the gateway decides whether to retry or fall back. Every request passes the
egress guard, on the exact bytes the SDK is about to send, before it leaves.
"""

from __future__ import annotations

import json
from collections.abc import Generator, Sequence
from typing import TYPE_CHECKING, Any

import anthropic
import httpx2
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

if TYPE_CHECKING:
    from inspection import CustomPattern

# error.type in Anthropic's error bodies (https://docs.anthropic.com/en/api/errors), also sent mid-stream.
ERROR_TYPE_KINDS = {
    "overloaded_error": ErrorKind.OVERLOADED,
    "rate_limit_error": ErrorKind.RATE_LIMITED,
    "api_error": ErrorKind.SERVER_ERROR,
    "timeout_error": ErrorKind.TIMEOUT,
    "authentication_error": ErrorKind.AUTH,
    "permission_error": ErrorKind.AUTH,
    "billing_error": ErrorKind.AUTH,
    "not_found_error": ErrorKind.NOT_FOUND,
    "invalid_request_error": ErrorKind.BAD_REQUEST,
    "request_too_large": ErrorKind.BAD_REQUEST,
}


class AnthropicBackend(HttpChatBackend):
    name = "anthropic"
    zone = "cloud"
    settings_prefix = "ANTHROPIC_"  # a change to any of these settings makes a new instance

    def __init__(
        self,
        *,
        api_key: str | None = None,
        base_url: str | None = None,
        model: str | None = None,
        first_token_timeout: float | None = None,
        total_timeout: float | None = None,
        egress_custom: Sequence[CustomPattern] = (),
        guard_egress: bool = True,
    ) -> None:
        """Arguments left out come from settings (ANTHROPIC_*)."""
        self._api_key = settings.ANTHROPIC_API_KEY if api_key is None else api_key
        self.base_url = (settings.ANTHROPIC_BASE_URL if base_url is None else base_url) or None
        self.model = model or settings.ANTHROPIC_MODEL
        self.price_input_per_mtok = settings.ANTHROPIC_PRICE_INPUT_PER_MTOK
        self.price_output_per_mtok = settings.ANTHROPIC_PRICE_OUTPUT_PER_MTOK
        super().__init__(
            first_token_timeout=first_token_timeout,
            total_timeout=total_timeout,
            egress_custom=egress_custom,
            guard_egress=guard_egress,
        )

    def generate(self, bundle: Bundle) -> Generator[str, None, Finish]:
        """Stream the answer from the Messages API; return the Finish the server reported.

        Raises BackendError (EgressBlocked when the payload still holds sensitive data).
        """
        prompt = build_prompt(bundle)
        # This SDK's Messages API takes no temperature: the model's default sampling applies.
        params = {
            "max_tokens": MAX_ANSWER_TOKENS,
            "system": prompt.system,
            "messages": [{"role": "user", "content": prompt.user}],
        }
        return (yield from self._messages(params))

    def generate_chat(self, chat: Chat) -> Generator[str | ToolCall, None, Finish]:
        """Stream a gateway conversation (routing.chat) from the Messages API: text deltas and, each once
        complete, the tool calls the model made; return the Finish the server reported."""
        return (yield from self._messages(messages_params(chat)))

    def _messages(self, params: dict[str, Any]) -> Generator[str | ToolCall, None, Finish]:
        client = self._sdk()
        deadlines = Deadlines(first_token=self.first_token_timeout, total=self.total_timeout)
        responded = started = stopped = False
        try:
            with client.messages.stream(model=self.model, **params) as stream:
                responded = True
                for event in stream:
                    deadlines.check()
                    if event.type == "message_start":
                        started = True
                    elif event.type == "text" and event.text:
                        deadlines.token()
                        yield event.text
                    elif event.type == "content_block_stop" and event.content_block.type == "tool_use":
                        deadlines.token()
                        block = event.content_block
                        yield ToolCall(block.id, block.name, json.dumps(block.input, ensure_ascii=False))
                    elif event.type == "message_stop":
                        stopped = True
                message = stream.current_message_snapshot if started else None
        except anthropic.APIStatusError as err:
            raise status_error(err) from None
        except anthropic.APIConnectionError as err:
            # The SDK wraps what an httpx event hook raises; the guard's verdict is ours to keep.
            if isinstance(err.__cause__, EgressBlocked):
                raise err.__cause__ from None
            if isinstance(err, anthropic.APITimeoutError):
                raise BackendError(
                    f"anthropic: no response within {self.first_token_timeout:g}s", kind=ErrorKind.TIMEOUT
                ) from None
            raise BackendError("anthropic: cannot connect", kind=ErrorKind.UNREACHABLE) from None
        # Unlike openai's, this SDK's stream lets transport errors through unwrapped.
        except httpx2.TimeoutException:
            raise BackendError(
                f"anthropic: stream stalled for {self.first_token_timeout:g}s", kind=ErrorKind.TIMEOUT
            ) from None
        except httpx2.TransportError as err:
            raise BackendError(
                f"anthropic: stream broken ({type(err).__name__})", kind=ErrorKind.DROPPED_STREAM
            ) from None
        except anthropic.AnthropicError as err:
            raise BackendError(f"anthropic: {type(err).__name__}", kind=ErrorKind.BAD_RESPONSE) from None
        except GARBAGE as err:
            if not responded:
                raise  # our own mistake in calling the SDK, not the server's
            raise BackendError(
                f"anthropic: malformed stream ({type(err).__name__})", kind=ErrorKind.BAD_RESPONSE
            ) from None
        if message is None:
            raise BackendError("anthropic: the stream had no message_start", kind=ErrorKind.BAD_RESPONSE)
        if not stopped:
            raise BackendError("anthropic: the stream ended before message_stop", kind=ErrorKind.DROPPED_STREAM)
        usage = message.usage
        return Finish(
            model=message.model,
            usage=Usage(input_tokens=usage.input_tokens or 0, output_tokens=usage.output_tokens or 0),
            stop_reason=message.stop_reason,
        )

    def health(self) -> Health:
        """Up when the API answers for the configured model (GET /v1/models/{model})."""
        if not self._api_key:
            return Health(ok=False, detail="ANTHROPIC_API_KEY is not set")
        try:
            info = self._sdk().models.retrieve(self.model, timeout=min(HEALTH_TIMEOUT, self.first_token_timeout))
        except anthropic.APIStatusError as err:
            return Health(ok=False, detail=status_error(err).message)
        except anthropic.APITimeoutError:
            return Health(ok=False, detail="anthropic: no response")
        except anthropic.APIConnectionError:
            return Health(ok=False, detail="anthropic: cannot connect")
        except (anthropic.AnthropicError, *GARBAGE):
            return Health(ok=False, detail="anthropic: malformed response")
        if getattr(info, "id", None) != self.model:
            return Health(ok=False, detail="anthropic: malformed response")
        return Health(ok=True, detail=f"{self.model} available")

    def _sdk(self) -> anthropic.Anthropic:
        if not self._api_key:
            raise BackendError("ANTHROPIC_API_KEY is not set", kind=ErrorKind.AUTH)
        if self._client is None:
            self._client = anthropic.Anthropic(
                api_key=self._api_key,
                base_url=self.base_url,
                max_retries=0,
                # A read timeout of the first-token time: no byte for that long is a timeout.
                timeout=httpx2.Timeout(self.first_token_timeout),
                http_client=anthropic.DefaultHttpxClient(event_hooks=self._event_hooks()),
                # The SDK traces by default and, if the environment says so, with prompt content.
                open_telemetry={"traces": False, "propagation": False},
            )
        return self._client


def status_error(err: anthropic.APIStatusError) -> BackendError:
    """An Anthropic error response as a BackendError.

    An `error` event inside a stream arrives with the stream's status (200), so
    the body's error.type decides there.
    """
    status = err.status_code
    error_type = err.type if isinstance(err.type, str) else None
    kind = kind_for_status(status) if status >= 400 else ERROR_TYPE_KINDS.get(error_type or "", ErrorKind.SERVER_ERROR)
    detail = f"anthropic {status} {error_type or 'error'}"
    if err.api_message:
        detail += f": {err.api_message[:200]}"
    return BackendError(detail, kind=kind, retry_after=retry_after_seconds(err.response.headers))


# A gateway caller that names no limit gets this many output tokens (the Messages API requires one).
CHAT_MAX_TOKENS = 4096
TOOL_CHOICES = {"auto": {"type": "auto"}, "required": {"type": "any"}, "none": {"type": "none"}}


def messages_params(chat: Chat) -> dict[str, Any]:
    """A conversation as the Messages API takes it. Tool results travel as `tool_result` blocks of a user
    turn, first in it; consecutive turns of one role are merged into one, as the API wants them."""
    turns: list[dict[str, Any]] = []
    for message in chat.messages:
        role = "assistant" if message.role == Speaker.ASSISTANT else "user"
        blocks: list[dict[str, Any]] = []
        if message.role == Speaker.TOOL:
            result = {"type": "tool_result", "tool_use_id": message.tool_call_id, "content": message.text}
            blocks.append(result | ({"is_error": True} if message.is_error else {}))
        elif message.text:
            blocks.append({"type": "text", "text": message.text})
        for call in message.tool_calls:
            blocks.append({"type": "tool_use", "id": call.id, "name": call.name, "input": call.arguments_object()})
        if turns and turns[-1]["role"] == role:
            turns[-1]["content"].extend(blocks)
        else:
            turns.append({"role": role, "content": blocks})
    params: dict[str, Any] = {"max_tokens": chat.max_tokens or CHAT_MAX_TOKENS, "messages": turns}
    if chat.system:
        params["system"] = chat.system
    if chat.stop:
        params["stop_sequences"] = list(chat.stop)
    if chat.tools:
        params["tools"] = [
            {"name": t.name, "description": t.description, "input_schema": t.parameters} for t in chat.tools
        ]
    if chat.tool_choice:
        params["tool_choice"] = TOOL_CHOICES.get(chat.tool_choice, {"type": "tool", "name": chat.tool_choice})
    return params
