"""Tests for majorincident.clock: aware instants and business calendars."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta, timezone, tzinfo
from zoneinfo import ZoneInfo

import attrs
import holidays
import pendulum
import pytest
from hypothesis import find, given
from hypothesis import strategies as st

from majorincident.clock import (
    ALWAYS,
    MAX_INSTANT,
    MIN_INSTANT,
    Calendar,
    duration_between,
    instant,
    load_zone,
    utc,
)
from majorincident.errors import (
    ConfigurationError,
    MajorIncidentError,
    NaiveDateTimeError,
    TimelineError,
)
from majorincident.testing import ZONES, aware_datetimes, calendars

LONDON = ZoneInfo("Europe/London")
BERLIN = ZoneInfo("Europe/Berlin")
LOS_ANGELES = ZoneInfo("America/Los_Angeles")
NEAR_NOW = {"min_value": datetime(2000, 1, 1), "max_value": datetime(2040, 1, 1)}


def by_instant(moment: datetime) -> datetime:
    """The stdlib's own fold-aware conversion, as an independent oracle."""
    return moment.astimezone(UTC)


class _NoOffset(tzinfo):
    """A tzinfo that does not know its offset, which makes a datetime naive."""

    def utcoffset(self, dt: datetime | None) -> None:
        return None

    def dst(self, dt: datetime | None) -> None:
        return None

    def tzname(self, dt: datetime | None) -> None:
        return None


class TestInstant:
    def test_aware_stdlib_datetime_becomes_utc_pendulum(self) -> None:
        """An aware zoneinfo datetime comes back as a pendulum DateTime in UTC."""
        result = instant(datetime(2019, 7, 2, 15, 42, tzinfo=BERLIN))

        assert pendulum.DateTime is type(result)
        assert pendulum.UTC is result.tzinfo
        assert pendulum.datetime(2019, 7, 2, 13, 42) == result

    def test_fixed_offset_and_pendulum_inputs(self) -> None:
        """Fixed-offset and pendulum datetimes denote the same instant."""
        fixed = datetime(2019, 7, 2, 9, 42, tzinfo=timezone(timedelta(hours=-4)))
        in_tokyo = pendulum.datetime(2019, 7, 2, 22, 42, tz="Asia/Tokyo")

        assert instant(fixed) == instant(in_tokyo)

    @pytest.mark.parametrize(
        ("text", "expected"),
        [
            ("2019-07-02T13:42:00Z", datetime(2019, 7, 2, 13, 42, tzinfo=UTC)),
            ("2019-07-02T15:42:00+02:00", datetime(2019, 7, 2, 13, 42, tzinfo=UTC)),
            ("2019-07-02 08:12:00.250-05:30", datetime(2019, 7, 2, 13, 42, 0, 250000, tzinfo=UTC)),
        ],
    )
    def test_iso_strings_with_offsets(self, text: str, expected: datetime) -> None:
        """ISO-8601 strings with Z or an offset are parsed to their instant."""
        result = instant(text)

        assert expected == result
        assert pendulum.DateTime is type(result)

    @pytest.mark.parametrize(
        "value",
        [
            datetime(2024, 1, 1, 9),
            datetime(2024, 1, 1, 9, tzinfo=_NoOffset()),
            "2024-01-01T09:00:00",
            "2024-01-01",
        ],
    )
    def test_naive_values_are_refused_naming_the_field(self, value: object) -> None:
        """Naive datetimes and strings without an offset raise NaiveDateTimeError with the field."""
        with pytest.raises(NaiveDateTimeError, match=r"^reported_at \(.*2024-01-01.*\) has no UTC"):
            instant(value, field="reported_at")  # type: ignore[arg-type]

    def test_naive_error_is_a_value_error(self) -> None:
        """NaiveDateTimeError is both the library's error and a ValueError."""
        with pytest.raises(ValueError, match="value"):
            instant("2024-01-01T09:00")
        assert issubclass(NaiveDateTimeError, MajorIncidentError)

    @pytest.mark.parametrize("value", ["yesterday", "2024-13-01T00:00Z", ""])
    def test_unparseable_strings(self, value: str) -> None:
        """Strings that are not ISO-8601 raise TimelineError naming the field and the value."""
        with pytest.raises(TimelineError, match=rf"^resolved_at \({value!r}\) is not an ISO-8601"):
            instant(value, field="resolved_at")

    @pytest.mark.parametrize("value", [1_700_000_000, date(2024, 1, 1), None, 1.5])
    def test_values_of_other_types(self, value: object) -> None:
        """Numbers, dates and None are not timestamps."""
        with pytest.raises(TimelineError, match=r"^at \(.* of type \w+\) is not a timestamp"):
            instant(value, field="at")  # type: ignore[arg-type]

    @pytest.mark.parametrize(
        "value",
        [
            "1969-12-31T23:59:59.999999Z",
            "9999-12-30T00:00:00.000001Z",
            datetime(1, 1, 1, 0, 30, tzinfo=timezone(timedelta(hours=1))),
            datetime(9999, 12, 31, 23, 0, tzinfo=timezone(timedelta(hours=-5))),
            datetime(1969, 12, 31, 23, 59, tzinfo=UTC),
            pendulum.datetime(9999, 12, 31, tz="UTC"),
        ],
    )
    def test_out_of_range(self, value: object) -> None:
        """Instants outside 1970 .. 9999-12-30 are refused, including ones that overflow UTC."""
        with pytest.raises(
            TimelineError, match=r"^closed_at \(.*\) is outside the supported range"
        ):
            instant(value, field="closed_at")  # type: ignore[arg-type]

    def test_range_bounds_are_inclusive(self) -> None:
        """The first and last supported instants are accepted."""
        assert instant("1970-01-01T00:00:00Z") == MIN_INSTANT
        assert instant("9999-12-30T00:00:00Z") == MAX_INSTANT

    def test_fold_decides_the_instant(self) -> None:
        """In a repeated hour, fold=1 is the later instant even though pendulum's < ignores it."""
        first = datetime(2020, 11, 1, 1, 50, fold=0, tzinfo=LOS_ANGELES)
        second = datetime(2020, 11, 1, 1, 10, fold=1, tzinfo=LOS_ANGELES)

        assert instant(first) < instant(second)
        assert instant(first) < instant(pendulum.instance(second))

    @given(aware_datetimes())
    def test_same_instant_in_utc(self, moment: datetime) -> None:
        """The result is the input's instant, in UTC, as a pendulum DateTime."""
        result = instant(moment)

        assert by_instant(moment) == result
        assert pendulum.DateTime is type(result)
        assert timedelta(0) == result.utcoffset()

    @given(aware_datetimes())
    def test_idempotent_and_string_round_trip(self, moment: datetime) -> None:
        """instant() of an instant, or of its ISO string, changes nothing."""
        once = instant(moment)

        assert once == instant(once)
        assert once == instant(moment.isoformat())


