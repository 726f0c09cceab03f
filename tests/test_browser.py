"""What a person does, in a real browser: `courtwatch serve` on a free port, headless Chromium via Playwright.

The walk: overview → click a bar → flag list (filtered) → click a row → flag detail → record a disposition →
back to the list → reopen and reload the flag: the disposition is still shown. Screenshots (1400×900) go to
docs/screenshots/; see test_walk_from_overview_to_a_disposition for what each shows.
"""
from __future__ import annotations

import datetime as dt
import os
import re
import socket
import subprocess
import sys
import time
import urllib.parse
import urllib.request
from pathlib import Path

import pytest
from conftest import shared_province  # noqa: E402

pytestmark = pytest.mark.browser

CHROMIUM = "/usr/bin/chromium"
SHOTS = Path(__file__).resolve().parent.parent / "docs" / "screenshots"
EXPORT = dt.date(2024, 12, 31)
WAIT_MS = 120_000  # one page's script and charts, on a busy 2-core machine
REVIEWER = "reviewer.jia"          # a president of the high court 浙: sees every court of the province
REVIEWER_NAME = "审查员甲"
PASSWORD = "correct horse battery staple"
REASON = "已抽查相关卷宗，情况需执行局进一步核实，提请复核。"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _wait_healthy(port: int, proc: subprocess.Popen, seconds: float = 90) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"courtwatch serve exited with {proc.returncode}")
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/_stcore/health", timeout=2) as response:
                if response.status == 200:
                    return
        except OSError:
            pass
        time.sleep(0.25)
    raise TimeoutError(f"dashboard on port {port} not healthy after {seconds}s")


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    """The shared province served by `courtwatch serve`; Streamlit's own PID is stopped at the end."""
    if not Path(CHROMIUM).exists():
        pytest.skip("Chromium is not installed (apt-get install chromium)")
    pytest.importorskip("playwright.sync_api")
    db = shared_province(tmp_path_factory)
    root = tmp_path_factory.mktemp("browser")
    ops_url = f"sqlite:///{root / 'ops.sqlite'}"
    from courtwatch.access import auth
    from courtwatch.storage.opsstore import OpsStore
    auth.add_user(OpsStore.open(url=ops_url), REVIEWER, REVIEWER_NAME, "president", ["浙"], PASSWORD)
    port = _free_port()
    env = dict(os.environ, COURTWATCH_DB=str(db), COURTWATCH_OPS_URL=ops_url)
    log = open(root / "serve.log", "w")
    # `courtwatch serve` execs Streamlit in place, so this PID is Streamlit's own.
    proc = subprocess.Popen([sys.executable, "-m", "courtwatch.cli", "serve", "--db", str(db), "--port", str(port)],
                            env=env, stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
    try:
        _wait_healthy(port, proc)
        yield {"url": f"http://127.0.0.1:{port}", "ops_url": ops_url, "root": root, "pid": proc.pid}
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=10)
        log.close()


@pytest.fixture
def page(server):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=[
            "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
            "--disable-sync", "--no-first-run"])
        try:
            tab = browser.new_page(viewport={"width": 1400, "height": 900}, locale="zh-CN")
            tab.set_default_timeout(WAIT_MS)
            tab.requested_hosts = set()
            tab.on("request", lambda request: tab.requested_hosts.add(urllib.parse.urlsplit(request.url).hostname))
            yield tab
        finally:
            browser.close()


def sign_in(tab) -> None:
    """Fill the sign-in form as REVIEWER."""
    tab.get_by_role("textbox", name="用户名").fill(REVIEWER)
    tab.get_by_role("textbox", name="密码").fill(PASSWORD)
    tab.get_by_role("button", name="登录").click()
    from playwright.sync_api import expect
    expect(tab.get_by_role("heading", name="courtwatch 司法监督预警 · 登录")).to_be_hidden(timeout=WAIT_MS)
    settle(tab)


def settle(tab) -> None:
    """Wait until the page's script has run (Streamlit marks the app element)."""
    tab.wait_for_selector("h1")
    tab.wait_for_selector("[data-testid=stApp][data-test-script-state=notRunning]")


