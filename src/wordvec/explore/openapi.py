"""The OpenAPI 3 description of the explorer's API (served at ``/api/openapi.json``).

>>> document = openapi_document()
>>> document["openapi"], sorted(document["paths"])[:3]
('3.0.3', ['/api/analogy', '/api/info', '/api/map'])
"""

from __future__ import annotations

from .. import __version__
from .queries import BUILT_HEADER, MAX_N


def _parameter(name: str, description: str, schema: dict, required: bool = False) -> dict:
    return {"name": name, "in": "query", "required": required, "description": description, "schema": schema}


def _json(schema: dict) -> dict:
    return {"application/json": {"schema": schema}}


def _ref(name: str) -> dict:
    return {"$ref": f"#/components/schemas/{name}"}


def _get(summary: str, operation: str, responses: dict, parameters: list | None = None) -> dict:
    operation_object = {"summary": summary, "operationId": operation}
    if parameters is not None:
        operation_object["parameters"] = parameters
    operation_object["responses"] = responses
    return {"get": operation_object}


def _query_paths() -> dict:
    """``/api/similar``, ``/api/analogy`` and ``/api/vocab``: the queries that take parameters."""
    n = _parameter("n", "how many answers", {"type": "integer", "minimum": 1, "maximum": MAX_N, "default": 10})
    error = {"description": "bad parameters or an unknown word", "content": _json(_ref("Error"))}
    built = {"description": "the query words not in the vocabulary, whose vectors were built from their "
                            "subwords (models with subwords only), each percent-encoded UTF-8, comma-separated",
             "schema": {"type": "string"}}
    answers = {"description": "answers (vocabulary words), most similar first",
               "headers": {BUILT_HEADER: built},
               "content": _json({"type": "array", "items": _ref("Answer")})}
    word_list = {"type": "string", "description": "comma-separated words"}
    limit = _parameter("limit", "how many words", {"type": "integer", "minimum": 1, "maximum": MAX_N, "default": 10})
    return {
        "/api/similar": _get(
            "Nearest words by cosine similarity (a model with subwords answers any word)", "similar",
            {"200": answers, "400": error, "404": error},
            [_parameter("word", "the word", {"type": "string", "minLength": 1}, True), n]),
        "/api/analogy": _get(
            "Analogy a − b + c (3CosAdd): positive=a,c&negative=b", "analogy",
            {"200": answers, "400": error, "404": error},
            [_parameter("positive", "words added (a, c)", word_list, True),
             _parameter("negative", "words subtracted (b)", word_list), n]),
        "/api/vocab": _get(
            "Words starting with a prefix (case-insensitive), most frequent first", "vocab",
            {"200": {"description": "matching words", "content": _json({"type": "array", "items": _ref("Word")})},
             "400": error},
            [_parameter("prefix", "the start of the word", {"type": "string", "default": ""}), limit]),
    }


def _fixed_paths() -> dict:
    """``/api/map``, ``/api/info`` and ``/api/openapi.json``: the answers that take no parameters."""
    error = {"description": "bad parameters or an unknown word", "content": _json(_ref("Error"))}
    return {
        "/api/map": _get(
            "t-SNE positions of the most frequent words", "map",
            {"200": {"description": "the map", "content": _json(_ref("Map"))},
             "404": error,
             "503": {"description": "the map is still being computed (see Retry-After)",
                     "content": _json(_ref("Error"))}}),
        "/api/info": _get(
            "The model and the explorer's limits", "info",
            {"200": {"description": "model information", "content": _json({"type": "object"})}}),
        "/api/openapi.json": _get(
            "This document", "openapi",
            {"200": {"description": "OpenAPI 3 document", "content": _json({"type": "object"})}}),
    }


def _schemas() -> dict:
    """The shapes of the answers: Error, Answer, Word and Map."""
    return {
        "Error": {"type": "object", "required": ["error"],
                  "properties": {"error": {"type": "string", "description": "one line"}}},
        "Answer": {"type": "object", "required": ["word", "similarity"],
                   "properties": {"word": {"type": "string"},
                                  "similarity": {"type": "number", "description": "cosine similarity"},
                                  "count": {"type": "integer", "nullable": True,
                                            "description": "corpus frequency"}}},
        "Word": {"type": "object", "required": ["word"],
                 "properties": {"word": {"type": "string"},
                                "count": {"type": "integer", "nullable": True}}},
        "Map": {"type": "object", "required": ["words", "x", "y", "counts"],
                "properties": {"words": {"type": "array", "items": {"type": "string"}},
                               "x": {"type": "array", "items": {"type": "number"}},
                               "y": {"type": "array", "items": {"type": "number"}},
                               "counts": {"type": "array", "items": {"type": "integer", "nullable": True}},
                               "cached": {"type": "boolean"}}},
    }


def openapi_document() -> dict:
    """The OpenAPI 3 description of the explorer's API."""
    return {
        "openapi": "3.0.3",
        "info": {"title": "wordvec explore", "version": __version__,
                 "description": "Read-only queries on one word-vector model."},
        "paths": {**_query_paths(), **_fixed_paths()},
        "components": {"schemas": _schemas()},
    }
