"""A column or a field labelled as a person's holds a name even when no list holds it: surname particles in
lower case, names the lists lack (inspection.fields)."""

from __future__ import annotations

from inspection.fields import find_labelled_fields


def people(text: str) -> list[str]:
    return [text[f.start : f.end] for f in find_labelled_fields(text) if f.kind == "person"]


def test_surnames_with_particles_in_lower_case_are_names_in_a_name_column():
    text = "| candidate | stage |\n|---|---|\n| da Mota | onsite |\n| Zoë van den Velden | remote |\n"
    assert people(text) == ["da Mota", "Zoë van den Velden"]
    csv = 'employee_id,name,team\n81243,"das Neves, Isaac",Identity\n'
    assert people(csv) == ["das Neves, Isaac"]


def test_two_capitalised_words_no_list_holds_are_a_name_in_a_name_column_but_everyday_words_are_not():
    text = "Name        | Team\nDomna Pappa | Payroll Ops\nService Desk | Support\nRelease Train | Ops\n"
    assert people(text) == ["Domna Pappa"]


def test_particles_alone_are_no_name():
    assert people("| name | team |\n|---|---|\n| van der | Ops |\n") == []
