"""Helpers of ``bench.scale``: CPU time per kind of process from ``/proc``, a socket's
frames stamped on arrival, an agent's console, and the tables.

The servers a benchmark starts are children of the benchmark's own process (PostgreSQL
through ``runuser`` when we are root). Each child's subtree is charged to the kind of the
child (Rasa, gateway, ...): user + system time of every live process in it, plus what its
processes' exited and reaped children used (``cutime`` + ``cstime``, e.g. PostgreSQL
backends that ended).
"""

from __future__ import annotations

import asyncio
import json
import math
import os
import time
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import aiohttp

from bench.report import fmt_number, without_nan
from bench.stats import Outcome, Summary, latency_ms

if TYPE_CHECKING:
    from bench.handoff import AgentAccount

PROC = Path("/proc")
CLIENT = "client"  # this benchmark process, the simulated buyers
MODULES = {"bot.rasa_server": "Rasa", "bot.gateway": "gateway", "rasa_sdk": "actions"}
PROGRAMS = {"postgres": "PostgreSQL", "redis-server": "Redis", "nginx": "nginx"}
FRAME_TIMEOUT_S = 30.0
COLUMNS = ("Rasa", "gateway", "actions", "PostgreSQL", "Redis", "nginx", CLIENT)


@dataclass(frozen=True)
class ProcStat:
    """The fields of ``/proc/<pid>/stat`` used here, CPU times in clock ticks."""

    pid: int
    ppid: int
    own_ticks: int  # utime + stime (all threads)
    reaped_ticks: int  # cutime + cstime: children that exited and were waited for


def parse_stat(text: str) -> ProcStat:
    """Parse one ``/proc/<pid>/stat`` line (the command name may hold spaces and parens).

    Raises:
        ValueError: the text is not a stat line.
    """
    head, sep, tail = text.rpartition(")")
    if not sep or "(" not in head:
        raise ValueError("not a /proc stat line")
    fields = tail.split()  # fields[0] is the state (field 3 of proc(5))
    if len(fields) < 15:
        raise ValueError("too few fields in a /proc stat line")
    utime, stime, cutime, cstime = (int(f) for f in fields[11:15])
    pid = int(head.split("(", 1)[0])
    return ProcStat(pid, int(fields[1]), utime + stime, cutime + cstime)


def kind_of(argv: Sequence[str]) -> str:
    """The kind of server a command line starts (``python -m MODULE``, a program, or a
    program under ``runuser ... --``); ``other`` if none is known."""
    words = [w for arg in argv for w in arg.split()]  # Redis rewrites its title
    if words and Path(words[0]).name == "runuser" and "--" in words:
        words = words[words.index("--") + 1 :]
    if "-m" in words[:-1]:
        return MODULES.get(words[words.index("-m") + 1], "other")
    # nginx retitles itself "nginx: master process /usr/sbin/nginx ..."
    return PROGRAMS.get(Path(words[0]).name.rstrip(":"), "other") if words else "other"


def subtree_ticks(stats: Iterable[ProcStat], root: int) -> int:
    """CPU ticks of ``root`` and every live descendant, with their reaped children."""
    children: dict[int, list[ProcStat]] = defaultdict(list)
    by_pid = {}
    for stat in stats:
        children[stat.ppid].append(stat)
        by_pid[stat.pid] = stat
    total, todo = 0, [by_pid[root]] if root in by_pid else []
    while todo:
        stat = todo.pop()
        total += stat.own_ticks + stat.reaped_ticks
        todo.extend(children[stat.pid])
    return total


def _read_stats() -> list[ProcStat]:
    stats = []
    for entry in PROC.iterdir():
        if entry.name.isdigit():
            try:
                stats.append(parse_stat((entry / "stat").read_text()))
            except (OSError, ValueError):
                continue  # exited meanwhile
    return stats


def _argv(pid: int) -> list[str]:
    try:
        return (PROC / str(pid) / "cmdline").read_bytes().decode().split("\0")
    except OSError:
        return []


def cpu_snapshot(root: int | None = None) -> dict[str, tuple[float, int]]:
    """CPU seconds so far and process count per kind of ``root``'s children (default:
    this process's), plus this process's own time as ``bench client``."""
    root = os.getpid() if root is None else root
    stats = _read_stats()
    tick = os.sysconf("SC_CLK_TCK")
    seconds: dict[str, float] = defaultdict(float)
    counts: dict[str, int] = defaultdict(int)
    for stat in stats:
        if stat.ppid == root:
            kind = kind_of(_argv(stat.pid))
            seconds[kind] += subtree_ticks(stats, stat.pid) / tick
            counts[kind] += 1
    own = next((s for s in stats if s.pid == root), None)
    seconds[CLIENT] = own.own_ticks / tick if own else math.nan
    counts[CLIENT] = 1
    return {kind: (seconds[kind], counts[kind]) for kind in seconds}


def parse_cpu_line(line: str) -> tuple[int, int]:
    """Busy and total ticks of all cores from ``/proc/stat``'s first (``cpu``) line."""
    ticks = [int(t) for t in line.split()[1:9]]  # user nice system idle iowait irq softirq steal
    return sum(ticks) - ticks[3] - ticks[4], sum(ticks)


