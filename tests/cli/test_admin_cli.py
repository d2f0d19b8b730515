"""``users``, ``tokens``, ``export`` and ``forget`` against a SQLite file, in process."""

from __future__ import annotations

import asyncio
import csv
import io
import json
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any, TypeVar

import pytest
from argon2 import PasswordHasher

from bot.cli import main
from bot.security import hash_token
from bot.storage import ERASED_TEXT, AttachmentKind, FeedbackStore, SQLiteStore, StaffRole

T = TypeVar("T")
UNUSED: Any = None  # parts of Services these routes never touch
PHONE = "+447700900123"
ORIGINAL = f"=HYPERLINK(1) pothole by my house, call {PHONE}"
REDACTED = "=HYPERLINK(1) pothole by my house, call [PHONE]"


@pytest.fixture
def db(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    path = tmp_path / "var" / "civicvoice.db"
    path.parent.mkdir()
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{path}")
    monkeypatch.setenv("DATA_DIR", str(tmp_path / "var"))
    monkeypatch.setenv("MODEL_DIR", str(tmp_path / "models"))
    monkeypatch.chdir(tmp_path)
    return path


def on(db: Path, work: Callable[[FeedbackStore], Awaitable[T]]) -> T:
    async def run() -> T:
        async with SQLiteStore(db) as store:
            return await work(store)

    return asyncio.run(run())


def seed(db: Path) -> dict[str, Any]:
    async def work(store: FeedbackStore) -> dict[str, Any]:
        citizen = await store.get_or_create_citizen("sms", "pseudonym-a", "ciphertext-a", "en")
        other = await store.get_or_create_citizen("sms", "pseudonym-b", "ciphertext-b", "en")
        common: dict[str, Any] = {"channel": "sms", "area_confidence": 0.9, "kind": "complaint"}
        first = await store.create_feedback(
            original_text=ORIGINAL, redacted_text=REDACTED, area="roads",
            citizen_id=citizen.id, urgent=True, **common)
        second = await store.create_feedback(
            original_text="Bins not emptied", redacted_text="Bins not emptied", area="waste",
            citizen_id=citizen.id, **common)
        kept = await store.create_feedback(
            original_text="Noisy bar", redacted_text="Noisy bar", area="noise_nuisance",
            citizen_id=other.id, **common)
        await store.add_attachment(first.id, AttachmentKind.PHOTO, "photo-1", actor="system")
        await store.enqueue_outbound(citizen.id, "sms", f"Thanks, {first.reference}",
                                     feedback_id=first.id)
        return {"first": first.reference, "second": second.reference, "kept": kept.reference,
                "citizen_id": citizen.id}

    return on(db, work)


def run_cli(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    captured = capsys.readouterr()
    return code, captured.out, captured.err


# -- users and tokens ----------------------------------------------------------------------


def test_users_add_creates_an_account_with_a_one_time_password(
        db: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run_cli(capsys, "users", "add", "Ana@City.example", "--role", "staff",
                           "--area", "roads", "--area", "waste")
    assert code == 0
    assert "/staff" in out
    password = next(line for line in out.splitlines() if "password:" in line).split()[-1]
    user = on(db, lambda store: store.get_user_by_email("ana@city.example"))
    assert user is not None
    assert user.role is StaffRole.STAFF and user.areas == ("roads", "waste")
    assert user.password_hash is not None and password not in user.password_hash
    assert PasswordHasher().verify(user.password_hash, password)

    code, _, err = run_cli(capsys, "users", "add", "ana@city.example", "--role", "admin")
    assert code == 2
    assert "already exists" in err and len(err.strip().splitlines()) == 1

    code, out, _ = run_cli(capsys, "users", "list", "--json")
    (listed,) = json.loads(out)
    assert code == 0 and listed | {"created_at": None, "updated_at": None} == {
        "id": user.id, "email": "Ana@City.example", "role": "staff",
        "areas": ["roads", "waste"], "active": True, "sessions": 0, "tokens": 0,
        "created_at": None, "updated_at": None}


@pytest.mark.parametrize("args", [
    ["users", "add", "not-an-email", "--role", "staff"],
    ["users", "add", "a@b.example", "--role", "boss"],
    ["users", "add", "a@b.example"],
])
def test_users_add_rejects_bad_input(db: Path, capsys: pytest.CaptureFixture[str],
                                     args: list[str]) -> None:
    code, _, _ = run_cli(capsys, *args)
    assert code == 2


def test_tokens_create_prints_a_working_token_last(
        db: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert run_cli(capsys, "users", "add", "admin@city.example", "--role", "admin")[0] == 0
    code, out, _ = run_cli(capsys, "tokens", "create", "ADMIN@city.example", "--label", "ci")
    assert code == 0
    token = out.splitlines()[-1]
    assert token == token.strip() and len(token) >= 32 and " " not in token
    user = on(db, lambda store: store.get_user_by_token_hash(hash_token(token)))
    assert user is not None and user.email == "admin@city.example"
    tokens = on(db, lambda store: store.list_api_tokens(user.id))
    assert [(t.label, t.token_hash) for t in tokens] == [("ci", hash_token(token))]
    assert token not in db.read_bytes().decode("latin-1")
    # A second token is different and both work.
    second = run_cli(capsys, "tokens", "create", "admin@city.example")[1].splitlines()[-1]
    assert second != token
    assert on(db, lambda store: store.get_user_by_token_hash(hash_token(second))) is not None


def test_the_token_opens_the_staff_api(db: Path, capsys: pytest.CaptureFixture[str]) -> None:
    import httpx
    from fastapi import FastAPI

    from bot.services import Services
    from bot.settings import Settings
    from bot.web.errors import install_error_handlers
    from bot.web.staff_api import router
    from handlers.staff_actions import StaffActions

    refs = seed(db)
    run_cli(capsys, "users", "add", "roads@city.example", "--role", "staff", "--area", "roads")
    token = run_cli(capsys, "tokens", "create", "roads@city.example")[1].splitlines()[-1]

    async def call() -> httpx.Response:
        async with SQLiteStore(db) as store:
            app = FastAPI()
            install_error_handlers(app)
            app.include_router(router)
            app.state.services = Services(
                settings=Settings(secret_key="x" * 32), store=store, registry=UNUSED,
                triage=UNUSED, conversation=UNUSED, staff=StaffActions(store, "x" * 32))
            transport = httpx.ASGITransport(app=app)
            async with httpx.AsyncClient(transport=transport, base_url="http://t") as client:
                return await client.get("/api/v1/feedback",
                                        headers={"Authorization": f"Bearer {token}"})

    response = asyncio.run(call())
    assert response.status_code == 200, response.text
    assert [i["reference"] for i in response.json()["items"]] == [refs["first"]]


def test_tokens_create_for_an_unknown_user_exits_2(
        db: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run_cli(capsys, "tokens", "create", "nobody@city.example")
    assert code == 2 and out == "" and "nobody@city.example" in err


# -- export --------------------------------------------------------------------------------


def test_export_csv_is_redacted(db: Path, capsys: pytest.CaptureFixture[str]) -> None:
    refs = seed(db)
    code, out, _ = run_cli(capsys, "export")
    assert code == 0
    rows = list(csv.DictReader(io.StringIO(out)))
    assert [r["reference"] for r in rows] == [refs["first"], refs["second"], refs["kept"]]
    assert list(rows[0]) == ["reference", "created_at", "channel", "area", "kind", "status",
                             "urgent", "innovation", "needs_review", "redacted_text"]
    assert rows[0]["area"] == "roads" and rows[0]["urgent"] == "True"
    # Citizen text that looks like a formula is neutralised for spreadsheets.
    assert rows[0]["redacted_text"] == "'" + REDACTED
    for secret in (PHONE, "pseudonym-a", "ciphertext-a", "photo-1"):
        assert secret not in out


def test_export_jsonl_to_a_file(db: Path, tmp_path: Path,
                                capsys: pytest.CaptureFixture[str]) -> None:
    refs = seed(db)
    target = tmp_path / "out.jsonl"
    code, out, err = run_cli(capsys, "export", "--format", "jsonl", "--out", str(target))
    assert code == 0 and out == "" and "3 item(s)" in err
    text = target.read_text(encoding="utf-8")
    rows = [json.loads(line) for line in text.splitlines()]
    assert [r["reference"] for r in rows] == [refs["first"], refs["second"], refs["kept"]]
    assert rows[0]["redacted_text"] == REDACTED and rows[0]["urgent"] is True
    assert PHONE not in text and "pseudonym" not in text and "ciphertext" not in text


def test_export_of_an_empty_database(db: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run_cli(capsys, "export", "--format", "jsonl")
    assert code == 0 and out == ""
    code, out, _ = run_cli(capsys, "export", "--format", "xml")
    assert code == 2


# -- forget --------------------------------------------------------------------------------


def test_forget_erases_the_citizen_behind_a_reference(
        db: Path, capsys: pytest.CaptureFixture[str]) -> None:
    refs = seed(db)
    code, out, _ = run_cli(capsys, "forget", refs["first"].lower())
    assert code == 0
    assert "2 report(s) anonymised" in out and "1 attachment(s) deleted" in out

    async def check(store: FeedbackStore) -> None:
        citizen = await store.get_citizen(refs["citizen_id"])
        assert citizen is not None and citizen.forgotten and citizen.address_hash is None
        for key in ("first", "second"):
            item = await store.get_feedback(refs[key])
            assert item is not None and item.original_text == ERASED_TEXT
        kept = await store.get_feedback(refs["kept"])
        assert kept is not None and kept.original_text == "Noisy bar"

    on(db, check)
    # Again: nothing left to erase, and saying so is not an error.
    code, out, _ = run_cli(capsys, "forget", refs["second"])
    assert code == 0 and "already forgotten" in out


@pytest.mark.parametrize("reference", ["CV-ZZZZZ", "hello", "CV-00000"])
def test_forget_an_unknown_reference_exits_2(db: Path, capsys: pytest.CaptureFixture[str],
                                            reference: str) -> None:
    seed(db)
    code, out, err = run_cli(capsys, "forget", reference)
    assert code == 2 and out == ""
    assert err.startswith("error: ") and len(err.strip().splitlines()) == 1
