"""The onboarding pages: start (paste or upload, name the unit), review, confirm, export (thin)."""

from __future__ import annotations

from typing import Any

import yaml
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods

from onboarding.forms import StartForm
from onboarding.selectors import (
    highlighted_pieces,
    manageable_provinces,
    manageable_units,
    review_items,
)
from onboarding.services import (
    UnitChoice,
    apply_review,
    confirm_proposal,
    fixture_yaml,
    from_session,
    normalise_text,
    propose_for_unit,
    to_session,
)
from provinces import access
from provinces.models import Province
from provinces.policy_loader import LoadProblem, PolicyLoadError

SESSION_KEY = "onboarding"


def _require_manager(request: HttpRequest) -> None:
    access.require(access.role(request.user) in access.MANAGE_ROLES)


def _unit_allowed(user: Any, unit: UnitChoice) -> bool:
    """A province admin proposes for its own unit or a city under it; a system admin for any."""
    if unit.parent_code and not Province.objects.filter(code=unit.code).exists():
        parent = Province.objects.filter(code=unit.parent_code).first()
        return parent is not None and access.can_manage(user, parent.pk)
    existing = Province.objects.filter(code=unit.code).first()
    return existing is not None and access.can_manage(user, existing.pk)


@login_required
@require_http_methods(["GET", "POST"])
def start(request: HttpRequest) -> HttpResponse:
    _require_manager(request)
    units, provinces = manageable_units(request.user), manageable_provinces(request.user)
    form = StartForm(request.POST or None, request.FILES or None, units=units, provinces=provinces)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        if data["unit"]:
            unit = UnitChoice(code=data["unit"])
        else:
            unit = UnitChoice(
                code=data["new_code"],
                name=data["new_name"].strip(),
                full_name=(data["new_full_name"] or data["new_name"]).strip(),
                parent_code=data["parent"],
            )
        access.require(_unit_allowed(request.user, unit))
        text = normalise_text(data["document_text"])
        proposal = propose_for_unit(text, unit.code, slug=data["slug"] or None)
        request.session[SESSION_KEY] = {
            "text": text,
            "unit": unit.__dict__,
            "proposal": to_session(proposal),
        }
        return redirect("onboarding:review")
    return render(request, "onboarding/start.html", {"form": form, "hide_as_of_form": True})


@login_required
@require_http_methods(["GET", "POST"])
def review(request: HttpRequest) -> HttpResponse:
    _require_manager(request)
    state = request.session.get(SESSION_KEY)
    if not state:
        return redirect("onboarding:start")
    unit = UnitChoice(**state["unit"])
    access.require(_unit_allowed(request.user, unit))
    proposal, text = from_session(state["proposal"]), state["text"]
    problems: list[LoadProblem] = []
    catalogue = request.POST.get("catalogue") or fixture_yaml(proposal)
    if request.method == "POST":
        try:
            edited = apply_review(
                proposal,
                request.POST.get("catalogue"),
                drop_indicators=request.POST.getlist("drop_indicator"),
                drop_tasks=request.POST.getlist("drop_task"),
            )
            if request.POST.get("action") == "export":
                slug = edited.get("document", {}).get("slug") or "proposal"
                response = HttpResponse(
                    fixture_yaml(edited), content_type="application/x-yaml; charset=utf-8"
                )
                response["Content-Disposition"] = f'attachment; filename="{slug}.yaml"'
                return response
            confirm_proposal(edited, text, unit)
        except yaml.YAMLError as error:
            problems = [
                LoadProblem("(proposal)", "", f"YAML 格式错误：{error}", f"not valid YAML: {error}")
            ]
        except PolicyLoadError as error:
            problems = error.problems
        else:
            del request.session[SESSION_KEY]
            return redirect(reverse("dashboards:province", args=[unit.code]))
    context = {
        "unit": unit,
        "items": review_items(proposal),
        "pieces": highlighted_pieces(text, proposal),
        "catalogue": catalogue,
        "problems": problems,
        "hide_as_of_form": True,
        "targets_count": sum(len(i["targets"]) for i in proposal["indicators"]),
    }
    return render(request, "onboarding/review.html", context, status=400 if problems else 200)
