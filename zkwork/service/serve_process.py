"""`zkwork serve` as a child process, for what measures the service from outside it (the
load-test study, `zkwork bench service`): start on a free loopback port, wait until every
worker is warm, stop by SIGTERM, and the CPU-seconds the service and its workers used.

    with ServeProcess([circuit_dir], "--workers", "2") as service:
        service.wait_ready()
        before = process_tree_cpu_s(service.pid)
        ...  # requests to service.url
"""
import os
import re
import subprocess
import sys
import threading
import time

from zkwork.errors import ServiceStartError

START_TIMEOUT_S = 600  # start and warm-up: a cold JIT cache compiles the kernels for minutes
STOP_TIMEOUT_S = 30  # SIGTERM drains the requests in flight; SIGKILL past this
PORT_LINE = re.compile(r"running on (http://127\.0\.0\.1:\d+)")  # uvicorn names the port it bound


class ServeProcess:
    """`zkwork serve DIR... --port 0 OPTIONS...` in a subprocess, as a context manager: entry
    returns once the server names its URL (`url`), exit stops it (SIGTERM, then SIGKILL past
    STOP_TIMEOUT_S). Its stderr is read by a thread into `log`, so that logs never fill the
    pipe and no wait blocks on it."""

    def __init__(self, circuit_dirs, *options, start_timeout_s=START_TIMEOUT_S):
        """The command line (options after the defaults override them); nothing starts before `with`."""
        self.command = [sys.executable, "-m", "zkwork.cli", "serve", *map(str, circuit_dirs), "--port", "0",
                        *map(str, options)]
        self.start_timeout_s = start_timeout_s
        self.process, self.url, self.log = None, None, []

    @property
    def pid(self):
        """The server process's id (its workers are its children)."""
        return self.process.pid

    def __enter__(self):
        self.process = subprocess.Popen(self.command, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                                        stderr=subprocess.PIPE, text=True)
        threading.Thread(target=lambda: self.log.extend(self.process.stderr), daemon=True).start()
        self.started = time.monotonic()
        try:
            while self.url is None:
                match = next(filter(None, map(PORT_LINE.search, list(self.log))), None)
                if match:
                    self.url = match.group(1)
                else:
                    self._check_alive("named no port")
                    time.sleep(0.05)
        except BaseException:
            self.__exit__()
            raise
        return self

    def _check_alive(self, what):
        """Raises ServiceStartError (`what` happened) if the process ended or the start bound passed."""
        if self.process.poll() is not None or time.monotonic() > self.started + self.start_timeout_s:
            state = "exited" if self.process.poll() is not None else f"was still running after {self.start_timeout_s} s"
            raise ServiceStartError(f"`zkwork serve` {what} and {state}: {''.join(self.log[-20:])}")

    def wait_ready(self):
        """Returns once /ready says every worker is warm; ServiceStartError past the start bound."""
        import httpx

        while True:
            try:
                if httpx.get(f"{self.url}/ready", timeout=30).status_code == 200:
                    return
            except httpx.TransportError:  # not listening yet, or busy warming up
                pass
            self._check_alive("had no warm workers")
            time.sleep(0.2)

    def __exit__(self, *exc):
        if self.process.poll() is None:
            self.process.terminate()  # SIGTERM: uvicorn drains, then the pool stops; exit 0
        try:
            self.process.wait(timeout=STOP_TIMEOUT_S)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        return False


def process_tree_cpu_s(pid):
    """CPU seconds (user + system) of process `pid` and its descendants so far: each live
    process's own and its reaped children's times (/proc/PID/stat fields 14-17), the
    descendants found through /proc/PID/task/*/children."""
    tick, total, stack = os.sysconf("SC_CLK_TCK"), 0.0, [pid]
    while stack:
        current = stack.pop()
        try:
            with open(f"/proc/{current}/stat") as stat:
                fields = stat.read().rsplit(")", 1)[1].split()  # the name in parentheses may hold spaces
            tasks = os.listdir(f"/proc/{current}/task")
        except (FileNotFoundError, ProcessLookupError):  # it ended meanwhile
            continue
        total += sum(int(value) for value in fields[11:15]) / tick
        for task in tasks:
            try:
                with open(f"/proc/{current}/task/{task}/children") as children:
                    stack += [int(child) for child in children.read().split()]
            except (FileNotFoundError, ProcessLookupError):
                continue
    return total
