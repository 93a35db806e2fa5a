"""An MCP client built on the official Python SDK (PyPI `mcp`), driven by
crates/server/tests/api/mcp.rs against the real `todo` server.

    client.py http URL --token T [--host H] [--mode auto|legacy] --title X
    client.py stdio TODO_BINARY --token T --database-url U --data-dir D --jwt-secret S [--mode …] --title X
    client.py refused-http URL [--token T]
    client.py refused-stdio TODO_BINARY --token T --database-url U --data-dir D --jwt-secret S

Each prints one JSON object on its last stdout line and exits 0; a broken
expectation exits 1 with the reason on stderr.
"""

from __future__ import annotations

import argparse
import json
import sys
import traceback
from typing import Any

import anyio
import httpx2
from mcp import Client
from mcp.client.stdio import StdioServerParameters
from mcp.client.streamable_http import streamable_http_client

EXPECTED_TOOLS = ["add_task", "list_tasks", "complete_task", "delete_task", "update_task"]
TIMEOUT_SECONDS = 60


class Failed(Exception):
    """An expectation about the server's answers did not hold."""


def expect(condition: bool, message: str) -> None:
    if not condition:
        raise Failed(message)


def text_of(result: Any) -> str:
    return "".join(getattr(block, "text", "") for block in result.content)


async def exercise(client: Client, title: str) -> dict[str, Any]:
    """Lists the tools, adds a task, finds it again, and makes two tool errors."""
    out: dict[str, Any] = {
        "protocol_version": client.protocol_version,
        "server_name": client.server_info.name if client.server_info else None,
    }

    listing = await client.list_tools()
    names = [tool.name for tool in listing.tools]
    expect(names == EXPECTED_TOOLS, f"tools/list gave {names}")
    for tool in listing.tools:
        schema = tool.input_schema
        expect(schema.get("type") == "object", f"{tool.name}: schema {schema}")
        expect(isinstance(schema.get("properties"), dict), f"{tool.name}: no properties")
        expect(bool(tool.description), f"{tool.name}: no description")
        # Optional fields are left out, never null: no nullable unions for models.
        expect("null" not in json.dumps(schema) and "anyOf" not in json.dumps(schema), f"{tool.name}: nullable {schema}")
    out["tools"] = {tool.name: tool.input_schema for tool in listing.tools}

    added = await client.call_tool(
        "add_task", {"title": title, "due": "tomorrow 5pm", "priority": "high", "tags": ["mcp"]}
    )
    expect(not added.is_error, f"add_task failed: {text_of(added)}")
    task = (added.structured_content or {}).get("task") or {}
    expect(task.get("title") == title, f"add_task answered {added.structured_content}")
    expect(task.get("priority") == "high" and task.get("tags") == ["mcp"], f"add_task answered {task}")
    expect(task.get("due_at") is not None, f"add_task lost the due date: {task}")
    expect(json.loads(text_of(added)) == added.structured_content, "the text is not the structured JSON")
    out["added"] = task

    listed = await client.call_tool("list_tasks", {"query": title})
    expect(not listed.is_error, f"list_tasks failed: {text_of(listed)}")
    found = (listed.structured_content or {}).get("tasks") or []
    expect([t.get("id") for t in found] == [task.get("id")], f"list_tasks answered {listed.structured_content}")
    out["listed"] = listed.structured_content

    # A task named by its title, resolved on the server; an unknown one is a clear error.
    other = await client.call_tool("add_task", {"title": f"{title} by title"})
    expect(not other.is_error, f"add_task failed: {text_of(other)}")
    by_title = await client.call_tool("complete_task", {"task": f"{title} BY TITLE"})
    expect(not by_title.is_error, f"complete_task by title failed: {text_of(by_title)}")
    done = (by_title.structured_content or {}).get("task") or {}
    expect(done.get("completed") is True and done.get("title") == f"{title} by title", f"complete_task answered {done}")
    unknown = await client.call_tool("delete_task", {"task": "no such task anywhere"})
    expect(bool(unknown.is_error) and "no task matches" in text_of(unknown), f"unclear error: {text_of(unknown)}")

    missing = await client.call_tool("complete_task", {"id": 987654321})
    expect(bool(missing.is_error), f"completing a missing task did not fail: {missing}")
    expect("not found" in text_of(missing), f"unclear error: {text_of(missing)}")
    invalid = await client.call_tool("add_task", {"title": "x", "priority": "extreme"})
    expect(bool(invalid.is_error), f"an invalid priority was accepted: {invalid}")
    out["errors"] = [text_of(missing), text_of(invalid)]
    return out


