"""Phone numbers as people of many countries write them, and the numbers shaped like them that are not phones."""

from __future__ import annotations

import pytest

from inspection import inspect_question, inspect_text


def phones(text: str) -> list[str]:
    return [text[f.start : f.end] for f in inspect_question(text) if f.kind == "phone"]


@pytest.mark.parametrize(
    "text, number",
    [
        # Italy: landlines keep their 0 after +39, mobiles 3XX, the slash after the area code
        ("Per la consegna chiamare il 06 1234567 prima delle 18.", "06 1234567"),
        ("Tel. 0471/123456", "0471/123456"),
        ("Cell. 347 123 4567", "347 123 4567"),
        ("Ask Marco at 347/1234567 about the pallet.", "347/1234567"),
        ("Consegna: Via Garibaldi 12, 00184 Roma RM\nTel. 06 4821 9930 int. 12\nOrario 9-13", "06 4821 9930 int. 12"),
        # digits no plan accepts, after a country code: anyone reads them as a phone number
        ("Referente: +39 512 345 6789", "+39 512 345 6789"),
        ("someone call me back on (+30) 2783 954797?", "(+30) 2783 954797"),
        ("Call me at +49 221.206.99.95 when the deploy is done.", "+49 221.206.99.95"),
        ("Lieferung an Hauptstr. 5, 10115 Berlin, +39 (0)6 1234 5678", "+39 (0)6 1234 5678"),
        # national formats of other countries, with no word saying "phone"
        ("The vendor's support line is 030/1234567, ask for the on-call engineer.", "030/1234567"),
        ("The vendor's support line is 8 (495) 123-45-67, ask for the on-call engineer.", "8 (495) 123-45-67"),
        ("Escalate to the duty manager on 0470.47.41.85 if it backs up.", "0470.47.41.85"),
        ("Escalate to the duty manager on 06-1/326 0666 if it backs up.", "06-1/326 0666"),
        ("Escalate to the duty manager on 76 60 30 00 if it backs up.", "76 60 30 00"),
        ("Escalate to the duty manager on 612 345 678 if it backs up.", "612 345 678"),
        ("Escalate to the duty manager on 089 88582110 if it backs up.", "089 88582110"),
        ("Escalate to the duty manager on (11) 91234-5678 if it backs up.", "(11) 91234-5678"),
        ("Escalate to the duty manager on 03-1234-5678 if it backs up.", "03-1234-5678"),
        # a run of digits alone: a national number with its trunk prefix, or a mobile number
        ("Contact on site: Adelmo Falier, 3714544439", "3714544439"),
        ("Customer says nobody picked up at 08031234567 yesterday.", "08031234567"),
        # a phone word in the same sentence, thirty characters away
        ("Contact on site: Dr Marianna Lombardi, 0565 61482", "0565 61482"),
        ("Wrapped in a column: 0565 /\n61482 is the depot.", "0565 /\n61482"),
    ],
)
def test_a_number_written_as_people_write_phone_numbers_is_found_whole(text, number):
    assert phones(text) == [number]


@pytest.mark.parametrize(
    "text",
    [
        # said to be something else by the word before it
        "AWB 456-78376788 left Milan this morning.",
        "AWB 020-78376788 left Milan this morning.",
        "Air waybill: 160 1234 5675, 3 pieces, 41 kg",
        "tracking: 0419 1537 9600",
        "Order no. 3714544439 was cancelled.",
        "Invoice no. 347 123 4567",
        "Shipment 0710 4319 55 is delayed.",
        "IBAN fragment 0559 7722 1526 is what I have.",
        "my driver's license number is 2270-66-1551",
        "Customer ID 612 345 678",
        "Federal Employer Identification Number (FEIN):** 44-0553234",
        # by their shape: a manifest row, ranges, amounts, quantities, fractions, references
        "| 456-78376788 | MXP → JFK | 2 pcs | 18.5 kg |",
        "The archive covers 2016-2019 and 2010 - 2015.",
        "Odds ratio 3.55 (95% CI, 0.19-66.89) times more likely",
        "Doses of 800-1200 mg/d were given.",
        "among 2 901 019 adults admitted",
        "The budget is 1 250 000 EUR.",
        "26% (533/2054) of enrolled subjects",
        "Invoice 2024/001234 is overdue.",
        "Conference Director - 10/2011 - 06/2015",
        "justifications listed in FTR §301-10.450(c)",
        "median age in 1995 1.55 years",
        "monocyte recruitment 10 11 12 13 14 ; growth",
        "Rooms 3007-3011 are closed.",
        "The order shipped on 15.03.2024 and arrived 2024-03-19.",
    ],
)
def test_a_phone_shaped_number_that_is_something_else_is_not_a_phone(text):
    assert phones(text) == []
    assert [f for f in inspect_text(text) if f.kind == "phone"] == []


def test_a_phone_word_outweighs_the_shape_of_a_look_alike():
    # Said to be a phone, the shape of an air waybill or a year range does not matter: a miss costs a leak.
    assert phones("Tel. 456-78376788") == ["456-78376788"]
    assert phones("Phone: 2016-2019") == ["2016-2019"]


def test_a_phone_word_in_an_earlier_sentence_does_not_make_a_code_a_phone():
    assert phones("Treated cell lines, respectively. PD 0332991 enhanced it.") == []
