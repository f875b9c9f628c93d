"""The guide's fleet over a day, by discrete-event simulation (issue #17). Its closed forms
(Erlang C, M/M/c and Allen-Cunneen waits) are zkwork.queueing's; the guide's
figures (autoscaler rules, balancers, prices, SLAs) are zkwork.capacity.GUIDE_PLAN's.

    traffic.py         arrival-rate profiles: diurnal day, migration phases, flash crowd, zone failure
    servers.py         measured service times scaled per core; one FCFS server, request by request
    balancer.py        round-robin (proofs) and least-connections (verification)
    aggregate.py       a tier's servers stepped per second: fluid backlog plus steady-state G/G/c
    autoscaler.py      the guide's scaling rules, evaluation interval, cooldowns, start-up delay
    model.py           the SimPy model: request-level servers and the per-second aggregate fleet
    results.py         per-minute tables and the run's SLA, server-hours and cost summary
    sweep.py           parameter sweeps on dask, with a progress bar
    sizing.py          the smallest static fleet meeting the SLA at a constant rate

model.py needs simpy (not a dependency of `import zkwork`); sweep.py needs the throughput extra.
"""