def http_client(token: str | None, host: str | None) -> httpx2.AsyncClient:
    headers = {}
    if token is not None:
        headers["Authorization"] = f"Bearer {token}"
    if host is not None:
        headers["Host"] = host
    return httpx2.AsyncClient(headers=headers, timeout=httpx2.Timeout(30.0))


def stdio_server(args: argparse.Namespace) -> StdioServerParameters:
    env = {"TODO_TOKEN": args.token, "DATABASE_URL": args.database_url, "DATA_DIR": args.data_dir}
    if args.jwt_secret:
        env["JWT_SECRET"] = args.jwt_secret
    env["RUST_LOG"] = "warn"
    return StdioServerParameters(command=args.target, args=["mcp"], env=env)


async def run(args: argparse.Namespace) -> dict[str, Any]:
    if args.command == "http":
        async with http_client(args.token, args.host) as http:
            async with Client(streamable_http_client(args.target, http_client=http), mode=args.mode) as client:
                return await exercise(client, args.title)
    if args.command == "stdio":
        async with Client(stdio_server(args), mode=args.mode) as client:
            return await exercise(client, args.title)
    # refused-*: connecting and listing must fail.
    try:
        with anyio.fail_after(20):
            if args.command == "refused-http":
                async with http_client(args.token, None) as http:
                    async with Client(streamable_http_client(args.target, http_client=http), mode=args.mode) as client:
                        await client.list_tools()
            else:
                async with Client(stdio_server(args), mode=args.mode) as client:
                    await client.list_tools()
    except TimeoutError:
        return {"refused": False, "error": "timed out instead of failing"}
    except Exception as error:  # noqa: BLE001 - any failure to connect is the point
        return {"refused": True, "error": describe(error)}
    return {"refused": False}


def find_failure(error: BaseException) -> Failed | None:
    """The broken expectation, even when a task group wrapped it."""
    if isinstance(error, Failed):
        return error
    if isinstance(error, BaseExceptionGroup):
        for inner in error.exceptions:
            found = find_failure(inner)
            if found is not None:
                return found
    return None


def describe(error: BaseException) -> str:
    if isinstance(error, BaseExceptionGroup):
        return "; ".join(describe(e) for e in error.exceptions)
    return f"{type(error).__name__}: {error}"


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("command", choices=["http", "stdio", "refused-http", "refused-stdio"])
    parser.add_argument("target", help="the /mcp URL, or the todo binary")
    parser.add_argument("--token")
    parser.add_argument("--host", help="a Host header to send instead of the URL's")
    parser.add_argument("--mode", default="auto", help="auto (server/discover, then initialize) or legacy")
    parser.add_argument("--title", default="Call mom from MCP")
    parser.add_argument("--database-url")
    parser.add_argument("--data-dir")
    parser.add_argument("--jwt-secret")
    args = parser.parse_args()
    try:
        result = anyio.run(run_with_timeout, args)
    except BaseException as error:  # noqa: BLE001 - report everything, the test prints it
        failure = find_failure(error)
        if failure is not None:
            print(f"MCP expectation failed: {failure}", file=sys.stderr)
        else:
            traceback.print_exc()
        return 1
    print(json.dumps(result))
    return 0


async def run_with_timeout(args: argparse.Namespace) -> dict[str, Any]:
    with anyio.fail_after(TIMEOUT_SECONDS):
        return await run(args)


if __name__ == "__main__":
    sys.exit(main())
