"""The command line's side of the daemon: forward one command and print what it printed, or
say there is no daemon so the command runs in-process. Standard library only (see protocol)."""
import os
import socket
import sys

import zkwork
from zkwork.daemon.protocol import MAX_RESPONSE_BYTES, receive, send, socket_path
from zkwork.errors import NoDaemonError

CONNECT_TIMEOUT_S = 2.0  # a live daemon accepts at once; a wedged one must not hang the CLI
RESPONSE_TIMEOUT_S = 3600.0  # the longest forwarded command waited for
NO_DAEMON = (FileNotFoundError, ConnectionRefusedError, NotADirectoryError)


def identity():
    """What a daemon must share with its client to run its commands: zkwork's version and package directory."""
    return {"version": zkwork.__version__, "package": os.path.dirname(os.path.abspath(zkwork.__file__))}


def request(message, path=None, timeout=RESPONSE_TIMEOUT_S):
    """Send `message` to the daemon at `path` (protocol.socket_path's default) and return its
    answer. Raises NoDaemonError when no daemon listens there, another OSError (DaemonProtocolError
    included) when one fails mid-request."""
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as sock:
        sock.settimeout(CONNECT_TIMEOUT_S)
        try:
            sock.connect(str(socket_path(path)))
        except (*NO_DAEMON, socket.timeout) as error:
            raise NoDaemonError(f"no zkwork daemon answers on {socket_path(path)}: {error}") from None
        sock.settimeout(timeout)
        send(sock, message)
        return receive(sock, MAX_RESPONSE_BYTES)


def forward(argv, path=None):
    """Run `argv` in the daemon at `path` and print its output; its exit status, or None when
    no daemon answers or it refused (the caller then runs the command in-process). A daemon
    that fails mid-request is named on stderr, and None returned: the resident verbs only
    write their output files, so running them again in-process is safe."""
    try:
        answer = request({"op": "run", "argv": list(argv), "cwd": os.getcwd(), **identity()}, path)
    except NoDaemonError:
        return None
    except OSError as error:  # DaemonProtocolError included
        print(f"zkwork: the daemon at {socket_path(path)} failed mid-request ({error}); running in-process",
              file=sys.stderr)
        return None
    if "refused" in answer or not isinstance(answer.get("exit"), int):
        return None
    sys.stdout.write(answer.get("stdout", ""))
    sys.stderr.write(answer.get("stderr", ""))
    sys.stdout.flush()
    return answer["exit"]


def status(path=None):
    """The daemon's ping answer (pid, RSS, uptime, requests, caches), or None when none answers."""
    try:
        return request({"op": "ping"}, path, timeout=CONNECT_TIMEOUT_S * 5)
    except NoDaemonError:
        return None


def stop(path=None):
    """Ask the daemon at `path` to exit after answering; its last ping answer, or None when none answers."""
    try:
        return request({"op": "stop"}, path, timeout=CONNECT_TIMEOUT_S * 5)
    except NoDaemonError:
        return None
