"""The candidature: M'inscrire, the wizard's tabs, Enregistrer (Version n), Mes inscriptions,
Se désinscrire (domain.md §3; guide chapters 5, 6, 7 and 11).

Every write locks the candidature's row first (`FOR UPDATE`), so tabs, saves and withdrawals
of one candidature run one after the other; whether the window is open is decided in the
transaction at `deps.clock.now()`. Health answers (handicap, aménagement) live in their own
table and never reach a log line; events carry them as two booleans.

The référentiel the rules read (catégories, spécialités and épreuves, établissements...) comes
from the read cache (`deps.read_cache`, the public reads' one): every tab, récapitulatif and
save needs it, and it changes a few times a session. A change made through this process clears
the cache when it commits; another replica's change is seen after at most the cache's TTL. The
window, the candidature and the identity are always read in the request's transaction.
"""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any, TypeVar

import asyncpg

from registration.adapters import candidatures_sql as sql
from registration.adapters import fenetres_sql, identites_sql, referentiel_sql
from registration.deps import Deps
from registration.domain import candidature as rules
from registration.domain.candidature import (
    MODELS,
    SAISIE,
    InformationsSaisie,
    Onglet,
    Referentiel,
    Saisie,
    Tab,
)
from registration.domain.errors import (
    AccountNotActivated,
    CandidatureExists,
    CandidatureIncomplete,
    CandidatureNotFound,
    CandidatureState,
    IdentityMissing,
    Issue,
    TabRefused,
    UnknownReference,
    VersionMismatch,
    WindowClosed,
)
from registration.domain.fenetres import to_local, to_utc
from registration.domain.numeros import numero_candidat, numero_inscription
from registration.domain.referentiel import Academie as AcademieRef
from registration.domain.referentiel import Categorie, Coordonnees, Epreuve, TypeAcquis
from registration.domain.referentiel import Examen as ExamenRef
from registration.entrypoints.schemas import (
    CandidatureView,
    EtatOnglet,
    Fermeture,
    MaCandidature,
    NouvelleCandidature,
    NumeroInscription,
    OngletView,
    Probleme,
    RecapitulatifView,
    VersionInfo,
    VersionView,
)
from registration.handlers.referentiel import service_gestionnaire
from shared.auth import Principal
from shared.events.catalogue import (
    Academie,
    AcquisDeclare,
    CandidatureCreated,
    CandidatureModified,
    CandidatureRef,
    CandidatureWithdrawn,
    EpreuveInscrite,
    Examen,
    Identite,
    Recapitulatif,
    ServiceGestionnaire,
    WithdrawnBy,
)

T = TypeVar("T")

BROUILLON, ACTIVE, DESINSCRITE = "brouillon", "active", "desinscrite"
HEALTH = ("handicap", "amenagement")
# What the candidate finds in Mes documents after a save (guide 5.8 and chapter 6).
DOCUMENTS = ["Récapitulatif d'inscription (confirmation d'inscription), version {version:02d}"]


# --- M'inscrire --------------------------------------------------------------------------------


async def create(
    conn: asyncpg.Connection, command: NouvelleCandidature, principal: Principal, deps: Deps
) -> CandidatureView:
    now = deps.clock.now()
    key = (command.examen, command.session, command.academie)
    await _check_references(conn, *key, deps)
    await _identity(conn, principal.account_id)
    await _open_window(conn, *key, now)
    candidature_id = uuid.uuid4()
    if not await sql.insert_candidature(conn, candidature_id, principal.account_id, *key, now):
        existing = await sql.current_of(conn, principal.account_id, command.examen, command.session)
        assert existing is not None  # the unique index refused the insert because of it
        raise CandidatureExists(existing)
    return await view(conn, candidature_id, principal, deps)


async def _check_references(
    conn: asyncpg.Connection, examen: str, session: int, academie: str, deps: Deps
) -> None:
    issues: list[Issue] = []
    if await _examen(conn, examen, deps) is None:
        issues.append(Issue("examen", f"unknown examen {examen}", "unknown-code"))
    elif not await _cached(
        deps,
        ("session", examen, session),
        lambda: referentiel_sql.session_exists(conn, examen, session),
    ):
        issues.append(Issue("session", f"no session {session} for {examen}", "unknown-code"))
    if await _academie(conn, academie, deps) is None:
        issues.append(Issue("academie", f"unknown académie {academie}", "unknown-code"))
    if issues:
        raise UnknownReference(issues)


