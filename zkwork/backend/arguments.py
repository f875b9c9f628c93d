"""Argument checks shared by every backend, so that both fail the same way."""


def check_msm_arguments(points, scalars):
    if len(points) != len(scalars):
        raise ValueError(f"msm needs as many scalars as points: {len(scalars)} != {len(points)}")
    if not len(points):
        raise ValueError("msm of no points: the group is unknown")
