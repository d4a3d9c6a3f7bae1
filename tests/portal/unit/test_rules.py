"""The portal's pure parts: the session cookie, where a login may send back to, the tabs' form
to body mapping, what Mes justificatifs offers, the Idempotency-Key per form."""

from __future__ import annotations

import time

import pytest
from aiohttp.test_utils import make_mocked_request
from multidict import MultiDict
from pydantic import ValidationError

from portal.domain import wizard
from portal.domain.pieces import mes_pieces
from portal.domain.session import Session, SessionCodec, generate_key
from portal.entrypoints.forms import idempotency_key, identite_field, identite_from_form
from portal.entrypoints.pages import client_address, safe_next
from portal.settings import Settings


def test_a_session_cookie_reads_back_and_an_altered_or_old_one_does_not() -> None:
    codec = SessionCodec(generate_key(), max_age_s=60)
    session = Session(access_token="a", refresh_token="r", email="x@example.org")
    cookie = codec.encode(session)
    assert "r" not in cookie.split("-")  # encrypted, not merely signed
    assert codec.decode(cookie) == session
    assert codec.decode(cookie[:-2] + "AA") is None
    assert codec.decode(cookie, now=time.time() + 120) is None
    assert SessionCodec(generate_key(), 60).decode(cookie) is None
    assert codec.decode("not a cookie") is None


def test_the_access_token_is_refreshed_a_little_before_it_expires() -> None:
    session = Session().with_tokens(
        {"access_token": "a", "refresh_token": "r", "expires_in": 900}, 0
    )
    assert not session.needs_refresh(800)
    assert session.needs_refresh(880)
    assert not Session().needs_refresh(10_000)  # not signed in: nothing to refresh


def test_a_login_only_sends_back_to_a_page_of_this_site() -> None:
    assert safe_next("/inscriptions?x=1") == "/inscriptions?x=1"
    for outside in ("https://evil.example", "//evil.example", "/\\evil.example", "", None):
        assert safe_next(outside) == "/"


def test_one_key_per_form_so_a_double_click_saves_once() -> None:
    assert idempotency_key("csrf", "nonce") == idempotency_key("csrf", "nonce")
    assert idempotency_key("csrf", "nonce") != idempotency_key("csrf", "other")
    assert idempotency_key("csrf", "nonce") != idempotency_key("other csrf", "nonce")
    assert idempotency_key("csrf", None) != idempotency_key("csrf", None)  # no nonce: no replay


def test_the_identity_form_becomes_the_accounts_body() -> None:
    body = identite_from_form(
        {"civilite": "MME", "nom_naissance": " Martin ", "pays_naissance": "fr", "nom_usage": ""}
        | {"adresse_ligne1": "1 rue", "code_postal": "25000", "commune": "B", "pays": "fr"}
    )
    assert body["nom_naissance"] == "Martin"
    assert body["pays_naissance"] == "FR"
    assert "nom_usage" not in body
    assert body["adresse"] == {
        "ligne1": "1 rue",
        "code_postal": "25000",
        "commune": "B",
        "pays": "FR",
    }
    assert identite_field("identite.adresse.ligne1") == "adresse_ligne1"
    assert identite_field("identite.prenoms") == "prenoms"


def test_the_tabs_forms_become_the_registration_bodies() -> None:
    data = MultiDict([("handicap", "non"), ("amenagement", "oui"), ("categorie", "FC"), ("x", "y")])
    assert wizard.informations(data, data.getall) == {
        "categorie": "FC",
        "handicap": False,
        "amenagement": True,
    }
    epreuves = MultiDict(
        [
            ("option-E2", "Anglais"),
            ("option-EF1", ""),
            ("facultatives", "EF1"),
            ("facultatives", "EF3"),
        ]
    )
    assert wizard.epreuves(epreuves, epreuves.getall) == {
        "options": {"E2": "Anglais"},
        "facultatives": ["EF1", "EF3"],
    }
    acquis = {"acquis-0-type": "BENEFICE", "acquis-0-annee": "2024", "acquis-0-epreuve": "E1"}
    acquis |= {"acquis-0-note": "12,5", "acquis-0-utilise": "oui", "acquis-1-type": ""}
    assert wizard.acquis(acquis, lambda _: []) == {
        "acquis": [
            {"type": "BENEFICE", "annee": 2024, "epreuve": "E1", "note": 12.5, "utilise": True}
        ]
    }
    assert wizard.field_name("options.E2") == "option-E2"
    assert wizard.field_name("acquis.0.note") == "acquis-0-note"


