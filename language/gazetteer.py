"""General knowledge about names that no embedding tells us cheaply: places and titles.

Only world-wide facts (countries, US states, continents, honorifics), never names taken from any
evaluation set.
"""

from __future__ import annotations

import re

COUNTRIES = frozenset("""
afghanistan albania algeria andorra angola argentina armenia australia austria azerbaijan bahamas
bahrain bangladesh barbados belarus belgium belize benin bhutan bolivia bosnia botswana brazil brunei
bulgaria burkina burundi cambodia cameroon canada chad chile china colombia comoros congo costa rica
croatia cuba cyprus czech republic czechia denmark djibouti dominica dominican republic ecuador egypt
el salvador eritrea estonia eswatini ethiopia fiji finland france gabon gambia georgia germany ghana
greece grenada guatemala guinea guyana haiti honduras hungary iceland india indonesia iran iraq
ireland israel italy ivory coast jamaica japan jordan kazakhstan kenya kiribati kosovo kuwait
kyrgyzstan laos latvia lebanon lesotho liberia libya liechtenstein lithuania luxembourg madagascar
malawi malaysia maldives mali malta mauritania mauritius mexico micronesia moldova monaco mongolia
montenegro morocco mozambique myanmar namibia nauru nepal netherlands new zealand nicaragua niger
nigeria north korea north macedonia norway oman pakistan palau palestine panama papua new guinea
paraguay peru philippines poland portugal qatar romania russia rwanda samoa san marino saudi arabia
senegal serbia seychelles sierra leone singapore slovakia slovenia somalia south africa south korea
south sudan spain sri lanka sudan suriname sweden switzerland syria taiwan tajikistan tanzania
thailand togo tonga trinidad tunisia turkey turkiye turkmenistan tuvalu uganda ukraine united arab
emirates united kingdom uk britain great britain england scotland wales northern ireland united
states us usa america uruguay uzbekistan vanuatu vatican venezuela vietnam yemen zambia zimbabwe
puerto rico greenland hong kong
""".split("\n")) | frozenset()

_MULTI = [
    "costa rica", "czech republic", "dominican republic", "el salvador", "ivory coast", "new zealand",
    "north korea", "north macedonia", "papua new guinea", "san marino", "saudi arabia", "sierra leone",
    "south africa", "south korea", "south sudan", "sri lanka", "united arab emirates", "united kingdom",
    "great britain", "northern ireland", "united states", "puerto rico", "hong kong",
    "new hampshire", "new jersey", "new mexico", "new york", "north carolina", "north dakota",
    "rhode island", "south carolina", "south dakota", "west virginia", "district of columbia",
    "north america", "south america", "latin america", "middle east",
]
US_STATES = {
    "alabama", "alaska", "arizona", "arkansas", "california", "colorado", "connecticut", "delaware",
    "florida", "georgia", "hawaii", "idaho", "illinois", "indiana", "iowa", "kansas", "kentucky",
    "louisiana", "maine", "maryland", "massachusetts", "michigan", "minnesota", "mississippi",
    "missouri", "montana", "nebraska", "nevada", "ohio", "oklahoma", "oregon", "pennsylvania",
    "tennessee", "texas", "utah", "vermont", "virginia", "washington", "wisconsin", "wyoming",
}
CONTINENTS = {"europe", "asia", "africa", "antarctica", "oceania", "australia", "america"}
_SINGLE = {w for line in COUNTRIES for w in line.split() if line} | US_STATES | CONTINENTS
PLACES = frozenset(_SINGLE | set(_MULTI))
_PLACE_SUFFIX = re.compile(
    r"\b(region|province|county|city|state|republic|island|islands|river|sea|ocean|bay|valley|"
    r"mountains|district|square|street|park|airport|coast|peninsula|strait|lake|gulf)$", re.I)
_ORG_WORD = re.compile(
    r"\b(organization|organisation|council|party|ministry|company|inc|corp|corporation|agency|"
    r"committee|union|association|department|university|college|bank|group|court|treaty|forces|army|"
    r"police|office|commission|administration|airlines|airways|news|times|post|network|foundation|"
    r"institute|fund|federation|league|club|team|senate|house|congress|parliament|government|"
    r"reserve|service|services|authority|board|bureau|systems|technologies|motors|media)\b", re.I)
TITLES = re.compile(
    r"^(?:(?:former|acting|then|vice|deputy|prime|chief|first|lady)\s+)*"
    r"(?:president|minister|prime minister|secretary|senator|sen\.|rep\.|representative|gov\.|governor|"
    r"mayor|judge|justice|king|queen|prince|princess|pope|general|gen\.|ceo|chairman|chair|director|"
    r"dr\.|mr\.|mrs\.|ms\.|sir|dame|lord|lady|coach|officer|chancellor|speaker|leader|commander)"
    r"(?:\s+of\s+[A-Z][\w-]*)?\s+", re.I)


def is_place(text: str) -> bool:
    lowered = text.lower().strip()
    return lowered in PLACES or lowered.replace(".", "") in PLACES or bool(_PLACE_SUFFIX.search(lowered))


def is_organization(text: str) -> bool:
    return bool(_ORG_WORD.search(text))


def person_name(text: str) -> str:
    """'Prime Minister of Armenia Nikol Pashinyan' -> 'Nikol Pashinyan'."""
    stripped = TITLES.sub("", text).strip()
    return stripped if stripped and stripped[0].isupper() else text


_NAME_PARTICLES = frozenset("van von der den de del della da di du la le bin ibn al el".split())


def looks_like_person(text: str) -> bool:
    """Two to four capitalised words ("Anna van Densky": particles may be lowercase)."""
    words = text.split()
    return 2 <= len(words) <= 4 and not is_place(text) and not is_organization(text) and all(
        w[:1].isupper() or w in _NAME_PARTICLES for w in words) and words[0][:1].isupper() and words[-1][:1].isupper()


def is_country_or_state(text: str) -> bool:
    lowered = text.lower().strip()
    return lowered in PLACES and not _PLACE_SUFFIX.search(lowered)
