"""Créer mon compte and Modifier mon compte through the portal, in front of the real accounts
service: its refusals come back in French next to their fields."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from shared.testing.factories import random_email
from tests.accounts.integration.conftest import PASSWORD, Service, active_candidate
from tests.portal.helpers import IDENTITE_TYPED
from tests.portal.integration.conftest import Portal, csrf_of, sign_in

StartPortal = Callable[..., Awaitable[Portal]]
IDENTITE = {"civilite": "MME", "date_naissance": "2001-04-12", **IDENTITE_TYPED}


async def post(portal: Portal, path: str, form: dict[str, Any]) -> tuple[int, str]:
    response = await portal.post(path, data={"csrf": await csrf_of(portal), **form})
    return response.status, await response.text()


async def test_the_password_rule_is_checked_again_by_the_server(
    start_portal: StartPortal, service: Service
) -> None:
    portal = await start_portal()
    weak = {"email": random_email(), "password": "abcdefgh", "password_confirmation": "abcdefgh"}
    status, page = await post(portal, "/compte/creation", weak | IDENTITE)
    assert status == 400
    assert 'id="password-erreur"' in page
    assert "au moins 8 caractères (20 caractères au maximum)" in page
    assert 'value="Martin"' in page  # what was typed is kept, the password is not
    assert 'value="abcdefgh"' not in page

    bad_email = {"email": "pas-une-adresse", "password": PASSWORD}
    status, page = await post(
        portal, "/compte/creation", bad_email | {"password_confirmation": PASSWORD} | IDENTITE
    )
    assert status == 400
    assert "Saisissez une adresse email valide" in page


async def test_an_account_created_through_the_portal_says_the_email_is_coming(
    start_portal: StartPortal, service: Service
) -> None:
    portal = await start_portal()
    form = {"email": random_email(), "password": PASSWORD, "password_confirmation": PASSWORD}
    status, page = await post(portal, "/compte/creation", form | IDENTITE)
    assert status == 200, page
    assert "Votre compte va être créé" in page
    assert "48 heures" in page


async def test_modifier_mon_compte_saves_the_identity_and_names_a_wrong_password(
    start_portal: StartPortal, service: Service
) -> None:
    portal = await start_portal()
    candidate = await active_candidate(service)
    await sign_in(portal, candidate)
    status, page = await post(portal, "/compte/identite", IDENTITE | {"nom_usage": "Durand"})
    assert status == 200, page
    assert "Vos informations sont enregistrées" in page
    assert 'value="Durand"' in page

    change = {"current_password": "Faux#Mot2passe", "new_password": "Autre#2027ok"}
    status, page = await post(
        portal, "/compte/mot-de-passe", change | {"password_confirmation": "Autre#2027ok"}
    )
    assert status == 400
    assert 'id="current_password-erreur"' in page
    assert "Le mot de passe actuel est incorrect" in page
    status, page = await post(
        portal, "/compte/mot-de-passe", change | {"password_confirmation": "autre chose"}
    )
    assert "Les deux mots de passe saisis sont différents" in page
