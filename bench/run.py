"""`make bench`: where the time of a nightly run goes, written to bench/RESULTS.md.

Every figure is a ratio or a per-article cost taken in the same invocation, so
machine noise mostly cancels. The ETL is run as users run it: `etl run` in a
subprocess (Prefect's ephemeral API, Great Expectations, Parquet, DuckDB all
counted), with wall time, CPU time and peak RSS summed over the whole process tree
(psutil polling every 0.1 s).

Example:

    .venv/bin/python bench/run.py                    # `make bench`: the full set, ~10 minutes on 2 cores
    .venv/bin/python bench/run.py --quick            # small N, to check the harness
    .venv/bin/python bench/run.py --scale-only --scale 1000 4000 16000 20000   # `make bench-scale`

Runs go against Prefect's ephemeral API (a fresh server inside every `etl run`, as cron
starts it) and against a served API (`prefect server start` on loopback with
PREFECT_API_URL set, as a deployment runs); both are reported side by side.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import json
import os
import platform
import pstats
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import time
import urllib.request
from io import StringIO
from pathlib import Path
from typing import Iterator

import psutil

sys.path.insert(0, str(Path(__file__).resolve().parent))
import corpus as corpus_mod  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
RESULTS = ROOT / "bench" / "RESULTS.md"
GIB = 1024 ** 3
SCALE_BEGIN, SCALE_END = "<!-- bench-scale:begin -->", "<!-- bench-scale:end -->"


def log(message: str) -> None:
    print(f"[bench {time.strftime('%H:%M:%S')}] {message}", flush=True)


def tree_sample(proc: psutil.Process, cpu: dict[int, float]) -> tuple[int, list[tuple[str, int]]]:
    """Resident bytes of a process and all its descendants, and each one's (short name, bytes).

    Also records each process's own CPU seconds in `cpu` (pid -> latest user+system):
    pool workers are children of the forkserver, which nobody waits for, so
    getrusage(RUSAGE_CHILDREN) would miss them.
    """
    parts = []
    for p in [proc, *proc.children(recursive=True)]:
        try:
            cmd = " ".join(Path(a).name if "/" in a else a for a in p.cmdline()[:4])
            parts.append((cmd[:60], p.memory_info().rss))
            times = p.cpu_times()
            cpu[p.pid] = times.user + times.system
        except (psutil.NoSuchProcess, psutil.AccessDenied):
            pass
    return sum(b for _, b in parts), parts


def tree_pss(proc: psutil.Process) -> int:
    """Proportional set size of a process tree: shared pages (forkserver children) counted once overall."""
    total = 0
    for p in [proc, *proc.children(recursive=True)]:
        try:
            total += p.memory_full_info().pss
        except (psutil.NoSuchProcess, psutil.AccessDenied, AttributeError):
            pass
    return total


def measure(cmd: list[str], env: dict[str, str], cwd: Path = ROOT) -> dict:
    """Run a command; wall seconds, CPU seconds of its tree, peak tree RSS, load average, stdout."""
    load0 = os.getloadavg()[0]
    out = tempfile.TemporaryFile()
    err = tempfile.TemporaryFile()
    t0 = time.perf_counter()
    proc = psutil.Popen(cmd, env=env, cwd=cwd, stdout=out, stderr=err)
    peak, peak_parts, peak_pss = 0, [], 0
    cpu_by_pid: dict[int, float] = {}
    samples = 0
    while proc.poll() is None:
        try:
            total, parts = tree_sample(proc, cpu_by_pid)
            if total > peak:
                peak, peak_parts = total, parts
            if samples % 10 == 0:  # reading smaps is costly: PSS once a second
                peak_pss = max(peak_pss, tree_pss(proc))
        except psutil.NoSuchProcess:
            pass
        samples += 1
        time.sleep(0.1)
    wall = time.perf_counter() - t0
    out.seek(0)
    err.seek(0)
    stdout, stderr = out.read().decode(errors="replace"), err.read().decode(errors="replace")
    if proc.returncode != 0:
        raise RuntimeError(f"{' '.join(cmd)} exited {proc.returncode}:\n{stderr[-3000:]}")
    cpu = sum(cpu_by_pid.values())  # sampled every 0.1 s: the last 0.1 s of each process is missed
    return {"wall": wall, "cpu": cpu, "peak_rss": peak, "peak_pss": peak_pss, "peak_parts": peak_parts,
            "load": (load0, os.getloadavg()[0]),
            "stdout": stdout, "stderr": stderr}


def snapshot_code(target: Path) -> Path:
    """The committed tree (`git archive HEAD`) under `target`.

    Every measured process imports `etl` and `flows` from it (PYTHONPATH wins over the
    editable install), so edits made in the working tree while the bench runs do not
    change the code between two runs of one bench.
    """
    target.mkdir(parents=True, exist_ok=True)
    archive = subprocess.run(["git", "archive", "HEAD"], cwd=ROOT, capture_output=True, check=True).stdout
    subprocess.run(["tar", "-x", "-C", str(target)], input=archive, check=True)
    return target


def bench_env(prefect_home: Path, workers: int, code: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("ETL_", "PREFECT_"))}
    env.update({
        "PYTHONPATH": f"{code / 'src'}{os.pathsep}{code}",
        "PREFECT_HOME": str(prefect_home), "PREFECT_LOGGING_LEVEL": "WARNING",
        "PREFECT_SERVER_ANALYTICS_ENABLED": "false", "GX_ANALYTICS_ENABLED": "false", "DO_NOT_TRACK": "1",
        "ETL_WORKERS": str(workers),
        # the ephemeral server's 20 s default start-up limit is too short on a busy 2-core machine
        "PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS": "180",
    })
    return env


def free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextlib.contextmanager
def served_api(home: Path, env: dict[str, str]) -> Iterator[tuple[dict[str, str], psutil.Process]]:
    """A long-lived `prefect server start` on loopback; yields the run environment (PREFECT_API_URL) and the server."""
    home.mkdir(parents=True, exist_ok=True)
    port = free_port()
    server_env = {**env, "PREFECT_HOME": str(home), "PREFECT_SERVER_UI_ENABLED": "false"}
    out = open(home / "server.log", "wb")
    proc = psutil.Popen([str(BIN / "prefect"), "server", "start", "--host", "127.0.0.1", "--port", str(port), "--no-ui"],
                        env=server_env, stdout=out, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}/api"
    try:
        deadline = time.monotonic() + 180
        while True:
            try:
                with urllib.request.urlopen(f"{url}/health", timeout=2) as response:
                    if response.status == 200:
                        break
            except OSError:
                pass
            if proc.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"prefect server did not start: {(home / 'server.log').read_text()[-2000:]}")
            time.sleep(0.5)
        yield {**env, "PREFECT_HOME": str(home), "PREFECT_API_URL": url}, proc
    finally:
        proc.terminate()
        try:
            proc.wait(30)
        except psutil.TimeoutExpired:
            proc.kill()
        out.close()


def tree_rss(proc: psutil.Process) -> int:
    """Resident bytes of a process and its descendants now."""
    return tree_sample(proc, {})[0]


def parse_summary(stdout: str) -> dict:
    return json.loads(stdout[stdout.index("{"):])


def task_runs(prefect_home: Path, flow_run_id: str | None) -> int | None:
    """Task runs the flow run created, from the ephemeral server's database."""
    db = prefect_home / "prefect.db"
    if not flow_run_id or not db.exists():
        return None
    try:
        con = sqlite3.connect(db)
        n = con.execute("select count(*) from task_run where flow_run_id = ?", (flow_run_id,)).fetchone()[0]
        con.close()
        return n
    except sqlite3.Error:
        return None


