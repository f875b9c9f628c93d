"""The daemon's socket loop: a Unix socket in a private directory, the peer's uid checked
(SO_PEERCRED), bounded requests served one at a time, an idle timeout, and a refusal (and
exit) once a source file of a module it has loaded changes, so it never runs code older
than the CLI's (the refused command runs in the client's process)."""
import os
import socket
import stat
import struct
import sys
import time
from pathlib import Path

from zkwork.daemon.client import identity, status
from zkwork.daemon.protocol import MAX_REQUEST_BYTES, default_socket_dir, receive, send
from zkwork.errors import ServiceStartError

DEFAULT_IDLE_TIMEOUT_S = 900.0
REQUEST_READ_TIMEOUT_S = 10.0  # a client that connects and says nothing must not hold the daemon
REPLY_WRITE_TIMEOUT_S = 60.0  # nor one that stops reading its answer
_PEERCRED = struct.Struct("3i")  # pid, uid, gid


def loaded_sources(package_dir):
    """{source file: (size, mtime_ns)} of the modules under `package_dir` this process has
    loaded: the code a request may run (one loaded later is read fresh when it is imported)."""
    stamps = {}
    for module in list(sys.modules.values()):
        path = getattr(module, "__file__", None)
        if path and path.startswith(package_dir + os.sep):
            try:
                st = os.stat(path)
            except OSError:
                st = None
            stamps[path] = (st.st_size, st.st_mtime_ns) if st else None
    return stamps


def private_dir(directory):
    """Create the default socket directory 0700; refuse any socket directory another user owns
    or may write to."""
    directory = Path(directory)
    if directory == default_socket_dir():
        directory.mkdir(mode=0o700, parents=True, exist_ok=True)
    st = directory.stat()
    if st.st_uid != os.getuid() or st.st_mode & 0o022:
        raise ServiceStartError(f"{directory}: a daemon socket's directory must be owned by this user and "
                                f"writable by no one else (it is mode {stat.S_IMODE(st.st_mode):o}, uid {st.st_uid})")


def listen(path):
    """A listening socket at `path`. A socket file no daemon answers on (left by one that was
    killed) is replaced; a live daemon there, or a file that is not a socket, is refused."""
    path = Path(path)
    private_dir(path.parent)
    if path.exists() or path.is_symlink():
        if not stat.S_ISSOCK(path.lstat().st_mode):
            raise ServiceStartError(f"{path} exists and is not a socket; not replacing it")
        if status(path) is not None:
            raise ServiceStartError(f"a zkwork daemon already answers on {path}")
        path.unlink()
    listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    old_umask = os.umask(0o177)  # the socket file is created 0600
    try:
        listener.bind(str(path))
    finally:
        os.umask(old_umask)
    listener.listen(8)
    return listener


def peer_uid(conn):
    """The uid of the process at the other end of a Unix socket (SO_PEERCRED)."""
    _, uid, _ = _PEERCRED.unpack(conn.getsockopt(socket.SOL_SOCKET, socket.SO_PEERCRED, _PEERCRED.size))
    return uid


def rss_bytes():
    """This process's resident set size now (Linux /proc)."""
    with open("/proc/self/statm") as statm:
        return int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")


class Daemon:
    """The loop of one daemon: `run(argv, cwd)` -> {exit, stdout, stderr} runs a command;
    `describe()` adds to the ping answer."""

    def __init__(self, path, run, describe=dict, idle_timeout=DEFAULT_IDLE_TIMEOUT_S):
        """Serve on `path` (not yet bound: see serve)."""
        self.path, self.run, self.describe, self.idle_timeout = Path(path), run, describe, float(idle_timeout)
        self.identity = identity()
        self.sources = loaded_sources(self.identity["package"])
        self.started, self.requests, self.stopping = time.time(), 0, None

    def ping(self):
        """pid, RSS, CPU seconds, uptime, requests served, idle timeout, and describe()'s figures."""
        return {"pid": os.getpid(), "rss_bytes": rss_bytes(), "cpu_s": time.process_time(),
                "uptime_s": time.time() - self.started,
                "requests": self.requests, "idle_timeout_s": self.idle_timeout, "socket": str(self.path),
                **self.describe()}

    def answer(self, message):
        """The answer to one request (ping, stop or run); sets `stopping` when the loop should end."""
        op = message.get("op")
        if op == "ping":
            return self.ping()
        if op == "stop":
            self.stopping = "stopped on request"
            return self.ping()
        if op != "run":
            return {"refused": f"unknown op {op!r}"}
        if {key: message.get(key) for key in self.identity} != self.identity:
            return {"refused": f"a client of another zkwork ({message.get('package')}, {message.get('version')})"}
        now = loaded_sources(self.identity["package"])
        changed = sorted(path for path, stamp in self.sources.items() if now.get(path) != stamp)
        if changed:
            self.stopping = f"zkwork's sources changed since they were loaded: {', '.join(changed[:3])}"
            return {"refused": self.stopping}
        argv, cwd = message.get("argv"), message.get("cwd")
        if not (isinstance(argv, list) and all(isinstance(word, str) for word in argv) and isinstance(cwd, str)):
            return {"refused": "a run request takes argv (a list of strings) and cwd (a string)"}
        self.requests += 1
        try:
            return self.run(argv, cwd)
        finally:  # modules the command imported for the first time, as they were when read
            self.sources = {**loaded_sources(self.identity["package"]), **self.sources}

    def _serve_one(self, conn):
        conn.settimeout(REQUEST_READ_TIMEOUT_S)
        if peer_uid(conn) != os.getuid():  # the directory's mode is the first fence, this the second
            return
        try:
            message = receive(conn, MAX_REQUEST_BYTES)
        except OSError:  # DaemonProtocolError, a timeout, a reset: that client's loss, not the daemon's
            return
        reply = self.answer(message)
        conn.settimeout(REPLY_WRITE_TIMEOUT_S)
        try:
            send(conn, reply)
        except OSError:  # the client gave up waiting (its command then ran in its own process)
            pass

    def serve(self):
        """Bind, then answer connections one at a time until stopped, idle for idle_timeout
        seconds, or its sources change; removes its socket file; returns why it stopped."""
        listener = listen(self.path)
        inode = self.path.stat().st_ino
        try:
            while self.stopping is None:
                listener.settimeout(self.idle_timeout)
                try:
                    conn, _ = listener.accept()
                except socket.timeout:
                    self.stopping = f"idle for {self.idle_timeout:g} s"
                    break
                with conn:
                    self._serve_one(conn)
        finally:
            listener.close()
            try:  # unless another daemon has taken the path since
                if self.path.stat().st_ino == inode:
                    self.path.unlink()
            except FileNotFoundError:
                pass
        return self.stopping

