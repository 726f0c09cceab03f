"""What a person does, in a real browser: `courtwatch serve` on a free port, headless Chromium via Playwright.

The walk: overview → click a bar → flag list (filtered) → click a row → flag detail → record a disposition
(no decision chosen beforehand, a reason required, a second submission in the same view refused) → back to
the list → reopen and reload the flag: the disposition is still shown. Then a one-court inspector's pages (the
court against its anonymised peers) and the English pages (no Chinese outside names, case numbers, court
names and charges). Screenshots (1400×900) go to docs/screenshots/; each test's docstring says what they show.
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
INSPECTOR = "inspector.li"         # an inspector of one basic court
INSPECTOR_NAME = "李检查"
CJK = re.compile(r"[\u2e80-\u9fff\u3000-\u303f\uff00-\uffef]")
CASE_NUMBER = re.compile(r"[(（]\d{4}[)）][\u4e00-\u9fff]\d{0,4}[\u4e00-\u9fff]{1,3}\d+号")
MASKED_NAME = re.compile(r"[\u4e00-\u9fff]{1,2}\*\*")


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
    import duckdb

    from courtwatch.access import auth
    from courtwatch.storage.opsstore import OpsStore
    con = duckdb.connect(str(db), read_only=True)
    # the basic court with the most flags: its inspector sees one court
    court = con.execute("SELECT f.court_id FROM flags f JOIN courts c USING (court_id) WHERE c.level = 'basic' "
                        "GROUP BY 1 ORDER BY count(*) DESC, 1 LIMIT 1").fetchone()[0]
    courts = dict(con.execute("SELECT court_id, name FROM courts").fetchall())
    recorded = {w for (w,) in con.execute("SELECT court_id FROM courts UNION SELECT name FROM courts UNION "
                                          "SELECT charge FROM defendants UNION SELECT cause FROM cases UNION "
                                          "SELECT note FROM events").fetchall() if w}
    con.close()
    ops = OpsStore.open(url=ops_url)
    auth.add_user(ops, REVIEWER, REVIEWER_NAME, "president", ["浙"], PASSWORD)
    auth.add_user(ops, INSPECTOR, INSPECTOR_NAME, "inspector", [court], PASSWORD)
    port = _free_port()
    env = dict(os.environ, COURTWATCH_DB=str(db), COURTWATCH_OPS_URL=ops_url)
    log = open(root / "serve.log", "w")
    # `courtwatch serve` execs Streamlit in place, so this PID is Streamlit's own.
    proc = subprocess.Popen([sys.executable, "-m", "courtwatch.cli", "serve", "--db", str(db), "--port", str(port)],
                            env=env, stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
    try:
        _wait_healthy(port, proc)
        yield {"url": f"http://127.0.0.1:{port}", "ops_url": ops_url, "root": root, "pid": proc.pid,
               "court": court, "courts": courts, "recorded": recorded | {REVIEWER_NAME, INSPECTOR_NAME}}
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


def sign_in(tab, username: str = REVIEWER) -> None:
    """Fill the sign-in form; return once the signed-in page has run (its sign-out button is there)."""
    tab.get_by_role("textbox", name="用户名").fill(username)
    tab.get_by_role("textbox", name="密码").fill(PASSWORD)
    tab.get_by_role("button", name="登录").click()
    from playwright.sync_api import expect
    expect(tab.get_by_role("heading", name="courtwatch 司法监督预警 · 登录")).to_be_hidden(timeout=WAIT_MS)
    tab.get_by_role("button", name=re.compile("退出登录|Sign out")).wait_for(state="visible")
    settle(tab)


def main_text(tab) -> str:
    """What the page's main area shows as text (charts' SVG labels included; tables are drawn on canvas)."""
    return tab.locator("[data-testid=stMain]").inner_text()


def chinese_left(text: str, allowed: set[str]) -> list[str]:
    """The Chinese an English page shows beyond names, case numbers, court names and ids, charges and causes,
    and the record's own notes (tests/test_dashboard.py checks the same through AppTest, tables included)."""
    text = MASKED_NAME.sub(" ", CASE_NUMBER.sub(" ", text))
    for word in sorted(allowed, key=len, reverse=True):
        text = text.replace(word, " ")
    return sorted({line.strip() for line in text.splitlines() if CJK.search(line)})


def scroll_to(tab, text: str) -> None:
    """Bring the element showing `text` to the top of the viewport (Streamlit's main area scrolls, not the page)."""
    # Streamlit's header covers the top of the main area: leave room for it above the element
    tab.get_by_text(text, exact=False).first.evaluate("""e => {
      e.scrollIntoView({block: 'start'});
      let box = e.parentElement;
      while (box && !(["auto", "scroll"].includes(getComputedStyle(box).overflowY)
                      && box.scrollHeight > box.clientHeight)) box = box.parentElement;
      if (box) box.scrollBy(0, -70);
    }""")
    tab.wait_for_timeout(300)


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


