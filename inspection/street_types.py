"""Street types (Street, Rd, Mews, …) as a regex alternation and as case-folded words: read by the address
finders (inspection.names, inspection.addresses) and by the name model's filters (inspection.ner)."""

from __future__ import annotations

STREET_TYPES = (
    r"Street|St|Avenue|Ave|Av|Road|Rd|Boulevard|Blvd|Lane|Ln|Drive|Dr|Court|Ct|Way|Place|Pl|Square|Sq|Terrace|"
    r"Parkway|Pkwy|Highway|Hwy|Circle|Cir|Trail|Crescent|Close|Row|Alley|Walk|Loop|Plaza|Pike|Ridge|Gardens|"
    r"Green|Greens|Grove|Hill|Hills|Park|Fort|Bridge|Crossing|Junction|Mews|Vale|View|Wharf|Quay|Port|Point|"
    r"Estate|Mall|Rise|Heights|Meadow|Meadows|Manor|Brook|Falls|Harbor|Harbour|Island|Lake|Mill|Mount|Station|Str|"
    # More of the USPS street suffixes (Publication 28), less those that are everyday words ("Run", "Key").
    r"Branch|Brooks|Burg|Burgs|Bypass|Canyon|Cape|Causeway|Cliff|Cliffs|Corner|Corners|Courts|Cove|Coves|Creek|"
    r"Crest|Crossroad|Curve|Dale|Dam|Divide|Drives|Estates|Expressway|Extension|Ferry|Field|Fields|Flat|Flats|"
    r"Ford|Fords|Forest|Forge|Forges|Fork|Forks|Freeway|Garden|Gateway|Glen|Glens|Groves|Harbors|Haven|Hollow|"
    r"Inlet|Islands|Isle|Junctions|Knoll|Knolls|Lakes|Landing|Lodge|Manors|Mills|Motorway|Mountain|Mountains|"
    r"Neck|Orchard|Oval|Overpass|Parks|Parkways|Pine|Pines|Plain|Plains|Points|Ports|Prairie|Ranch|Rapid|Rapids|"
    r"Ridges|River|Roads|Shoal|Shoals|Shore|Shores|Skyway|Spur|Spurs|Squares|Stravenue|Streets|Summit|"
    r"Throughway|Trafficway|Tunnel|Turnpike|Underpass|Union|Unions|Valley|Valleys|Viaduct|Views|Village|"
    r"Villages|Ville|Vista|Walks|Ways"
)
# The street types as words, case-folded ("street", "rd", "mews" …): a name followed by one is a street's.
STREET_WORDS = frozenset(word.casefold() for word in STREET_TYPES.split("|"))
