"""Helpers shared by the benchmarks: Django setup, servers, statistics."""

import os
import socket
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
os.environ.setdefault("DUTYOPS_SECRET_KEY", "bench-only-secret-key")
os.environ.setdefault("DJANGO_DEBUG", "0")
# A benchmark opens hundreds of sockets per account (one person per role in the mix):
# the per-person socket limit (issue 16) is for people, not for load generators.
os.environ.setdefault("DUTYOPS_MAX_SOCKETS_PER_PERSON", "1000000")
sys.path.insert(0, str(ROOT))


def ensure_services(script):
    """Benchmarks run on PostgreSQL + Redis: without DATABASE_URL, start throwaway
    ones (scripts/services.sh, as make test does) and run the script again inside."""
    if os.environ.get("DATABASE_URL", "").startswith("postgres"):
        return
    command = (
        ". scripts/services.sh && ensure_packages && start_services && "
        ".venv/bin/python manage.py migrate --noinput >/dev/null && "
        f"{sys.executable} {script} {' '.join(sys.argv[1:])}"
    )
    sys.exit(subprocess.call(["bash", "-c", command], cwd=ROOT))


def setup_django(sqlite_name=None):
    """Django on DATABASE_URL, migrated. Without one, a benchmark that can run on
    SQLite gets a fresh var/<sqlite_name>.sqlite3."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "dutyops.settings")
    if sqlite_name and not os.environ.get("DATABASE_URL"):
        db_file = ROOT / "var" / f"{sqlite_name}.sqlite3"
        db_file.parent.mkdir(exist_ok=True)
        for suffix in ("", "-wal", "-shm"):
            Path(f"{db_file}{suffix}").unlink(missing_ok=True)
        os.environ["DATABASE_URL"] = f"sqlite:///{db_file}"
    import django
    from django.core.management import call_command

    django.setup()
    call_command("migrate", verbosity=0)


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start(argv, port, env=None, log_name="bench-server.log"):
    (ROOT / "var").mkdir(exist_ok=True)
    with open(ROOT / "var" / log_name, "ab") as log:
        proc = subprocess.Popen(argv, cwd=ROOT, env=env or os.environ.copy(), stdout=log, stderr=subprocess.STDOUT)
    if port is None:  # a worker: nothing to wait for
        return proc
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                return proc
        except OSError:
            if proc.poll() is not None:
                raise RuntimeError(f"{argv} exited; see var/{log_name}")
            time.sleep(0.1)
    proc.kill()
    raise RuntimeError(f"{argv} did not listen on {port}")


def start_daphne(port, env=None):
    return start(
        [sys.executable, "-m", "daphne", "-b", "127.0.0.1", "-p", str(port), "dutyops.asgi:application"],
        port,
        env=env,
        log_name=f"bench-daphne-{port}.log",
    )


def start_worker(env=None):
    return start(
        [sys.executable, "manage.py", "run_worker", "--interval", "0.2"], None, env=env, log_name="bench-worker.log"
    )


def pct(values, p):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1))))]


def summary(values_ms):
    return {"median": statistics.median(values_ms), "p99": pct(values_ms, 99), "n": len(values_ms)}


def machine_cpu_seconds():
    """CPU seconds used so far by every process on the machine, by what it is
    (daphne, worker, postgres, redis, this benchmark, other): taken before and
    after a run, it shows where the machine's two cores went."""
    ticks = os.sysconf("SC_CLK_TCK")
    used = {}
    for pid in filter(str.isdigit, os.listdir("/proc")):
        try:
            with open(f"/proc/{pid}/stat") as f:
                fields = f.read().rsplit(")", 1)[1].split()
            with open(f"/proc/{pid}/cmdline", "rb") as f:
                cmdline = f.read().replace(b"\0", b" ").decode(errors="replace")
        except OSError:
            continue
        if (
            int(pid) == os.getpid()
            or int(fields[1]) == os.getpid()
            and "daphne" not in cmdline
            and "run_worker" not in cmdline
        ):
            label = "benchmark client"  # this process and the ones it forked (readers, poster)
        elif "daphne" in cmdline:
            label = "daphne"
        elif "run_worker" in cmdline:
            label = "worker"
        elif cmdline.startswith("postgres"):
            label = "postgres"
        elif "redis-server" in cmdline:
            label = "redis"
        else:
            label = "other"
        used[label] = used.get(label, 0.0) + (int(fields[11]) + int(fields[12])) / ticks
    return used


def cpu_shares(before, after, seconds):
    """Cores used by each kind of process between two machine_cpu_seconds() readings."""
    return {label: (after.get(label, 0.0) - before.get(label, 0.0)) / seconds for label in after}
