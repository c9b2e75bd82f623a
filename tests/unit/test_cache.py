"""Issue 11 point 6: cache entries are written atomically and checked before they are trusted."""

from pathlib import Path

import pytest

from planextract.cache import DamagedEntry, read_entry, write_entry


def test_an_entry_reads_back_as_written(tmp_path):
    entry = tmp_path / "c" / "x.json"
    write_entry(entry, "見守り,1\n".encode())
    assert read_entry(entry) == "見守り,1\n".encode()
    assert read_entry(tmp_path / "c" / "missing.json") is None
    assert [p.name for p in entry.parent.iterdir()] == ["x.json"]  # no temporary file left


@pytest.mark.parametrize("damage", [
    lambda b: b[: len(b) // 2],                  # cut mid-row
    lambda b: b[: b.rindex(b"\n", 0, len(b) - 1) + 1],  # cut at a line end
    lambda b: b.split(b"\n", 1)[1],              # no header (an entry of an older version)
    lambda b: b.replace(b"1", b"2"),             # altered
], ids=["cut", "cut at line end", "no header", "altered"])
def test_a_damaged_entry_is_detected(tmp_path, damage):
    entry = tmp_path / "x.csv"
    write_entry(entry, b"a,1\nb,1\nc,1\n")
    entry.write_bytes(damage(entry.read_bytes()))
    with pytest.raises(DamagedEntry):
        read_entry(entry)


def test_a_writer_killed_before_the_rename_leaves_the_old_entry(tmp_path, monkeypatch):
    entry = tmp_path / "x.csv"
    write_entry(entry, b"old\n")

    def crash(self, target):
        raise KeyboardInterrupt  # the process dies between writing and renaming

    monkeypatch.setattr(Path, "replace", crash)
    with pytest.raises(KeyboardInterrupt):
        write_entry(entry, b"new\n")
    monkeypatch.undo()
    assert read_entry(entry) == b"old\n"
