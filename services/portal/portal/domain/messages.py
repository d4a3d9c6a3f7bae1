"""The services answer in English (problem+json); the candidate reads French. Each problem
type and each field error code the portal can meet has its sentence here, with a French
fallback for the others (the service's own words are never shown raw)."""

from __future__ import annotations

PASSWORD_RULE = (
    "Le mot de passe doit comporter au moins 8 caractères (20 caractères au maximum), "
    "ainsi qu'une minuscule, une majuscule et un caractère spécial."
)

PROBLEMS: dict[str, str] = {
    "invalid-credentials": "L'adresse email ou le mot de passe est incorrect.",
    "account-not-activated": (
        "Votre compte n'est pas encore activé : cliquez sur le lien « Activer mon compte » "
        "du mail que vous avez reçu."
    ),
    "too-many-attempts": (
        "Trop de tentatives : patientez quelques minutes avant de réessayer, ou utilisez "
        "« Mot de passe oublié »."
    ),
    "invalid-link": "Ce lien n'est pas valide ou a déjà été utilisé.",
    "link-expired": "Ce lien a expiré : demandez-en un nouveau.",
    "identity-locked": (
        "Une candidature existe : seuls l'adresse mail et le mot de passe sont modifiables. "
        "Contactez votre service gestionnaire pour corriger une autre information."
    ),
    "wrong-password": "Le mot de passe actuel est incorrect.",
    "email-taken": "Cette adresse email ne peut pas être utilisée.",
    "window-closed": "Le service d'inscription n'est pas ouvert pour ce choix.",
    "candidature-exists": "Vous avez déjà une candidature pour cet examen et cette session.",
    "identity-missing": (
        "Votre compte vient d'être activé : vos informations sont en cours de transmission. "
        "Réessayez dans quelques instants."
    ),
    "unknown-reference": "Ce choix d'examen, de session ou d'académie n'existe pas.",
    "candidature-incomplete": "La candidature est incomplète : corrigez les onglets signalés.",
    "tab-refused": "Certaines informations de cet onglet sont à corriger.",
    "version-mismatch": (
        "Votre candidature a été modifiée entre-temps : vérifiez-la puis enregistrez à nouveau."
    ),
    "candidature-withdrawn": "Cette candidature a été désinscrite.",
    "validation-error": "Certaines informations sont à corriger.",
    "not-found": "Cette page n'existe pas ou n'est plus disponible.",
    "read-only": "Le service est momentanément en consultation seule. Réessayez plus tard.",
    # Mes justificatifs (the uploads service).
    "file-too-large": "Le fichier dépasse la taille maximale autorisée pour cette pièce.",
    "file-refused": (
        "Ce fichier n'est pas accepté : déposez un document lisible et non protégé, "
        "dans un des formats indiqués."
    ),
    "file-infected": (
        "Un virus a été détecté dans ce fichier : il n'a pas été enregistré. "
        "Déposez un autre fichier."
    ),
    "malformed-upload": "Le fichier n'a pas été reçu en entier : déposez-le à nouveau.",
    "deadline-passed": (
        "La date limite de dépôt de ce regroupement est dépassée : "
        "contactez votre service gestionnaire."
    ),
    "piece-locked": (
        "Cette pièce est validée (J'ai fourni toutes mes pièces) : "
        "elle ne peut plus être modifiée ni supprimée."
    ),
    "too-many-files": (
        "Cette pièce a déjà le nombre maximal de fichiers : "
        "remplacez ou supprimez un fichier déposé."
    ),
    "candidature-closed": "Cette candidature est close : ses pièces ne peuvent plus changer.",
    "pieces-missing": "Ajoutez un fichier pour chaque pièce du regroupement.",
}

# J'ai fourni toutes mes pièces refused: the pièces without a file are named after this.
PIECES_MISSING = (
    "Ajoutez un fichier pour chaque pièce avant de cliquer sur « J'ai fourni toutes mes "
    "pièces ». Il manque : "
)
UPLOAD_UNAVAILABLE = (
    "Le dépôt est momentanément impossible : rien n'a été enregistré. "
    "Réessayez dans quelques minutes."
)

FIELD_CODES: dict[str, str] = {
    "missing": "Ce champ est obligatoire.",
    "required": "Ce champ est obligatoire.",
    "empty": "Ce champ ne doit pas être vide.",
    "string_too_short": "Ce champ est obligatoire.",
    "string_too_long": "Ce texte est trop long.",
    "password_rule": PASSWORD_RULE,
    "password_common": "Ce mot de passe est trop courant : choisissez-en un autre.",
    "value_error": "Cette valeur n'est pas valide.",
    "pattern": "Le format de cette valeur n'est pas valide.",
    "string_pattern_mismatch": "Le format de cette valeur n'est pas valide.",
    "control_character": "Les caractères de contrôle ne sont pas acceptés.",
    "date_from_datetime_parsing": "Saisissez une date au format jj/mm/aaaa.",
    "date_parsing": "Saisissez une date au format jj/mm/aaaa.",
    "date_type": "Saisissez une date au format jj/mm/aaaa.",
    "enum": "Choisissez une des valeurs proposées.",
    "literal_error": "Choisissez une des valeurs proposées.",
    "bool_parsing": "Choisissez oui ou non.",
    "int_parsing": "Saisissez un nombre entier.",
    "decimal_parsing": "Saisissez un nombre.",
    "unknown-code": "Choisissez une des valeurs proposées.",
    "other-academie": "Cet établissement n'est pas dans l'académie choisie.",
    "categorie-mismatch": "Cet établissement n'accueille pas cette catégorie de candidat.",
    "amenagement-without-handicap": (
        "Un aménagement d'épreuves ne peut être demandé qu'en cas de handicap."
    ),
    "forme-not-allowed": "Cette forme de passage n'est pas proposée pour votre catégorie.",
    "tab-missing": "Renseignez d'abord l'onglet Informations candidature.",
    "unknown-epreuve": "Cette épreuve ne fait pas partie de la spécialité.",
    "duplicate": "Cette épreuve est déjà déclarée.",
    "acquis-future": "L'année doit précéder la session.",
    "note-too-low": "Un bénéfice de notes demande une note d'au moins 10/20.",
    "acquis-expired": "Ce bénéfice de notes n'est plus valable (5 ans).",
    "benefice-on-parent": "Un bénéfice porte sur une unité : choisissez la sous-épreuve.",
    "unknown-option": "Choisissez une des options proposées.",
    "not-facultative": "Cette épreuve n'est pas facultative.",
    "too-many-facultatives": "Vous avez choisi trop d'épreuves facultatives.",
    "same-option": "Cette option est déjà choisie pour une autre épreuve.",
    "email": "Saisissez une adresse email valide (exemple : nom@domaine.fr).",
    "value_error.email": "Saisissez une adresse email valide (exemple : nom@domaine.fr).",
}


def problem_message(slug: str) -> str:
    return PROBLEMS.get(slug, "La demande n'a pas pu aboutir. Vérifiez votre saisie.")


def field_message(code: str, message: str = "") -> str:
    # pydantic calls a bad address a plain `value_error`: its message says which.
    if code == "value_error" and "email" in message.lower():
        return FIELD_CODES["email"]
    return FIELD_CODES.get(code, "Cette valeur n'est pas valide.")
