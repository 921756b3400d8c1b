"""The composition root: settings, database, bus and every consumer group, for either runtime."""

from __future__ import annotations

import logging
import os
import socket
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import TypeVar

from slack_sdk import WebClient
from sqlalchemy import Engine, Table
from sqlalchemy.orm import Session, sessionmaker

from bot.home import HOME_DELAY_S, HomeRefresher
from bot.home_queue import HomeQueue, MemoryHomeQueue, RedisHomeQueue
from bot.notifier import Notifier
from bot.services import Services
from domains.accounting.handlers import AccountingUnitOfWork
from domains.accounting.handlers import register_commands as register_accounting_commands
from domains.accounting.model import PriceDraw
from domains.accounting.tables import outbox as accounting_outbox
from domains.analytics.tables import outbox as analytics_outbox
from domains.identity import handlers as identity
from domains.identity.commands import ChangeRole, SyncProfiles
from domains.identity.tables import outbox as identity_outbox
from domains.kernel.bus import StreamBus
from domains.kernel.clock import utcnow
from domains.kernel.commands import Command, CommandBus
from domains.kernel.consumer import Applier, Consumer, RetryPolicy
from domains.kernel.db import make_engine, make_session_factory
from domains.kernel.memory_bus import MemoryBus
from domains.kernel.once import MemoryOnce, OnceGuard, RedisOnce
from domains.kernel.redis_bus import RedisBus, connect
from domains.kernel.relay import run_relay
from domains.kernel.settings import Settings
from domains.kernel.unit_of_work import UnitOfWork
from domains.tasks import handlers as tasks
from domains.tasks.commands import CompleteTask, CreateTask, DeleteTask, EditTask, ShuffleTasks
from domains.tasks.tables import outbox as tasks_outbox
from jobs.daily_close import run_daily_close
from jobs.groups import GROUPS, group_named
from jobs.migrations import upgrade

log = logging.getLogger(__name__)
OUTBOXES: list[Table] = [identity_outbox, tasks_outbox, accounting_outbox, analytics_outbox]
C = TypeVar("C", bound=Command)
R = TypeVar("R")


