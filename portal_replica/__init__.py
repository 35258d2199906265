"""Local replica of the City of Munich appointment portal (citizen API + booking page), for tests and demos."""

from .app import create_app
from .config import ReplicaConfig
from .replica import Replica

__all__ = ["Replica", "ReplicaConfig", "create_app"]
