"""One time zone on the desktop (issue 18, item 1): every moment shown goes through
`desktop/state/times.py`, in the case's zone or Europe/Paris — never the workstation's.

The scan keeps the pattern from coming back: outside `times.py` nothing in `desktop/` converts a
moment to a zone or formats an hour itself, and nothing reads the workstation's local clock."""

from __future__ import annotations

import os
import re
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from desktop.state import times

DESKTOP = Path(__file__).resolve().parents[3] / "desktop"
THE_MODULE = DESKTOP / "state" / "times.py"
FORBIDDEN = {
    r"\.astimezone\(": "a moment converted to a zone",
    r"%H": "an hour formatted",
    r"\bdatetime\.now\(\s*\)": "the workstation's naive now",
    r"\b(?:datetime|date)\.today\b": "the workstation's today",
    r"\butcnow\(|\butcfromtimestamp\(": "a naive UTC time",
    r"\bfromtimestamp\([^,()]*\)": "a timestamp read in the workstation's zone",
    r"\blocaltime\(|\bmktime\(": "the workstation's zone",
    r"QDateTime|QDate\b|QTime\b|toLocalTime|currentDateTime": "Qt's local time",
}
USE_INSTEAD = (
    "use desktop/state/times.py instead: stamp() / date_time() / day_time() / clock_time() / iso() "
    "with the case's zone (times.zone_named(view.intervention_tz)) or the patient's "
    "(times.zone_of_commune(insee)), else the default Europe/Paris; times.today() for a date; "
    "datetime.now(UTC) for an instant"
)


def offences(root: Path = DESKTOP) -> list[str]:
    found = []
    for path in sorted(root.rglob("*.py")):
        if path == THE_MODULE:
            continue
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            code = line.split("#", 1)[0] if "%H" not in line else line
            for pattern, what in FORBIDDEN.items():
                if re.search(pattern, code):
                    found.append(f"{path.relative_to(root.parent)}:{number}: {what}: {line.strip()}")
    return found


def test_no_time_is_shown_in_the_workstations_zone() -> None:
    found = offences()
    assert found == [], "\n".join([*found, USE_INSTEAD])


def test_the_scan_catches_each_pattern(tmp_path: Path) -> None:
    sources = [
        "x = at.astimezone()\n",
        "x = f'{at:%d/%m %H:%M}'\n",
        "x = datetime.now()\n",
        "today = date.today\n",
        "x = datetime.utcnow()\n",
        "x = datetime.fromtimestamp(stamp)\n",
        "x = QDateTime.currentDateTime()\n",
    ]
    for index, source in enumerate(sources):
        (tmp_path / f"bad{index}.py").write_text(source, encoding="utf-8")
    (tmp_path / "good.py").write_text("x = datetime.now(UTC)\ny = times.stamp(at, zone)\n", encoding="utf-8")
    found = offences(tmp_path)
    assert len(found) == len(sources), found
    assert not any("good.py" in line for line in found)


@pytest.fixture(params=["UTC", "America/Cayenne", "Asia/Tokyo"])
def workstation_zone(request: pytest.FixtureRequest) -> Iterator[str]:
    saved = os.environ.get("TZ")
    os.environ["TZ"] = request.param
    time.tzset()
    yield request.param
    if saved is None:
        os.environ.pop("TZ", None)
    else:
        os.environ["TZ"] = saved
    time.tzset()


def test_the_formatters_ignore_the_workstations_zone(workstation_zone: str) -> None:
    winter = datetime(2027, 1, 15, 8, 0, tzinfo=UTC)  # 09:00 in Paris, 12:00 in La Réunion
    assert times.stamp(winter) == "15/01/27 09:00"
    assert times.date_time(winter, times.zone_named("Indian/Reunion")) == "15/01/2027 12:00"
    assert times.day_time(winter, times.zone_of_commune("97302")) == "15/01 05:00"  # Cayenne
    assert times.clock_time(winter) == "09:00:00"
    assert times.iso(winter) == "2027-01-15T09:00:00+01:00"
    assert times.stamp(winter.replace(tzinfo=None)) == "15/01/27 09:00"  # naive: taken as UTC
    late = datetime(2027, 1, 15, 23, 30, tzinfo=UTC)  # already the 16th in Paris
    assert times.today(now=late).isoformat() == "2027-01-16"


def test_zone_names_and_notes() -> None:
    assert times.zone_named(None) is times.PLATFORM_ZONE
    assert times.zone_named("Nowhere/Atlantis") is times.PLATFORM_ZONE
    assert times.zone_note(times.PLATFORM_ZONE) == ""
    assert times.zone_note(times.zone_named("Indian/Reunion")) == "heure de La Réunion"
    assert times.zone_of_commune("75056") is times.PLATFORM_ZONE
    assert times.zone_of_commune(None) is times.PLATFORM_ZONE