def etl_run(corpus: Path, warehouse: Path, env: dict, prefect_home: Path, profile: Path | None = None) -> dict:
    """`etl run` over a corpus folder; measurement plus the run's own summary."""
    cmd = [sys.executable, "-m", "etl.cli", "run", "--input", str(corpus), "--warehouse", str(warehouse), "--json", "--quiet"]
    if profile:
        cmd = [sys.executable, "-m", "cProfile", "-o", str(profile), *cmd[1:]]
    m = measure(cmd, env, cwd=Path(env["PYTHONPATH"].split(os.pathsep)[1]))
    m["summary"] = summary = parse_summary(m["stdout"])
    m["tasks"] = task_runs(prefect_home, summary.get("flow_run_id"))
    m["flow_seconds"] = summary["seconds"]
    return m


def bare(corpus: Path, workers: int, env: dict) -> dict:
    m = measure([sys.executable, str(ROOT / "bench" / "baseline.py"), "--input", str(corpus), "--workers", str(workers)], env)
    m["result"] = json.loads(m["stdout"])
    return m


def profile_summary(path: Path, limit: int = 25) -> str:
    """The top functions by cumulative time of a cProfile dump, trimmed to our stages and libraries."""
    buf = StringIO()
    stats = pstats.Stats(str(path), stream=buf)
    stats.strip_dirs().sort_stats("cumulative").print_stats(
        r"(nightly|clean|extract|validate|load|publish|acquire|discover|core|metadata|checkpoint|parquet|"
        r"engine|orchestration|textclean|flow_engine|task_engine|to_table|bare_extraction|find_date|server|"
        r"get_context|run_pipeline|_run_locked)", limit)
    lines = [ln for ln in buf.getvalue().splitlines() if ln.strip()]
    start = next((i for i, ln in enumerate(lines) if ln.lstrip().startswith("ncalls")), 0)
    return "\n".join(lines[start:])


def fmt(x: float, digits: int = 2) -> str:
    return f"{x:.{digits}f}"


