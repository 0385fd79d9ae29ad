"""`make run`: spawn the real daemon and drive a short session on the offline `echo` provider.

Needs no key and no network. Speaks LSP framing (Content-Length) over the daemon's stdio, prints
each exchange readably, and exits non-zero if any answer is not what the protocol promises.
"""

from __future__ import annotations

import json
import os
import queue
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import IO, Any

CONFIG = """\
default_model = "echo/echo-1"

# Echo's models cost $0 in the catalog; this rule, which beats the catalog, prices echo-1 so
# the demo shows a computed cost (echo-lite keeps its catalog price of $0).
[[pricing]]
provider = "echo"
model = "echo-1"
pricing = { input = "0.50", output = "1.50" }
"""

NEXT_STEPS = """
Next: try the command yourself,
  {command} run "hello"
or put it on PATH with `make install` (a private virtualenv, linked into ~/.local/bin;
`make install PREFIX=/usr/local` for another place), then `provider-runtime run "hello"`."""

WEATHER_TOOL = {
    "name": "get_weather",
    "description": "Current weather for a city",
    "parameters": {
        "type": "object",
        "properties": {"city": {"type": "string"}},
        "required": ["city"],
    },
}

BOLD, DIM, RESET = ("\033[1m", "\033[2m", "\033[0m") if sys.stdout.isatty() else ("", "", "")


class DemoError(Exception):
    pass


class Session:
    """A minimal JSON-RPC client over the daemon's stdin/stdout (Content-Length framing)."""

    def __init__(self, proc: subprocess.Popen[bytes]) -> None:
        assert proc.stdin is not None and proc.stdout is not None
        self.proc = proc
        self.next_id = 0
        self.inbox: queue.Queue[dict[str, Any] | None] = queue.Queue()
        threading.Thread(target=self._read, args=(proc.stdout,), daemon=True).start()

    def _read(self, stream: IO[bytes]) -> None:
        while True:
            length = None
            while (line := stream.readline()) not in (b"\r\n", b""):
                name, _, value = line.decode("ascii").partition(":")
                if name.lower() == "content-length":
                    length = int(value)
            if not line or length is None:
                self.inbox.put(None)
                return
            self.inbox.put(json.loads(stream.read(length)))

    def send(self, message: dict[str, Any]) -> None:
        body = json.dumps(message).encode()
        assert self.proc.stdin is not None
        self.proc.stdin.write(b"Content-Length: %d\r\n\r\n%b" % (len(body), body))
        self.proc.stdin.flush()

    def request(self, method: str, params: Any = None) -> dict[str, Any]:
        self.next_id += 1
        message: dict[str, Any] = {"jsonrpc": "2.0", "id": self.next_id, "method": method}
        if params is not None:
            message["params"] = params
        show("→", method, summarize_request(params) if method == "runtime/run" else params)
        self.send(message)
        while True:
            try:
                reply = self.inbox.get(timeout=15)
            except queue.Empty:
                raise DemoError(f"no answer to {method} within 15 s") from None
            if reply is None:
                raise DemoError(f"the daemon closed its output during {method}")
            if "id" not in reply:  # a notification, e.g. window/logMessage for a warning
                show("←", f"{reply['method']} (notification)", reply.get("params"))
                continue
            if "error" in reply:
                show("←", "error", reply["error"])
            else:
                show("←", "result", summarize(method, reply["result"]))
            return reply


def show(arrow: str, title: str, payload: Any) -> None:
    print(f"{BOLD}{arrow} {title}{RESET}")
    if payload is not None:
        text = json.dumps(payload, indent=2, ensure_ascii=False)
        lines = text.splitlines()
        if len(lines) > 24:
            lines = [*lines[:22], f"  {DIM}... {len(lines) - 22} more lines{RESET}"]
        print("\n".join(f"    {line}" for line in lines))


def summarize(method: str, result: Any) -> Any:
    """Keep long answers readable: runs, the model list and the catalog are shortened."""
    if method == "runtime/run":
        return summarize_response(result)
    if method == "initialize":
        providers = [f"{p['id']} ({p['type']}): key {p['credential']}" for p in result["providers"]]
        return {**result, "providers": providers}
    if method == "runtime/models":
        return {
            "models": [f"{m['provider']}/{m['id']}" for m in result["models"]],
            "warnings": result["warnings"],
        }
    if method == "runtime/catalog":
        per_provider: dict[str, int] = {}
        for model in result["models"]:
            per_provider[model["provider"]] = per_provider.get(model["provider"], 0) + 1
        return {"snapshot": result["snapshot"], "models per provider": per_provider}
    return result


def summarize_request(params: dict[str, Any]) -> dict[str, Any]:
    shown: dict[str, Any] = {"model": params["model"]}
    shown["messages"] = [f"{m['role']}: {_content(m['content'])}" for m in params["messages"]]
    if params.get("tools"):
        shown["tools"] = [t["name"] for t in params["tools"]]
    if "tool_choice" in params:
        shown["tool_choice"] = params["tool_choice"]
    return shown


