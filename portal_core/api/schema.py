"""The OpenAPI schema as a contract: what each resource view declares becomes its operation
(``ResourceSchema``), decimals are documented as they are read, every enum gets a name and member
names code generators can use (``name_enums``), and every operation documents the errors it can
give (``add_error_responses``)."""

from __future__ import annotations

import copy
import re
from collections import defaultdict
from inspect import isclass

import uritemplate
from django.apps import apps
from drf_spectacular.drainage import warn
from drf_spectacular.extensions import OpenApiSerializerFieldExtension
from drf_spectacular.hooks import postprocess_schema_enum_id_removal
from drf_spectacular.openapi import AutoSchema
from drf_spectacular.plumbing import ResolvedComponent, list_hash, safe_ref
from drf_spectacular.settings import spectacular_settings
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiExample, OpenApiParameter, OpenApiResponse
from inflection import camelize

from .inputs import bounded_decimal_pattern, decimal_pattern

MODULE_OFF = "This module is not enabled."
ROW_ID_DESCRIPTION = "The id, as the list gives it."


def view_module(view):
    """The module (its ``ModuleConfig``) whose code defines ``view``, or None for the core's."""
    from modules.base import ModuleConfig

    config = apps.get_containing_app_config(type(view).__module__)
    return config if isinstance(config, ModuleConfig) else None


def _model_name(serializer, queryset) -> str:
    model = getattr(getattr(serializer, "Meta", None), "model", None)
    if model is None and queryset is not None:
        model = queryset.model
    return str(model._meta.verbose_name).capitalize() if model is not None else "Row"


