"""A fictitious RPPS extraction in the exact published format, for tests and benchmarks.

``python -m bench.make_rpps --rows N [--variant old|new] [--encoding utf-8|latin-1] [--seed S]
[--malformed-every K] OUT`` writes ``OUT`` (.txt, or .zip holding the .txt as published): a header
line and N activity lines, ``|``-separated, each ending with ``|``. Persons are invented (French
names with accents, hyphens, apostrophes; RPPS numbers with a valid Luhn key, some ADELI),
with 1 to 5 activity rows each, real profession (TRE_G15) and specialty (TRE_R38) codes, real
commune codes and postal codes (server/geo/data), phone numbers of the right region, practice
switchboards shared by several professionals, and every K-th line malformed on purpose.
No real person's data: names are drawn independently, numbers at random.
"""

from __future__ import annotations

import argparse
import csv
import gzip
import io
import itertools
import random
import zipfile
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import IO, Final

from shared.validation import luhn_is_valid

OLD_HEADER: Final = (  # noqa: SIM905 - the header exactly as published
    "Type d'identifiant PP|Identifiant PP|Identification nationale PP|Code civilité d'exercice|"
    "Libellé civilité d'exercice|Code civilité|Libellé civilité|Nom d'exercice|Prénom d'exercice|"
    "Code profession|Libellé profession|Code catégorie professionnelle|"
    "Libellé catégorie professionnelle|Code type savoir-faire|Libellé type savoir-faire|"
    "Code savoir-faire|Libellé savoir-faire|Code mode exercice|Libellé mode exercice|"
    "Numéro SIRET site|Numéro SIREN site|Numéro FINESS site|Numéro FINESS établissement juridique|"
    "Identifiant technique de la structure|Raison sociale site|Enseigne commerciale site|"
    "Complément destinataire (coord. structure)|Complément point géographique (coord. structure)|"
    "Numéro Voie (coord. structure)|Indice répétition voie (coord. structure)|"
    "Code type de voie (coord. structure)|Libellé type de voie (coord. structure)|"
    "Libellé Voie (coord. structure)|Mention distribution (coord. structure)|"
    "Bureau cedex (coord. structure)|Code postal (coord. structure)|Code commune (coord. structure)|"
    "Libellé commune (coord. structure)|Code pays (coord. structure)|Libellé pays (coord. structure)|"
    "Téléphone (coord. structure)|Téléphone 2 (coord. structure)|Télécopie (coord. structure)|"
    "Adresse e-mail (coord. structure)|Code Département (structure)|Libellé Département (structure)|"
    "Ancien identifiant de la structure|Autorité d'enregistrement|Code secteur d'activité|"
    "Libellé secteur d'activité|Code section tableau pharmaciens|Libellé section tableau pharmaciens|"
).split("|")[:-1]
NEW_EXTRA: Final = ["Code fonction", "Libellé fonction", "Code genre d'activité", "Libellé genre d'activité"]
NEW_SPELLINGS: Final = {
    "Libellé civilité d'exercice": "Libellé civilité exercice",
    "Code Département (structure)": "Code département (coord. structure)",
}
PROFESSIONS: Final = [  # code, label, weight (roughly the directory's proportions)
    ("60", "Infirmier", 32), ("10", "Médecin", 24), ("70", "Masseur-Kinésithérapeute", 11),
    ("21", "Pharmacien", 9), ("40", "Chirurgien-Dentiste", 5), ("50", "Sage-Femme", 3),
    ("91", "Orthophoniste", 3), ("80", "Pédicure-Podologue", 2), ("28", "Opticien-Lunetier", 2),
    ("92", "Orthoptiste", 1), ("94", "Ergothérapeute", 1), ("96", "Psychomotricien", 1),
    ("95", "Diététicien", 1), ("26", "Audioprothésiste", 1), ("69", "Infirmier psychiatrique", 1),
    ("81", "Orthoprothésiste", 1), ("86", "Technicien de laboratoire médical", 1),
]  # fmt: skip
SPECIALTIES: Final = [
    ("SM54", "Médecine générale", 50), ("SM04", "Cardiologie et maladies vasculaires", 4),
    ("SM15", "Dermatologie et vénéréologie", 3), ("SM38", "Ophtalmologie", 4), ("SM39", "ORL", 2),
    ("SM40", "Pédiatrie", 4), ("SM42", "Psychiatrie", 5), ("SM44", "Radio-diagnostic", 5),
    ("SM20", "Gynécologie-obstétrique", 3), ("SM32", "Neurologie", 2), ("SM41", "Pneumologie", 2),
    ("SM03", "Biologie médicale", 2), ("SM16", "Endocrinologie et métabolisme", 1),
    ("SM36", "Oncologie option médicale", 1), ("SM57", "Allergologie", 1),
]  # fmt: skip
LAST_NAMES: Final = (  # noqa: SIM905
    "Martin Bernard Thomas Petit Robert Richard Durand Dubois Moreau Laurent Simon Michel Lefèvre "
    "Leroy Roux David Bertrand Morel Fournier Girard Bonnet Dupont Lambert Fontaine Rousseau Vincent "
    "Muller Lefebvre Faure André Mercier Blanc Guérin Boyer Garnier Chevalier François Legrand "
    "Gauthier Garcia Perrin Robin Clément Morin Nicolas Henry Roussel Mathieu Gautier Masson Marchand "
    "Duval Denis Dumont Marie Lemaire Noël Meyer Dufour Meunier Brun Blanchard Giraud Joly Rivière "
    "Lucas Brunet Gaillard Barbier Arnaud Martinez Gérard Roche Renard Schmitt Roy Leroux Colin Vidal "
    "Caron Picard Roger Fabre Aubert Lemoine Renaud Dumas Lacroix Olivier Philippe Bourgeois Pierre "
    "Benoît Rey Leclerc Payet Rolland Leclercq Guillaume Lecomte Lopez Jean Dupuy Guillot Hubert "
    "Berger Carpentier Sanchez Dupuis Moulin Louis Deschamps Huet Vasseur Perez Boucher Fleury Royer "
    "Klein Jacquet Adam Paris Poirier Marty Aubry Guyot Carré Charles Renault Charpentier Ménard "
    "Maillard Baron Bertin Bailly Hervé Schneider Fernandez Le-Gall Collet Léger Bouvier Julien "
    "Prévost Millet Perrot Daniel Le-Roux Cousin Germain Breton Besson Langlois Rémy Le-Goff "
    "Pelletier Lévêque Perrier Leblanc Barré Lebrun Marchal Weber Mallet Hamon Boulanger Jacob "
    "Monnier Michaud Rodriguez Guichard Gillet Étienne Grondin Poulain Tessier Chevallier Collin "
    "Chauvin Da-Silva Bouchet Gay Lemaître Bénard Maréchal Humbert Reynaud Antoine Hoarau Perret "
    "Barthélemy Cordier Pichon Lejeune Gilbert Lamy Delaunay Pasquier Carlier Laporte D'Almeida "
    "D'Angelo L'Hermitte N'Diaye Dos-Santos De-Oliveira Saint-Martin Saint-Jean Œuvrard Lœuillet "
    "Müller Nguyen Traoré Benali Ferreira Gonçalves Kervella Le-Bihan"
).split()
FIRST_NAMES: Final = (  # noqa: SIM905
    "Marie Jean Pierre Hélène Jérôme Françoise Anaïs Chloé Zoé Noël Léa Inès Maëlle Gaëlle Loïc Théo "
    "Raphaël Clément Amélie Céline Stéphane Sébastien Frédéric Cécile Bénédicte Agnès Jean-Pierre "
    "Marie-Claire Anne-Sophie Jean-François Pierre-Yves Marie-Hélène Éloïse Élodie Émilie Nathalie "
    "Isabelle Sandrine Sophie Julie Camille Thomas Nicolas Julien Guillaume Antoine Maxime Alexandre "
    "Laurent Philippe Christophe Olivier Vincent Benoît Mathieu Caroline Aurélie Laëtitia Joël Gisèle "
    "Josée Noémie Héloïse Bérénice Timothée Mélanie Valérie Ségolène"
).split()
SYLLABLES: Final = (  # noqa: SIM905
    "ber bou cha che dam del fon gal gui jau lan lar mar mon nou pel que ri ro sau tar van vil"
).split()
STREETS: Final = [
    "Rue de la République", "Avenue Jean Jaurès", "Place de l'Église", "Rue Victor Hugo",
    "Boulevard Pasteur", "Chemin des Écoliers", "Allée des Tilleuls", "Rue du Général Leclerc",
]  # fmt: skip
MODES: Final = [("L", "Libéral", 55), ("S", "Salarié", 43), ("B", "Bénévole", 2)]
OVERSEAS_FIXED: Final = {"971": "0590", "972": "0596", "973": "0594", "974": "0262", "976": "0269"}
OVERSEAS_MOBILE: Final = {"971": "0690", "972": "0696", "973": "0694", "974": "0692", "976": "0639"}
MAINLAND_ZONE: Final = {**{d: "01" for d in ("75", "77", "78", "91", "92", "93", "94", "95")}}
COMMUNES_FILE: Final = Path(__file__).resolve().parent.parent / "server" / "geo" / "data" / "communes.csv.gz"


