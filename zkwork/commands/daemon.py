"""`zkwork daemon start|stop|status|run`: a resident prover on a Unix socket in a private
directory ($XDG_RUNTIME_DIR/zkwork, else ~/.cache/zkwork/run). While one runs, the command
line forwards its resident verbs (groth16 prove / prove-zkey, verify / groth16 verify,
groth16 fullprove, wtns calculate, powersoftau prepare phase2, groth16 setup / zkey new, zkey
contribute|beacon|verify|export verificationkey) to it and skips Python's numba import and
kernel loading;
`--no-daemon` or ZKWORK_DAEMON=0 runs them in-process. The daemon runs the very commands
the command line does, in the client's directory, with the daemon's environment; it exits
after --idle-timeout seconds without a request, or once zkwork's sources change."""
from zkwork.commands.common import Exit, add_output_options, emit

START_WAIT_S = 120.0  # numba's cache loads and the warm-up take seconds; a wedged start is given up


def _socket_option(parser, output=True):
    parser.add_argument("--socket", metavar="PATH",
                        help="the daemon's socket (default $ZKWORK_DAEMON_SOCKET, else "
                             "$XDG_RUNTIME_DIR/zkwork/daemon.sock, else ~/.cache/zkwork/run/daemon.sock)")
    if output:
        add_output_options(parser, out=False)


def _serve_options(parser, output):
    from zkwork.daemon.server import DEFAULT_IDLE_TIMEOUT_S

    parser.add_argument("--idle-timeout", type=float, default=DEFAULT_IDLE_TIMEOUT_S, metavar="SECONDS",
                        help=f"exit after this long without a request (default {DEFAULT_IDLE_TIMEOUT_S:g})")
    _socket_option(parser, output)


def start_arguments(parser):
    """The options of `zkwork daemon start`."""
    _serve_options(parser, output=True)
    parser.add_argument("--wait", type=float, default=START_WAIT_S, metavar="SECONDS",
                        help=f"give up if the daemon is not ready by then (default {START_WAIT_S:g})")


def run_arguments(parser):
    """The options of `zkwork daemon run` (no result: like `serve`, it answers until stopped)."""
    _serve_options(parser, output=False)


def stop_arguments(parser):
    """The options of `zkwork daemon stop`."""
    _socket_option(parser)


def status_arguments(parser):
    """The options of `zkwork daemon status`."""
    _socket_option(parser)


def _describe(answer):
    return (f"zkwork daemon pid {answer['pid']} on {answer['socket']}: {answer['rss_bytes'] / 2**20:.0f} MB RSS, "
            f"up {answer['uptime_s']:.0f} s, {answer['requests']} requests, "
            f"{answer['zkeys']['entries']} zkeys cached ({answer['zkeys']['hits']} hits)")


def status(args):
    """Exit 0 and describe the daemon if one answers on the socket, else exit 1."""
    from zkwork.daemon.client import status as ping
    from zkwork.daemon.protocol import socket_path

    answer = ping(args.socket)
    if answer is None:
        emit(args, {"running": False, "socket": str(socket_path(args.socket))},
             f"no zkwork daemon answers on {socket_path(args.socket)}")
        return Exit.REJECTED
    emit(args, {"running": True, **answer}, _describe(answer))
    return Exit.OK


def stop(args):
    """Ask the daemon to exit; exit 0 if one did, 1 if none answered."""
    from zkwork.daemon.client import stop as ask_to_stop
    from zkwork.daemon.protocol import socket_path

    answer = ask_to_stop(args.socket)
    if answer is None:
        emit(args, {"stopped": False}, f"no zkwork daemon answers on {socket_path(args.socket)}")
        return Exit.REJECTED
    emit(args, {"stopped": True, **answer}, f"stopped the zkwork daemon pid {answer['pid']}")
    return Exit.OK


def start(args):
    """Start `zkwork daemon run` detached, and wait (at most --wait seconds) until it answers."""
    import subprocess
    import sys
    import time

    from zkwork.daemon.client import status as ping
    from zkwork.daemon.protocol import socket_path
    from zkwork.daemon.server import private_dir
    from zkwork.errors import ServiceStartError

    _check_times(args.idle_timeout, args.wait)
    path = socket_path(args.socket)
    answer = ping(path)
    if answer is None:
        private_dir(path.parent)
        log = path.with_name(path.name + ".log")
        command = [sys.executable, "-m", "zkwork.cli", "--no-daemon", "daemon", "run", "--socket", str(path),
                   "--idle-timeout", str(args.idle_timeout)]
        with open(log, "ab") as log_file:
            process = subprocess.Popen(command, stdin=subprocess.DEVNULL, stdout=log_file, stderr=subprocess.STDOUT,
                                       start_new_session=True)  # outlives this command and its terminal
        deadline = time.monotonic() + args.wait
        while (answer := ping(path)) is None:
            if process.poll() is not None:
                raise ServiceStartError(f"the daemon exited with status {process.returncode} before it was ready; "
                                        f"its log, {log}, ends:\n{_tail(log)}")
            if time.monotonic() > deadline:
                process.kill()
                process.wait(timeout=10)
                raise ServiceStartError(f"the daemon was not ready after {args.wait:g} s; killed it (log: {log})")
            time.sleep(0.05)
    emit(args, {"running": True, **answer}, _describe(answer))
    return Exit.OK


