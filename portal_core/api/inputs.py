"""Reading what a caller sends exactly as the schema says it: JSON values of the declared type
(DRF alone turns ``5`` into ``"5"`` for a text field, ``"yes"`` into ``true``, ``"5"`` into ``5``)
and query parameters given once, never empty, in the documented spelling. What does not fit is a
400 naming the field or parameter, never silently read another way."""

from __future__ import annotations

import re

from django.http import QueryDict
from rest_framework import exceptions, relations, serializers

WHOLE = re.compile(r"-?[0-9]+")
DECIMAL = re.compile(r"-?[0-9]+(?:\.[0-9]+)?")
ONCE = "Give this parameter once."


def decimal_pattern(field: serializers.DecimalField) -> str:
    """The spelling of ``field``'s values as JSON strings: digits, a point and at most
    ``decimal_places`` more; a sign only where negative values are allowed."""
    places = field.decimal_places or 0
    whole = max((field.max_digits or 30) - places, 1)
    sign = "-?" if field.min_value is None or field.min_value < 0 else ""
    fraction = rf"(\.[0-9]{{1,{places}}})?" if places else ""
    return rf"^{sign}[0-9]{{1,{whole}}}{fraction}$"


def _integers_below(limit: int) -> str:
    """A regular expression for the integers 0 … ``limit - 1``, written without leading zeros."""
    digits = str(limit)
    options = ["[0-9]"] + [rf"[1-9][0-9]{{{k - 1}}}" for k in range(2, len(digits))]
    for i, digit in enumerate(digits):
        lowest = 1 if i == 0 else 0
        if int(digit) > lowest:
            rest = len(digits) - i - 1
            options.append(f"{digits[:i]}[{lowest}-{int(digit) - 1}]" + (f"[0-9]{{{rest}}}" if rest else ""))
    return "|".join(dict.fromkeys(options if limit > 1 else ["0"] if limit == 1 else []))


def bounded_decimal_pattern(field: serializers.DecimalField) -> str:
    """``decimal_pattern`` narrowed to the field's range when that is ``-N … N`` for a whole ``N``
    (coordinates), so that every string the schema allows is one the field takes."""
    low, high, places = field.min_value, field.max_value, field.decimal_places or 0
    if low is None or high is None or low != -high or high != int(high) or high < 1:
        return decimal_pattern(field)
    fraction = rf"(\.[0-9]{{1,{places}}})?" if places else ""
    zeros = rf"(\.0{{1,{places}}})?" if places else ""
    return rf"^-?(({_integers_below(int(high))}){fraction}|{int(high)}{zeros})$"


# --- JSON bodies --------------------------------------------------------------------------------


def _is_number(value) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def json_type_error(field, value) -> str | None:
    """Why ``value`` (parsed JSON) is not of the type the schema gives ``field``, if it is not."""
    if value is None or isinstance(field, serializers.FileField | serializers.JSONField):
        return None
    if isinstance(field, serializers.BooleanField):
        return None if isinstance(value, bool) else "Must be true or false."
    if isinstance(field, relations.ManyRelatedField):
        if not isinstance(value, list):
            return "Must be a list."
        return next((json_type_error(field.child_relation, item) for item in value if item is not None), None)
    if isinstance(field, relations.PrimaryKeyRelatedField | serializers.IntegerField):
        return None if isinstance(value, int) and not isinstance(value, bool) else "Must be a whole number."
    if isinstance(field, serializers.DecimalField):
        numbers = getattr(field, "coerce_to_string", None) is False
        if numbers and _is_number(value):
            return None
        pattern = bounded_decimal_pattern(field) if numbers else decimal_pattern(field)
        if isinstance(value, str) and re.match(pattern, value):
            return None
        return f"Must be a decimal number written as digits, with at most {field.decimal_places} decimals."
    if isinstance(field, serializers.FloatField):
        return None if _is_number(value) else "Must be a number."
    if isinstance(
        field, serializers.ListField | serializers.MultipleChoiceField | serializers.ListSerializer
    ):
        if not isinstance(value, list):
            return "Must be a list."
        child = getattr(field, "child", None)
        if child is not None:
            return next((json_type_error(child, item) for item in value), None)
        return None
    if isinstance(field, serializers.DictField | serializers.Serializer):
        if not isinstance(value, dict):
            return "Must be an object."
        if isinstance(field, serializers.Serializer):  # an object in the body (an invoice's line)
            for name, messages in json_type_errors(field, value).items():
                return f"{name}: {messages[0]}"
        return None
    if isinstance(field, serializers.Field) and not isinstance(field, serializers.HiddenField):
        # Text, choices, dates and times: JSON strings.
        return _text_error(field, value) if isinstance(value, str) else "Must be a string."
    return None


