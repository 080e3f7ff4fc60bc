"""One formatter for the page and the portal (issue 17): cents never rounded away, whole
amounts without them, country names from CLDR."""
from gateway.formatting import country_name, money, percent, rate


def test_a_rate_reads_the_same_on_the_page_and_in_the_portal():
    assert rate(197.5) == "$197.50/hr" and rate(198) == "$198/hr" and rate(1250) == "$1,250/hr"


def test_money_keeps_cents_and_writes_nothing_for_what_is_not_an_amount():
    assert money(400) == "$400" and money("0.05") == "$0.05" and money(1_000_000) == "$1,000,000"
    assert money(None) == money("cheap") == money(True) == money(float("nan")) == ""


def test_countries_and_percentages_in_words():
    assert country_name("GB") == "United Kingdom" and country_name("us") == "United States"
    assert country_name("") == "" and percent(95) == "95%"
