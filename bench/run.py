"""OMS gateway against Node socket.io 4.8, side by side on this machine (DESIGN §9, issue 5).

    uv run python bench/run.py                       # everything (about 7 minutes)
    uv run python bench/run.py --clients 5000 --no-scale-out

See bench/README.md for what each side does. Every process this starts is stopped by PID at the
end, also on failure or Ctrl-C. Loopback only.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import re
import resource
import secrets
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import func, insert, select

from oms.db.database import Database
from oms.db.migrate import upgrade_async
from oms.db.models import Branch, BranchStock, EventRecord, Product, User
from oms.events.bus import InProcessBus
from oms.events.redis_bus import channel_for
from oms.security.passwords import hash_password
from oms.security.tokens import derive_key, issue_token

ROOT = Path(__file__).resolve().parent.parent
NODE = ROOT / "bench" / "node"
TICK = os.sysconf("SC_CLK_TCK")
STAFF = 5


# --- processes ----------------------------------------------------------------------------------


class Processes:
    """Everything started, stopped by PID (TERM, then KILL) however the run ends."""

    def __init__(self) -> None:
        self.running: list[subprocess.Popen[bytes]] = []

    def start(self, argv: list[str], **kwargs: Any) -> subprocess.Popen[bytes]:
        process = subprocess.Popen(argv, **kwargs)
        self.running.append(process)
        return process

    def stop(self, process: subprocess.Popen[bytes]) -> None:
        if process.poll() is None:
            process.send_signal(signal.SIGTERM)
            try:
                process.wait(10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(10)
        if process in self.running:
            self.running.remove(process)

    def stop_all(self) -> None:
        for process in reversed(list(self.running)):
            self.stop(process)


def pinned(cpu: str | None, argv: list[str]) -> list[str]:
    # taskset execs the command, so the PID we hold is the server's own.
    return ["taskset", "-c", cpu, *argv] if cpu is not None else argv


def cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / TICK


def rss_bytes(pid: int) -> int:
    match = re.search(r"VmRSS:\s+(\d+) kB", Path(f"/proc/{pid}/status").read_text())
    return int(match.group(1)) * 1024 if match else 0


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def wait_for(log: Path, pattern: str, process: subprocess.Popen[bytes], seconds: float = 60) -> str:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        found = re.search(pattern, log.read_text(errors="replace"))
        if found:
            return found.group(1)
        if process.poll() is not None:
            break
        time.sleep(0.05)
    raise RuntimeError(f"{log.name}: no {pattern!r}:\n{log.read_text(errors='replace')[-3000:]}")


class LoadGenerator:
    """bench/node/load.mjs, spoken to one JSON line at a time."""

    def __init__(self, processes: Processes, cpu: str | None, tmp: Path) -> None:
        self.tmp = tmp
        self.process = processes.start(
            pinned(cpu, ["node", "--max-old-space-size=4096", str(NODE / "load.mjs")]),
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            cwd=NODE,
        )

    def call(self, command: dict[str, Any], timeout: float = 600) -> dict[str, Any]:
        self.send(command)
        return self.read(timeout)

    def send(self, command: dict[str, Any]) -> None:
        assert self.process.stdin
        # Large commands (10,000 tokens) go through a file.
        path = self.tmp / "command.json"
        path.write_text(json.dumps(command))
        self.process.stdin.write(f"@{path}\n".encode())
        self.process.stdin.flush()

    def read(self, timeout: float = 600) -> dict[str, Any]:
        """The next reply line (for a command sent with `send`)."""
        assert self.process.stdout
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            line = self.process.stdout.readline()
            if not line:
                raise RuntimeError("the load generator exited")
            reply: dict[str, Any] = json.loads(line)
            if reply.get("type") == "error":
                raise RuntimeError(f"load generator: {reply['message']}")
            return reply
        raise RuntimeError("load generator timed out")


# --- the data both servers share ----------------------------------------------------------------


@dataclass
class World:
    app_key: str
    database_url: str
    customers: list[dict[str, Any]]
    staff: list[dict[str, Any]]
    admin: dict[str, Any]
    branch_id: int
    product_id: int


async def create_world(url: str, count: int) -> World:
    await upgrade_async(url)
    app_key = secrets.token_urlsafe(48)
    database = Database(url, InProcessBus())
    password = hash_password(secrets.token_urlsafe(12))
    try:
        async with database.session() as session:
            branch = Branch(name="Bench", code="BENCH", address="1 Bench Street", phone="555-0100")
            product = Product(name="Bench frame", sku="BENCH-1", category="frames", price=100)
            session.add_all([branch, product])
            await session.flush()
            session.add(
                BranchStock(product_id=product.id, branch_id=branch.id, on_hand=10, threshold=3)
            )

            def person(role: str, n: int, branch_id: int | None = None) -> dict[str, Any]:
                return {
                    "email": f"{role}{n}@bench.test",
                    "name": f"Bench {role} {n}",
                    "role": role,
                    "password_hash": password,
                    "branch_id": branch_id,
                }

            rows = [person("customer", n) for n in range(count)]
            rows += [person("staff", n, branch.id) for n in range(STAFF)]
            rows.append(person("admin", 0))
            await session.execute(insert(User), rows)
            users = (await session.execute(select(User.id, User.role).order_by(User.id))).all()
            branch_id, product_id = branch.id, product.id
            await session.commit()
    finally:
        await database.dispose()

    def token(user_id: int, role: str) -> dict[str, Any]:
        branches = (branch_id,) if role == "staff" else ()
        value, _ = issue_token(
            app_key, user_id=user_id, role=role, branch_ids=branches, ttl_seconds=6 * 3600
        )
        return {"id": user_id, "role": role, "token": value}

    everyone = [token(user_id, role) for user_id, role in users]
    return World(
        app_key=app_key,
        database_url=url,
        customers=[u for u in everyone if u["role"] == "customer"],
        staff=[u for u in everyone if u["role"] == "staff"],
        admin=next(u for u in everyone if u["role"] == "admin"),
        branch_id=branch_id,
        product_id=product_id,
    )


async def newest_event_id(url: str) -> int:
    database = Database(url, InProcessBus())
    try:
        async with database.session() as session:
            return int(await session.scalar(select(func.max(EventRecord.id))) or 0)
    finally:
        await database.dispose()


# --- the servers --------------------------------------------------------------------------------


@dataclass
class Server:
    side: str
    processes: list[subprocess.Popen[bytes]]
    socket_urls: list[str]
    publish: dict[str, Any]
    api_url: str | None = None
    gc_files: list[Path] = field(default_factory=list)
    gc_offsets: dict[Path, int] = field(default_factory=dict)

    @property
    def pids(self) -> list[int]:
        return [p.pid for p in self.processes]

    def cpu(self) -> float:
        return sum(cpu_seconds(pid) for pid in self.pids)

    def rss(self) -> int:
        return sum(rss_bytes(pid) for pid in self.pids)

    def gc_pauses_ms(self) -> list[float]:
        """GC pauses since the last call."""
        if self.side == "node":
            pauses: list[float] = []
            for url in self.publish["urls"]:
                with urllib.request.urlopen(url + "/stats", timeout=10) as response:
                    pauses += json.loads(response.read())["gc_pauses_ms"]
            return pauses
        pauses = []
        for path in self.gc_files:
            if not path.exists():
                continue
            with path.open() as handle:
                handle.seek(self.gc_offsets.get(path, 0))
                text = handle.read()
                self.gc_offsets[path] = handle.tell()
            pauses += [int(line.split()[1]) / 1000 for line in text.splitlines() if line]
        return pauses


def start_node(
    processes: Processes, tmp: Path, world: World, cpus: list[str | None], redis_url: str
) -> Server:
    started, urls = [], []
    secret = derive_key(world.app_key, "access-token").hex()
    for n, cpu in enumerate(cpus):
        log = tmp / f"node-{n}.log"
        env = {**os.environ, "PORT": "0", "SECRET_HEX": secret}
        if len(cpus) > 1:
            env["REDIS_URL"] = redis_url
        process = processes.start(
            pinned(cpu, ["node", str(NODE / "server.mjs")]),
            stdout=log.open("wb"),
            stderr=subprocess.STDOUT,
            env=env,
            cwd=NODE,
        )
        started.append(process)
        port = wait_for(log, r"listening (\d+)", process)
        urls.append(f"http://127.0.0.1:{port}")
    return Server("node", started, urls, {"mode": "http", "urls": urls})


BENCH_RATE_LIMITS = {
    "SOCKETS_PER_ADDRESS": "200000",
    "RATE_SOCKET_CONNECT_PER_ADDRESS": "1000000/minute",
    "RATE_BROADCAST_PER_SENDER": "1000000/minute",
    "RATE_SOCKET_JOIN_PER_SOCKET": "1000000/minute",
}


def start_oms(
    processes: Processes,
    tmp: Path,
    world: World,
    cpus: list[str | None],
    redis_url: str,
    *,
    command: str,
) -> Server:
    started, urls, gc_files = [], [], []
    api_url = None
    for n, cpu in enumerate(cpus):
        log = tmp / f"oms-{n}.log"
        gc_file = tmp / f"oms-gc-{n}.log"
        gc_file.unlink(missing_ok=True)
        env = {
            **os.environ,
            "APP_ENV": "production",
            "APP_KEY": world.app_key,
            "DATABASE_URL": world.database_url,
            "REDIS_URL": redis_url,
            "OMS_DATA_DIR": str(tmp),
            "HTTP_PORT": "0",
            "WEBSOCKET_PORT": "0",
            "OMS_GC_LOG": str(gc_file),
            # The load generator is one address opening thousands of sockets and sending
            # broadcasts back to back: the abuse limits (DESIGN §13) are not what is measured.
            **BENCH_RATE_LIMITS,
        }
        process = processes.start(
            pinned(cpu, [sys.executable, "-m", "oms.cli", command]),
            stdout=log.open("wb"),
            stderr=subprocess.STDOUT,
            env=env,
        )
        started.append(process)
        urls.append(wait_for(log, r"OMS real-time gateway on (http://\S+)", process))
        if command == "serve":
            api_url = wait_for(log, r"OMS web app and API on (http://\S+)", process)
        gc_files.append(gc_file)
    publish = {"mode": "redis", "url": redis_url, "channel": channel_for(world.app_key)}
    return Server("oms", started, urls, publish, api_url=api_url, gc_files=gc_files)


def start_redis(processes: Processes, tmp: Path, cpu: str | None) -> str:
    port = free_port()
    log = tmp / "redis.log"
    process = processes.start(
        pinned(
            cpu,
            [
                "redis-server",
                "--port",
                str(port),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
            ],
        ),
        stdout=log.open("wb"),
        stderr=subprocess.STDOUT,
    )
    wait_for(log, r"(Ready to accept connections)", process)
    return f"redis://127.0.0.1:{port}/0"


# --- one measured run ---------------------------------------------------------------------------


def gc_summary(pauses: list[float]) -> dict[str, Any]:
    ordered = sorted(pauses)
    return {
        "count": len(ordered),
        "total_ms": round(sum(ordered), 1),
        "max_ms": round(ordered[-1], 2) if ordered else 0.0,
    }


def start_py_spy(processes: Processes, server: Server, profile: Path) -> subprocess.Popen[bytes]:
    """py-spy samples the (first) OMS server, as collapsed stacks (summarised by bench/profile.py).

    Sampling costs the server a little CPU."""
    spy = processes.start(
        [
            "uvx",
            "py-spy",
            "record",
            "--pid",
            str(server.pids[0]),
            "--rate",
            "200",
            "--format",
            "raw",
            "--output",
            str(profile),
            "--nonblocking",
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    time.sleep(2)
    return spy


def stop_py_spy(processes: Processes, spy: subprocess.Popen[bytes]) -> None:
    spy.send_signal(signal.SIGINT)
    with suppress(subprocess.TimeoutExpired):
        spy.wait(30)
    processes.stop(spy)


def measure_stream(
    server: Server,
    load: LoadGenerator,
    command: dict[str, Any],
    *,
    warmup_seconds: float,
    profile: Path | None = None,
    processes: Processes | None = None,
) -> dict[str, Any]:
    # A short unmeasured run first, at the same rate: the publisher's connection, the load
    # generator's cold code (its first events were 20-40 ms late, a p99 of 20 ms on its own) and
    # the server's first path of this kind are warm before anything is timed. Ids continue.
    warmup = max(1, round(command["rate"] * warmup_seconds))
    load.call({"op": "stream", "publish": server.publish, **command, "count": warmup})
    command = {**command, "first_event_id": command["first_event_id"] + warmup}
    server.gc_pauses_ms()
    spy = None
    if profile is not None and processes is not None and server.side == "oms":
        spy = start_py_spy(processes, server, profile)
    before = server.cpu()
    result = load.call({"op": "stream", "publish": server.publish, **command})
    used = server.cpu() - before
    if spy is not None and processes is not None:
        stop_py_spy(processes, spy)
    result["cpu_s"] = round(used, 3)
    result["cpu_us_per_delivery"] = used * 1e6 / max(1, result["delivered"])
    result["deliveries_per_cpu_s"] = result["delivered"] / used if used else None
    result["gc"] = gc_summary(server.gc_pauses_ms())
    result["warmup_events"] = warmup
    return result


def run_side(
    side: str,
    n: int,
    world: World,
    args: argparse.Namespace,
    processes: Processes,
    tmp: Path,
    redis_url: str,
    *,
    scale_out: bool = False,
) -> dict[str, Any]:
    server_cpus: list[str | None] = ["0", "1"] if scale_out else ["0"]
    load_cpu = None if scale_out else "1"
    phases = set(args.phases.split(","))
    e2e = "e2e" in phases and (not scale_out) and n == args.e2e_clients and args.e2e_rounds > 0
    if side == "node":
        server = start_node(processes, tmp, world, server_cpus, redis_url)
    else:
        command = "gateway" if scale_out else "serve"
        server = start_oms(processes, tmp, world, server_cpus, redis_url, command=command)
    load = LoadGenerator(processes, load_cpu, tmp)
    result: dict[str, Any] = {"side": side, "clients": n, "scale_out": scale_out}
    try:
        time.sleep(1.0)
        rss_before = server.rss()
        users = world.customers[:n] + ([*world.staff, world.admin] if e2e else [])
        connected = load.call(
            {"op": "connect", "urls": server.socket_urls, "users": users, "parallel": 100}
        )
        if connected["count"] != len(users):
            raise RuntimeError(
                f"{side}: only {connected['count']} of {len(users)} connected"
                f" (first error: {connected.get('error')})"
            )
        result["connect_s"] = round(connected["seconds"], 2)
        time.sleep(args.settle)
        result["rss_per_connection_kb"] = (server.rss() - rss_before) / len(users) / 1024
        result["rss_mb"] = server.rss() / 2**20
        e2e_spy = None
        if e2e and args.profile is not None and side == "oms":
            args.profile.mkdir(parents=True, exist_ok=True)
            e2e_spy = start_py_spy(processes, server, args.profile / f"oms-e2e-{n}.txt")
        if e2e:
            server.gc_pauses_ms()
            if side == "oms":
                result["e2e"] = load.call(
                    {
                        "op": "e2e",
                        "api_url": server.api_url,
                        "admin_token": world.admin["token"],
                        "branch_id": world.branch_id,
                        "product_id": world.product_id,
                        "rounds": args.e2e_rounds,
                        "pause_ms": 50,
                    }
                )
            else:
                result["e2e"] = load.call(
                    {
                        "op": "e2e_node",
                        "publish_urls": server.publish["urls"],
                        "rounds": args.e2e_rounds,
                        "pause_ms": 50,
                        "first_event_id": 1,
                    }
                )
            pauses = server.gc_pauses_ms()
            result["e2e"]["gc"] = gc_summary(pauses)
            result["e2e"]["gc"]["over_10_ms"] = [round(p, 1) for p in pauses if p >= 10]
        if e2e_spy is not None:
            stop_py_spy(processes, e2e_spy)
        # Envelope ids continue the event table, as the next commits would.
        first = asyncio.run(newest_event_id(world.database_url)) + 1
        count = round(args.rate * args.broadcast_seconds) if "broadcast" in phases else 0
        # Ids the broadcast phase uses: its warm-up events, then the measured ones.
        broadcast_ids = count + max(1, round(args.rate * args.warmup_seconds)) if count else 0
        profile = None
        if args.profile is not None:
            args.profile.mkdir(parents=True, exist_ok=True)
            profile = args.profile / f"{side}-broadcast-{n}{'-x2' if scale_out else ''}.txt"
        if count:
            result["broadcast"] = measure_stream(
                server,
                load,
                {"kind": "broadcast", "count": count, "rate": args.rate, "first_event_id": first},
                warmup_seconds=args.warmup_seconds,
                profile=profile,
                processes=processes,
            )
        if not scale_out and "targeted" in phases:
            result["targeted"] = measure_stream(
                server,
                load,
                profile=profile.with_name(profile.name.replace("broadcast", "targeted"))
                if profile
                else None,
                processes=processes,
                warmup_seconds=args.warmup_seconds,
                command={
                    "kind": "targeted",
                    "count": args.targeted,
                    "rate": args.targeted_rate,
                    "first_event_id": first + broadcast_ids,
                    "seed": 12345,
                },
            )
        result["alive"] = all(p.poll() is None for p in server.processes)
    finally:
        if load.process.poll() is None and load.process.stdin:
            try:
                load.process.stdin.write(b'{"op":"quit"}\n')
                load.process.stdin.flush()
                load.process.wait(30)
            except (OSError, subprocess.TimeoutExpired):
                pass
        processes.stop(load.process)
        for process in server.processes:
            processes.stop(process)
    return result


# --- the table ----------------------------------------------------------------------------------


def fmt(value: Any, digits: int = 1) -> str:
    if value is None:
        return "-"
    if isinstance(value, float):
        return f"{value:,.{digits}f}"
    if isinstance(value, int):
        return f"{value:,}"
    return str(value)


def ratio(oms: float | None, node: float | None) -> str:
    if not oms or not node:
        return "-"
    return f"{oms / node:.2f}"


def table(results: list[dict[str, Any]]) -> str:
    pairs: dict[tuple[int, bool], dict[str, dict[str, Any]]] = {}
    for row in results:
        pairs.setdefault((row["clients"], row["scale_out"]), {})[row["side"]] = row
    lines = [
        "| phase | metric | OMS | Node | OMS / Node |",
        "|---|---|---:|---:|---:|",
    ]

    def add(phase: str, metric: str, oms: Any, node: Any, *, better: str = "", digits: int = 1):
        r = (
            ratio(oms, node)
            if isinstance(oms, int | float) and isinstance(node, int | float)
            else "-"
        )
        lines.append(
            f"| {phase} | {metric}{better} | {fmt(oms, digits)} | {fmt(node, digits)} | {r} |"
        )

    for (n, scale_out), sides in sorted(pairs.items(), key=lambda item: (item[0][1], item[0][0])):
        oms, node = sides.get("oms", {}), sides.get("node", {})
        where = "2 processes" if scale_out else "1 core"
        if not scale_out:
            add(
                f"N={n:,} idle",
                "RSS per connection (KB)",
                oms.get("rss_per_connection_kb"),
                node.get("rss_per_connection_kb"),
                better=" ↓",
            )
        for kind in ("broadcast", "targeted"):
            o, d = oms.get(kind), node.get(kind)
            if not o and not d:
                continue
            o, d = o or {}, d or {}
            label = f"N={n:,} {kind} ({where}, {d.get('events') or o.get('events')} ev)"
            add(
                label,
                "delivered / expected",
                f"{o.get('delivered')}/{o.get('expected')}",
                f"{d.get('delivered')}/{d.get('expected')}",
            )
            add(
                label,
                "disconnects / order errors",
                f"{o.get('disconnects')}/{o.get('errors')}",
                f"{d.get('disconnects')}/{d.get('errors')}",
            )
            add(
                label,
                "deliveries per CPU-second ↑",
                o.get("deliveries_per_cpu_s"),
                d.get("deliveries_per_cpu_s"),
                digits=0,
            )
            add(
                label,
                "server CPU µs per delivery ↓",
                o.get("cpu_us_per_delivery"),
                d.get("cpu_us_per_delivery"),
                digits=2,
            )
            add(
                label,
                "deliveries per second (wall) ↑",
                o.get("deliveries_per_s"),
                d.get("deliveries_per_s"),
                digits=0,
            )
            for q in ("p50", "p95", "p99", "max"):
                add(
                    label,
                    f"latency {q} (ms) ↓",
                    (o.get("latency_ms") or {}).get(q),
                    (d.get("latency_ms") or {}).get(q),
                    digits=2,
                )
            og, dg = o.get("gc") or {}, d.get("gc") or {}
            add(
                label,
                "GC pauses: count / total ms",
                f"{og.get('count')} / {og.get('total_ms')}",
                f"{dg.get('count')} / {dg.get('total_ms')}",
            )
            add(label, "GC pause max (ms) ↓", og.get("max_ms"), dg.get("max_ms"), digits=2)
            # The load generator's own pauses delay receipts from either server alike.
            ol, dl = o.get("load_generator_gc_ms") or {}, d.get("load_generator_gc_ms") or {}
            add(
                label,
                "load generator's own GC pause max (ms)",
                f"{ol['max']:.1f}" if ol else None,
                f"{dl['max']:.1f}" if dl else None,
            )
        o, d = oms.get("e2e"), node.get("e2e")
        if o or d:
            o, d = o or {}, d or {}
            add(
                f"N={n:,} end to end",
                "missing / disconnects",
                f"{o.get('missing')}/{o.get('disconnects')}",
                f"{d.get('missing')}/{d.get('disconnects')}",
            )
            of, df = o.get("first") or {}, d.get("first") or {}
            for row in ("stock_adjust", "broadcast_one"):
                if row in of or row in df:
                    label = f"N={n:,} e2e {row}, first call after start"
                    add(label, "ms ↓", of.get(row), df.get(row), digits=2)
            for row in ("stock_adjust", "broadcast_one", "broadcast_role"):
                os_, ds = o.get(row) or {}, d.get(row) or {}
                for q in ("p50", "p99", "max"):
                    add(
                        f"N={n:,} e2e {row} (n={os_.get('count') or ds.get('count')})",
                        f"{q} (ms) ↓",
                        os_.get(q),
                        ds.get(q),
                        digits=2,
                    )
    return "\n".join(lines)


# --- main ---------------------------------------------------------------------------------------


@contextmanager
def terminate_on_signal() -> Iterator[None]:
    def raise_interrupt(signum: int, frame: Any) -> None:
        raise KeyboardInterrupt

    previous = signal.signal(signal.SIGTERM, raise_interrupt)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--clients", default="1000,5000,10000", help="comma-separated N")
    parser.add_argument("--sides", default="node,oms")
    parser.add_argument("--rate", type=float, default=20.0, help="broadcasts per second")
    parser.add_argument("--broadcast-seconds", type=float, default=5.0)
    parser.add_argument("--targeted", type=int, default=2000)
    parser.add_argument("--targeted-rate", type=float, default=500.0)
    parser.add_argument("--e2e-clients", type=int, default=5000)
    parser.add_argument("--e2e-rounds", type=int, default=50)
    parser.add_argument("--scale-out", default="5000", help="N for the 2-process runs ('' = none)")
    parser.add_argument(
        "--phases",
        default="e2e,broadcast,targeted",
        help="comma-separated subset of e2e,broadcast,targeted (connect/RSS always runs)",
    )
    parser.add_argument("--settle", type=float, default=3.0, help="seconds before measuring RSS")
    parser.add_argument(
        "--warmup-seconds",
        type=float,
        default=0.1,
        help="unmeasured events at the phase's rate before each broadcast/targeted phase",
    )
    parser.add_argument(
        "--profile", type=Path, help="directory: py-spy the OMS server during each broadcast"
    )
    parser.add_argument("--out", type=Path, default=ROOT / "bench" / "results" / "latest.json")
    args = parser.parse_args()

    if os.cpu_count() != 2:
        print(f"note: this machine has {os.cpu_count()} CPUs; servers use CPU 0, load CPU 1")
    _soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
    clients = [int(n) for n in args.clients.split(",") if n]
    scale = [int(n) for n in args.scale_out.split(",") if n]
    sides = args.sides.split(",")
    processes = Processes()
    results: list[dict[str, Any]] = []
    started = time.time()
    with tempfile.TemporaryDirectory(prefix="oms-bench-") as directory, terminate_on_signal():
        tmp = Path(directory)
        try:
            most = max([*clients, *scale, args.e2e_clients])
            url = f"sqlite+aiosqlite:///{tmp / 'bench.sqlite3'}"
            world = asyncio.run(create_world(url, most))
            redis_url = start_redis(processes, tmp, "1")
            plan = [(n, False) for n in clients] + [(n, True) for n in scale]
            for n, scale_out in plan:
                for side in sides:
                    label = f"{side} N={n}{' x2 processes' if scale_out else ''}"
                    print(f"[{time.time() - started:6.0f}s] {label} ...", flush=True)
                    row = run_side(
                        side, n, world, args, processes, tmp, redis_url, scale_out=scale_out
                    )
                    results.append(row)
                    summary = {
                        k: row[k]["delivered"] for k in ("broadcast", "targeted") if k in row
                    }
                    print(f"          {label}: {json.dumps(summary)}", flush=True)
        finally:
            processes.stop_all()
    load = os.getloadavg()
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps({"load_average": load, "results": results}, indent=1))
    print()
    print(table(results))
    print(
        f"\nload average at the end: {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}; "
        f"raw figures in {args.out}"
    )


if __name__ == "__main__":
    main()
