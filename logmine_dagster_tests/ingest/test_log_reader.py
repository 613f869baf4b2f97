import gzip
import json

from logmine_dagster.ingest.log_reader import BadLine, GoodLine, list_partition_days, read_partition

GOOD = {
    "request_id": "r1",
    "timestamp": "2026-03-02T10:00:00Z",
    "session_id": "s1",
    "user_id": "u1",
    "model": "m",
    "input": [{"role": "user", "content": "hello"}],
    "output": "hi",
    "status": "ok",
}


def _write(root, day, name, data: bytes):
    folder = root / f"dt={day}"
    folder.mkdir(parents=True, exist_ok=True)
    (folder / name).write_bytes(data)


def test_bad_lines_are_reported_with_file_line_and_reason_and_never_stop_the_day(tmp_path):
    lines = [
        json.dumps(GOOD),
        "{not json",
        json.dumps({k: v for k, v in GOOD.items() if k != "status"}),
        json.dumps(dict(GOOD, request_id="r2", status="weird")),
        json.dumps(dict(GOOD, request_id="r3", confidence=7)),
        "",
        json.dumps(dict(GOOD, request_id="r4")),
    ]
    data = "\n".join(lines).encode() + b"\n\xff\xfe broken bytes\n"
    _write(tmp_path, "2026-03-02", "a.jsonl", data)
    results = list(read_partition(tmp_path, "2026-03-02"))
    good = [r for r in results if isinstance(r, GoodLine)]
    bad = [r for r in results if isinstance(r, BadLine)]
    assert [g.record["request_id"] for g in good] == ["r1", "r4"]
    assert [(b.line, b.reason.split(" (")[0].split(":")[0]) for b in bad] == [
        (2, "malformed JSON"),
        (3, "invalid record"),
        (4, "invalid record"),
        (5, "invalid record"),
        (8, "not valid UTF-8"),
    ]
    assert all(b.source_file == "dt=2026-03-02/a.jsonl" for b in bad)
    assert "missing required field(s): status" in bad[1].reason


def test_reasons_never_quote_the_line(tmp_path):
    secret = "jane.doe@example.com"
    _write(tmp_path, "2026-03-02", "a.jsonl", (json.dumps(dict(GOOD, status=secret)) + "\n{" + secret + "\n").encode())
    reasons = [r.reason for r in read_partition(tmp_path, "2026-03-02") if isinstance(r, BadLine)]
    assert len(reasons) == 2 and all(secret not in reason for reason in reasons)


def test_truncated_gzip_keeps_the_lines_before_the_break(tmp_path):
    payload = gzip.compress(("\n".join(json.dumps(dict(GOOD, request_id=f"r{i}")) for i in range(200)) + "\n").encode())
    _write(tmp_path, "2026-03-02", "a.jsonl.gz", payload[: len(payload) // 2])
    results = list(read_partition(tmp_path, "2026-03-02"))
    assert isinstance(results[-1], BadLine) and "unreadable file" in results[-1].reason
    assert all(isinstance(r, GoodLine) for r in results[:-1])


def test_only_valid_day_folders_count_as_partitions(tmp_path):
    for name in ("dt=2026-03-02", "dt=2026-03-03", "dt=not-a-day", "other"):
        (tmp_path / name).mkdir()
    assert list_partition_days(tmp_path) == ["2026-03-02", "2026-03-03"]
