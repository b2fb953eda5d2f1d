"""A small 山西 plan with two departments, its personas, a 江苏 stranger and a test SMTP server.

山西 2021–2035: indicator ``standards`` (no task: the coordinating 省市场监管局 owes it),
``centers`` (in task 1, led by 省科技厅), and task 1 itself (省科技厅). 江苏 has a plan of its own.
"""

from __future__ import annotations

import datetime as dt
import socket
from dataclasses import dataclass, field
from decimal import Decimal
from email import message_from_bytes
from email.header import decode_header, make_header
from typing import Any

import pytest

from provinces.models import Department, PolicyDocument, Province, Role
from targets.models import Indicator
from tasks.models import Task
from tests import factories as f


@dataclass
class Plan:
    sx: Province
    js: Province
    doc: PolicyDocument
    js_doc: PolicyDocument
    market: Department
    science: Department
    standards: Indicator
    centers: Indicator
    task: Task
    users: dict[str, Any] = field(default_factory=dict)


def build_plan() -> Plan:
    sx = f.make_province(code="SX", name="山西", full_name="山西省")
    js = f.make_province(code="JS", name="江苏", full_name="江苏省")
    doc = f.make_document(province=sx, slug="sx-2021", title="山西省计量发展规划实施意见")
    js_doc = f.make_document(province=js, slug="js-2022", title="江苏省计量发展规划实施意见")
    market = f.make_department(province=sx, name="省市场监管局")
    science = f.make_department(province=sx, name="省科技厅")
    task = f.make_task(document=doc, number="1", title="加强计量科技创新")
    f.make_assignment(task=task, department=science, role="lead")
    f.make_assignment(task=task, department=market, role="support")
    standards = f.make_indicator(document=doc, code="standards", name="社会公用计量标准")
    f.make_target(indicator=standards, year=2035, value=Decimal("1200"))
    centers = f.make_indicator(
        document=doc,
        code="centers",
        name="省级产业计量测试中心",
        unit="个",
        measure_kind="cumulative",
        task=task,
    )
    f.make_target(indicator=centers, year=2025, value=Decimal("15"))
    js_standards = f.make_indicator(document=js_doc, code="standards", name="江苏计量标准")
    f.make_target(indicator=js_standards, year=2035, value=Decimal("5000"))
    plan = Plan(sx, js, doc, js_doc, market, science, standards, centers, task)
    plan.users = {
        "sx_reporter": f.make_user(
            role=Role.REPORTER,
            province=sx,
            department=market,
            username="sx-market",
            email="market@sx.example.cn",
        ),
        "sx_science": f.make_user(
            role=Role.REPORTER,
            province=sx,
            department=science,
            username="sx-science",
            email="science@sx.example.cn",
        ),
        "sx_reviewer": f.make_user(
            role=Role.REVIEWER, province=sx, username="sx-reviewer", email="reviewer@sx.example.cn"
        ),
        "js_reporter": f.make_user(
            role=Role.REPORTER, province=js, username="js-reporter", email="r@js.example.cn"
        ),
        "leader": f.make_user(role=Role.LEADER, username="leader", email="leader@example.cn"),
    }
    return plan


@pytest.fixture
def plan(db) -> Plan:
    return build_plan()


@pytest.fixture
def q4(plan):
    """山西's 2026 Q4 round, open, deadline 2027-01-15."""
    from rounds.services import round_create

    found, _ = round_create(
        document=plan.doc,
        period_kind="quarter",
        year=2026,
        number=4,
        opens_on=dt.date(2026, 12, 1),
        deadline=dt.date(2027, 1, 15),
    )
    return found


def login(client, user):
    client.force_login(user)
    return client


# --- a real SMTP server ------------------------------------------------------------------------


class Mailbox:
    """Keeps what the test SMTP server received: (envelope recipients, parsed message)."""

    def __init__(self) -> None:
        self.messages: list[tuple[list[str], Any]] = []

    async def handle_DATA(self, server, session, envelope):
        self.messages.append((list(envelope.rcpt_tos), message_from_bytes(envelope.content)))
        return "250 Message accepted for delivery"

    def to(self, address: str) -> list[Any]:
        return [message for rcpts, message in self.messages if address in rcpts]


def subject(message) -> str:
    return str(make_header(decode_header(message["Subject"])))


def body(message) -> str:
    payload = message.get_payload(decode=True)
    return payload.decode(message.get_content_charset() or "utf-8")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def smtp_server(settings):
    """An aiosmtpd server on 127.0.0.1 and a free port; Django's SMTP backend points at it."""
    from aiosmtpd.controller import Controller

    mailbox = Mailbox()
    port = free_port()
    controller = Controller(mailbox, hostname="127.0.0.1", port=port)
    controller.start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_PORT = port
    settings.EMAIL_USE_TLS = False
    settings.EMAIL_USE_SSL = False
    settings.EMAIL_HOST_USER = ""
    settings.EMAIL_HOST_PASSWORD = ""
    settings.DEFAULT_FROM_EMAIL = "tracker@example.cn"
    mailbox.port = port
    mailbox.controller = controller
    try:
        yield mailbox
    finally:
        mailbox.controller.stop()
