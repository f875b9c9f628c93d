"""A real Prometheus server for load tests of `zkwork serve` (issue #15), and what the guide's
coarse histogram buckets let it say about a percentile.

    find_prometheus()           the `prometheus` executable (Debian's package), else PrometheusMissingError
    PrometheusServer            a context manager: Prometheus on a free loopback port, scraping the
                                given loopback targets every 1 s with the project's alert rules;
                                query(), scalar(), rules(), targets_up(), wait_for_scrape(), wait_for_rules()
    between(), total_between()  PromQL for counters' increase between two scrapes (`@` modifiers)
    bucket_bounds()             the histogram bucket that holds a value
    quantile_error_bound()      how far histogram_quantile can be from a true percentile

The server runs from a temporary directory (its generated prometheus.yml and its TSDB), logs
at warn level into a bounded buffer drained by a thread (a full pipe would stall it), runs Go
on one thread (GOMAXPROCS=1: it shares the cores with the service it measures) and is stopped
with SIGTERM, then killed after a bound. The HTTP API is read with urllib without proxies:
every address is loopback. Times are Unix seconds (floats), as the API takes them.

Reading a load window exactly: Prometheus's rate() and increase() extrapolate to the window's
edges and lose what a counter gained before its first sample, so a count over a load test is
`between(counter, start, end)` (per series) or `total_between` (summed): the counter's value at
the first scrape after the load minus its value at the last scrape before it (both times from
`wait_for_scrape`).
"""
import collections
import json
import math
import os
import shutil
import signal
import socket
import subprocess
import tempfile
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from bisect import bisect_left
from datetime import datetime

from zkwork.errors import (NonLoopbackError, PrometheusMissingError, PrometheusQueryError, PrometheusStartError,
                           PrometheusTimeoutError)
from zkwork.resources import resource_dir
from zkwork.service.loadgen import check_loopback

JOB = "zkwork"  # the scrape job's name: the `job` label of every scraped series
INSTALL_HINT = ("install Debian's prometheus package: `make install` as root (it runs "
                "tools/install-prometheus.sh), or `apt-get install prometheus`")
LOG_LINES = 200  # the server's last log lines kept for error messages
HTTP_TIMEOUT_S = 10  # every API call
READY_POLL_TIMEOUT_S = 1  # each poll of /-/ready while it starts
POLL_S = 0.1
PORT_ATTEMPTS = 3


def find_prometheus():
    """The path of the `prometheus` executable on PATH; PrometheusMissingError naming the installer if none."""
    path = shutil.which("prometheus")
    if path is None:
        raise PrometheusMissingError(f"no `prometheus` executable on PATH: {INSTALL_HINT}")
    return path


def default_rules_file():
    """The project's alert rules: prometheus/rules.yml (the guide's, tested by promtool)."""
    return resource_dir("prometheus") / "rules.yml"


def check_target(target):
    """Raises NonLoopbackError unless `target` is "HOST:PORT" with a loopback host (127.0.0.0/8,
    [::1] or localhost) and nothing else: Prometheus here scrapes one's own service only."""
    host, _, port = str(target).rpartition(":")
    if not host or not port.isdigit() or not 0 < int(port) < 65536 or any(c in host for c in "/@?#"):
        raise NonLoopbackError(f"a scrape target is HOST:PORT on a loopback host, got {target!r}")
    check_loopback(f"http://{host}:{port}/")  # the host rule is the load generator's


def _duration(seconds):
    """A Prometheus duration string of `seconds` ("1500ms")."""
    return f"{max(1, round(seconds * 1000))}ms"


def _free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _unix_time(rfc3339):
    """Unix seconds of an RFC 3339 time of the API; None for Go's zero time (never)."""
    moment = datetime.fromisoformat(rfc3339)
    return None if moment.year <= 1 else moment.timestamp()


