"""The routes of one inventory entity, built from its :class:`~noc.api_inventory_core.Resource`.

Each route function is generic over the entity; its signature (the record
model as the body, the entity's list query, its key path parameters) is set
explicitly, so FastAPI validates the request and documents the operation in
OpenAPI exactly as if it had been written out per entity.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable
from typing import Annotated, Any

from fastapi import APIRouter, Body, HTTPException, Path, Query, Request, Response
from pydantic import BaseModel

from inventory.schemas import record_key
from noc.api_inventory_core import InventoryApi, Resource
from noc.api_inventory_models import AuditOut, AuditQuery, ListQuery, Page, partial_model
from noc.api_inventory_query import QUERIES, SortError, load_references, page

_KW = inspect.Parameter.KEYWORD_ONLY


def _signed(fn: Callable[..., Any], params: dict[str, Any],
            defaults: dict[str, Any] | None = None) -> Callable[..., Any]:
    """``fn`` with the keyword parameters ``params`` (name: annotation) as its signature."""
    defaults = defaults or {}
    fn.__signature__ = inspect.Signature([  # type: ignore[attr-defined]
        inspect.Parameter(name, _KW, annotation=annotation,
                          default=defaults.get(name, inspect.Parameter.empty))
        for name, annotation in params.items()])
    return fn


def _key_params(res: Resource) -> dict[str, Any]:
    if res.keys == ("device", "name"):
        return {"device": Annotated[str, Path(description="name of the device")],
                "name": Annotated[str, Path(description="interface name, may contain '/'")]}
    return {res.keys[0]: Annotated[str, Path(description=f"{res.keys[0]} of the {res.entity}")]}


def _path(res: Resource) -> str:
    tail = "/{device}/{name:path}" if res.keys == ("device", "name") else f"/{{{res.keys[0]}}}"
    return f"/{res.plural}{tail}"


def _key(res: Resource, params: dict[str, Any]) -> str:
    return "/".join(str(params[k]) for k in res.keys)


def _lookup(res: Resource, key: str) -> Any:
    return tuple(key.split("/", 1)) if res.entity == "interface" else key


def _not_found(res: Resource, key: str) -> HTTPException:
    return HTTPException(404, f"no {res.entity} {key!r}")


def _same_key(res: Resource, params: dict[str, Any], body: dict[str, Any]) -> None:
    """Refuse a body whose key fields differ from the path (keys are not renamed here)."""
    for name in res.keys:
        if name in body and body[name] != params[name]:
            raise HTTPException(422, [{
                "loc": ["body", name], "type": "inventory",
                "msg": f"{name} {body[name]!r} differs from the path ({params[name]!r}); "
                       "a record's natural key cannot be changed"}])


def add_routes(router: APIRouter, api: InventoryApi, res: Resource) -> None:
    """Add list, get, create, replace, patch and delete of ``res`` to ``router``."""
    _list_route(router, api, res)
    _get_route(router, api, res)
    _write_routes(router, api, res)
    _delete_route(router, api, res)


def _list_route(router: APIRouter, api: InventoryApi, res: Resource) -> None:
    spec = QUERIES[res.entity]

    def listing(query: ListQuery) -> dict[str, Any]:
        with api.reading() as inv:
            try:
                objs, total = page(inv.session, spec, query)
            except SortError as exc:
                raise HTTPException(422, [{"loc": ["query", "sort"], "msg": str(exc),
                                           "type": "value_error"}]) from exc
            keep = load_references(inv.session, spec, objs)
            items = [inv.record(res.entity, obj) for obj in objs]
            del keep
        return {"items": items, "total": total, "limit": query.limit, "offset": query.offset}

    router.add_api_route(
        f"/{res.plural}", _signed(listing, {"query": Annotated[res.query, Query()]}),
        methods=["GET"], response_model=Page[res.record],  # type: ignore[name-defined]
        summary=f"List {res.plural}", operation_id=f"list_{res.plural}",
        description=f"Filter, search (`q` in {', '.join(spec.search)}), sort "
                    f"(`sort` = one of {', '.join(sorted(spec.columns))}, `-` for "
                    "descending) and page (`limit`, `offset`) in the database.")


def _get_route(router: APIRouter, api: InventoryApi, res: Resource) -> None:
    def get_one(**params: Any) -> dict[str, Any]:
        key = _key(res, params)
        with api.reading() as inv:
            obj = inv.get(res.entity, _lookup(res, key))
            if obj is None:
                raise _not_found(res, key)
            return inv.record(res.entity, obj)

    router.add_api_route(
        _path(res), _signed(get_one, _key_params(res)), methods=["GET"],
        response_model=res.record, summary=f"Get one {res.entity}",
        operation_id=f"get_{res.entity}", responses={404: {"description": "unknown key"}})


def _write_routes(router: APIRouter, api: InventoryApi, res: Resource) -> None:
    partial = partial_model(res.record)

    def create(request: Request, body: BaseModel) -> dict[str, Any]:
        key = record_key(res.entity, body)
        with api.writing(request) as inv:
            if inv.get(res.entity, _lookup(res, key)) is not None:
                raise HTTPException(409, f"{res.entity} {key!r} already exists: "
                                         "PUT or PATCH it instead")
            change = inv.put(res.entity, body)
            record = inv.record(res.entity, inv.get(res.entity, _lookup(res, key)))
        api.changed(change)
        return record

    def replace(request: Request, response: Response, body: BaseModel,
                **params: Any) -> dict[str, Any]:
        key = _key(res, params)
        _same_key(res, params, body.model_dump())
        with api.writing(request) as inv:
            created = inv.get(res.entity, _lookup(res, key)) is None
            change = inv.put(res.entity, body)
            record = inv.record(res.entity, inv.get(res.entity, _lookup(res, key)))
        api.changed(change)
        response.status_code = 201 if created else 200
        return record

    def patch(request: Request, body: BaseModel, **params: Any) -> dict[str, Any]:
        key = _key(res, params)
        fields = body.model_dump(exclude_unset=True)
        _same_key(res, params, fields)
        with api.writing(request) as inv:
            change = inv.patch(res.entity, key, fields)
            record = inv.record(res.entity, inv.get(res.entity, _lookup(res, key)))
        api.changed(change)
        return record

    common: dict[str, Any] = {"response_model": res.record,
                              "responses": {422: {"description": "invalid record"}}}
    router.add_api_route(
        f"/{res.plural}", _signed(create, {"request": Request, "body": Annotated[
            res.record, Body()]}),
        methods=["POST"], status_code=201, summary=f"Create a {res.entity}",
        operation_id=f"create_{res.entity}",
        description="409 if a record with this key exists.", **common)
    router.add_api_route(
        _path(res), _signed(replace, {"request": Request, "response": Response,
                                      "body": Annotated[res.record, Body()],
                                      **_key_params(res)}),
        methods=["PUT"], summary=f"Create or replace a {res.entity}",
        operation_id=f"put_{res.entity}",
        description="The whole record (omitted fields take their defaults); the key in the "
                    "path must match the body's. 201 when created, 200 when replaced.",
        **common)
    router.add_api_route(
        _path(res), _signed(patch, {"request": Request, "body": Annotated[partial, Body()],
                                    **_key_params(res)}),
        methods=["PATCH"], summary=f"Change some fields of a {res.entity}",
        operation_id=f"patch_{res.entity}",
        description="Only the fields sent change; the merged record is validated whole.",
        **common)


def _delete_route(router: APIRouter, api: InventoryApi, res: Resource) -> None:
    def delete(request: Request, purge: bool = False, **params: Any) -> Any:
        key = _key(res, params)
        with api.writing(request) as inv:
            change = inv.delete(res.entity, key, purge=purge or not res.retire)
            record = (inv.record(res.entity, inv.get(res.entity, key))
                      if res.retire and not purge else None)
        api.changed(change)
        return Response(status_code=204) if record is None else record

    params: dict[str, Any] = {"request": Request, **_key_params(res)}
    conflict: dict[int | str, dict[str, Any]] = {
        409: {"description": "still used by another record"}}
    if res.retire:
        params["purge"] = Annotated[bool, Query(description="delete instead of retiring")]
        router.add_api_route(
            _path(res), _signed(delete, params, {"purge": False}), methods=["DELETE"],
            response_model=res.record, summary=f"Retire (or purge) a {res.entity}",
            operation_id=f"delete_{res.entity}",
            responses={204: {"description": "purged"}, **conflict},
            description="Sets status `retired` and returns the record, keeping its history; "
                        "`?purge=true` deletes it (409 while links use its interfaces).")
        return
    router.add_api_route(
        _path(res), _signed(delete, params), methods=["DELETE"], status_code=204,
        response_class=Response, summary=f"Delete a {res.entity}",
        operation_id=f"delete_{res.entity}", responses=conflict,
        description="409 while other records still refer to it.")


def add_audit_route(router: APIRouter, api: InventoryApi) -> None:
    """Add ``GET /audit``: the audit log, filtered and paged, newest first."""
    def audit(query: AuditQuery) -> dict[str, Any]:
        return api.audit(query)

    router.add_api_route(
        "/audit", _signed(audit, {"query": Annotated[AuditQuery, Query()]}), methods=["GET"],
        response_model=Page[AuditOut], summary="The audit log", operation_id="list_audit",
        description="Every write with who, when, through which path and the before/after "
                    "value of each changed field; newest first.")
