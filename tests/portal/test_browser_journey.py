"""The guide's journey clicked through the portal in headless Chromium, against the services
run by deploy/run_local.py: Créer mon compte, the activation email's link, Me connecter, Modifier
mon compte, M'inscrire, the eight tabs (errors shown), Enregistrer double-clicked (one
candidature), N° Inscription, Mes inscriptions, Mes documents (the PDF), Formulaires, Mes
justificatifs (a real PDF for each pièce, J'ai fourni toutes mes pièces, the validation
dates), the bin and its dialog. axe-core runs on every screen: zero violations; each
screen is kept as a screenshot under .artefacts/portal/."""

from __future__ import annotations

import re
import time
import urllib.request
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import pytest_asyncio
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.support.ui import Select

from tests.portal.browser import Browser, chromium, chromium_missing
from tests.portal.conftest import RunningPlatform
from tests.portal.helpers import IDENTITE_TYPED, PASSWORD, open_window_now
from tests.uploads import samples

pytestmark = pytest.mark.skipif(chromium_missing() is not None, reason=str(chromium_missing()))

ACADEMIE = "001"
ANNOUNCEMENT = "Maintenance programmée"
WAIT = 60.0


@pytest_asyncio.fixture(scope="module", loop_scope="session")
async def window_open(running_platform: RunningPlatform) -> RunningPlatform:
    platform = running_platform
    await open_window_now(
        platform.url("accounts"),
        platform.url("registration"),
        platform.database("accounts"),
        platform.amqp_url,
        ACADEMIE,
        announcement=ANNOUNCEMENT,
    )
    return platform


@pytest.fixture(scope="module")
def browser(window_open: RunningPlatform) -> Iterator[Browser]:
    with chromium() as driver:
        yield Browser(driver, window_open.url("portal"))


class Axe:
    """Violations found on each screen, reported together at the end."""

    def __init__(self) -> None:
        self.found: dict[str, list[dict[str, Any]]] = {}

    def screen(self, browser: Browser, name: str) -> None:
        violations = browser.screen(name)
        if violations:
            self.found[name] = violations

    def assert_none(self) -> None:
        assert not self.found, "axe-core found violations:\n" + "\n".join(
            f"{screen}: {v['id']} ({v['impact']}) {v['help']} at {v['nodes']}"
            for screen, violations in self.found.items()
            for v in violations
        )


def _retry(action: Callable[[], object], until: Callable[[], bool], timeout: float = WAIT) -> None:
    """Some steps wait for an event to cross the bus (the identity, the PDF)."""
    deadline = time.monotonic() + timeout
    while True:
        action()
        if until():
            return
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.5)


