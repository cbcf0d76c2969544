"""Idle sockets on ONE OMS gateway process and on ONE Node socket.io 4.8 process, side by side
(DESIGN §12 "Connections", issue 12 point 3).

    npm ci --prefix bench/node            # once
    uv run python bench/sockets.py        # N = 5,000, 10,000, 19,000 per side (about 5 minutes)
    uv run python bench/sockets.py --sockets 19000 --sides oms

For each side and N, a fresh server process (`oms gateway`, or bench/node/server.mjs) on CPU 0
and N stock socket.io-client sockets from several bench/node/idle.mjs processes on CPU 1 (each
under the open-file limit, each from its own 127.0.x.y source addresses, so neither the file
limit of a client process nor the ephemeral ports of one address pair is the limit). Measured:
connect rate and server CPU per connect; RSS per socket; server CPU while idle with a short ping
interval set equally on both sides (and, before connecting, with no socket), scaled to engine.io's
default 25 s interval; one broadcast to every socket (first and last receipt after the publish);
disconnects over the whole run. See bench/README.md "Idle sockets". Loopback only; every process
started is stopped by PID, also on failure or Ctrl-C.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import math
import os
import resource
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Callable
from pathlib import Path
from typing import Any

import redis

sys.path.insert(0, str(Path(__file__).resolve().parent))
from run import (
    NODE,
    ROOT,
    Processes,
    Server,
    World,
    cpu_seconds,
    create_world,
    newest_event_id,
    pinned,
    rss_bytes,
    start_py_spy,
    start_redis,
    stop_py_spy,
    terminate_on_signal,
    wait_for,
)

from oms.events.redis_bus import channel_for
from oms.security.tokens import derive_key

DEFAULT_INTERVAL = 25.0  # engine.io's (and OMS's) default ping interval, seconds


class Loader:
    """One bench/node/idle.mjs process, spoken to one JSON line at a time."""

    def __init__(self, processes: Processes, tmp: Path, index: int, cpu: str | None) -> None:
        self.path = tmp / f"idle-{index}.json"
        self.process = processes.start(
            pinned(cpu, ["node", "--max-old-space-size=4096", str(NODE / "idle.mjs")]),
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            cwd=NODE,
        )

    def send(self, command: dict[str, Any]) -> None:
        assert self.process.stdin
        self.path.write_text(json.dumps(command))  # 5,000 tokens: through a file
        self.process.stdin.write(f"@{self.path}\n".encode())
        self.process.stdin.flush()

    def reply(self) -> dict[str, Any]:
        assert self.process.stdout
        line = self.process.stdout.readline()
        if not line:
            raise RuntimeError("a load generator exited")
        answer: dict[str, Any] = json.loads(line)
        if answer.get("type") == "error":
            raise RuntimeError(f"load generator: {answer['message']}")
        return answer


def all_of(loaders: list[Loader], command: dict[str, Any]) -> list[dict[str, Any]]:
    """Send to every loader first (they work at once), then collect their answers."""
    for loader in loaders:
        loader.send(command)
    return [loader.reply() for loader in loaders]


def get_json(url: str) -> Any:
    with urllib.request.urlopen(url, timeout=30) as response:
        return json.loads(response.read())


def start_server(
    side: str,
    processes: Processes,
    tmp: Path,
    world: World,
    n: int,
    per_address: int,
    args: argparse.Namespace,
) -> tuple[subprocess.Popen[bytes], str]:
    log = tmp / f"{side}-{n}.log"
    if side == "node":
        env = {
            **os.environ,
            "PORT": "0",
            "SECRET_HEX": derive_key(world.app_key, "access-token").hex(),
            "PING_INTERVAL_MS": str(round(args.ping_interval * 1000)),
            "PING_TIMEOUT_MS": str(round(args.ping_timeout * 1000)),
        }
        argv = ["node", "--max-old-space-size=4096", str(NODE / "server.mjs")]
        process = processes.start(
            pinned("0", argv), stdout=log.open("wb"), stderr=subprocess.STDOUT, env=env, cwd=NODE
        )
        port = wait_for(log, r"listening (\d+)", process)
        return process, f"http://127.0.0.1:{port}"
    env = {
        **os.environ,
        "APP_ENV": "production",
        "APP_KEY": world.app_key,
        "DATABASE_URL": world.database_url,
        "REDIS_URL": args.redis_url,
        "OMS_DATA_DIR": str(tmp),
        "WEBSOCKET_PORT": "0",
        "SOCKET_PING_INTERVAL_SECONDS": str(args.ping_interval),
        "SOCKET_PING_TIMEOUT_SECONDS": str(args.ping_timeout),
        # The production caps, opened wide enough for this load (and no wider).
        "MAX_SOCKETS": str(n + 10),
        "SOCKETS_PER_ADDRESS": str(per_address),
        "RATE_SOCKET_CONNECT_PER_ADDRESS": f"{n}/minute",
    }
    argv = [sys.executable, "-m", "oms.cli", "gateway"]
    process = processes.start(
        pinned("0", argv), stdout=log.open("wb"), stderr=subprocess.STDOUT, env=env
    )
    return process, wait_for(log, r"OMS real-time gateway on (http://\S+)", process, seconds=120)


def publish_broadcast(
    side: str, target: str, app_key: str, users: list[int], event_id: int
) -> None:
    """Node: POST /publish to the customers' room (`target` is the server). OMS: the bus message
    (`target` is its Redis) that oms.events.recorder publishes after committing the inbox rows."""
    payload = {
        "event_id": event_id,
        "event": "notification.general",
        "type": "general",
        "title": "Bench broadcast",
        "message": "Stock take at 17:00 - please count frames and lenses before closing.",
        "level": "info",
        "timestamp": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        "data": {"source": "bench"},
    }
    if side == "node":
        body = {"room": "role.customer", "event": payload["event"], "payload": {"id": 0, **payload}}
        request = urllib.request.Request(
            target + "/publish", json.dumps(body).encode(), {"content-type": "application/json"}
        )
        urllib.request.urlopen(request, timeout=30).close()
        return
    inboxes = list(range(1_000_000, 1_000_000 + len(users)))
    envelope = {"i": event_id, "n": payload["event"], "p": payload, "u": users, "b": inboxes}
    with redis.Redis.from_url(target) as client:
        client.publish(channel_for(app_key), json.dumps([envelope]))


def profile(
    side: str,
    n: int,
    phase: str,
    server: subprocess.Popen[bytes],
    processes: Processes,
    args: argparse.Namespace,
) -> subprocess.Popen[bytes] | None:
    """With --profile DIR: py-spy samples the OMS server during the phase (DIR/oms-PHASE-N.txt;
    summarise with bench/profile.py). Sampling costs the server some CPU: not for figures."""
    if args.profile is None or side != "oms":
        return None
    args.profile.mkdir(parents=True, exist_ok=True)
    target = Server(side, [server], [], {})
    return start_py_spy(processes, target, args.profile / f"oms-{phase}-{n}.txt")


def run_side(
    side: str,
    n: int,
    run: int,
    world: World,
    args: argparse.Namespace,
    processes: Processes,
    tmp: Path,
) -> dict[str, Any]:
    tokens = [c["token"] for c in world.customers[:n]]
    users = [c["id"] for c in world.customers[:n]]
    # Each loader: a share of the sockets and its own source addresses. Fresh addresses for every
    # run: the previous run's closed sockets sit in TIME_WAIT on theirs.
    shares = math.ceil(n / args.per_loader)
    per = math.ceil(n / shares)
    addresses = [
        f"127.{run + 1}.{a // 250}.{2 + a % 250}" for a in range(max(args.addresses, shares))
    ]
    plan = [(tokens[i * per : (i + 1) * per], addresses[i::shares]) for i in range(shares)]
    per_address = max(math.ceil(len(mine) / len(where)) for mine, where in plan)
    server, url = start_server(side, processes, tmp, world, n, per_address, args)
    loaders = [Loader(processes, tmp, i, "1") for i in range(shares)]
    result: dict[str, Any] = {"side": side, "sockets": n, "loaders": shares}
    try:
        time.sleep(1.0)
        began = cpu_seconds(server.pid)
        time.sleep(args.baseline_seconds)
        result["cpu_no_sockets_pct"] = (
            (cpu_seconds(server.pid) - began) / args.baseline_seconds * 100
        )
        rss_before, cpu_before = rss_bytes(server.pid), cpu_seconds(server.pid)
        loaders_before = sum(cpu_seconds(loader.process.pid) for loader in loaders)
        spy = profile(side, n, "connect", server, processes, args)
        for loader, (mine, where) in zip(loaders, plan, strict=True):
            loader.send(
                {
                    "op": "connect",
                    "url": url,
                    "tokens": mine,
                    "addresses": where,
                    "parallel": args.parallel,
                }
            )
        connected = [loader.reply() for loader in loaders]
        connect_cpu = cpu_seconds(server.pid) - cpu_before
        loaders_cpu = sum(cpu_seconds(loader.process.pid) for loader in loaders) - loaders_before
        if spy is not None:
            stop_py_spy(processes, spy)
        count = sum(c["count"] for c in connected)
        span = (
            max(c["ended_ms"] for c in connected) - min(c["started_ms"] for c in connected)
        ) / 1000
        result |= {
            "connected": count,
            "failed": sum(c["failed"] for c in connected),
            "first_error": next((c["error"] for c in connected if c["error"]), None),
            "connect_seconds": round(span, 2),
            "connects_per_s": count / span if span else None,
            "server_cpu_us_per_connect": connect_cpu * 1e6 / max(1, count),
            # The client side's cost too: when it is near the wall time, the clients set the rate.
            "loaders_cpu_s_connecting": round(loaders_cpu, 2),
        }
        time.sleep(args.settle)
        result["rss_mb"] = rss_bytes(server.pid) / 2**20
        result["rss_per_socket_kb"] = (rss_bytes(server.pid) - rss_before) / max(1, count) / 1024
        stats = get_json(url + ("/stats" if side == "node" else "/health"))
        result["server_reports"] = stats.get("connections")

        # Idle: only heartbeats (and the server's own timers) run.
        spy = profile(side, n, "idle", server, processes, args)
        pings_before = sum(s["pings"] for s in all_of(loaders, {"op": "stats"}))
        began = cpu_seconds(server.pid)
        time.sleep(args.idle_seconds)
        idle_cpu = cpu_seconds(server.pid) - began
        if spy is not None:
            stop_py_spy(processes, spy)
        pings = sum(s["pings"] for s in all_of(loaders, {"op": "stats"})) - pings_before
        baseline = result["cpu_no_sockets_pct"] / 100 * args.idle_seconds
        per_ping = max(0.0, idle_cpu - baseline) / pings if pings else None
        result |= {
            "idle_cpu_s": round(idle_cpu, 3),
            "idle_cpu_pct": idle_cpu / args.idle_seconds * 100,
            "pings": pings,
            "server_cpu_us_per_ping": per_ping * 1e6 if per_ping is not None else None,
            # The same sockets at the default interval: n/25 pings a second, plus the baseline.
            "idle_cpu_pct_at_25s": (
                result["cpu_no_sockets_pct"] + per_ping * count / DEFAULT_INTERVAL * 100
                if per_ping is not None
                else None
            ),
        }

        # One broadcast to every socket.
        event_id = asyncio.run(newest_event_id(world.database_url)) + 1
        all_of(loaders, {"op": "arm", "event_id": event_id})
        cpu_before = cpu_seconds(server.pid)
        sent_ms = time.time() * 1000
        target = url if side == "node" else args.redis_url
        publish_broadcast(side, target, world.app_key, users, event_id)
        receipts = all_of(loaders, {"op": "receipts", "timeout_ms": 10_000})
        firsts = [r["first_ms"] for r in receipts if r["first_ms"] is not None]
        lasts = [r["last_ms"] for r in receipts if r["last_ms"] is not None]
        result |= {
            "broadcast_received": sum(r["count"] for r in receipts),
            "broadcast_first_ms": min(firsts) - sent_ms if firsts else None,
            "broadcast_last_ms": max(lasts) - sent_ms if lasts else None,
            "broadcast_server_cpu_ms": (cpu_seconds(server.pid) - cpu_before) * 1000,
        }
        end = all_of(loaders, {"op": "stats"})
        result["disconnects"] = sum(s["disconnects"] for s in end)
        result["disconnect_reasons"] = [s["reasons"] for s in end if s["reasons"]]
        result["server_alive"] = server.poll() is None
    finally:
        # SIGTERM (then KILL): a loader busy connecting would read a polite "quit" only when done.
        for loader in loaders:
            processes.stop(loader.process)
        processes.stop(server)
    return result


# --- the table ----------------------------------------------------------------------------------

ROWS: list[tuple[str, str, int]] = [
    # (metric, result key, digits); ↑ / ↓ say which way is better
    ("sockets connected / asked", "connected", 0),
    ("server reports connected", "server_reports", 0),
    ("connect rate, sockets/s (wall) ↑", "connects_per_s", 0),
    ("server CPU µs per connect ↓", "server_cpu_us_per_connect", 1),
    ("connect: seconds (wall) / load generators' CPU seconds", "connect_vs_loaders", 1),
    ("RSS per socket (KB) ↓", "rss_per_socket_kb", 2),
    ("RSS with the sockets (MB)", "rss_mb", 1),
    ("server CPU, no socket (% of a core)", "cpu_no_sockets_pct", 2),
    ("server CPU idle at the short interval (% of a core)", "idle_cpu_pct", 1),
    ("pings answered in the idle window", "pings", 0),
    ("server CPU µs per ping ↓", "server_cpu_us_per_ping", 2),
    ("idle CPU at the default 25 s interval (% of a core, scaled) ↓", "idle_cpu_pct_at_25s", 2),
    ("broadcast: first receipt (ms after publish) ↓", "broadcast_first_ms", 1),
    ("broadcast: last receipt (ms after publish) ↓", "broadcast_last_ms", 1),
    ("broadcast: received / sockets", "broadcast_received", 0),
    ("broadcast: server CPU (ms) ↓", "broadcast_server_cpu_ms", 1),
    ("disconnects (whole run)", "disconnects", 0),
]


def fmt(value: Any, digits: int) -> str:
    if value is None:
        return "-"
    if isinstance(value, float):
        return f"{value:,.{digits}f}"
    return f"{value:,}" if isinstance(value, int) else str(value)


def table(results: list[dict[str, Any]]) -> str:
    by = {(r["side"], r["sockets"]): r for r in results}
    lines = ["| N | metric | OMS | Node | OMS / Node |", "|---|---|---:|---:|---:|"]
    for n in sorted({r["sockets"] for r in results}):
        oms, node = by.get(("oms", n), {}), by.get(("node", n), {})
        for metric, key, digits in ROWS:
            o, d = oms.get(key), node.get(key)
            ratio = (
                f"{o / d:.2f}"
                if isinstance(o, int | float) and isinstance(d, int | float) and d
                else "-"
            )
            if key == "connect_vs_loaders":
                o = f"{oms['connect_seconds']} / {oms['loaders_cpu_s_connecting']}" if oms else None
                d = (
                    f"{node['connect_seconds']} / {node['loaders_cpu_s_connecting']}"
                    if node
                    else None
                )
                ratio = "-"
            if key == "connected":
                o, d, ratio = f"{o}/{n}" if oms else None, f"{d}/{n}" if node else None, "-"
            lines.append(f"| {n:,} | {metric} | {fmt(o, digits)} | {fmt(d, digits)} | {ratio} |")
    return "\n".join(lines)


def fit(points: list[tuple[float, float]]) -> tuple[float, float] | None:
    """Least squares y = a + b·x."""
    if len(points) < 2:
        return None
    mx = sum(x for x, _ in points) / len(points)
    my = sum(y for _, y in points) / len(points)
    sxx = sum((x - mx) ** 2 for x, _ in points)
    if not sxx:
        return None
    b = sum((x - mx) * (y - my) for x, y in points) / sxx
    return my - b * mx, b


def extrapolate(results: list[dict[str, Any]], target: int) -> str:
    """Straight lines through the measured N, carried to `target`: an extrapolation, not a run."""
    lines = [
        f"| extrapolated to {target:,} (linear fit over the runs) | OMS | Node |",
        "|---|---:|---:|",
    ]
    # Server figures only: the receipt times of one broadcast are the load generators' and this
    # machine's (a shared core), not a slope of the server's.
    rows: list[tuple[str, Callable[[dict[str, Any]], float]]] = [
        ("RSS with the sockets (MB)", lambda r: r["rss_mb"]),
        (
            "server CPU to connect them all (s)",
            lambda r: r["server_cpu_us_per_connect"] * r["connected"] / 1e6,
        ),
        ("idle CPU at the default 25 s interval (% of a core)", lambda r: r["idle_cpu_pct_at_25s"]),
        ("one broadcast to all: server CPU (ms)", lambda r: r["broadcast_server_cpu_ms"]),
    ]
    for metric, value in rows:
        cells = []
        for side in ("oms", "node"):
            points = []
            for r in results:
                with contextlib.suppress(KeyError, TypeError):
                    if r["side"] == side:
                        points.append((float(r["sockets"]), float(value(r))))
            line = fit(points)
            cells.append(fmt(line[0] + line[1] * target, 1) if line else "-")
        lines.append(f"| {metric} | {cells[0]} | {cells[1]} |")
    return "\n".join(lines)


# --- main ---------------------------------------------------------------------------------------


def save(args: argparse.Namespace, results: list[dict[str, Any]]) -> tuple[float, float, float]:
    load = os.getloadavg()
    args.out.parent.mkdir(parents=True, exist_ok=True)
    settings = {k: str(v) for k, v in vars(args).items() if k != "redis_url"}
    args.out.write_text(
        json.dumps({"settings": settings, "load_average": load, "results": results}, indent=1)
    )
    return load


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--sockets",
        default="5000,10000,19000",
        help="comma-separated N per server process (at most the open-file limit less ~1,000)",
    )
    parser.add_argument("--sides", default="node,oms")
    parser.add_argument("--per-loader", type=int, default=5000, help="sockets per idle.mjs")
    parser.add_argument("--addresses", type=int, default=20, help="127.x.y.z source addresses")
    parser.add_argument("--parallel", type=int, default=50, help="handshakes in flight per loader")
    parser.add_argument("--ping-interval", type=float, default=5.0, help="seconds, both sides")
    parser.add_argument("--ping-timeout", type=float, default=20.0, help="seconds, both sides")
    parser.add_argument("--idle-seconds", type=float, default=20.0)
    parser.add_argument("--baseline-seconds", type=float, default=5.0)
    parser.add_argument("--settle", type=float, default=3.0, help="seconds before reading RSS")
    parser.add_argument("--extrapolate", type=int, default=100_000)
    parser.add_argument("--profile", type=Path, help="directory: py-spy the OMS server")
    parser.add_argument("--out", type=Path, default=ROOT / "bench" / "results" / "sockets.json")
    parser.add_argument(
        "--table", type=Path, nargs="+", help="only print the tables of these saved runs' JSON"
    )
    args = parser.parse_args()
    if args.table:
        saved = [r for path in args.table for r in json.loads(path.read_text())["results"]]
        print(table(saved) + "\n\n" + extrapolate(saved, args.extrapolate))
        return

    _soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))  # inherited by every process
    counts = [int(n) for n in args.sockets.split(",") if n]
    if max(counts) > hard - 500:
        parser.error(f"--sockets: {max(counts)} does not fit the open-file limit {hard}")
    processes = Processes()
    results: list[dict[str, Any]] = []
    started = time.time()
    with tempfile.TemporaryDirectory(prefix="oms-sockets-") as directory, terminate_on_signal():
        tmp = Path(directory)
        try:
            url = f"sqlite+aiosqlite:///{tmp / 'bench.sqlite3'}"
            world = asyncio.run(create_world(url, max(counts)))
            args.redis_url = start_redis(processes, tmp, "1")
            run = 0
            for n in counts:
                for side in args.sides.split(","):
                    print(f"[{time.time() - started:5.0f}s] {side} N={n:,} ...", flush=True)
                    row = run_side(side, n, run, world, args, processes, tmp)
                    run += 1
                    results.append(row)
                    save(args, results)  # what was measured survives a later failure
                    print(
                        f"        connected {row['connected']}, last receipt "
                        f"{fmt(row.get('broadcast_last_ms'), 0)} ms, "
                        f"disconnects {row['disconnects']}",
                        flush=True,
                    )
        finally:
            processes.stop_all()
    load = save(args, results)
    print()
    print(table(results))
    print()
    print(extrapolate(results, args.extrapolate))
    print(
        f"\nping interval {args.ping_interval} s / timeout {args.ping_timeout} s on both sides; "
        f"took {time.time() - started:.0f} s; load average at the end: "
        f"{load[0]:.2f} {load[1]:.2f} {load[2]:.2f}; raw figures in {args.out}"
    )


if __name__ == "__main__":
    main()