def versions() -> dict[str, str]:
    from importlib.metadata import version

    out = {"python": platform.python_version()}
    for pkg in ("trafilatura", "prefect", "great-expectations", "duckdb", "pyarrow", "pandas"):
        try:
            out[pkg] = version(pkg)
        except Exception:
            out[pkg] = "?"
    return out


def git_commit() -> str:
    try:
        return subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True).stdout.strip()
    except OSError:
        return "?"


def linear_fit(points: list[tuple[int, float]]) -> tuple[float, float]:
    """Least-squares a + b*N."""
    n = len(points)
    mx = sum(p[0] for p in points) / n
    my = sum(p[1] for p in points) / n
    sxx = sum((p[0] - mx) ** 2 for p in points) or 1.0
    b = sum((p[0] - mx) * (p[1] - my) for p in points) / sxx
    return my - b * mx, b


EVAL_SETS = ["--gold", "tests/data/gold", "--input", "seeds/articles", "--gold", "tests/data/dev",
             "--gold", "tests/data/heldout"]


def quality(env: dict, code: Path) -> dict:
    """`etl eval` over the seed, dev and held-out gold: the `all` row (tp pred gold P R F1) of each set."""
    cmd = [sys.executable, "-m", "etl.cli", "eval", *EVAL_SETS]
    out = subprocess.run(cmd, env=env, cwd=code, capture_output=True, text=True, timeout=900)
    sets, current = {}, None
    for line in out.stdout.splitlines():
        if line.startswith("== "):
            current = line[3:].split(":")[0]
        elif current and line.startswith("all "):
            sets[current] = line.split()[1:]
        elif current and line.startswith("article fields"):
            sets[current + " (article fields)"] = line.split()[2:3]
    return {"command": "etl eval " + " ".join(EVAL_SETS), "sets": sets, "returncode": out.returncode}


def scratch(args) -> Path:
    work = args.work or Path(tempfile.mkdtemp(prefix="thidua-bench-"))
    work.mkdir(parents=True, exist_ok=True)
    return work


def machine(args) -> dict:
    return {"date": dt.datetime.now().astimezone().isoformat(timespec="seconds"),
            "command": " ".join([Path(sys.executable).name, "bench/run.py", *sys.argv[1:]]),
            "cores": os.cpu_count(), "memory_gib": psutil.virtual_memory().total / GIB,
            "cpu_model": platform.processor() or platform.machine(), "versions": versions(),
            "commit": git_commit(), "workers": args.workers, "load_start": os.getloadavg()}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--n", type=int, default=2000, help="articles for throughput and no-op")
    parser.add_argument("--scale", type=int, nargs="+", default=[1000, 4000], help="extra N for scaling (served API)")
    parser.add_argument("--scale-only", action="store_true",
                        help="only the scaling runs (served API), written to their own section of RESULTS.md")
    parser.add_argument("--metric-rows", type=int, default=1_000_000)
    parser.add_argument("--profile-n", type=int, default=260)
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--work", type=Path, default=None, help="scratch folder (default: a temporary one)")
    parser.add_argument("--quick", action="store_true", help="small N everywhere (checks the harness)")
    parser.add_argument("--out", type=Path, default=RESULTS)
    parser.add_argument("--render-only", action="store_true", help="rewrite RESULTS.md from RESULTS.json")
    args = parser.parse_args()
    if args.scale_only:
        scale_main(args)
        return
    if args.render_only:
        figures = json.loads(args.out.with_suffix(".json").read_text(encoding="utf-8"))
        for key in ("runs", "served_runs"):
            figures[key] = {int(k): v for k, v in figures.get(key, {}).items()}
        args.n, args.profile_n = figures["first"]["summary"]["inputs"]["seen"], figures["profile_n"]
        args.out.write_text(render(figures, args), encoding="utf-8")
        return
    if args.quick:
        args.n, args.scale, args.metric_rows, args.profile_n = 100, [50, 200], 50_000, 52
    started = time.perf_counter()
    work = scratch(args)
    prefect_home = work / "prefect"
    served_home = work / "prefect-served"
    code = snapshot_code(work / "code")
    env = bench_env(prefect_home, args.workers, code)
    env1 = bench_env(prefect_home, 1, code)
    figures: dict = {**machine(args), "profile_n": args.profile_n}
    try:
        log(f"scratch {work}; warm-up run (Prefect database, OS caches)")
        etl_run(ROOT / "seeds" / "articles", work / "wh-warmup", env, prefect_home)

        log(f"corpus N={args.n}")
        main_corpus = work / f"corpus-{args.n}"
        corpus_mod.build_corpus(main_corpus, args.n)
        log("bare trafilatura.extract loop, 1 process")
        b1 = bare(main_corpus, 1, env)
        log(f"bare loop, {args.workers} processes")
        b2 = bare(main_corpus, args.workers, env)
        log(f"etl run N={args.n} (ephemeral API)")
        first = etl_run(main_corpus, work / f"wh-{args.n}", env, prefect_home)
        log("etl run again, nothing new (ephemeral API)")
        noop = etl_run(main_corpus, work / f"wh-{args.n}", env, prefect_home)
        figures.update(bare1=b1, bare2=b2, first=first, noop=noop)

        log("extraction quality (etl eval)")
        figures["quality"] = quality(env, code)

        log("served API: prefect server start on loopback")
        runs = {}
        with served_api(served_home, env) as (senv, server):
            etl_run(ROOT / "seeds" / "articles", work / "wh-warmup-served", senv, served_home)
            log(f"etl run N={args.n} (served API)")
            figures["served_first"] = etl_run(main_corpus, work / f"wh-served-{args.n}", senv, served_home)
            log("etl run again, nothing new (served API)")
            figures["served_noop"] = etl_run(main_corpus, work / f"wh-served-{args.n}", senv, served_home)
            runs[args.n] = figures["served_first"]
            for n in args.scale:
                log(f"corpus and etl run N={n} (served API)")
                c = work / f"corpus-{n}"
                corpus_mod.build_corpus(c, n)
                runs[n] = etl_run(c, work / f"wh-{n}", senv, served_home)
                shutil.rmtree(c)
                shutil.rmtree(work / f"wh-{n}", ignore_errors=True)
            figures["server_rss"] = tree_rss(server)
        figures["runs"] = dict(sorted(runs.items()))

        log(f"profile: etl run N={args.profile_n}, 1 worker, under cProfile")
        pc = work / f"corpus-{args.profile_n}"
        corpus_mod.build_corpus(pc, args.profile_n)
        prof = work / "etl.prof"
        figures["profiled"] = etl_run(pc, work / "wh-prof", env1, prefect_home, profile=prof)
        figures["profile"] = profile_summary(prof)

        log(f"query latency over {args.metric_rows} metric rows")
        q = measure([sys.executable, str(code / "bench" / "queries.py"), "--metric-rows", str(args.metric_rows),
                     "--out", str(work / "wh-queries"), "--json"], env, cwd=code)
        figures["queries"] = json.loads(q["stdout"])
    finally:
        figures["total_seconds"] = time.perf_counter() - started
        figures["load_end"] = os.getloadavg()
        if args.work is None:
            shutil.rmtree(work, ignore_errors=True)
    args.out.write_text(render(figures, args), encoding="utf-8")
    (args.out.with_suffix(".json")).write_text(json.dumps(strip(figures), indent=1, default=str), encoding="utf-8")
    log(f"wrote {args.out} in {figures['total_seconds']:.0f} s")