def test_the_guides_journey_through_the_portal(
    browser: Browser, window_open: RunningPlatform, tmp_path: Path
) -> None:
    platform = window_open
    axe = Axe()
    email = f"camille.{uuid.uuid4().hex[:8]}@example.org"

    # axe can fail: a page without a title, a language or an image's text is caught.
    browser.driver.get("data:text/html,<html><body><img src='x.png'></body></html>")
    assert {"document-title", "html-has-lang", "image-alt"} <= {v["id"] for v in browser.axe()}

    browser.open("/")
    assert "Portail candidat CYCLADES" in browser.h1
    assert ANNOUNCEMENT in browser.text
    # Keyboard first: the first Tab reaches the skip link to the content.
    browser.find("body").send_keys(Keys.TAB)
    focused = browser.driver.switch_to.active_element
    assert str(focused.get_attribute("href")).endswith("#contenu")
    browser.open("/")  # the focused skip link now covers the header
    axe.screen(browser, "accueil")

    browser.open(f"/ouvertures?domaine=BTS&session=2027&academie={ACADEMIE}")
    assert "Ouvert" in browser.text
    axe.screen(browser, "ouverture-des-services")
    browser.open("/compte/activation?token=" + "x" * 32)
    assert browser.h1 == "Activation impossible"
    axe.screen(browser, "activation-lien-invalide")
    browser.open("/")

    # Créer mon compte: the rule is checked as typed, then on the server.
    browser.click_button("Créer mon compte")
    assert browser.h1 == "Créer mon compte"
    browser.type("password", "court")
    rule = browser.find('[data-rule="length"]')
    assert "fr-message--error" in str(rule.get_attribute("class"))
    browser.type("password", PASSWORD)
    assert "fr-message--valid" in str(rule.get_attribute("class"))
    browser.type("email", email)
    browser.type("password_confirmation", PASSWORD)
    browser.choose("civilite", "MME")
    for name, value in IDENTITE_TYPED.items():
        browser.type(name, value)
    browser.set_value("date_naissance", "2001-04-12")
    axe.screen(browser, "creer-mon-compte")
    browser.submit('form[action="/compte/creation"] button[type="submit"]')
    assert browser.h1 == "Votre compte va être créé", browser.text
    axe.screen(browser, "compte-va-etre-cree")

    # The activation email's link opens the portal's activation page.
    activation = platform.email(email, "Activer mon compte")
    body = activation.get_body(("plain",))
    assert body is not None
    link = re.search(r"https?://\S+/compte/activation\?token=[A-Za-z0-9_-]+", body.get_content())
    assert link, body.get_content()
    browser.driver.get(link.group(0))
    assert "Votre compte est activé" in browser.text
    axe.screen(browser, "compte-active-connexion")

    browser.type("email", email)
    browser.type("password", PASSWORD)
    browser.submit('form[action="/connexion"] button[type="submit"]')
    assert "Bienvenue" in browser.text
    axe.screen(browser, "accueil-connecte")

    browser.open("/compte")
    assert browser.h1 == "Modifier mon compte"
    assert browser.find("#nom_naissance").is_enabled()
    axe.screen(browser, "modifier-mon-compte")

    # M'inscrire: examen, then session and académie, then the window's dates, then Valider.
    browser.open("/inscription")
    browser.choose("examen", "BTS")
    browser.click_button("Continuer")
    browser.choose("session", "2027")
    browser.choose("academie", ACADEMIE)
    browser.click_button("Voir les dates")
    assert "Ouvert" in browser.text
    axe.screen(browser, "m-inscrire-dates")
    choice = browser.driver.current_url

    # The identity reaches registration through the bus: Valider again until it has.
    def valider() -> None:
        browser.driver.get(choice)
        browser.click_button("Valider")

    _retry(valider, lambda: "/identification" in browser.driver.current_url)
    cid = browser.driver.current_url.split("/inscription/")[1].split("/")[0]
    assert "Martin" in str(browser.find("#id-nom_naissance").get_attribute("value"))
    assert not browser.find("#id-nom_naissance").is_enabled()
    assert not _enregistrer_enabled(browser)
    axe.screen(browser, "onglet-1-identification")
    browser.click_button("Suivant")

    # Informations candidature: Suivant with nothing chosen shows the errors.
    browser.click_button("Suivant")
    assert browser.find("#erreurs").is_displayed()
    assert browser.all(".fr-error-text")
    axe.screen(browser, "onglet-2-informations-erreurs")
    # Précédent goes back without losing what was typed, even though it cannot be saved yet.
    browser.choose("categorie", "FC")
    browser.click_button("Précédent")
    assert "/identification" in browser.driver.current_url
    browser.click_button("Suivant")
    assert "n'est pas encore enregistrée" in browser.text
    assert Select(browser.find('select[name="categorie"]')).first_selected_option.text == (
        "FORMATION CONTINUE"
    )
    browser.choose("etablissement", f"INDIV-{ACADEMIE}")
    for name, value in (
        ("handicap", "non"),
        ("amenagement", "non"),
        ("consentement_presse", "oui"),
        ("consentement_organismes_prives", "non"),
        ("consentement_collectivites", "oui"),
    ):
        browser.check(f"{name}-{value}")
    axe.screen(browser, "onglet-2-informations")
    browser.click_button("Suivant")

    browser.choose("specialite", "BANQUE")
    browser.check("forme-globale")
    axe.screen(browser, "onglet-3-qualification")
    browser.click_button("Suivant")
    axe.screen(browser, "onglet-4-acquis")
    browser.click_button("Suivant")
    browser.choose("diplome", "BAC-GEN")
    axe.screen(browser, "onglet-5-diplome")
    browser.click_button("Suivant")
    browser.choose("option-E2", "Anglais")
    browser.check("facultative-EF1")
    browser.choose("option-EF1", "Allemand")
    browser.check("facultative-EF3")
    axe.screen(browser, "onglet-6-epreuves")
    browser.click_button("Suivant")

    # Récapitulatif: the guide's table; Enregistrer active here only.
    assert "/recapitulatif" in browser.driver.current_url, browser.text
    table = browser.find("table.portal-epreuves").text
    for line in (
        "E1 - Culture générale et expression Inscrit Ponctuel",
        "E2-A - Langue vivante 1 : Écrite - Anglais Inscrit Ponctuel",
        "E4 - Dévelop.suivi.activ.commercia. Inscrit",
        "EF2 - Certification professionnelle Non Inscrit",
    ):
        assert line in table, table
    assert _enregistrer_enabled(browser)
    axe.screen(browser, "onglet-7-recapitulatif")
    save = browser.find('form[action$="/enregistrer"] button[type="submit"]')
    # A double click: the form goes twice with one Idempotency-Key.
    browser.navigating(
        lambda: browser.driver.execute_script("arguments[0].click(); arguments[0].click();", save)
    )
    browser.wait_for(".portal-numero-inscription")
    numero = browser.find(".portal-numero-inscription").text
    assert numero.startswith(f"BTS27-{ACADEMIE}-")
    assert "Version 01" in browser.text
    axe.screen(browser, "onglet-8-numero-inscription")

    browser.open("/inscriptions")
    assert len(browser.all("tbody tr")) == 1, browser.text
    assert "Votre service gestionnaire" in browser.text
    axe.screen(browser, "mes-inscriptions")
    browser.open(f"/inscriptions/{cid}")
    axe.screen(browser, "consultation")
    # Modifier: the tabs again (Identification read-only now), Enregistrer makes Version 02.
    browser.click_button("Modifier")
    for _ in range(5):
        browser.click_button("Suivant")
    browser.check("facultative-EF2")
    browser.click_button("Suivant")
    assert "trop d'épreuves facultatives" in browser.text  # the session allows two
    browser.driver.execute_script("arguments[0].click();", browser.find("#facultative-EF3"))
    browser.click_button("Suivant")
    assert (
        "EF2 - Certification professionnelle Inscrit" in browser.find("table.portal-epreuves").text
    )
    browser.submit('form[action$="/enregistrer"] button[type="submit"]')
    assert "Version 02" in browser.text, browser.text

    # Mes documents: the confirmation d'inscription, once documents rendered it.
    _retry(
        lambda: browser.open(f"/documents/{cid}"),
        lambda: bool(browser.all('a[href^="/documents/fichier/"]')),
    )
    axe.screen(browser, "mes-documents-candidature")
    href = str(browser.find('a[href^="/documents/fichier/"]').get_attribute("href"))
    assert _download(href, browser.cookies()).startswith(b"%PDF")
    browser.open("/documents")
    axe.screen(browser, "mes-documents")
    browser.open("/formulaires")
    assert "pas utilisée dans le cadre du BTS" in browser.text
    axe.screen(browser, "formulaires")
    _mes_justificatifs(browser, axe, cid, tmp_path)

    # Once the candidature exists, the identity is greyed out (accounts learns it by the bus).
    _retry(lambda: browser.open("/compte"), lambda: not browser.find("#nom_naissance").is_enabled())
    axe.screen(browser, "modifier-mon-compte-verrouille")

    # Without JavaScript the bin is a link to the same confirmation, as a page.
    browser.open(f"/inscriptions/{cid}/desinscription")
    assert browser.h1 == "Confirmer la désinscription"
    axe.screen(browser, "desinscription-sans-javascript")
    # The bin opens the confirmation dialog; confirming withdraws.
    browser.open("/inscriptions")
    browser.find("a.portal-bin").click()
    dialog = browser.find("dialog[open]")
    axe.screen(browser, "desinscription-dialogue")
    browser.navigating(dialog.find_element("css selector", 'button[type="submit"]').click)
    assert "désinscription est enregistrée" in browser.text
    assert not browser.all("a.portal-bin")
    axe.screen(browser, "desinscription-faite")

    browser.click_button("Se déconnecter")
    browser.open("/mot-de-passe/oubli")
    axe.screen(browser, "mot-de-passe-oublie")
    axe.assert_none()


