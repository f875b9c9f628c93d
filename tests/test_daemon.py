"""The resident prover (zkwork.daemon, `zkwork daemon`): its frames, caches and socket loop
(fast, in this process), and a real daemon process answering forwarded commands with the
outputs and exit statuses of the same commands run in-process (slow: numba and a warm-up)."""
import json
import os
import re
import shutil
import socket
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from zkwork.cli import build_parser, main
from zkwork.commands import resident_command
from zkwork.commands.daemon import run_captured
from zkwork.daemon import client, server
from zkwork.daemon.caches import FileCache
from zkwork.daemon.protocol import receive, send
from zkwork.errors import DaemonProtocolError
from zkwork.errors import ServiceStartError

WAIT_S = 60


@pytest.fixture
def sock_dir(tmp_path):
    # AF_UNIX paths are limited to 108 bytes: pytest's tmp_path can be longer
    directory = Path(f"/tmp/zkwork-test-{os.getpid()}-{threading.get_ident() % 10**6}")
    directory.mkdir(mode=0o700)
    yield directory
    shutil.rmtree(directory, ignore_errors=True)


def test_frames_round_trip_and_bounds():
    left, right = socket.socketpair()
    with left, right:
        send(left, {"op": "ping", "argv": ["a", "é"]})
        assert receive(right, 1000) == {"op": "ping", "argv": ["a", "é"]}
        send(left, {"big": "x" * 100})
        with pytest.raises(DaemonProtocolError, match="more than the limit"):
            receive(right, 50)
    left, right = socket.socketpair()
    with left, right:
        left.sendall(b"\0\0\0\x02[]")
        with pytest.raises(DaemonProtocolError, match="JSON list"):
            receive(right, 100)
        left.sendall(b"\0\0\0\x09{}")
        left.close()
        with pytest.raises(DaemonProtocolError, match="closed"):
            receive(right, 100)


def test_file_cache_reuses_a_file_until_it_changes_and_stays_bounded(tmp_path):
    cache, loads = FileCache(max_entries=2, max_bytes=100), []

    def load(path):
        loads.append(path)
        return Path(path).read_text()

    files = [tmp_path / f"{i}.txt" for i in range(3)]
    for i, path in enumerate(files):
        path.write_text(str(i) * 10)
    assert cache.get(files[0], load) == "0" * 10 and cache.get(files[0], load) == "0" * 10
    assert len(loads) == 1 and cache.hits == 1
    files[0].write_text("changed!!!")  # same size: the mtime tells
    os.utime(files[0], ns=(1, 1))
    assert cache.get(files[0], load) == "changed!!!" and len(loads) == 2
    cache.get(files[1], load), cache.get(files[2], load)
    assert cache.describe()["entries"] == 2 and str(files[0]) not in cache.describe()["files"]
    (tmp_path / "big.txt").write_text("x" * 101)
    cache.get(tmp_path / "big.txt", load)
    assert cache.describe()["entries"] == 2  # larger than the whole budget: never kept
    with pytest.raises(FileNotFoundError):  # the loader's own error, as without a cache
        cache.get(tmp_path / "missing", load)


def test_file_cache_counts_what_a_value_built_beside_its_file(tmp_path):
    class Parsed:  # as a ResidentZKey once its tables are built
        extra_bytes = 0

    cache = FileCache(max_entries=4, max_bytes=100)
    first, second = tmp_path / "a", tmp_path / "b"
    first.write_text("a" * 10)
    second.write_text("b" * 10)
    value = cache.get(first, lambda path: Parsed())
    assert cache.bytes() == 10
    value.extra_bytes = 85  # its tables: 95 bytes in all, so a second 10-byte file evicts it
    cache.get(second, lambda path: Parsed())
    assert cache.describe()["files"] == [str(second)]


def test_only_the_resident_verbs_are_forwarded():
    for argv in (["prove-zkey", "k", "w", "p", "q"], ["groth16", "prove"], ["verify", "a"], ["groth16", "verify"],
                 ["groth16", "fullprove"], ["wtns", "calculate"], ["powersoftau", "prepare", "phase2"],
                 ["groth16", "setup"], ["zkey", "new"], ["zkey", "contribute"], ["zkey", "beacon"], ["zkey", "verify"],
                 ["zkey", "export", "verificationkey"], ["export", "verificationkey"]):
        assert resident_command(argv) is not None, argv
    for argv in (["serve"], ["report"], ["daemon", "start"], ["prove", "dir"], ["--no-daemon", "verify"], [],
                 ["setup"], ["powersoftau", "verify"], ["ceremony", "verify"], ["r1cs", "info"], ["bench", "setup"]):
        assert resident_command(argv) is None, argv
    assert run_captured(build_parser(), ["serve"], "/")["refused"]