class ResourceSchema(AutoSchema):
    """Documents a view of the resource kit (``portal_core.api.resources``) from what it declares:
    the operation id (``[<module key>_]<resource>_<verb>``), the tag (the module's URL prefix),
    the body (``InputSerializer``, JSON), the answer (``OutputSerializer``; a cursor page for
    lists only), query and path parameters, and the errors each kind of operation can give. A
    view's ``docs[verb]`` adds the words and anything unusual. Other views are documented as
    drf-spectacular does."""

    def _verb(self) -> str | None:
        find = getattr(self.view, "operation_verb", None)
        return find(self.method.lower()) if find else None

    def _doc(self):
        verb = self._verb()
        return self.view.docs.get(verb) if verb else None

    def get_operation_id(self):
        verb = self._verb()
        if verb is None:
            return super().get_operation_id()
        module = view_module(self.view)
        return "_".join(part for part in (module.key if module else "", self.view.resource, verb) if part)

    def get_tags(self):
        if self._verb() is None:
            return super().get_tags()
        if self.view.tags:
            return list(self.view.tags)
        module = view_module(self.view)
        return [module.url_prefix] if module else [self.view.resource.replace("_", "-")]

    def get_summary(self):
        doc = self._doc()
        return doc.summary if doc else super().get_summary()

    def get_description(self):
        doc = self._doc()
        return doc.description if doc and doc.description else super().get_description()

    def get_auth(self):
        doc = self._doc()
        if doc is not None and doc.auth is not None:
            return doc.auth
        if self._verb() is not None and self.view.security is not None:
            return self.view.security
        return super().get_auth()

    def get_override_parameters(self):
        verb = self._verb()
        if verb is None:
            return super().get_override_parameters()
        parameters = []
        if verb == "list" and self.view.FilterSerializer is not None:
            parameters.append(self.view.FilterSerializer)
        for name in uritemplate.variables(self.path):
            description = self.view.path_ids.get(name, ROW_ID_DESCRIPTION)
            parameters.append(
                OpenApiParameter(name, OpenApiTypes.INT, OpenApiParameter.PATH, description=description)
            )
        doc = self._doc()
        return [*parameters, *(doc.parameters if doc else ())]

    def get_request_serializer(self):
        verb = self._verb()
        if verb is None:
            return super().get_request_serializer()
        if verb in ("list", "retrieve", "destroy"):
            return None
        doc = self._doc()
        if doc is not None and doc.request is not None:
            return doc.request
        return self.view.InputSerializer

    def _get_request_for_media_type(self, serializer, direction="request"):
        if self.method == "PATCH" and self._verb() is not None and not getattr(self.view, "partial", True):
            # drf-spectacular documents every PATCH body as partial; this one must be whole.
            self.method = "POST"
            try:
                return super()._get_request_for_media_type(serializer, direction)
            finally:
                self.method = "PATCH"
        return super()._get_request_for_media_type(serializer, direction)

    def get_response_serializers(self):
        verb = self._verb()
        if verb is None:
            return super().get_response_serializers()
        view, doc = self.view, self._doc()
        output = view.OutputSerializer
        if verb == "list":
            success = {200: output(many=True)}
        elif verb == "create":
            success = {201: getattr(view, "CreatedSerializer", None) or output}
        elif verb == "destroy":
            success = {204: None}
        elif verb in _ROW_VERBS:
            success = {200: output}
        else:
            success = {view.action_status: output}
        responses = {**success, **(doc.responses if doc else {})}
        responses.update(self._errors(verb, doc))
        return responses

    def _errors(self, verb: str, doc) -> dict:
        from .serializers import ErrorSerializer, error_responses

        view = self.view
        codes = set(doc.errors if doc else ())
        if verb in ("list", "create", "update", "partial_update"):
            codes.add(400)
        elif verb not in _ROW_VERBS and view.InputSerializer is not None:
            codes.add(400)  # an action's body
        names_a_row = "{" in self.path
        module = view_module(view)
        if names_a_row:
            codes.add(404)
        try:
            queryset = view.get_queryset()
        except Exception:  # some querysets need a signed-in caller, which schema generation has not
            queryset = getattr(view, "queryset", None)
        variables = list(uritemplate.variables(self.path))
        if view.parent_queryset is not None and variables[-1:] == ["id"]:
            model = _model_name(None, view.parent_queryset)  # what the path names is the parent
        else:
            model = _model_name(view.OutputSerializer, queryset)
        responses = error_responses(*codes, model=model if names_a_row else "")
        related = self._related_fields(verb, doc)
        if 400 in responses and related:
            missing = OpenApiExample(
                "missing_row",
                value={
                    "message": "Invalid input.",
                    "errors": {related[0]: ['Invalid pk "999999" - object does not exist.']},
                },
                summary=f"A {related[0]} that is not there",
            )
            responses[400] = OpenApiResponse(
                responses[400].response,
                description=responses[400].description,
                examples=[*responses[400].examples, missing],
            )
        if module is not None:
            off = OpenApiExample("module_off", value={"message": MODULE_OFF})
            if names_a_row:
                found, name = responses[404], module.verbose_name.lower()
                responses[404] = OpenApiResponse(
                    ErrorSerializer,
                    description=f"Not found in this portal (or the {name} module is off)",
                    examples=[*found.examples, off],
                )
            else:
                responses[404] = OpenApiResponse(
                    ErrorSerializer,
                    description=f"The {module.verbose_name.lower()} module is not enabled for this office",
                    examples=[off],
                )
        return responses

    def _related_fields(self, verb: str, doc) -> list[str]:
        """The body's fields that name another row by its id (a 400 when it is not there)."""
        from rest_framework import relations

        if verb in ("list", "retrieve", "destroy") or (doc is not None and doc.request is not None):
            return []
        body = self.view.InputSerializer
        if body is None:
            return []
        return [
            name
            for name, field in body().fields.items()
            if isinstance(field, relations.RelatedField | relations.ManyRelatedField) and not field.read_only
        ]

    def _get_paginator(self):
        verb = self._verb()
        if verb is not None and verb != "list":
            return None
        return super()._get_paginator()


_ROW_VERBS = ("retrieve", "update", "partial_update", "destroy")


