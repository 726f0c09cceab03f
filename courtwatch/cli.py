"""The `courtwatch` command line (shared interfaces.md): thin wrappers over the library.

Each command parses its arguments, calls the same functions the dashboard and
tests call, prints progress on stderr and a one-line summary on stdout. A
UserError becomes a one-line message and exit status 2.
"""
from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import re
import sys
import time
from pathlib import Path
from typing import Callable

from courtwatch.core.errors import UserError
from courtwatch.storage import store


def _progress(message: str) -> None:
    print(f"  {message}", file=sys.stderr, flush=True)


class StepProgress:
    """A long command's progress on stderr: a bar (tqdm) on a terminal, one line per message otherwise.

    The pipeline reports in messages (`progress(str)`); `is_step` says which of them finish one of the
    `total` steps (a detector, a table, a briefing file), so the bar moves while every message still
    shows beside it.
    """

    def __init__(self, total: int, unit: str, is_step: Callable[[str], bool]):
        from tqdm import tqdm
        self.is_step = is_step
        self.bar = tqdm(total=total, unit=unit, file=sys.stderr, disable=None, leave=False, dynamic_ncols=True)

    def __call__(self, message: str) -> None:
        if self.bar.disable:  # not a terminal (a log, CI): the messages as lines
            _progress(message)
            return
        self.bar.set_postfix_str(message[:70], refresh=False)
        if self.is_step(message):
            self.bar.update(1)
        else:
            self.bar.refresh()

    def __enter__(self) -> "StepProgress":
        return self

    def __exit__(self, *exc) -> None:
        self.bar.close()


class _VersionAction(argparse.Action):
    """`--version`: the package version with the git commit when run from a checkout, as runs record it
    (computed only when asked: finding the commit runs git)."""

    def __init__(self, option_strings, dest, **kwargs):
        super().__init__(option_strings, dest, nargs=0, default=argparse.SUPPRESS, **kwargs)

    def __call__(self, parser, namespace, values, option_string=None):
        from courtwatch.pipeline.runs import code_version
        print(f"courtwatch {code_version()}")
        parser.exit()


