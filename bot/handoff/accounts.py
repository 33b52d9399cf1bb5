"""Agent and supervisor accounts: create, disable, log in; and the command line for them.

``python -m bot.handoff.accounts add --username li --work-name 客服008 [--role supervisor]``
reads the password from ``SHOP_NEW_PASSWORD`` or asks for it (never from an argument,
which would land in the shell history). ``disable`` and ``list`` do what they say.
"""

from __future__ import annotations

import argparse
import asyncio
import getpass
import os
import sys
from datetime import timedelta
from functools import cache

from sqlalchemy.exc import IntegrityError

from bot.db import create_engine_for, upgrade_schema
from bot.errors import AuthError
from bot.handoff.models import ROLES, Agent
from bot.handoff.passwords import MIN_PASSWORD_CHARS, hash_password, verify_password
from bot.handoff.store import HandoffStore

DEFAULT_MAX_CHATS = 3


@cache
def _dummy_hash() -> str:
    # Verifying against this when the user does not exist keeps the answer time the same,
    # so timing does not tell which usernames exist.
    return hash_password("not-a-real-password")


# The columns' sizes (bot/handoff/tables.py); PostgreSQL enforces them, SQLite does not.
MAX_USERNAME_CHARS, MAX_WORK_NAME_CHARS = 64, 32


async def create_account(
    store: HandoffStore,
    username: str,
    password: str,
    work_name: str,
    role: str = "agent",
    max_chats: int = DEFAULT_MAX_CHATS,
) -> Agent:
    """Add an account.

    Raises:
        AuthError: bad role, short password, or the username is taken.
    """
    if role not in ROLES:
        raise AuthError(f"role must be one of {', '.join(ROLES)}")
    if len(password) < MIN_PASSWORD_CHARS:
        raise AuthError(f"the password needs at least {MIN_PASSWORD_CHARS} characters")
    if not username.strip() or not work_name.strip():
        raise AuthError("username and work name must not be empty")
    if len(username.strip()) > MAX_USERNAME_CHARS or len(work_name.strip()) > MAX_WORK_NAME_CHARS:
        raise AuthError(
            f"the username may have {MAX_USERNAME_CHARS} characters, "
            f"the work name {MAX_WORK_NAME_CHARS}"
        )
    try:
        password_hash = await asyncio.to_thread(hash_password, password)
        return await store.create_agent(
            username.strip(), work_name.strip(), role, password_hash, max_chats
        )
    except IntegrityError as err:
        raise AuthError(f"the username {username!r} is taken") from err


async def ensure_admin(store: HandoffStore, username: str, password: str) -> None:
    """Create the first supervisor from the environment, once (several gateway processes
    starting together may race: the loser finds the account made)."""
    if await store.agent_with_hash(username) is None:
        try:
            await create_account(store, username, password, "主管", role="supervisor")
        except AuthError:
            if await store.agent_with_hash(username) is None:
                raise


async def log_in(
    store: HandoffStore, username: str, password: str, hours: float
) -> tuple[Agent, str]:
    """Check the password and open a session.

    Returns:
        The agent and the session token.

    Raises:
        AuthError: unknown user, wrong password or a disabled account (one message for all).
    """
    found = await store.agent_with_hash(username)
    password_hash = found[1] if found else _dummy_hash()
    # Argon2 is deliberately slow (tens of ms): keep it off the event loop.
    valid = await asyncio.to_thread(verify_password, password_hash, password)
    if found is None or not valid or found[0].disabled:
        raise AuthError("wrong username or password")
    token = await store.create_session(found[0].id, timedelta(hours=hours))
    return found[0], token


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m bot.handoff.accounts", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)
    add = commands.add_parser("add", help="create an agent or supervisor")
    add.add_argument("--username", required=True)
    add.add_argument("--work-name", required=True, help="what buyers see, e.g. 客服008")
    add.add_argument("--role", choices=ROLES, default="agent")
    add.add_argument("--max-chats", type=int, default=DEFAULT_MAX_CHATS)
    disable = commands.add_parser("disable", help="disable an account and end its sessions")
    disable.add_argument("--username", required=True)
    commands.add_parser("list", help="list accounts")
    return parser


async def _run(args: argparse.Namespace) -> int:
    from bot.settings import Settings

    engine = create_engine_for(Settings.from_env().gateway_db_url)
    try:
        await upgrade_schema(engine)
        store = HandoffStore(engine)
        if args.command == "add":
            password = os.environ.get("SHOP_NEW_PASSWORD") or getpass.getpass("password: ")
            agent = await create_account(
                store, args.username, password, args.work_name, args.role, args.max_chats
            )
            print(f"created {agent.role} {agent.username} ({agent.work_name})")
        elif args.command == "disable":
            if not await store.update_agent(args.username, disabled=True):
                print(f"no account {args.username!r}", file=sys.stderr)
                return 1
            print(f"disabled {args.username}")
        else:
            for agent in await store.list_agents():
                state = "disabled" if agent.disabled else "active"
                print(f"{agent.username}\t{agent.work_name}\t{agent.role}\t{state}")
        return 0
    except AuthError as err:
        print(f"error: {err}", file=sys.stderr)
        return 1
    finally:
        await engine.dispose()


def main(argv: list[str] | None = None) -> int:
    """Command-line entry point."""
    return asyncio.run(_run(_parser().parse_args(argv)))


if __name__ == "__main__":
    sys.exit(main())