def rpps_number(rng: random.Random) -> str:
    body = "10" + f"{rng.randrange(10**8):08d}"
    return next(body + d for d in "0123456789" if luhn_is_valid(body + d))


def _communes() -> list[tuple[str, str, str, str, int]]:
    with gzip.open(COMMUNES_FILE, "rt", encoding="utf-8") as stream:
        return [
            (
                r["insee_code"],
                r["name"].upper(),
                r["postal_codes"].split()[0],
                r["department"],
                int(r["population"]),
            )
            for r in csv.DictReader(stream)
            if r["postal_codes"] and r["population"] and not r["name"].endswith("Arrondissement")
        ]


def header_for(variant: str) -> list[str]:
    """The column names of the older (52 columns) or newer (56 columns) variant."""
    header = list(OLD_HEADER)
    if variant == "new":
        header = [NEW_SPELLINGS.get(h, h) for h in header]
        at = header.index("Libellé mode exercice") + 1
        header[at:at] = NEW_EXTRA
    return header


def activity_line(header: list[str], values: dict[str, str]) -> str:
    """One line with the given columns (by header name) set, the others empty."""
    row = [""] * len(header)
    for column, value in values.items():
        row[header.index(NEW_SPELLINGS.get(column, column) if column not in header else column)] = value
    return "|".join(row) + "|"


