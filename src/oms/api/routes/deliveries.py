"""REST routes: Web Push subscriptions, the delivery log, and unsubscribe links (DESIGN §10)."""

from __future__ import annotations

from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Query, Response
from fastapi.responses import HTMLResponse

from oms.api.deps import CurrentActor, RuntimeDep, SessionDep, SettingsDep
from oms.api.schemas.common import BigIdValue, Id
from oms.api.schemas.preferences import (
    CreatedOut,
    DeliveryOut,
    DeliveryUser,
    PushPublicKeyOut,
    PushSubscriptionIn,
)
from oms.db.models import User
from oms.delivery import log, subscriptions
from oms.delivery.links import read_unsubscribe_token
from oms.delivery.preferences import turn_off_email
from oms.delivery.templates import FAMILY_LABELS, render
from oms.delivery.vapid import load_or_create

router = APIRouter(tags=["deliveries"])


@router.get("/push/public-key")
async def push_public_key(_: CurrentActor, runtime: RuntimeDep) -> PushPublicKeyOut:
    return PushPublicKeyOut(public_key=load_or_create(runtime.settings).public_key)


@router.post("/push/subscriptions", status_code=201)
async def add_push_subscription(
    body: PushSubscriptionIn, actor: CurrentActor, session: SessionDep, settings: SettingsDep
) -> CreatedOut:
    subscription_id = await subscriptions.subscribe(
        session,
        actor,
        endpoint=body.endpoint,
        p256dh=body.keys.p256dh,
        auth=body.keys.auth,
        app_env=settings.app_env,
    )
    return CreatedOut(id=subscription_id)


@router.delete("/push/subscriptions/{subscription_id}", status_code=204)
async def remove_push_subscription(
    subscription_id: Id, actor: CurrentActor, session: SessionDep
) -> Response:
    await subscriptions.unsubscribe(session, actor, subscription_id)
    return Response(status_code=204)


@router.get("/deliveries")
async def list_deliveries(
    actor: CurrentActor,
    session: SessionDep,
    status: str | None = None,
    channel: str | None = None,
    user_id: Id | None = None,
    before_id: BigIdValue | None = None,
    limit: Annotated[int, Query(ge=1, le=log.MAX_PAGE)] = log.DEFAULT_PAGE,
) -> list[DeliveryOut]:
    rows = await log.list_deliveries(
        session,
        actor,
        status=status,
        channel=channel,
        user_id=user_id,
        before_id=before_id,
        limit=limit,
    )
    return [
        DeliveryOut.from_row(row, user=DeliveryUser(id=row.user_id, name=row.user_name))
        for row in rows
    ]


def _page(heading: str, text: str, status: int = 200, **form: str) -> HTMLResponse:
    return HTMLResponse(render("unsubscribe.html", heading=heading, text=text, **form), status)


_INVALID = ("This link does not work", "It is not a valid unsubscribe link (or it expired).")


_BAD_LINK: dict[int | str, dict[str, Any]] = {
    400: {"description": "not a valid unsubscribe link, or it expired (an HTML page)"}
}


@router.get("/unsubscribe", response_class=HTMLResponse, responses=_BAD_LINK)
async def unsubscribe_page(settings: SettingsDep, token: str = "") -> HTMLResponse:
    """The link in every email. It only shows a button: link scanners that open every URL in a
    message must not turn anyone's email off; the button (and RFC 8058 one-click) does."""
    found = read_unsubscribe_token(settings.app_key, token)
    if found is None:
        return _page(*_INVALID, status=400)
    label = FAMILY_LABELS[found[1]]
    return _page(
        f"Stop {label} emails?",
        f"You will no longer get {label} emails from OMS. You still see them when you sign in.",
        token=token,
        action=f"{settings.public_url}/api/unsubscribe?{urlencode({'token': token})}",
        family_label=label,
    )


@router.post("/unsubscribe", response_class=HTMLResponse, responses=_BAD_LINK)
async def unsubscribe(settings: SettingsDep, session: SessionDep, token: str = "") -> HTMLResponse:
    """Signed, single purpose: turns one family's email off for one user, without signing in.
    The token rides in the URL, so a mail client's RFC 8058 one-click POST works as well."""
    found = read_unsubscribe_token(settings.app_key, token)
    if found is None or await session.get(User, found[0]) is None:
        return _page(*_INVALID, status=400)
    user_id, family = found
    await turn_off_email(session, user_id, family)
    label = FAMILY_LABELS[family]
    return _page("Done", f"You will no longer get {label} emails. Change it any time in Settings.")
