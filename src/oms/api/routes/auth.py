"""REST routes: log-in, self-registration, the signed-in user."""

from __future__ import annotations

from fastapi import APIRouter

from oms.api.deps import (
    ClientAddress,
    CurrentActor,
    CurrentAuth,
    RateLimitsDep,
    SessionDep,
    SettingsDep,
)
from oms.api.schemas.users import (
    LoginIn,
    MemberOut,
    PasswordChangeIn,
    RegisterIn,
    TokenOut,
)
from oms.db.models import User
from oms.domain import accounts, sessions
from oms.domain.actors import Actor, actor_for
from oms.domain.errors import InvalidCredentials
from oms.security.tokens import issue_token

router = APIRouter(prefix="/auth", tags=["auth"])


def token_for(settings: SettingsDep, user: User, actor: Actor) -> TokenOut:
    token, expires_in = issue_token(
        settings.app_key,
        user_id=user.id,
        role=user.role,
        branch_ids=tuple(sorted(actor.branch_ids)),
        ttl_seconds=settings.token_ttl_seconds,
        version=user.token_version,
    )
    return TokenOut(
        access_token=token, expires_in=expires_in, user=MemberOut.of(user, actor.branch_ids)
    )


@router.post("/login")
async def login(
    body: LoginIn,
    session: SessionDep,
    settings: SettingsDep,
    limits: RateLimitsDep,
    address: ClientAddress,
) -> TokenOut:
    """Limited per client address (every attempt) and per account (failed attempts only: the
    guesses against one account are what is slowed down, from however many addresses)."""
    await limits.hit("login_address", address)
    account = accounts.normalize_email(body.email)
    await limits.check("login_account", account)
    try:
        user, actor = await accounts.authenticate(session, body.email, body.password)
    except InvalidCredentials:
        await limits.hit("login_account", account)
        raise
    return token_for(settings, user, actor)


@router.post("/register", status_code=201)
async def register(
    body: RegisterIn,
    session: SessionDep,
    settings: SettingsDep,
    limits: RateLimitsDep,
    address: ClientAddress,
) -> TokenOut:
    await limits.hit("register_address", address)
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
async def me(actor: CurrentActor, session: SessionDep) -> MemberOut:
    return MemberOut.of(await accounts.get_user(session, actor.id), actor.branch_ids)


@router.post("/logout", status_code=204)
async def logout(auth: CurrentAuth, session: SessionDep) -> None:
    """Revoke the presented token: it stops working on every route and its sockets close."""
    await sessions.revoke_token(session, auth.claims)


@router.post("/password")
async def change_password(
    body: PasswordChangeIn, auth: CurrentAuth, session: SessionDep, settings: SettingsDep
) -> TokenOut:
    """Every token issued so far is revoked (other devices are signed out, their sockets closed);
    the answer carries a fresh token for this session (as Django's update_session_auth_hash
    keeps the session that changed the password)."""
    user = await accounts.change_password(
        session, auth.actor, body.current_password, body.new_password
    )
    actor = await actor_for(session, user)
    return token_for(settings, user, actor)
