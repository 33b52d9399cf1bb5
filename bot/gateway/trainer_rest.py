"""The trainer's API: find conversations to review, read them, relabel buyer lines,
check the data; and the transcript export (trainers and supervisors)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from sanic import HTTPResponse, Request
from sanic.response import json

from bot.errors import BadRequestError
from bot.gateway.agent_auth import current_agent, require_reviewer
from bot.gateway.agent_http import agent_blueprint, agent_body
from bot.gateway.chat import conversation_tag
from bot.gateway.services import GatewayServices, services_of
from bot.trainer.checks import THIN_BELOW
from bot.trainer.errors import TrainerDataError
from bot.trainer.relabeling import SENTIMENTS, Relabel
from bot.transcripts.entries import Entry
from bot.transcripts.export import export_lines, parse_range
from bot.transcripts.review import ReviewFilter

trainer_rest = agent_blueprint("trainer_rest")
MEDIA_TYPES = {"jsonl": "application/x-ndjson", "csv": "text/csv"}


@trainer_rest.exception(TrainerDataError)
async def _bad_data(_request: Request, error: TrainerDataError) -> HTTPResponse:
    # A file that could not be written is the server's fault, not the trainer's.
    status = 500 if error.code == "write_failed" else 422
    return json({"error": error.code, "reason": error.reason}, status=status)


def _flag(request: Request, name: str) -> bool:
    return request.args.get(name, "") in ("1", "true", "yes")


def _review_filter(request: Request, services: GatewayServices) -> ReviewFilter:
    args = request.args
    since = until = None
    if args.get("since") or args.get("until"):
        since, until = parse_range(
            args.get("since") or "2000-01-01",
            args.get("until") or "2999-12-31",
            services.settings.shop_timezone,
            max_days=None,
        )
    agent = args.get("agent") or ""
    if agent and not agent.isdigit():
        raise BadRequestError("agent must be an agent's id")
    return ReviewFilter(
        since=since,
        until=until,
        intent=(args.get("intent") or "").strip() or None,
        low_confidence_below=services.settings.low_confidence
        if _flag(request, "low_confidence")
        else None,
        fallback=_flag(request, "fallback"),
        negative=_flag(request, "negative"),
        handoff=_flag(request, "handoff"),
        agent_id=int(agent) if agent else None,
    )


def _int_arg(request: Request, name: str, default: int) -> int:
    raw = request.args.get(name) or str(default)
    if not raw.isdigit():
        raise BadRequestError(f"{name} must be a whole number")
    return int(raw)


@trainer_rest.get("/trainer/conversations")
async def conversations(request: Request) -> HTTPResponse:
    """Conversations matching the filters, latest first, a page at a time."""
    require_reviewer(await current_agent(request))
    services = services_of(request)
    found, total = await services.review.search(
        _review_filter(request, services),
        services.settings.low_confidence,
        offset=_int_arg(request, "offset", 0),
        limit=_int_arg(request, "limit", 50),
    )
    return json({"conversations": found, "total": total})


@trainer_rest.get("/trainer/agents")
async def agents(request: Request) -> HTTPResponse:
    """Agents and supervisors who take chats, for the agent filter."""
    require_reviewer(await current_agent(request))
    everyone = await services_of(request).handoffs.store.list_agents()
    return json({"agents": [{"id": a.id, "work_name": a.work_name} for a in everyone
                            if a.takes_chats]})  # fmt: skip


@trainer_rest.get("/trainer/conversations/<conversation_id:str>")
async def transcript(request: Request, conversation_id: str) -> HTTPResponse:
    """One conversation's whole transcript: messages with readings, and events."""
    require_reviewer(await current_agent(request))
    services = services_of(request)
    conversation = await services.store.get_conversation(conversation_id)
    if conversation is None:
        return json({"error": "not_found", "reason": "no such conversation"}, status=404)
    await services.readings.settle(conversation_id)
    entries = await services.transcripts.transcript(conversation_id)
    return json(
        {
            "id": conversation.id,
            "tag": conversation_tag(conversation.id),
            "started_at": conversation.created_at.isoformat(),
            "script": conversation.script,
            "entries": [entry_view(e) for e in entries],
        }
    )


