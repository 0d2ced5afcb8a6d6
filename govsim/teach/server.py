"""Serve the teaching page: Solara's Starlette app under uvicorn, on loopback by default.

This is Solara's documented way to self-host (``SOLARA_APP`` names the page,
then any ASGI server runs ``solara.server.starlette:app``), without the
``solara run`` command's extras that reach the internet (its version check,
its telemetry). Every asset the page loads comes from this server: Solara's
own files and the ``solara-assets`` bundle, so it works in an offline classroom.
"""

from __future__ import annotations

import ipaddress
import os
import socket
import threading
import time
import warnings
from collections.abc import Callable
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from govsim.teach.config import Settings

#: The Solara page, as ``module:component``.
APP = "govsim.teach.app:Page"
#: Classroom mode: a module whose ``routes`` are the students' page and the teacher's.
CLASSROOM_APP = "govsim.teach.classroom"
DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 8765
#: Solara settings (read from the environment when solara is imported): production
#: mode, no telemetry, no hook-rule warnings about Mesa's code, no update check.
SOLARA_ENV = {
    "SOLARA_MODE": "production",
    "SOLARA_TELEMETRY_MIXPANEL_ENABLE": "false",
    "SOLARA_CHECK_HOOKS": "off",
    "SOLARA_THEME_SHOW_BANNER": "false",
}


class ServeError(OSError):
    """The page cannot be served (e.g. the port is taken); ``str()`` says why."""


def is_loopback(host: str) -> bool:
    """Whether ``host`` is reachable only from this machine (127.0.0.0/8, ::1, localhost)."""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def url_for(host: str, port: int) -> str:
    """The address to open in a browser."""
    shown = f"[{host}]" if ":" in host else host
    return f"http://{shown}:{port}/"


def check_port(host: str, port: int) -> None:
    """Fail early, with a clear message, when ``host:port`` cannot be bound.

    Raises:
        ServeError: the port is in use or the address is not this machine's.
    """
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.socket(family, socket.SOCK_STREAM) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind((host, port))
        except OSError as err:
            raise ServeError(f"cannot serve on {host}:{port}: {err.strerror or err}; "
                             f"choose another port with --port") from None


def configure(conf: Settings) -> None:
    """Pass the page its settings and set Solara's, before anything imports solara."""
    from govsim.teach.config import app_env

    os.environ.update(SOLARA_ENV)
    os.environ["SOLARA_APP"] = CLASSROOM_APP if conf.classroom else APP
    os.environ.update(app_env(conf))


def serve(*, host: str = DEFAULT_HOST, port: int = DEFAULT_PORT,
          on_ready: Callable[[str], None] | None = None) -> None:
    """Serve the page until interrupted (Ctrl-C); call :func:`configure` first.

    Args:
        host: Address to listen on; loopback unless a classroom network is wanted.
        port: TCP port.
        on_ready: Called with the page's address once the server accepts connections.

    Raises:
        ServeError: the address cannot be bound.
    """
    check_port(host, port)
    warnings.filterwarnings("ignore", message="Cookies with samesite", module="solara")
    import uvicorn

    config = uvicorn.Config("solara.server.starlette:app", host=host, port=port, log_level="warning",
                            access_log=False, ws_ping_interval=20, ws_ping_timeout=60)
    server = uvicorn.Server(config)
    if on_ready is not None:
        threading.Thread(target=_announce, args=(server, url_for(host, port), on_ready), daemon=True).start()
    server.run()


def _announce(server: object, url: str, on_ready: Callable[[str], None]) -> None:
    deadline = time.monotonic() + 120
    while not getattr(server, "started", False):
        if time.monotonic() > deadline or getattr(server, "should_exit", False):
            return
        time.sleep(0.05)
    on_ready(url)
