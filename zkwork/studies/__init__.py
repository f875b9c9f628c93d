"""The report's studies, one module each: Params -> run -> Result -> figures (see
zkwork.studies.base). STUDIES maps a study's name to its module, in the report's order."""
from zkwork.studies import audit, budgets, ceremony, fleet, latency, load_test, monitoring, throughput
from zkwork.studies.base import StudyError

STUDIES = {module.NAME: module for module in (budgets, latency, throughput, load_test, fleet, monitoring,
                                                              audit, ceremony)}


def get_study(name):
    """The study module called `name` (or whose notebook is called `name`)."""
    for module in STUDIES.values():
        if name in (module.NAME, module.NOTEBOOK):
            return module
    raise StudyError(f"unknown study {name!r}; the studies are {', '.join(STUDIES)}")


__all__ = ["STUDIES", "StudyError", "get_study"]