class TestDurationBetween:
    def test_spring_forward_london(self) -> None:
        """00:30 to 03:30 Europe/London lasts 2 hours on the day clocks go forward."""
        start = datetime(2024, 3, 31, 0, 30, tzinfo=LONDON)
        end = datetime(2024, 3, 31, 3, 30, tzinfo=LONDON)

        assert timedelta(hours=2) == duration_between(start, end)
        assert timedelta(hours=2) == ALWAYS.elapsed(start, end)

    def test_fall_back_london(self) -> None:
        """00:30 to 03:30 Europe/London lasts 4 hours on the day clocks go back."""
        start = datetime(2024, 10, 27, 0, 30, tzinfo=LONDON)
        end = datetime(2024, 10, 27, 3, 30, tzinfo=LONDON)

        assert timedelta(hours=4) == duration_between(start, end)
        assert timedelta(hours=4) == ALWAYS.elapsed(start, end)

    def test_acknowledgement_inside_repeated_hour(self) -> None:
        """Report 01:50 (fold 0) then acknowledgement 01:10 (fold 1) in Los Angeles: 20 minutes."""
        reported = datetime(2020, 11, 1, 1, 50, fold=0, tzinfo=LOS_ANGELES)
        acknowledged = datetime(2020, 11, 1, 1, 10, fold=1, tzinfo=LOS_ANGELES)

        result = duration_between(
            reported, acknowledged, start_field="reported_at", end_field="acknowledged_at"
        )

        assert timedelta(minutes=20) == result
        assert pendulum.Duration is type(result)

    def test_reversed_fold_case_is_rejected_naming_both(self) -> None:
        """The same pair reversed is a negative duration and names both fields."""
        reported = datetime(2020, 11, 1, 1, 10, fold=1, tzinfo=LOS_ANGELES)
        acknowledged = datetime(2020, 11, 1, 1, 50, fold=0, tzinfo=LOS_ANGELES)

        with pytest.raises(
            TimelineError,
            match=r"^acknowledged_at \(2020-11-01T01:50:00-07:00\) is before "
            r"reported_at \(2020-11-01T01:10:00-08:00\)",
        ):
            duration_between(
                reported, acknowledged, start_field="reported_at", end_field="acknowledged_at"
            )

    def test_zero_length_is_valid(self) -> None:
        """The same instant in two zones is a zero duration."""
        assert timedelta(0) == duration_between(
            "2024-01-01T10:00:00+01:00", datetime(2024, 1, 1, 9, tzinfo=UTC)
        )

    def test_naive_end_is_named(self) -> None:
        """A naive end raises NaiveDateTimeError naming the end field."""
        with pytest.raises(NaiveDateTimeError, match=r"^resolved_at"):
            duration_between("2024-01-01T00:00Z", "2024-01-01T01:00", end_field="resolved_at")


