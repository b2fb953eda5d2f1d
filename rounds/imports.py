"""The web import of a round's sheet, as staff use Excel: a template to fill, an upload that is
checked in the background (rows checked so far shown), a preview of every row, and a confirm
that stores all or nothing, once.

Reading and checking is ``targets.progress_import.parse_sheet`` and storing is its ``store``:
the same rules, messages and matching as the command line, never a second parser. What this
module adds is the round: the template lists the round's due indicators; rows must report the
round's period; rows without a reporting unit get the uploader's department; the preview
(kept in the shared cache, so any gunicorn worker can show and confirm it) says per row what
confirming will do.
"""

from __future__ import annotations

import datetime as dt
import io
import secrets
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.utils import timezone
from django.utils.translation import gettext
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.worksheet.datavalidation import DataValidation

from provinces import access
from provinces.models import Department, ReviewStatus
from rounds.models import ReportingRound
from rounds.selectors import round_completeness
from targets import progress_import
from targets.models import Indicator, ProgressReport, plain_number
from targets.progress_import import ImportOutcome, ParsedSheet, RowError

PREVIEW_SECONDS = 60 * 60 * 6
KEY = "rounds-import:{token}"

# (Chinese header that parse_sheet reads, the English shown above it, width)
TEMPLATE_COLUMNS = (
    ("省份", "Province", 8),
    ("文件", "Document (slug)", 12),
    ("指标", "Indicator code", 30),
    ("原文名称", "Name as printed (reference)", 36),
    ("计量单位", "Unit (reference)", 10),
    ("目标值", "Target (reference)", 18),
    ("最近审核值", "Last approved value (reference)", 14),
    ("最近审核日期", "Last approved on (reference)", 14),
    ("截至日期", "As-of date (YYYY-MM-DD)", 14),
    ("数值", "Value — fill in", 12),
    ("是否完成", "Done? (milestones: 是/否)", 12),
    ("填报单位", "Reporting department", 20),
    ("备注", "Note", 30),
)
HEADER_ROW = 3


# --- the template -----------------------------------------------------------------------------


def template_indicators(round: ReportingRound, user: Any) -> tuple[list[int], dict[int, str]]:
    """The indicators the template lists: what the user's department owes in the round, or
    every indicator of the round for users without a department; and each one's owner."""
    data = round_completeness([round], today=timezone.localdate())
    department_id = getattr(access.profile(user), "department_id", None)
    return [
        item.object_id
        for item in data.items
        if item.kind == "indicator"
        and (department_id is None or item.department_id == department_id)
    ], {
        item.object_id: data.department_name(item.department_id)
        for item in data.items
        if item.kind == "indicator"
    }


def template_xlsx(*, round: ReportingRound, user: Any) -> bytes:
    """One row per due indicator, reference columns filled, the value column empty."""
    ids, owners = template_indicators(round, user)
    indicators = list(
        Indicator.objects.filter(pk__in=ids)
        .select_related("document__province")
        .prefetch_related("targets")
        .order_by("sort_order")
    )
    latest: dict[int, tuple[Any, dt.date]] = {}
    for report in (
        ProgressReport.objects.filter(
            indicator_id__in=ids, review_status=ReviewStatus.APPROVED, as_of__lte=round.as_of
        )
        .order_by("indicator_id", "as_of", "reviewed_at")
        .values("indicator_id", "value", "done", "as_of")
    ):
        shown = (
            report["value"] if report["value"] is not None else ("是" if report["done"] else "否")
        )
        latest[report["indicator_id"]] = (shown, report["as_of"])
    departments = list(
        Department.objects.filter(province_id=round.document.province_id).values_list(
            "name", flat=True
        )
    )

    book = Workbook()
    sheet = book.active
    sheet.title = "填报"
    sheet.append(
        [
            f"{round.document.province.name} {round.label_zh} 进展填报表 · "
            f"{round.label_en} progress sheet · {round.document.slug} · "
            f"截止 deadline {round.deadline:%Y-%m-%d}"
        ]
    )
    sheet.append([english for _, english, _ in TEMPLATE_COLUMNS])
    sheet.append([chinese for chinese, _, _ in TEMPLATE_COLUMNS])
    sheet["A1"].font = Font(bold=True, size=13)
    reference = PatternFill("solid", fgColor="EEEEEE")
    to_fill = PatternFill("solid", fgColor="FFF8C5")
    for index, (_, _, width) in enumerate(TEMPLATE_COLUMNS, start=1):
        letter = sheet.cell(row=HEADER_ROW, column=index).column_letter
        sheet.column_dimensions[letter].width = width
        sheet.cell(row=HEADER_ROW, column=index).font = Font(bold=True)
        sheet.cell(row=2, column=index).font = Font(italic=True, color="57606A")
        sheet.cell(row=2, column=index).alignment = Alignment(wrap_text=True)
    for indicator in indicators:
        targets = sorted(indicator.targets.all(), key=lambda t: t.year)
        target_text = "；".join(f"{t.year}年{t.display_value}" for t in targets)
        value, on = latest.get(indicator.pk, ("", None))
        sheet.append(
            [
                round.document.province.name,
                round.document.slug,
                indicator.code,
                indicator.name,
                indicator.unit,
                target_text,
                plain_number(value) if hasattr(value, "normalize") else value,
                on,
                round.as_of,
                None,
                None,
                owners.get(indicator.pk, ""),
                "",
            ]
        )
    last = sheet.max_row
    for row in range(HEADER_ROW + 1, last + 1):
        for column in range(1, 9):
            sheet.cell(row=row, column=column).fill = reference
        sheet.cell(row=row, column=10).fill = to_fill
        sheet.cell(row=row, column=8).number_format = "yyyy-mm-dd"
        sheet.cell(row=row, column=9).number_format = "yyyy-mm-dd"
    if last > HEADER_ROW:
        done = DataValidation(type="list", formula1='"是,否"', allow_blank=True)
        done.error = "请填“是”或“否” (yes or no)"
        sheet.add_data_validation(done)
        done.add(f"K{HEADER_ROW + 1}:K{last}")
        if departments:
            lists = book.create_sheet("单位 departments")
            for name in departments:
                lists.append([name])
            unit = DataValidation(
                type="list",
                formula1=f"='单位 departments'!$A$1:$A${len(departments)}",
                allow_blank=True,
            )
            sheet.add_data_validation(unit)
            unit.add(f"L{HEADER_ROW + 1}:L{last}")
        number = DataValidation(
            type="decimal", operator="between", formula1="-1E10", formula2="1E10", allow_blank=True
        )
        number.error = "请填数字 (a number)"
        sheet.add_data_validation(number)
        number.add(f"J{HEADER_ROW + 1}:J{last}")
    sheet.freeze_panes = f"D{HEADER_ROW + 1}"
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


