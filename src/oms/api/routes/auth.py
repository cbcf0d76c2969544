"""REST routes: log-in, self-registration, the signed-in user."""

from __future__ import annotations

from fastapi import APIRouter

from oms.api.deps import CurrentActor, SessionDep, SettingsDep
from oms.api.schemas.users import LoginIn, MeOut, RegisterIn, TokenOut, UserOut
from oms.db.models import User
from oms.domain import accounts
from oms.domain.actors import Actor
from oms.security.tokens import issue_token

router = APIRouter(prefix="/auth", tags=["auth"])


def me_out(user: User, actor: Actor) -> MeOut:
    return MeOut(**UserOut.model_validate(user).model_dump(), branch_ids=sorted(actor.branch_ids))


def token_for(settings: SettingsDep, user: User, actor: Actor) -> TokenOut:
    token, expires_in = issue_token(
        settings.app_key,
        user_id=user.id,
        role=user.role,
        branch_ids=tuple(sorted(actor.branch_ids)),
        ttl_seconds=settings.token_ttl_seconds,
    )
    return TokenOut(access_token=token, expires_in=expires_in, user=me_out(user, actor))


@router.post("/login")
async def login(body: LoginIn, session: SessionDep, settings: SettingsDep) -> TokenOut:
    user, actor = await accounts.authenticate(session, body.email, body.password)
    return token_for(settings, user, actor)


@router.post("/register", status_code=201)
async def register(body: RegisterIn, session: SessionDep, settings: SettingsDep) -> TokenOut:
    user = await accounts.register_customer(
        session,
        accounts.NewUser(
            email=body.email,
            password=body.password,
            name=body.name,
            role="customer",
            phone=body.phone,
            branch_id=body.home_branch_id,
        ),
    )
    actor = Actor(user.id, "customer", user.name, user.email, frozenset())
    return token_for(settings, user, actor)


@router.get("/me")
async def me(actor: CurrentActor, session: SessionDep) -> MeOut:
    return me_out(await accounts.get_user(session, actor.id), actor)
