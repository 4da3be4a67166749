"""Headless Debian chromium driven through the DevTools protocol, for tests of real pages.

`Browser(offline=True)` resolves no host name at all (`--host-resolver-rules`), and
every request the page makes is recorded in `Browser.requests`, so a test can show
that nothing left the machine.
"""

from __future__ import annotations

import base64
import json
import shutil
import socket
import subprocess
import tempfile
import time
import urllib.request
from pathlib import Path

CHROMIUM_FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-quic",
                  "--no-first-run", "--disable-component-update", "--disable-sync", "--window-size=1400,1000"]
OFFLINE_FLAGS = ["--host-resolver-rules=MAP * ~NOTFOUND , EXCLUDE 127.0.0.1", "--proxy-server=127.0.0.1:9",
                 "--proxy-bypass-list=<-loopback>"]


def chromium_binary() -> str | None:
    """Debian's chromium, installed on the spot when missing (root + apt)."""
    found = shutil.which("chromium") or shutil.which("chromium-browser")
    if found or not shutil.which("apt-get"):
        return found
    subprocess.run("apt-get update -qq && apt-get install -y -qq chromium", shell=True,
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, timeout=600)
    return shutil.which("chromium")


class Browser:
    """Just enough of the DevTools protocol: navigate, evaluate, read text, click, screenshot."""

    def __init__(self, binary: str, *, offline: bool = False):
        from websockets.sync.client import connect

        with socket.socket() as sock:
            sock.bind(("127.0.0.1", 0))
            port = sock.getsockname()[1]
        flags = [*CHROMIUM_FLAGS, *(OFFLINE_FLAGS if offline else [])]
        self.profile = tempfile.mkdtemp(prefix="chromium-")
        self.proc = subprocess.Popen([binary, *flags, f"--user-data-dir={self.profile}",
                                      "--remote-debugging-address=127.0.0.1", f"--remote-debugging-port={port}", "about:blank"],
                                     stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + 30
        while True:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/json/list", timeout=2) as resp:
                    page = next(p for p in json.load(resp) if p["type"] == "page")
                break
            except (OSError, StopIteration, ValueError):
                if time.monotonic() > deadline or self.proc.poll() is not None:
                    raise RuntimeError("chromium's DevTools endpoint did not come up")
                time.sleep(0.3)
        self.ws = connect(page["webSocketDebuggerUrl"], max_size=None)
        self.calls = 0
        self.requests: list[str] = []  # every URL the page asked for (after Network.enable)
        self.failed: list[str] = []  # URLs whose load failed

    def _event(self, message: dict) -> None:
        method, params = message.get("method"), message.get("params", {})
        if method == "Network.requestWillBeSent":
            self.requests.append(params["request"]["url"])
        elif method == "Network.loadingFailed":
            self.failed.append(params.get("requestId", ""))

    def call(self, method: str, **params):
        self.calls += 1
        self.ws.send(json.dumps({"id": self.calls, "method": method, "params": params}))
        while True:
            message = json.loads(self.ws.recv(timeout=60))
            if message.get("id") == self.calls:
                assert "error" not in message, message
                return message.get("result", {})
            self._event(message)

    def open(self, url: str, settle: float = 1.5) -> None:
        """Navigate with network recording on, then let scripts run."""
        self.call("Network.enable")
        self.call("Page.enable")
        self.call("Page.navigate", url=url)
        self.wait_for_load()
        time.sleep(settle)
        self.evaluate("1")  # drain events that arrived meanwhile

    def wait_for_load(self, timeout: float = 30) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.evaluate("document.readyState") == "complete":
                return
            time.sleep(0.2)
        raise AssertionError("page did not finish loading")

    def evaluate(self, expression: str):
        result = self.call("Runtime.evaluate", expression=expression, returnByValue=True)
        return result["result"].get("value")

    def js(self, expression: str):
        """The value of an expression (promises awaited); a script error fails the test."""
        result = self.call("Runtime.evaluate", expression=expression, returnByValue=True, awaitPromise=True)
        assert "exceptionDetails" not in result, result
        return result["result"].get("value")

    def text(self) -> str:
        return self.evaluate("document.body ? document.body.innerText : ''") or ""

    def wait_for(self, *needles: str, timeout: float = 45) -> str:
        """The page text once the page has rendered every needle."""
        deadline = time.monotonic() + timeout
        text = ""
        while time.monotonic() < deadline:
            text = self.text()
            if all(n in text for n in needles):
                return text
            time.sleep(0.5)
        raise AssertionError(f"{needles} not on the page after {timeout} s; page text:\n{text[:3000]}")

    def click_text(self, selector: str, label: str) -> bool:
        script = (f"(() => {{ const el = [...document.querySelectorAll({json.dumps(selector)})]"
                  f".find(e => e.textContent.trim() === {json.dumps(label)}); if (el) el.click(); return !!el; }})()")
        return self.evaluate(script)

    def screenshot(self, path: Path) -> None:
        path.write_bytes(base64.b64decode(self.call("Page.captureScreenshot", format="png")["data"]))

    def close(self) -> None:
        self.ws.close()
        self.proc.terminate()
        try:
            self.proc.wait(10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
        shutil.rmtree(self.profile, ignore_errors=True)