# --- upload, check, preview -------------------------------------------------------------------


@dataclass
class Upload:
    """A sheet uploaded for a round, as kept in the cache between the upload and the confirm."""

    token: str
    user_id: int
    round_id: int
    filename: str
    state: str = "checking"  # checking → ready
    checked: int = 0
    parsed: ParsedSheet | None = None
    rows: list[dict[str, Any]] = field(default_factory=list)
    counts: dict[str, int] = field(default_factory=dict)
    outcome: ImportOutcome | None = None

    @property
    def problems(self) -> list[RowError]:
        return self.parsed.problems if self.parsed else []


def _save(upload: Upload) -> None:
    cache.set(KEY.format(token=upload.token), upload, PREVIEW_SECONDS)


def upload_get(token: str) -> Upload | None:
    return cache.get(KEY.format(token=token))


def upload_start(*, round: ReportingRound, user: Any, filename: str, data: bytes) -> Upload:
    """Keep the file and an empty preview in the cache; the check runs as a job."""
    upload = Upload(
        token=secrets.token_urlsafe(16), user_id=user.pk, round_id=round.pk, filename=filename
    )
    cache.set(KEY.format(token=upload.token) + ":file", data, PREVIEW_SECONDS)
    _save(upload)
    return upload


class _NamedBytes(io.BytesIO):
    def __init__(self, data: bytes, name: str) -> None:
        super().__init__(data)
        self.name = name


def upload_check(*, token: str, today: dt.date | None = None) -> Upload | None:
    """Parse and check the kept file (telling the cache how many rows are checked so far),
    then add the round's own checks and what confirming would do to each row."""
    upload = upload_get(token)
    data = cache.get(KEY.format(token=token) + ":file")
    if upload is None or data is None or upload.state != "checking":
        return upload
    round = ReportingRound.objects.select_related("document__province").get(pk=upload.round_id)
    from django.contrib.auth import get_user_model

    user = get_user_model().objects.get(pk=upload.user_id)

    def progress(rows: int) -> None:
        upload.checked = rows
        _save(upload)

    # A round asks for values as of its period's end, and it opens before that day: within
    # the round, the period's end is not "in the future".
    today = max(today or timezone.localdate(), round.as_of)
    parsed = progress_import.parse_sheet(
        _NamedBytes(data, upload.filename),
        province=round.document.province.code,
        province_ids=access.province_ids(user),
        today=today,
        progress=progress,
    )
    if parsed.ok:
        _round_checks(parsed, round=round, user=user)
    upload.parsed = parsed
    upload.rows, upload.counts = ([], {}) if not parsed.ok else preview_rows(parsed)
    upload.state = "ready"
    _save(upload)
    cache.delete(KEY.format(token=token) + ":file")
    return upload