class DecimalFieldSchema(OpenApiSerializerFieldExtension):
    """Decimals as the API reads them (``portal_core.api.inputs``): a JSON string of digits whose
    pattern allows exactly what the field takes, or, for fields that answer with numbers
    (``coerce_to_string=False``), a number, which a body may also send as such a string."""

    target_class = "rest_framework.serializers.DecimalField"
    match_subclasses = True

    def map_serializer_field(self, auto_schema, direction):
        field = self.target
        if getattr(field, "coerce_to_string", None) is not False:
            return {"type": "string", "format": "decimal", "pattern": decimal_pattern(field)}
        number = {"type": "number", "format": "double"}
        if field.min_value is not None:
            number["minimum"] = float(field.min_value)
        if field.max_value is not None:
            number["maximum"] = float(field.max_value)
        if direction != "request":
            return number
        text = {"type": "string", "format": "decimal", "pattern": bounded_decimal_pattern(field)}
        return {"oneOf": [number, text]}


# --- enums ----------------------------------------------------------------------------------------


def choice_names() -> dict[str, str]:
    """A component name for every choices class of the installed apps' models, by drf-spectacular's
    hash of its choices: ``<Model><Class>Enum`` (``PortalAccountStatusEnum``), or ``<Class>Enum``
    for one at a models module's top level, prefixed for a module's with the module's key in camel
    case (``RealEstatePropertyStatusEnum``). So enums that share a field name (``status``) get
    distinct, stable names without anyone listing them in settings."""
    from django.db.models import Choices

    from modules.base import ModuleConfig

    names: dict[str, str] = {}
    for config in apps.get_app_configs():
        models_module = config.models_module
        if models_module is None:
            continue
        prefix = camelize(config.key) if isinstance(config, ModuleConfig) else ""
        found = [
            (value.__name__, value)
            for value in vars(models_module).values()
            if isclass(value) and issubclass(value, Choices) and value.__module__ == models_module.__name__
        ]
        for model in config.get_models():
            found += [
                (f"{model.__name__}{value.__name__}", value)
                for value in vars(model).values()
                if isclass(value) and issubclass(value, Choices)
            ]
        for stem, choices in found:
            key = list_hash([(value, label) for value, label in choices.choices if value not in ("", None)])
            names.setdefault(key, f"{prefix}{stem}{spectacular_settings.ENUM_SUFFIX}")
    return names


def enum_varnames(values: list) -> list[str]:
    """Member names for an enum's values that every code generator can use as identifiers:
    ``A+++`` → ``A_PLUS_PLUS_PLUS``, ``client_portal.invitation_sent`` →
    ``CLIENT_PORTAL_INVITATION_SENT``, ``""`` → ``BLANK``; distinct, as the values are."""
    names: list[str] = []
    for value in values:
        if isinstance(value, str):
            name = re.sub(r"[^0-9A-Z]+", "_", value.replace("+", "_PLUS").upper()).strip("_") or "BLANK"
        else:
            name = f"NEGATIVE_{-value}" if value < 0 else str(value)
        if name[0].isdigit():
            name = f"VALUE_{name}"
        while name in names:
            name += "_"
        names.append(name)
    return names


def _property_containers(schema, component_name=None):
    if component_name is None:
        for name, component in schema.items():
            name = re.sub("^Patched(.+)", r"\1", name)
            name = re.sub("(.+)Request$", r"\1", name)
            yield from _property_containers(component, name)
    elif isinstance(schema, list):
        for item in schema:
            yield from _property_containers(item, component_name)
    elif isinstance(schema, dict):
        if schema.get("properties"):
            yield component_name, schema["properties"]
        for keyword in ("oneOf", "allOf", "anyOf"):
            yield from _property_containers(schema.get(keyword, []), component_name)


def _enum_hash(schema) -> str:
    if "x-spec-enum-id" in schema:
        return schema["x-spec-enum-id"]
    return list_hash([(value, value) for value in schema["enum"] if value not in ("", None)])


def _enum_of(prop_schema):
    if prop_schema.get("type") == "array":
        prop_schema = prop_schema.get("items")
    return prop_schema if isinstance(prop_schema, dict) and "enum" in prop_schema else None