def summarize_response(result: dict[str, Any]) -> dict[str, Any]:
    usage, cost = result["usage"], result["cost"]
    return {
        "model": f"{result['provider']}/{result['model']}",
        "output": [_content([part]) for part in result["output"]["content"]],
        "finish_reason": result["finish_reason"],
        "usage": f"{usage['input_tokens']} in / {usage['output_tokens']} out tokens",
        "cost": f"{cost['total']} USD ({cost['source']})" if cost else None,
        "warnings": [w["code"] for w in result["warnings"]],
        "request_id": result["request_id"],
    }


def _content(content: Any) -> str:
    if isinstance(content, str):
        return content
    shown = []
    for part in content:
        if part["type"] == "text":
            shown.append(part["text"])
        elif part["type"] == "tool_call":
            args = json.dumps(part["arguments"], ensure_ascii=False)
            shown.append(f"[tool call {part['name']} {args} id={part['id']}]")
        elif part["type"] == "tool_result":
            shown.append(f"[tool result for {part['tool_call_id']}: {part['content']}]")
        else:
            shown.append(f"[{part['type']}]")
    return " ".join(shown)


def expect(condition: bool, what: str) -> None:
    if not condition:
        raise DemoError(f"unexpected answer: {what}")


def user(text: str) -> dict[str, Any]:
    return {"role": "user", "content": text}


def drive(session: Session) -> None:
    init = session.request(
        "initialize", {"clientInfo": {"name": "demo"}, "warningNotifications": True}
    )
    expect(init["result"]["protocolVersion"] == "1", "initialize")

    models = session.request("runtime/models", {"providers": ["echo"]})
    expect(len(models["result"]["models"]) == 2, "two echo models")

    hello = session.request("runtime/run", {"model": "echo/echo-1", "messages": [user("Hello!")]})
    cost = hello["result"]["cost"] or {}
    expect(cost.get("source") == "user_config" and cost["total"] != "0", "a priced answer")

    # The echo model calls a tool when told to: "/tool NAME {json arguments}".
    ask = [user('/tool get_weather {"city": "Paris"}')]
    tool_run = {"model": "echo/echo-1", "messages": ask, "tools": [WEATHER_TOOL]}
    called = session.request("runtime/run", tool_run)
    (call,) = called["result"]["output"]["content"]
    expect(call["type"] == "tool_call", "a tool call")
    result = {"type": "tool_result", "tool_call_id": call["id"], "content": "18°C, light rain"}
    turn = [*ask, {"role": "assistant", "content": [call]}, {"role": "tool", "content": [result]}]
    answered = session.request("runtime/run", {**tool_run, "messages": turn})
    expect(answered["result"]["finish_reason"] == "stop", "the tool loop ends with text")

    lite = session.request("runtime/run", {**tool_run, "model": "echo/echo-lite"})
    codes = [w["code"] for w in lite["result"]["warnings"]]
    expect(codes == ["capability.tools_removed"], "capability warnings")

    # An id echo does not list is answered too, but nothing prices it: cost null and a warning.
    unpriced = session.request(
        "runtime/run", {"model": "echo/echo-unpriced", "messages": [user("Hello!")]}
    )
    codes = [w["code"] for w in unpriced["result"]["warnings"]]
    expect(unpriced["result"]["cost"] is None and codes == ["pricing.missing"], "an unpriced id")

    missing = session.request("runtime/run", {"model": "nowhere/model", "messages": [user("x")]})
    expect(missing.get("error", {}).get("code") == -32002, "a routing error")

    catalog = session.request("runtime/catalog")
    expect(len(catalog["result"]["models"]) > 0, "a catalog")

    expect(session.request("shutdown")["result"] is None, "shutdown")
    show("→", "exit (notification)", None)
    session.send({"jsonrpc": "2.0", "method": "exit"})


def main() -> int:
    with tempfile.TemporaryDirectory(prefix="provider-runtime-demo-") as tmp:
        config = Path(tmp) / "config.toml"
        config.write_text(CONFIG)
        config.chmod(0o600)
        command = [sys.executable, "-m", "provider_runtime", "serve", "--config", str(config)]
        print(f"{DIM}$ {' '.join(command)}{RESET}\n")
        started = time.monotonic()
        proc = subprocess.Popen(command, stdin=subprocess.PIPE, stdout=subprocess.PIPE)
        try:
            drive(Session(proc))
            status = proc.wait(timeout=15)
        except (DemoError, subprocess.TimeoutExpired, OSError) as exc:
            print(f"demo failed: {exc}", file=sys.stderr)
            return 1
        finally:
            if proc.poll() is None:
                proc.kill()
                proc.wait()
        elapsed = time.monotonic() - started
        print(f"\n{BOLD}daemon exited with status {status}{RESET} after {elapsed:.2f} s")
        if status == 0:
            print(NEXT_STEPS.format(command=Path(sys.executable).parent / "provider-runtime"))
        return 0 if status == 0 else 1


if __name__ == "__main__":
    os.environ.setdefault("PYTHONUNBUFFERED", "1")
    raise SystemExit(main())