OFFICE = Calendar.office_hours("Europe/Berlin", "09:00", "17:00")
FRIDAY = date(2024, 6, 7)
MONDAY = date(2024, 6, 10)


def berlin(day: date, hour: int, minute: int = 0) -> datetime:
    """A wall-clock time in Berlin."""
    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=BERLIN)


class TestCalendarElapsed:
    def test_friday_afternoon_to_monday_morning(self) -> None:
        """Friday 16:00 to Monday 10:00 on a 9-to-5 Monday-to-Friday calendar is 2 hours."""
        assert timedelta(hours=2) == OFFICE.elapsed(berlin(FRIDAY, 16), berlin(MONDAY, 10))

    def test_monday_holiday_is_skipped(self) -> None:
        """With that Monday a holiday, Friday 16:00 to Tuesday 10:00 is 2 hours."""
        calendar = attrs.evolve(OFFICE, holidays={MONDAY})
        tuesday = MONDAY + timedelta(days=1)

        assert timedelta(hours=2) == calendar.elapsed(berlin(FRIDAY, 16), berlin(tuesday, 10))

    def test_holidays_package_works_unchanged(self) -> None:
        """A holidays-package calendar skips Christmas Day and St Stephen's Day in Germany."""
        calendar = Calendar.office_hours(
            "Europe/Berlin", holidays=holidays.country_holidays("DE", years=2024)
        )
        start = berlin(date(2024, 12, 24), 16)
        end = berlin(date(2024, 12, 27), 10)

        assert timedelta(hours=2) == calendar.elapsed(start, end)

    def test_several_windows_a_day(self) -> None:
        """A lunch break between two windows is not counted."""
        calendar = Calendar("Europe/Berlin", {"mon": [("09:00", "12:00"), ("13:00", "17:00")]})

        assert timedelta(hours=7) == calendar.elapsed(berlin(MONDAY, 0), berlin(MONDAY, 23))
        assert timedelta(hours=1) == calendar.elapsed(berlin(MONDAY, 11), berlin(MONDAY, 13, 0))

    def test_wall_clock_windows_on_dst_days(self) -> None:
        """A 00:00-04:00 window is 3 hours long in spring and 5 hours in autumn, in London."""
        calendar = Calendar("Europe/London", {"sun": [("00:00", "04:00")]})
        spring = date(2024, 3, 31)
        autumn = date(2024, 10, 27)

        assert timedelta(hours=3) == calendar.elapsed(
            datetime(2024, 3, 30, 12, tzinfo=LONDON), datetime(2024, 4, 1, tzinfo=LONDON)
        )
        assert timedelta(hours=5) == calendar.elapsed(
            datetime(2024, 10, 26, 12, tzinfo=LONDON), datetime(2024, 10, 28, tzinfo=LONDON)
        )
        assert spring.weekday() == autumn.weekday() == 6

    def test_window_ending_at_midnight(self) -> None:
        """A window may end at "24:00", the next midnight."""
        calendar = Calendar("UTC", {"sat": [("22:00", "24:00")], "sun": [(time(0), time(1))]})

        assert timedelta(hours=3) == calendar.elapsed("2024-06-08T00:00Z", "2024-06-10T00:00Z")

    def test_negative_is_rejected_naming_both(self) -> None:
        """An end before the start raises TimelineError naming both fields."""
        with pytest.raises(TimelineError, match=r"^resolved_at \(.*\) is before reported_at"):
            OFFICE.elapsed(
                berlin(MONDAY, 10),
                berlin(MONDAY, 9),
                start_field="reported_at",
                end_field="resolved_at",
            )

    def test_naive_start_is_named(self) -> None:
        """A naive start raises NaiveDateTimeError naming the start field."""
        with pytest.raises(NaiveDateTimeError, match=r"^opened_at"):
            OFFICE.elapsed(datetime(2024, 1, 1), berlin(MONDAY, 9), start_field="opened_at")

    @given(calendars(), aware_datetimes(**NEAR_NOW), st.integers(0, 40 * 24 * 60))
    def test_elapsed_of_add_is_the_duration(
        self, calendar: Calendar, start: datetime, minutes: int
    ) -> None:
        """elapsed(a, add(a, d)) == d for any calendar, start and duration."""
        duration = timedelta(minutes=minutes)

        assert duration == calendar.elapsed(start, calendar.add(start, duration))

    @given(
        calendars(),
        aware_datetimes(**NEAR_NOW),
        st.timedeltas(timedelta(0), timedelta(days=20)),
        st.timedeltas(timedelta(0), timedelta(days=20)),
    )
    def test_additive_over_a_split(
        self, calendar: Calendar, a: datetime, ab: timedelta, bc: timedelta
    ) -> None:
        """elapsed(a, b) + elapsed(b, c) == elapsed(a, c) for a <= b <= c."""
        b = by_instant(a) + ab
        c = b + bc

        assert calendar.elapsed(a, c) == calendar.elapsed(a, b) + calendar.elapsed(b, c)

    @given(
        calendars(), aware_datetimes(**NEAR_NOW), st.timedeltas(timedelta(0), timedelta(days=40))
    )
    def test_never_exceeds_wall_time(
        self, calendar: Calendar, start: datetime, span: timedelta
    ) -> None:
        """Working time between two instants never exceeds the time between them."""
        end = by_instant(start) + span

        assert calendar.elapsed(start, end) <= span

    @given(aware_datetimes(), aware_datetimes())
    def test_always_is_the_instant_difference(self, a: datetime, b: datetime) -> None:
        """ALWAYS.elapsed(a, b) == b - a by instant, in any zones, across folds."""
        first, last = sorted((a, b), key=by_instant)

        assert by_instant(last) - by_instant(first) == ALWAYS.elapsed(first, last)

    @given(
        st.sampled_from(ZONES),
        aware_datetimes(**NEAR_NOW),
        st.timedeltas(timedelta(0), timedelta(days=30)),
    )
    def test_full_week_in_any_zone_matches_always(
        self, zone: str, start: datetime, span: timedelta
    ) -> None:
        """A 24x7 calendar in a DST zone, computed day by day, agrees with ALWAYS."""
        full_days = Calendar(zone, {day: [("00:00", "24:00")] for day in range(7)}, holidays=[0])
        end = by_instant(start) + span

        assert ALWAYS.elapsed(start, end) == full_days.elapsed(start, end)


