"""Read-only lookups shared by the CLI and the support API: no writes, no business rules.

* :mod:`worker.queries.notifications`: notifications with their events (``status``),
  and the streaming export;
* :mod:`worker.queries.dead_letters`: rejected bodies;
* :mod:`worker.queries.support`: what support is told (explanations, health, reports).
"""
