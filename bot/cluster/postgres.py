"""A private PostgreSQL cluster from Debian's packages, for the scaled profile and its tests.

The cluster lives in its own data directory, listens on loopback only and asks for a
password (SCRAM), generated at ``initdb`` and kept in a 0600 file next to the cluster.
PostgreSQL refuses to run as root: when we are root the cluster belongs to the
``postgres`` user and lives under its home (a checkout under /root is not readable
by it), and its commands run through ``runuser``.
"""

from __future__ import annotations

import glob
import hashlib
import os
import secrets
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

from bot.errors import ShopAssistantError
from bot.supervisor import ManagedProcess, port_answers

DATABASES = ("gateway", "rasa")
USER = "shop"
SERVICE_ACCOUNT = "postgres"
SERVICE_HOME = Path("/var/lib/postgresql/xiaodian")


class PostgresUnavailableError(ShopAssistantError):
    """PostgreSQL's programs are missing or the cluster cannot be prepared."""


def postgres_bin_dir() -> Path:
    """The folder of Debian's PostgreSQL programs (the newest installed version)."""
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"))
    if found:
        return Path(found[-1]).parent
    on_path = shutil.which("initdb")
    if on_path:
        return Path(on_path).parent
    raise PostgresUnavailableError(
        "PostgreSQL is not installed: run scripts/install-system-packages (Debian's postgresql)"
    )


@dataclass(frozen=True)
class PostgresCluster:
    """Where a private cluster lives and how to reach it."""

    data_dir: Path
    port: int
    password: str

    def url(self, database: str, driver: str = "asyncpg") -> str:
        """A SQLAlchemy URL of one of the cluster's databases."""
        return f"postgresql+{driver}://{USER}:{self.password}@127.0.0.1:{self.port}/{database}"


def cluster_dir_for(state_dir: Path) -> Path:
    """The data directory of the cluster that belongs to ``state_dir``."""
    if os.geteuid() != 0:
        return state_dir / "postgres"
    key = hashlib.sha256(str(state_dir.resolve()).encode()).hexdigest()[:12]
    return SERVICE_HOME / key


def prepare_cluster(state_dir: Path, port: int) -> PostgresCluster:
    """``initdb`` the cluster of ``state_dir`` unless it exists; return how to reach it."""
    data_dir = cluster_dir_for(state_dir)
    password_file = data_dir.parent / f"{data_dir.name}.password"
    if (data_dir / "PG_VERSION").exists() and password_file.exists():
        return PostgresCluster(data_dir, port, password_file.read_text().strip())
    data_dir.mkdir(parents=True, exist_ok=True)
    password = secrets.token_urlsafe(24)
    password_file.write_text(password)
    password_file.chmod(0o600)
    pwfile = data_dir.parent / f"{data_dir.name}.initpw"
    pwfile.write_text(password)
    _hand_to_service_account(data_dir, pwfile)
    try:
        _run_as_owner(
            [str(postgres_bin_dir() / "initdb"), "-D", str(data_dir), "-U", USER,
             "--auth=scram-sha-256", f"--pwfile={pwfile}", "-E", "UTF8", "--no-locale"],
        )  # fmt: skip
    finally:
        pwfile.unlink(missing_ok=True)
    return PostgresCluster(data_dir, port, password)


def server_process(cluster: PostgresCluster, log_path: Path) -> ManagedProcess:
    """The ``postgres`` server of ``cluster`` as a managed process, on loopback."""
    argv = [
        str(postgres_bin_dir() / "postgres"), "-D", str(cluster.data_dir),
        "-p", str(cluster.port), "-c", "listen_addresses=127.0.0.1",
        "-c", f"unix_socket_directories={cluster.data_dir}",
        # Two gateways' and two Rasa servers' pools, the tests' and the CLIs' connections.
        "-c", "max_connections=300",
    ]  # fmt: skip
    return ManagedProcess(
        "PostgreSQL",
        _as_owner(argv),
        log_path,
        ready_check=lambda: port_answers("127.0.0.1", cluster.port) and _accepts(cluster),
    )


def create_databases(cluster: PostgresCluster) -> None:
    """Create the gateway's and Rasa's databases if they are missing."""
    import psycopg2  # Rasa's own PostgreSQL driver, used only here and by Rasa

    try:
        conn = psycopg2.connect(
            host="127.0.0.1", port=cluster.port, user=USER, password=cluster.password,
            dbname="postgres",
        )  # fmt: skip
    except psycopg2.Error as err:
        raise PostgresUnavailableError(f"cannot connect to PostgreSQL: {err}") from err
    try:
        conn.autocommit = True
        with conn.cursor() as cursor:
            cursor.execute("SELECT datname FROM pg_database")
            present = {row[0] for row in cursor.fetchall()}
            for name in DATABASES:
                if name not in present:
                    cursor.execute(f'CREATE DATABASE "{name}"')
    finally:
        conn.close()


def _accepts(cluster: PostgresCluster) -> bool:
    import psycopg2

    try:
        psycopg2.connect(
            host="127.0.0.1", port=cluster.port, user=USER, password=cluster.password,
            dbname="postgres", connect_timeout=2,
        ).close()  # fmt: skip
    except psycopg2.Error:
        return False
    return True


def _hand_to_service_account(data_dir: Path, pwfile: Path) -> None:
    data_dir.chmod(0o700)
    if os.geteuid() != 0:
        return
    for path in (data_dir, pwfile):
        shutil.chown(path, SERVICE_ACCOUNT, SERVICE_ACCOUNT)


def _as_owner(argv: list[str]) -> list[str]:
    if os.geteuid() != 0:
        return argv
    return ["runuser", "-u", SERVICE_ACCOUNT, "--", *argv]


def _run_as_owner(argv: list[str]) -> None:
    result = subprocess.run(_as_owner(argv), capture_output=True, text=True, check=False)
    if result.returncode != 0:
        raise PostgresUnavailableError(
            f"{Path(argv[0]).name} failed: {result.stderr.strip() or result.stdout.strip()}"
        )