def _serve_in_thread(path, idle_timeout=WAIT_S):
    calls = []
    daemon = server.Daemon(path, lambda argv, cwd: calls.append((argv, cwd)) or {"exit": 3, "stdout": "o",
                                                                                   "stderr": "e"},
                           idle_timeout=idle_timeout)
    thread = threading.Thread(target=lambda: calls.append(daemon.serve()), daemon=True)
    thread.start()
    for _ in range(200):
        if path.exists():
            break
        threading.Event().wait(0.01)
    return daemon, thread, calls


def test_socket_loop_serves_checks_and_stops(sock_dir):
    path = sock_dir / "d.sock"
    daemon, thread, calls = _serve_in_thread(path)
    try:
        assert os.stat(path).st_mode & 0o777 == 0o600
        assert client.status(path)["pid"] == os.getpid()
        assert client.request({"op": "run", "argv": ["verify"], "cwd": "/tmp", "version": "0", "package": "/x"},
                              path)["refused"].startswith("a client of another zkwork")
        answer = client.request({"op": "run", "argv": ["verify", "x"], "cwd": "/tmp", **client.identity()}, path)
        assert answer == {"exit": 3, "stdout": "o", "stderr": "e"} and calls == [(["verify", "x"], "/tmp")]
        with socket.socket(socket.AF_UNIX) as raw:  # a bad frame closes that connection, not the daemon
            raw.connect(str(path))
            raw.sendall(b"\xff\xff\xff\xff")
            assert raw.recv(10) == b""
        with pytest.raises(ServiceStartError, match="already answers"):
            server.listen(path)
        assert client.stop(path)["requests"] == 1
    finally:
        daemon.stopping = daemon.stopping or "test teardown"
        thread.join(WAIT_S)
    assert not thread.is_alive() and calls[-1] == "stopped on request" and not path.exists()
    assert client.status(path) is None and client.forward(["verify"], path) is None


def test_idle_timeout_ends_the_daemon(sock_dir):
    _, thread, calls = _serve_in_thread(sock_dir / "d.sock", idle_timeout=0.2)
    thread.join(WAIT_S)
    assert not thread.is_alive() and calls == ["idle for 0.2 s"]


def test_a_stale_socket_is_replaced_and_other_files_are_not(sock_dir):
    path = sock_dir / "d.sock"
    dead = socket.socket(socket.AF_UNIX)
    dead.bind(str(path))
    dead.close()  # the file stays, and nobody listens: what a killed daemon leaves
    server.listen(path).close()
    path.unlink()
    path.write_text("not a socket")
    with pytest.raises(ServiceStartError, match="not a socket"):
        server.listen(path)
    os.chmod(sock_dir, 0o777)
    with pytest.raises(ServiceStartError, match="writable by no one else"):
        server.listen(sock_dir / "other.sock")


def test_without_a_daemon_the_command_runs_in_process(sock_dir, monkeypatch, capsys):
    monkeypatch.setenv("ZKWORK_DAEMON_SOCKET", str(sock_dir / "none.sock"))
    assert main(["verify", "missing-vk.json", "p.json", "q.json"]) == 2
    assert "missing-vk.json" in capsys.readouterr().err


# -- a real daemon process -----------------------------------------------------------------------


def _zkwork(*argv, env, cwd=None):
    return subprocess.run([sys.executable, "-m", "zkwork.cli", *argv], env=env, cwd=cwd, capture_output=True,
                          text=True, timeout=WAIT_S * 4)


@pytest.fixture
def daemon_env(sock_dir):
    env = {**os.environ, "ZKWORK_DAEMON_SOCKET": str(sock_dir / "d.sock"), "ZKWORK_DAEMON": "1"}
    started = _zkwork("daemon", "start", "--idle-timeout", "120", "--json", env=env)
    assert started.returncode == 0, started.stderr
    pid = json.loads(started.stdout)["pid"]
    try:
        yield env
    finally:
        _zkwork("daemon", "stop", env=env)
        try:
            os.kill(pid, 9)  # already gone after a stop; killed if it was not
        except ProcessLookupError:
            pass