async def _identity(conn: asyncpg.Connection, account_id: uuid.UUID) -> asyncpg.Record:
    row = await identites_sql.get_identite(conn, account_id)
    if row is None or row["identite"] is None:
        raise IdentityMissing("no identity for the account")
    if row["activated_at"] is None:
        raise AccountNotActivated("the account is not activated")
    return row


async def _open_window(
    conn: asyncpg.Connection, examen: str, session: int, academie: str, at: datetime
) -> datetime:
    """The closing instant of the window open at `at`; WindowClosed (with the nearest
    window's dates) when none is."""
    found = await fenetres_sql.open_fenetre_at(conn, examen, session, academie, at)
    if found is not None:
        closes_at: datetime = found["fermeture"]
        return closes_at
    nearest = await sql.nearest_fenetre(conn, examen, session, academie, at)
    if nearest is None:
        raise WindowClosed(at, None, None, None)
    raise WindowClosed(at, nearest["ouverture"], nearest["fermeture"], nearest["fuseau_horaire"])


# --- reading a candidature ---------------------------------------------------------------------


async def _row(
    conn: asyncpg.Connection, candidature_id: uuid.UUID, principal: Principal, *, lock: bool
) -> asyncpg.Record:
    row = await sql.get_candidature(conn, candidature_id, principal.account_id, lock=lock)
    if row is None:
        raise CandidatureNotFound(candidature_id)
    return row


async def _saisie(
    conn: asyncpg.Connection, row: asyncpg.Record, identite: asyncpg.Record | None
) -> Saisie:
    """The stored tabs with the health answers put back; `identite` is the account's row of
    the projection (`identites_sql.get_identite`), read once by the caller."""
    tabs: dict[str, dict[str, Any]] = dict(row["saisie"])
    sante = await sql.get_sante(conn, row["id"], 0)
    info = tabs.get(Onglet.INFORMATIONS.value)
    if info is not None and sante is not None:
        tabs[Onglet.INFORMATIONS.value] = {**info, "handicap": sante[0], "amenagement": sante[1]}
    found = identite is not None and identite["identite"] is not None
    pays = identite["identite"].get("pays_naissance") if found and identite else None
    return Saisie(tabs=tabs, has_identite=found, pays_naissance=pays)


# --- the référentiel the rules read, from the read cache -----------------------------------------


async def _cached(deps: Deps, key: tuple[Any, ...], load: Callable[[], Awaitable[T]]) -> T:
    """`load()` (a référentiel read on the request's connection) through the read cache, under
    a key of its own (the public routes' keys are `(query name, arguments)`)."""
    found: T = await deps.read_cache.get(("candidature", *key), load)
    return found


@dataclass(frozen=True)
class _Session:
    """What the rules need of the référentiel for an examen's session, whatever the tabs say."""

    facultatives_max: int
    categories: dict[str, Categorie]
    types_acquis: dict[str, TypeAcquis]
    diplomes: dict[str, str]
    academies: frozenset[str]
    specialites: dict[str, str]


async def _load_session(conn: asyncpg.Connection, examen: str, session: int) -> _Session:
    return _Session(
        facultatives_max=await sql.facultatives_max(conn, examen, session) or 0,
        categories={c.code: c for c in await referentiel_sql.list_categories(conn)},
        types_acquis={t.code: t for t in await referentiel_sql.list_types_acquis(conn)},
        diplomes={
            d.code: rules.diplome_intitule(d.libelle, d.libelle_court)
            for d in await referentiel_sql.list_diplomes(conn)
        },
        academies=frozenset(a.code for a in await referentiel_sql.list_academies(conn)),
        specialites={
            s.code: s.libelle for s in await referentiel_sql.list_specialites(conn, examen, session)
        },
    )


async def _epreuves(
    conn: asyncpg.Connection, examen: str, session: int, specialite: str
) -> list[Epreuve]:
    found = await referentiel_sql.get_specialite(conn, examen, session, specialite)
    return found[1] if found else []


async def _examen(conn: asyncpg.Connection, code: str, deps: Deps) -> ExamenRef | None:
    return await _cached(deps, ("examen", code), lambda: referentiel_sql.get_examen(conn, code))


async def _academie(conn: asyncpg.Connection, code: str, deps: Deps) -> AcademieRef | None:
    return await _cached(deps, ("academie", code), lambda: referentiel_sql.get_academie(conn, code))


async def _office(
    conn: asyncpg.Connection, academie: str, examen: str, deps: Deps
) -> Coordonnees | None:
    return await _cached(
        deps, ("office", academie, examen), lambda: service_gestionnaire(conn, academie, examen)
    )