def name_enums(result, generator, **kwargs):
    """drf-spectacular's ``postprocess_schema_enums``, naming each choice set once: a model's choices
    class by ``choice_names()``, any other by its field name when that name means one choice set,
    else by its component and field name. No name carries a hash; should two choice sets still
    meet under one name, it is reported as drf-spectacular reports its own schema warnings. Enums
    get ``x-enum-varnames`` (``enum_varnames``), in components and in query parameters alike."""
    schemas = result.get("components", {}).get("schemas", {})
    named = choice_names()
    uses: dict[str, set] = defaultdict(set)
    by_field: dict[str, set] = defaultdict(set)
    for component, props in _property_containers(schemas):
        for prop, prop_schema in props.items():
            enum = _enum_of(prop_schema)
            if enum is not None:
                uses[_enum_hash(enum)].add((component, prop))
                by_field[prop].add(_enum_hash(enum))

    suffix = spectacular_settings.ENUM_SUFFIX
    names: dict[str, str] = {}
    for key, places in sorted(uses.items()):
        fields = {prop for _, prop in places}
        components = {component for component, _ in places}
        if key in named:
            name = named[key]
        elif len(fields) == 1 and by_field[next(iter(fields))] == {key}:
            name = f"{camelize(next(iter(fields)))}{suffix}"
        else:
            component, prop = min(places)
            name = f"{camelize(component)}{camelize(prop)}{suffix}"
            if len(components) > 1:
                warn(f"enum {name}: the choice set of {sorted(places)} needs a choices class to be named by.")
        if name in names.values():
            warn(f"two choice sets would both be named {name}; give one a choices class of its own.")
        names[key] = name

    for _, props in _property_containers(schemas):
        for prop, prop_schema in props.items():
            enum = _enum_of(prop_schema)
            if enum is None:
                continue
            original = enum["enum"]
            enum["enum"] = [value for value in original if value not in ("", None)]
            component = {k: v for k, v in enum.items() if k in ("type", "enum")}
            component["x-enum-varnames"] = enum_varnames(component["enum"])
            rest = {k: v for k, v in enum.items() if k not in ("type", "enum", "x-spec-enum-id")}
            if spectacular_settings.ENUM_GENERATE_CHOICE_DESCRIPTION:
                if rest.get("description", "").startswith("*"):
                    component["description"] = rest.pop("description")
                elif "\n\n*" in rest.get("description", ""):
                    _, _, choices = rest["description"].partition("\n\n*")
                    component["description"] = "*" + choices
            refs = [_register(generator, names[_enum_hash(enum)], component)]
            if "" in original:
                refs.append(
                    _register(generator, f"Blank{suffix}", {"enum": [""], "x-enum-varnames": ["BLANK"]})
                )
            if None in original:
                refs.append(_register(generator, f"Null{suffix}", {"enum": [None]}))
            rest.update(refs[0] if len(refs) == 1 else {"oneOf": refs})
            if prop_schema.get("type") == "array":
                props[prop]["items"] = safe_ref(rest)
            else:
                props[prop] = safe_ref(rest)

    for path_item in result.get("paths", {}).values():
        for operation in path_item.values():
            for parameter in operation.get("parameters", []) if isinstance(operation, dict) else ():
                enum = _enum_of(parameter.get("schema", {}))
                if enum is None:
                    continue
                key = _enum_hash(enum)
                if key in names:  # the same choices as a body's or an answer's: the same type
                    parameter["schema"] = {"$ref": f"#/components/schemas/{names[key]}"}
                else:
                    enum["x-enum-varnames"] = enum_varnames(enum["enum"])

    result["components"] = generator.registry.build(spectacular_settings.APPEND_COMPONENTS)
    return postprocess_schema_enum_id_removal(result, generator)


def _register(generator, name: str, schema: dict) -> dict:
    component = ResolvedComponent(name=name, type=ResolvedComponent.SCHEMA, schema=schema, object=name)
    generator.registry.register_on_missing(component)
    return component.ref