def between(selector, start, end):
    """PromQL for the increase of the counter series `selector` from the sample at `start` to
    the one at `end` (Unix seconds; no extrapolation, unlike increase()). The series must
    exist at `start`; a counter reset in between makes it negative."""
    return f"({selector} @ {end:.3f} - {selector} @ {start:.3f})"


def total_between(selector, start, end):
    """PromQL for the summed increase of every series of `selector` from `start` to `end` (Unix
    seconds), 0 for series absent at either end: a counter that first appears during the window
    (the 503s of an overload) counts from 0."""
    return f"((sum({selector} @ {end:.3f}) or vector(0)) - (sum({selector} @ {start:.3f}) or vector(0)))"


class PrometheusServer:
    """Prometheus on a free loopback port scraping `targets` ("127.0.0.1:PORT", loopback only)
    under the job "zkwork" with the rules of `rules_file` (default: the project's
    prometheus/rules.yml; "" for none). A context manager; `url` is its base URL."""

    def __init__(self, targets, rules_file=None, scrape_interval_s=1.0, evaluation_interval_s=1.0,
                 startup_timeout_s=30, stop_timeout_s=10):
        """Checks the targets (NonLoopbackError) and finds the executable (PrometheusMissingError);
        nothing starts before `with`."""
        self.targets = list(targets)
        for target in self.targets:
            check_target(target)
        self.executable = find_prometheus()
        self.rules_file = default_rules_file() if rules_file is None else rules_file
        self.scrape_interval_s = scrape_interval_s
        self.evaluation_interval_s = evaluation_interval_s
        self.startup_timeout_s = startup_timeout_s
        self.stop_timeout_s = stop_timeout_s
        self.url = None
        self.process = None
        self.directory = None
        self.log = collections.deque(maxlen=LOG_LINES)
        self._opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))  # loopback: never a proxy

    def config(self):
        """The generated prometheus.yml as a dict (JSON is YAML): one job, the rules file."""
        interval = _duration(self.scrape_interval_s)
        return {
            "global": {"scrape_interval": interval, "scrape_timeout": interval,
                       "evaluation_interval": _duration(self.evaluation_interval_s)},
            "rule_files": [str(os.path.abspath(self.rules_file))] if self.rules_file else [],
            "scrape_configs": [{"job_name": JOB, "static_configs": [{"targets": self.targets}]}],
        }

    def __enter__(self):
        """Starts the server and waits (bounded) until /-/ready answers 200."""
        self.directory = tempfile.mkdtemp(prefix="zkwork-prometheus-")
        config_path = os.path.join(self.directory, "prometheus.yml")
        with open(config_path, "w") as config:
            json.dump(self.config(), config, indent=1)
        try:
            for _ in range(PORT_ATTEMPTS):  # the free port can be taken between its probe and the bind
                self._start(config_path, _free_port())
                if self._wait_ready():
                    break
                self._stop()
            else:
                raise PrometheusStartError(f"Prometheus found no free port in {PORT_ATTEMPTS} attempts:\n"
                                           f"{self.log_tail()}")
        except BaseException:
            self.__exit__(None, None, None)
            raise
        return self

    def _start(self, config_path, port):
        self.url = f"http://127.0.0.1:{port}"
        self.log.clear()
        env = {**os.environ, "GOMAXPROCS": os.environ.get("GOMAXPROCS", "1")}
        self.process = subprocess.Popen(
            [self.executable, f"--config.file={config_path}", f"--storage.tsdb.path={self.directory}/data",
             f"--web.listen-address=127.0.0.1:{port}", "--log.level=warn", "--storage.tsdb.retention.time=1d",
             "--query.max-concurrency=4", f"--web.console.templates={self.directory}",
             f"--web.console.libraries={self.directory}"],
            stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True, env=env)
        self._drain = threading.Thread(target=lambda: self.log.extend(self.process.stderr), daemon=True)
        self._drain.start()

    def _wait_ready(self):
        """True once /-/ready answers 200; False if the process exited because its port was taken;
        PrometheusStartError if it exited otherwise or was not ready within the bound."""
        deadline = time.monotonic() + self.startup_timeout_s
        while self.process.poll() is None:
            try:
                with self._opener.open(f"{self.url}/-/ready", timeout=READY_POLL_TIMEOUT_S) as response:
                    if response.status == 200 and self.process.poll() is None:  # not another server's port
                        return True
            except (urllib.error.URLError, OSError):  # not listening yet, or 503 while it starts
                pass
            if time.monotonic() > deadline:
                raise PrometheusStartError(f"Prometheus at {self.url} was not ready within "
                                           f"{self.startup_timeout_s} s:\n{self.log_tail()}")
            time.sleep(POLL_S)
        self._drain.join(timeout=2)
        if "address already in use" in self.log_tail():
            return False
        raise PrometheusStartError(f"Prometheus exited with status {self.process.returncode} before it was "
                                   f"ready:\n{self.log_tail()}")

    def log_tail(self, lines=20):
        """The server's last `lines` log lines (warnings and errors)."""
        return "".join(list(self.log)[-lines:])

    def _stop(self):
        """SIGTERM, then SIGKILL if it has not exited within stop_timeout_s."""
        if self.process is None:
            return
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=self.stop_timeout_s)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self._drain.join(timeout=2)
        self.process.stderr.close()
        self.process = None

    def __exit__(self, *exc):
        """Stops the server and removes its directory."""
        self._stop()
        if self.directory:
            shutil.rmtree(self.directory, ignore_errors=True)
            self.directory = None

    def _api(self, path, params=None):
        """The `data` of a GET /api/v1/`path`; PrometheusQueryError on an error answer."""
        url = f"{self.url}/api/v1/{path}" + (f"?{urllib.parse.urlencode(params)}" if params else "")
        what = params.get("query", path) if params else path
        try:
            with self._opener.open(url, timeout=HTTP_TIMEOUT_S) as response:
                body = json.load(response)
        except urllib.error.HTTPError as error:  # 400/422/503 carry {"status": "error", "error": ...}
            try:
                detail = json.load(error).get("error", "")
            except ValueError:
                detail = ""
            raise PrometheusQueryError(f"Prometheus rejected {what!r}: HTTP {error.code} {detail}") from None
        except (urllib.error.URLError, OSError, ValueError) as error:
            raise PrometheusQueryError(f"Prometheus at {self.url} did not answer {what!r}: {error}") from None
        if body.get("status") != "success":
            raise PrometheusQueryError(f"Prometheus failed {what!r}: {body.get('error')}")
        return body["data"]

    def query(self, expr, at=None):
        """An instant query: [{"metric": labels, "value": float}] (NaN and ±Inf as floats) at Unix
        time `at` (default now); a scalar result is one entry with no labels."""
        params = {"query": expr} if at is None else {"query": expr, "time": f"{at:.3f}"}
        data = self._api("query", params)
        if data["resultType"] == "scalar":
            return [{"metric": {}, "value": float(data["result"][1])}]
        if data["resultType"] != "vector":
            raise PrometheusQueryError(f"{expr!r} is a {data['resultType']}, not an instant vector or scalar")
        return [{"metric": item["metric"], "value": float(item["value"][1])} for item in data["result"]]

    def scalar(self, expr, at=None):
        """The single value of `expr` at `at` (float), None when the result is empty;
        PrometheusQueryError when it has several series."""
        result = self.query(expr, at)
        if len(result) > 1:
            raise PrometheusQueryError(f"{expr!r} has {len(result)} series, not one: "
                                       f"{[item['metric'] for item in result]}")
        return result[0]["value"] if result else None

    def rules(self):
        """Every rule loaded: {"group", "name", "type" ("alerting"/"recording"), "state"
        ("inactive"/"pending"/"firing", None for a recording rule), "health" ("ok"/"err"/"unknown"
        before its first evaluation), "last_error", "last_evaluation" (Unix seconds or None),
        "active_alerts": [labels of each pending or firing alert]}."""
        return [{"group": group["name"], "name": rule["name"], "type": rule["type"],
                 "state": rule.get("state") if rule["type"] == "alerting" else None,
                 "health": rule["health"], "last_error": rule.get("lastError") or None,
                 "last_evaluation": _unix_time(rule["lastEvaluation"]) if rule.get("lastEvaluation") else None,
                 "active_alerts": [alert["labels"] for alert in rule.get("alerts") or []]}
                for group in self._api("rules")["groups"] for rule in group["rules"]]

    def _active_targets(self):
        return {target["labels"]["instance"]: target for target in self._api("targets")["activeTargets"]}

    def targets_up(self):
        """{target: whether its last scrape succeeded} (False before its first scrape)."""
        active = self._active_targets()
        return {target: active.get(target, {}).get("health") == "up" for target in self.targets}

    def wait_for_scrape(self, after_unix_time, timeout_s):
        """Blocks until every target has had a successful scrape that started after
        `after_unix_time` and whose samples are stored; returns a Unix time just after the latest
        of those scrapes (query `at` it to read them all). PrometheusTimeoutError past `timeout_s`."""
        deadline = time.monotonic() + timeout_s
        while True:
            active = self._active_targets()
            scraped = {target: _unix_time(active[target]["lastScrape"]) for target in self.targets
                       if target in active and active[target]["health"] == "up"}
            if len(scraped) == len(self.targets) and all(t is not None and t > after_unix_time
                                                         for t in scraped.values()):
                latest = max(scraped.values())
                # the target's status is reported before the scrape's samples are committed:
                # wait until its `up` sample is stored too
                stored = self.query(f'timestamp(up{{job="{JOB}"}})', at=latest + 0.001)
                if len(stored) == len(self.targets) and all(item["value"] > after_unix_time for item in stored):
                    return latest + 0.001
            if time.monotonic() > deadline:
                states = {target: (item.get("health"), item.get("lastScrape"), item.get("lastError"))
                          for target, item in active.items()}
                raise PrometheusTimeoutError(f"no successful scrape of every target after {after_unix_time:.3f} "
                                             f"within {timeout_s} s: {states}")
            time.sleep(POLL_S)

    def wait_for_rules(self, after_unix_time, timeout_s):
        """Blocks until every rule has been evaluated after `after_unix_time`; returns rules().
        PrometheusTimeoutError past `timeout_s`."""
        deadline = time.monotonic() + timeout_s
        while True:
            rules = self.rules()
            if rules and all(rule["last_evaluation"] is not None and rule["last_evaluation"] > after_unix_time
                             for rule in rules):
                return rules
            if time.monotonic() > deadline:
                late = [rule["name"] for rule in rules if not (rule["last_evaluation"] or 0) > after_unix_time]
                raise PrometheusTimeoutError(f"rules not evaluated after {after_unix_time:.3f} within "
                                             f"{timeout_s} s: {late or 'no rule loaded'}")
            time.sleep(POLL_S)


def bucket_bounds(value_ms, buckets):
    """(lower, upper) of the histogram bucket that holds `value_ms`, given the buckets' finite
    upper bounds in ascending order (`le` is inclusive); lower is 0 for the first bucket, as
    histogram_quantile takes it, and upper is inf beyond the last bound."""
    index = bisect_left(buckets, value_ms)
    lower = float(buckets[index - 1]) if index > 0 else 0.0
    upper = float(buckets[index]) if index < len(buckets) else math.inf
    return lower, upper


def quantile_error_bound(exact_ms, buckets):
    """The largest error histogram_quantile can make for a true percentile `exact_ms` with
    these bucket upper bounds: the width of the bucket holding it (linear interpolation puts
    the estimate somewhere in that bucket); inf in the +Inf bucket, where Prometheus answers
    the last finite bound whatever the truth."""
    lower, upper = bucket_bounds(exact_ms, buckets)
    return upper - lower