def _text_error(field, value: str) -> str | None:
    # DRF checks the length of text once it has trimmed it; the schema's maxLength is the text sent.
    limit = getattr(field, "max_length", None)
    if isinstance(field, serializers.CharField) and limit is not None and len(value) > limit:
        return f"Ensure this field has no more than {limit} characters."
    return None


def json_type_errors(serializer: serializers.Serializer, data) -> dict[str, list[str]]:
    """Every field of ``data`` whose value is not of its documented JSON type."""
    if not isinstance(data, dict) or isinstance(data, QueryDict):
        return {}  # not an object (the serializer says so) or form data (strings by nature)
    errors = {}
    for name, field in serializer.fields.items():
        if field.read_only or name not in data:
            continue
        problem = json_type_error(field, data[name])
        if problem:
            errors[name] = [problem]
    return errors


def read_body(serializer_class, request, *, partial: bool = False, context: dict | None = None) -> dict:
    """``request``'s body validated by ``serializer_class``: a 400 names every field that is not of
    its type or not valid; a body that is not JSON (or the operation's file upload) is a 415."""
    data = request.data
    context = context or {"request": request}
    errors = json_type_errors(serializer_class(context=context), data)
    if errors:  # the other fields are still checked, so that one answer names every problem
        data = {name: value for name, value in data.items() if name not in errors}
    serializer = serializer_class(data=data, partial=partial, context=context)
    if not serializer.is_valid() or errors:
        raise exceptions.ValidationError({**serializer.errors, **errors} if errors else serializer.errors)
    return serializer.validated_data


# --- query parameters -----------------------------------------------------------------------------


def single_query_value(request, name: str, errors: dict) -> str | None:
    """The one value of the query parameter ``name`` (None when absent); a repeated one is noted in
    ``errors`` (a parameter the schema gives one value)."""
    values = request.query_params.getlist(name)
    if len(values) > 1:
        errors[name] = [ONCE]
        return None
    return values[0] if values else None


def wire_error(field, raw: str) -> str | None:
    """Why the query string ``raw`` is not how the schema writes ``field``'s type, if it is not."""
    if isinstance(field, serializers.BooleanField):
        return None if raw in ("true", "false") else "Must be true or false."
    if isinstance(field, serializers.IntegerField):
        return None if raw.isascii() and WHOLE.fullmatch(raw) else "Must be a whole number."
    if isinstance(field, serializers.DecimalField | serializers.FloatField):
        return None if raw.isascii() and DECIMAL.fullmatch(raw) else "Must be a number written as digits."
    return _text_error(field, raw)


def read_query(serializer_class, request) -> tuple[dict, dict[str, list[str]]]:
    """The query parameters ``serializer_class`` declares, validated, and what is wrong with them.

    Each is optional, but one that is given must be valid: unlike DRF's reading of form data, an
    empty value (``?status=``) is not taken for a missing one. Other parameters are ignored."""
    if serializer_class is None:
        return {}, {}
    values, errors = {}, {}
    for name, field in serializer_class().fields.items():
        raw = single_query_value(request, name, errors)
        if raw is None:
            continue
        problem = wire_error(field, raw)
        if problem:
            errors[name] = [problem]
        else:
            values[name] = raw
    serializer = serializer_class(data=values)
    if not serializer.is_valid():
        for name, messages in serializer.errors.items():
            errors.setdefault(name, messages)
    return (serializer.validated_data if not errors else {}), errors