@dataclass
class Runtime:
    settings: Settings
    engine: Engine
    sessions: sessionmaker[Session]
    bus: StreamBus
    once: OnceGuard
    prices: PriceDraw = field(default_factory=PriceDraw)
    clock: Callable[[], datetime] = utcnow

    @classmethod
    def build(cls, settings: Settings, *, answering: bool = False) -> Runtime:
        """`answering`: for a gateway, whose database and Redis calls are bounded to answer Slack in time."""
        if settings.embedded:
            settings.ates_data_dir.mkdir(parents=True, exist_ok=True)
        engine = make_engine(settings.sqlalchemy_url, answering=answering)
        bus: StreamBus
        once: OnceGuard
        if settings.redis_url:
            client = connect(settings.redis_url, answering=answering)
            bus, once = RedisBus(client, settings.ates_stream_prefix), RedisOnce(client, settings.ates_stream_prefix)
        else:
            bus, once = MemoryBus(), MemoryOnce()
        return cls(settings, engine, make_session_factory(engine), bus, once, clock=settings.start_clock())

    def close(self) -> None:
        """Release the database pool and the Redis connection (for short-lived commands)."""
        self.engine.dispose()
        if isinstance(self.bus, RedisBus):
            self.bus.client.close()

    def migrate(self) -> None:
        upgrade(self.settings.sqlalchemy_url)

    def services(self) -> Services:
        """What the Slack listeners, and the requests they leave to the `requests` group, need."""
        return Services(self.settings, self.sessions, self.bus, self.commands(), once=self.once, clock=self.clock)

    def commands(self) -> CommandBus:
        """Each command's one handler, registered by its class, each run in a fresh unit of work of its domain."""
        return domain_commands(self.sessions, self.accounting_uow, self.clock)

    def accounting_uow(self) -> AccountingUnitOfWork:
        return AccountingUnitOfWork(self.sessions, self.prices, self.settings.timezone, self.clock)

    def applier(self, group: str, client: WebClient) -> Applier:
        """The consumer group `group`, wired to this runtime."""
        declared = group_named(group)
        applier = declared.build(self, client)
        if (applier.group, tuple(applier.topics)) != (declared.name, declared.topics):
            raise RuntimeError(f"{group}: built as {applier.group} on {applier.topics}, declared on {declared.topics}")
        return applier

    def home_queue(self) -> HomeQueue:
        delay_s, interval_s = HOME_DELAY_S, self.settings.ates_home_publish_interval_s
        if isinstance(self.bus, RedisBus):
            return RedisHomeQueue(self.bus.client, self.settings.ates_stream_prefix, delay_s, interval_s)
        return MemoryHomeQueue(delay_s, interval_s)

    def consumer(self, group: str, client: WebClient, stop: threading.Event | None = None) -> Consumer:
        name = f"{socket.gethostname()}-{os.getpid()}-{threading.get_ident()}"
        applier = self.applier(group, client)
        if isinstance(applier, Notifier) and stop is not None:
            applier.stop_with(stop)
        if isinstance(applier, HomeRefresher | Notifier):
            applier.resume()  # publish or send what an earlier run left queued
        return Consumer(self.bus, applier, name, policy=self.retry_policy(), batch=self.settings.ates_consumer_batch)

    def retry_policy(self) -> RetryPolicy:
        return RetryPolicy(
            max_attempts=self.settings.ates_max_attempts,
            backoff_s=self.settings.ates_retry_backoff_ms / 1000,
            reclaim_idle_s=self.settings.ates_reclaim_idle_ms / 1000,
        )

    def ensure_groups(self) -> None:
        """Create every consumer group on its streams, so trimming keeps what a group not yet started needs."""
        for group in GROUPS:
            self.bus.ensure_group(group.name, list(group.topics))

    def relay(self, stop: threading.Event) -> None:
        """Move every outbox to the bus until `stop` is set, trimming what every group acknowledged."""
        run_relay(self.engine, OUTBOXES, self.bus, stop, trim_every_s=self.settings.ates_trim_interval_s)

    def start_embedded_workers(self, client: WebClient, stop: threading.Event) -> list[threading.Thread]:
        """Run the relay, every consumer group and the daily close as threads of this process (the embedded runtime)."""
        threads = [
            threading.Thread(target=self.relay, args=(stop,), name="relay", daemon=True),
            threading.Thread(target=run_daily_close, args=(self.commands(), stop), name="close", daemon=True),
        ]
        for group in GROUPS:
            consumer = self.consumer(group.name, client, stop)
            threads.append(threading.Thread(target=consumer.run, args=(stop, 200), name=group.name, daemon=True))
        for thread in threads:
            thread.start()
        return threads


def domain_commands(
    sessions: sessionmaker[Session],
    accounting_uow: Callable[[], AccountingUnitOfWork],
    clock: Callable[[], datetime] = utcnow,
) -> CommandBus:
    """Every domain's orders on one bus, each handler in a fresh unit of work of its own domain."""
    bus = CommandBus()

    def tasks_(handler: Callable[[UnitOfWork, C], R]) -> Callable[[C], R]:
        return lambda command: handler(tasks.unit_of_work(sessions, clock), command)

    def identity_(handler: Callable[[UnitOfWork, C], R]) -> Callable[[C], R]:
        return lambda command: handler(identity.unit_of_work(sessions, clock), command)

    bus.register(CreateTask, tasks_(tasks.create_task))
    bus.register(EditTask, tasks_(tasks.edit_task))
    bus.register(DeleteTask, tasks_(tasks.delete_task))
    bus.register(CompleteTask, tasks_(tasks.complete_task))
    bus.register(ShuffleTasks, tasks_(tasks.shuffle_tasks))
    bus.register(ChangeRole, identity_(identity.change_role))
    bus.register(SyncProfiles, identity_(identity.sync_profiles))
    register_accounting_commands(bus, accounting_uow)
    return bus
