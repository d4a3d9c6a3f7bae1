"""Links into the candidate portal, and how dates and names read in an email."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime
from urllib.parse import quote, urlencode
from zoneinfo import ZoneInfo

from shared.events.catalogue import Civilite, Identite

PARIS = "Europe/Paris"
CIVILITES = {Civilite.M: "Monsieur", Civilite.MME: "Madame"}


@dataclass(frozen=True)
class Portal:
    base_url: str

    def link(self, path: str, **query: str) -> str:
        url = f"{self.base_url.rstrip('/')}/{path.lstrip('/')}"
        return f"{url}?{urlencode(query)}" if query else url

    def activation(self, token: str) -> str:
        return self.link("/compte/activation", token=token)

    def login(self) -> str:
        return self.link("/connexion")

    def forgotten_password(self) -> str:
        return self.link("/mot-de-passe/oubli")

    def password_reset(self, token: str) -> str:
        return self.link("/mot-de-passe/reinitialisation", token=token)

    def email_confirmation(self, token: str) -> str:
        return self.link("/compte/email/confirmation", token=token)

    def candidatures(self) -> str:
        return self.link("/inscriptions")

    def documents(self, candidature_id: uuid.UUID) -> str:
        return self.link(f"/documents/{quote(str(candidature_id))}")


def local_datetime(instant: datetime, zone: str = PARIS) -> str:
    """'30/11/2026 à 14h05 (heure de Paris)': instants are shown in the académie's time."""
    local = instant.astimezone(ZoneInfo(zone))
    where = "heure de Paris" if zone == PARIS else "heure locale"
    return f"{local:%d/%m/%Y} à {local:%H}h{local:%M} ({where})"


def hours_between(start: datetime, end: datetime) -> int:
    return max(0, round((end - start).total_seconds() / 3600))


def first_prenom(prenoms: str) -> str:
    """The prénom a letter greets with: the first one. The civil-status list separates prénoms
    with commas ("Jean Pierre, Paul": a space may sit inside one); without a comma, spaces
    separate them."""
    separator = "," if "," in prenoms else None
    parts = prenoms.split(separator)
    return parts[0].strip() if parts else ""


def addressee_name(prenoms: str, nom: str) -> str:
    """'Camille Lefèvre' for prénoms 'Camille, Anne': what follows Madame/Monsieur."""
    return f"{first_prenom(prenoms)} {nom.strip()}".strip()


def identity_name(identite: Identite) -> str:
    """The nom d'usage, when given, replaces the nom de naissance in a letter."""
    return addressee_name(identite.prenoms, identite.nom_usage or identite.nom_naissance)


def civilite_label(civilite: Civilite) -> str:
    return CIVILITES[civilite]


def version_label(version: int) -> str:
    """The guide writes versions on two digits: Version 01, Version 02."""
    return f"{version:02d}"


def masked_address(address: str) -> str:
    """Enough of an address for its owner to recognise it, not enough to harvest it."""
    local, _, domain = address.partition("@")
    return f"{local[:1]}***@{domain}"
