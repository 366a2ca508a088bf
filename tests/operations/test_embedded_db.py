from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import psutil
from django.conf import settings

from operations.embedded_db import release_exited_holders, server_settings

HOLD_AND_QUERY = """
import sys
from pathlib import Path
import psycopg
from operations.embedded_db import embedded_database_settings
db = embedded_database_settings(Path(sys.argv[1]))
with psycopg.connect(host=db["HOST"], port=db["PORT"], user=db["USER"], dbname=db["NAME"]) as conn:
    conn.execute(f"CREATE TABLE hits_{sys.argv[2]} (n int)")
    conn.commit()
    print("holding", flush=True)
    if sys.argv[3] == "until-told":
        sys.stdin.readline()
    print(conn.execute("SELECT count(*) FROM pg_tables WHERE tablename LIKE 'hits_%'").fetchone()[0])
"""


def start(data_dir: Path, who: str, hold: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-c", HOLD_AND_QUERY, str(data_dir), who, hold],
        cwd=settings.BASE_DIR,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def server_running(data_dir: Path) -> bool:
    pid_file = data_dir / "pg" / "postmaster.pid"
    if not pid_file.exists():
        return False
    pid = int(pid_file.read_text().split()[0])
    return Path(f"/proc/{pid}").exists()


def test_concurrent_starts_share_one_server_and_the_last_one_out_stops_it(tmp_path):
    # Both start at once; the first holds its connection until told, the second leaves at once.
    # Which of them starts the server is up to the race; what must hold is that neither fails,
    # that the server runs while one of them still holds it, and that it stops after the last.
    first = start(tmp_path, "first", hold="until-told")
    second = start(tmp_path, "second", hold="no")

    assert second.wait(timeout=60) == 0, second.stderr.read()
    assert first.stdout.readline().strip() == "holding", first.stderr.read()
    assert server_running(tmp_path)  # the first process still holds it
    first.stdin.write("done\n")
    first.stdin.flush()
    assert first.wait(timeout=60) == 0, first.stderr.read()

    assert first.stdout.read().strip() == "2"  # both wrote to the same database
    deadline = time.monotonic() + 10
    while server_running(tmp_path) and time.monotonic() < deadline:
        time.sleep(0.2)
    assert not server_running(tmp_path)


def test_release_exited_holders_forgets_only_processes_that_are_gone(tmp_path):
    exited = subprocess.Popen([sys.executable, "-c", "pass"])
    exited.wait()
    holders = tmp_path / "pg" / ".handle_pids.json"
    holders.parent.mkdir()
    holders.write_text(json.dumps([os.getpid(), exited.pid]))

    assert release_exited_holders(tmp_path) == [exited.pid]

    assert json.loads(holders.read_text()) == [os.getpid()]
    assert release_exited_holders(tmp_path) == []


SHOW_SETTINGS = """
import json, sys
from pathlib import Path
import psycopg
from operations.embedded_db import embedded_database_settings
db = embedded_database_settings(Path(sys.argv[1]))
with psycopg.connect(host=db["HOST"], port=db["PORT"], user=db["USER"], dbname=db["NAME"], autocommit=True) as conn:
    if sys.argv[2] == "operator":
        conn.execute("ALTER SYSTEM SET work_mem = '7MB'")
        conn.execute("SELECT pg_reload_conf()")
    names = ["shared_buffers", "effective_cache_size", "maintenance_work_mem", "work_mem"]
    print(json.dumps({n: conn.execute(f"SELECT pg_size_bytes(current_setting('{n}'))").fetchone()[0] for n in names}))
"""


def show_settings(data_dir: Path, *extra: str) -> dict[str, int]:
    done = subprocess.run(
        [sys.executable, "-c", SHOW_SETTINGS, str(data_dir), *(extra or ("-",))],
        cwd=settings.BASE_DIR,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout.strip().splitlines()[-1])


def test_the_settings_are_sized_to_the_machine_within_bounds():
    gib = 2**30
    assert server_settings(24 * gib)["shared_buffers"] == "4096MB"  # a quarter, at most 4 GB
    assert server_settings(8 * gib)["shared_buffers"] == "2048MB"
    assert server_settings(256 * 2**20)["shared_buffers"] == "128MB"  # never below PostgreSQL's default
    assert server_settings(8 * gib)["effective_cache_size"] == "4096MB"
    assert server_settings(24 * gib)["maintenance_work_mem"] == "1024MB"


def test_a_first_start_runs_with_the_settings_sized_to_the_machine_and_still_stops_at_the_end(tmp_path):
    wanted = server_settings(psutil.virtual_memory().total)
    shown = show_settings(tmp_path)
    # pg_size_bytes of "4096MB": the server's restart after initdb applied shared_buffers too.
    for name, value in wanted.items():
        assert shown[name] == int(value.removesuffix("MB")) * 2**20, name
    deadline = time.monotonic() + 10
    while server_running(tmp_path) and time.monotonic() < deadline:
        time.sleep(0.2)
    assert not server_running(tmp_path)  # the server restarted with the new settings was stopped all the same


def test_a_value_an_operator_set_is_kept_at_the_next_start(tmp_path):
    show_settings(tmp_path, "operator")  # sets work_mem as an operator would, then the server stops
    deadline = time.monotonic() + 10
    while server_running(tmp_path) and time.monotonic() < deadline:
        time.sleep(0.2)
    assert show_settings(tmp_path)["work_mem"] == 7 * 2**20
