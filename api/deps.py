"""Dependencies shared by the routers, as ``Annotated`` aliases."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from typing import Annotated

import redis
from fastapi import Depends, HTTPException, Request
from sqlalchemy.ext.asyncio import AsyncConnection
from sqlalchemy.orm import Session

from api.views import Signer, signer
from core.catalogue import CachedCatalogue, Catalogue, CatalogueError
from core.settings import Settings


async def get_settings(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


def get_session(request: Request) -> Iterator[Session]:
    with request.app.state.sessions.begin() as session:
        yield session


async def get_reader(request: Request) -> AsyncIterator[AsyncConnection]:
    """A connection of the async engine, for pages that only read: no worker thread, no commit."""
    async with request.app.state.reads.connect() as connection:
        yield connection


async def get_redis(request: Request) -> redis.Redis:
    client: redis.Redis = request.app.state.redis
    return client


def get_catalogue(request: Request) -> Catalogue:
    cache: CachedCatalogue = request.app.state.catalogue
    try:
        return cache.get()
    except CatalogueError as exc:
        raise HTTPException(503, f"the portal's catalogue is unavailable: {exc}") from exc


SettingsDep = Annotated[Settings, Depends(get_settings)]
SessionDep = Annotated[Session, Depends(get_session)]
ReaderDep = Annotated[AsyncConnection, Depends(get_reader)]
RedisDep = Annotated[redis.Redis, Depends(get_redis)]
CatalogueDep = Annotated[Catalogue, Depends(get_catalogue)]
SignerDep = Annotated[Signer, Depends(signer)]
