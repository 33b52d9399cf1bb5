"""The trainer's API on a real gateway process (stand-in Rasa): finding conversations,
reading a transcript with its readings and events, relabelling into the data files of a
copied project, the data check, and the transcript export."""

from __future__ import annotations

import asyncio
import csv
import io
import json
from collections.abc import AsyncIterator
from pathlib import Path

import aiohttp
import pytest

from tests.support.agent_client import AgentClient
from tests.support.buyer_client import BuyerSocket
from tests.support.gateway import RunningGateway, add_agent_and_trainer, running_gateway
from tests.support.processes import attach_to_test
from tests.support.project import copy_of_project_data
from tests.support.stand_in_rasa import StandInRasa

PASSWORD = "trainer-password-1"


@pytest.fixture
def project(tmp_path: Path) -> Path:
    return copy_of_project_data(tmp_path / "project")


@pytest.fixture
async def gateway(
    tmp_path: Path, request, handoff_rasa: StandInRasa, project: Path
) -> AsyncIterator[RunningGateway]:
    env = {"TRAINER_PROJECT_DIR": str(project), "SHOP_ADMIN_USERNAME": "boss",
           "SHOP_ADMIN_PASSWORD": PASSWORD}  # fmt: skip
    async with running_gateway(
        tmp_path / "state", rasa_url=handoff_rasa.url, action_server_url=handoff_rasa.url,
        extra_env=env,
    ) as gw:  # fmt: skip
        attach_to_test(request.node, gw.process)
        await add_agent_and_trainer(gw.var_dir, PASSWORD)
        yield gw


async def _log_in(http: aiohttp.ClientSession, gw: RunningGateway, who: str) -> AgentClient:
    return await AgentClient.log_in(http, gw.base_url, who, PASSWORD)


async def _read(trainer: AgentClient, cid: str) -> list[dict]:
    """The transcript's entries once every buyer line has its reading."""
    for _ in range(50):
        status, body = await trainer.get(f"/trainer/conversations/{cid}")
        assert status == 200, body
        lines = [e for e in body["entries"] if e.get("sender") == "buyer"]
        if lines and all(e["reading"] for e in lines):
            return body["entries"]
        await asyncio.sleep(0.1)
    raise AssertionError(f"readings never arrived: {body}")


async def _two_conversations(http, gateway, agent: AgentClient, rasa) -> tuple[str, str]:
    handing_over, rasa.replies = rasa.replies, [{"recipient_id": "x", "text": "您好"}]
    async with await BuyerSocket.connect(http, gateway.ws_url) as calm:
        await calm.exchange("你好")
    rasa.replies = handing_over
    async with await BuyerSocket.connect(http, gateway.ws_url) as angry:
        await angry.exchange("我要投诉！")
        await agent.handoff_event(angry.conversation_id, "assigned")
    return calm.conversation_id, angry.conversation_id


async def test_trainers_find_and_read_conversations(gateway, http, handoff_rasa) -> None:
    async with await _log_in(http, gateway, "a1") as agent:
        calm, angry = await _two_conversations(http, gateway, agent, handoff_rasa)
        assert (await agent.get("/trainer/conversations"))[0] == 403  # agents do not review
    trainer = await _log_in(http, gateway, "t1")
    entries = await _read(trainer, angry)
    buyer = next(e for e in entries if e.get("sender") == "buyer")
    assert buyer["reading"]["intent"] == "complain" and buyer["reading"]["source"] == "rasa"
    assert buyer["reading"]["sentiment"]["label"] == "negative"
    assert buyer["channel"] == "websocket"
    events = [e["event"] for e in entries if e["kind"] == "event"]
    assert events[:2] == ["requested", "assigned"]
    await _read(trainer, calm)
    status, found = await trainer.get("/trainer/conversations")
    assert status == 200 and {c["id"] for c in found["conversations"]} == {calm, angry}
    _, handed = await trainer.get("/trainer/conversations?handoff=1")
    assert [c["id"] for c in handed["conversations"]] == [angry]
    assert handed["conversations"][0]["handoff"]["reason"]
    _, by_intent = await trainer.get("/trainer/conversations?intent=complain&negative=1")
    assert by_intent["total"] == 2  # the stand-in reads every line as an upset complaint
    _, none = await trainer.get("/trainer/conversations?intent=ask_size")
    assert none == {"conversations": [], "total": 0}
    assert (await trainer.get("/trainer/conversations?since=yesterday"))[0] == 400


