"""Events are typed end to end: a mistake in an event the domain builds is a mypy error, not a
payload refused at run time (issue 14 point 3).

mypy runs here with the project's own configuration (strict, the pydantic plugin with typed
`__init__`), over code written the way the domain writes events, so turning that configuration
off or loosening a draft's field makes this test fail.
"""

from __future__ import annotations

import os
import re
import shutil
from pathlib import Path

from mypy import api as mypy_api

ROOT = Path(__file__).resolve().parents[2]

CASES = """
from sqlalchemy.ext.asyncio import AsyncSession

from oms.events.catalogue import (
    AppointmentDraft,
    AppointmentSubject,
    BranchRef,
    InboxReadDraft,
    NotificationDraft,
    PatientRef,
    PersonRef,
)
from oms.events.recorder import record_event

SUBJECT = AppointmentSubject(
    id=1,
    date="2026-11-30",
    time="10:00",
    end_time="10:30",
    status="scheduled",
    type="eye_exam",
    patient=PatientRef(id=2, name="Maria Cruz", email="maria@example.com"),
    optometrist=PersonRef(id=3, name="Dr Lee"),
    branch=BranchRef(id=4, name="Emerald"),
)


async def well_formed(session: AsyncSession) -> None:
    await record_event(
        session,
        AppointmentDraft(
            event="appointment.created",
            title="Eye exam booked",
            message="booked",
            level="success",
            id=1,
            appointment=SUBJECT,
        ),
        recipients={2, 3},
    )


async def mistakes(session: AsyncSession) -> None:
    A, S = AppointmentDraft, SUBJECT
    # unknown-name
    A(event="appointment.moved", title="", message="", level="info", id=1, appointment=S)
    # bad-level
    A(event="appointment.created", title="", message="", level="loud", id=1, appointment=S)
    # id-as-str
    A(event="appointment.created", title="", message="", level="info", id="1", appointment=S)
    # subject-as-dict
    A(event="appointment.created", title="", message="", level="info", id=1, appointment={"id": 1})
    # extra-field
    PersonRef(id=3, name="Dr Lee", email="leak@example.com")
    # missing-field
    A(event="appointment.created", title="", message="", level="info", appointment=S)
    # other-family
    NotificationDraft(event="appointment.created", title="", message="", level="info", data={})
    inbox = InboxReadDraft(user_id=1, ids=[], all=True, unread_count=0)
    # user-message
    await record_event(session, inbox, recipients={1})
"""

# What mypy must say on the line after each marker (a fragment of its message).
EXPECTED = {
    "unknown-name": 'Argument "event" has incompatible type "Literal[\'appointment.moved\']"',
    "bad-level": 'Argument "level" has incompatible type "Literal[\'loud\']"',
    "id-as-str": 'Argument "id" has incompatible type "str"; expected "int"',
    "subject-as-dict": 'Argument "appointment" has incompatible type "dict[str, int]"; '
    'expected "AppointmentSubject"',
    "extra-field": 'Unexpected keyword argument "email" for "PersonRef"',
    "missing-field": 'Missing named argument "id"',
    "other-family": 'Argument "event" to "NotificationDraft" has incompatible type',
    "user-message": 'Argument 2 to "record_event" has incompatible type "InboxReadDraft"',
}


def test_a_mistyped_event_field_is_a_mypy_error(tmp_path: Path) -> None:
    source = tmp_path / "events_as_the_domain_writes_them.py"
    source.write_text(CASES)
    lines = {
        marker.group(1): number + 1
        for number, line in enumerate(CASES.splitlines(), start=1)
        if (marker := re.fullmatch(r" +# ([a-z-]+)", line))
    }
    assert set(lines) == set(EXPECTED)

    # A copy of scripts/test's shared mypy cache when there is one: mypy then reads what it
    # knows of oms and its libraries instead of checking them again (~9 s of CPU). A copy, so
    # this temporary module's entry (its path changes every run) never lands in the shared one.
    cache = tmp_path / "mypy-cache"
    shared = os.environ.get("MYPY_CACHE_DIR")
    if shared and Path(shared).is_dir():
        shutil.copytree(shared, cache)
    report, errors, status = mypy_api.run(
        [
            "--config-file",
            str(ROOT / "pyproject.toml"),
            "--cache-dir",
            str(cache),
            "--no-error-summary",
            "--show-error-codes",
            str(source),
        ]
    )

    assert errors == ""
    assert status == 1
    said: dict[int, list[str]] = {}
    for line in report.splitlines():
        if re.match(r".*:\d+: note: ", line):
            continue  # where a type is defined, said beside an error when it comes from the cache
        found = re.match(rf"{re.escape(str(source))}:(\d+): error: (.*)", line)
        assert found, f"mypy reported something other than an error in the cases: {line}"
        said.setdefault(int(found.group(1)), []).append(found.group(2))
    for case, expected in EXPECTED.items():
        messages = said.pop(lines[case], [])
        assert any(expected in message for message in messages), (case, messages)
    # Nothing else: the well-formed event (and every other line) type-checks.
    assert said == {}
