"""`checkin hub serve`: run a PostgreSQL server for a venue that has none.

The binaries come from the ``pgserver`` wheel (so pip alone is enough) or, failing that, from the
system's PostgreSQL. The server listens on the address the admin gives, accepts only password
(SCRAM) logins, and keeps its data in one folder, so stopping and starting it again keeps the hub.
PostgreSQL refuses to run as root; under root the server runs as an unprivileged ``pgserver`` user.
"""

from __future__ import annotations

import importlib.util
import os
import shutil
import socket
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote

HUB_USER = "muster"
HUB_DATABASE = "muster"
SERVICE_USER = "pgserver"  # the unprivileged account used when started as root (same as pgserver's)


class ServerProblem(RuntimeError):
    pass


def binaries() -> Path:
    """The folder holding initdb and postgres: the pgserver wheel's, or the system's."""
    spec = importlib.util.find_spec("pgserver")  # located, not imported: importing it starts work we don't want
    for folder in (spec.submodule_search_locations or []) if spec else []:
        bin_dir = Path(folder) / "pginstall" / "bin"
        if (bin_dir / "postgres").exists() or (bin_dir / "postgres.exe").exists():
            return bin_dir
    found = shutil.which("pg_config")
    if found:
        return Path(subprocess.run([found, "--bindir"], capture_output=True, text=True, check=True).stdout.strip())
    for candidate in sorted(Path("/usr/lib/postgresql").glob("*/bin"), reverse=True):
        if (candidate / "postgres").exists():
            return candidate
    raise ServerProblem(
        "no PostgreSQL found: install the pgserver package (pip install pgserver) "
        "or your system's postgresql server package"
    )


def hub_url(host: str, port: int, password: str, user: str = HUB_USER, database: str = HUB_DATABASE) -> str:
    """The URL stations use (SQLAlchemy form, psycopg driver)."""
    shown = f"[{host}]" if ":" in host else host
    return f"postgresql+psycopg://{quote(user, safe='')}:{quote(password, safe='')}@{shown}:{port}/{database}"


def local_url(data_dir: Path, port: int, password: str) -> str:
    """The organiser's URL for the hub this laptop serves, through its Unix socket (never the network)."""
    return (
        f"postgresql+psycopg://{quote(HUB_USER, safe='')}:{quote(password, safe='')}@/{HUB_DATABASE}"
        f"?host={quote(str(data_dir), safe='/')}&port={port}"
    )


def free_port(host: str = "127.0.0.1") -> int:
    with socket.socket() as probe:
        probe.bind((host, 0))
        return int(probe.getsockname()[1])


def _as_service_user() -> dict[str, object]:
    """subprocess arguments that drop root, creating the service account the first time."""
    if os.name == "nt" or os.geteuid() != 0:
        return {}
    _ids_of_service_user()
    return {"user": SERVICE_USER, "group": SERVICE_USER}


def _hand_to_service_user(folder: Path) -> None:
    if os.name == "nt" or os.geteuid() != 0:
        return
    uid, gid = _ids_of_service_user()
    _let_service_user_walk_to(folder)  # a folder it cannot reach is refused before anything is made
    for path in [folder, *folder.rglob("*")]:
        os.chown(path, uid, gid)
    for path in (binaries(), binaries().parent / "lib"):
        for item in [path, *path.rglob("*")]:
            item.chmod(
                item.stat().st_mode | 0o055
                if item.is_dir() or os.access(item, os.X_OK)
                else item.stat().st_mode | 0o044
            )


def _let_service_user_walk_to(folder: Path) -> None:
    """PostgreSQL runs as the service user, who must be able to walk down to the data folder. A parent that
    keeps others out (a home folder, or one made private since) is said, never opened up: widening someone's
    folders is not Muster's business."""
    if os.name == "nt" or os.geteuid() != 0:
        return
    service_uid = _ids_of_service_user()[0]
    for parent in reversed(folder.resolve().parents):
        if not parent.exists():
            break  # made below, by root, open to walk through (0755)
        found = parent.stat()
        if found.st_uid != service_uid and found.st_mode & 0o001 == 0:
            raise ServerProblem(
                f"PostgreSQL runs as the user {SERVICE_USER}, which cannot reach {folder}: {parent} lets no one "
                f"else in. Give --data a folder it can reach, such as {ROOT_HUB_FOLDER / 'hub'} (the default "
                "when run as root); Muster does not open up folders"
            )


