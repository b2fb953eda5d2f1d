"""Imports that cannot reach another unit's rows, whatever ids or names the sheet carries.

The admin wraps each import resource in ``scoped_resource``: a row that would update an
existing row of another unit, or create or move a row into one, fails with a message naming
the row, and the whole file is rolled back (the resources import all or nothing).
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext

from provinces import access


def unit_of(instance: Any, path: str) -> int | None:
    """The unit id of ``instance`` through a lookup path (``indicator__document__province``)."""
    if path in ("id", "pk"):
        return instance.pk
    *hops, last = path.split("__")
    current = instance
    for hop in hops:
        if getattr(current, f"{hop}_id", None) is None and getattr(current, hop, None) is None:
            return None
        current = getattr(current, hop)
    return getattr(current, f"{last}_id", None)


def _refuse(instance: Any) -> None:
    raise ValidationError(
        gettext(
            "不能导入其他省份的数据：{row} (you cannot import rows of another province: {row})"
        ).format(row=instance)
    )


class ScopedImportMixin:
    """Checks each row against ``provinces.access`` before and after the sheet applies to it."""

    province_path: str = "province"

    def after_init_instance(self, instance, new, row, **kwargs):
        super().after_init_instance(instance, new, row, **kwargs)
        user = kwargs.get("user")
        if not new and not access.can_see_province(user, unit_of(instance, self.province_path)):
            _refuse(instance)

    def before_save_instance(self, instance, row, **kwargs):
        user = kwargs.get("user")
        if not access.can_see_province(user, unit_of(instance, self.province_path)):
            _refuse(instance)
        super().before_save_instance(instance, row, **kwargs)


def scoped_resource(resource_class: type, province_path: str) -> type:
    return type(
        f"Scoped{resource_class.__name__}",
        (ScopedImportMixin, resource_class),
        {"province_path": province_path, "__module__": resource_class.__module__},
    )