# True once every plotly chart has drawn its SVG and every table grid has painted text on its canvas.
DRAWN = """() => {
  const plots = [...document.querySelectorAll('.js-plotly-plot')];
  if (!plots.every(p => p._fullLayout && p.querySelector('.main-svg'))) return false;
  const grids = [...document.querySelectorAll('[data-testid=stDataFrame]')];
  return grids.every(g => [...g.querySelectorAll('canvas')].some(c => {
    if (!c.width || !c.height) return false;
    const data = c.getContext('2d').getImageData(0, 0, c.width, Math.min(c.height, 120)).data;
    for (let i = 0; i < data.length; i += 4) { if (data[i + 3] > 0 && data[i] < 160) return true; }
    return false;
  }));
}"""


def wait_drawn(tab) -> None:
    """Poll until charts and tables are painted (bounded by the default timeout), not a fixed sleep."""
    tab.wait_for_function(DRAWN, polling=250)


def remote_peers(pid: int) -> set[str]:
    """Remote addresses of the process's TCP connections other than loopback (from /proc)."""
    inodes = set()
    for fd in Path(f"/proc/{pid}/fd").iterdir():
        try:
            target = os.readlink(fd)
        except OSError:
            continue
        if target.startswith("socket:["):
            inodes.add(target[8:-1])
    peers = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        for line in Path(table).read_text().splitlines()[1:]:
            fields = line.split()
            remote, state, inode = fields[2], fields[3], fields[9]
            if inode not in inodes or state == "0A":  # 0A = listening
                continue
            address = remote.split(":")[0]
            loopback = address in ("0100007F", "00000000", "00000000000000000000000001000000",
                                   "00000000000000000000000000000000", "0000000000000000FFFF00000100007F")
            if not loopback:
                peers.add(remote)
    return peers


def shot(tab, name: str) -> Path:
    SHOTS.mkdir(parents=True, exist_ok=True)
    path = SHOTS / name
    tab.screenshot(path=str(path))
    return path