def _round_checks(parsed: ParsedSheet, *, round: ReportingRound, user: Any) -> None:
    """Rows report the round's period; a row without a unit is the uploader's department's."""
    department_id = getattr(access.profile(user), "department_id", None)
    for row in parsed.rows:
        if not round.period_start <= row.as_of <= round.as_of:
            parsed.problems.append(
                RowError(
                    row.row,
                    "",
                    gettext(
                        "截至日期{date}不在{label}({start}—{end})内，本周期只接受该期间的数据 "
                        "(the as-of date {date} lies outside {label_en}, {start}—{end})"
                    ).format(
                        date=row.as_of,
                        label=round.label_zh,
                        label_en=round.label_en,
                        start=round.period_start,
                        end=round.as_of,
                    ),
                    header="截至日期",
                )
            )
        if row.department_id is None:
            row.department_id = department_id
    if parsed.problems:
        parsed.rows = []


ACTIONS = {
    "new": ("新增", "new"),
    "update": ("更新", "update"),
    "unchanged": ("不变", "unchanged"),
    "correction": ("更正(待审核)", "correction, for review"),
}


def preview_rows(parsed: ParsedSheet) -> tuple[list[dict[str, Any]], dict[str, int]]:
    """Every row with names as printed and what confirming will do, decided as ``store``
    decides (the same natural key: indicator, date, reporting unit)."""
    existing = progress_import._existing(parsed.rows)
    indicators = {
        i.pk: i
        for i in Indicator.objects.filter(
            pk__in={r.indicator_id for r in parsed.rows}
        ).select_related("document__province")
    }
    departments = dict(
        Department.objects.filter(
            pk__in={r.department_id for r in parsed.rows if r.department_id}
        ).values_list("pk", "name")
    )
    rows, counts = [], dict.fromkeys(ACTIONS, 0)
    for row in parsed.rows:
        matches = existing.get((row.indicator_id, row.as_of, row.department_id), [])
        pending = [m for m in matches if m["review_status"] != ReviewStatus.APPROVED]
        approved = [m for m in matches if m["review_status"] == ReviewStatus.APPROVED]
        if pending:
            match = max(pending, key=lambda m: m["id"])
            same = (
                progress_import._same(row, match)
                and match["review_status"] == ReviewStatus.SUBMITTED
            )
            action = "unchanged" if same else "update"
        elif approved:
            match = max(approved, key=lambda m: (m["reviewed_at"], m["id"]))
            action = "unchanged" if progress_import._same(row, match) else "correction"
        else:
            action = "new"
        counts[action] += 1
        indicator = indicators[row.indicator_id]
        rows.append(
            {
                "row": row.row,
                "province": indicator.document.province.name,
                "document": indicator.document.title,
                "slug": indicator.document.slug,
                "indicator": indicator.name,
                "code": indicator.code,
                "unit": indicator.unit,
                "as_of": row.as_of,
                "value": "" if row.value is None else plain_number(row.value),
                "done": {True: "是", False: "否"}.get(row.done, ""),
                "department": departments.get(row.department_id, ""),
                "note": row.note,
                "action": action,
                "action_label": "{} ({})".format(*ACTIONS[action]),
            }
        )
    return rows, counts


def upload_confirm(*, token: str, user: Any) -> tuple[Upload | None, ImportOutcome | None, bool]:
    """Store the previewed rows, all or nothing, once: (upload, outcome, stored now).

    The claim is the cache's atomic ``add``: a second confirm (a double click, another worker)
    finds it taken and stores nothing."""
    upload = upload_get(token)
    if upload is None or upload.user_id != user.pk:
        return upload, None, False
    if upload.state == "stored":
        return upload, upload.outcome, False
    if upload.state != "ready" or not upload.parsed:
        return upload, None, False
    if not upload.parsed.ok:
        return upload, None, False
    if not cache.add(KEY.format(token=token) + ":confirmed", user.pk, PREVIEW_SECONDS):
        return upload, upload.outcome, False
    outcome = progress_import.store(upload.parsed, user=user, for_review=True)
    if not outcome.ok:
        cache.delete(KEY.format(token=token) + ":confirmed")
    upload.outcome = outcome
    upload.state = "stored" if outcome.ok else "ready"
    _save(upload)
    return upload, outcome, outcome.ok


def checked_elsewhere() -> bool:
    """Whether a worker can check the upload: only if it shares this process's cache (a
    worker with a local-memory cache of its own would never show the preview here)."""
    from django.core.cache import caches
    from django.core.cache.backends.locmem import LocMemCache

    from metrology_tracker.celery_app import app

    return not app.conf.task_always_eager and not isinstance(caches["default"], LocMemCache)


def max_bytes() -> int:
    return settings.IMPORT_MAX_BYTES