def entry_view(entry: Entry) -> dict[str, Any]:
    """One transcript entry as the trainer page shows it."""
    common = {"kind": entry.kind, "at": entry.at.isoformat(), "agent": entry.agent}
    if entry.kind == "event":
        return {**common, "event": entry.event, "handoff_id": entry.handoff_id,
                "detail": entry.detail}  # fmt: skip
    return {
        **common,
        "id": entry.message_id,
        "seq": entry.seq,
        "sender": entry.sender,
        "text": entry.text,
        "channel": entry.channel,
        "reading": entry.reading.to_dict() if entry.reading else None,
        "relabel": entry.relabel,
    }


@trainer_rest.get("/trainer/intents")
async def intents(request: Request) -> HTTPResponse:
    """The intents of the training data with their number of examples."""
    require_reviewer(await current_agent(request))
    services = services_of(request)
    counts = await services.relabeler.intents()
    return json(
        {
            "intents": [
                {"name": name, "examples": n, "thin": n < THIN_BELOW}
                for name, n in sorted(counts.items())
            ],
            "sentiments": list(SENTIMENTS),
            "thin_below": THIN_BELOW,
            "low_confidence": services.settings.low_confidence,
        }
    )


def _relabel(request: Request) -> Relabel:
    body = agent_body(request)
    message_id, intent = body.get("message_id"), body.get("intent")
    if not isinstance(message_id, int) or not isinstance(intent, str):
        raise BadRequestError("send message_id (a number) and intent (a name)")
    sentiment, text = body.get("sentiment"), body.get("text")
    if sentiment is not None and not isinstance(sentiment, str):
        raise BadRequestError("sentiment must be a label or null")
    if text is not None and not isinstance(text, str):
        raise BadRequestError("text must be a string or null")
    return Relabel(message_id, intent.strip(), sentiment or None, text)


@trainer_rest.post("/trainer/relabel/check")
async def relabel_check(request: Request) -> HTTPResponse:
    """What relabelling this line would write, and the warnings (conflicts, thin …)."""
    require_reviewer(await current_agent(request))
    return json(await services_of(request).relabeler.preview(_relabel(request)))


@trainer_rest.post("/trainer/relabel")
async def relabel(request: Request) -> HTTPResponse:
    """Write the relabelled line to data/nlu/<intent>.yml (and its sentiment)."""
    trainer = require_reviewer(await current_agent(request))
    result = await services_of(request).relabeler.accept(_relabel(request), trainer.id)
    return json(result, status=201)


@trainer_rest.get("/trainer/check")
async def data_check(request: Request) -> HTTPResponse:
    """The whole training data's check: duplicates, conflicts, near-duplicates, counts."""
    require_reviewer(await current_agent(request))
    return json(await services_of(request).relabeler.data_check())


@trainer_rest.get("/transcripts/export")
async def export(request: Request) -> HTTPResponse:
    """Transcripts of a date range as a JSON Lines or CSV download."""
    require_reviewer(await current_agent(request))
    services = services_of(request)
    fmt = request.args.get("format") or "jsonl"
    since, until = parse_range(
        request.args.get("since") or "", request.args.get("until") or "",
        services.settings.shop_timezone,
    )  # fmt: skip
    entries = await services.transcripts.between(since, until)
    body = "".join(export_lines(entries, fmt, services.redactor.redact))
    zone = services.settings.shop_timezone
    first, last = since.astimezone(zone).date(), (until - timedelta(seconds=1)).astimezone(zone)
    return HTTPResponse(
        body.encode("utf-8"),
        content_type=f"{MEDIA_TYPES[fmt]}; charset=utf-8",
        headers={
            "Content-Disposition": f'attachment; filename="transcripts-{first}-{last.date()}.{fmt}"'
        },
    )