async def test_a_relabel_lands_in_the_intents_yaml_with_warnings(
    gateway, http, project: Path
) -> None:
    async with await BuyerSocket.connect(http, gateway.ws_url) as buyer:
        await buyer.exchange("165穿多大码合适呀")
        cid = buyer.conversation_id
    trainer = await _log_in(http, gateway, "t1")
    line = next(e for e in await _read(trainer, cid) if e.get("sender") == "buyer")
    status, preview = await trainer.post(
        "/trainer/relabel/check", {"message_id": line["id"], "intent": "ask_size"}
    )
    assert status == 200 and preview["text"] == "165穿多大码合适呀", preview
    status, done = await trainer.post(
        "/trainer/relabel",
        {"message_id": line["id"], "intent": "ask_size", "sentiment": "neutral"},
    )
    assert status == 201, done
    assert done["files"] == ["data/nlu/ask_size.yml", "data/sentiment/neutral.yml"]
    assert "- 165穿多大码合适呀\n" in (project / "data/nlu/ask_size.yml").read_text("utf-8")
    assert "165穿多大码合适呀" in (project / "data/sentiment/neutral.yml").read_text("utf-8")
    # The same words under another intent now conflict.
    _, conflict = await trainer.post(
        "/trainer/relabel/check", {"message_id": line["id"], "intent": "ask_stock"}
    )
    assert "conflict" in {w["kind"] for w in conflict["warnings"]}, conflict
    entries = await _read(trainer, cid)
    assert next(e for e in entries if e.get("id") == line["id"])["relabel"]["intent"] == "ask_size"
    bad = await trainer.post("/trainer/relabel", {"message_id": line["id"], "intent": "Bad Name"})
    assert bad[0] == 422, bad
    changed = {"message_id": line["id"], "intent": "ask_size", "text": "[165](height)穿小码"}
    assert (await trainer.post("/trainer/relabel", changed))[0] == 400
    _, intents = await trainer.get("/trainer/intents")
    counts = {i["name"]: i["examples"] for i in intents["intents"]}
    assert counts["ask_size"] > 0
    status, report = await trainer.get("/trainer/check")
    assert status == 200 and report["counts"]["ask_size"] == counts["ask_size"]


# One value of each kind of personal data (the ID and the card pass their check digits).
PERSONAL = {
    "phone": "13812345678",
    "id_card": "11010519491231002X",
    "email": "zhang.san@163.com",
    "address": "建国路88号3单元501",
    "bank_card": "6212261202011584340",
}
PERSONAL_LINE = (
    f"手机{PERSONAL['phone']}，身份证{PERSONAL['id_card']}，邮箱{PERSONAL['email']}，"
    f"寄到北京市朝阳区{PERSONAL['address']}，退款到卡{PERSONAL['bank_card']}"
)


async def test_personal_data_is_never_stored_exported_or_logged(gateway, http) -> None:
    async with await BuyerSocket.connect(http, gateway.ws_url) as buyer:
        await buyer.exchange(PERSONAL_LINE)
    trainer = await _log_in(http, gateway, "t1")
    stored = next(
        e for e in await _read(trainer, buyer.conversation_id) if e.get("sender") == "buyer"
    )
    for kind in ("电话号码", "身份证号", "邮箱", "详细地址", "银行卡号"):
        assert f"【{kind}】" in stored["text"], stored["text"]
    assert "北京市朝阳区" in stored["text"]  # the region the bot answers shipping by stays
    base = f"{gateway.base_url}/api/agent/transcripts/export?since=2000-01-01&until=2999-12-31"
    async with http.get(base + "&format=jsonl", headers=trainer.headers) as r:
        assert r.status == 400  # a range over a year
    day = "&since=2026-01-01&until=2026-12-31"
    base = f"{gateway.base_url}/api/agent/transcripts/export?"
    async with http.get(f"{base}format=jsonl{day}", headers=trainer.headers) as r:
        assert r.status == 200, await r.text()
        assert "attachment" in r.headers["Content-Disposition"]
        jsonl = await r.text()
    async with http.get(f"{base}format=csv{day}", headers=trainer.headers) as r:
        csv_text = await r.text()
    rows = [json.loads(x) for x in jsonl.splitlines()]
    table = list(csv.DictReader(io.StringIO(csv_text)))
    assert len(rows) == len(table) >= 2
    said = next(row for row in rows if row["sender"] == "buyer")
    assert said["text"] == stored["text"] and said["intent"] == "complain"
    assert buyer.conversation_id not in jsonl + csv_text
    log = gateway.process.log_tail(1_000_000)
    for kind, value in PERSONAL.items():
        for where, text in (("jsonl", jsonl), ("csv", csv_text), ("log", log)):
            assert value not in text, (kind, where)
    async with http.get(f"{base}format=xml{day}", headers=trainer.headers) as r:
        assert r.status == 400
