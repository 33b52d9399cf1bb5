"""Personal data never reaches a log file: messages, tracebacks, extras, Sanic's loggers."""

from __future__ import annotations

import copy
import logging
import logging.config
from collections.abc import Iterator
from pathlib import Path

import pytest
from sanic.log import LOGGING_CONFIG_DEFAULTS

from bot.settings import REDACTABLE_KINDS
from bot.transcripts.log_redaction import (
    RedactingFilter,
    install_log_redaction,
    uninstall_log_redaction,
)
from bot.transcripts.redaction import Redactor

PHONE = "13812345678"
EMAIL = "buyer@qq.com"
FORMAT = "%(levelname)s %(name)s: %(message)s"


@pytest.fixture
def redactor() -> Redactor:
    return Redactor(REDACTABLE_KINDS)


@pytest.fixture
def clean_logging() -> Iterator[None]:
    """Restore the record factory; drop the handlers a test added; restore levels."""
    factory = logging.getLogRecordFactory()
    saved = {
        id(lg): (lg.handlers[:], lg.level, lg.propagate, lg.disabled)
        for lg in [logging.getLogger(), *_known_loggers()]
    }
    yield
    uninstall_log_redaction()
    logging.setLogRecordFactory(factory)
    for logger in [logging.getLogger(), *_known_loggers()]:
        handlers, level, propagate, disabled = saved.get(
            id(logger), ([], logging.NOTSET, True, False)
        )
        for handler in [h for h in logger.handlers if h not in handlers]:
            logger.removeHandler(handler)
            handler.close()
        logger.setLevel(level)
        logger.propagate, logger.disabled = propagate, disabled


def _known_loggers() -> list[logging.Logger]:
    return [
        lg for lg in logging.Logger.manager.loggerDict.values() if isinstance(lg, logging.Logger)
    ]


def _file_logger(name: str, path: Path, propagate: bool = False) -> logging.Logger:
    handler = logging.FileHandler(path, encoding="utf-8")
    handler.setFormatter(logging.Formatter(FORMAT))
    logger = logging.getLogger(name)
    logger.handlers[:] = [handler]
    logger.setLevel(logging.INFO)
    logger.propagate = propagate
    return logger


def _read(path: Path) -> str:
    for handler in logging.getLogger().handlers + [
        h for lg in _known_loggers() for h in lg.handlers
    ]:
        handler.flush()
    return path.read_text(encoding="utf-8")


def test_the_filter_redacts_the_formatted_message(
    redactor: Redactor, tmp_path: Path, clean_logging: None
) -> None:
    log = _file_logger("test.redaction.filter", tmp_path / "filter.log")
    log.handlers[0].addFilter(RedactingFilter(redactor))
    log.info("call back %s or write to %s", PHONE, EMAIL)
    log.info("order %s for %(no)s", PHONE)  # a bad format string: logged, redacted
    text = _read(tmp_path / "filter.log")
    assert "call back 【电话号码】 or write to 【邮箱】" in text
    assert "order %s for %(no)s ('【电话号码】',)" in text
    assert PHONE not in text and EMAIL not in text


def test_a_clean_message_keeps_its_format_and_args(redactor: Redactor) -> None:
    record = logging.LogRecord("t", logging.INFO, __file__, 1, "order %s", ("202611150001",), None)
    RedactingFilter(redactor).filter(record)
    assert (record.msg, record.args) == ("order %s", ("202611150001",))


def test_the_filter_redacts_tracebacks(
    redactor: Redactor, tmp_path: Path, clean_logging: None
) -> None:
    log = _file_logger("test.redaction.traceback", tmp_path / "traceback.log")
    log.handlers[0].addFilter(RedactingFilter(redactor))
    try:
        raise ValueError(f"no such buyer phone {PHONE}")
    except ValueError:
        log.exception("lookup failed")
    text = _read(tmp_path / "traceback.log")
    assert "ValueError: no such buyer phone 【电话号码】" in text
    assert "Traceback (most recent call last)" in text
    assert PHONE not in text


