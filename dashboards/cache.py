"""A page's rendered content, kept until the data it shows changes.

Building a page reads whole sets and computes progress for every target in scope; at national
scale (31 provinces, 3,472 targets) that is hundreds of milliseconds, where serving a stored
fragment is one cache read. The key holds everything the content depends on:

- the **data version**: one query for the newest id of each table the pages read (a finished
  recompute is a new DONE ``ProgressRun``, so a recompute always moves it; a new report, task
  update, target, task or document moves it too), plus a *generation* token in the cache that
  ``post_save`` / ``post_delete`` of the domain models renew (an edit or a review keeps the ids);
- the page's template, its path and query string (as-of date, filters, sort, top N), the
  language and today's date (the as-of form and links differ when the as-of date is today).

The content block holds nothing that depends on the user: the header (user name, CSRF tokens,
navigation) and footer are rendered per request around it (``templates/dashboards/_cached.html``).
With a shared cache (``REDIS_URL``, as in production) every process sees the same generation; with
the per-process local-memory cache an edit made in another process (a Celery worker) shows once
its recompute finishes, and at the latest after ``TIMEOUT``.
"""

from __future__ import annotations

import hashlib
import uuid
from typing import Any

from django.core.cache import cache
from django.db import connection
from django.db.models.signals import post_delete, post_save
from django.http import HttpRequest
from django.template import loader
from django.template.context import make_context
from django.template.loader_tags import BLOCK_CONTEXT_KEY, BlockContext, ExtendsNode
from django.test.signals import template_rendered
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language

GENERATION_KEY = "dashboards:generation"
TIMEOUT = 15 * 60  # a safety net only: the version moves whenever the data does
BLOCKS = ("title", "head", "body_class", "content", "scripts")


def _version_sql() -> str:
    from provinces.models import PolicyDocument
    from targets.models import ProgressReport, ProgressRun, Target
    from tasks.models import Assignment, Task, TaskUpdate

    run = ProgressRun._meta.db_table
    newest = [
        f"(SELECT MAX(id) FROM {run} WHERE status = '{ProgressRun.Status.DONE.value}')",
        *(
            f"(SELECT MAX(id) FROM {model._meta.db_table})"
            for model in (ProgressReport, TaskUpdate, Target, Task, Assignment, PolicyDocument)
        ),
    ]
    return "SELECT " + ", ".join(newest)


def generation() -> str:
    """The token renewed by every saved or deleted domain row (see ``connect_signals``)."""
    return cache.get_or_set(GENERATION_KEY, lambda: uuid.uuid4().hex, None)


def renew_generation(**_kwargs: Any) -> None:
    cache.set(GENERATION_KEY, uuid.uuid4().hex, None)


def data_version() -> str:
    """What the pages show, as one string: one query plus one cache read."""
    with connection.cursor() as cursor:
        cursor.execute(_version_sql())
        row = cursor.fetchone()
    return generation() + ":" + ".".join("-" if v is None else str(v) for v in row)


def frame_values(version: str) -> dict[str, Any]:
    """What the frame around every page reads from the database (the 示例数据 banner, the
    provinces in the navigation, when results were last computed), stored per data version
    like the pages themselves."""
    key = "dashboards:frame:" + hashlib.sha256(version.encode()).hexdigest()
    values = cache.get(key)
    if values is None:
        from dashboards.context_processors import province_links
        from provinces.models import Province
        from targets.selectors import demo_data_present, last_complete_run_at

        values = {
            "demo_data": demo_data_present(),
            "nav_provinces": province_links(Province.objects.values("code", "name")),
            # the footer's "测算结果更新于": a finished run is a new data version
            "last_computed_at": last_complete_run_at(),
        }
        cache.set(key, values, TIMEOUT)
    return values


def page_key(request: HttpRequest, template: str, *, today: Any, version: str) -> str:
    """Pages show blocks scoped by ``provinces.access`` (a province's rounds, submissions), so
    a stored page is shared only by users who may see the same: same role, same units."""
    from provinces import access

    units = access.province_ids(request.user)
    scope = f"{access.role(request.user)}:{'all' if units is None else sorted(units)}"
    raw = "|".join(
        [version, template, request.get_full_path(), get_language() or "", str(today), scope]
    )
    return "dashboards:page:" + hashlib.sha256(raw.encode()).hexdigest()


def render_blocks(template_name: str, context: dict[str, Any], request: HttpRequest) -> dict:
    """The blocks a page template fills in ``base.html``, rendered with the request's context.

    The page template keeps its ``{% extends "base.html" %}``; only its own blocks are
    rendered here, so they can be stored and served to any user.
    """
    template = loader.get_template(template_name).template
    extends = next(node for node in template.nodelist if isinstance(node, ExtendsNode))
    ctx = make_context(context, request)
    out: dict[str, Any] = {}
    with ctx.render_context.push_state(template), ctx.bind_template(template):
        block_context = BlockContext()
        block_context.add_blocks(extends.blocks)
        ctx.render_context[BLOCK_CONTEXT_KEY] = block_context
        for name in BLOCKS:
            block = extends.blocks.get(name)
            out[name] = mark_safe(block.render(ctx)) if block is not None else ""
    out["has_charts"] = bool(context.get("charts"))
    # Rendering blocks bypasses Template.render, which the test client listens to; tell it,
    # so a test can still read ``response.context`` (no receivers outside tests: nothing sent).
    if template_rendered.receivers:
        template_rendered.send(sender=template, template=template, context=ctx)
    return out


def cached_blocks(key: str) -> dict | None:
    blocks = cache.get(key)
    if blocks is None:
        return None
    return {
        k: mark_safe(v) if isinstance(v, str) and not isinstance(v, SafeString) else v
        for k, v in blocks.items()
    }


def store_blocks(key: str, blocks: dict) -> None:
    cache.set(key, {k: str(v) if isinstance(v, str) else v for k, v in blocks.items()}, TIMEOUT)


def connect_signals() -> None:
    """Renew the generation when a row the pages show is saved or deleted.

    Reports and task updates only on save (their bulk deletions end in a recompute, and a
    ``post_delete`` receiver would stop Django deleting them in bulk).
    """
    from provinces.models import Department, PolicyDocument, Province, Section
    from targets.models import Indicator, IndicatorCategory, ProgressReport, Target
    from tasks.models import Assignment, Column, ColumnItem, Task, TaskUpdate

    for model in (ProgressReport, TaskUpdate):
        post_save.connect(renew_generation, sender=model, dispatch_uid=f"dash-{model.__name__}")
    for model in (
        Province,
        PolicyDocument,
        Section,
        Department,
        IndicatorCategory,
        Indicator,
        Target,
        Task,
        Assignment,
        Column,
        ColumnItem,
    ):
        for signal in (post_save, post_delete):
            signal.connect(
                renew_generation,
                sender=model,
                dispatch_uid=f"dash-{model.__name__}-{id(signal)}",
            )
