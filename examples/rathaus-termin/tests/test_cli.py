"""``rathaus termin ...``: the office's work and the jobs for cron from the command line."""

from __future__ import annotations

import datetime as dt
import json

from termin_helpers import local, seat, tomorrow


def test_add_calendar_and_list_calendars(runner, subscribed_tenant):
    added = runner.invoke(
        "termin",
        "add-calendar",
        "--tenant",
        "coesfeld",
        "Standesamt",
        "--location",
        "Markt 8",
        "--json",
    )
    assert added.exit_code == 0
    assert json.loads(added.output)["slug"] == "standesamt"
    listed = json.loads(
        runner.invoke("termin", "calendars", "--tenant", "coesfeld", "--json").output
    )
    assert [(c["slug"], c["name"], c["location"], c["active"]) for c in listed] == [
        ("standesamt", "Standesamt", "Markt 8", True)
    ]


def test_add_slots_from_opening_hours(runner, office):
    day = (tomorrow() + dt.timedelta(days=1)).isoformat()
    args = ["--tenant", "coesfeld", "--calendar", "buergerbuero", "--from", day, "--until", day]
    result = runner.invoke(
        "termin", "add-slots", *args, "--weekdays", "mon-sun", "--start", "13:00", "--end", "14:00"
    )
    assert (result.exit_code, result.output) == (0, "4 slots created, 0 existed already.\n")


def test_add_slots_names_a_malformed_time(runner, office):
    day = tomorrow().isoformat()
    args = ["--tenant", "coesfeld", "--calendar", "buergerbuero", "--from", day, "--until", day]
    result = runner.invoke("termin", "add-slots", *args, "--start", "8 Uhr", "--end", "12:00")
    assert (result.exit_code, result.stderr) == (
        2,
        "Error: start: '8 Uhr' is not a time of day (HH:MM)\n",
    )


def test_add_slots_names_an_unknown_weekday(runner, office):
    day = tomorrow().isoformat()
    args = ["--tenant", "coesfeld", "--calendar", "buergerbuero", "--from", day, "--until", day]
    result = runner.invoke(
        "termin", "add-slots", *args, "--weekdays", "mo-fr", "--start", "08:00", "--end", "12:00"
    )
    assert result.exit_code == 2
    assert (
        result.stderr
        == "Error: weekdays: 'mo-fr' is not a day or range of days (mon, tue, ... sun; mon-fri)\n"
    )


def test_commands_name_an_unknown_tenant_and_calendar(runner, office):
    unknown_tenant = runner.invoke("termin", "calendars", "--tenant", "nowhere")
    assert (unknown_tenant.exit_code, unknown_tenant.stderr) == (
        2,
        "Error: tenant: no tenant with slug 'nowhere'\n",
    )
    unknown_calendar = runner.invoke(
        "termin", "bookings", "--tenant", "coesfeld", "--calendar", "kfz"
    )
    assert (unknown_calendar.exit_code, unknown_calendar.stderr) == (
        2,
        "Error: calendar: no calendar 'kfz'\n",
    )


def test_bookings_as_json(runner, office, subscribed_tenant):
    _calendar, slot_ids = office
    booking = seat(subscribed_tenant, slot_ids[1])
    result = runner.invoke("termin", "bookings", "--tenant", "coesfeld", "--json")
    (row,) = json.loads(result.output)
    assert {key: row[key] for key in ("reference", "calendar", "starts_at", "name", "status")} == {
        "reference": booking.reference,
        "calendar": "buergerbuero",
        "starts_at": local(tomorrow(), 8, 30).isoformat(),
        "name": "Clara Bürger",
        "status": "confirmed",
    }


def test_archive_calendar(runner, office):
    result = runner.invoke("termin", "archive-calendar", "--tenant", "coesfeld", "buergerbuero")
    assert (result.exit_code, result.output) == (0, "Archived calendar 'buergerbuero'.\n")
    assert (
        json.loads(runner.invoke("termin", "calendars", "--tenant", "coesfeld", "--json").output)
        == []
    )


def test_remind_as_json_counts_per_tenant(runner, office, subscribed_tenant):
    result = runner.invoke("termin", "remind", "--json")
    assert (result.exit_code, json.loads(result.output)) == (0, {"coesfeld": 0})


def test_purge_as_json_counts_per_tenant(runner, office, subscribed_tenant):
    _calendar, slot_ids = office
    seat(subscribed_tenant, slot_ids[0])
    result = runner.invoke("termin", "purge", "--json")
    assert (result.exit_code, json.loads(result.output)) == (0, {"coesfeld": 0})