def click_first_row(tab) -> None:
    """Click the court cell of the flags table's first row (a click on any cell opens that row's flag)."""
    box = tab.locator("[data-testid=stDataFrame]").first.bounding_box()
    # past level and rule/model, under the 35 px header, in the middle of the 68 px row; the grid takes a click
    # on a cell only once the pointer has hovered it (a bare jump-and-click selected nothing)
    tab.mouse.move(box["x"] + 48 + 150 + 40, box["y"] + 35 + 34)
    tab.wait_for_timeout(300)
    tab.mouse.down()
    tab.mouse.up()


def table_scrolls_sideways(tab) -> bool:
    """True when the first table's grid is wider than its box (glide-data-grid's scroller scrolls sideways)."""
    return tab.locator("[data-testid=stDataFrame]").first.evaluate("""g => {
      const boxes = [...g.querySelectorAll('div')].filter(d => ['auto', 'scroll'].includes(getComputedStyle(d).overflowX));
      return boxes.some(d => d.scrollWidth > d.clientWidth + 1);
    }""")


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
    tab.mouse.move(2, 2)  # no hover tooltip left over from the last click
    tab.wait_for_timeout(200)
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
        filters are set from the click, the count line, and the sortable table, whole at 1400 px with no column
        cut off and no row checkboxes (level, rule/model, court, judge as J000123（张**）, case number or
        subject, month, review status, the start of the explanation; long cells wrap over up to three lines).
    03_flag_detail.png — 预警详情 of the first flag in that list: detector title and subject, level and score,
        category / court / masked judge / review status 未审查, the plain explanation, the legal basis, links to
        the judge and court profiles, and the start of the comparison section.
    04a_disposition_needs_a_decision.png — the disposition form with a reason but no decision: none of the four
        decisions is chosen beforehand, and 请选择处理意见。 refuses the submission.
    04_disposition.png — the same flag after the signed-in reviewer (reviewer.jia, president of 浙) chose 上报 with a reason:
        the success line 已记录：上报。 under the disposition form and the history table (when, who — the reviewer's
        name 审查员甲, not the login — decision, reason, run).
    04b_second_submission_refused.png — the same decision and reason sent again in the same view: refused
        (本次查看中已提交过处理意见…), with the deliberate way to add another (再提交一条处理意见).
    05_after_reload.png — the flag reopened by URL and reloaded after going back to the list: the header shows
        审查状态: 上报, i.e. the disposition came from the operational store, not from the browser session.
    06_flag_detail_en.png — the same page after switching the language to English: titles, labels, the notice,
        the flag's explanation and its legal basis in English; the only Chinese left is names, case numbers,
        court names and charges.
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

    # the table fits: no horizontal scroll bar, every column inside the grid
    assert not table_scrolls_sideways(page), "the flags table needs a horizontal scroll at 1400 px"
    # flag list → flag detail: click a cell of the first row (no checkbox column)
    click_first_row(page)
    page.wait_for_url(re.compile(r".*/flag\?flag=F[0-9a-f]{15}$"))
    settle(page)
    detail_url = page.url
    flag_id = detail_url.rsplit("=", 1)[1]
    expect(page.get_by_text("审查状态: 未审查")).to_be_visible()
    expect(page.get_by_text("法律依据").first).to_be_visible()
    wait_drawn(page)
    shot(page, "03_flag_detail.png")

    # record a disposition: nothing is chosen beforehand, and a reason alone is refused
    form = page.locator("[data-testid=stForm]")
    form.scroll_into_view_if_needed()
    assert form.locator("input[type=radio]").count() == 4
    assert form.locator("input[type=radio]:checked").count() == 0, "no decision is preselected"
    form.get_by_role("textbox", name="理由（必填）").fill(REASON)
    form.get_by_role("button", name="提交处理意见").click()
    settle(page)
    expect(page.get_by_text("请选择处理意见。")).to_be_visible()
    shot(page, "04a_disposition_needs_a_decision.png")
    # the signed-in reviewer decides, with a reason
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
    # the same form sent again in the same view: refused, nothing recorded twice
    form.get_by_text("上报", exact=True).click()
    form.get_by_role("textbox", name="理由（必填）").fill(REASON)
    form.get_by_role("button", name="提交处理意见").click()
    settle(page)
    refused = page.get_by_text("本次查看中已提交过处理意见")
    expect(refused).to_be_visible()
    expect(page.get_by_role("button", name="再提交一条处理意见")).to_be_visible()
    refused.scroll_into_view_if_needed()
    wait_drawn(page)
    shot(page, "04b_second_submission_refused.png")

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
    assert not chinese_left(main_text(page), server["recorded"]), chinese_left(main_text(page), server["recorded"])


