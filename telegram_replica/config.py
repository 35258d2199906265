"""What a test can tune about the replica: the token it accepts, Telegram's flood limits, blocked chats."""

from pydantic import BaseModel, ConfigDict, Field


class RateLimit(BaseModel):
    """At most ``count`` messages in any window of ``period`` seconds."""

    model_config = ConfigDict(frozen=True)

    count: int = Field(gt=0)
    period: float = Field(default=1.0, gt=0)


class ReplicaConfig(BaseModel):
    """Everything configurable; ``None`` switches a limit off (the default, unlike real Telegram)."""

    model_config = ConfigDict(frozen=True)

    token: str | None = None
    global_limit: RateLimit | None = None
    per_chat_limit: RateLimit | None = None
    blocked_chats: frozenset[int] = frozenset()
    bot_first_name: str = "MTA Replica Bot"
    bot_username: str = "mta_replica_bot"