class TestCalendarAdd:
    def test_one_hour_from_friday_afternoon(self) -> None:
        """add(Friday 16:30, 1 h) is Monday 09:30 on the Berlin office calendar."""
        assert instant(berlin(MONDAY, 9, 30)) == OFFICE.add(
            berlin(FRIDAY, 16, 30), timedelta(hours=1)
        )

    def test_over_a_holiday(self) -> None:
        """With Monday a holiday, add(Friday 16:30, 1 h) is Tuesday 09:30."""
        calendar = attrs.evolve(OFFICE, holidays={MONDAY})
        tuesday = MONDAY + timedelta(days=1)

        assert instant(berlin(tuesday, 9, 30)) == calendar.add(
            berlin(FRIDAY, 16, 30), timedelta(hours=1)
        )

    def test_ends_exactly_at_closing_time(self) -> None:
        """Filling a window exactly gives its closing time, not the next opening."""
        assert instant(berlin(FRIDAY, 17)) == OFFICE.add(berlin(FRIDAY, 9), timedelta(hours=8))

    def test_zero_is_the_start_itself(self) -> None:
        """A zero duration is due at once, even outside working hours."""
        start = berlin(FRIDAY, 20)

        assert instant(start) == OFFICE.add(start, timedelta(0))

    def test_always_adds_exact_time(self) -> None:
        """On ALWAYS, a deadline is start plus the duration, across DST."""
        start = datetime(2024, 3, 31, 0, 30, tzinfo=LONDON)

        assert instant(datetime(2024, 3, 31, 3, 30, tzinfo=LONDON)) == ALWAYS.add(
            start, timedelta(hours=2)
        )

    def test_negative_duration(self) -> None:
        """A negative duration is refused."""
        with pytest.raises(TimelineError, match=r"^duration \(-1 day, 23:00:00\) is negative"):
            OFFICE.add(berlin(FRIDAY, 9), timedelta(hours=-1))

    def test_not_a_duration(self) -> None:
        """A number is not a duration."""
        with pytest.raises(
            TimelineError, match=r"^duration \(3600 of type int\) is not a timedelta"
        ):
            OFFICE.add(berlin(FRIDAY, 9), 3600)  # type: ignore[arg-type]

    @pytest.mark.parametrize("calendar", [ALWAYS, OFFICE], ids=["always", "office"])
    def test_past_the_supported_range(self, calendar: Calendar) -> None:
        """A deadline beyond the last supported instant is refused."""
        with pytest.raises(TimelineError, match=r"^duration .* puts the deadline past 9999-12-30"):
            calendar.add("9999-12-20T00:00Z", timedelta(days=60))

    def test_holidays_that_never_end(self) -> None:
        """A holiday container that holds every date leaves no working time: a clear error."""

        class EveryDay:
            def __contains__(self, item: object) -> bool:
                return True

        calendar = attrs.evolve(OFFICE, holidays=EveryDay())

        with pytest.raises(ConfigurationError, match=r"^holidays leave no working time"):
            calendar.add(berlin(FRIDAY, 9), timedelta(hours=1))

    @given(
        calendars(),
        aware_datetimes(**NEAR_NOW),
        st.integers(0, 20 * 24 * 60),
        st.integers(0, 20 * 24 * 60),
    )
    def test_monotone_in_duration(
        self, calendar: Calendar, start: datetime, shorter: int, longer: int
    ) -> None:
        """A longer duration never gives an earlier deadline."""
        shorter, longer = sorted((shorter, longer))

        assert calendar.add(start, timedelta(minutes=shorter)) <= calendar.add(
            start, timedelta(minutes=longer)
        )