def machine_ticks() -> tuple[int, int]:
    """Busy and total CPU ticks of the whole machine so far (every process, ours or not)."""
    with (PROC / "stat").open() as stat:
        return parse_cpu_line(stat.readline())


def cpu_used(
    before: Mapping[str, tuple[float, int]], after: Mapping[str, tuple[float, int]]
) -> dict[str, dict[str, float]]:
    """CPU seconds used per kind between two snapshots, with the number of processes."""
    return {
        kind: {"cpu_s": seconds - before.get(kind, (0.0, 0))[0], "processes": count}
        for kind, (seconds, count) in after.items()
    }


class FrameLog:
    """Every JSON object a socket receives, stamped on arrival (``time.perf_counter``)."""

    def __init__(self, ws: aiohttp.ClientWebSocketResponse) -> None:
        self.frames: list[tuple[float, dict[str, Any]]] = []
        self._changed = asyncio.Event()
        self._closed = False
        self._task = asyncio.create_task(self._read(ws))

    async def _read(self, ws: aiohttp.ClientWebSocketResponse) -> None:
        async for message in ws:
            if message.type == aiohttp.WSMsgType.TEXT:
                frame = json.loads(message.data)
                self.frames.append((time.perf_counter(), frame))
                self._changed.set()
        self._closed = True
        self._changed.set()

    def mark(self) -> int:
        """Where the next frame will go: ``wait(..., since=mark())`` skips older ones."""
        return len(self.frames)

    async def wait(
        self, match: Callable[[dict[str, Any]], bool], since: int = 0
    ) -> tuple[float, dict[str, Any]]:
        """The first frame from ``since`` on that ``match``es, with its arrival time.

        Raises:
            asyncio.TimeoutError: none within FRAME_TIMEOUT_S.
            ConnectionError: the socket closed first.
        """
        deadline = time.monotonic() + FRAME_TIMEOUT_S
        while True:
            for arrived, frame in self.frames[since:]:
                if match(frame):
                    return arrived, frame
            since = len(self.frames)
            if self._closed:
                raise ConnectionError("socket closed")
            self._changed.clear()
            await asyncio.wait_for(self._changed.wait(), deadline - time.monotonic())

    async def close(self) -> None:
        """Stop reading."""
        self._task.cancel()
        await asyncio.gather(self._task, return_exceptions=True)


class Console:
    """One agent logged in on one gateway, with its console socket read into a FrameLog."""

    def __init__(self, session: aiohttp.ClientSession, base_url: str, token: str) -> None:
        self.session, self.base = session, base_url
        self.headers = {"Authorization": f"Bearer {token}"}
        self.log: FrameLog
        self._ping: asyncio.Task[None]

    @classmethod
    async def open(
        cls, session: aiohttp.ClientSession, base_url: str, account: AgentAccount
    ) -> Console:
        """Log in through ``POST /api/agent/login`` and open ``/ws/agent``."""
        body = {"username": account.username, "password": account.password}
        async with session.post(f"{base_url}/api/agent/login", json=body) as response:
            response.raise_for_status()
            console = cls(session, base_url, (await response.json())["token"])
        agent_url = base_url.replace("http://", "ws://", 1) + "/ws/agent"
        ws = await session.ws_connect(agent_url, headers=console.headers)
        console.log = FrameLog(ws)
        await console.log.wait(lambda f: f.get("type") == "hello")
        console._ping = asyncio.create_task(console._heartbeat(ws))
        return console

    async def _heartbeat(self, ws: aiohttp.ClientWebSocketResponse) -> None:
        while True:
            await asyncio.sleep(10)
            await ws.send_str('{"type": "ping"}')

    async def post(self, path: str, body: dict[str, Any] | None = None) -> float:
        """POST to ``/api/agent{path}``; return when the answer came (perf_counter).

        Raises:
            aiohttp.ClientResponseError: not a 2xx answer.
        """
        url = f"{self.base}/api/agent{path}"
        async with self.session.post(url, json=body or {}, headers=self.headers) as response:
            response.raise_for_status()
            await response.read()
        return time.perf_counter()

    async def close(self) -> None:
        """Stop the heartbeat and the reader."""
        self._ping.cancel()
        await self.log.close()


def handoff_event(cid: str, event: str) -> Callable[[dict[str, Any]], bool]:
    """Matches the console's ``handoff`` frame of ``event`` for conversation ``cid``."""

    def match(frame: dict[str, Any]) -> bool:
        handoff = frame.get("handoff") or {}
        same = frame.get("type") == "handoff" and handoff.get("conversation_id") == cid
        return same and frame.get("event") == event

    return match


LATENCY_KEYS = ("p50_ms", "p95_ms", "p99_ms", "max_ms")


def figures(seconds: Sequence[float]) -> dict[str, float]:
    """n, p50/p95/p99 and max of ``seconds``, in milliseconds."""
    return {"n": len(seconds), **latency_ms(seconds)}