# --- errors ---------------------------------------------------------------------------------------

ERROR = {"$ref": "#/components/schemas/Error"}
ERROR_COMPONENT = {
    "type": "object",
    "properties": {"message": {"type": "string"}},
    "required": ["message"],
}
COMMON = {
    "401": "Missing, unknown, expired or revoked credentials, or a token of another portal.",
    "403": "The credentials may not do this (a read-only key writing, a client token on the office API).",
    "429": "Too many requests for this token in this minute; see Retry-After.",
}


def add_error_responses(result, generator, request, public):
    """Add 401/403/429 to authenticated operations, 400/415 to those with a body (when missing),
    each ``{"message": …}`` (the ``Error`` component); a field's errors may be nested (lists of
    objects), so the validation errors' values are free."""
    components = result.setdefault("components", {}).setdefault("schemas", {})
    components.setdefault("Error", copy.deepcopy(ERROR_COMPONENT))
    validation = components.get("ValidationError")
    if validation and "errors" in validation.get("properties", {}):
        validation["properties"]["errors"]["additionalProperties"] = {}
    for path_item in result.get("paths", {}).values():
        for method, operation in path_item.items():
            if method not in {"get", "post", "put", "patch", "delete"}:
                continue
            responses = operation.setdefault("responses", {})
            authenticated = operation.get("security", result.get("security")) not in ([], [{}], None)
            codes = dict(COMMON) if authenticated else {"429": COMMON["429"]}
            if "requestBody" in operation:
                if not authenticated:  # the token endpoints: the credentials in the body were wrong
                    codes["401"] = "The email and password, or the refresh token, were not accepted."
                codes["400"] = "The body is not valid; see errors."
                kinds = " or ".join(operation["requestBody"].get("content", {})) or "JSON"
                codes["415"] = f"The body is not {kinds}."
            for code, description in codes.items():
                responses.setdefault(
                    code, {"description": description, "content": {"application/json": {"schema": ERROR}}}
                )
    return result


# --- text -----------------------------------------------------------------------------------------

NO_NUL = "^[^\\u0000]*$"
# Python's whitespace (what DRF trims from text), which ECMA-262's ``\\s`` does not quite cover.
SPACE = (
    "\\t\\n\\u000b\\f\\r\\u001c-\\u001f \\u0085\\u00a0\\u1680\\u2000-\\u200a"
    "\\u2028\\u2029\\u202f\\u205f\\u3000"
)
NOT_BLANK = f"^[^\\u0000]*[^\\u0000{SPACE}][^\\u0000]*$"


def _forbid_nul(schema) -> None:
    if not isinstance(schema, dict):
        return
    if schema.get("type") == "string" and not {"format", "enum", "pattern", "$ref"} & set(schema):
        schema["pattern"] = NOT_BLANK if schema.get("minLength", 0) >= 1 else NO_NUL
    for key in ("items", "additionalProperties"):
        _forbid_nul(schema.get(key))
    for key in ("oneOf", "anyOf", "allOf"):
        for branch in schema.get(key, []):
            _forbid_nul(branch)
    for prop in schema.get("properties", {}).values():
        _forbid_nul(prop)


def document_text(result, generator, request, public):
    """Text the API reads may hold any character but NUL (DRF refuses it, PostgreSQL cannot store
    it), and text that may not be blank must hold more than whitespace (which is trimmed): request
    bodies and query parameters say so with a ``pattern``, so a client or a fuzzer knows which
    strings are taken."""
    for name, component in result.get("components", {}).get("schemas", {}).items():
        if name.endswith("Request"):
            _forbid_nul(component)
    for path_item in result.get("paths", {}).values():
        for operation in path_item.values():
            for parameter in operation.get("parameters", []) if isinstance(operation, dict) else ():
                if parameter.get("in") == "query":
                    _forbid_nul(parameter.get("schema"))
    return result
