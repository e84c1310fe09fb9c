"""A minimal Chrome DevTools Protocol client over --remote-debugging-pipe:
Chromium reads NUL-terminated JSON commands on fd 3 and writes replies and
events on fd 4, so driving a page needs no WebSocket library and no port.

@see https://chromedevtools.github.io/devtools-protocol/
"""

from __future__ import annotations

import base64
import json
import os
import select
import signal
import subprocess
import time
from pathlib import Path

# Far above what one page load or command takes here; a hung browser fails the check.
COMMAND_TIMEOUT_S = 30.0


class CdpError(AssertionError):
    pass


class Browser:
    """Headless Chromium with one page, driven over the pipe."""

    def __init__(self, home: Path, width: int, height: int) -> None:
        home.mkdir(parents=True, exist_ok=True)
        to_browser_r, self._to_browser = os.pipe()
        self._from_browser, from_browser_w = os.pipe()
        argv = [
            "chromium", "--headless", "--disable-gpu", "--remote-debugging-pipe",
            f"--user-data-dir={home / 'profile'}", "--no-first-run", "--no-default-browser-check",
            "--disable-background-networking", "--disable-component-update", "--disable-sync",
            "--disable-extensions", "about:blank",
        ]  # fmt: skip
        # As in browsers.py: our own pages on loopback; no sandbox as root or without user namespaces.
        argv.insert(1, "--no-sandbox")
        # The pipe ends must be fds 3 and 4 in Chromium: a shell puts them there.
        wrapper = ["bash", "-c", f'exec "$@" 3<&{to_browser_r} 4>&{from_browser_w}', "chromium"]
        self._log = (home / "chromium.log").open("w")
        self._process = subprocess.Popen(
            wrapper + argv,
            pass_fds=(to_browser_r, from_browser_w),
            stdout=self._log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        os.close(to_browser_r)
        os.close(from_browser_w)
        self._buffer = b""
        self._next_id = 0
        self._events: list[dict] = []
        target = self.command("Target.createTarget", {"url": "about:blank"})["targetId"]
        self._session = self.command("Target.attachToTarget", {"targetId": target, "flatten": True})["sessionId"]
        self.page("Page.enable")
        self.page("Runtime.enable")
        self.page(
            "Emulation.setDeviceMetricsOverride",
            {"width": width, "height": height, "deviceScaleFactor": 1, "mobile": width < 600},
        )

    def close(self) -> None:
        try:
            self.command("Browser.close")
        except Exception:  # already gone: stop it below
            pass
        try:
            self._process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            os.killpg(self._process.pid, signal.SIGKILL)
            self._process.wait()
        os.close(self._to_browser)
        os.close(self._from_browser)
        self._log.close()

    def command(self, method: str, params: dict | None = None, session: str | None = None) -> dict:
        self._next_id += 1
        message: dict = {"id": self._next_id, "method": method, "params": params or {}}
        if session:
            message["sessionId"] = session
        os.write(self._to_browser, json.dumps(message).encode() + b"\0")
        deadline = time.monotonic() + COMMAND_TIMEOUT_S
        while True:
            for reply in self._read(deadline):
                if reply.get("id") == self._next_id:
                    if "error" in reply:
                        raise CdpError(f"{method}: {reply['error']}")
                    return reply.get("result", {})
                if "method" in reply:
                    self._events.append(reply)

    def page(self, method: str, params: dict | None = None) -> dict:
        return self.command(method, params, self._session)

    def _read(self, deadline: float) -> list[dict]:
        while b"\0" not in self._buffer:
            left = deadline - time.monotonic()
            if left <= 0:
                raise CdpError("Chromium did not answer in time (see chromium.log)")
            ready, _, _ = select.select([self._from_browser], [], [], left)
            if ready:
                chunk = os.read(self._from_browser, 1 << 16)
                if not chunk:
                    raise CdpError("Chromium closed the pipe (see chromium.log)")
                self._buffer += chunk
        *complete, self._buffer = self._buffer.split(b"\0")
        return [json.loads(part) for part in complete if part]

    def _wait_load(self) -> None:
        deadline = time.monotonic() + COMMAND_TIMEOUT_S
        while True:
            for i, event in enumerate(self._events):
                if event["method"] == "Page.loadEventFired":
                    del self._events[: i + 1]
                    return
            self._events.extend(m for m in self._read(deadline) if "method" in m)

    def goto(self, url: str) -> None:
        self._events.clear()
        self.page("Page.navigate", {"url": url})
        self._wait_load()

    def evaluate(self, expression: str):
        result = self.page("Runtime.evaluate", {"expression": expression, "returnByValue": True, "awaitPromise": True})
        if "exceptionDetails" in result:
            raise CdpError(f"{expression[:80]}…: {result['exceptionDetails'].get('text')}")
        return result["result"].get("value")

    def submit(self, form_selector: str, fields: dict[str, str]) -> None:
        """Fills FIELDS into the form and submits it as a click would; waits for the next page."""
        self._events.clear()
        script = (
            f"(() => {{ const form = document.querySelector({json.dumps(form_selector)});"
            f" for (const [name, value] of Object.entries({json.dumps(fields)}))"
            " form.elements[name].value = value;"
            " form.requestSubmit(); })()"
        )
        self.evaluate(script)
        self._wait_load()

    def screenshot(self, path: Path) -> None:
        """The whole page, not just the viewport."""
        metrics = self.page("Page.getLayoutMetrics")["cssContentSize"]
        shot = self.page(
            "Page.captureScreenshot",
            {
                "format": "png",
                "captureBeyondViewport": True,
                "clip": {"x": 0, "y": 0, "width": metrics["width"], "height": metrics["height"], "scale": 1},
            },
        )
        path.write_bytes(base64.b64decode(shot["data"]))