async def _referentiel(
    conn: asyncpg.Connection, row: asyncpg.Record, saisie: Saisie, deps: Deps
) -> Referentiel:
    examen, session = row["examen_code"], row["session_annee"]
    common: _Session = await _cached(
        deps, ("session-referentiel", examen, session), lambda: _load_session(conn, examen, session)
    )
    informations = saisie.informations
    qualification = saisie.qualification
    etablissement = None
    if informations:
        code = informations.etablissement
        etablissement = await _cached(
            deps, ("etablissement", code), lambda: sql.get_etablissement(conn, code)
        )
    epreuves: list[Epreuve] = []
    dispenses: dict[str, frozenset[str]] = {}
    if qualification and qualification.specialite in common.specialites:
        specialite = qualification.specialite
        epreuves = await _cached(
            deps,
            ("epreuves", examen, session, specialite),
            lambda: _epreuves(conn, examen, session, specialite),
        )
        dispenses = await _cached(
            deps,
            ("dispenses", examen, specialite),
            lambda: referentiel_sql.diplome_dispenses(conn, examen, specialite),
        )
    # Copies of the cached containers: what the rules are given is theirs.
    return Referentiel(
        session=session,
        academie=row["academie_code"],
        facultatives_max=common.facultatives_max,
        categories=dict(common.categories),
        types_acquis=dict(common.types_acquis),
        diplomes=dict(common.diplomes),
        academies=common.academies,
        specialites=dict(common.specialites),
        etablissement=etablissement,
        epreuves=list(epreuves),
        diplome_dispenses=dict(dispenses),
    )


def _problemes(issues: list[Issue]) -> list[Probleme]:
    return [Probleme(field=i.field, message=i.message, code=i.code) for i in issues]


def _next(tabs: dict[Onglet, list[Issue]]) -> str:
    for onglet in SAISIE:
        if tabs[onglet]:
            return onglet.value
    return Onglet.RECAPITULATIF.value


async def view(
    conn: asyncpg.Connection, candidature_id: uuid.UUID, principal: Principal, deps: Deps
) -> CandidatureView:
    row = await _row(conn, candidature_id, principal, lock=False)
    saisie = await _saisie(conn, row, await identites_sql.get_identite(conn, row["account_id"]))
    ref = await _referentiel(conn, row, saisie, deps)
    tabs = rules.tab_issues(saisie, ref)
    versions = await sql.list_versions(conn, candidature_id)
    current = (
        await sql.get_version(conn, candidature_id, row["version"]) if row["version"] else None
    )
    recap = Recapitulatif.model_validate(current["snapshot"]["recapitulatif"]) if current else None
    changed = current is not None and current["snapshot"].get("saisie") != row["saisie"]
    return CandidatureView(
        id=row["id"],
        statut=row["statut"],
        examen=row["examen_code"],
        session=row["session_annee"],
        academie=row["academie_code"],
        version=row["version"],
        numero_candidat=row["numero_candidat"],
        numero_inscription=row["numero_inscription"],
        onglets=[
            EtatOnglet(onglet=o.value, complet=not found, problemes=_problemes(found))
            for o, found in tabs.items()
        ],
        prochain_onglet=_next(tabs),
        enregistrable=row["statut"] != DESINSCRITE and not any(tabs.values()),
        versions=[VersionInfo(**dict(v)) for v in versions],
        recapitulatif=recap,
        modifications_en_cours=changed,
    )


async def get_tab(
    conn: asyncpg.Connection,
    candidature_id: uuid.UUID,
    onglet: Onglet,
    principal: Principal,
    deps: Deps,
) -> OngletView:
    row = await _row(conn, candidature_id, principal, lock=False)
    identity = await identites_sql.get_identite(conn, row["account_id"])
    saisie = await _saisie(conn, row, identity)
    ref = await _referentiel(conn, row, saisie, deps)
    return _tab_view(row, onglet, saisie, ref, identity)


def _tab_view(
    row: asyncpg.Record,
    onglet: Onglet,
    saisie: Saisie,
    ref: Referentiel,
    identity: asyncpg.Record | None,
) -> OngletView:
    issues = rules.tab_issues(saisie, ref)[onglet]
    identite = None
    found = identity["identite"] if identity is not None else None
    if onglet == Onglet.IDENTIFICATION and found is not None:
        identite = Identite.model_validate(found)
    return OngletView(
        candidature_id=row["id"],
        onglet=onglet.value,
        donnees=saisie.tabs.get(onglet.value),
        complet=not issues,
        problemes=_problemes(issues),
        identite=identite,
        modifiable=row["statut"] == BROUILLON
        or (row["statut"] == ACTIVE and onglet != Onglet.IDENTIFICATION),
    )