def scale_main(args) -> None:
    """`make bench-scale`: one `etl run` per N against a served API, plus a no-op run for the fixed cost."""
    started = time.perf_counter()
    work = scratch(args)
    served_home = work / "prefect-served"
    code = snapshot_code(work / "code")
    env = bench_env(served_home, args.workers, code)
    figures: dict = {**machine(args), "runs": {}}
    json_path = args.out.with_name("RESULTS-scale.json")
    try:
        with served_api(served_home, env) as (senv, server):
            etl_run(ROOT / "seeds" / "articles", work / "wh-warmup", senv, served_home)
            for i, n in enumerate(sorted(args.scale)):
                log(f"corpus and etl run N={n} (served API)")
                c = work / f"corpus-{n}"
                corpus_mod.build_corpus(c, n)
                figures["runs"][n] = etl_run(c, work / f"wh-{n}", senv, served_home)
                if i == 0:
                    log(f"etl run again N={n}, nothing new: the fixed cost of a run")
                    figures["noop"] = etl_run(c, work / f"wh-{n}", senv, served_home)
                shutil.rmtree(c)
                shutil.rmtree(work / f"wh-{n}", ignore_errors=True)
                figures["server_rss"] = tree_rss(server)
                json_path.write_text(json.dumps(strip(figures), indent=1, default=str), encoding="utf-8")
                write_scale_section(args.out, render_scale(figures, time.perf_counter() - started))
    finally:
        figures["total_seconds"] = time.perf_counter() - started
        figures["load_end"] = os.getloadavg()
        if args.work is None:
            shutil.rmtree(work, ignore_errors=True)
    if figures["runs"]:
        json_path.write_text(json.dumps(strip(figures), indent=1, default=str), encoding="utf-8")
        write_scale_section(args.out, render_scale(figures, figures["total_seconds"]))
    log(f"wrote the bench-scale section of {args.out} in {figures['total_seconds']:.0f} s")


def scale_section(path: Path) -> str:
    """The bench-scale section of an existing RESULTS.md (markers included), or ''."""
    text = path.read_text(encoding="utf-8") if path.exists() else ""
    if SCALE_BEGIN in text and SCALE_END in text:
        return text[text.index(SCALE_BEGIN):text.index(SCALE_END) + len(SCALE_END)]
    return ""


