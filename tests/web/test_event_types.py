"""The web app's TypeScript event types are generated from the catalogue and must not go stale."""

from __future__ import annotations

import importlib.util
import re
from pathlib import Path
from types import ModuleType

from oms.events.catalogue import EVENT_MODELS, EVENT_MODELS_BY_NAME

SCRIPT = Path(__file__).resolve().parents[2] / "scripts" / "gen_event_types.py"


def load_generator(script: Path = SCRIPT) -> ModuleType:
    spec = importlib.util.spec_from_file_location(script.stem, script)
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
        assert re.search(rf"export interface {model.__name__}( extends \w+)? {{", text)
        for field in model.model_fields:
            assert f"  {field}: " in text, f"{model.__name__}.{field}"
        assert f'"{family}.' in text
    for name, model in EVENT_MODELS_BY_NAME.items():
        assert re.search(rf"export interface {model.__name__}( extends \w+)? {{", text)
        assert f'  "{name}": {model.__name__};' in text
    assert "export type OmsEvent = EventPayloads[EventName];" in text


def test_an_event_lists_only_what_it_adds_to_the_envelope() -> None:
    text = load_generator().render()
    assert "export interface EventBase {\n  event_id: number;\n  event: string;" in text
    schedule = text.split("export interface ScheduleEvent extends EventBase {\n", 1)[1]
    assert schedule.split("}", 1)[0] == (
        '  event: "schedule.updated";\n  schedule: ScheduleSubject;\n'
    )