class Generator:
    def __init__(self, seed: int, variant: str) -> None:
        self.rng = random.Random(seed)
        self.header = header_for(variant)
        self.index = {name: i for i, name in enumerate(self.header)}
        communes = _communes()
        self.communes = communes
        self.commune_weights = list(itertools.accumulate(c[4] for c in communes))
        self.switchboards: list[str] = []

    def _pick(self, table: list[tuple[str, str, int]]) -> tuple[str, str]:
        code, label, _ = self.rng.choices(table, weights=[t[2] for t in table])[0]
        return code, label

    def _last_name(self) -> str:
        rng = self.rng
        if rng.random() < 0.35:
            name = "".join(rng.choice(SYLLABLES) for _ in range(rng.randint(2, 3))).capitalize()
        else:
            name = rng.choice(LAST_NAMES)
        if rng.random() < 0.06:
            name += "-" + rng.choice(LAST_NAMES)
        return name.upper() if rng.random() < 0.9 else name

    def _phone(self, department: str, mobile: bool) -> str:
        rng = self.rng
        table = OVERSEAS_MOBILE if mobile else OVERSEAS_FIXED
        if department in table:
            prefix = table[department]
        elif mobile:  # allocated mobile ranges (06 3x and 06 9x partly, 07 0x–07 2x not)
            prefix = rng.choice(("06" + rng.choice("0124578"), "07" + rng.choice("35678")))
        else:
            prefix = MAINLAND_ZONE.get(department) or rng.choice(("02", "03", "04", "05"))
        number = prefix + "".join(str(rng.randrange(10)) for _ in range(10 - len(prefix)))
        if rng.random() < 0.05:
            return ".".join(number[i : i + 2] for i in range(0, 10, 2))
        return number

    def _site_phone(self, department: str) -> str:
        # A practice switchboard answers for several professionals.
        if self.switchboards and self.rng.random() < 0.08:
            return self.rng.choice(self.switchboards)
        phone = self._phone(department, mobile=self.rng.random() < 0.3)
        if self.rng.random() < 0.05:
            self.switchboards.append(phone)
            if len(self.switchboards) > 500:
                self.switchboards.pop(0)
        return phone

    def person(self) -> Iterator[list[str]]:
        """The activity rows of one invented person."""
        rng = self.rng
        adeli = rng.random() < 0.03
        identifier = f"{rng.randrange(10**8, 10**9)}" if adeli else rpps_number(rng)
        id_type = "0" if adeli else "8"
        profession, profession_label = self._pick(PROFESSIONS)
        last, first = self._last_name(), rng.choice(FIRST_NAMES)
        sex_code = rng.choice(("M", "MME"))
        for _ in range(rng.choices((1, 2, 3, 4, 5), weights=(70, 20, 7, 2, 1))[0]):
            row = [""] * len(self.header)

            def put(column: str, value: str, row: list[str] = row) -> None:
                if column in self.index:
                    row[self.index[column]] = value

            insee, commune, postal, department, _ = rng.choices(
                self.communes, cum_weights=self.commune_weights
            )[0]
            mode, mode_label = self._pick(MODES)
            put("Type d'identifiant PP", id_type)
            put("Identifiant PP", identifier)
            put("Identification nationale PP", id_type + identifier)
            put("Code civilité d'exercice", "DR" if profession in ("10", "40") else "")
            put("Code civilité", sex_code)
            put("Nom d'exercice", last)
            put("Prénom d'exercice", first)
            put("Code profession", profession)
            put("Libellé profession", profession_label)
            put("Code catégorie professionnelle", "C")
            put("Libellé catégorie professionnelle", "Civil")
            if profession == "10":
                code, label = self._pick(SPECIALTIES)
                put("Code type savoir-faire", "S")
                put("Libellé type savoir-faire", "Spécialité ordinale")
                put("Code savoir-faire", code)
                put("Libellé savoir-faire", label)
            put("Code mode exercice", mode)
            put("Libellé mode exercice", mode_label)
            put(
                "Raison sociale site",
                rng.choice(("CABINET", "CENTRE DE SANTE", "MAISON DE SANTE")) + " " + commune,
            )
            put("Numéro Voie (coord. structure)", str(rng.randint(1, 120)))
            put("Libellé Voie (coord. structure)", rng.choice(STREETS))
            put("Code postal (coord. structure)", postal)
            put("Code commune (coord. structure)", insee)
            put("Libellé commune (coord. structure)", commune)
            put("Code pays (coord. structure)", "99000")
            put("Libellé pays (coord. structure)", "France")
            if rng.random() < 0.8:
                put("Téléphone (coord. structure)", self._site_phone(department))
            if rng.random() < 0.15:
                put("Téléphone 2 (coord. structure)", self._phone(department, mobile=True))
            if rng.random() < 0.3:
                put("Adresse e-mail (coord. structure)", f"cabinet{rng.randrange(10**6)}@exemple.fr")
            put("Code Département (structure)", department)
            put("Code département (coord. structure)", department)
            put("Autorité d'enregistrement", "CNOM/CNOM/CNOM" if profession == "10" else "ARS")
            yield row

    def malformed(self, row: list[str], kind: int) -> str:
        fields = list(row)
        if kind == 0:
            return "|".join(fields[:-3]) + "|"  # columns missing
        if kind == 1:
            return "|".join(fields)  # no final "|"
        if kind == 2:
            fields[self.index["Identifiant PP"]] = "10000000000"  # bad Luhn key
        elif kind == 3:
            fields[self.index["Nom d'exercice"]] = ""
        else:
            fields[self.index["Type d'identifiant PP"]] = "5"
        return "|".join(fields) + "|"

    def lines(self, rows: int, malformed_every: int) -> Iterator[str]:
        yield "|".join(self.header) + "|"
        written = 0
        while written < rows:
            for row in self.person():
                if written >= rows:
                    return
                written += 1
                if malformed_every and written % malformed_every == 0:
                    yield self.malformed(row, (written // malformed_every) % 5)
                else:
                    yield "|".join(row) + "|"


def _latin1(text: str) -> bytes:
    return text.replace("Œ", "OE").replace("œ", "oe").encode("latin-1", errors="replace")


@contextmanager
def _output(path: Path) -> Iterator[IO[bytes]]:
    if path.suffix.lower() == ".zip":
        member = "PS_LibreAcces_Personne_activite_202211070000.txt"
        with (
            zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=1) as archive,
            archive.open(member, "w", force_zip64=True) as stream,
        ):
            yield stream
    else:
        with open(path, "wb") as stream:
            yield stream


def write_file(
    path: Path,
    rows: int,
    *,
    variant: str = "old",
    encoding: str = "utf-8",
    seed: int = 1,
    malformed_every: int = 997,
    extra: Sequence[dict[str, str]] = (),
) -> None:
    """Writes the header, ``rows`` generated lines, then one line per ``extra`` item (columns by name)."""
    generator = Generator(seed, variant)
    encode = _latin1 if encoding == "latin-1" else (lambda text: text.encode("utf-8"))
    lines = itertools.chain(
        generator.lines(rows, malformed_every), (activity_line(generator.header, e) for e in extra)
    )
    with _output(path) as stream:
        buffer = io.BytesIO()
        for count, line in enumerate(lines):
            buffer.write(encode(line + "\r\n"))
            if count % 10_000 == 0:
                stream.write(buffer.getvalue())
                buffer = io.BytesIO()
        stream.write(buffer.getvalue())


def main() -> None:
    parser = argparse.ArgumentParser(description="Extraction RPPS fictive (format officiel)")
    parser.add_argument("--rows", type=int, required=True, help="lignes d'activité (sans l'en-tête)")
    parser.add_argument("--variant", choices=("old", "new"), default="old")
    parser.add_argument("--encoding", choices=("utf-8", "latin-1"), default="utf-8")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument(
        "--malformed-every", type=int, default=997, help="une ligne sur K malformée (0 : aucune)"
    )
    parser.add_argument("out", type=Path)
    args = parser.parse_args()
    write_file(
        args.out, args.rows, variant=args.variant, encoding=args.encoding, seed=args.seed,
        malformed_every=args.malformed_every,
    )  # fmt: skip


if __name__ == "__main__":
    main()
