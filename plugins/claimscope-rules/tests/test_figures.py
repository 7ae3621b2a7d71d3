import pytest


def figures(extraction):
    return [(f.text, f.value, f.unit, f.qualifier, f.value_max) for f in extraction.figures]


def test_counted_noun_qualifier_and_owner(extract):
    extraction = extract("Officials said up to 8,500 Belarusian soldiers and three senior generals moved.")
    assert figures(extraction) == [
        ("up to 8,500 Belarusian soldiers", 8500, "soldiers", "up to", None),
        ("three senior generals", 3, "senior generals", None, None),
    ]
    assert extraction.figures[0].actor_id == "belarus"


def test_two_figures_from_n_x_of_m_y_each(extract):
    got = figures(extract("They formed four battalions of 800 men each."))
    assert got == [
        ("four battalions", 4, "battalions", None, None),
        ("800 men each", 800, "men", "each", None),
    ]


def test_ranges_scales_currencies_and_percentages(extract):
    got = figures(
        extract(
            "Between 10,000 and 15,000 people fled, 20,000-25,000 troops massed, $2bn was pledged, "
            "1.5 million people voted and turnout rose 40%."
        )
    )
    assert got == [
        ("Between 10,000 and 15,000 people", 10000, "people", "range", 15000),
        ("20,000-25,000 troops", 20000, "troops", "range", 25000),
        ("$2bn", 2e9, "USD", None, None),
        ("1.5 million people", 1.5e6, "people", None, None),
        ("40%", 40, "percent", None, None),
    ]


def test_model_names_are_not_figures_but_what_they_name_is_the_unit(extract):
    assert figures(extract("Iran sent more than 200 Fath-360 missiles and 12 Su-34 jets.")) == [
        ("more than 200 Fath-360 missiles", 200, "missiles", "more than", None),
        ("12 Su-34 jets", 12, "jets", None, None),
    ]


def test_part_of_a_counted_whole(extract):
    assert figures(extract("Air defences shot down 58 of the drones overnight.")) == [
        ("58 of the drones", 58, "drones", None, None)
    ]


def test_a_bare_number_takes_the_noun_its_clause_counts(extract):
    assert figures(extract("The number of refugees could reach 40,000.")) == [
        ("could reach 40,000", 40000, "refugees", "up to", None)
    ]


@pytest.mark.parametrize(
    "text",
    [
        "It happened on March 3, 2021 and in 1999.",
        "She came 2nd in the 3rd round.",
        "It is one of the largest armies; two of them left.",
        "The two countries signed the deal.",
        "Soldiers left at 10:30 and again at 4 p.m.",
        "Soldiers stayed in a 12-story hotel.",
        "Soldiers invoked Article 5 and Resolution 2231 together.",
    ],
)
def test_dates_years_ordinals_and_references_are_not_figures(extract, text):
    assert extract(text).figures == []


def test_a_plural_demonym_is_what_is_counted(extract):
    extraction = extract("Nearly 40,000 Moldovans crossed the border.")
    assert figures(extraction) == [("Nearly 40,000 Moldovans", 40000, "Moldovans", "about", None)]
    assert extraction.figures[0].actor_id == "moldova"


def test_compound_units_and_model_names(extract):
    got = figures(extract("Rates fell 25 basis points as 14 Leopard tanks and 6 Storm Shadow missiles came."))
    assert got == [
        ("25 basis points", 25, "basis points", None, None),
        ("14 Leopard tanks", 14, "tanks", None, None),
        ("6 Storm Shadow missiles", 6, "missiles", None, None),
    ]


def test_the_unit_stops_before_a_date(extract):
    assert figures(extract("Exports reached $80 billion last year.")) == [
        ("$80 billion", 8e10, "USD", None, None)
    ]


def test_thousands_grouped_by_spaces(extract):
    got = figures(extract("Floods drove about 12 500 people from 1 040 homes in the valley."))
    assert got == [
        ("about 12 500 people", 12500, "people", "about", None),
        ("1 040 homes", 1040, "homes", None, None),
    ]


def test_a_bare_number_in_a_list_counts_what_the_list_counts(extract):
    got = figures(
        extract("The storm killed 4 120 people in the north, 2 310 in the east and about 90 elsewhere.")
    )
    assert got == [
        ("4 120 people", 4120, "people", None, None),
        ("2 310", 2310, "people", None, None),
        ("about 90", 90, "people", "about", None),
    ]


def test_either_of_two_numbers_is_a_range(extract):
    assert figures(extract("The bridge is two or three years from completion.")) == [
        ("two or three years", 2, "years", "range", 3)
    ]


def test_a_rate_out_of_a_whole_is_one_figure(extract):
    assert figures(extract("The survey said 12 out of every 50 nurses had quit.")) == [
        ("12 out of every 50 nurses", 12, "nurses", None, None)
    ]


def test_the_unit_is_the_plural_noun_after_modifiers(extract):
    got = figures(
        extract("More than 60 current and former Acme drivers and three regional trade unions wrote.")
    )
    assert got == [
        ("More than 60 current and former Acme drivers", 60, "drivers", "more than", None),
        ("three regional trade unions", 3, "trade unions", None, None),
    ]


def test_what_a_toll_or_a_number_of_things_reaches(extract):
    got = figures(
        extract(
            "The death toll from the outbreak rose to 412, and the number of infections climbed to 9,800."
        )
    )
    assert got == [("412", 412, "deaths", None, None), ("9,800", 9800, "infections", None, None)]


def test_a_casualty_verb_counts_people(extract):
    assert figures(extract("Fishermen searched for the crew of a trawler whose sinking killed 31.")) == [
        ("31", 31, "people", None, None)
    ]


def test_ages_and_durations_in_compound_adjectives(extract):
    got = figures(extract("The 52-year-old engineer ended a six-month strike and a 10-day fast."))
    assert got == [
        ("52-year-old", 52, "years", None, None),
        ("six-month", 6, "months", None, None),
        ("10-day", 10, "days", None, None),
    ]


def test_a_period_counted_from_the_start_is_not_a_figure(extract):
    assert extract("Sales rose in the first nine months.").figures == []
