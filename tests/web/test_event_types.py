"""The web app's TypeScript event types are generated from the catalogue and must not go stale."""

from __future__ import annotations

import importlib.util
from pathlib import Path
from types import ModuleType

from oms.events.catalogue import EVENT_MODELS, EVENT_MODELS_BY_NAME

SCRIPT = Path(__file__).resolve().parents[2] / "scripts" / "gen_event_types.py"


def load_generator() -> ModuleType:
    spec = importlib.util.spec_from_file_location("gen_event_types", SCRIPT)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_committed_event_types_match_the_catalogue() -> None:
    generator = load_generator()
    assert generator.TARGET.read_text() == generator.render(), (
        "web/src/shared/api/events.gen.ts is stale: run `uv run python scripts/gen_event_types.py`"
    )


def test_every_event_name_and_field_is_typed() -> None:
    text = load_generator().render()
    for family, model in EVENT_MODELS.items():
        assert f"export interface {model.__name__} {{" in text
        for field in model.model_fields:
            assert f"  {field}: " in text, f"{model.__name__}.{field}"
        assert f'"{family}.' in text
    for name, model in EVENT_MODELS_BY_NAME.items():
        assert f"export interface {model.__name__} {{" in text
        assert f'  "{name}": {model.__name__};' in text
    assert "export type OmsEvent = EventPayloads[EventName];" in text