class TestCalendarIsWorking:
    @pytest.mark.parametrize(
        ("moment", "expected"),
        [
            (berlin(FRIDAY, 9), True),
            (berlin(FRIDAY, 16, 59), True),
            (berlin(FRIDAY, 17), False),
            (berlin(FRIDAY, 8, 59), False),
            (berlin(MONDAY - timedelta(days=1), 12), False),
        ],
    )
    def test_window_bounds(self, moment: datetime, expected: bool) -> None:
        """Windows include their start and exclude their end; weekends are not worked."""
        assert expected == OFFICE.is_working(moment)

    def test_holiday_is_not_working(self) -> None:
        """A holiday inside the usual hours is not working time."""
        assert not attrs.evolve(OFFICE, holidays={MONDAY}).is_working(berlin(MONDAY, 10))

    def test_always(self) -> None:
        """Every instant is working time on ALWAYS."""
        assert ALWAYS.is_working("2024-12-25T03:00:00Z")

    @given(calendars(), aware_datetimes(**NEAR_NOW))
    def test_agrees_with_elapsed(self, calendar: Calendar, moment: datetime) -> None:
        """is_working(t) holds exactly when the microsecond after t is counted as working."""
        tick = timedelta(microseconds=1)

        assert calendar.is_working(moment) == (
            tick == calendar.elapsed(moment, by_instant(moment) + tick)
        )


class TestCalendarDefinition:
    @pytest.mark.parametrize(
        ("kwargs", "message"),
        [
            (
                {"timezone": "Mars/Olympus_Mons"},
                r"^timezone \('Mars/Olympus_Mons'\) is not a known",
            ),
            ({"timezone": "../etc/passwd"}, r"^timezone \('../etc/passwd'\) is not a known"),
            ({"timezone": 1}, r"^timezone \(1 of type int\) is not an IANA"),
            (
                {"hours": {"mon": [("17:00", "09:00")]}},
                r"^hours\['monday'\] window 17:00-09:00 ends",
            ),
            ({"hours": {0: [("09:00", "09:00")]}}, r"^hours\['monday'\] window 09:00-09:00 ends"),
            (
                {"hours": {"tue": [("09:00", "13:00"), ("12:00", "17:00")]}},
                (
                    r"^hours\['tuesday'\] has overlapping windows: "
                    r"one ends at 13:00 after the next starts at 12:00"
                ),
            ),
            ({"hours": {}}, "^hours has no working time on any weekday"),
            ({"hours": {"sat": []}}, "^hours has no working time on any weekday"),
            ({"hours": {"someday": [("09:00", "17:00")]}}, r"^hours key \('someday'\) is not"),
            ({"hours": {7: [("09:00", "17:00")]}}, r"^hours key \(7 of type int\) is not"),
            ({"hours": {True: [("09:00", "17:00")]}}, r"^hours key \(True of type bool\) is not"),
            (
                {"hours": {"mon": [("25:00", "26:00")]}},
                r"^hours\['monday'\] window start \('25:00'\)",
            ),
            (
                {"hours": {"mon": [("09:60", "10:00")]}},
                r"^hours\['monday'\] window start \('09:60'\)",
            ),
            ({"hours": {"mon": [("9am", "5pm")]}}, r"^hours\['monday'\] window start \('9am'\)"),
            ({"hours": {"mon": [("09:00", 90_000)]}}, r"^hours\['monday'\] window end \(90000"),
            (
                {"hours": {"mon": ["09:00-17:00"]}},
                r"^hours\['monday'\] window \('09:00-17:00'\) is",
            ),
            ({"hours": {"mon": [3]}}, r"^hours\['monday'\] window \(3\) is not a \(start, end\)"),
            (
                {"hours": {"mon": [(time(9, tzinfo=UTC), time(17))]}},
                r"^hours\['monday'\] window start \(09:00:00\+00:00\) has a timezone",
            ),
            ({"hours": {"mon": [("09:00", "17:00")], 0: []}}, "^hours names 'monday' twice"),
            ({"hours": [("09:00", "17:00")]}, r"^hours \(\[.*\] of type list\) is not a mapping"),
        ],
    )
    def test_invalid_definitions(self, kwargs: dict[str, object], message: str) -> None:
        """Each invalid definition raises ConfigurationError saying what is wrong."""
        arguments: dict[str, object] = {
            "timezone": "Europe/Berlin",
            "hours": {"mon": [("09:00", "17:00")]},
        }
        arguments.update(kwargs)

        with pytest.raises(ConfigurationError, match=message):
            Calendar(**arguments)  # type: ignore[arg-type]

    def test_evolve_keeps_the_hours(self) -> None:
        """attrs.evolve accepts the normalised hours the calendar holds."""
        moved = attrs.evolve(OFFICE, timezone="America/New_York")

        assert OFFICE.hours == moved.hours
        assert moved.timezone == "America/New_York"

    def test_zoneinfo_timezone_and_seconds(self) -> None:
        """A ZoneInfo and windows given as times or seconds after midnight are accepted."""
        calendar = Calendar(BERLIN, {"friday": [(time(9), 17 * 3600)]})

        assert calendar.timezone == "Europe/Berlin"
        assert calendar.hours == ((), (), (), (), ((32_400, 61_200),), (), ())

    def test_equality_ignores_holiday_containers(self) -> None:
        """Calendars with the same zone and hours are equal; hours are normalised."""
        assert Calendar("Europe/Berlin", {d: [("09:00", "17:00")] for d in range(5)}) == OFFICE

    def test_repr_shows_clock_times(self) -> None:
        """The repr lists the working days and windows as clock times."""
        calendar = Calendar("UTC", {"mon": [("09:00", "12:00"), ("13:00", "24:00")]})

        assert repr(calendar) == "Calendar('UTC', {mon: 09:00-12:00 13:00-24:00}, holidays=())"


