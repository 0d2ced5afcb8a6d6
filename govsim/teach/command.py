"""``govsim teach``: serve the teaching page until Ctrl-C.

Kept with the page rather than in :mod:`govsim.cli`, which only registers it;
like the rest of the CLI it parses, calls the library and prints. Importing
this module is cheap: solara is imported only when the page is served.
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from govsim.teach.server import DEFAULT_HOST, DEFAULT_PORT


def add_parser(sub: Any, common: argparse.ArgumentParser) -> None:
    """Add the ``teach`` subcommand to the ``govsim`` parser."""
    p = sub.add_parser("teach", parents=[common], help="open the interactive teaching page",
                       description="Serve the teaching page (a community, live, beside its baseline) "
                                   "and open it in the browser. Stop with Ctrl-C.")
    p.add_argument("lesson", nargs="?", default="", metavar="SCENARIO",
                   help="lesson to open: a ready scenario's name (e.g. target_inflation) or a "
                        "scenario file (default: the first lesson)")
    p.add_argument("--port", type=port, default=DEFAULT_PORT, metavar="P",
                   help=f"TCP port (default: {DEFAULT_PORT})")
    p.add_argument("--host", default=DEFAULT_HOST, metavar="ADDR",
                   help=f"address to listen on (default: {DEFAULT_HOST}, this machine only); "
                        "0.0.0.0 opens the page to the classroom network")
    p.add_argument("--lang", choices=("en", "zh"), default="en", help="language the page opens in")
    p.add_argument("--lessons", type=Path, metavar="DIR",
                   help="folder of scenario files offered as lessons (default: the ready scenarios)")
    p.add_argument("--export-dir", type=Path, metavar="DIR",
                   help="where the page's export writes scenario files (default: runs/exports)")
    p.add_argument("--classroom", action="store_true",
                   help="a page per student at / (each with its own one-community model) and the teacher's "
                        "dashboard at /teacher (every student's levers and outcomes; restart, send a lesson)")
    p.add_argument("--sheet", metavar="LESSON",
                   help="write the printable sheet of LESSON (a lesson's name, or 'all') instead of "
                        "serving the page: self-contained HTML, in --lang")
    p.add_argument("--out", type=Path, metavar="PATH",
                   help="with --sheet: the file to write (a folder for 'all'; default: "
                        "runs/sheets/LESSON.LANG.html)")
    p.add_argument("--no-browser", dest="browser", action="store_false",
                   help="do not open a browser; just print the address")
    p.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    """Check the arguments, pass the page its settings, serve until Ctrl-C; return the exit code."""
    from govsim.console import EXIT_INTERRUPTED, UsageError, err, quiet
    from govsim.teach import server
    from govsim.teach.config import DEFAULT_EXPORTS, Settings
    from govsim.teach.lessons import SCENARIOS, discover_lessons

    folder = args.lessons or SCENARIOS
    if not folder.is_dir():
        raise UsageError(f"{folder}: no such folder of lessons")
    lessons = discover_lessons(folder)
    if args.sheet is not None:
        return sheets(args, lessons)
    if args.out is not None:
        raise UsageError("--out goes with --sheet (the page writes its exports to --export-dir)")
    lesson, is_file = args.lesson, bool(args.lesson) and Path(args.lesson).is_file()
    if lesson and lesson not in lessons and not is_file:
        raise UsageError(f"no lesson or scenario file {lesson!r} (lessons: {', '.join(lessons) or 'none'})")
    if not lessons and not lesson:
        raise UsageError(f"{folder}: no scenario files to teach with")
    if not server.is_loopback(args.host):
        err(f"warning: serving on {args.host}: anyone who can reach this machine on port {args.port} "
            "can open the page and change its settings (there is no password); use it only on a "
            "classroom network you trust")
    server.configure(Settings(folder, str(Path(lesson).resolve()) if is_file else lesson, args.lang,
                              args.export_dir or DEFAULT_EXPORTS, args.classroom))

    def ready(url: str) -> None:
        if not quiet(args):
            print(f"govsim teach: the page is at {url} (Ctrl-C to stop)", flush=True)
            if args.classroom:
                print(f"govsim teach: the teacher's dashboard is at {url}teacher", flush=True)
        if args.browser:
            import webbrowser

            webbrowser.open(url)

    try:
        server.serve(host=args.host, port=args.port, on_ready=ready)
    except server.ServeError as err:
        raise UsageError(str(err)) from None
    except KeyboardInterrupt:
        pass  # uvicorn may pass Ctrl-C on after its shutdown, or catch it and just return
    if not quiet(args):
        err("govsim teach: stopped")
    # The server runs until it is interrupted, so stopping is always an interruption:
    # 130, as every govsim command that Ctrl-C stops (README, "Exit codes").
    return EXIT_INTERRUPTED


def sheets(args: argparse.Namespace, lessons: dict[str, Any]) -> int:
    """``--sheet``: write one lesson's sheet, or every lesson's; print each path; return 0."""
    from govsim.console import EXIT_OK, UsageError, quiet
    from govsim.teach.sheets import DEFAULT_SHEETS, sheet_filename, write_sheet

    name = args.sheet
    if args.lesson:
        raise UsageError("give the lesson once: --sheet LESSON, without a SCENARIO")
    if name != "all" and name not in lessons:
        raise UsageError(f"no lesson {name!r} (lessons: {', '.join(lessons) or 'none'}, or all)")
    if name == "all" and args.out is not None and args.out.suffix.lower() in (".html", ".htm"):
        raise UsageError(f"--sheet all writes one file per lesson: --out must be a folder, not {args.out}")
    chosen = list(lessons.values()) if name == "all" else [lessons[name]]
    for lesson in chosen:
        target = args.out if args.out is not None and name != "all" else None
        if target is None or target.is_dir():
            target = (target or args.out or DEFAULT_SHEETS) / sheet_filename(lesson, args.lang)
        path = write_sheet(lesson, args.lang, target)
        if not quiet(args):
            print(path, flush=True)
    return EXIT_OK


def port(text: str) -> int:
    """An argparse type: a TCP port number."""
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a port number, got {text!r}") from None
    if not 1 <= value <= 65535:
        raise argparse.ArgumentTypeError(f"expected a port from 1 to 65535, got {value}")
    return value
