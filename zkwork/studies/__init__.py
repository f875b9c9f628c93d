"""The report's studies, one module each: Params -> run -> Result -> figures (see
zkwork.studies.base). STUDIES maps a study's name to its module, in the report's order: each
has its own notebook. EMBEDDED holds the studies that run inside another study's notebook
(their NOTEBOOK names it), so the report runs them with it and not on their own; get_study
finds them by name."""
from zkwork.studies import audit, budgets, ceremony, fleet, latency, load_test, monitoring, setup_steps, throughput
from zkwork.studies.base import StudyError

STUDIES = {module.NAME: module for module in (budgets, latency, throughput, load_test, fleet, monitoring, audit,
                                              ceremony)}
EMBEDDED = {setup_steps.NAME: setup_steps}


def get_study(name):
    """The study module called `name` (or whose notebook is called `name`; an embedded study
    by its name only, its notebook being its host's)."""
    for module in STUDIES.values():
        if name in (module.NAME, module.NOTEBOOK):
            return module
    if name in EMBEDDED:
        return EMBEDDED[name]
    raise StudyError(f"unknown study {name!r}; the studies are {', '.join([*STUDIES, *EMBEDDED])}")


__all__ = ["EMBEDDED", "STUDIES", "StudyError", "get_study"]
