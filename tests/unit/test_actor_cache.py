"""The gateway's few-seconds cache of who is asking: kept for its TTL, forgotten at once when told."""

from __future__ import annotations

from bot.actors import ActorCache
from domains.identity.model import UserView


def a_user(user_id: str, role: str = "worker") -> UserView:
    return UserView(user_id, user_id, None, None, role, True)  # type: ignore[arg-type]


class Ticks:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def test_a_user_is_kept_for_the_ttl_then_read_again() -> None:
    clock = Ticks()
    cache = ActorCache(ttl_s=3.0, clock=clock)
    cache.put(a_user("U1"))
    clock.now += 2.9
    assert cache.get("U1") == a_user("U1")
    clock.now += 0.1
    assert cache.get("U1") is None
    assert cache.get("U2") is None


def test_forgetting_a_user_reads_them_afresh_next_time() -> None:
    cache = ActorCache(ttl_s=3.0, clock=Ticks())
    cache.put(a_user("U1"))
    cache.forget("U1")
    cache.forget("UNEVER")  # forgetting someone never kept is fine
    assert cache.get("U1") is None
    cache.put(a_user("U1", "manager"))
    assert cache.get("U1") == a_user("U1", "manager")
