"""The daemon's wire format and where its socket lives: length-prefixed JSON messages over a
Unix socket in a per-user directory. Standard library only: the command line imports this
module before deciding whether to load numba at all."""
import json
import os
import struct
from pathlib import Path

from zkwork.errors import DaemonProtocolError

SOCKET_ENV = "ZKWORK_DAEMON_SOCKET"  # a socket path, overriding the default
SOCKET_NAME = "daemon.sock"
MAX_REQUEST_BYTES = 1 << 20  # argv and a path: a megabyte is far more than any command line
MAX_RESPONSE_BYTES = 256 << 20  # a command's captured output
_LENGTH = struct.Struct(">I")


def default_socket_dir():
    """$XDG_RUNTIME_DIR/zkwork when XDG_RUNTIME_DIR is set, else ~/.cache/zkwork/run."""
    runtime = os.environ.get("XDG_RUNTIME_DIR")
    return Path(runtime) / "zkwork" if runtime else Path.home() / ".cache" / "zkwork" / "run"


def socket_path(given=None):
    """The daemon's socket: `given`, else $ZKWORK_DAEMON_SOCKET, else default_socket_dir()/daemon.sock."""
    return Path(given or os.environ.get(SOCKET_ENV) or default_socket_dir() / SOCKET_NAME)


def send(sock, message):
    """Write `message` (a JSON-able dict) as one length-prefixed frame."""
    body = json.dumps(message).encode()
    sock.sendall(_LENGTH.pack(len(body)) + body)


def _read_exactly(sock, count):
    chunks, left = [], count
    while left:
        chunk = sock.recv(min(left, 1 << 20))
        if not chunk:
            raise DaemonProtocolError(f"the connection closed {count - left} bytes into a {count}-byte read")
        chunks.append(chunk)
        left -= len(chunk)
    return b"".join(chunks)


def receive(sock, limit):
    """One frame from `sock` as a dict; DaemonProtocolError if it is longer than `limit` bytes,
    truncated or not a JSON object."""
    (length,) = _LENGTH.unpack(_read_exactly(sock, _LENGTH.size))
    if length > limit:
        raise DaemonProtocolError(f"a {length}-byte message, more than the limit of {limit}")
    try:
        message = json.loads(_read_exactly(sock, length))
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        raise DaemonProtocolError(f"a message that is not JSON: {error}") from None
    if not isinstance(message, dict):
        raise DaemonProtocolError(f"a message that is a JSON {type(message).__name__}, not an object")
    return message
