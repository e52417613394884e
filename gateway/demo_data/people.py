"""Generated organizations and accounts: names, emails, phones, addresses, tax ids."""

from __future__ import annotations

import random
import re
import string
import unicodedata

from gateway.demo_data.dataset import DemoAccount, DemoOrganization, DemoPartner
from gateway.demo_data.vocabulary import (
    COUNTRIES,
    FACULTIES,
    Country,
    first_names,
    institution_templates,
    last_names,
)
from gateway.domain.enums import AccountStatus, TaxIdKind

# Only the domains RFC 2606 reserves: demo mail must never reach a real mailbox.
EMAIL_DOMAINS = ("example.com", "example.org", "example.net")

_POSTCODES = {
    "DZ": "##000",
    "FR": "#####",
    "US": "#####",
    "IN": "######",
    "BR": "#####-###",
    "AU": "####",
    "GB": "@@# #@@",
    "DE": "#####",
    "CA": "@#@ #@#",
    "MA": "#####",
    "TN": "####",
    "ES": "#####",
    "AE": "PO Box #####",
}
# The partner that resells in a country (R-QUOTE-5), by partner name.
_PARTNER_BY_COUNTRY = {
    "DZ": "Bibliotech Solutions SARL",
    "MA": "Bibliotech Solutions SARL",
    "TN": "Bibliotech Solutions SARL",
    "FR": "Médiathèque Conseil",
    "ES": "Médiathèque Conseil",
    "GB": "Buchwerk IT GmbH",
    "DE": "Buchwerk IT GmbH",
    "US": "Northwind Library Services",
    "CA": "Northwind Library Services",
    "IN": "Granth Digital Pvt Ltd",
    "AU": "Southern Cross Library Systems",
    "BR": "Biblioteca Digital Ltda",
    "AE": "Al Maktaba Technologies FZ-LLC",
}
_TAX_ID_PATTERNS: dict[str, tuple[tuple[TaxIdKind, str], ...]] = {
    "FR": ((TaxIdKind.VAT, "FR## #########"),),
    "DE": ((TaxIdKind.VAT, "DE#########"),),
    "ES": ((TaxIdKind.VAT, "ESB########"),),
    "GB": ((TaxIdKind.VAT, "GB### #### ##"),),
    "DZ": ((TaxIdKind.VAT, "0001##########"),),  # NIF
    "MA": ((TaxIdKind.VAT, "########"),),
    "TN": ((TaxIdKind.VAT, "#######@/A/M/000"),),
    "AE": ((TaxIdKind.VAT, "100###########3"),),  # TRN
    "AU": ((TaxIdKind.GST, "## ### ### ###"),),  # ABN of a GST-registered business
    "CA": ((TaxIdKind.GST, "#########RT0001"),),
}
_ACADEMIC_SHARE = {"DZ": 0.55}  # Algerian universities are the heart of the customer base
_DEFAULT_ACADEMIC_SHARE = 0.3
_RESOLD_SHARE = 0.2
_FACULTY_LEVEL_SHARE = 0.3  # "University of X — Faculty of Letters" buys on its own


def fill(rng: random.Random, pattern: str) -> str:
    """``#`` becomes a digit, ``%`` a digit from 2 to 9 and ``@`` an upper-case letter."""
    return "".join(
        str(rng.randrange(10))
        if char == "#"
        else str(rng.randrange(2, 10))
        if char == "%"
        else rng.choice(string.ascii_uppercase)
        if char == "@"
        else char
        for char in pattern
    )


def ascii_slug(text: str) -> str:
    """ "Benoît D'Souza" → "benoit-dsouza": the part of an email address a name becomes."""
    plain = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().lower()
    return re.sub(r"[^a-z0-9]+", "-", plain.replace("'", "")).strip("-")


def pick_country(rng: random.Random) -> Country:
    return rng.choices(COUNTRIES, weights=[country.weight for country in COUNTRIES])[0]


def _institution_name(rng: random.Random, country: Country, city: str, *, academic: bool) -> str:
    template = rng.choice(institution_templates(country, academic=academic))
    name = template.format(city=city, n=rng.randrange(1, 4), last=rng.choice(last_names(country)))
    if country.language == "fr":  # "Université de Oran" → "Université d'Oran"
        name = re.sub(r"\bde ([AEIOUÉÈ])", r"d'\1", name)
    if academic and rng.random() < _FACULTY_LEVEL_SHARE:
        name = f"{name} — {rng.choice(FACULTIES)}"
    return name


def organization(
    rng: random.Random,
    *,
    country: Country,
    partners: list[DemoPartner],
    used_names: set[str],
) -> DemoOrganization:
    """A licensee; its name is unique among the demo's (its street tells twins apart)."""
    academic = rng.random() < _ACADEMIC_SHARE.get(country.code, _DEFAULT_ACADEMIC_SHARE)
    city = rng.choice(country.cities)
    name = _institution_name(rng, country, city, academic=academic)
    for _ in range(3):
        if name not in used_names:
            break
        city = rng.choice(country.cities)
        name = _institution_name(rng, country, city, academic=academic)
    street = rng.choice(country.streets)
    unique, twin = name, 1
    while unique in used_names:  # e.g. "Oran Public Library (Main Street 2)"
        unique = f"{name} ({street}{f' {twin}' if twin > 1 else ''})"
        twin += 1
    used_names.add(unique)
    partner = None
    if rng.random() < _RESOLD_SHARE:
        partner = next(p for p in partners if p.name == _PARTNER_BY_COUNTRY[country.code])
    return DemoOrganization(
        name=unique,
        country=country.code,
        address=f"{rng.randrange(1, 180)} {street}, {fill(rng, _POSTCODES[country.code])} {city}, "
        f"{country.name}",
        academic=academic,
        partner=partner,
    )


def tax_ids(rng: random.Random, country_code: str) -> list[tuple[TaxIdKind, str]]:
    """Tax ids in each country's usual shape (R-ACC-5); none where the kinds do not apply."""
    if country_code == "IN":
        pan = fill(rng, "@@@P@####@")
        ids = [
            (TaxIdKind.PAN, pan),
            (TaxIdKind.GST, fill(rng, "27") + pan + fill(rng, "1Z#")),
            (TaxIdKind.CIN, fill(rng, "U#####MH20##PTC######")),
        ]
        return ids[: rng.randrange(1, len(ids) + 1)]
    return [(kind, fill(rng, pattern)) for kind, pattern in _TAX_ID_PATTERNS.get(country_code, ())]


def account(
    rng: random.Random,
    *,
    number: int,
    country: Country,
    status: AccountStatus = AccountStatus.ACTIVE,
) -> DemoAccount:
    """A customer; ``number`` makes the email unique (``firstname.lastname{number}@…``)."""
    first, last = rng.choice(first_names(country)), rng.choice(last_names(country))
    email = f"{ascii_slug(first)}.{ascii_slug(last)}{number}@{rng.choice(EMAIL_DOMAINS)}"
    return DemoAccount(
        email=email,
        name=f"{first} {last}",
        phone=fill(rng, country.phone) if rng.random() < 0.85 else None,
        country=country.code,
        status=status,
        publicity_opt_out=rng.random() < 0.15,
        tax_ids=tax_ids(rng, country.code) if rng.random() < 0.4 else [],
    )
