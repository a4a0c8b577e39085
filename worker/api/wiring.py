"""The support API's dependencies: built by the composition root
(:mod:`worker.bootstrap.support`), re-exported here for the API's routers."""

from worker.bootstrap.support import SupportServices, build_support_services

__all__ = ["SupportServices", "build_support_services"]
