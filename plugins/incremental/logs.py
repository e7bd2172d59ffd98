"""Warnings and errors kept aside while work happens elsewhere, to be logged again later."""

import logging
from dataclasses import dataclass


@dataclass(frozen=True)
class LoggedRecord:
    """A warning or error logged while reading or rendering, to be logged again later."""

    name: str
    level: int
    message: str
    arguments: tuple


class RecordCollector(logging.Handler):
    """Keep the warnings and errors logged while it is installed, instead of printing them."""

    def __init__(self) -> None:
        super().__init__(level=logging.WARNING)
        self.records: list[LoggedRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        """Keep the record with its arguments as plain values."""
        arguments = record.args if isinstance(record.args, tuple) else ()
        plain = tuple(a if isinstance(a, str | int | float) else str(a) for a in arguments)
        message = str(record.msg) if arguments else record.getMessage()
        self.records.append(LoggedRecord(record.name, record.levelno, message, plain))


def collecting_records(action):
    """Run action with every warning and error kept aside; return its result and the records."""
    root = logging.getLogger()
    collector = RecordCollector()
    saved = root.handlers[:]
    root.handlers = [collector]
    try:
        return action(), collector.records
    finally:
        root.handlers = saved


def replay(records: list[LoggedRecord]) -> None:
    """Log kept records again, so they reach this build's handlers."""
    for record in records:
        logger_of_record = logging.getLogger(record.name)
        made = logger_of_record.makeRecord(
            record.name, record.level, "(replayed)", 0, record.message, record.arguments, None
        )
        # Straight to the handlers: Pelican's loggers drop a message they have passed once, and
        # a cold read passed it while it was being kept aside, so logging it again would lose it.
        logger_of_record.callHandlers(made)
