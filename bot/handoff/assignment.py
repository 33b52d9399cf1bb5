"""Who gets the next handoff: the least-loaded available agent with free capacity."""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence

from bot.handoff.models import STAGE_OFFERED_TO_ALL, Agent, Handoff


def choose_agent(
    available: Sequence[Agent], loads: Mapping[int, int], declined_by: Collection[int]
) -> Agent | None:
    """The agent to offer a handoff to, or None when nobody can take it now.

    Only agents are auto-assigned: trainers only read, and supervisors are alerted when
    the window runs late and may take over any conversation. Ties go to the agent with
    the lower id (stable order).
    """
    candidates = [
        agent
        for agent in available
        if agent.role == "agent"
        and agent.id not in declined_by
        and loads.get(agent.id, 0) < agent.max_chats
    ]
    if not candidates:
        return None
    return min(candidates, key=lambda agent: (loads.get(agent.id, 0), agent.id))


def may_accept(handoff: Handoff, agent: Agent) -> bool:
    """Whether ``agent`` may take this waiting handoff now.

    The agent it is offered to may; once everyone has been alerted (or nobody was
    offered it) anyone may; a supervisor always may.
    """
    if not agent.takes_chats:
        return False
    open_to_all = handoff.stage >= STAGE_OFFERED_TO_ALL or handoff.assigned_agent_id is None
    return agent.is_supervisor or open_to_all or handoff.assigned_agent_id == agent.id