STORIES_HEADER = "## Stories: the grouping step"  # written by hand from bench/stories.py (another owner)


def stories_section(path: Path) -> str:
    """The stories section of an existing RESULTS.md (up to the bench-scale section or the end), or ''."""
    text = path.read_text(encoding="utf-8") if path.exists() else ""
    if STORIES_HEADER not in text:
        return ""
    part = text[text.index(STORIES_HEADER):]
    return part.split(SCALE_BEGIN)[0].strip()


def write_scale_section(path: Path, section: str) -> None:
    """Replace (or append) the bench-scale section of RESULTS.md, leaving the rest as `make bench` wrote it."""
    text = path.read_text(encoding="utf-8") if path.exists() else "# Benchmarks\n"
    old = scale_section(path)
    text = text.replace(old, section) if old else text.rstrip("\n") + "\n\n" + section + "\n"
    path.write_text(text, encoding="utf-8")


def marginal_costs(runs: dict[int, dict], fixed: float) -> dict[int, float]:
    """Seconds per article of each run once the fixed cost of a run (a no-op run's wall time) is taken off."""
    return {n: (r["wall"] - fixed) / n for n, r in runs.items()}


def render_scale(f: dict, seconds: float) -> str:
    runs = {int(k): v for k, v in f["runs"].items()}
    noop = f.get("noop")
    fixed = noop["wall"] if noop else 0.0
    marginal = marginal_costs(runs, fixed)
    within = {n: m for n, m in marginal.items() if n <= 16000}
    spread = max(within.values()) / min(within.values()) - 1 if len(within) > 1 else None
    big = max(runs)
    ok = lambda cond: "met" if cond else "**not met**"  # noqa: E731
    L = [SCALE_BEGIN, "## bench-scale: N = " + ", ".join(f"{n:,}" for n in runs) + " (served API)", "",
         f"Generated by `make bench-scale` (`{f['command']}`) on {f['date']}, commit `{f['commit']}`, in "
         f"{seconds / 60:.1f} minutes; load average {fmt(f['load_start'][0])} at start"
         + (f", {fmt(f['load_end'][0])} at end" if "load_end" in f else "") + ". "
         f"Each N is a fresh warehouse and corpus; `ETL_WORKERS={f['workers']}`, batch size 500, "
         "`etl run` against a `prefect server start` on loopback (PREFECT_API_URL set), whose own RSS "
         f"({f.get('server_rss', 0) / 2**20:.0f} MiB at the end) is not part of the run's process tree.", "",
         "| N | wall s | flow s | CPU s (tree) | marginal ms/article | peak RSS (tree) | peak PSS (tree, sampled 1/s) | "
         "RSS of `etl run` itself | Prefect task runs | load avg |", "|---|---|---|---|---|---|---|---|---|---|"]
    for n, r in runs.items():
        own = max((b for name, b in r["peak_parts"] if "etl.cli" in name), default=0)
        L.append(f"| {n:,} | {fmt(r['wall'], 1)} | {fmt(r['flow_seconds'], 1)} | {fmt(r['cpu'], 1)} | "
                 f"{marginal[n] * 1000:.1f} | {r['peak_rss'] / 2**20:.0f} MiB | {r.get('peak_pss', 0) / 2**20:.0f} MiB | "
                 f"{own / 2**20:.0f} MiB | {r['tasks']} | "
                 f"{fmt(r['load'][0])}→{fmt(r['load'][1])} |")
    L += ["", f"Fixed cost of a run: {fmt(fixed, 1)} s (a no-op second run over N={min(runs):,}: start-up, imports, "
          "discovery and hashing, publish). Marginal cost = (wall − fixed) / N.", "",
          "| goal (issue 16) | figure | verdict |", "|---|---|---|",
          f"| peak RSS of the process tree ≤ 1 GiB at N = 20 000, served API | "
          f"{runs[big]['peak_rss'] / GIB:.2f} GiB at N={big:,} | "
          + (ok(runs[big]['peak_rss'] <= GIB) if big >= 20000 else f"not measured at 20 000 (largest run {big:,})") + " |",
          "| marginal s/article flat within 10 % from N = 1 000 to 16 000 | "
          + (f"spread {spread:.0%} over N = {', '.join(f'{n:,}' for n in within)}" if spread is not None else "—")
          + " | " + (ok(spread <= 0.10) if spread is not None and max(within) >= 16000 else
                     (f"{ok(spread <= 0.10)} up to N={max(within):,}; 16 000 not run" if spread is not None else "—"))
          + " |", "", SCALE_END]
    return "\n".join(L)