# --- writing a tab -----------------------------------------------------------------------------


def _writable(row: asyncpg.Record) -> None:
    if row["statut"] == DESINSCRITE:
        raise CandidatureState("candidature-withdrawn", "This candidature was withdrawn")


async def put_tab(
    conn: asyncpg.Connection,
    candidature_id: uuid.UUID,
    onglet: Onglet,
    tab: Tab,
    principal: Principal,
    deps: Deps,
) -> OngletView:
    """Check the tab alone (against the référentiel and the tabs it depends on) and store it:
    all its problems in one 422, or nothing written."""
    now = deps.clock.now()
    row = await _row(conn, candidature_id, principal, lock=True)
    _writable(row)
    if onglet == Onglet.IDENTIFICATION and row["statut"] == ACTIVE:
        detail = (
            "The identification cannot change once the candidature is saved: "
            "contact the service gestionnaire"
        )
        raise CandidatureState("identity-locked", detail)
    await _open_window(conn, row["examen_code"], row["session_annee"], row["academie_code"], now)
    identity = await identites_sql.get_identite(conn, row["account_id"])
    saisie = await _saisie(conn, row, identity)
    data = tab.model_dump(mode="json")
    updated = Saisie(
        tabs={**saisie.tabs, onglet.value: data},
        has_identite=saisie.has_identite,
        pays_naissance=saisie.pays_naissance,
    )
    ref = await _referentiel(conn, row, updated, deps)
    issues = rules.check(onglet, tab, updated, ref)
    if issues:
        raise TabRefused(issues)
    stored = data
    if isinstance(tab, InformationsSaisie):
        await sql.set_sante(conn, candidature_id, 0, tab.handicap, tab.amenagement)
        stored = {k: v for k, v in data.items() if k not in HEALTH}
    await sql.set_tab(conn, candidature_id, onglet.value, stored, now)
    # `updated` is what reading the row back would give (the health answers put back from
    # their table), and the référentiel was read for it: no second round of queries.
    return _tab_view(row, onglet, updated, ref, identity)


def parse_tab(onglet: Onglet, body: dict[str, Any]) -> Tab:
    return MODELS[onglet].model_validate(body)


# --- the récapitulatif --------------------------------------------------------------------------


async def recapitulatif(
    conn: asyncpg.Connection, candidature_id: uuid.UUID, principal: Principal, deps: Deps
) -> RecapitulatifView:
    row = await _row(conn, candidature_id, principal, lock=False)
    identite = await identites_sql.get_identite(conn, row["account_id"])
    saisie = await _saisie(conn, row, identite)
    ref = await _referentiel(conn, row, saisie, deps)
    issues = rules.issues_of(rules.tab_issues(saisie, ref))
    recap = None
    if identite is not None and identite["identite"] is not None:
        recap = _recapitulatif(saisie, ref, Identite.model_validate(identite["identite"]))
    office = await _office(conn, row["academie_code"], row["examen_code"], deps)
    return RecapitulatifView(
        candidature_id=row["id"],
        recapitulatif=recap,
        problemes=_problemes(issues),
        service_gestionnaire=office,
    )


