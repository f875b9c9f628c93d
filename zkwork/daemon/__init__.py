"""A resident prover: a local process holding warm kernels and parsed keys, which the `zkwork`
command line forwards its resident verbs to over a Unix socket (zkwork daemon start)."""
