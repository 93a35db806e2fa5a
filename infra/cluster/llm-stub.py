#!/usr/bin/env python3
"""A scripted OpenAI-compatible model for the cluster test: every chat
completion answers the same sentence, streamed as Server-Sent Events one word
every 0.4 s (or whole, when the request does not ask for a stream). It lets
the test see whether the chat's stream crosses the ingress incrementally.

    llm-stub.py PORT [BIND_ADDRESS]
"""

from __future__ import annotations

import json
import sys
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

WORDS = ["Streaming", " through", " the", " ingress,", " word", " by", " word."]
PAUSE_SECONDS = 0.4


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002 - the base class's name
        sys.stderr.write("llm-stub: " + format % args + "\n")

    def do_GET(self) -> None:  # noqa: N802 - http.server's naming
        body = json.dumps({"object": "list", "data": [{"id": "stub", "object": "model"}]}).encode()
        self.answer(200, "application/json", body)

    def do_POST(self) -> None:  # noqa: N802
        length = int(self.headers.get("Content-Length", "0"))
        request = json.loads(self.rfile.read(length) or b"{}")
        if not self.path.endswith("/chat/completions"):
            self.answer(404, "application/json", b'{"error": {"message": "not found"}}')
            return
        if not request.get("stream"):
            message = {"role": "assistant", "content": "".join(WORDS)}
            body = {"id": "stub", "object": "chat.completion", "model": "stub",
                    "choices": [{"index": 0, "message": message, "finish_reason": "stop"}]}
            self.answer(200, "application/json", json.dumps(body).encode())
            return
        self.send_response(200)
        self.send_header("Content-Type", "text/event-stream")
        self.send_header("Cache-Control", "no-cache")
        self.send_header("Connection", "close")
        self.end_headers()
        for index, word in enumerate(WORDS):
            delta = {"role": "assistant", "content": word} if index == 0 else {"content": word}
            self.event({"id": "stub", "object": "chat.completion.chunk", "model": "stub",
                        "choices": [{"index": 0, "delta": delta, "finish_reason": None}]})
            time.sleep(PAUSE_SECONDS)
        self.event({"id": "stub", "object": "chat.completion.chunk", "model": "stub",
                    "choices": [{"index": 0, "delta": {}, "finish_reason": "stop"}]})
        self.wfile.write(b"data: [DONE]\n\n")
        self.wfile.flush()
        self.close_connection = True

    def event(self, data: dict) -> None:
        self.wfile.write(b"data: " + json.dumps(data).encode() + b"\n\n")
        self.wfile.flush()

    def answer(self, status: int, content_type: str, body: bytes) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


def main() -> None:
    port = int(sys.argv[1])
    bind = sys.argv[2] if len(sys.argv) > 2 else "0.0.0.0"
    ThreadingHTTPServer((bind, port), Handler).serve_forever()


if __name__ == "__main__":
    main()