def _check_times(*seconds):
    from zkwork.errors import UsageError

    if not all(0 < value < float("inf") for value in seconds):
        raise UsageError(f"--idle-timeout and --wait take a positive number of seconds, got {seconds}")


def _tail(path, lines=20):
    with open(path, errors="replace") as text:
        return "".join(text.readlines()[-lines:])


def _cube_circuit(cs):
    """y^3 = a, out = y * b: the warm-up's circuit."""
    a, b, y = cs.public_input("a"), cs.public_input("b"), cs.private_input("y")
    cs.assert_equal(y * y * y, a, "cube")
    cs.public_output("out", y * b)


def warm_up():
    """A tiny zkey written, read, proved and verified, along the resident verbs' own path
    (zkey reader, zkey prover, JSON, key checks, pairing), so that the first request does
    not pay for loading numba's cached kernels."""
    import tempfile
    from pathlib import Path

    from zkwork.formats import read_zkey, write_zkey
    from zkwork.formats.zkey_file import zkey_from_proving_key
    from zkwork.groth16 import setup, verify
    from zkwork.groth16.key_checks import check_verifying_key
    from zkwork.groth16.snarkjs_json import proof_from_json, proof_to_json, vk_from_json, vk_to_json
    from zkwork.interop.zkey_prover import precompute_zkey, prove_zkey
    from zkwork.r1cs import solve

    r1cs, witness = solve(_cube_circuit, {"a": 27, "b": 5, "y": 3})
    pk = setup(r1cs)
    with tempfile.TemporaryDirectory() as directory:
        path = Path(directory) / "warm.zkey"
        write_zkey(zkey_from_proving_key(pk), path)
        zkey = read_zkey(path)
    # zkey_from_proving_key's H points sit on zkwork's coset, not snarkjs's: this proof fails
    # the key, and is verified for the kernels' sake only
    proof = prove_zkey(zkey, witness, check=False, tables=precompute_zkey(zkey))  # the table kernels too
    vk = vk_from_json(vk_to_json(pk.vk))
    check_verifying_key(vk, "the warm-up key")
    verify(vk, r1cs.public_signals(witness),
           proof_from_json(proof_to_json(proof)))


def run_captured(parser, argv, cwd):
    """A resident verb's {exit, stdout, stderr}, run with `parser` in `cwd` with its output
    captured, as the command line would run it in-process; {refused} for any other verb."""
    import contextlib
    import io
    import os
    import traceback

    from zkwork.cli import is_resident, run_in_process

    if not is_resident(argv):
        return {"refused": f"`zkwork {' '.join(argv[:2])}` is not a resident verb; run it in-process"}
    try:
        os.chdir(cwd)
    except OSError as error:
        return {"refused": f"cannot enter the client's directory: {error}"}
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        try:
            code = run_in_process(argv, parser)
        except Exception:  # a bug: reported as Python reports an uncaught one, status 1
            traceback.print_exc()
            code = 1
    return {"exit": int(code), "stdout": out.getvalue(), "stderr": err.getvalue()}


def run(args):
    """Warm up, then serve on the socket in the foreground until stopped or idle."""
    import os
    import sys
    import time
    import traceback

    from zkwork.cli import build_parser
    from zkwork.daemon.caches import FileCache
    from zkwork.daemon.client import status as ping
    from zkwork.daemon.protocol import socket_path
    from zkwork.daemon.server import Daemon
    from zkwork.errors import ServiceStartError
    from zkwork.interop.wasm_witness import use_calculator_cache
    from zkwork.interop.zkey_prover import use_zkey_cache

    _check_times(args.idle_timeout)
    path = socket_path(args.socket)
    if ping(path) is not None:  # before the warm-up; server.listen checks again when it binds
        raise ServiceStartError(f"a zkwork daemon already answers on {path}")
    begun = time.perf_counter()
    zkeys, calculators = FileCache(), FileCache()
    use_zkey_cache(zkeys)
    use_calculator_cache(calculators)
    try:
        warm_up()
    except Exception:  # only a slower first request follows; the commands report their own errors
        print("zkwork daemon: the warm-up failed, serving cold:", file=sys.stderr)
        traceback.print_exc()
    parser = build_parser()
    daemon = Daemon(path, lambda argv, cwd: run_captured(parser, argv, cwd),
                    lambda: {"zkeys": zkeys.describe(), "wasm": calculators.describe()},
                    args.idle_timeout)
    print(f"zkwork daemon pid {os.getpid()} ready on {path} after {time.perf_counter() - begun:.2f} s", flush=True)
    reason = daemon.serve()
    print(f"zkwork daemon pid {os.getpid()} exits: {reason}", file=sys.stderr, flush=True)
    return Exit.OK