def _recapitulatif(saisie: Saisie, ref: Referentiel, identite: Identite) -> Recapitulatif | None:
    """What the filled tabs amount to; None while a tab it needs is missing."""
    informations = saisie.informations
    qualification = saisie.qualification
    diplome = saisie.parsed(Onglet.DIPLOME)
    identification = saisie.parsed(Onglet.IDENTIFICATION)
    categorie = ref.categories.get(informations.categorie) if informations else None
    if informations is None or qualification is None or categorie is None:
        return None
    by_code = {e.code: e for e in ref.epreuves}
    lignes = rules.lignes(saisie, categorie, ref)
    diplome_code = getattr(diplome, "diplome", None)
    parents = [
        name
        for name in (
            getattr(identification, "nom_parent_1", None),
            getattr(identification, "nom_parent_2", None),
        )
        if name
    ]
    return Recapitulatif(
        identite=identite,
        categorie=categorie.libelle,
        categorie_code=categorie.code,
        etablissement=ref.etablissement.libelle
        if ref.etablissement
        else informations.etablissement,
        etablissement_code=informations.etablissement,
        forme_passage=str(qualification.forme),
        diplome_possede=ref.diplomes.get(diplome_code) if diplome_code else None,
        diplome_code=diplome_code,
        consentement_presse=informations.consentement_presse,
        consentement_organismes_prives=informations.consentement_organismes_prives,
        consentement_collectivites=informations.consentement_collectivites,
        handicap=informations.handicap,
        amenagement=informations.amenagement,
        noms_parents=parents,
        acquis=[
            AcquisDeclare(
                type=a.type,
                annee=a.annee,
                academie=a.academie,
                epreuve=a.epreuve,
                note=None if a.note is None else str(a.note),
                utilise=a.utilise,
            )
            for a in saisie.acquis.acquis
        ],
        epreuves=[
            EpreuveInscrite(
                code=ligne.code,
                libelle=ligne.libelle,
                nature=ligne.nature,
                position=ligne.position,
                mode=ligne.mode,
                option=ligne.option,
                intitule=ligne.intitule,
                parent=ligne.parent,
                section=rules.section(ligne, by_code),
            )
            for ligne in lignes
        ],
    )


# --- Enregistrer -------------------------------------------------------------------------------


async def enregistrer(
    conn: asyncpg.Connection,
    candidature_id: uuid.UUID,
    if_match: int | None,
    principal: Principal,
    deps: Deps,
) -> NumeroInscription:
    """Signing: every tab checked again and the window, then Version n+1 with its snapshot,
    the numbers on the first save, and CandidatureCreated / CandidatureModified."""
    now = deps.clock.now()
    row = await _row(conn, candidature_id, principal, lock=True)
    _writable(row)
    current = row["version"]
    # No If-Match names the first save (version 0): a concurrent save of the same draft, or
    # a modification sent without the version it changes, loses with 412.
    expected = 0 if if_match is None else if_match
    if expected != current:
        raise VersionMismatch(expected, current)
    examen, session, academie = row["examen_code"], row["session_annee"], row["academie_code"]
    closes_at = await _open_window(conn, examen, session, academie, now)
    identity = await _identity(conn, principal.account_id)
    saisie = await _saisie(conn, row, identity)
    ref = await _referentiel(conn, row, saisie, deps)
    issues = rules.issues_of(rules.tab_issues(saisie, ref))
    identite = Identite.model_validate(identity["identite"])
    recap = _recapitulatif(saisie, ref, identite)
    if issues or recap is None:
        raise CandidatureIncomplete(issues)
    numero_c = row["numero_candidat"] or await sql.numero_candidat(
        conn, principal.account_id, examen, session, lambda seq: numero_candidat(session, seq)
    )
    numero_i = row["numero_inscription"] or numero_inscription(
        examen, session, academie, await sql.next_inscription_sequence(conn)
    )
    office = await _office(conn, academie, examen, deps)
    ref_event = await _candidature_ref(
        conn, row, identity, identite, ref, saisie, office, numero_c, numero_i, deps
    )
    version = current + 1
    snapshot = {
        "candidature": ref_event.model_dump(mode="json"),
        "recapitulatif": recap.model_dump(mode="json", exclude=set(HEALTH)),
        "saisie": row["saisie"],
    }
    await sql.save_version(
        conn, candidature_id, version, now, closes_at, snapshot, numero_c, numero_i
    )
    informations = saisie.informations
    if informations is not None:
        await sql.set_sante(
            conn, candidature_id, version, informations.handicap, informations.amenagement
        )
    payload = (CandidatureCreated if version == 1 else CandidatureModified)(
        candidature=ref_event,
        version=version,
        saved_at=now,
        closes_at=closes_at,
        recapitulatif=recap,
    )
    await deps.outbox.add(conn, payload)
    zone = await _zone(conn, academie, deps)
    return NumeroInscription(
        candidature_id=candidature_id,
        version=version,
        numero_candidat=numero_c,
        numero_inscription=numero_i,
        saved_at=now,
        fermeture=_fermeture(closes_at, zone),
        documents=[d.format(version=version) for d in DOCUMENTS],
        service_gestionnaire=office,
    )


async def _zone(conn: asyncpg.Connection, academie: str, deps: Deps) -> str:
    found = await _academie(conn, academie, deps)
    return found.fuseau_horaire if found else "UTC"


def _fermeture(closes_at: datetime, zone: str) -> Fermeture:
    return Fermeture(
        fuseau_horaire=zone,
        fermeture_locale=to_local(closes_at, zone),
        fermeture_utc=to_utc(closes_at),
    )


