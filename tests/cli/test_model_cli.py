"""The model commands: train/evaluate on real data slices, classify, and clean errors."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest

from bot.cli import main


@pytest.fixture(autouse=True)
def _isolated(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MODEL_DIR", str(tmp_path / "models"))
    monkeypatch.setenv("DATA_DIR", str(tmp_path / "var"))
    monkeypatch.chdir(tmp_path)


def _write(path: Path, rows: list[dict[str, str]]) -> Path:
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    return path


def _bengaluru_slice(shared: Path, start: int, n: int) -> list[dict[str, str]]:
    with (shared / "bengaluru-civic" / "cat_dataset.csv").open(encoding="utf-8") as handle:
        rows = [r for r in csv.DictReader(handle) if r["description"].strip()]
    return [{"description": r["description"], "category": r["category"]}
            for r in rows[start:start + n] if r["category"] != "Electricity"]


def test_train_and_evaluate_on_a_slice(shared_data: Path, tmp_path: Path,
                                       capsys: pytest.CaptureFixture[str]) -> None:
    train = _write(tmp_path / "train.csv", _bengaluru_slice(shared_data, 0, 1200))
    test = _write(tmp_path / "test.csv", _bengaluru_slice(shared_data, 6000, 400))
    out = tmp_path / "v1"
    assert main(["train", "--data", str(train), "--text-column", "description",
                 "--label-column", "category", "--out", str(out)]) == 0
    assert (out / "model.skops").is_file() and (out / "MODEL_CARD.md").is_file()
    meta = json.loads((out / "metadata.json").read_text())
    assert meta["heads_from"]["kind"].startswith("model ")  # reused from the default model
    capsys.readouterr()
    assert main(["evaluate", "--data", str(test), "--model", str(out), "--text-column",
                 "description", "--label-column", "category", "--json"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert {"accuracy", "macro_f1", "weighted_f1", "n", "per_class"} <= set(report)
    assert report["n"] >= 390 and report["accuracy"] > 0.7
    assert "Waste/Garbage" in report["per_class"]


def test_train_registers_and_promotes(shared_data: Path, tmp_path: Path,
                                      capsys: pytest.CaptureFixture[str]) -> None:
    german = shared_data / "cycling-dialogues-de" / "dataset.csv"
    with german.open(encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))[:500]
    data = _write(tmp_path / "de.csv", [{k: r[k] for k in ("title", "text",
                                                           "main_category_level1")}
                                        for r in rows])
    assert main(["train", "--data", str(data), "--text-column", "title,text",
                 "--label-column", "main_category_level1", "--drop-rare"]) == 0
    capsys.readouterr()
    assert main(["models", "list", "--json"]) == 0
    versions = json.loads(capsys.readouterr().out)
    current = [v for v in versions if v["current"]]
    assert len(current) == 1 and current[0]["lang"] == "de"
    assert main(["classify", "Die Ampel an der Kreuzung schaltet viel zu langsam"]) == 0
    result = json.loads(capsys.readouterr().out)
    assert result["area"].startswith("level1_") and result["model_version"] == \
        current[0]["version"]
    assert main(["models", "rollback"]) == 0
    capsys.readouterr()
    assert main(["classify", "bins not emptied"]) == 0
    assert json.loads(capsys.readouterr().out)["area"] == "waste"


def test_classify_stdin_lines(monkeypatch: pytest.MonkeyPatch,
                              capsys: pytest.CaptureFixture[str]) -> None:
    import io

    monkeypatch.setattr("sys.stdin", io.StringIO("pothole on elm\n\n" + "x" * 100_000 + "\n"))
    assert main(["classify"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert len(lines) == 3
    assert json.loads(lines[0])["area"] == "roads"
    assert json.loads(lines[1])["needs_review"] is True


@pytest.mark.parametrize(
    ("content", "args", "message"),
    [
        (b"text,label\nhello,a\nworld,b\n", ["--label-column", "category"], "no column"),
        (b"", [], "empty"),
        (b"text,label\nbins,a\nbins full,a\npothole,b\n", [], "fewer than 2 examples"),
        (b"text,label\ncaf\xe9 dirty,a\nbin,a\nroad,b\nroad2,b\n", ["--encoding", "utf-8"],
         "not valid utf-8"),
        (b"text,label\nonly one label,a\nanother,a\n", [], "at least 2 different labels"),
    ],
)
def test_bad_input_is_one_line_exit_2(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                      content: bytes, args: list[str], message: str) -> None:
    data = tmp_path / "bad.csv"
    data.write_bytes(content)
    assert main(["train", "--data", str(data), *args]) == 2
    err = capsys.readouterr().err.strip()
    assert message in err.lower() and "\n" not in err and "Traceback" not in err


def test_missing_file_and_unknown_model(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["evaluate", "--data", "nope.csv"]) == 2
    assert "no such file" in capsys.readouterr().err
    assert main(["classify", "--model", "v-missing", "hi"]) == 1
    assert "no model version" in capsys.readouterr().err


def test_usage_error_exit_2(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["train"]) == 2
    assert main(["no-such-command"]) == 2


def test_semicolons_in_text_do_not_fool_the_reader(tmp_path: Path) -> None:
    from nlp.table import read_table

    data = tmp_path / "t.csv"
    data.write_text('text,label\n"bins; full; again; smelly",waste\n"lamp; out",light\n'
                    "a;b;c;d,waste\n", encoding="utf-8")
    table = read_table(data, ["text"], "label")
    assert table.texts == ["bins; full; again; smelly", "lamp; out", "a;b;c;d"]
    tsv = tmp_path / "t.txt"
    tsv.write_text("text\tlabel\nbins, full\twaste\n", encoding="utf-8")
    assert read_table(tsv, ["text"], "label").labels == ["waste"]
