"""The guide's load balancing (Load Balancer › Traffic Distribution): round-robin for the
proof tier, least connections for the verification tier. Each picks the server of an
arriving request among the tier's running servers, and says how regular the arrivals it
gives one server are (their squared coefficient of variation) and whether the tier then
behaves as one pooled queue (`pooled`), for the aggregate model."""
from zkwork.errors import UnknownNameError


class RoundRobin:
    """Servers in turn. Of a Poisson stream split over n servers, one server gets every n-th
    arrival: Erlang-n gaps, squared coefficient of variation 1/n. ("Connection affinity" is
    ignored: every request is a new connection here, an assumption.)"""

    name = "round-robin"
    pooled = False

    def __init__(self):
        self._turn = 0

    def pick(self, servers, now):
        """The next server in turn."""
        self._turn += 1
        return servers[self._turn % len(servers)]

    @staticmethod
    def arrival_scv(servers):
        """Squared coefficient of variation of one server's inter-arrival times: 1/n."""
        return 1 / max(servers, 1)


class LeastConnections:
    """The server with the fewest requests in flight (the first of them on a tie). With FCFS
    servers a request then waits only when every slot of the tier is busy, or nearly: the
    tier is close to one queue over all its slots (`pooled`), an approximation the tests
    check against request-level runs."""

    name = "least-connections"
    pooled = True

    def pick(self, servers, now):
        """The running server with the fewest requests admitted and not finished."""
        return min(servers, key=lambda server: server.in_system(now))

    @staticmethod
    def arrival_scv(servers):
        """1: the pooled queue's arrivals are the tier's Poisson stream."""
        return 1.0


BALANCERS = {RoundRobin.name: RoundRobin, LeastConnections.name: LeastConnections}


def make_balancer(name):
    """A new balancer of policy `name` ('round-robin' or 'least-connections')."""
    if name not in BALANCERS:
        raise UnknownNameError(f"unknown balancing policy {name!r}; the policies are {', '.join(BALANCERS)}")
    return BALANCERS[name]()