async def _candidature_ref(
    conn: asyncpg.Connection,
    row: asyncpg.Record,
    identity: asyncpg.Record,
    identite: Identite,
    ref: Referentiel,
    saisie: Saisie,
    office: Coordonnees | None,
    numero_c: str,
    numero_i: str,
    deps: Deps,
) -> CandidatureRef:
    examen = await _examen(conn, row["examen_code"], deps)
    academie = await _academie(conn, row["academie_code"], deps)
    assert examen is not None  # referenced by the candidature
    assert academie is not None
    qualification = saisie.qualification
    assert qualification is not None  # checked complete
    return CandidatureRef(
        candidature_id=row["id"],
        account_id=row["account_id"],
        email=identity["email"],
        civilite=identite.civilite,
        nom=identite.nom_usage or identite.nom_naissance,
        prenoms=identite.prenoms,
        examen=Examen(code=examen.code, libelle=examen.libelle),
        session=row["session_annee"],
        academie=Academie(
            code=academie.code, libelle=academie.libelle, fuseau_horaire=academie.fuseau_horaire
        ),
        specialite_code=qualification.specialite,
        specialite_libelle=ref.specialites[qualification.specialite],
        numero_candidat=numero_c,
        numero_inscription=numero_i,
        service_gestionnaire=(
            ServiceGestionnaire.model_validate(office.model_dump()) if office else None
        ),
    )


# --- Mes inscriptions, versions ----------------------------------------------------------------


async def mine(conn: asyncpg.Connection, principal: Principal, deps: Deps) -> list[MaCandidature]:
    rows = await sql.list_active_open(conn, principal.account_id, deps.clock.now())
    return [
        MaCandidature(
            id=row["id"],
            examen=row["examen_code"],
            session=row["session_annee"],
            academie=row["academie_code"],
            specialite=row["snapshot"]["candidature"].get("specialite_libelle"),
            version=row["version"],
            numero_candidat=row["numero_candidat"],
            numero_inscription=row["numero_inscription"],
            saved_at=row["saved_at"],
            fermeture=_fermeture(row["fermeture"], row["fuseau_horaire"]),
        )
        for row in rows
    ]


async def get_version(
    conn: asyncpg.Connection,
    candidature_id: uuid.UUID,
    version: int,
    principal: Principal,
    deps: Deps,
) -> VersionView:
    await _row(conn, candidature_id, principal, lock=False)
    found = await sql.get_version(conn, candidature_id, version)
    if found is None:
        raise CandidatureNotFound(f"{candidature_id} version {version}")
    recap = Recapitulatif.model_validate(found["snapshot"]["recapitulatif"])
    sante = await sql.get_sante(conn, candidature_id, version)
    if sante is not None:
        recap = recap.model_copy(update={"handicap": sante[0], "amenagement": sante[1]})
    return VersionView(
        candidature_id=candidature_id,
        version=found["version"],
        saved_at=found["saved_at"],
        closes_at=found["closes_at"],
        recapitulatif=recap,
    )


# --- Se désinscrire ----------------------------------------------------------------------------


async def desinscrire(
    conn: asyncpg.Connection, candidature_id: uuid.UUID, principal: Principal, deps: Deps
) -> CandidatureView:
    """While the window is open only (after it, a gestionnaire withdraws). A draft goes
    silently (nothing was announced); a saved candidature publishes CandidatureWithdrawn."""
    now = deps.clock.now()
    row = await _row(conn, candidature_id, principal, lock=True)
    _writable(row)
    await _open_window(conn, row["examen_code"], row["session_annee"], row["academie_code"], now)
    await sql.withdraw(conn, candidature_id, now)
    if row["statut"] == ACTIVE:
        current = await sql.get_version(conn, candidature_id, row["version"])
        assert current is not None  # an active candidature has its version
        ref_event = CandidatureRef.model_validate(current["snapshot"]["candidature"])
        # The email goes to the candidate's current address (the projection's), not the one
        # saved with the version: an address changed since then is where they read mail now.
        identity = await identites_sql.get_identite(conn, row["account_id"])
        if identity is not None and identity["email"]:
            ref_event = ref_event.model_copy(update={"email": identity["email"]})
        await deps.outbox.add(
            conn,
            CandidatureWithdrawn(
                candidature=ref_event, withdrawn_at=now, withdrawn_by=WithdrawnBy.CANDIDAT
            ),
        )
    return await view(conn, candidature_id, principal, deps)
