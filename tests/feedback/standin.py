"""A stand-in OpenAI-compatible server: scripted replies to POST /v1/chat/completions.

    with StandIn() as server:
        server.script(Reply(body=completion('{"summary": "ok", ...}')))
        ... call the client with base_url=server.base_url ...
        server.requests  # what it received: [Seen(path, body, time), ...]

Each request takes the next scripted reply; once the script is used up, the `always` reply
answers (by default a 500 saying that no reply was scripted).
"""

from __future__ import annotations

import contextlib
import json
import threading
import time
from collections import deque
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

PATHS = ("/v1/chat/completions", "/chat/completions")


def completion(
    content: str | None,
    *,
    refusal: str | None = None,
    finish_reason: str = "stop",
    usage: tuple[int, int] = (120, 45),
) -> dict[str, Any]:
    """A normal `chat.completion` object."""
    prompt, completed = usage
    return {
        "id": "chatcmpl-standin",
        "object": "chat.completion",
        "created": int(time.time()),
        "model": "standin-model",
        "choices": [
            {
                "index": 0,
                "message": {"role": "assistant", "content": content, "refusal": refusal},
                "finish_reason": finish_reason,
            }
        ],
        "usage": {
            "prompt_tokens": prompt,
            "completion_tokens": completed,
            "total_tokens": prompt + completed,
        },
    }


def error_body(message: str, kind: str = "invalid_request_error") -> dict[str, Any]:
    """An OpenAI-style error body."""
    return {"error": {"message": message, "type": kind, "param": None, "code": None}}


@dataclass
class Reply:
    status: int = 200
    headers: dict[str, str] = field(default_factory=dict)
    body: dict[str, Any] | None = None  # sent as JSON
    raw: bytes | None = None  # sent as is (e.g. malformed JSON)
    content_type: str = "application/json"
    delay: float = 0.0  # seconds to wait before answering
    stream: list[str] | None = None  # content pieces, sent as server-sent events
    usage: tuple[int, int] = (120, 45)  # for the final usage chunk of a stream
    reject_format: str | None = None  # answer 400 if the request's response_format has this type


@dataclass
class Seen:
    path: str
    body: dict[str, Any]
    time: float  # time.perf_counter() when the request arrived

    @property
    def format_type(self) -> str | None:
        return format_type(self.body)

    def message(self, role: str) -> str:
        return next(m["content"] for m in self.body["messages"] if m["role"] == role)


def format_type(body: dict[str, Any]) -> str | None:
    """The `response_format` type a request asked for, or None."""
    return (body.get("response_format") or {}).get("type")


def _chunk(delta: dict[str, Any] | None, finish: str | None = None, **extra: Any) -> dict[str, Any]:
    choices = [] if delta is None else [{"index": 0, "delta": delta, "finish_reason": finish}]
    return {
        "id": "chatcmpl-standin",
        "object": "chat.completion.chunk",
        "created": int(time.time()),
        "model": "standin-model",
        "choices": choices,
        **extra,
    }


class StandIn:
    def __init__(self) -> None:
        self.replies: deque[Reply] = deque()
        self.otherwise = Reply(status=500, body=error_body("stand-in: no reply scripted"))
        self.requests: list[Seen] = []
        self.stopping = threading.Event()
        self.lock = threading.Lock()
        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), _handler(self))
        self.httpd.daemon_threads = True
        self.port = self.httpd.server_address[1]
        self.base_url = f"http://127.0.0.1:{self.port}/v1"
        self.thread = threading.Thread(target=self.httpd.serve_forever, args=(0.05,), daemon=True)

    def script(self, *replies: Reply) -> StandIn:
        self.replies.extend(replies)
        return self

    def always(self, reply: Reply) -> StandIn:
        """Answer every request (after any scripted ones) with this reply."""
        self.otherwise = reply
        return self

    def __enter__(self) -> StandIn:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stopping.set()  # wakes handlers that are still waiting out a delay
        self.httpd.shutdown()
        self.httpd.server_close()
        self.thread.join(timeout=5)

    def _take(self, seen: Seen) -> Reply:
        with self.lock:
            self.requests.append(seen)
            return self.replies.popleft() if self.replies else self.otherwise


def _handler(server: StandIn) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args: Any) -> None:  # keep test output quiet
            pass

        def do_POST(self) -> None:
            arrived = time.perf_counter()
            length = int(self.headers.get("Content-Length") or 0)
            body = json.loads(self.rfile.read(length) or b"{}")
            if self.path not in PATHS:
                return self._send(Reply(status=404, body=error_body(f"no route {self.path}")))
            reply = server._take(Seen(self.path, body, arrived))
            if reply.delay and server.stopping.wait(reply.delay):
                return  # the server is stopping: answer nothing
            if reply.reject_format and reply.reject_format == format_type(body):
                message = f"response_format type {reply.reject_format!r} is not supported"
                reply = Reply(status=400, body=error_body(message))
            with contextlib.suppress(BrokenPipeError, ConnectionResetError):
                self._send(reply)  # unless the client gave up (e.g. timed out) before the answer

        def _send(self, reply: Reply) -> None:
            streaming = reply.stream is not None and reply.status == 200
            self.send_response(reply.status)
            for name, value in reply.headers.items():
                self.send_header(name, value)
            if streaming:
                self.send_header("Content-Type", "text/event-stream")
                self.end_headers()
                for event in _events(reply):
                    self.wfile.write(f"data: {event}\n\n".encode())
                    self.wfile.flush()
                return
            payload = reply.raw if reply.raw is not None else json.dumps(reply.body).encode()
            self.send_header("Content-Type", reply.content_type)
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            self.wfile.write(payload)

    return Handler


def _events(reply: Reply) -> list[str]:
    """The chunks of a streamed reply: role, content pieces, finish, usage, then [DONE]."""
    prompt, completed = reply.usage
    chunks = [_chunk({"role": "assistant", "content": ""})]
    chunks += [_chunk({"content": piece}) for piece in reply.stream or []]
    chunks.append(_chunk({}, "stop"))
    usage = {"prompt_tokens": prompt, "completion_tokens": completed}
    chunks.append(_chunk(None, usage=usage | {"total_tokens": prompt + completed}))
    return [json.dumps(c) for c in chunks] + ["[DONE]"]
