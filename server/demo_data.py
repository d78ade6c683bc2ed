"""Demonstration data: a small hotline in Essonne and Corse. Every person here is fictional.

Phone numbers come from the ranges ARCEP reserves for fiction (01 99 00 xx xx); RPPS numbers are
in a range no real professional has (1999…) but carry a valid check digit.

Besides the 36 simulated responders (`pro01`…`pro36`, answered for by server/simulator.py), two
nurses are for a person to use in the professionals' web app — the simulator never answers for
them (`WEB_PROFESSIONALS`): `infirmiere.habituelle`, the usual nurse of Isabelle MICHAUX (Évry),
notified first and by name of her requests, with one patient in care already; and
`infirmier.bassin`, a pool nurse of Corbeil-Essonnes (10 km) who also serves Étampes.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import insert, select
from sqlalchemy.orm import Session

from server.clock import Clock
from server.db import Database
from server.models import Patient, ProfessionalProfile, User, secretary_of
from server.security.passwords import hash_password
from server.security.principal import Principal
from server.services import answers, care
from server.services.accounts import create_network, create_professional, create_user
from server.services.cases import create_case
from server.services.patients import create_patient, set_usual_professionals
from server.services.profile import update_profile
from shared.domain import Availability, Role
from shared.schemas.admin import NetworkCreate, NotificationWindow, ProfessionalCreate, UserCreate
from shared.schemas.care import VisitCreate
from shared.schemas.dispatch import CaseCreate
from shared.schemas.patients import PatientCreate, UsualProfessionalIn
from shared.schemas.professional import ProfileUpdate
from shared.validation import nir_key

PROFESSIONAL_PASSWORD = "professionnel-demo"  # noqa: S105 - a published demo password
DEMO_LOGINS: list[tuple[str, str, str]] = [
    ("administrateur", "administrateur-demo", "admin"),
    ("operateur", "operateur-demo", "operator"),
    ("secretaire", "secretaire-demo", "secretary"),
    ("superviseur", "superviseur-demo", "supervisor"),
    ("pro01", PROFESSIONAL_PASSWORD, "professional"),
    ("infirmiere.habituelle", PROFESSIONAL_PASSWORD, "professional"),
    ("infirmier.bassin", PROFESSIONAL_PASSWORD, "professional"),
]
# For a person in the web app: the simulator never answers for these (server/simulator.py).
WEB_PROFESSIONALS = ("infirmiere.habituelle", "infirmier.bassin")


@dataclass(frozen=True)
class Commune:
    insee: str
    name: str
    postal_code: str
    latitude: float
    longitude: float
    network: str


ESSONNE, CORSE = "CPTS Démo Essonne", "CPTS Démo Corse"
COMMUNES = [
    Commune("91228", "Évry-Courcouronnes", "91000", 48.6290, 2.4400, ESSONNE),
    Commune("91174", "Corbeil-Essonnes", "91100", 48.6070, 2.4830, ESSONNE),
    Commune("91377", "Massy", "91300", 48.7300, 2.2760, ESSONNE),
    Commune("91477", "Palaiseau", "91120", 48.7140, 2.2460, ESSONNE),
    Commune("91223", "Étampes", "91150", 48.4350, 2.1610, ESSONNE),
    Commune("91326", "Juvisy-sur-Orge", "91260", 48.6890, 2.3760, ESSONNE),
    Commune("91103", "Brétigny-sur-Orge", "91220", 48.6110, 2.3060, ESSONNE),
    Commune("91521", "Ris-Orangis", "91130", 48.6530, 2.4140, ESSONNE),
    Commune("91201", "Draveil", "91210", 48.6850, 2.4080, ESSONNE),
    Commune("2A004", "Ajaccio", "20000", 41.9190, 8.7380, CORSE),
    Commune("2B033", "Bastia", "20200", 42.6970, 9.4500, CORSE),
    Commune("2A247", "Porto-Vecchio", "20137", 41.5910, 9.2790, CORSE),
    Commune("2B096", "Corte", "20250", 42.3060, 9.1500, CORSE),
    Commune("2B050", "Calvi", "20260", 42.5670, 8.7570, CORSE),
    Commune("2B346", "Vescovato", "20215", 42.4930, 9.4390, CORSE),
]

LAST_NAMES = [
    "Martin",
    "Bernard",
    "Lefèvre",
    "D'Angelo",
    "Le Goff",
    "Santoni",
    "Casanova",
    "Moreau",
    "Girard",
    "Pietri",
    "Mercier",
    "Dupont-Lajoie",
    "Rossi",
    "Fournier",
    "Albertini",
    "Faure",
    "Muracciole",
    "Lambert",
]
FIRST_NAMES = [
    "Hélène",
    "Jean-Marc",
    "Anaïs",
    "Paul",
    "Chloé",
    "Ghjuvan",
    "Marie-Ange",
    "Julien",
    "Élodie",
    "Lucas",
    "Sébastien",
    "Léa",
    "Antoine",
    "Maëlle",
    "Orsu",
    "Camille",
    "Noël",
    "Inès",
]
# (profession, specialty) cycled over the professionals: nurses first, as on the hotline.
PROFESSION_CYCLE = [("60", None), ("10", "SM54"), ("70", None), ("60", None), ("21", None), ("50", None)]
WEEKDAY_DAYTIME = [NotificationWindow(weekday=d, start="08:00", end="20:00") for d in range(5)]


def demo_rpps(n: int) -> str:
    body = f"1999{n:06d}"
    total = 0
    for i, char in enumerate(reversed(body)):
        digit = int(char) * (2 if i % 2 == 0 else 1)
        total += digit - 9 if digit > 9 else digit
    return body + str((10 - total % 10) % 10)


def demo_phone(n: int) -> str:
    return f"01 99 00 {n // 100 % 100:02d} {n % 100:02d}"


def demo_nir(sex: int, born: date, department: str, commune: str, order: int) -> str:
    body = f"{sex}{born.year % 100:02d}{born.month:02d}{department}{commune}{order:03d}"
    return f"{body}{nir_key(body):02d}"


def seed_demo(db: Database, professionals: int = 36) -> bool:
    """Load the demo data once; returns False when it is already there."""
    now = Clock().now()
    with db.session() as session:
        if session.scalar(select(User.id).where(User.username == "operateur")) is not None:
            return False
        networks = {
            name: create_network(session, NetworkCreate(name=name), now).id for name in (ESSONNE, CORSE)
        }
        for username, password, role in DEMO_LOGINS:
            if role == "professional":
                continue
            display = {
                "admin": "Admin Démo",
                "operator": "Opérateur Démo",
                "secretary": "Secrétaire Démo",
                "supervisor": "Superviseur Démo",
            }[role]
            create_user(
                session,
                UserCreate(
                    username=username,
                    password=password,
                    role=Role(role),
                    display_name=display,
                    network_ids=[],  # « superviseur » is the platform's: the whole hotline, no network
                ),
                now,
                # Published demo logins, built from their usernames on purpose: the rule for new
                # passwords (server/security/passwords.py) is for real accounts.
                password_hash=hash_password(password),
            )
        rpps_by_place: dict[tuple[str, str], list[str]] = {}
        for n in range(1, professionals + 1):
            commune = COMMUNES[n % len(COMMUNES)]
            profession, specialty = PROFESSION_CYCLE[n % len(PROFESSION_CYCLE)]
            body = ProfessionalCreate(
                username=f"pro{n:02d}",
                password=PROFESSIONAL_PASSWORD,
                rpps=demo_rpps(n),
                last_name=LAST_NAMES[n % len(LAST_NAMES)].upper(),
                first_name=FIRST_NAMES[(n * 7) % len(FIRST_NAMES)],
                profession_code=profession,
                specialty_code=specialty,
                phone=demo_phone(n),
                commune_insee=commune.insee,
                commune_name=commune.name,
                postal_code=commune.postal_code,
                # Spread practices up to ~2 km around the commune centre, deterministically.
                latitude=round(commune.latitude + ((n * 37) % 19 - 9) * 0.002, 5),
                longitude=round(commune.longitude + ((n * 53) % 19 - 9) * 0.003, 5),
                radius_km=10.0 if n % 4 else 20.0,
                availability=[Availability.BOTH, Availability.VISIT, Availability.OFFICE][n % 3],
                network_ids=[networks[commune.network]],
                notification_windows=WEEKDAY_DAYTIME if n % 5 == 0 else [],
            )
            published = hash_password(PROFESSIONAL_PASSWORD)
            profile = create_professional(session, body, now, password_hash=published)
            rpps_by_place.setdefault((commune.network, profession), []).append(profile.rpps)
        web_nurses = _seed_web_professionals(session, networks[ESSONNE], now)
        operator = session.scalar(select(User).where(User.username == "operateur"))
        assert operator is not None
        by = Principal.of(operator)
        _seed_patients(session, by, rpps_by_place, now, usual_nurse=web_nurses[0].rpps)
        _seed_care(session, by, web_nurses[0], rpps_by_place[(ESSONNE, "10")][0], now)
        _seed_practice(session, rpps_by_place[(ESSONNE, "10")])
    return True


def _seed_practice(session: Session, doctors_rpps: list[str]) -> None:
    """« secretaire » works for the Essonne doctors: she sees their patients only (issue 17)."""
    secretary = session.scalar(select(User.id).where(User.username == "secretaire"))
    doctors = session.scalars(
        select(ProfessionalProfile.user_id).where(ProfessionalProfile.rpps.in_(doctors_rpps))
    )
    rows = [{"secretary_user_id": secretary, "professional_user_id": d} for d in doctors]
    if secretary is not None and rows:
        session.execute(insert(secretary_of), rows)


def _seed_web_professionals(session: Session, network_id: int, now: datetime) -> list[ProfessionalProfile]:
    """The two nurses of the web app (see the module's docstring)."""
    evry, corbeil = COMMUNES[0], COMMUNES[1]
    found = []
    for n, (username, last, first, commune) in enumerate(
        (
            ("infirmiere.habituelle", "LEBLANC", "Sophie", evry),
            ("infirmier.bassin", "KERGOAT", "Malo", corbeil),
        ),
        start=901,
    ):
        body = ProfessionalCreate(
            username=username,
            password=PROFESSIONAL_PASSWORD,
            rpps=demo_rpps(n),
            last_name=last,
            first_name=first,
            profession_code="60",
            phone=demo_phone(n),
            commune_insee=commune.insee,
            commune_name=commune.name,
            postal_code=commune.postal_code,
            latitude=commune.latitude + 0.004,
            longitude=commune.longitude - 0.006,
            network_ids=[network_id],
        )
        published = hash_password(PROFESSIONAL_PASSWORD)
        found.append(create_professional(session, body, now, password_hash=published))
    update_profile(session, found[1].user_id, ProfileUpdate(communes=["91223"]), now)  # serves Étampes
    return found


def _seed_care(
    session: Session, by: Principal, nurse: ProfessionalProfile, doctor_rpps: str, now: datetime
) -> None:
    """Isabelle MICHAUX in the usual nurse's « Patients en Soins »: accepted, begun, one visit of
    ten, a report — what the web app shows of a patient in care."""
    patient = session.scalar(select(Patient).where(Patient.last_name == "MICHAUX"))
    assert patient is not None
    body = CaseCreate.model_validate(
        {
            "caller": {"name": "Cabinet du Dr Martin", "phone": demo_phone(9500)},
            "requester": {"rpps": doctor_rpps},
            "patient_id": patient.id,
            "prescriptions": [
                {
                    "profession_code": "60",
                    "care_type": "Pansement",
                    "care_mode": "visit",
                    "intervention_delay_minutes": 240,
                    "days": 5,
                    "visits_per_day": 2,
                    "response_delay_minutes": 120,
                    "comment": "Pansement d'ulcère de jambe matin et soir, patiente autonome",
                }
            ],
        }
    )
    sent = create_case(session, body, by, now, None)
    nurse_as = Principal.of(nurse.user)
    prescription_id = sent.prescriptions[0].id
    answers.accept(session, prescription_id, nurse_as, now)
    visit = VisitCreate(note="Plaie propre, pansement refait")
    care.add_visit(session, prescription_id, visit, nurse_as, now)
    report = "Ulcère en voie de cicatrisation, pas de signe d'infection."
    care.add_report(session, prescription_id, report, nurse_as, now)


def _seed_patients(
    session: Session,
    by: Principal,
    rpps_by_place: dict[tuple[str, str], list[str]],
    now: datetime,
    usual_nurse: str,
) -> None:
    """Eight patients; Isabelle MICHAUX's usual nurse is `usual_nurse` (of the web app)."""
    chosen = {("MICHAUX", "60"): usual_nurse}
    people = [
        ("PICASSO", "Pablo", "M", date(1952, 8, 9), 2, "12 rue de Laval", COMMUNES[1]),
        ("MICHAUX", "Isabelle", "F", date(1970, 1, 1), 5, "3 place de la Gare", COMMUNES[0]),
        ("SANTONI", "Marie-Ange", "F", date(1948, 3, 17), 9, "Lieu-dit San Quilico", COMMUNES[14]),
        ("CASANOVA", "Ghjuvan", "M", date(1939, 11, 2), 10, "8 boulevard Paoli", COMMUNES[10]),
        ("N'DIAYE", "Awa", "F", date(1988, 6, 23), 3, "27 avenue de la République", COMMUNES[2]),
        ("LE GOFF", "Yann", "M", date(2015, 4, 5), 6, "5 allée des Tilleuls", COMMUNES[6]),
        ("DUPONT-LAJOIE", "Hélène", "F", date(1961, 12, 30), 4, "2 rue Saint-Jacques", COMMUNES[4]),
        ("ALBERTINI", "Orsu", "M", date(1975, 7, 14), 11, "14 cours Napoléon", COMMUNES[9]),
    ]
    for index, (last, first, sex, born, phone_n, street, commune) in enumerate(people):
        department, place = commune.insee[:2], commune.insee[2:]
        nir = demo_nir(1 if sex == "M" else 2, born, department, place, 100 + index)
        patient = create_patient(
            session,
            PatientCreate(
                last_name=last,
                first_name=first,
                sex=sex,
                birth_date=born,
                nir=nir,
                birth_last_name=last,
                birth_first_names=first,
                birth_place_insee=commune.insee,
                phone=demo_phone(9000 + phone_n),
                address_line=street,
                postal_code=commune.postal_code,
                city=commune.name,
                commune_insee=commune.insee,
                latitude=commune.latitude,
                longitude=commune.longitude,
            ),
            by,
            now,
        )
        # Most demo patients have a registered attending doctor and nurse of their network.
        usual = [
            UsualProfessionalIn(profession_code=code, rpps=chosen.get((last, code), pool[index % len(pool)]))
            for code in ("10", "60")
            if (pool := rpps_by_place.get((commune.network, code))) and index % 4 != 3
        ]
        if usual:
            set_usual_professionals(session, patient.id, usual, by, now)
