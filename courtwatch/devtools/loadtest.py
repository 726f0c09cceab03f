"""Load test: many inspectors walking the dashboard at once while a new run is published.

Each session is a real browser context (headless Debian Chromium, Playwright)
that opens the overview, the flag list and one flag's detail, and checks that
no page shows an error. Halfway through, `courtwatch detect` publishes a new
run by atomic swap. Only 127.0.0.1 is contacted; every wait is bounded.

    python -m courtwatch.devtools.loadtest --db demo/courtwatch.duckdb --sessions 30
"""
from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import socket
import statistics
import subprocess
import sys
import time
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run", "--disable-quic", "--disable-dev-shm-usage"]
PAGE_TIMEOUT_MS = 90_000


@dataclass
class LoadResult:
    sessions: int
    page_seconds: dict[str, list[float]] = field(default_factory=dict)
    errors: list[str] = field(default_factory=list)
    published_during_load: bool = False

    def p95(self, page: str) -> float:
        values = sorted(self.page_seconds.get(page, []))
        if not values:
            return float("nan")
        return values[min(len(values) - 1, int(round(0.95 * (len(values) - 1))))]

    def summary(self) -> str:
        parts = [f"{page}: p50 {statistics.median(v):.2f}s p95 {self.p95(page):.2f}s (n={len(v)})"
                 for page, v in self.page_seconds.items() if v]
        return f"{self.sessions} sessions; " + "; ".join(parts) + f"; errors {len(self.errors)}"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextlib.contextmanager
def serving(db: Path, port: int, env: dict | None = None, timeout: float = 120.0):
    """`courtwatch serve` on 127.0.0.1:port until the block ends; stopped by its own PID."""
    environment = dict(os.environ, **(env or {}))
    process = subprocess.Popen([sys.executable, "-m", "courtwatch.cli", "serve", "--db", str(db), "--port", str(port)],
                               env=environment, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        deadline = time.monotonic() + timeout
        while True:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/_stcore/health", timeout=2) as answer:
                    if answer.status == 200:
                        break
            except OSError:
                pass
            if process.poll() is not None:
                raise RuntimeError(f"courtwatch serve exited: {process.stderr.read().decode()[-500:]}")
            if time.monotonic() > deadline:
                raise TimeoutError("the dashboard did not come up in time")
            time.sleep(0.2)
        yield f"http://127.0.0.1:{port}"
    finally:
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=10)


async def _navigate(page, path: str, heading: str) -> float:
    """Open a page through the app's own navigation (the session and its sign-in are kept)."""
    began = time.perf_counter()
    await page.evaluate("""(path) => { window.history.pushState({}, '', '/' + path);
                                       window.dispatchEvent(new PopStateEvent('popstate')); }""", path)
    await page.wait_for_selector(f"[data-testid='stMainBlockContainer'] h1:has-text('{heading}')", timeout=PAGE_TIMEOUT_MS)
    # Streamlit marks the app while the page script runs; the page is ready when the run has finished.
    await page.wait_for_selector("[data-testid='stApp'][data-test-script-state='notRunning']", timeout=PAGE_TIMEOUT_MS)
    return time.perf_counter() - began


async def _open_overview(page, base: str, credentials: tuple[str, str] | None) -> float:
    """Load the dashboard (signing in when accounts are required); seconds until the overview has rendered."""
    await page.goto(f"{base}/", wait_until="domcontentloaded", timeout=PAGE_TIMEOUT_MS)
    began = time.perf_counter()
    if credentials:
        await page.wait_for_selector("input[type=password]", timeout=PAGE_TIMEOUT_MS)
        await page.locator("input[type=text]").first.fill(credentials[0])
        await page.locator("input[type=password]").fill(credentials[1])
        began = time.perf_counter()
        await page.locator("[data-testid=stFormSubmitButton] button").click()
    await page.wait_for_selector("[data-testid='stMainBlockContainer'] h1:has-text('总览')", timeout=PAGE_TIMEOUT_MS)
    await page.wait_for_selector("[data-testid='stApp'][data-test-script-state='notRunning']", timeout=PAGE_TIMEOUT_MS)
    return time.perf_counter() - began


async def _session(browser, base: str, flag_id: str, result: LoadResult, index: int,
                   credentials: tuple[str, str] | None) -> None:
    context = await browser.new_context(viewport={"width": 1280, "height": 800})
    page = await context.new_page()
    try:
        steps = [("overview", lambda: _open_overview(page, base, credentials)),
                 # then move inside the signed-in session (a fresh page load would start a new session)
                 ("flags", lambda: _navigate(page, "flags", "预警列表")),
                 ("flag", lambda: _navigate(page, f"flag?flag={flag_id}", "预警详情"))]
        for name, step in steps:
            seconds = await step()
            if await page.locator("[data-testid='stException']").count():
                result.errors.append(f"session {index}: exception on {name}")
            result.page_seconds.setdefault(name, []).append(seconds)
    except Exception as exc:  # recorded, not raised: the run reports every failure
        result.errors.append(f"session {index}: {type(exc).__name__}: {str(exc)[:200]}")
    finally:
        await context.close()


async def _run(base: str, sessions: int, flag_id: str, publish, credentials=None) -> LoadResult:
    from playwright.async_api import async_playwright
    result = LoadResult(sessions)
    async with async_playwright() as p:
        browser = await p.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        try:
            tasks = [asyncio.create_task(_session(browser, base, flag_id, result, i, credentials)) for i in range(sessions)]
            if publish is not None:
                await asyncio.to_thread(publish)
                result.published_during_load = not all(t.done() for t in tasks)
            await asyncio.wait_for(asyncio.gather(*tasks), timeout=900)
        finally:
            await browser.close()
    return result


def run_load(db: Path, sessions: int, flag_id: str, publish=None, env: dict | None = None,
             credentials: tuple[str, str] | None = None) -> LoadResult:
    with serving(db, free_port(), env=env) as base:
        return asyncio.run(_run(base, sessions, flag_id, publish, credentials))


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--db", required=True)
    parser.add_argument("--sessions", type=int, default=30)
    parser.add_argument("--user", help="an account to sign in with (its password from COURTWATCH_LOAD_PASSWORD)")
    args = parser.parse_args(argv)
    credentials = (args.user, os.environ.get("COURTWATCH_LOAD_PASSWORD", "")) if args.user else None
    from courtwatch.pipeline.runs import load_flags
    flag_id = load_flags(args.db)["flag_id"].iloc[0]
    publish = lambda: subprocess.run([sys.executable, "-m", "courtwatch.cli", "detect", "--db", args.db],
                                     check=True, capture_output=True)
    result = run_load(Path(args.db), args.sessions, flag_id, publish, credentials=credentials)
    print(result.summary())
    for error in result.errors:
        print("  " + error)


if __name__ == "__main__":
    main()