def test_walk_from_overview_to_a_disposition(server, page):
    """Screenshots written to docs/screenshots/:

    00_sign_in.png — what an anonymous visitor sees: the sign-in form (用户名, 密码, 登录) and the language and
        AI switches; no page list, no figures, no flags.

    01_overview.png — 总览 for all courts and the whole period: data freshness (数据截至 2024-12-31, last run,
        last import, quarantined rows), the notice that a flag is a warning for human review, the flag counts
        (total, high, share reviewed, confirmed), and the first two charts: flags by category (量刑 / 执行（终本）/
        廉洁风险) stacked by level, and flags by month stacked by category.
    02_flags.png — 预警列表 opened by clicking the tallest bar of the category chart: the category and level
        filters are set from the click, the count line, and the sortable table (level, score bar, category,
        detector title, court, judge as J000123（张**）, subject, month, review status, explanation).
    03_flag_detail.png — 预警详情 of the first flag in that list: detector title and subject, level and score,
        category / court / masked judge / review status 未审查, the plain explanation, the legal basis, links to
        the judge and court profiles, and the start of the comparison section.
    04_disposition.png — the same flag after the signed-in reviewer (reviewer.jia, president of 浙) chose 上报 with a reason:
        the success line 已记录：上报。 under the disposition form and the history table (when, who, decision,
        reason, run).
    05_after_reload.png — the flag reopened by URL and reloaded after going back to the list: the header shows
        审查状态: 上报, i.e. the disposition came from the operational store, not from the browser session.
    06_flag_detail_en.png — the same page after switching the language to English: titles, labels, the notice
        and the flag's explanation in English; Chinese terms of art such as 终本 kept.
    """
    from playwright.sync_api import expect

    base = server["url"]
    page.goto(base + "/")
    settle(page)
    expect(page.get_by_role("heading", name="courtwatch 司法监督预警 · 登录")).to_be_visible()
    assert page.locator(".js-plotly-plot").count() == 0 and page.locator("[data-testid=stDataFrame]").count() == 0
    assert "预警" not in page.locator("[data-testid=stMainBlockContainer]").inner_text().replace("司法监督预警", "")
    shot(page, "00_sign_in.png")
    page.get_by_role("textbox", name="用户名").fill(REVIEWER)
    page.get_by_role("textbox", name="密码").fill("not the password")
    page.get_by_role("button", name="登录").click()
    settle(page)
    expect(page.get_by_text("用户名或密码不正确")).to_be_visible(timeout=WAIT_MS)
    sign_in(page)
    page.wait_for_function("document.querySelectorAll('.js-plotly-plot').length >= 5")
    expect(page.get_by_role("heading", name="总览")).to_be_visible()
    expect(page.get_by_text("预警仅供人工审查参考").first).to_be_visible()
    wait_drawn(page)
    shot(page, "01_overview.png")

    # overview → flag list: click the tallest bar of the category × level chart
    bars = page.locator(".js-plotly-plot").first.locator("g.point path")
    heights = [(bars.nth(i).bounding_box() or {"height": 0})["height"] for i in range(bars.count())]
    bars.nth(heights.index(max(heights))).click(force=True)
    page.wait_for_url(re.compile(r".*/flags$"))
    settle(page)
    expect(page.get_by_role("heading", name="预警列表")).to_be_visible()
    expect(page.get_by_text(re.compile(r"符合条件 \d+ 条"))).to_be_visible()
    page.wait_for_selector("[data-testid=stDataFrame] canvas")
    wait_drawn(page)
    shot(page, "02_flags.png")

    # flag list → flag detail: click the first row
    grid = page.locator("[data-testid=stDataFrame]").first
    box = grid.bounding_box()
    page.mouse.click(box["x"] + 18, box["y"] + 35 + 17)
    page.wait_for_url(re.compile(r".*/flag\?flag=F[0-9a-f]{15}$"))
    settle(page)
    detail_url = page.url
    flag_id = detail_url.rsplit("=", 1)[1]
    expect(page.get_by_text("审查状态: 未审查")).to_be_visible()
    expect(page.get_by_text("法律依据").first).to_be_visible()
    wait_drawn(page)
    shot(page, "03_flag_detail.png")

    # record a disposition: the signed-in reviewer decides, with a reason
    form = page.locator("[data-testid=stForm]")
    form.scroll_into_view_if_needed()
    form.get_by_text("上报", exact=True).click()
    form.get_by_role("textbox", name="理由（必填）").fill(REASON)
    form.get_by_role("button", name="提交处理意见").click()
    settle(page)
    success = page.get_by_text("已记录：上报。")
    expect(success).to_be_visible()
    expect(page.get_by_text("审查状态: 上报")).to_be_visible()
    success.scroll_into_view_if_needed()
    page.wait_for_selector("[data-testid=stDataFrame] canvas")
    wait_drawn(page)
    shot(page, "04_disposition.png")

    # back to the list, then reopen the flag by its URL and reload: the disposition is still there
    page.get_by_role("link", name="返回预警列表").click()
    page.wait_for_url(re.compile(r".*/flags$"))
    settle(page)
    page.goto(detail_url)
    settle(page)
    page.reload()
    settle(page)
    sign_in(page)  # a reload starts a new session: sign in again, and the flag's URL is kept
    expect(page.get_by_text("审查状态: 上报")).to_be_visible()
    wait_drawn(page)
    shot(page, "05_after_reload.png")

    from courtwatch.storage.opsstore import OpsStore
    ops = OpsStore.open(url=server["ops_url"])
    history = ops.history(flag_id)
    assert [(h["decision"], h["decided_by"], h["reason"]) for h in history] == [("escalate", REVIEWER, REASON)]
    assert any(r["action"] == "view_flag" and r["target"] == flag_id for r in ops.audit_rows())
    assert ops.verify_audit()[0]

    # nothing leaves the machine: the browser asked only the dashboard, the server talks to no one else
    assert page.requested_hosts == {"127.0.0.1"}, page.requested_hosts
    assert remote_peers(server["pid"]) == set()

    # the same page in English
    page.get_by_text("English", exact=True).click()
    settle(page)
    expect(page.get_by_role("heading", name="Flag detail")).to_be_visible()
    expect(page.get_by_text("a flag is a warning for human review").first).to_be_visible()
    wait_drawn(page)
    shot(page, "06_flag_detail_en.png")
