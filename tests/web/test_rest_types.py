"""The web app's REST types are generated from the API's OpenAPI schemas and must not go stale."""

from __future__ import annotations

from pathlib import Path
from typing import get_args, get_origin

import pytest
from pydantic import BaseModel

from oms.api.app import API_ROUTERS
from tests.web.test_event_types import load_generator

SCRIPT = Path(__file__).resolve().parents[2] / "scripts" / "gen_rest_types.py"


@pytest.fixture(scope="module")
def rendered(web_packages: Path) -> str:
    """What the generator writes now: openapi-typescript, a web devDependency, runs once for
    the module's tests."""
    text: str = load_generator(SCRIPT).render()
    return text


def test_committed_rest_types_match_the_api(rendered: str) -> None:
    assert load_generator(SCRIPT).TARGET.read_text() == rendered, (
        "web/src/shared/api/rest.gen.ts is stale: run `uv run python scripts/gen_rest_types.py`"
    )


def test_every_response_model_has_an_exported_type(rendered: str) -> None:
    text = rendered
    models: set[str] = set()
    for router in API_ROUTERS:
        for route in router.routes:
            model = getattr(route, "response_model", None)
            model = get_args(model)[0] if get_origin(model) is list else model
            if isinstance(model, type) and issubclass(model, BaseModel):
                models.add(model.__name__)
    assert {"AppointmentOut", "MemberOut", "StockRowOut"} <= models
    for name in models:
        assert f"export type {name} = components['schemas']['{name}'];" in text, name


def test_a_subclass_is_its_parent_and_what_it_adds(rendered: str) -> None:
    me = rendered.split('        MemberOut: components["schemas"]["UserOut"] & {\n', 1)[1]
    assert me.split("};", 1)[0].strip() == "branch_ids: number[];"