def steady_rate(per_buyer: Sequence[Sequence[Outcome]]) -> float:
    """Successful turns per second while every buyer was still at work: up to the moment
    the first buyer finished (closed loop, so a buyer's turns end at the running sums of
    its latencies). Unlike turns / wall time, a few stragglers (a turn that timed out
    after 30 s) do not stretch it; NaN without a window."""
    window = min((sum(o.latency_s for o in outcomes) for outcomes in per_buyer), default=0.0)
    if window <= 0:
        return math.nan
    done = 0
    for outcomes in per_buyer:
        elapsed = 0.0
        for outcome in outcomes:
            elapsed += outcome.latency_s
            if elapsed > window:
                break
            done += outcome.error is None
    return done / window


def render_runs(runs: list[dict[str, Any]], cores: int) -> str:
    """Throughput and latency per run (turns/s and latency of successful measured turns),
    then CPU ms per successful turn by process kind."""
    head = (
        f"{'config':<16}{'conv':>5}{'turns':>7}{'failed':>8}{'turns/s':>9}{'steady':>8}"
        f"{'p50 ms':>8}"
        f"{'p95 ms':>8}{'p99 ms':>8}{'max ms':>8}{'wall s':>8}  load avg (start/end)"
    )
    lines = [head, "-" * len(head)]
    for run in runs:
        s: Summary = run["summary"]
        steady = fmt_number(run.get("steady_rate", math.nan), 2)
        latencies = "".join(f"{fmt_number(v):>8}" for v in (s.p50_ms, s.p95_ms, s.p99_ms, s.max_ms))
        lines.append(
            f"{run['config']:<16}{run['conversations']:>5}{s.turns:>7}"
            f"{s.errors:>8}{fmt_number(s.per_second, 2):>9}{steady:>8}{latencies}{s.wall_s:>8.1f}  "
            f"{run['load_start'][0]:.2f} / {run['load_end'][0]:.2f}"
        )
    cpu_head = f"{'CPU ms per turn':<21}" + "".join(f"{k:>11}" for k in COLUMNS)
    cpu_head += f"{'total':>8}{'ours':>6}{'all':>6}"
    lines += ["", cpu_head, "-" * len(cpu_head)]
    for run in runs:
        s, cpu = run["summary"], run["cpu"]
        good = s.turns - s.errors
        cells = [cpu[k]["cpu_s"] * 1000 / good if k in cpu and good else math.nan for k in COLUMNS]
        total = sum(v["cpu_s"] for v in cpu.values())
        busy = total / (s.wall_s * cores) * 100 if s.wall_s else math.nan
        lines.append(
            f"{run['config']:<16}{run['conversations']:>5}"
            + "".join(f"{fmt_number(c, 1):>11}" for c in cells)
            + f"{fmt_number(total * 1000 / good if good else math.nan, 1):>8}{fmt_number(busy):>5}%"
            + f"{fmt_number(run['machine_busy'] * 100):>5}%"
        )
    lines.append(
        "(turns/s: successful turns / wall time; steady: the same while every buyer was at "
        "work, see steady_rate)\n"
        f"(ours: CPU time of the processes above / (wall time x {cores} cores); all: the "
        "machine's CPU busy, other people's work included)"
    )
    if think := max((run.get("think_s", 0.0) for run in runs), default=0.0):
        lines.append(f"(buyers paused 0.5-1.5 x {think:g} s before each measured message)")
    for run in runs:
        if run["summary"].error_kinds:
            kinds = ", ".join(f"{k}: {n}" for k, n in sorted(run["summary"].error_kinds.items()))
            lines.append(
                f"{run['config']} x {run['conversations']}: failed turns by kind: {kinds} "
                f"({run['summary'].warmup_errors} of them in warm-up)"
            )
    return "\n".join(lines)


PUSH_LABELS = {
    "handoff_new": "buyer 转人工 sent -> console 'new' (via Rasa)",
    "agent_to_buyer": "agent REST message -> buyer frame",
    "agent_rest": "  (agent REST request answered)",
    "buyer_to_agent": "buyer message -> console frame",
}


def render_pushes(pushes: dict[str, Any]) -> str:
    """Push latency: cross-gateway against the same gateway."""
    head = f"{'push (agent on gateway 2)':<44}{'buyer on':>11}{'n':>5}" + "".join(
        f"{c:>8}" for c in ("p50", "p95", "p99", "max")
    )
    lines = [head + " ms", "-" * (len(head) + 3)]
    for measure, label in PUSH_LABELS.items():
        for placement, where in (("cross", "gateway 1"), ("same", "gateway 2")):
            f = pushes[placement][measure]
            lines.append(
                f"{label:<44}{where:>11}{f['n']:>5}"
                + "".join(f"{fmt_number(f[k]):>8}" for k in LATENCY_KEYS)
            )
    for placement in ("cross", "same"):
        if errors := pushes[placement]["errors"]:
            lines.append(f"{placement}: errors {errors}")
    return "\n".join(lines)


def to_json(data: Any) -> str:
    """``data`` as JSON with NaN written as null (Summary objects as dicts)."""
    plain = json.loads(json.dumps(data, default=asdict))
    return json.dumps(without_nan(plain), ensure_ascii=False, indent=2)