def test_enregistrer_is_on_the_last_tab_and_numero_comes_only_after_it() -> None:
    assert [o.slug for o in wizard.ONGLETS][-2:] == ["recapitulatif", "numero"]
    assert len(wizard.ONGLETS) == 8
    assert wizard.neighbour("epreuves", 1) == "recapitulatif"
    assert wizard.neighbour("recapitulatif", 1) == "recapitulatif"
    assert wizard.neighbour("identification", -1) == "identification"


def _piece(**fields: object) -> dict[str, object]:
    base = {
        "id": "p1",
        "libelle": "Pièce d'identité",
        "formats": ["application/pdf", "image/png"],
        "max_bytes": 2048,
        "active": True,
        "status": None,
        "status_comment": None,
        "received_at": None,
        "validated_at": None,
        "deposited_at": None,
        "locked": False,
        "files": [],
    }
    return base | fields


def _groupe(date_limite: str, *pieces: dict[str, object], ouvert: bool = True) -> dict[str, object]:
    return {
        "id": date_limite,
        "libelle": "Identité",
        "date_limite": date_limite,
        "fuseau_horaire": "America/Cayenne",
        "depot_ouvert": ouvert,
        "pieces": list(pieces),
    }


def test_mes_pieces_offers_what_the_guide_allows() -> None:
    """Groups by date limite; Ajouter only while the deposit is open and the pièce unlocked;
    J'ai fourni while a needed pièce awaits it; the statuses in the guide's words."""
    validated = "2026-12-01T10:00:00Z"
    answer = {
        "numero_inscription": "BTS-2027-BES-000001",
        "closed": False,
        "groupes": [
            _groupe(
                "2027-02-01T22:59:00Z",
                _piece(status="non_conforme", status_comment="Illisible"),
                _piece(id="p2", status="recue", locked=True, validated_at=validated),
            ),
            _groupe(
                "2027-01-01T22:59:00Z",
                _piece(id="p3", status="conforme", locked=True, validated_at=validated),
                _piece(id="p4", active=False, locked=True),
            ),
            _groupe("2026-11-01T22:59:00Z", _piece(id="p5"), ouvert=False),
        ],
    }
    dossier = mes_pieces(answer)
    passed, conforme, non_conforme = dossier.groupes
    assert [g.date_limite[:7] for g in dossier.groupes] == ["2026-11", "2027-01", "2027-02"]
    assert [p.statut for p in non_conforme.pieces] == ["Non Conforme", "Reçue"]
    assert [p.modifiable for p in non_conforme.pieces] == [True, False]
    assert non_conforme.a_declarer
    assert non_conforme.fournies_le is None
    assert (conforme.a_declarer, conforme.fournies_le) == (False, validated)
    assert not passed.pieces[0].modifiable
    assert not passed.a_declarer
    assert non_conforme.pieces[0].formats == ["PDF", "PNG"]
    assert non_conforme.pieces[0].accept == ".pdf,.png,application/pdf,image/png"
    closed = mes_pieces(answer | {"closed": True})
    assert not any(p.modifiable for g in closed.groupes for p in g.pieces)
    assert not any(g.a_declarer for g in closed.groupes)


def test_the_browsers_address_is_the_gateways_last_forwarded_entry_only_when_trusted() -> None:
    request = make_mocked_request("GET", "/", headers={"X-Forwarded-For": "6.6.6.6, 10.0.0.7"})
    assert client_address(request, trust_forwarded_for=True) == "10.0.0.7"
    assert client_address(request, trust_forwarded_for=False) == request.remote


def test_the_session_key_must_be_a_fernet_key_and_is_required_in_production() -> None:
    assert Settings(session_key=generate_key().decode()).session_key is not None
    with pytest.raises(ValidationError, match="Fernet key"):
        Settings(session_key="not-a-key")
    with pytest.raises(ValidationError, match="placeholder"):
        Settings(environment="production")
    with pytest.raises(ValidationError, match="placeholder"):
        Settings(environment="production", session_key="changeme")
