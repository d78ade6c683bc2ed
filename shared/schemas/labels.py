"""French labels of API fields, for error messages (« Commentaire : le commentaire est obligatoire »)."""

from __future__ import annotations

# Fields of a single object, by their API name.
FIELD_LABELS: dict[str, str] = {
    # patients
    "last_name": "Nom",
    "first_name": "Prénom",
    "birth_last_name": "Nom de naissance",
    "birth_first_names": "Prénoms de naissance",
    "sex": "Sexe",
    "birth_date": "Date de naissance",
    "birth_place_insee": "Lieu de naissance",
    "nir": "NIR",
    "ins_oid": "OID INS",
    "identity_status": "Statut de l'identité",
    "identity_document": "Pièce d'identité vérifiée",
    "insi_reference": "Réponse du téléservice INSi",
    "identity_evidence": "Justificatifs de l'identité",
    "occupation": "Profession",
    "insurance_scheme": "Régime",
    "phone": "Téléphone",
    "phone2": "Téléphone 2",
    "email": "Adresse e-mail",
    "address_line": "Adresse de résidence",
    "address_complement": "Complément d'adresse",
    "building": "Bâtiment",
    "staircase": "Escalier",
    "floor": "Étage",
    "digicode": "Digicode",
    "intercom": "Interphone",
    "door": "Porte",
    "postal_code": "Code postal",
    "city": "Commune",
    "commune_insee": "Code commune INSEE",
    "latitude": "Latitude",
    "longitude": "Longitude",
    "version": "Version",
    "advance_directives": "Directives anticipées",
    "trusted_persons": "Personnes de confiance",
    "relation": "Lien",
    # accounts and responders
    "username": "Identifiant",
    "password": "Mot de passe",
    "role": "Rôle",
    "display_name": "Nom affiché",
    "network_ids": "Réseaux",
    "active": "Actif",
    "rpps": "RPPS",
    "profession_code": "Profession",
    "specialty_code": "Spécialité",
    "commune_name": "Commune",
    "radius_km": "Rayon (km)",
    "availability": "Disponibilité",
    "unavailable_until": "Indisponible jusqu'à",
    "timezone": "Fuseau horaire",
    "notification_windows": "Plages de notification",
    "weekday": "Jour",
    "start": "Début",
    "end": "Fin",
    "webhook_url": "Webhook",
    "name": "Nom",
    # cases and prescriptions
    "caller": "Appelant",
    "requester": "Demandeur",
    "direct_line": "Ligne directe",
    "service": "Service",
    "user_id": "Utilisateur",
    "patient_id": "Patient",
    "prescriptions": "Déclenchements",
    "care_type": "Soins",
    "care_mode": "Type PeC",
    "network_id": "Restreindre au réseau",
    "intervention_at": "Date d'intervention",
    "intervention_tz": "Fuseau",
    "intervention_delay_minutes": "Délai d'intervention",
    "days": "Nb jours",
    "visits_per_day": "Passage(s)/j",
    "response_delay_minutes": "Délai de réponse",
    "comment": "Commentaire",
    "reason": "Motif",
    "report": "Compte rendu",
    "text": "Texte",
    "tag": "Tag",
    "seconds": "Secondes",
    # the professional's side
    "at": "Date",
    "note": "Note",
    "state": "État",
    "hours": "Horaires",
    "care_modes": "Types de prise en charge",
    "communes": "Communes desservies",
    "channels": "Canaux",
    "section": "Liste",
    # enrolment (« S'enregistrer ») and « Mot de passe oublié »
    "identifier_kind": "Type d'identifiant",
    "identifier": "Numéro RPPS ou ADELI",
    "network_name": "Réseau d'appartenance",
    "code": "Code",
    "login": "Identifiant, e-mail ou mobile",
}

# Lists whose items are named one by one (« Déclenchement 2 »).
ITEM_LABELS: dict[str, str] = {
    "prescriptions": "Déclenchement",
    "notification_windows": "Plage",
    "usual_professionals": "Professionnel habituel",
    "trusted_persons": "Personne de confiance",
    "hours": "Plage",
}


def field_label(path: list[str | int]) -> str:
    """« Déclenchement 1 › Commentaire » for ("prescriptions", 0, "comment")."""
    words: list[str] = []
    for index, part in enumerate(path):
        if isinstance(part, int):
            before = path[index - 1] if index else None
            item = ITEM_LABELS.get(str(before), "") if before is not None else ""
            if item and words:
                words[-1] = f"{item} {part + 1}"
            else:
                words.append(f"n° {part + 1}")
        else:
            words.append(FIELD_LABELS.get(part, part))
    return " › ".join(words)
