"""The model's record types write their ``__init__`` out.

Compiled, a written-out ``__init__`` is several times faster than the one ``dataclass``
generates; each must still take every field, in order, with the field's default.
"""

from __future__ import annotations

import dataclasses
import math

import pytest

from drive_sim.model.case import CaseDraws
from drive_sim.model.records import CaseRecord, SiteWeek, WeeklyState, WorkforceEvent


def _value(field: dataclasses.Field, index: int) -> object:
    """A value of the field's type, different for each index.

    A field's type is its annotation's text in Python, the class itself once compiled.
    """
    kind = getattr(field.type, "__name__", str(field.type))
    return {"int": index, "float": index + 0.5, "bool": index % 2 == 0}.get(kind, f"value {index}")


def _same(a: object, b: object) -> bool:
    return a == b or (isinstance(a, float) and isinstance(b, float) and math.isnan(a) and math.isnan(b))


@pytest.mark.parametrize("record_type", [CaseRecord, WeeklyState, SiteWeek, WorkforceEvent, CaseDraws])
def test_an_init_takes_every_field_in_order_with_its_default(record_type):
    fields = dataclasses.fields(record_type)
    # Every field by position, each a value of its own.
    values = [_value(f, index) for index, f in enumerate(fields)]
    record = record_type(*values)
    assert [getattr(record, f.name) for f in fields] == values
    # Only the fields without defaults: the rest take their declared defaults.
    required = [f for f in fields if f.default is dataclasses.MISSING and f.default_factory is dataclasses.MISSING]
    given = {f.name: _value(f, 1000 + index) for index, f in enumerate(required)}
    record = record_type(**given)
    for f in fields:
        expected = given[f.name] if f in required else f.default
        assert _same(getattr(record, f.name), expected), f.name
    with pytest.raises(TypeError):
        record_type(*values, "one too many")