def strip(figures: dict) -> dict:
    """Figures without captured process output (for RESULTS.json)."""
    if isinstance(figures, dict):
        return {k: strip(v) for k, v in figures.items() if k not in ("stdout", "stderr")}
    return figures


def render(f: dict, args) -> str:
    n = args.n
    b1, b2, first, noop = f["bare1"], f["bare2"], f["first"], f["noop"]
    s1 = first["summary"]
    thr_ratio = b1["result"]["seconds"] / first["wall"]
    thr_ratio2 = b2["result"]["seconds"] / first["wall"]
    cpu_ratio = b1["cpu"] / first["cpu"]
    noop_ratio = noop["wall"] / first["wall"]
    sfirst, snoop = f["served_first"], f["served_noop"]
    s_thr = b1["result"]["seconds"] / sfirst["wall"]
    s_noop_ratio = snoop["wall"] / sfirst["wall"]
    outside = first["wall"] - first["flow_seconds"]
    runs = f["runs"]
    per_article = {k: r["wall"] / k for k, r in runs.items()}
    a, b = linear_fit([(k, r["wall"]) for k, r in runs.items()])
    biggest = max(runs)
    spread = max(per_article.values()) / min(per_article.values()) - 1
    marginal = marginal_costs(runs, snoop["wall"])  # the served no-op run: the fixed cost of a run
    m_spread = max(marginal.values()) / min(marginal.values()) - 1
    rss_biggest = runs[biggest]["peak_rss"]
    q = f["queries"]
    worst_p50 = max(v["p50_ms"] for v in q["queries"].values())
    worst_p50_compacted = max(v["p50_ms"] for v in q["compacted"].values())
    ok = lambda cond: "met" if cond else "**not met**"  # noqa: E731
    v = f["versions"]
    L = []
    L += ["# Benchmarks", "",
          f"Generated by `make bench` (`{f['command']}`) on {f['date']}, commit `{f['commit']}`, in "
          f"{f['total_seconds'] / 60:.1f} minutes.", "",
          f"Machine: {f['cores']} cores ({f['cpu_model']}), {f['memory_gib']:.1f} GiB RAM; "
          f"load average {fmt(f['load_start'][0])} at start, {fmt(f['load_end'][0])} at end "
          "(other work on the machine inflates wall times; the CPU-time ratios are less sensitive to it).", "",
          "Versions: " + ", ".join(f"{k} {val}" for k, val in v.items()) + ".", "",
          f"ETL runs: `etl run --input CORPUS --warehouse WH --json --quiet` as a subprocess with "
          f"`ETL_WORKERS={f['workers']}` (clean and extract on a process pool), batch size 500, against "
          "Prefect's ephemeral API (a fresh temporary server per run, as a cron-started `etl run` has) and "
          "against a served API (`prefect server start` on loopback, PREFECT_API_URL set, as a deployment "
          "runs; the server's own RSS is not in the run's tree). "
          "Corpus: the 21 real HTML pages of tests/data/html and the 5 seed articles, round-robin, each copy "
          "its own file and URI (HTML copies also get distinct bytes).", ""]
    qual = f.get("quality", {}).get("sets", {})
    q_all = qual.get("all")
    L += ["## Goals (issue 16)", "",
          "Every ratio is taken against the bare loop measured in the same invocation.", "",
          "| # | measure | figure | goal | verdict |", "|---|---|---|---|---|",
          f"| 1 | `etl run` throughput / bare `trafilatura.extract` loop (1 process), N={n} | "
          f"{fmt(thr_ratio)} ephemeral API, {fmt(s_thr)} served API (wall); {fmt(cpu_ratio)} (CPU time) | "
          f"≥ 1.0 (stretch 1.5) | {ok(thr_ratio >= 1.0)} ephemeral, {ok(s_thr >= 1.0)} served |",
          f"| 2a | no-op second run / first run, served API, N={n} | {fmt(s_noop_ratio, 3)} "
          f"({fmt(snoop['wall'], 1)} s / {fmt(sfirst['wall'], 1)} s) | ≤ 0.05 | {ok(s_noop_ratio <= 0.05)} |",
          f"| 2b | no-op second run / first run, ephemeral API, N={n} | {fmt(noop_ratio, 3)} "
          f"({fmt(noop['wall'], 1)} s / {fmt(first['wall'], 1)} s) | ≤ 0.10 | {ok(noop_ratio <= 0.10)} |",
          f"| 3 | peak RSS of the process tree, served API | {rss_biggest / GIB:.2f} GiB at N={biggest} "
          f"({first['peak_rss'] / GIB:.2f} GiB ephemeral at N={n}); N=20 000: see bench-scale | "
          f"≤ 1 GiB at N=20 000 | {ok(max(r['peak_rss'] for r in runs.values()) <= GIB)} up to N={biggest} |",
          f"| 4 | marginal s/article across N={', '.join(map(str, runs))} (served) | spread {m_spread:.0%} "
          f"(whole-run s/article spread {spread:.0%}); 16 000: see bench-scale | flat within 10% to N=16 000 | "
          f"{ok(m_spread <= 0.10)} up to N={biggest} |",
          f"| 5 | extraction quality (`{f.get('quality', {}).get('command', 'etl eval')}`) | "
          + (f"all sets: tp/pred/gold {'/'.join(q_all[:3])}, F1 {q_all[5]}" if q_all else "not measured")
          + " | unchanged (dev and seed floors pass) | see the eval section |",
          f"| 6 | dashboard query p50 over {q['rows']['metrics']:,} metric rows | worst p50 "
          f"{worst_p50_compacted:.0f} ms compacted ({q['compact_files']} files, the state a nightly run leaves); "
          f"{worst_p50:.0f} ms over {q['files']:,} uncompacted files | "
          f"≤ 100 ms | {ok(worst_p50_compacted <= 100)} (compacted) |", ""]
    L += [f"## 1. Throughput against bare trafilatura (N={n})", "",
          "| what | wall s | CPU s (tree) | articles/s | peak RSS | load avg |", "|---|---|---|---|---|---|",
          f"| bare `trafilatura.extract` loop, 1 process | {fmt(b1['result']['seconds'], 1)} | {fmt(b1['cpu'], 1)} | "
          f"{n / b1['result']['seconds']:.1f} | {b1['peak_rss'] / 2**20:.0f} MiB | {fmt(b1['load'][0])}→{fmt(b1['load'][1])} |",
          f"| bare loop, {f['workers']} processes | {fmt(b2['result']['seconds'], 1)} | {fmt(b2['cpu'], 1)} | "
          f"{n / b2['result']['seconds']:.1f} | {b2['peak_rss'] / 2**20:.0f} MiB | {fmt(b2['load'][0])}→{fmt(b2['load'][1])} |",
          f"| `etl run` (whole process: start-up, Prefect, flow) | {fmt(first['wall'], 1)} | {fmt(first['cpu'], 1)} | "
          f"{n / first['wall']:.1f} | {first['peak_rss'] / 2**20:.0f} MiB | {fmt(first['load'][0])}→{fmt(first['load'][1])} |",
          f"| of which inside the flow (`seconds` of the summary) | {fmt(first['flow_seconds'], 1)} | | "
          f"{n / first['flow_seconds']:.1f} | | |",
          f"| `etl run`, served API | {fmt(sfirst['wall'], 1)} | {fmt(sfirst['cpu'], 1)} | "
          f"{n / sfirst['wall']:.1f} | {sfirst['peak_rss'] / 2**20:.0f} MiB | {fmt(sfirst['load'][0])}→{fmt(sfirst['load'][1])} |",
          "",
          f"Ratio against the {f['workers']}-process bare loop: {fmt(thr_ratio2)}. "
          f"Time outside the flow body (interpreter, imports, Prefect ephemeral server start, flow-run "
          f"bookkeeping): {fmt(outside, 1)} s. Bare loop found text in {b1['result']['with_text']} of {n} pages; "
          f"the run loaded {s1['rows']['articles']} articles, {s1['rows'].get('metrics', 0)} metrics "
          f"(inputs {s1['inputs']}). Prefect task runs in the flow run: {first['tasks']}.", ""]
    L += [f"## 2. Incremental no-op (second run over the same N={n})", "",
          f"Ephemeral API: first run {fmt(first['wall'], 1)} s, second run {fmt(noop['wall'], 1)} s "
          f"(inside the flow {fmt(noop['flow_seconds'], 1)} s; inputs {noop['summary']['inputs']}; "
          f"peak RSS {noop['peak_rss'] / 2**20:.0f} MiB). "
          f"Served API: first run {fmt(sfirst['wall'], 1)} s, second run {fmt(snoop['wall'], 1)} s "
          f"(inside the flow {fmt(snoop['flow_seconds'], 1)} s; peak RSS {snoop['peak_rss'] / 2**20:.0f} MiB; "
          f"the server itself {f.get('server_rss', 0) / 2**20:.0f} MiB).", "",
          "| stage | first run s | no-op run s |", "|---|---|---|"]
    for stage in s1["stage_seconds"]:
        L.append(f"| {stage} | {fmt(s1['stage_seconds'][stage])} | {fmt(noop['summary']['stage_seconds'].get(stage, 0))} |")
    L += ["", "## 3–4. Scaling and memory (served API)", "",
          "| N | wall s | s/article | flow s | CPU s | peak RSS (tree) | peak PSS (tree) | Prefect task runs | load avg |",
          "|---|---|---|---|---|---|---|---|---|"]
    for k, r in runs.items():
        L.append(f"| {k} | {fmt(r['wall'], 1)} | {r['wall'] / k * 1000:.1f} ms | {fmt(r['flow_seconds'], 1)} | "
                 f"{fmt(r['cpu'], 1)} | {r['peak_rss'] / 2**20:.0f} MiB | {r.get('peak_pss', 0) / 2**20:.0f} MiB | "
                 f"{r['tasks']} | {fmt(r['load'][0])}→{fmt(r['load'][1])} |")
    L += ["", "Marginal cost per article (wall minus the served no-op run's "
          f"{fmt(snoop['wall'], 1)} s, per article): "
          + ", ".join(f"N={k}: {m * 1000:.1f} ms" for k, m in marginal.items()) + f"; spread {m_spread:.0%}."]
    if b > 0:
        L += [f"Least-squares fit: wall ≈ {fmt(a, 1)} s + {b * 1000:.1f} ms × N, so N=16 000 ≈ "
              f"{fmt((a + b * 16000) / 60, 1)} min and N=20 000 ≈ {fmt((a + b * 20000) / 60, 1)} min; those runs are "
              "`make bench-scale` (below), outside the 15-minute budget of `make bench`."]
    L += [""]
    if qual:
        L += ["## Extraction quality", "", f"`{f['quality']['command']}` on the benchmarked commit:", "",
              "| set | tp | pred | gold | P | R | F1 |", "|---|---|---|---|---|---|---|"]
        L += [f"| {name} | " + " | ".join(row) + " |" for name, row in qual.items() if len(row) == 6]
        L += ["", "Article fields: " + ", ".join(f"{k.replace(' (article fields)', '')} {v[0]}"
                                                  for k, v in qual.items() if k.endswith("(article fields)")) + ".", ""]
    L += ["## 5. Query latency (synthetic warehouse, real schema and file layout)", "",
          f"Rows: {', '.join(f'{t} {c:,}' for t, c in q['rows'].items())}; {q['files']:,} Parquet files "
          f"(one per table per batch of 500 articles per year partition, as load.py writes). "
          f"Build {fmt(q['build_s'], 1)} s, `etl.publish.publish` {fmt(q['publish_s'], 1)} s. "
          f"Read-only DuckDB connection, {q['repeat']} timed repetitions after the first call.", "",
          "| query | first ms | p50 ms | p95 ms | rows |", "|---|---|---|---|---|"]
    for name, t in q["queries"].items():
        L.append(f"| {name} | {t['first_ms']:.0f} | {t['p50_ms']:.0f} | {t['p95_ms']:.0f} | {t['rows']} |")
    L += ["", f"The same queries after compaction (`etl.load.compact`, which every nightly run applies to a "
          f"partition that reaches `compact_min_files` files; took {fmt(q['compact_s'], 1)} s with the republish, "
          f"{q['compact_files']} files left):", "",
          "| query | first ms | p50 ms | p95 ms | rows |", "|---|---|---|---|---|"]
    for name, t in q["compacted"].items():
        L.append(f"| {name} | {t['first_ms']:.0f} | {t['p50_ms']:.0f} | {t['p95_ms']:.0f} | {t['rows']} |")
    L += ["", "## 6. Where the time goes (stage timings of the run itself)", "",
          "| stage | " + " | ".join(f"N={k}" for k in runs) + " |", "|---|" + "---|" * len(runs)]
    for stage in s1["stage_seconds"]:
        L.append(f"| {stage} | " + " | ".join(
            f"{fmt(r['summary']['stage_seconds'].get(stage, 0), 1)} s ({r['summary']['stage_seconds'].get(stage, 0) / r['wall']:.0%})"
            for r in runs.values()) + " |")
    L.append("| outside the flow body | " + " | ".join(
        f"{fmt(r['wall'] - r['flow_seconds'], 1)} s ({(r['wall'] - r['flow_seconds']) / r['wall']:.0%})" for r in runs.values()) + " |")
    pr = f["profiled"]
    L += ["", f"### cProfile of `etl run` at N={args.profile_n}, 1 worker (everything in one process)", "",
          f"Wall {fmt(pr['wall'], 1)} s under the profiler; stage seconds {pr['summary']['stage_seconds']}.", "",
          "```", f["profile"], "```", ""]
    big = runs[biggest]
    L += [f"Peak RSS by process at the peak of N={biggest}: " + "; ".join(
        f"`{name}` {rss / 2**20:.0f} MiB" for name, rss in sorted(big["peak_parts"], key=lambda x: -x[1])) + ".", ""]
    notes = ROOT / "bench" / "NOTES.md"
    L += ["## What bounds each figure", "",
          notes.read_text(encoding="utf-8").split("\n", 1)[1].strip() if notes.exists() else "(bench/NOTES.md missing)", ""]
    # sections this script does not write are kept: bench/stories.py's, and `make bench-scale`'s
    for kept in (stories_section(args.out), scale_section(args.out)):
        if kept:
            L += [kept, ""]
    return "\n".join(L)


if __name__ == "__main__":
    main()
