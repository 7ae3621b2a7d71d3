import pytest


def dates(extraction):
    return [(d.text, d.value, d.value_end, d.granularity) for d in extraction.dates]


def test_absolute_dates_and_months(extract):
    got = dates(extract("It began on February 24, 2022, resumed Oct. 23, 2024, and again in June 2024."))
    assert got == [
        ("February 24, 2022", "2022-02-24", None, "day"),
        ("Oct. 23, 2024", "2024-10-23", None, "day"),
        ("June 2024", "2024-06", None, "month"),
    ]


def test_without_a_year_a_date_keeps_what_it_states(extract):
    got = dates(extract("Troops may arrive October 27-28 or on November 3, since early August."))
    assert got == [
        ("October 27-28", "--10-27", "--10-28", "range"),
        ("November 3", "--11-03", None, "day"),
        ("early August", "--08", None, "month"),
    ]


def test_relative_dates_resolve_against_published_at(extract):
    text = "On Tuesday officials met; last week talks failed and earlier this month aid stopped."
    assert dates(extract(text, published_at="2024-10-25")) == [
        ("Tuesday", "2024-10-22", None, "day"),
        ("last week", "2024-10-14", None, "week"),
        ("earlier this month", "2024-10", None, "month"),
    ]
    assert [d[1] for d in dates(extract(text))] == [None, None, None]


@pytest.mark.parametrize(
    "text", ["We may march on.", "February 30 never came.", "He scored 12 goals in 90 minutes."]
)
def test_things_that_are_not_dates(extract, text):
    assert extract(text).dates == []


def test_ranges_across_months_iso_dates_and_mid_year(extract):
    got = dates(
        extract("Talks ran from Dec. 29 to Jan. 2, 2021, after a 2020-06-30 deadline set in mid-2019.")
    )
    assert got == [
        ("Dec. 29 to Jan. 2, 2021", "2020-12-29", "2021-01-02", "range"),
        ("2020-06-30", "2020-06-30", None, "day"),
        ("2019", "2019", None, "year"),
    ]


def test_and_joins_a_range_only_after_between(extract):
    assert [d[0] for d in dates(extract("Votes on April 2 and April 9; talks between May 1 and May 4."))] == [
        "April 2",
        "April 9",
        "May 1 and May 4",
    ]


def test_next_weekdays_and_days_ago_against_published_at(extract):
    text = "Two days ago the bridge fell; repairs start next Thursday."
    assert dates(extract(text, published_at="2023-03-15")) == [
        ("Two days ago", "2023-03-13", None, "day"),
        ("Thursday", "2023-03-16", None, "day"),
    ]


def test_a_yearless_date_well_after_publication_is_from_the_year_before(extract):
    assert dates(extract("The strike on November 20 was the worst.", published_at="2023-01-08")) == [
        ("November 20", "2022-11-20", None, "day")
    ]
