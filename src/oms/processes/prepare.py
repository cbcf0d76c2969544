"""The database made ready at start (`oms serve`, `oms seed`): migrated, then the demo chain
loaded into an empty one, or the operator told how to create the first user."""

from __future__ import annotations

from oms.db.migrate import upgrade_async
from oms.demo import DEMO_PASSWORD, database_is_empty, load_demo
from oms.events.recorder import commit
from oms.runtime import Runtime


async def prepare_database(runtime: Runtime, *, demo: bool) -> None:
    await upgrade_async(runtime.settings.database)
    async with runtime.database.session() as session:
        if not await database_is_empty(session):
            if demo:
                print("Database already has users; the demo chain was not loaded.")
            return
        if not demo:
            print("The database has no users: create one with `oms users create --role admin`.")
            return
        logins = await load_demo(session)
        await commit(session)
    print(f"Demo chain loaded. Every account's password is {DEMO_PASSWORD!r}:")
    for login in logins:
        print(f"  {login.role:<12} {login.email}")