class TestAwareDatetimesStrategy:
    @given(aware_datetimes(zones=("Asia/Kathmandu", "Pacific/Chatham")))
    def test_zones_can_be_chosen(self, moment: datetime) -> None:
        """Given zones, the strategy draws only from them."""
        assert isinstance(moment.tzinfo, ZoneInfo)
        assert moment.tzinfo.key in {"Asia/Kathmandu", "Pacific/Chatham"}


class TestCalendarsStrategy:
    @given(calendars(holidays=False))
    def test_always_some_working_time(self, calendar: Calendar) -> None:
        """The exported strategy yields valid calendars, without holidays when asked."""
        assert any(calendar.hours)
        assert frozenset() == calendar.holidays

    def test_reaches_windows_that_end_at_midnight(self) -> None:
        """The strategy can produce a window that runs to 24:00."""
        found = find(calendars(), lambda c: any(end == 86_400 for day in c.hours for _, end in day))

        assert any(end == 86_400 for day in found.hours for _, end in day)


HOSTILE_ZONES = [
    "America",  # a folder of the zone database: IsADirectoryError from zoneinfo
    "Europe/" + "x" * 300,  # too long for the file system: OSError
    "../../etc/passwd",
    "Europe/Berlin\x00",
    "",
    "Mars/Olympus",
]


class TestLoadZone:
    @pytest.mark.parametrize("name", HOSTILE_ZONES)
    def test_hostile_names(self, name: str) -> None:
        """Folders, overlong and malformed names raise ConfigurationError naming the field."""
        with pytest.raises(ConfigurationError, match=r"^--tz \(.*\) is not a known IANA"):
            load_zone(name, field="--tz")

    @pytest.mark.parametrize("name", [None, 5, ZoneInfo("UTC")])
    def test_not_a_name(self, name: object) -> None:
        """A value that is not a string is refused the same way."""
        with pytest.raises(ConfigurationError, match=r"^tz \(.*\) is not a known IANA"):
            load_zone(name)

    @pytest.mark.parametrize("name", HOSTILE_ZONES)
    def test_every_entry_point(self, name: str) -> None:
        """Every function that takes a timezone refuses a hostile one with the library's error."""
        from majorincident import frames  # noqa: PLC0415
        from majorincident.interop import from_servicenow  # noqa: PLC0415
        from majorincident.kpi import report, trend  # noqa: PLC0415

        calls = [
            lambda: Calendar(name, {0: [("09:00", "17:00")]}),
            lambda: trend([], start="2024-01-01T00:00Z", end="2024-02-01T00:00Z", tz=name),
            lambda: report([], as_of="2024-01-01T00:00Z", tz=name),
            lambda: from_servicenow(
                {"number": "INC1", "opened_at": "2024-01-01 00:00:00"}, tz=name
            ),
            lambda: frames.ColumnMap(tz=name),
        ]
        for call in calls:
            with pytest.raises(ConfigurationError, match=r"is not a known IANA timezone"):
                call()