ROOT_HUB_FOLDER = Path("/var/lib/muster")  # where a hub run as root keeps its data, owned by SERVICE_USER


def default_folder(user_data: Path) -> Path:
    """The hub's data folder unless --data names one: the user's, or under root one the service user owns."""
    if os.name == "nt" or os.geteuid() != 0:
        return user_data / "hub"
    if not ROOT_HUB_FOLDER.exists():
        _as_service_user()  # the account, made the first time
        ROOT_HUB_FOLDER.mkdir(mode=0o700, parents=True)
        os.chown(ROOT_HUB_FOLDER, *_ids_of_service_user())
    return ROOT_HUB_FOLDER / "hub"


def initialised(data_dir: Path) -> bool:
    return (data_dir / "PG_VERSION").exists()


def init_cluster(data_dir: Path, password: str) -> None:
    """Create a new database cluster in ``data_dir`` with the hub login and database."""
    if initialised(data_dir):
        raise ServerProblem(f"{data_dir} already holds a hub; start it with `checkin hub serve`")
    if not password:
        raise ServerProblem("the hub needs a password")
    _let_service_user_walk_to(data_dir)  # before anything is made
    data_dir.mkdir(parents=True, exist_ok=True)
    password_file = data_dir.parent / f".{data_dir.name}.pw"
    password_file.write_text(password, encoding="utf-8")
    password_file.chmod(0o600)
    try:
        _hand_to_service_user(data_dir)
        if os.name != "nt" and os.geteuid() == 0:
            os.chown(password_file, *_ids_of_service_user())
        subprocess.run(
            [
                str(binaries() / "initdb"),
                "-D",
                str(data_dir),
                "-U",
                HUB_USER,
                "--auth=scram-sha-256",
                f"--pwfile={password_file}",
                "--encoding=UTF8",
                "--no-locale",
            ],
            check=True,
            capture_output=True,
            text=True,
            **_as_service_user(),  # type: ignore[call-overload]
        )
    except subprocess.CalledProcessError as error:
        raise ServerProblem(f"initdb failed: {error.stderr.strip() or error.stdout.strip()}") from error
    finally:
        password_file.unlink(missing_ok=True)
    _write_hba(data_dir)
    with (data_dir / "postgresql.conf").open("a", encoding="utf-8") as conf:
        # A venue hub: 50 stations, each with one connection and a spare.
        conf.write("\nmax_connections = 120\nshared_buffers = 128MB\nfsync = on\n")
    _hand_to_service_user(data_dir)


HBA = (
    "# Muster hub: password (SCRAM) logins only, and only from this machine: its Unix socket, which the TLS\n"
    "# front of `checkin hub serve` relays stations to, and its loopback address. Written at every start.\n"
    "local all all scram-sha-256\n"
    "host all all 127.0.0.1/32 scram-sha-256\n"
    "host all all ::1/128 scram-sha-256\n"
)


def _write_hba(data_dir: Path) -> None:
    """Muster's own pg_hba.conf; a hub made by an older Muster (which let in every address) gets it too."""
    hba = data_dir / "pg_hba.conf"
    if not hba.exists() or hba.read_text(encoding="utf-8") != HBA:
        hba.write_text(HBA, encoding="utf-8")


def _ids_of_service_user() -> tuple[int, int]:
    """The service account's uid and gid, the account made the first time it is asked for (on a new machine the
    first question may be whether it can reach the data folder, before anything else made it)."""
    import pwd

    try:
        entry = pwd.getpwnam(SERVICE_USER)
    except KeyError:
        subprocess.run(["useradd", "--system", "--user-group", SERVICE_USER], check=True, capture_output=True)
        entry = pwd.getpwnam(SERVICE_USER)
    return entry.pw_uid, entry.pw_gid


