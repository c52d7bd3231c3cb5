"""Station <-> hub replication: the hub server, the push/pull protocol, conflicts and the worker."""