def test_a_one_court_inspector_sees_the_court_against_its_peers(server, page):
    """Screenshots:

    07_inspector_overview.png — 总览 for an inspector of one basic court: the freshness line and the metrics
        labelled 数据日期（截至） and 检测运行日期 (the data date and the run date are not confused), the counts
        of that court's flags, and the charts by category and by month (month axis as 2023-01, horizontal).
    08_inspector_peers.png — instead of a one-bar court chart: the court's flags per 100 closed cases among
        the courts of its level, highest first, the court in red and named, the others grey and anonymous
        (同级法院 k), with its rank in words under the chart; beside it the court's judges with most flags.
    09_inspector_funnel.png — the 终本 funnel: limits over every officer of the province, the other courts'
        officers as small grey anonymous dots, this court's officers named and coloured by the limit they pass.
    10_inspector_sentencing.png — instead of a one-column heat map: per charge, the court's sentencing
        warnings per 100 defendants (red open diamond) among the courts of its level (grey dots and box).
    """
    from playwright.sync_api import expect

    page.goto(server["url"] + "/")
    settle(page)
    sign_in(page, INSPECTOR)
    expect(page.get_by_role("heading", name="总览")).to_be_visible()
    page.wait_for_function("document.querySelectorAll('.js-plotly-plot').length >= 6")
    wait_drawn(page)
    expect(page.get_by_text("数据日期（截至）")).to_be_visible()
    expect(page.get_by_text("检测运行日期")).to_be_visible()
    shot(page, "07_inspector_overview.png")
    text = main_text(page)
    for title in ("本院与同级法院：每百件结案的预警数", "量刑预警：本院与同级法院", "终本率漏斗图"):
        assert title in text, title
    assert "预警最多的法院" not in text and "量刑预警热力图" not in text, "no one-bar chart, no one-column heat map"
    own = server["court"]
    others = [name for court, name in server["courts"].items() if court != own and name and name in text]
    assert not others, f"other courts named: {others[:3]}"
    assert server["courts"][own] in text, "the court itself is named in its charts"
    assert re.search(r"同级法院 \d+", page.content()), "the others are numbered, not named"
    scroll_to(page, "本院与同级法院：每百件结案的预警数")
    shot(page, "08_inspector_peers.png")
    scroll_to(page, "终本率漏斗图")
    shot(page, "09_inspector_funnel.png")
    scroll_to(page, "量刑预警：本院与同级法院")
    shot(page, "10_inspector_sentencing.png")


def test_english_pages_hold_no_chinese_outside_names_and_case_numbers(server, page):
    """Screenshots:

    11_overview_en.png — the overview in English for the one-court inspector: Data date (as of), Run date,
        the counts, and the charts' titles, axes and legends in English (categories such as Enforcement).
    12_flags_en.png — the flag list in English: filters, count line and the table (detector titles and
        explanations in English; court names, masked judge names and case numbers as recorded).
    13_flag_detail_en.png — a flag's detail in English for the inspector: explanation, legal basis, the
        comparison, the case timeline, related flags and the disposition form in English.
    """
    from playwright.sync_api import expect

    page.goto(server["url"] + "/")
    settle(page)
    sign_in(page, INSPECTOR)
    page.get_by_text("English", exact=True).click()
    settle(page)
    expect(page.get_by_role("heading", name="Overview")).to_be_visible()
    page.wait_for_function("document.querySelectorAll('.js-plotly-plot').length >= 6")
    wait_drawn(page)
    shot(page, "11_overview_en.png")
    assert not chinese_left(main_text(page), server["recorded"]), chinese_left(main_text(page), server["recorded"])
    page.get_by_role("link", name="Flags").click()
    page.wait_for_url(re.compile(r".*/flags$"))
    settle(page)
    expect(page.get_by_role("heading", name="Flags")).to_be_visible()
    page.wait_for_selector("[data-testid=stDataFrame] canvas")
    wait_drawn(page)
    shot(page, "12_flags_en.png")
    assert not chinese_left(main_text(page), server["recorded"]), chinese_left(main_text(page), server["recorded"])
    assert not table_scrolls_sideways(page), "the English flags table needs a horizontal scroll at 1400 px"
    click_first_row(page)
    page.wait_for_url(re.compile(r".*/flag\?flag=F[0-9a-f]{15}$"))
    settle(page)
    expect(page.get_by_role("heading", name="Flag detail")).to_be_visible()
    expect(page.get_by_text("Legal basis").first).to_be_visible()
    wait_drawn(page)
    shot(page, "13_flag_detail_en.png")
    assert not chinese_left(main_text(page), server["recorded"]), chinese_left(main_text(page), server["recorded"])
