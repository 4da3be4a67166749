"""`python -m etl.ui` (behind `make ui`): a local Prefect server, the deployments and a worker.

Runs, in order: `prefect server start` on 127.0.0.1, a wait for `/api/health`,
the process work pool from prefect.yaml, `prefect deploy --all`, and
`prefect worker start`. It prints the UI address and keeps everything up until
Ctrl-C, then stops the worker and the server. Every child gets the same
PREFECT_API_URL, so nothing here touches Prefect's ephemeral API or your
profile's server.

The functions are reusable: tests/test_deploy.py drives the same steps on a
free port with a private PREFECT_HOME.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import logging
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterator

import yaml

log = logging.getLogger(__name__)

ROOT = Path(__file__).resolve().parents[2]
PREFECT_FILE = ROOT / "prefect.yaml"


def prefect_bin() -> str:
    """The `prefect` next to this interpreter (the venv's), else whatever is on PATH."""
    here = Path(sys.executable).with_name("prefect")
    return str(here) if here.exists() else "prefect"


def free_port(host: str = "127.0.0.1") -> int:
    """A TCP port nobody listens on right now."""
    with socket.socket() as sock:
        sock.bind((host, 0))
        return sock.getsockname()[1]


def work_pools(prefect_file: Path = PREFECT_FILE) -> list[str]:
    """Work pool names used by the deployments in prefect.yaml."""
    spec = yaml.safe_load(Path(prefect_file).read_text(encoding="utf-8")) or {}
    names = [(d.get("work_pool") or {}).get("name") for d in spec.get("deployments", [])]
    return sorted({n for n in names if n})


def server_env(port: int, host: str = "127.0.0.1", home: Path | None = None, base: dict | None = None) -> dict[str, str]:
    """Environment for every child: one API URL, optionally a private PREFECT_HOME."""
    env = dict(os.environ if base is None else base)
    env.update({
        "PREFECT_API_URL": f"http://{host}:{port}/api",
        "PREFECT_UI_API_URL": f"http://{host}:{port}/api",
        "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
        "DO_NOT_TRACK": "1",
        "GX_ANALYTICS_ENABLED": "false",
        # the run logger's INFO lines are what the UI's Logs tab shows (the Makefile defaults to WARNING)
        "PREFECT_LOGGING_LEVEL": "INFO",
        # pick a triggered run up within seconds instead of the default 15 s
        "PREFECT_WORKER_QUERY_SECONDS": env.get("PREFECT_WORKER_QUERY_SECONDS", "3"),
        # `{{ $PWD }}` in prefect.yaml's pull step resolves from this, and subprocess does not update it
        "PWD": str(ROOT),
    })
    env.pop("PREFECT_PROFILE", None)
    if home is not None:
        env["PREFECT_HOME"] = str(home)
    return env


def wait_healthy(api_url: str, timeout: float = 120.0, proc: subprocess.Popen | None = None) -> None:
    """Poll `<api>/health` until it answers 200; fail early if the server process died."""
    deadline = time.monotonic() + timeout
    last: Exception | None = None
    while time.monotonic() < deadline:
        if proc is not None and proc.poll() is not None:
            raise RuntimeError(f"prefect server exited with code {proc.returncode} before it was healthy")
        try:
            with urllib.request.urlopen(f"{api_url}/health", timeout=2) as resp:
                if resp.status == 200:
                    return
        except (urllib.error.URLError, OSError) as exc:
            last = exc
        time.sleep(0.5)
    raise TimeoutError(f"prefect server at {api_url} not healthy after {timeout:.0f} s (last error: {last})")


def api(api_url: str, method: str, path: str, body: dict | None = None, timeout: float = 10.0):
    """One JSON call to the Prefect REST API (no client library, so it works from any process)."""
    data = json.dumps(body).encode() if body is not None else None
    req = urllib.request.Request(f"{api_url}{path}", data=data, method=method,
                                 headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(req, timeout=timeout) as resp:
        raw = resp.read()
    return json.loads(raw) if raw else None


def patch_prefect_client() -> None:
    """Work around prefect 3.8.8 sending `"limit": null` to /work_pools/<pool>/workers/filter.

    The server answers 422, so `prefect deploy --all` dies right after creating the
    first deployment (it asks whether a worker is online, to print a hint). We fill
    in the server's own defaults when the caller left them unset.
    """
    from prefect.client.orchestration._work_pools.client import WorkPoolAsyncClient, WorkPoolClient

    for cls in (WorkPoolClient, WorkPoolAsyncClient):
        original = cls.read_workers_for_work_pool
        if getattr(original, "_etl_patched", False):
            continue

        def patched(self, work_pool_name, worker_filter=None, offset=None, limit=None, _original=original):
            return _original(self, work_pool_name, worker_filter=worker_filter,
                             offset=offset or 0, limit=limit or 200)

        patched._etl_patched = True
        cls.read_workers_for_work_pool = patched


def prefect_cli(argv: list[str]) -> int:
    """`prefect <argv>` in this process, with patch_prefect_client applied."""
    patch_prefect_client()
    from prefect.cli import app

    sys.argv = ["prefect", *argv]
    return app() or 0


def run_cli(args: list[str], env: dict[str, str], timeout: float = 300.0) -> subprocess.CompletedProcess:
    """Run a `prefect` command (patched CLI) from the project root; raise with its output if it fails."""
    proc = subprocess.run([sys.executable, "-m", "etl.ui", "--prefect-cli", "--no-prompt", *args], cwd=ROOT,
                          env=env, text=True, capture_output=True, timeout=timeout)
    if proc.returncode != 0:
        raise RuntimeError(f"`prefect {' '.join(args)}` failed ({proc.returncode}):\n{proc.stdout}\n{proc.stderr}")
    return proc


@dataclass
class Stack:
    """A running server (+ worker) and how to reach it."""

    host: str
    port: int
    env: dict[str, str]
    log_dir: Path
    procs: dict[str, subprocess.Popen] = field(default_factory=dict)

    @property
    def ui_url(self) -> str:
        return f"http://{self.host}:{self.port}"

    @property
    def api_url(self) -> str:
        return f"{self.ui_url}/api"

    def spawn(self, name: str, args: list[str]) -> subprocess.Popen:
        """Start a long-running child in its own process group, output to <log_dir>/<name>.log."""
        self.log_dir.mkdir(parents=True, exist_ok=True)
        out = open(self.log_dir / f"{name}.log", "ab")
        proc = subprocess.Popen([prefect_bin(), *args], cwd=ROOT, env=self.env, stdout=out,
                                stderr=subprocess.STDOUT, start_new_session=True)
        self.procs[name] = proc
        return proc

    def start_server(self, timeout: float = 120.0) -> None:
        proc = self.spawn("server", ["server", "start", "--host", self.host, "--port", str(self.port),
                                     "--analytics-off"])
        wait_healthy(self.api_url, timeout, proc)

    def create_pools(self, prefect_file: Path = PREFECT_FILE) -> list[str]:
        pools = work_pools(prefect_file)
        for pool in pools:
            run_cli(["work-pool", "create", pool, "--type", "process", "--overwrite"], self.env)
        return pools

    def deploy(self, prefect_file: Path = PREFECT_FILE) -> str:
        return run_cli(["deploy", "--all", "--prefect-file", str(prefect_file)], self.env).stdout

    def start_worker(self, pool: str) -> subprocess.Popen:
        return self.spawn(f"worker-{pool}", ["worker", "start", "--pool", pool, "--type", "process"])

    def log_tail(self, name: str, chars: int = 4000) -> str:
        path = self.log_dir / f"{name}.log"
        return path.read_text(errors="replace")[-chars:] if path.exists() else ""

    def stop(self, grace: float = 10.0) -> None:
        """Stop children in reverse start order: SIGTERM to the group, then SIGKILL."""
        for name, proc in reversed(list(self.procs.items())):
            if proc.poll() is not None:
                continue
            with contextlib.suppress(ProcessLookupError):
                os.killpg(proc.pid, signal.SIGTERM)
            try:
                proc.wait(grace)
            except subprocess.TimeoutExpired:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(proc.pid, signal.SIGKILL)
                proc.wait(5)
        self.procs.clear()


@contextlib.contextmanager
def running_stack(host: str = "127.0.0.1", port: int | None = None, home: Path | None = None,
                  log_dir: Path | None = None, deploy: bool = True, worker: bool = True,
                  prefect_file: Path = PREFECT_FILE) -> Iterator[Stack]:
    """Server up, pools created, deployments registered, workers polling; all stopped on exit."""
    port = port or free_port(host)
    env = server_env(port, host, home)
    log_dir = log_dir or Path(env.get("PREFECT_HOME") or Path.home() / ".prefect") / "etl-ui-logs"
    stack = Stack(host=host, port=port, env=env, log_dir=Path(log_dir))
    try:
        stack.start_server()
        pools = stack.create_pools(prefect_file)
        if deploy:
            stack.deploy(prefect_file)
        if worker:
            for pool in pools:
                stack.start_worker(pool)
        yield stack
    finally:
        stack.stop()


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if argv[:1] == ["--prefect-cli"]:  # internal: the patched prefect CLI for run_cli
        return prefect_cli(argv[1:])
    parser = argparse.ArgumentParser(
        prog="python -m etl.ui",
        description="Start a local Prefect server with the UI, register prefect.yaml's deployments and run a worker.",
        epilog="Example: python -m etl.ui --port 4200   (then open http://127.0.0.1:4200)",
    )
    parser.add_argument("--host", default="127.0.0.1", help="address the server listens on (default 127.0.0.1)")
    parser.add_argument("--port", type=int, default=4200, help="server port (default 4200; 0 picks a free one)")
    parser.add_argument("--home", type=Path, default=None, help="PREFECT_HOME for the server database (default: yours)")
    parser.add_argument("--no-worker", action="store_true", help="register deployments but start no worker")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    port = args.port or free_port(args.host)
    # `kill PID` (or a background job that never sees Ctrl-C) still stops the worker and the server
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    try:
        with running_stack(args.host, port, args.home, worker=not args.no_worker) as stack:
            print(f"Prefect UI:  {stack.ui_url}", flush=True)
            print(f"API:         {stack.api_url}   (export PREFECT_API_URL={stack.api_url} to use it from `etl run`)")
            print("Deployments: nightly-ingest/nightly-ingest (cron 0 2 * * * Asia/Ho_Chi_Minh), backfill/backfill")
            print("Run now:     PREFECT_API_URL=" + stack.api_url + " .venv/bin/prefect deployment run nightly-ingest/nightly-ingest")
            print(f"Logs:        {stack.log_dir}/   Ctrl-C stops the worker and the server.", flush=True)
            while all(p.poll() is None for p in stack.procs.values()):
                time.sleep(1)
            dead = [n for n, p in stack.procs.items() if p.poll() is not None]
            print(f"stopped: {', '.join(dead)} exited; see {stack.log_dir}", file=sys.stderr)
            return 1
    except KeyboardInterrupt:
        print("\nstopping worker and server…", file=sys.stderr)
        return 0
    except (RuntimeError, TimeoutError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
