#!/usr/bin/env python3
"""Continuous traffic through the ingress while the cluster test breaks things.

    traffic.py run --url http://IP --host todo.local --token T --out DIR
        Workers alternate a write (POST /api/tasks) and a read (GET
        /api/tasks) until DIR/stop exists. Every acknowledged write (201)
        is appended to DIR/acked.txt; every failed request (no answer, or a
        5xx / 4xx answer) to DIR/failures.txt. At the end DIR/report.json
        holds the counts and the longest stretch without a successful
        request (the unavailability window).
    traffic.py check --url … --host … --token T --acked FILE
        Every acknowledged task is still there (GET /api/tasks/{id});
        prints a JSON line and exits 1 when any is missing.

Standard library only, so it runs on any machine with Python 3.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import sys
import threading
import time
import urllib.parse

TIMEOUT_SECONDS = 10


class Client:
    """One keep-alive HTTP connection to the ingress, with the Host header kept."""

    def __init__(self, url: str, host: str, token: str) -> None:
        parsed = urllib.parse.urlsplit(url)
        self.address = (parsed.hostname or "127.0.0.1", parsed.port or 80)
        self.host = host
        self.token = token
        self.connection: http.client.HTTPConnection | None = None

    def request(self, method: str, path: str, body: dict | None = None) -> tuple[int, bytes]:
        """Returns (status, body); status 0 when nothing answered."""
        payload = json.dumps(body).encode() if body is not None else None
        headers = {"Host": self.host, "Authorization": f"Bearer {self.token}", "Accept": "application/json"}
        if payload is not None:
            headers["Content-Type"] = "application/json"
        try:
            if self.connection is None:
                self.connection = http.client.HTTPConnection(*self.address, timeout=TIMEOUT_SECONDS)
            self.connection.request(method, path, body=payload, headers=headers)
            response = self.connection.getresponse()
            data = response.read()
            if response.getheader("Connection", "").lower() == "close":
                self.close()
            return response.status, data
        except (OSError, http.client.HTTPException):
            self.close()
            return 0, b""

    def close(self) -> None:
        if self.connection is not None:
            self.connection.close()
            self.connection = None


def run(args: argparse.Namespace) -> int:
    os.makedirs(args.out, exist_ok=True)
    stop_file = os.path.join(args.out, "stop")
    lock = threading.Lock()
    acked = open(os.path.join(args.out, "acked.txt"), "a", encoding="utf-8")
    failures = open(os.path.join(args.out, "failures.txt"), "a", encoding="utf-8")
    counts = {"requests": 0, "reads": 0, "writes_acked": 0, "failed": 0}
    started = time.monotonic()
    last_success = [started]
    longest_gap = [0.0]

    def record(ok: bool, line: str) -> None:
        now = time.monotonic()
        with lock:
            counts["requests"] += 1
            if ok:
                longest_gap[0] = max(longest_gap[0], now - last_success[0])
                last_success[0] = now
            else:
                counts["failed"] += 1
                failures.write(f"{now - started:8.3f}s {line}\n")
                failures.flush()

    def worker(number: int) -> None:
        client = Client(args.url, args.host, args.token)
        sequence = 0
        while not os.path.exists(stop_file):
            sequence += 1
            title = f"traffic {number}-{sequence}"
            status, body = client.request("POST", "/api/tasks", {"title": title})
            if status == 201:
                task_id = json.loads(body)["id"]
                with lock:
                    counts["writes_acked"] += 1
                    acked.write(f"{task_id}\t{title}\n")
                    acked.flush()
                record(True, "")
            else:
                record(False, f"POST /api/tasks -> {status} {body[:200]!r}")
            status, body = client.request("GET", "/api/tasks?limit=20")
            if status == 200:
                with lock:
                    counts["reads"] += 1
                record(True, "")
            else:
                record(False, f"GET /api/tasks -> {status} {body[:200]!r}")
            time.sleep(args.pause)
        client.close()

    threads = [threading.Thread(target=worker, args=(n,), daemon=True) for n in range(args.workers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    finished = time.monotonic()
    # An outage still going on at the end counts too.
    longest_gap[0] = max(longest_gap[0], finished - last_success[0])
    report = dict(counts, seconds=round(finished - started, 1), longest_gap_seconds=round(longest_gap[0], 2))
    with open(os.path.join(args.out, "report.json"), "w", encoding="utf-8") as out:
        json.dump(report, out)
    print(json.dumps(report))
    return 0


def check(args: argparse.Namespace) -> int:
    client = Client(args.url, args.host, args.token)
    missing = []
    total = 0
    with open(args.acked, encoding="utf-8") as acked:
        for line in acked:
            task_id, title = line.rstrip("\n").split("\t", 1)
            total += 1
            for _ in range(3):
                status, body = client.request("GET", f"/api/tasks/{task_id}")
                if status != 0 and status < 500:
                    break
                time.sleep(1)
            if status != 200 or json.loads(body).get("title") != title:
                missing.append({"id": task_id, "title": title, "status": status})
    print(json.dumps({"acked": total, "missing": len(missing), "examples": missing[:5]}))
    return 1 if missing else 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="command", required=True)
    for name in ("run", "check"):
        command = sub.add_parser(name)
        command.add_argument("--url", required=True)
        command.add_argument("--host", default="todo.local")
        command.add_argument("--token", required=True)
    sub.choices["run"].add_argument("--out", required=True)
    sub.choices["run"].add_argument("--workers", type=int, default=4)
    sub.choices["run"].add_argument("--pause", type=float, default=0.02)
    sub.choices["check"].add_argument("--acked", required=True)
    args = parser.parse_args()
    return run(args) if args.command == "run" else check(args)


if __name__ == "__main__":
    sys.exit(main())
