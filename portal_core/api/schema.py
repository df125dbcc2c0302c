"""Schema post-processing: every operation documents the error answers it can give."""

MESSAGE = {
    "type": "object",
    "properties": {"message": {"type": "string"}},
    "required": ["message"],
}
COMMON = {
    "401": "Missing, unknown, expired or revoked credentials, or a token of another portal.",
    "403": "The credentials may not do this (a read-only key writing, a client token on the office API).",
    "429": "Too many requests for this token in this minute; see Retry-After.",
}


def _json(schema: dict) -> dict:
    return {"application/json": {"schema": schema}}


def add_error_responses(result, generator, request, public):
    """Add 401/403/429 to authenticated operations, 400/415 to those with a body (when missing);
    a field's errors may be nested (lists of objects), so the validation errors' values are free."""
    validation = result.get("components", {}).get("schemas", {}).get("ValidationError")
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
                codes["415"] = "The body is not JSON (or form data)."
            for code, description in codes.items():
                responses.setdefault(code, {"description": description, "content": _json(MESSAGE)})
    return result