def _mes_justificatifs(browser: Browser, axe: Axe, cid: str, folder: Path) -> None:
    """Guide, 10: a real PDF added for each pièce (J'ai fourni refused before, naming what
    lacks), each listed with its deposit date, then J'ai fourni toutes mes pièces on each
    group: every pièce gets its validation date and can no longer be changed."""
    # The pièces are computed by the uploads service once it learns of the candidature.
    _retry(
        lambda: browser.open("/justificatifs"),
        lambda: bool(browser.all('input[type="file"][id^="fichier-"]')),
    )
    assert browser.driver.current_url.endswith(f"/justificatifs/{cid}")
    assert "Date limite de retour" in browser.text
    assert "Formats acceptés : PDF, JPEG, PNG" in browser.text
    axe.screen(browser, "mes-justificatifs")
    inputs = browser.all('input[type="file"][id^="fichier-"]')
    piece_ids = [str(i.get_attribute("id")) for i in inputs]
    browser.navigating(browser.all('button[id^="fournies-"]')[0].click)
    assert "Il manque" in browser.find(".fr-error-text").text
    axe.screen(browser, "mes-justificatifs-il-manque")

    pdf = folder / "justificatif.pdf"
    pdf.write_bytes(samples.pdf())
    for input_id in piece_ids:
        field = browser.find(f"#{input_id}")
        field.send_keys(str(pdf))
        form = field.find_element(By.XPATH, "./ancestor::form")
        browser.navigating(form.find_element(By.CSS_SELECTOR, 'button[type="submit"]').click)
        assert "Votre fichier est déposé" in browser.text, browser.text
    pieces = browser.all(".portal-piece")
    assert len(pieces) == len(piece_ids)
    for piece in pieces:
        assert "justificatif.pdf" in piece.text
        assert "déposé le " in piece.text
    axe.screen(browser, "mes-justificatifs-deposees")
    href = str(browser.find('a[href*="/fichiers/"]').get_attribute("href"))
    assert _download(href, browser.cookies()) == pdf.read_bytes()

    while buttons := browser.all('button[id^="fournies-"]'):
        browser.navigating(buttons[0].click)
        assert "Vos pièces sont validées" in browser.text, browser.text
    for piece in browser.all(".portal-piece"):
        assert "Date de validation : " in piece.text
    assert "Pièces fournies le " in browser.text
    assert not browser.all('input[type="file"]')
    axe.screen(browser, "mes-justificatifs-fournies")


def _enregistrer_enabled(browser: Browser) -> bool:
    return any(b.is_enabled() for b in browser.all("button") if b.text.strip() == "Enregistrer")


def _download(url: str, cookies: dict[str, str]) -> bytes:
    cookie = "; ".join(f"{k}={v}" for k, v in cookies.items())
    request = urllib.request.Request(url, headers={"Cookie": cookie})
    with urllib.request.urlopen(request, timeout=30) as response:
        data: bytes = response.read()
        return data