class TestMessagesAndEdges:
    """Each refusal word for word, and the edges where a shortcut or a bound could slip."""

    WEEK = Calendar("UTC", {day: [("00:00", "24:00")] for day in range(7)})

    def test_fields_named_by_default(self) -> None:
        """Instants are named start, end and at unless the caller names them otherwise."""
        later, earlier = "2024-03-01T10:00Z", "2024-03-01T09:00Z"
        order = r"^end \('2024-03-01T09:00Z'\) is before start \('2024-03-01T10:00Z'\); "
        order += "a duration cannot be negative$"
        with pytest.raises(TimelineError, match=order):
            duration_between(later, earlier)
        with pytest.raises(TimelineError, match=order):
            self.WEEK.elapsed(later, earlier)
        for call in (
            lambda: self.WEEK.add("soon", timedelta(hours=1)),
            lambda: self.WEEK.elapsed("soon", later),
        ):
            with pytest.raises(TimelineError, match=r"^start \('soon'\) is not an ISO-8601"):
                call()
        with pytest.raises(TimelineError, match=r"^end \('soon'\) is not an ISO-8601"):
            self.WEEK.elapsed(later, "soon")
        with pytest.raises(TimelineError, match=r"^at \('soon'\) is not an ISO-8601"):
            self.WEEK.is_working("soon")

    def test_window_times_to_the_second(self) -> None:
        """Windows hold seconds: 'HH:MM:SS' strings and times with seconds are exact."""
        calendar = Calendar(
            "UTC", {"mon": [("09:30:15", "12:00"), (time(12, 0), time(17, 45, 30))]}
        )

        assert ((34_215, 43_200), (43_200, 63_930)) == calendar.hours[0]
        assert "Calendar('UTC', {mon: 09:30-12:00 12:00-17:45}, holidays=())" == repr(calendar)

    @pytest.mark.parametrize(
        ("window", "message"),
        [
            (
                ("09:00:60", "10:00"),
                (
                    r"^hours\['monday'\] window start \('09:00:60'\) is not a time of day; "
                    r"expected a datetime.time, 'HH:MM' between '00:00' and '24:00', or seconds "
                    r"after midnight$"
                ),
            ),
            (
                (time(9, tzinfo=UTC), "10:00"),
                r"has a timezone; window times are wall-clock times in the calendar's timezone$",
            ),
        ],
    )
    def test_window_time_messages(self, window: tuple[object, object], message: str) -> None:
        """A bad window time is refused, naming where it is and what is expected."""
        with pytest.raises(ConfigurationError, match=message):
            Calendar("UTC", {"mon": [window]})

    def test_weekday_message(self) -> None:
        """A key that is no weekday is refused with the forms a weekday takes."""
        with pytest.raises(
            ConfigurationError,
            match=r"^hours key \('someday'\) is not a weekday; expected 0 \(Monday\) to 6 "
            r"\(Sunday\) or a name such as 'monday' or 'mon'$",
        ):
            Calendar("UTC", {"someday": [("09:00", "17:00")]})

    def test_a_day_of_seven_calendars_renders(self) -> None:
        """The representation lists every working day, comma-separated."""
        assert repr(self.WEEK).startswith("Calendar('UTC', {mon: 00:00-24:00, tue: 00:00-24:00, ")

    def test_holidays_on_a_round_the_clock_week_count(self) -> None:
        """A week of round-the-clock windows with holidays is not 'always working'."""
        calendar = Calendar("UTC", self.WEEK.hours, holidays={date(2024, 3, 2)})

        assert timedelta(days=1) == calendar.elapsed("2024-03-01T00:00Z", "2024-03-03T00:00Z")
        assert not calendar.is_working("2024-03-02T12:00Z")
        assert instant("2024-03-03T12:00Z") == calendar.add("2024-03-01T12:00Z", timedelta(days=1))

    def test_long_durations_stay_exact_to_the_microsecond(self) -> None:
        """Deadlines centuries away keep their last microsecond (integer arithmetic)."""
        duration = timedelta(days=365 * 7_000, microseconds=1)

        expected = datetime(8965, 5, 9, 0, 0, 0, 1, tzinfo=UTC)
        assert datetime(1970, 1, 1, tzinfo=UTC) + duration == expected
        assert expected == self.WEEK.add(MIN_INSTANT, duration)

    def test_deadline_at_the_last_instant(self) -> None:
        """A deadline on MAX_INSTANT itself is given; one microsecond later is refused."""
        start = MAX_INSTANT - timedelta(hours=1)
        holiday = Calendar("UTC", self.WEEK.hours, holidays={date(2024, 1, 1)})
        beyond = r"^duration \(1:00:00.000001\) puts the deadline past 9999-12-30T00:00:00\+00:00$"
        for calendar in (self.WEEK, holiday):
            assert MAX_INSTANT == calendar.add(start, timedelta(hours=1))
            with pytest.raises(TimelineError, match=beyond):
                calendar.add(start, timedelta(hours=1, microseconds=1))

    def test_the_last_local_day_east_of_utc_counts(self) -> None:
        """In UTC+14 the local 30 December 9999 begins before MAX_INSTANT: its hours count."""
        calendar = Calendar("Pacific/Kiritimati", self.WEEK.hours, holidays={date(2000, 1, 1)})
        start = MAX_INSTANT - timedelta(hours=20)

        assert datetime(9999, 12, 29, 23, tzinfo=UTC) == calendar.add(start, timedelta(hours=19))
        with pytest.raises(
            TimelineError,
            match=r"^duration \(20:00:00.000001\) puts the deadline past 9999-12-30T00:00:00",
        ):
            calendar.add(start, timedelta(hours=20, microseconds=1))

    def test_holidays_may_last_up_to_ten_years(self) -> None:
        """3,660 days without working time are waited out; one more is refused."""
        first = date(2024, 1, 1)

        class Until:
            """Every day before `end` is a holiday."""

            def __init__(self, end: date) -> None:
                self.end = end

            def __contains__(self, day: object) -> bool:
                return isinstance(day, date) and day < self.end

        waited = Calendar("UTC", self.WEEK.hours, holidays=Until(first + timedelta(days=3_660)))
        assert datetime(2034, 1, 8, 1, tzinfo=UTC) == waited.add(
            "2024-01-01T00:00Z", timedelta(hours=1)
        )
        # A working first day does not count towards the wait; the days after it do.
        after_one = Until(first + timedelta(days=3_661))
        resumed = Calendar("UTC", self.WEEK.hours, holidays=_Except(after_one, first))
        assert datetime(2034, 1, 9, 1, tzinfo=UTC) == resumed.add(
            "2024-01-01T00:00Z", timedelta(hours=25)
        )
        never = Calendar("UTC", self.WEEK.hours, holidays=Until(first + timedelta(days=3_661)))
        with pytest.raises(
            ConfigurationError,
            match=r"^holidays leave no working time in 3660 days after 2024-01-01T00:00:00\+00:00$",
        ):
            never.add("2024-01-01T00:00Z", timedelta(hours=1))

    def test_adjacent_windows_are_no_overlap(self) -> None:
        """A window may start the moment the one before it ends."""
        calendar = Calendar("UTC", {"mon": [("09:00", "12:00"), ("12:00", "17:00")]})

        assert timedelta(hours=8) == calendar.elapsed("2024-03-04T00:00Z", "2024-03-05T00:00Z")