@dataclass
class RunningServer:
    data_dir: Path
    host: str
    port: int
    process: subprocess.Popen[bytes]

    def stop(self) -> None:
        """Stop the server: fast shutdown (SIGINT: roll back open transactions, then exit)."""
        if self.process.poll() is None:
            import signal

            self.process.send_signal(signal.SIGINT)
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


def start(data_dir: Path, host: str = "127.0.0.1", port: int = 5432, timeout: float = 30.0) -> RunningServer:
    """Start PostgreSQL on ``data_dir`` listening on ``host:port`` (host '': on its Unix socket only, as
    `hub serve` runs it behind its TLS front); returns once it accepts connections."""
    if not initialised(data_dir):
        raise ServerProblem(f"{data_dir} holds no hub yet; run `checkin hub serve` once to create it")
    if _stale_pid(data_dir):  # left by a power cut: PostgreSQL would refuse to start
        (data_dir / "postmaster.pid").unlink(missing_ok=True)
    _let_service_user_walk_to(data_dir)
    _write_hba(data_dir)
    log = (data_dir / "server.log").open("ab")
    process = subprocess.Popen(
        [str(binaries() / "postgres"), "-D", str(data_dir), "-h", host, "-p", str(port), "-k", str(data_dir)],
        stdout=log,
        stderr=subprocess.STDOUT,
        stdin=subprocess.DEVNULL,
        **_as_service_user(),  # type: ignore[call-overload]
    )
    log.close()
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            tail = (data_dir / "server.log").read_text(errors="replace").splitlines()[-5:]
            raise ServerProblem(_why_not_started("\n".join(tail), host, port, data_dir))
        if ready(data_dir) and _answers(data_dir, host, port):
            return RunningServer(data_dir, host, port, process)
        time.sleep(0.05)  # polling a child process's readiness; nothing to wait on instead
    process.kill()
    raise ServerProblem(f"PostgreSQL did not accept connections on {host}:{port} within {timeout:.0f}s")


def socket_path(data_dir: Path, port: int) -> Path:
    """PostgreSQL's Unix socket for ``port``, kept in the data folder (`-k`)."""
    return data_dir / f".s.PGSQL.{port}"


def _answers(data_dir: Path, host: str, port: int) -> bool:
    """Whether the server takes connections where it was asked to listen: a TCP address, or ('') only its socket."""
    try:
        if host == "":
            with socket.socket(socket.AF_UNIX) as probe:
                probe.settimeout(0.5)
                probe.connect(str(socket_path(data_dir, port)))
        else:
            probe_host = "127.0.0.1" if host in ("0.0.0.0", "*") else ("::1" if host == "::" else host)
            with socket.create_connection((probe_host, port), timeout=0.5):
                pass
    except OSError:
        return False
    return True


def _why_not_started(log: str, host: str, port: int, data_dir: Path) -> str:
    """What the admin can do about it, from the end of PostgreSQL's log (which follows, for the details)."""
    advice = listen_advice(log, host, port) or "PostgreSQL did not start"
    return f"{advice}\n(the end of {data_dir / 'server.log'}:)\n{log}"


def listen_advice(said: str, host: str, port: int) -> str | None:
    """What to do when listening on ``host:port`` failed, from what the system said (None: no advice)."""
    if "Address already in use" in said:
        return (
            f"port {port} is taken by another program on this machine (another hub, or a PostgreSQL "
            "server already running?): choose another port with --port"
        )
    if "Cannot assign requested address" in said:
        return (
            f"this machine has no network address {host}: give --listen one of its addresses, or "
            "0.0.0.0 for every network"
        )
    return None


def ready(data_dir: Path) -> bool:
    """Whether a PostgreSQL serving ``data_dir`` says it is ready (its postmaster.pid's status line)."""
    pid_file = data_dir / "postmaster.pid"
    try:
        lines = pid_file.read_text().splitlines()
    except OSError:
        return False
    return len(lines) >= 8 and lines[7].strip() == "ready"


def _stale_pid(data_dir: Path) -> bool:
    pid_file = data_dir / "postmaster.pid"
    try:
        pid = int(pid_file.read_text().splitlines()[0])
    except (OSError, ValueError, IndexError):
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    except PermissionError:
        return False
    return False