def test_install_covers_every_logger_and_handlers_added_later(
    redactor: Redactor, tmp_path: Path, clean_logging: None
) -> None:
    root_handler = logging.FileHandler(tmp_path / "root.log", encoding="utf-8")
    logging.getLogger().addHandler(root_handler)
    logging.getLogger().setLevel(logging.INFO)
    own = _file_logger("test.redaction.own", tmp_path / "own.log")  # like "bot"
    install_log_redaction(redactor)
    later = _file_logger("test.redaction.later", tmp_path / "later.log")

    logging.getLogger("test.redaction.child").info("buyer said %s", PHONE)
    own.warning("buyer said %s", PHONE)
    later.error("buyer said %s", PHONE)

    for name in ("root.log", "own.log", "later.log"):
        text = _read(tmp_path / name)
        assert "buyer said 【电话号码】" in text, name
        assert PHONE not in text, name


def test_records_made_without_the_factory_are_redacted_at_the_handlers(
    redactor: Redactor, tmp_path: Path, clean_logging: None
) -> None:
    log = _file_logger("test.redaction.queue", tmp_path / "queue.log")
    install_log_redaction(redactor)
    record = logging.makeLogRecord(
        {"name": log.name, "levelno": logging.INFO, "levelname": "INFO", "msg": PHONE}
    )
    log.handle(record)
    assert PHONE not in _read(tmp_path / "queue.log")


def test_sanic_loggers_and_access_log_extras_are_redacted(
    redactor: Redactor, tmp_path: Path, clean_logging: None
) -> None:
    config = copy.deepcopy({k: v for k, v in LOGGING_CONFIG_DEFAULTS.items() if k != "handlers"})
    config["handlers"] = {  # Sanic's handlers, writing to files instead of stdout/stderr
        name: {
            **{k: v for k, v in handler.items() if k != "stream"},
            "filename": str(tmp_path / f"{name}.log"),
            "class": "logging.FileHandler",
        }
        for name, handler in LOGGING_CONFIG_DEFAULTS["handlers"].items()
    }
    logging.config.dictConfig(config)  # what Sanic(...) does when an app is created
    install_log_redaction(redactor)

    logging.getLogger("sanic.error").error("handler failed for %s", EMAIL)
    logging.getLogger("sanic.access").info(
        "",
        extra={"status": 200, "byte": 2, "host": "127.0.0.1:8000", "request": f"GET /x?p={PHONE}"},
    )

    error_log = _read(tmp_path / "error_console.log")
    access_log = _read(tmp_path / "access_console.log")
    assert "handler failed for 【邮箱】" in error_log
    assert "GET /x?p=【电话号码】" in access_log
    assert EMAIL not in error_log and PHONE not in access_log


def test_installing_twice_replaces_the_redactor(tmp_path: Path, clean_logging: None) -> None:
    log = _file_logger("test.redaction.twice", tmp_path / "twice.log")
    install_log_redaction(Redactor(["email"]))
    install_log_redaction(Redactor(["phone"]))
    assert sum(isinstance(f, RedactingFilter) for f in log.handlers[0].filters) == 1
    log.info("%s %s", PHONE, EMAIL)
    assert f"【电话号码】 {EMAIL}" in _read(tmp_path / "twice.log")


def test_uninstall_restores_plain_logging(
    redactor: Redactor, tmp_path: Path, clean_logging: None
) -> None:
    factory = logging.getLogRecordFactory()
    log = _file_logger("test.redaction.off", tmp_path / "off.log")
    install_log_redaction(redactor)
    uninstall_log_redaction()
    assert logging.getLogRecordFactory() is factory
    assert log.handlers[0].filters == []
    log.info("%s", PHONE)
    assert PHONE in _read(tmp_path / "off.log")