class _Except:
    """A holidays container that leaves one day out of another."""

    def __init__(self, inner: object, working: date) -> None:
        self.inner, self.working = inner, working

    def __contains__(self, day: object) -> bool:
        return day != self.working and day in self.inner  # type: ignore[operator]


class TestInstantWordForWord:
    """instant()'s refusals in full, its bounds, and the UTC it always returns."""

    @pytest.mark.parametrize(
        ("value", "message"),
        [
            (
                "soon",
                (
                    r"^value \('soon'\) is not an ISO-8601 timestamp; expected e\.g\. "
                    r"'2024-01-01T09:00:00\+00:00'$"
                ),
            ),
            (
                5,
                (
                    r"^value \(5 of type int\) is not a timestamp; expected an aware datetime or "
                    r"an ISO-8601 string with an offset$"
                ),
            ),
            (
                "1969-12-31T23:00:00+00:30",
                r"^value \('1969-12-31T23:00:00\+00:30'\) is outside the supported range",
            ),
            (
                "1969-12-31T23:59:59Z",
                r"^value \('1969-12-31T23:59:59Z'\) is outside the supported range",
            ),
        ],
    )
    def test_refusals(self, value: object, message: str) -> None:
        """Each refusal names the value, under the default name 'value'."""
        with pytest.raises(TimelineError, match=message):
            instant(value)  # type: ignore[arg-type]

    def test_naive_refusal(self) -> None:
        """A naive time is refused with the two forms that are accepted."""
        with pytest.raises(
            NaiveDateTimeError,
            match=r"^value \('2024-01-01T09:00'\) has no UTC offset; give an aware datetime, "
            r"or a string ending in Z or \+HH:MM$",
        ):
            instant("2024-01-01T09:00")

    @pytest.mark.parametrize(
        "value",
        [
            "1970-01-01T00:00:00Z",
            "1970-01-01T01:00:00+01:00",
            "9999-12-30T00:00:00Z",
            "9999-12-30T01:00:00+01:00",
        ],
    )
    def test_both_bounds_are_inside(self, value: str) -> None:
        """MIN_INSTANT and MAX_INSTANT themselves are accepted, in any offset."""
        assert instant(value) in (MIN_INSTANT, MAX_INSTANT)

    @pytest.mark.parametrize(
        "value",
        [
            datetime(2024, 1, 1, 9, tzinfo=ZoneInfo("Etc/UTC")),
            pendulum.datetime(2024, 1, 1, 10, tz="Europe/Berlin"),
            datetime(2024, 1, 1, 10, tzinfo=timezone(timedelta(hours=1))),
        ],
    )
    def test_always_the_standard_utc(self, value: datetime) -> None:
        """Whatever zone or class comes in, a standard datetime in datetime.UTC comes out."""
        found = utc(value)

        assert (datetime, UTC, datetime(2024, 1, 1, 9, tzinfo=UTC)) == (
            type(found),
            found.tzinfo,
            found,
        )