def _date(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a date (YYYY-MM-DD)") from None


def cmd_sample(args) -> None:
    from courtwatch.sample_data import generate
    began = time.perf_counter()
    summary = generate(args.out_dir, scale=args.scale, seed=args.seed, noise=args.noise)
    rows = summary.get("rows", summary)
    total = sum(v for v in rows.values() if isinstance(v, int))
    print(f"sample: wrote {total} rows to {args.out_dir} (scale {args.scale}, seed {args.seed}) "
          f"in {time.perf_counter() - began:.1f}s; planted anomalies in ground_truth.csv")


def cmd_ingest(args) -> None:
    from courtwatch.pipeline.ingest import ingest
    began = time.perf_counter()
    from courtwatch.core.contract import LOAD_ORDER
    tables = [t for t in LOAD_ORDER if any(Path(args.dir).glob(f"{t}.*"))]
    with StepProgress(len(tables), "table", lambda m: m.split(":")[0] in tables and ": read " in m) as progress:
        result = ingest(args.dir, db=args.db, export_date=args.export_date,
                        progress=(lambda m: None) if args.json else progress)
    if args.json:
        print(json.dumps(result.summary(), ensure_ascii=False))
        return
    print(f"{'table':<16}{'read':>10}{'loaded':>10}{'quarantined':>13}  file (encoding)")
    for tr in result.tables.values():
        print(f"{tr.table:<16}{tr.read:>10}{tr.loaded:>10}{tr.quarantined:>13}  {Path(tr.file).name} ({tr.encoding})")
    problems = result.problems
    if problems is not None and not problems.empty:
        print(f"\nquarantined rows (first 20 of {len(problems)} problems; all are in the quarantine table):")
        for p in problems.head(20).to_dict("records"):
            column = p["column_name"] if isinstance(p["column_name"], str) else "(whole row)"
            value = f" {str(p['value'])[:40]!r}" if isinstance(p["value"], str) else ""
            print(f"  {Path(p['file']).name} row {p['_row']}, {column}{value}: {p['reason']}")
    read = sum(t.read for t in result.tables.values())
    loaded = sum(t.loaded for t in result.tables.values())
    print(f"ingest: {read} rows read, {loaded} loaded, {read - loaded} quarantined into {store.db_path(args.db)} "
          f"in {time.perf_counter() - began:.1f}s (import {result.import_id})")


def cmd_detect(args) -> None:
    from courtwatch.core.config import load_config
    from courtwatch.pipeline.runs import detect
    began = time.perf_counter()
    from courtwatch.detectors.registry import by_name
    names = set(by_name())
    with StepProgress(len(names), "detector", lambda m: m.split(":")[0] in names) as progress:
        result = detect(args.db, as_of=args.as_of, config=load_config(args.config), progress=progress,
                        since=args.since, engine=args.engine, parquet=args.parquet)
    counts = result.flags.groupby("category").size().to_dict() if not result.flags.empty else {}
    by_category = ", ".join(f"{k} {v}" for k, v in sorted(counts.items())) or "none"
    mode = f"incremental since {args.since}, " if args.since else ""
    engine = "on Spark, " if args.engine == "spark" else ""
    print(f"detect: run {result.run_id} ({mode}{engine}as of {result.as_of}): {len(result.flags)} flags "
          f"({by_category}) in {time.perf_counter() - began:.1f}s — warnings for human review, not findings")


def cmd_export_parquet(args) -> None:
    from courtwatch.pipeline.spark_engine import export_parquet
    began = time.perf_counter()
    counts = export_parquet(store.db_path(args.db), Path(args.out))
    total = sum(counts.values())
    print(f"export-parquet: wrote {total} rows of {len(counts)} tables to {args.out} "
          f"(partitioned by province) in {time.perf_counter() - began:.1f}s")


def _user_scope(args, action: str):
    """(user, court_ids) for --as-user: the CLI then sees and exports what that user may, and audits it."""
    if not getattr(args, "as_user", None):
        return None, None
    from courtwatch.access import auth
    ops = _ops(args)
    user = auth.user_by_name(ops, args.as_user)
    if user is None:
        raise UserError(f"no enabled account {args.as_user}; `courtwatch user list` shows them")
    if not user.sees_cases:
        raise UserError(f"{args.as_user} is an analyst: analysts see aggregates only, never flags on cases")
    return user, auth.court_scope(user, args.db)


def cmd_flags(args) -> None:
    from courtwatch.pipeline.runs import load_flags
    user, court_ids = _user_scope(args, "export_flags")
    flags = load_flags(args.db, run_id=args.run, category=args.category, court_ids=court_ids)
    if user is not None:
        _ops(args).audit(user.username, "export", "flags", {"format": args.format, "rows": len(flags),
                                                            "category": args.category, "run": args.run})
    if args.format == "json":
        records = flags.to_dict("records")
        for record in records:
            record["evidence"] = json.loads(record["evidence"]) if record["evidence"] else {}
            for key, value in record.items():
                if isinstance(value, float) and value != value:
                    record[key] = None
        json.dump(records, sys.stdout, ensure_ascii=False, indent=1, default=str)
        sys.stdout.write("\n")
    else:
        # A spreadsheet opens the CSV: text cells (imported ids, explanations) are guarded against formulas.
        # The JSON above stays exactly as stored: it is data for programs, not a sheet (docs/security.md).
        from courtwatch.core.cells import guard_frame
        guard_frame(flags).to_csv(sys.stdout, index=False)
    print(f"flags: {len(flags)} flag(s)", file=sys.stderr)


def cmd_brief(args) -> None:
    from courtwatch.reporting.briefing import write_brief
    began = time.perf_counter()
    if args.ops_url:  # the briefing audits its export in the same operational store
        os.environ["COURTWATCH_OPS_URL"] = args.ops_url
    court = args.court
    actor = None
    if args.as_user:
        user, scope = _user_scope(args, "brief")
        actor = user.username
        if scope is not None:
            if court is None and user.role == "president":
                court = user.court_ids[0]
            if court is None or court not in scope:
                raise UserError(f"{user.username} may brief only on {', '.join(user.court_ids)}"
                                + (" and the courts under it" if user.role == "president" else "") + "; give --court")
    with StepProgress(0, "file", lambda m: m.startswith("[")) as progress:
        def briefing_progress(message: str) -> None:  # "[n/N] path": N is known once the first file is written
            total = re.match(r"\[\d+/(\d+)\]", message)
            if total and not progress.bar.total:
                progress.bar.reset(total=int(total.group(1)))
            progress(message)
        written = write_brief(args.db, args.period, court, args.format, Path(args.out), lang=args.lang,
                              all_courts=args.all_courts, run_id=args.run, actor=actor, progress=briefing_progress)
    where = str(written[0]) if len(written) == 1 else f"{len(written)} files in {args.out}"
    print(f"brief: wrote {args.format} briefing for {args.period} to {where} in {time.perf_counter() - began:.1f}s")


def serve_command(args) -> tuple[list[str], dict[str, str]]:
    """The Streamlit command line and environment `courtwatch serve` runs."""
    db = store.db_path(args.db)
    app = Path(__file__).resolve().parent.parent / "dashboard" / "app.py"
    if not app.exists():
        from courtwatch import dashboard
        app = Path(dashboard.__file__).parent / "app.py"
    env = dict(os.environ, COURTWATCH_DB=str(db))
    if _auth_mode() == "header":
        # Header sign-in checks the peer that connected (courtwatch/access/signin.py): uvicorn must not
        # replace a loopback proxy's address with the client named in its X-Forwarded-For header.
        env["FORWARDED_ALLOW_IPS"] = ""
    command = [sys.executable, "-m", "streamlit", "run", str(app),
               "--server.address", "127.0.0.1", "--server.port", str(args.port),
               "--server.headless", "true", "--browser.gatherUsageStats", "false",
               "--server.enableXsrfProtection", "true", "--client.toolbarMode", "viewer",
               "--server.fileWatcherType", "none",
               # st.dataframe's own CSV download and clipboard copy write cells unguarded (formula injection,
               # docs/security.md): off; downloads go through courtwatch.core.cells.
               "--client.disableDataExport", "true"]
    return command, env


def _auth_mode() -> str | None:
    from courtwatch.access import signin
    try:
        return signin.settings().mode
    except UserError:
        return None  # the dashboard reports a misconfiguration itself, on its sign-in page


def cmd_serve(args) -> None:
    command, env = serve_command(args)
    print(f"serve: dashboard on http://127.0.0.1:{args.port} for {env['COURTWATCH_DB']} (Ctrl-C stops it)", flush=True)
    os.execve(sys.executable, command, env)


def cmd_demo(args) -> None:
    # each step's arguments parsed as its own command line would be, so that every option a step gains later
    # has its default here too (a hand-built Namespace without detect's --since broke the demo)
    parser = build_parser()
    folder = str(Path(args.data))
    cmd_sample(parser.parse_args(["sample", folder, "--scale", str(args.scale), "--seed", str(args.seed)]))
    cmd_ingest(parser.parse_args(["ingest", folder, "--db", str(args.db)]))
    cmd_detect(parser.parse_args(["detect", "--db", str(args.db)]))
    _demo_account(args)
    if not args.no_serve:
        cmd_serve(parser.parse_args(["serve", "--db", str(args.db), "--port", str(args.port)]))


def _ops(args):
    from courtwatch.storage.opsstore import OpsStore
    return OpsStore.open(getattr(args, "ops_url", None), db=args.db)


def cmd_user(args) -> None:
    from courtwatch.access import auth
    ops = _ops(args)
    if args.action == "add":
        password = None
        if not args.sso:
            if args.password_stdin:
                password = sys.stdin.readline().rstrip("\n")
            elif sys.stdin.isatty():
                import getpass
                password = getpass.getpass(f"password for {args.username}: ")
            else:
                raise UserError("give the password on standard input with --password-stdin, or --sso for single sign-on")
        auth.add_user(ops, args.username, args.name or args.username, args.role, args.court or [], password)
        print(f"user: added {args.username} ({args.role}, courts {', '.join(args.court or []) or 'all'})")
    elif args.action in ("disable", "enable"):
        auth.set_disabled(ops, args.username, args.action == "disable")
        print(f"user: {args.username} {args.action}d")
    else:
        rows = auth.list_users(ops)
        for r in rows:
            state = "disabled" if r["disabled"] else "active"
            print(f"{r['username']:<20}{r['role']:<11}{state:<9}{','.join(r['court_ids']) or '(all)'}")
        print(f"user: {len(rows)} account(s)", file=sys.stderr)


def cmd_audit(args) -> None:
    from courtwatch.storage.opsstore import Anchor
    ops = _ops(args)
    if args.action == "verify":
        given = [Anchor.parse(text) for text in args.anchor or []]
        published = [Anchor(int(seq), digest, f"published database {store.db_path(args.db).name} "
                                              f"(anchored {at:%Y-%m-%d %H:%M})")
                     for at, seq, digest in store.audit_anchors(args.db, ops.identity)]
        ok, message = ops.verify_audit([*given, *published])
        if not ok:
            raise UserError(f"TAMPERING DETECTED: {message}; keep a copy of the store and report it")
        against = [f"{len(given)} given anchor(s)"] if given else []
        if ops.head_anchor():
            against.append("the head file")
        if published:
            against.append(f"{len(published)} anchor(s) in {store.db_path(args.db).name}")
        print(f"audit: {message}" + (f"; checked against {', '.join(against)}" if against else
                                     "; no anchor found (no head file, no published database anchors)"))
    elif args.action == "head":
        head = ops.head()
        if head is None:
            raise UserError("the audit trail is empty; there is no head to anchor yet")
        print(f"{head[0]}:{head[1]}")
        print("audit: the trail's head; keep it elsewhere and check it later with `courtwatch audit verify "
              "--anchor SEQ:HASH`", file=sys.stderr)
    else:
        import csv as _csv

        from courtwatch.core.cells import guard_cell
        rows = list(reversed(ops.audit_rows()))
        writer = _csv.writer(sys.stdout)
        writer.writerow(["seq", "at", "actor", "action", "target", "detail", "prev_hash", "hash"])
        for r in rows:  # actors and targets come from users and imports: guarded for a spreadsheet
            writer.writerow([guard_cell(r[k]) for k in ("seq", "at", "actor", "action", "target", "detail",
                                                        "prev_hash", "hash")])
        print(f"audit: {len(rows)} row(s)", file=sys.stderr)


def _demo_account(args) -> None:
    """The demo's administrator account, with a fresh random password printed for this run."""
    import secrets

    from courtwatch.access import auth
    ops = _ops(argparse.Namespace(db=args.db, ops_url=None))
    password = secrets.token_urlsafe(12)
    if any(u["username"] == "demo" for u in auth.list_users(ops)):
        auth.set_password(ops, "demo", password, actor="demo")
    else:
        auth.add_user(ops, "demo", "演示管理员", "admin", [], password, actor="demo")
    print(f"demo: sign in to the dashboard as  demo  with password  {password}  (administrator, every court)")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="courtwatch", description="Judicial supervision warnings for human review.")
    parser.add_argument("--version", action=_VersionAction, help="print the version (and git commit) and exit")
    sub = parser.add_subparsers(dest="command", required=True)
    db_help = "analytical database file (default: $COURTWATCH_DB, else ./courtwatch.duckdb)"

    p = sub.add_parser("sample", help="write a synthetic import folder with planted anomalies")
    p.add_argument("out_dir")
    p.add_argument("--scale", type=float, default=1.0, help="1 ≈ 10k defendants, 10k enforcement, 5k civil cases")
    p.add_argument("--seed", type=int, default=20240601)
    p.add_argument("--noise", type=float, default=0.35, help="spread of sentences in log units (realistic: 0.3–0.6)")
    p.set_defaults(func=cmd_sample)

    p = sub.add_parser("ingest", help="validate and load an import folder")
    p.add_argument("dir")
    p.add_argument("--db", help=db_help)
    p.add_argument("--json", action="store_true", help="print one JSON object of per-table counts")
    p.add_argument("--export-date", type=_date, help="date of the export; no date may be later (default: today)")
    p.set_defaults(func=cmd_ingest)

    p = sub.add_parser("detect", help="run every detector and record a run")
    p.add_argument("--db", help=db_help)
    p.add_argument("--as-of", type=_date, help="look at the data as of this date (default: latest date in the data)")
    p.add_argument("--config", help="TOML file overriding thresholds (default: $COURTWATCH_CONFIG)")
    p.add_argument("--since", type=_date,
                   help="incremental run: score only cases new or changed since the last run (or filed on or after "
                        "this date) against the models the last full run kept; other flags are carried forward "
                        "until the next full run")
    p.add_argument("--engine", choices=["duckdb", "spark"], default="duckdb",
                   help="duckdb (default, embedded) or spark (Apache Spark over --parquet, for national scale)")
    p.add_argument("--parquet", help="with --engine spark: the folder written by `courtwatch export-parquet`")
    p.set_defaults(func=cmd_detect)

    p = sub.add_parser("export-parquet", help="write the loaded tables as Parquet partitioned by province (for Spark)")
    p.add_argument("--db", help=db_help)
    p.add_argument("--out", required=True, help="folder to write (<table>/province=<name>/…parquet)")
    p.set_defaults(func=cmd_export_parquet)

    p = sub.add_parser("flags", help="print the flags of the latest (or given) run")
    p.add_argument("--db", help=db_help)
    p.add_argument("--format", choices=["csv", "json"], default="csv")
    p.add_argument("--category", choices=["sentencing", "enforcement", "integrity", "data_quality"])
    p.add_argument("--run", help="run id (default: the latest run)")
    p.add_argument("--as-user", help="export only what this account may see (its courts), and audit the export")
    p.add_argument("--ops-url", help="operational store URL (default: $COURTWATCH_OPS_URL, else SQLite beside --db)")
    p.set_defaults(func=cmd_flags)

    p = sub.add_parser("brief", help="write a periodic briefing (month 2024-06, quarter 2024-Q2 or year 2024)")
    p.add_argument("--period", required=True, help="2024-06, 2024-Q2 or 2024")
    p.add_argument("--court", help="court id: that court and the courts under it (default: all)")
    p.add_argument("--all-courts", action="store_true", help="one file per court, written into the --out folder")
    p.add_argument("--format", required=True, choices=["pdf", "docx", "xlsx", "html"])
    p.add_argument("--out", required=True, help="file to write (a folder with --all-courts)")
    p.add_argument("--lang", choices=["zh", "en"], default="zh")
    p.add_argument("--run", help="run id (default: the latest run)")
    p.add_argument("--as-user", help="brief as this account: only its courts, and the export audited under its name")
    p.add_argument("--db", help=db_help)
    p.add_argument("--ops-url", help="operational store URL (default: $COURTWATCH_OPS_URL, else SQLite beside --db)")
    p.set_defaults(func=cmd_brief)

    p = sub.add_parser("user", help="manage dashboard accounts: add, disable, enable, list")
    p.add_argument("action", choices=["add", "disable", "enable", "list"])
    p.add_argument("username", nargs="?")
    p.add_argument("--role", choices=["president", "inspector", "analyst", "admin"])
    p.add_argument("--court", action="append", help="court id (president: the court headed; inspector: repeat per court)")
    p.add_argument("--name", help="display name")
    p.add_argument("--password-stdin", action="store_true", help="read the password from standard input")
    p.add_argument("--sso", action="store_true", help="account signs in through single sign-on only (no password)")
    p.add_argument("--db", help=db_help)
    p.add_argument("--ops-url", help="operational store URL (default: $COURTWATCH_OPS_URL, else SQLite beside --db)")
    p.set_defaults(func=cmd_user)

    p = sub.add_parser("audit", help="verify or export the tamper-evident audit trail, or print its head")
    p.add_argument("action", choices=["verify", "export", "head"])
    p.add_argument("--anchor", action="append", metavar="SEQ:HASH",
                   help="verify: also check the trail against a head printed earlier by `audit head` (repeatable)")
    p.add_argument("--db", help=db_help)
    p.add_argument("--ops-url", help="operational store URL (default: $COURTWATCH_OPS_URL, else SQLite beside --db)")
    p.set_defaults(func=cmd_audit)

    p = sub.add_parser("serve", help="start the dashboard on 127.0.0.1")
    p.add_argument("--db", help=db_help)
    p.add_argument("--port", type=int, default=8501)
    p.set_defaults(func=cmd_serve)

    p = sub.add_parser("demo", help="sample → ingest → detect → serve on an embedded database")
    p.add_argument("--db", default="demo/courtwatch.duckdb")
    p.add_argument("--data", default="demo/import")
    p.add_argument("--scale", type=float, default=1.0)
    p.add_argument("--seed", type=int, default=20240601)
    p.add_argument("--port", type=int, default=8501)
    p.add_argument("--no-serve", action="store_true", help="stop after detection")
    p.set_defaults(func=cmd_demo)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    if args.command == "user" and args.action != "list" and not args.username:
        build_parser().error("user add/disable/enable needs a USERNAME")
    if args.command == "user" and args.action == "add" and not args.role:
        build_parser().error("user add needs --role")
    try:
        args.func(args)
    except UserError as exc:
        print(f"courtwatch {args.command}: {exc}", file=sys.stderr)
        return exc.exit_code
    except BrokenPipeError:
        return 0
    return 0


if __name__ == "__main__":
    sys.exit(main())