@pytest.mark.slow
def test_forwarded_verify_matches_in_process(daemon_env, tmp_path):
    made = _zkwork("setup", "membership", "--param", "depth=4", "--out", str(tmp_path / "keys"), env=daemon_env)
    assert made.returncode == 0, made.stderr
    keys = tmp_path / "keys"
    proved = _zkwork("prove", str(keys), "--input", str(keys / "input.json"), "--proof", "proof.json",
                     "--public", "public.json", env=daemon_env, cwd=tmp_path)
    assert proved.returncode == 0, proved.stderr
    public = json.loads((tmp_path / "public.json").read_text())
    (tmp_path / "wrong.json").write_text(json.dumps([str(int(public[0]) + 1)] + public[1:]))
    (tmp_path / "bad.json").write_text("{not json")
    before = client.status(daemon_env["ZKWORK_DAEMON_SOCKET"])["requests"]
    for statement, status in (("public.json", 0), ("wrong.json", 1), ("bad.json", 2)):
        argv = ("verify", str(keys / "verification_key.json"), statement, "proof.json")
        forwarded = _zkwork(*argv, env=daemon_env, cwd=tmp_path)
        local = _zkwork("--no-daemon", *argv, env=daemon_env, cwd=tmp_path)
        assert (forwarded.returncode, forwarded.stdout, forwarded.stderr) == (
            status, local.stdout, local.stderr) and local.returncode == status
    assert client.status(daemon_env["ZKWORK_DAEMON_SOCKET"])["requests"] == before + 3  # all three forwarded
    assert _zkwork("daemon", "status", env=daemon_env).returncode == 0
    assert _zkwork("daemon", "stop", env=daemon_env).returncode == 0
    assert _zkwork("daemon", "status", env=daemon_env).returncode == 1


@pytest.mark.slow
@pytest.mark.node
def test_forwarded_prove_zkey_gives_a_valid_proof(daemon_env, tmp_path):
    from test_zkey_prover import MAIN, pattern, snarkjs_verifies

    from zkwork.bench.snarkjs_peer import default_cache_dir, measure_snarkjs, snarkjs_witness

    inputs = pattern().sample_inputs()
    paths = measure_snarkjs(MAIN, inputs, runs=1, verify_runs=1, warmup=0, cache_dir=default_cache_dir())["paths"]
    wtns = snarkjs_witness(paths["wasm"], inputs, tmp_path / "w.wtns")
    for run in range(2):  # the second from the daemon's zkey cache
        proved = _zkwork("prove-zkey", paths["zkey"], str(wtns), f"p{run}.json", f"q{run}.json", env=daemon_env,
                         cwd=tmp_path)
        assert proved.returncode == 0, proved.stderr
        assert snarkjs_verifies(paths["verification_key"], tmp_path / f"q{run}.json", tmp_path / f"p{run}.json")
    status = client.status(daemon_env["ZKWORK_DAEMON_SOCKET"])
    assert status["requests"] == 2 and status["zkeys"]["hits"] == 1
    (tmp_path / "junk.wtns").write_bytes(b"junk")
    broken = _zkwork("prove-zkey", paths["zkey"], "junk.wtns", "p.json", "q.json", env=daemon_env, cwd=tmp_path)
    assert broken.returncode == 2 and "junk.wtns" in broken.stderr


@pytest.mark.slow
def test_forwarded_setup_verbs_write_what_in_process_writes(daemon_env, tmp_path):
    from test_zkey_new import ALPHA, BETA, CIRCUIT, TAU

    from zkwork.ceremony.powers import PowersOfTau
    from zkwork.ceremony.snarkjs_ptau import export_ptau
    from zkwork.formats import write_r1cs

    export_ptau(PowersOfTau.from_secrets(4, TAU, ALPHA, BETA), tmp_path / "phase1.ptau")
    write_r1cs(CIRCUIT, tmp_path / "circuit.r1cs")
    steps = (("powersoftau", "prepare", "phase2", "../phase1.ptau", "prepared.ptau"),
             ("groth16", "setup", "../circuit.r1cs", "prepared.ptau", "k0.zkey"),
             ("zkey", "export", "verificationkey", "k0.zkey", "vk.json"),
             ("zkey", "verify", "../circuit.r1cs", "prepared.ptau", "k0.zkey"))
    before = client.status(daemon_env["ZKWORK_DAEMON_SOCKET"])["requests"]
    for mode in ("daemon", "local"):  # relative paths: the daemon runs in its client's directory
        (tmp_path / mode).mkdir()
        for argv in steps:
            ran = _zkwork(*(() if mode == "daemon" else ("--no-daemon",)), *argv, env=daemon_env, cwd=tmp_path / mode)
            assert ran.returncode == 0, (argv, ran.stderr)
            (tmp_path / mode / f"{argv[1]}.out").write_text(re.sub(r" in [0-9.]+ s", "", ran.stdout) + ran.stderr)
    assert client.status(daemon_env["ZKWORK_DAEMON_SOCKET"])["requests"] == before + len(steps)
    for name in ("prepared.ptau", "k0.zkey", "vk.json", "prepare.out", "setup.out", "export.out", "verify.out"):
        assert (tmp_path / "daemon" / name).read_bytes() == (tmp_path / "local" / name).read_bytes(), name
