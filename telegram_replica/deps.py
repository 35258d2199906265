"""The one replica an app serves, as a FastAPI dependency."""

from typing import Annotated

from fastapi import Depends, Request

from telegram_replica.replica import Replica


def get_replica(request: Request) -> Replica:
    replica: Replica = request.app.state.replica
    return replica


ReplicaDep = Annotated[Replica, Depends(get_replica)]
