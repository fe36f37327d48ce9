"""A tiny Chrome DevTools Protocol client over ``--remote-debugging-pipe`` (standard library only).

Why not a library: playwright cannot fetch its browsers offline, and a websocket client is not
needed when the browser speaks CDP over two pipes (fd 3 in, fd 4 out, NUL-terminated JSON).
:func:`open_page` loads a URL in headless Chromium and returns what the report's test checks: the
console messages and exceptions, every request the page made, a value computed in the page, and a
screenshot.
"""

from __future__ import annotations

import base64
import json
import os
import shutil
import subprocess
import tempfile
import time
from pathlib import Path

BROWSERS = ("chromium", "chromium-browser", "google-chrome")


def find_browser() -> str | None:
    return next((p for b in BROWSERS if (p := shutil.which(b))), None)


class Pipe:
    def __init__(self, proc, out_fd: int, in_fd: int):
        self.proc, self.out, self.inp, self.buf, self.next_id, self.events = proc, out_fd, in_fd, b"", 0, []

    def send(self, method: str, params: dict | None = None, session: str | None = None, timeout: float = 30) -> dict:
        self.next_id += 1
        msg = {"id": self.next_id, "method": method, "params": params or {}}
        if session:
            msg["sessionId"] = session
        os.write(self.out, json.dumps(msg).encode() + b"\0")
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            m = self.read()
            if m.get("id") == self.next_id:
                if "error" in m:
                    raise RuntimeError(f"{method}: {m['error']}")
                return m.get("result", {})
            self.events.append(m)
        raise TimeoutError(method)

    def read(self) -> dict:
        while b"\0" not in self.buf:
            chunk = os.read(self.inp, 1 << 16)
            if not chunk:
                raise EOFError("the browser closed the pipe")
            self.buf += chunk
        raw, self.buf = self.buf.split(b"\0", 1)
        return json.loads(raw)

    def wait(self, method: str, timeout: float = 30) -> dict:
        deadline = time.monotonic() + timeout
        for m in self.events:
            if m.get("method") == method:
                return m
        while time.monotonic() < deadline:
            m = self.read()
            self.events.append(m)
            if m.get("method") == method:
                return m
        raise TimeoutError(method)


def open_page(url: str, expression: str, screenshot: Path, width: int = 1000, height: int = 1400) -> dict:
    """Load ``url`` in headless Chromium; {"console": [...], "exceptions": [...], "requests": [urls],
    "value": the value of ``expression`` in the page}; the page's screenshot is written to ``screenshot``."""
    browser = find_browser()
    if browser is None:
        raise FileNotFoundError("no chromium")
    to_browser_r, to_browser_w = os.pipe()
    from_browser_r, from_browser_w = os.pipe()

    def fds():  # the browser reads CDP on fd 3 and writes on fd 4
        os.dup2(to_browser_r, 3)
        os.dup2(from_browser_w, 4)

    with tempfile.TemporaryDirectory() as profile:
        proc = subprocess.Popen(
            [browser, "--headless", "--no-sandbox", "--disable-gpu", "--remote-debugging-pipe", "--no-first-run",
             f"--user-data-dir={profile}", f"--window-size={width},{height}", "about:blank"],
            preexec_fn=fds, close_fds=False, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )
        os.close(to_browser_r)
        os.close(from_browser_w)
        pipe = Pipe(proc, to_browser_w, from_browser_r)
        try:
            return _drive(pipe, url, expression, screenshot, width, height)
        finally:
            try:
                pipe.send("Browser.close", timeout=5)
            except (OSError, EOFError, TimeoutError, RuntimeError):
                pass
            try:
                proc.wait(10)
            except subprocess.TimeoutExpired:
                proc.kill()
            os.close(to_browser_w)
            os.close(from_browser_r)


def _drive(pipe: Pipe, url: str, expression: str, screenshot: Path, width: int, height: int) -> dict:
    target = pipe.send("Target.createTarget", {"url": "about:blank"})["targetId"]
    sid = pipe.send("Target.attachToTarget", {"targetId": target, "flatten": True})["sessionId"]
    for domain in ("Page", "Runtime", "Log", "Network"):
        pipe.send(f"{domain}.enable", session=sid)
    pipe.send("Emulation.setDeviceMetricsOverride",
              {"width": width, "height": height, "deviceScaleFactor": 1, "mobile": False}, session=sid)
    pipe.events.clear()
    pipe.send("Page.navigate", {"url": url}, session=sid)
    pipe.wait("Page.loadEventFired")
    value = pipe.send("Runtime.evaluate", {"expression": expression, "returnByValue": True}, session=sid)
    shot = pipe.send("Page.captureScreenshot", {"format": "png", "captureBeyondViewport": True}, session=sid)
    screenshot.write_bytes(base64.b64decode(shot["data"]))
    ev = [m for m in pipe.events if m.get("sessionId") == sid]
    return {
        "console": [m["params"] for m in ev if m.get("method") in ("Runtime.consoleAPICalled", "Log.entryAdded")],
        "exceptions": [m["params"] for m in ev if m.get("method") == "Runtime.exceptionThrown"],
        "requests": [m["params"]["request"]["url"] for m in ev if m.get("method") == "Network.requestWillBeSent"],
        "value": value.get("result", {}).get("value"),
    }
