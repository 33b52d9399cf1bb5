"""Personal data out of the logs: a handler filter, and a record factory for every logger.

:func:`install_log_redaction` covers, in the process that calls it:

- every record made by a logger (``log.info(...)``, ``log.exception(...)``) whatever the
  logger and whatever the handler, including handlers added later (Sanic replaces the
  handlers of ``sanic.root``, ``sanic.error`` and ``sanic.access`` through ``dictConfig``
  when an app is created; Rasa installs coloredlogs on the root logger): a log record
  factory redacts the message (``msg % args``), the exception text and the stack as the
  record is made;
- in addition, at every handler that exists at install time (the root's, those of every
  logger known then, such as ``bot``, ``sanic.*``, ``rasa.*``, and ``logging.lastResort``):
  string ``extra`` fields (Sanic's access log puts the URL in ``request`` and ``host``),
  and records made without the factory (``logging.makeLogRecord``: from a socket or a
  queue).

Not covered: string ``extra`` fields at handlers added after the install (install again
after configuring logging to include them), text written without logging (``print``,
tracebacks of uncaught exceptions printed by ``sys.excepthook``, Sanic's banner), and
other processes (the Rasa server and the action server need their own install, or never
see personal data because the gateway redacts lines before sending them).
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from typing import Any

from bot.transcripts.redaction import Redactor

# Attributes every LogRecord has: anything else on a record came in through ``extra``.
_STANDARD = frozenset(vars(logging.makeLogRecord({}))) | {"message", "asctime"}
_TRACEBACKS = logging.Formatter()


class RedactingFilter(logging.Filter):
    """A handler filter that redacts personal data from every record it sees (drops none)."""

    def __init__(self, redactor: Redactor) -> None:
        """Redact with ``redactor``."""
        super().__init__()
        self.redactor = redactor

    def filter(self, record: logging.LogRecord) -> bool:
        """Redact the record's message, exception text, stack and string extras in place."""
        redact_record(record, self.redactor)  # again: makeLogRecord sets msg after the factory
        _redact_extras(record, self.redactor)
        return True


def redact_record(record: logging.LogRecord, redactor: Redactor) -> None:
    """Redact ``record``'s message, exception text and stack in place.

    A message that holds nothing to redact is left as it was (``msg`` and ``args`` kept
    for handlers that group by them); one that does becomes its redacted text, without args.
    """
    message = _message(record)
    redacted = redactor.redact(message)
    if redacted != message:
        record.msg, record.args = redacted, None
    if record.exc_info and not record.exc_text:
        record.exc_text = _TRACEBACKS.formatException(record.exc_info)
    if record.exc_text:
        redacted = redactor.redact(record.exc_text)
        if redacted != record.exc_text:
            # Formatters print exc_text when it is set; without exc_info no handler can
            # format the exception (and its message) again on its own.
            record.exc_text, record.exc_info = redacted, None
    if record.stack_info:
        record.stack_info = redactor.redact(record.stack_info)


def _message(record: logging.LogRecord) -> str:
    try:
        return record.getMessage()
    except (TypeError, ValueError, KeyError):
        # A bad format string: logging would print msg and args to stderr as they are.
        return f"{record.msg} {record.args!r}"


def _redact_extras(record: logging.LogRecord, redactor: Redactor) -> None:
    extras = {
        key: value
        for key, value in vars(record).items()
        if key not in _STANDARD and isinstance(value, str)
    }
    for key, value in extras.items():
        setattr(record, key, redactor.redact(value))


class _RedactingFactory:
    """A log record factory that redacts each record the previous factory makes."""

    def __init__(self, previous: Callable[..., logging.LogRecord], redactor: Redactor) -> None:
        self.previous = previous
        self.redactor = redactor

    def __call__(self, *args: Any, **kwargs: Any) -> logging.LogRecord:
        record = self.previous(*args, **kwargs)
        redact_record(record, self.redactor)
        return record


def install_log_redaction(redactor: Redactor) -> None:
    """Redact personal data from every log record of this process from now on.

    Installs the record factory and adds a :class:`RedactingFilter` to every handler that
    exists now (see the module's docstring for what is covered). Installing again
    replaces the redactor rather than stacking a second one; call it again after
    configuring logging anew so that new handlers get the filter too.
    """
    uninstall_log_redaction()
    logging.setLogRecordFactory(_RedactingFactory(logging.getLogRecordFactory(), redactor))
    log_filter = RedactingFilter(redactor)
    for handler in _handlers():
        handler.addFilter(log_filter)


def uninstall_log_redaction() -> None:
    """Undo :func:`install_log_redaction`: restore the record factory, remove the filters."""
    factory = logging.getLogRecordFactory()
    if isinstance(factory, _RedactingFactory):
        logging.setLogRecordFactory(factory.previous)
    for handler in _handlers():
        for log_filter in list(handler.filters):
            if isinstance(log_filter, RedactingFilter):
                handler.removeFilter(log_filter)


def _handlers() -> Iterator[logging.Handler]:
    loggers = [logging.getLogger()] + [
        logger
        for logger in logging.Logger.manager.loggerDict.values()
        if isinstance(logger, logging.Logger)
    ]
    seen: set[int] = set()
    for handler in [h for logger in loggers for h in logger.handlers] + [logging.lastResort]:
        if handler is not None and id(handler) not in seen:
            seen.add(id(handler))
            yield handler
