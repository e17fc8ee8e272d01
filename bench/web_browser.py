#!/usr/bin/env python3
"""web_browser.py: steps per second of a MiniWoB++-style click-button task
in a real browser page (Debian's headless Chromium), driven over the Chrome
DevTools protocol, for the comparison in docs/web.md ("Against a browser").

One agent step, as a MiniWoB++ environment makes one:
  1. observe: read the page's state (Runtime.evaluate of observe() in
     web_browser.html: the instruction, each element's tag, text and box);
  2. act: one click on a button chosen uniformly at random, as mouse events
     at its centre (Input.dispatchMouseEvent pressed, then released);
  3. read the outcome (Runtime.evaluate of metadata(): reward, done); an
     episode that ended is reset in the page (episode()), inside the timed
     loop, as `ludus bench` counts resets.
Variants: `ax` reads the accessibility tree (Accessibility.getFullAXTree,
what WebArena-style agents read) instead of the DOM fields in step 1;
`shot` adds a PNG screenshot (Page.captureScreenshot) to step 1, as
MiniWoB++'s default observation has one.

The protocol runs over --remote-debugging-pipe (NUL-terminated JSON on file
descriptors 3 and 4), so nothing beyond Python's standard library is needed.
This is a benchmark, not a test.
  python3 bench/web_browser.py [--seconds S] [--variant dom|ax|shot|all] [--chromium PATH]
"""
import argparse
import fcntl
import json
import os
import random
import shutil
import subprocess
import sys
import tempfile
import time


class Browser:
    def __init__(self, exe, profile):
        # fds 3 (commands to Chromium) and 4 (its replies) in the child
        to_r, self.to_w = os.pipe()
        self.from_r, from_w = os.pipe()
        def fds():  # in the child: move both ends above 4 first, so neither dup2 clobbers the other
            r, w = fcntl.fcntl(to_r, fcntl.F_DUPFD, 5), fcntl.fcntl(from_w, fcntl.F_DUPFD, 5)
            os.dup2(r, 3)
            os.dup2(w, 4)
        args = [exe, "--headless", "--remote-debugging-pipe", "--no-sandbox", "--disable-gpu",
                "--disable-extensions", "--no-first-run", "--no-default-browser-check",
                "--user-data-dir=" + profile, "--window-size=800,600", "about:blank"]
        self.proc = subprocess.Popen(args, preexec_fn=fds, pass_fds=(3, 4),
                                     stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        os.close(to_r)
        os.close(from_w)
        self.buf = b""
        self.next_id = 0
        self.session = None

    def send(self, method, params=None, session=True):
        self.next_id += 1
        msg = {"id": self.next_id, "method": method, "params": params or {}}
        if session and self.session:
            msg["sessionId"] = self.session
        os.write(self.to_w, json.dumps(msg).encode() + b"\0")
        while True:
            while b"\0" not in self.buf:
                chunk = os.read(self.from_r, 1 << 20)
                if not chunk:
                    raise RuntimeError("chromium closed the pipe")
                self.buf += chunk
            raw, self.buf = self.buf.split(b"\0", 1)
            reply = json.loads(raw)
            if reply.get("id") == self.next_id:
                if "error" in reply:
                    raise RuntimeError("%s: %s" % (method, reply["error"]))
                return reply.get("result", {})

    def eval(self, expr):
        r = self.send("Runtime.evaluate", {"expression": expr, "returnByValue": True})
        if "exceptionDetails" in r:
            raise RuntimeError("page: %s" % r["exceptionDetails"])
        return r["result"].get("value")

    def close(self):
        try:
            self.send("Browser.close", session=False)
        except (RuntimeError, OSError):
            pass
        try:
            self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()


def run(b, variant, seconds, rng):
    steps = episodes = wins = 0
    t0 = time.perf_counter()
    while time.perf_counter() - t0 < seconds:
        obs = b.eval("observe()")                                  # 1. observe
        if variant == "ax":
            b.send("Accessibility.getFullAXTree")
        if variant == "shot":
            b.send("Page.captureScreenshot", {"format": "png"})
        buttons = [e for e in obs["elements"] if e["tag"] == "button"]
        e = rng.choice(buttons)                                    # 2. act: a random button
        x, y = e["left"] + e["width"] / 2, e["top"] + e["height"] / 2
        for kind in ("mousePressed", "mouseReleased"):
            b.send("Input.dispatchMouseEvent", {"type": kind, "x": x, "y": y, "button": "left", "clickCount": 1})
        meta = b.eval("metadata()")                                # 3. the outcome
        steps += 1
        if meta["done"]:
            episodes += 1
            wins += meta["reward"] > 0
            b.eval("episode()")
    dt = time.perf_counter() - t0
    return steps, dt, episodes, wins


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--seconds", type=float, default=10.0, help="seconds per variant (default 10)")
    ap.add_argument("--variant", default="all", choices=["dom", "ax", "shot", "all"])
    ap.add_argument("--chromium", default=shutil.which("chromium") or shutil.which("chromium-browser"))
    a = ap.parse_args()
    if not a.chromium:
        sys.exit("web_browser.py: chromium is not installed (apt-get install chromium)")
    page = "file://" + os.path.join(os.path.dirname(os.path.abspath(__file__)), "web_browser.html")
    profile = tempfile.mkdtemp(prefix="ludus-web-browser-")
    b = Browser(a.chromium, profile)
    try:
        targets = b.send("Target.getTargets", session=False)["targetInfos"]
        tid = next(t["targetId"] for t in targets if t["type"] == "page")
        b.session = b.send("Target.attachToTarget", {"targetId": tid, "flatten": True}, session=False)["sessionId"]
        b.send("Page.enable")
        b.send("Page.navigate", {"url": page})
        for _ in range(200):  # wait for the page's script
            try:
                if b.eval("typeof observe") == "function":
                    break
            except RuntimeError:
                pass
            time.sleep(0.05)
        print("chromium: %s" % subprocess.run([a.chromium, "--version"], capture_output=True, text=True).stdout.strip())
        print("load average: %.2f %.2f %.2f" % os.getloadavg())
        rng = random.Random(1)
        for v in (["dom", "ax", "shot"] if a.variant == "all" else [a.variant]):
            run(b, v, min(1.0, a.seconds / 10), rng)  # warm up
            steps, dt, episodes, wins = run(b, v, a.seconds, rng)
            print("%-4s %6d steps in %.2f s = %8.1f steps/s, %.3f ms/step (%d episodes, %.0f%% success)"
                  % (v, steps, dt, steps / dt, dt / steps * 1e3, episodes, 100.0 * wins / max(episodes, 1)))
    finally:
        b.close()
        shutil.rmtree(profile, ignore_errors=True)


if __name__ == "__main__":
    main()
