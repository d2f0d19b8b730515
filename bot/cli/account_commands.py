"""``users ...`` and ``tokens ...``: staff accounts and API tokens from the shell.

Every change goes through ``bot.staff_accounts.StaffAccounts`` and is audited as
``admin:cli``. Deactivating a user or resetting their password ends their dashboard
sessions at once (deactivation also revokes their API tokens); the last active admin cannot
be deactivated or demoted. Tokens are shown by id only: a token is printed once, by
``tokens create``, and never again.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Awaitable, Callable
from datetime import datetime
from typing import Annotated, Any, TypeVar

import typer

from bot.cli.common import CLI_ACTOR, CliError, registry, settings, with_store
from bot.security import hash_token, new_token
from bot.staff_accounts import (
    Account,
    StaffAccounts,
    TokenEntry,
    hash_password,
    new_password,
)
from bot.storage import ConflictError, FeedbackStore, NotFoundError, StaffRole, StaffUser

T = TypeVar("T")
_BAD_INPUT = (ConflictError, NotFoundError, ValueError)


def register(app: typer.Typer) -> None:
    users = typer.Typer(help="Dashboard and API accounts.", no_args_is_help=True)
    for name, command in (("add", add_user), ("list", list_users),
                          ("deactivate", deactivate), ("reactivate", reactivate),
                          ("set-areas", set_areas), ("set-role", set_role),
                          ("reset-password", reset_password)):
        users.command(name)(command)
    app.add_typer(users, name="users")
    tokens = typer.Typer(help="API tokens (bearer tokens and Open311 api_key).",
                         no_args_is_help=True)
    tokens.command("create")(create_token)
    tokens.command("list")(list_tokens)
    tokens.command("revoke")(revoke_token)
    app.add_typer(tokens, name="tokens")


def _run(work: Callable[[StaffAccounts, FeedbackStore], Awaitable[T]]) -> T:
    """Open the store (with the current model's areas added if missing) and run ``work``."""
    from handlers.areas import default_label

    folder = registry().resolve(None)
    labels = json.loads((folder / "metadata.json").read_text("utf-8")).get("labels", [])

    async def run(store: FeedbackStore) -> T:
        await store.ensure_areas({str(code): default_label(str(code)) for code in labels})
        return await work(StaffAccounts(store), store)

    return with_store(run, _BAD_INPUT)


def _on_user(email: str, work: Callable[[StaffAccounts, StaffUser], Awaitable[T]]) -> T:
    async def run(accounts: StaffAccounts, store: FeedbackStore) -> T:
        return await work(accounts, await accounts.find(email))

    return _run(run)


def _plural(count: int, word: str) -> str:
    return f"{count} {word}{'' if count == 1 else 's'}"


def _when(moment: datetime | None) -> str | None:
    return None if moment is None else moment.isoformat()


# -- users --------------------------------------------------------------------------------


def add_user(
    email: Annotated[str, typer.Argument(help="The person's e-mail address")],
    role: Annotated[StaffRole, typer.Option(help="staff: their areas only; admin: all")],
    area: Annotated[list[str] | None, typer.Option(
        help="Service-area code they work on; repeat for several")] = None,
) -> None:
    """Create a dashboard account and print its one-time password."""
    address = email.strip()
    if "@" not in address or len(address) > 254 or any(c.isspace() for c in address):
        raise CliError(f"not an e-mail address: {email!r}")
    password = new_password()
    password_hash = hash_password(password)

    async def work(accounts: StaffAccounts, store: FeedbackStore) -> list[str]:
        areas = await accounts.check_areas(area or [])
        try:
            await store.create_user(address, role, areas, password_hash, actor=CLI_ACTOR)
        except ConflictError:
            raise CliError(f"a user with the e-mail {address} already exists") from None
        return areas

    areas = _run(work)
    scope = "every area" if role is StaffRole.ADMIN else (", ".join(areas) or "no areas yet")
    typer.echo(f"created {role} user {address} ({scope})")
    if role is StaffRole.STAFF and not areas:
        typer.echo("note: a staff user without --area sees no feedback", err=True)
    _print_password(password)


def _print_password(password: str) -> None:
    typer.echo(f"one-time password: {password}")
    typer.echo(f"They sign in at {settings().public_base_url}/staff and should change it "
               "at once (Password, in the dashboard's menu); it is not shown again.")


def _account_json(account: Account) -> dict[str, Any]:
    u = account.user
    return {"id": u.id, "email": u.email, "role": u.role, "areas": list(u.areas),
            "active": u.active, "sessions": account.sessions, "tokens": account.tokens,
            "created_at": _when(u.created_at), "updated_at": _when(u.updated_at)}


def list_users(
    as_json: Annotated[bool, typer.Option("--json", help="Print a JSON array")] = False,
) -> None:
    """List every account (deactivated ones marked) with role, areas, sessions and tokens."""
    found = _run(lambda accounts, _: accounts.accounts())
    if as_json:
        print(json.dumps([_account_json(a) for a in found]))
        return
    for account in found:
        u = account.user
        scope = "all areas" if u.role is StaffRole.ADMIN else ", ".join(u.areas) or "-"
        state = "active" if u.active else "DEACTIVATED"
        held = f"{_plural(account.sessions, 'session')}, {_plural(account.tokens, 'token')}"
        typer.echo(f"{u.email:36s} {u.role:6s} {state:11s} {held:22s} {scope}")


def deactivate(email: Annotated[str, typer.Argument(help="The account's e-mail")]) -> None:
    """Deactivate an account: its sessions and API tokens stop working at once."""

    async def work(accounts: StaffAccounts, user: StaffUser) -> str:
        if not user.active:
            return f"{user.email} was already deactivated; nothing to do"
        held = await accounts.account(user)
        await accounts.update(user, actor=CLI_ACTOR, active=False)
        return (f"deactivated {user.email}: {_plural(held.sessions, 'session')} ended, "
                f"{_plural(held.tokens, 'API token')} revoked")

    typer.echo(_on_user(email, work))


def reactivate(email: Annotated[str, typer.Argument(help="The account's e-mail")]) -> None:
    """Reactivate an account (its old sessions and API tokens stay ended)."""

    async def work(accounts: StaffAccounts, user: StaffUser) -> str:
        if user.active:
            return f"{user.email} is active; nothing to do"
        await accounts.update(user, actor=CLI_ACTOR, active=True)
        return (f"reactivated {user.email}; they sign in with their password (or reset it "
                "with 'civicvoice users reset-password'); API tokens revoked at deactivation "
                "stay revoked: 'civicvoice tokens create' makes a new one")

    typer.echo(_on_user(email, work))


def set_areas(
    email: Annotated[str, typer.Argument(help="The account's e-mail")],
    area: Annotated[list[str], typer.Argument(
        metavar="AREA...", help="Every active service-area code they work on")],
) -> None:
    """Replace the service areas an account works on (active areas only)."""

    async def work(accounts: StaffAccounts, user: StaffUser) -> str:
        changed = await accounts.update(user, actor=CLI_ACTOR, areas=area)
        line = f"{changed.email} now works on {', '.join(changed.areas) or 'no areas'}"
        if user.areas != changed.areas:
            line += f" (was {', '.join(user.areas) or 'none'})"
        if changed.role is StaffRole.ADMIN:
            line += ("; as an admin they still see every area (these decide their digests, "
                     "and what they see if they become staff)")
        return line

    typer.echo(_on_user(email, work))


def set_role(
    email: Annotated[str, typer.Argument(help="The account's e-mail")],
    role: Annotated[StaffRole, typer.Argument(help="staff or admin")],
) -> None:
    """Make an account staff (their areas only) or admin (everything)."""

    async def work(accounts: StaffAccounts, user: StaffUser) -> str:
        if user.role is role:
            return f"{user.email} is already {role}; nothing to do"
        changed = await accounts.update(user, actor=CLI_ACTOR, role=role)
        line = f"{changed.email} is now {changed.role} (was {user.role})"
        if changed.role is StaffRole.STAFF and not changed.areas:
            line += "; they have no areas yet, so they see no feedback: use 'users set-areas'"
        return line

    typer.echo(_on_user(email, work))


def reset_password(email: Annotated[str, typer.Argument(help="The account's e-mail")]) -> None:
    """Give an account a new one-time password and end its sessions; print the password."""

    async def work(accounts: StaffAccounts, user: StaffUser) -> tuple[str, str]:
        password, ended = await accounts.reset_password(user, actor=CLI_ACTOR)
        note = "" if user.active else " (the account is deactivated: reactivate it to use it)"
        return password, f"new password for {user.email}: {_plural(ended, 'session')} ended{note}"

    password, line = _on_user(email, work)
    typer.echo(line)
    _print_password(password)


# -- tokens -------------------------------------------------------------------------------


def create_token(
    email: Annotated[str, typer.Argument(help="The account the token acts as")],
    label: Annotated[str, typer.Option(help="What the token is for, e.g. 'open311'")] = "",
) -> None:
    """Print a new API token for EMAIL alone on the last line (shown once, stored hashed)."""
    token = new_token()

    async def work(store: FeedbackStore) -> int:
        user = await store.get_user_by_email(email)
        if user is None or not user.active:
            raise CliError(f"no active user with the e-mail {email.strip()}")
        created = await store.create_api_token(user.id, hash_token(token), label.strip(),
                                               actor=CLI_ACTOR)
        return created.id

    token_id = with_store(work)
    typer.echo(f"new API token {token_id} for {email.strip()} (shown once; only its hash is "
               "kept). Send it as 'Authorization: Bearer TOKEN':", err=True)
    sys.stdout.write(token + "\n")
    sys.stdout.flush()


def _token_json(token: TokenEntry) -> dict[str, Any]:
    return {"id": token.id, "user_id": token.user_id, "email": token.email,
            "label": token.label, "created_at": _when(token.created_at),
            "revoked_at": _when(token.revoked_at), "active": not token.revoked}


def list_tokens(
    email: Annotated[str | None, typer.Argument(help="Only this account's tokens")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print a JSON array")] = False,
) -> None:
    """List API tokens by id (never the token itself), revoked ones marked."""

    async def work(accounts: StaffAccounts, store: FeedbackStore) -> list[TokenEntry]:
        return await accounts.tokens(None if email is None else await accounts.find(email))

    found = _run(work)
    if as_json:
        print(json.dumps([_token_json(t) for t in found]))
        return
    for t in found:
        state = f"revoked {t.revoked_at:%Y-%m-%d %H:%M}" if t.revoked_at else "active"
        typer.echo(f"{t.id:>6}  {t.email:36s} {t.label or '-':20s} "
                   f"created {t.created_at:%Y-%m-%d %H:%M}  {state}")


def revoke_token(
    token_id: Annotated[int, typer.Argument(metavar="TOKEN_ID", help="From 'tokens list'")],
) -> None:
    """Revoke an API token by its id: it stops working at once."""
    token, changed = _run(lambda accounts, _: accounts.revoke_token(token_id,
                                                                    actor=CLI_ACTOR))
    what = f"token {token.id} of {token.email}" + (f" ({token.label})" if token.label else "")
    typer.echo(f"revoked {what}" if changed else f"{what} was already revoked")
