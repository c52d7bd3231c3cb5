"""The registrant exports we recognise, as data: which headers mean which field, in several languages.

Adding a format is adding a ``Format``: header synonyms per field, the headers that identify it,
and how its rows say paid / unpaid / cancelled.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

from checkin.domain import RegistrationType, Status
from checkin.text import words


def header_key(header: str) -> str:
    """Headers compare by their folded words: 'E-Mail ' == 'email', 'Attendee #' == 'attendee'."""
    return "".join(words(header))


# Field -> header synonyms shared by every format (English, German, French, Spanish, Italian, Dutch).
COMMON: dict[str, tuple[str, ...]] = {
    "first_name": ("First Name", "Given name", "Firstname", "Vorname", "Prénom", "Nombre", "Nome", "Voornaam"),
    "last_name": (
        "Last Name",
        "Surname",
        "Family name",
        "Lastname",
        "Nachname",
        "Familienname",
        "Nom",
        "Nom de famille",
        "Apellido",
        "Apellidos",
        "Cognome",
        "Achternaam",
    ),
    "full_name": (
        "Attendee name",
        "Full name",
        "Name",
        "Teilnehmername",
        "Name des Teilnehmers",
        "Nom complet",
        "Nombre completo",
        "Nome completo",
        "Naam",
    ),
    "email": (
        "Email",
        "E-mail",
        "Email address",
        "E-mail address",
        "Attendee email",
        "E-Mail-Adresse",
        "Courriel",
        "Adresse e-mail",
        "Correo electrónico",
        "Correo",
        "Indirizzo email",
        "E-mailadres",
    ),
    "organization": (
        "Organization",
        "Organisation",
        "Company",
        "Agency",
        "Employer",
        "School district",
        "Firma",
        "Unternehmen",
        "Organisation / Firma",
        "Société",
        "Entreprise",
        "Empresa",
        "Organización",
        "Azienda",
        "Bedrijf",
    ),
    "city": ("City", "Home City", "Work City", "Stadt", "Ort", "Ville", "Ciudad", "Città", "Plaats", "Cidade"),
    "region": (
        "State",
        "Home State",
        "Work State",
        "State/Province",
        "Province",
        "Region",
        "Bundesland",
        "Région",
        "Estado",
        "Provincia",
        "Provincie",
    ),
    "registration_type": (
        "Registration type",
        "Ticket Type",
        "Ticket type name",
        "Product",
        "Ticket",
        "Registration level",
        "Produkt",
        "Ticketart",
        "Type d'inscription",
        "Produit",
        "Type de billet",
        "Tipo de registro",
        "Tipo de entrada",
        "Prodotto",
        "Tipo di biglietto",
    ),
}


@dataclass(frozen=True)
class Format:
    name: str
    title: str
    columns: Mapping[str, tuple[str, ...]]
    identifying: tuple[tuple[str, ...], ...]  # groups of fields that together identify the format
    id_fields: tuple[str, ...]  # first present one is the registration id
    status: Callable[[Mapping[str, str]], tuple[Status, str] | None] = field(repr=False)

    def synonyms(self, name: str) -> tuple[str, ...]:
        return self.columns.get(name, ()) + COMMON.get(name, ())


CANCELLED_WORDS = (
    "cancel",
    "refund",
    "delet",
    "notattending",
    "void",
    "storn",
    "annul",
    "transferred",
    "declined",
    "withdrawn",
    "abgesagt",
    "nonpartecipa",  # Eventbrite in Italian: "Non partecipa"
    "rembours",
)
UNPAID_WORDS = (
    "unpaid",
    "notpaid",
    "pending",
    "offline",
    "paybycheck",
    "check",
    "invoice",
    "open",
    "awaiting",
    "due",
    "outstanding",
    "partial",
    "unbezahlt",
    "offen",
    "nonpaye",
    "impagado",
    "pendiente",
    "waitlist",
    "nonpagato",
)
PAID_WORDS = (
    "paid",
    "completed",
    "complete",
    "attending",
    "checkedin",
    "free",
    "manual",
    "confirmed",
    "registered",
    "bezahlt",
    "paye",
    "pagado",
    "pagato",
    "partecipa",  # Eventbrite in Italian: "Partecipa" (attending)
    "betaald",
    "active",
)
# Whole values whose keywords would mislead (e.g. "Checked In" contains "check", an unpaid keyword).
EXACT = {
    "checkedin": Status.PAID,
    "partiallyrefunded": Status.PAID,
    "partiallytransferred": Status.PAID,
    "partiallypaid": Status.UNPAID,
    "notcheckedin": Status.PAID,
    "noinvoice": Status.PAID,  # Wild Apricot: registered with nothing to invoice
    "onwaitlist": Status.CANCELLED,  # Wild Apricot: not (yet) registered; the desk must not welcome them
}
YES = {"yes", "y", "true", "1", "ja", "oui", "si", "sim", "x", "wahr", "vrai"}  # "Sì", "Sim": it, pt
NO = {"no", "n", "false", "0", "nein", "non", "falsch", "faux", "nee", "nao"}  # "Não": pretix in Portuguese


@functools.lru_cache(maxsize=1024)  # a file repeats a handful of status words 20,000 times
def status_word(value: str) -> Status | None:
    """Paid / unpaid / cancelled from a status word in any of the exports' languages, or None if unknown."""
    key = header_key(value)
    if not key:
        return None
    if key in EXACT:
        return EXACT[key]
    if key in YES:
        return Status.PAID
    if key in NO:
        return Status.UNPAID
    for words_, status in (
        (CANCELLED_WORDS, Status.CANCELLED),
        (UNPAID_WORDS, Status.UNPAID),
        (PAID_WORDS, Status.PAID),
    ):
        if any(w in key for w in words_):
            return status
    return None


class UnknownStatus(ValueError):
    def __init__(self, column: str, value: str) -> None:
        super().__init__(f"unknown status '{value}'; expected a word like Paid, Unpaid or Cancelled")
        self.column = column


def _first_of(*columns: str) -> Callable[[Mapping[str, str]], tuple[Status, str] | None]:
    """Status from the first of ``columns`` that has a value: when a registration's own status is exported, it
    decides, and a payment column only speaks for registrations without one."""

    def status(values: Mapping[str, str]) -> tuple[Status, str] | None:
        for column in columns:
            if value := values.get(column, ""):
                word = status_word(value)
                if word is None:
                    raise UnknownStatus(column, value)
                return word, value
        return None

    return status


def _from_columns(*columns: str) -> Callable[[Mapping[str, str]], tuple[Status, str] | None]:
    """Status from the first of ``columns`` that has a value; the worst of several wins."""

    def status(values: Mapping[str, str]) -> tuple[Status, str] | None:
        found: list[tuple[Status, str]] = []
        for column in columns:
            value = values.get(column, "")
            if not value:
                continue
            word = status_word(value)
            if word is None:
                raise UnknownStatus(column, value)
            found.append((word, value))
        if not found:
            return None
        order = [Status.CANCELLED, Status.UNPAID, Status.PAID]
        return min(found, key=lambda f: order.index(f[0]))

    return status


EVENTBRITE = Format(
    name="eventbrite",
    title="Eventbrite attendee report",
    columns={
        "external_id": (
            "Attendee #",
            "Attendee ID",
            "Attendee no",
            "Teilnehmer-Nr.",
            "Teilnehmernummer",
            "N° de participant",
            "Número de asistente",
            "Partecipante n.",
            "N. partecipante",
        ),
        "ticket_code": (
            "Barcode #",
            "Barcode",
            "Barcode-Nr.",
            "Code-barres",
            "Código de barras",
            "N. codice a barre",
            "Codice a barre",
        ),
        "order_id": ("Order #", "Order ID", "Bestellnr.", "Bestellnummer", "N° de commande", "Pedido n.º", "Ordine n."),
        "attendee_status": (
            "Attendee Status",
            "Teilnehmerstatus",
            "Statut du participant",
            "Estado del asistente",
            "Stato partecipante",
        ),
        "order_type": ("Order Type", "Bestellart", "Type de commande", "Tipo de pedido", "Tipo di ordine"),
    },
    identifying=(("external_id", "ticket_code"), ("order_id", "attendee_status"), ("external_id", "order_type")),
    id_fields=("external_id",),
    status=_from_columns("attendee_status", "order_type"),
)

# pretix's check-in list export, its headers as pretix's own translation catalogs word them (pretix 2026.8:
# German, French, Spanish, Dutch, Italian, Portuguese of Brazil and of Portugal), with older wordings kept.
_PRETIX_NAME = {  # "Attendee name" and its parts, which a name scheme exports as "Attendee name: Given name"
    "en": ("Attendee name", "Given name", "Family name"),
    "de": ("Name Teilnehmer*in", "Vorname", "Nachname"),
    "fr": ("Nom du participant", "Prénom", "Nom de famille"),
    "es": ("Nombre del asistente", "Nombre", "Apellido"),
    "nl": ("Naam deelnemer", "Voornaam", "Achternaam"),
    "it": ("Nome del partecipante", "Nome", "Cognome"),
    "pt_BR": ("Nome do participante", "Nome", "Sobrenome"),
    "pt_PT": ("Nome do participante", "Nome próprio", "Apelido"),
}
PRETIX = Format(
    name="pretix",
    title="pretix check-in list",
    columns={
        "secret": ("Secret", "Geheimnis", "Code secret", "Secreto", "Geheim", "Segredo"),
        "order_code": (
            "Order code",
            "Bestellnummer",
            "Bestellcode",
            "Code de commande",
            "Código del pedido",
            "Código de pedido",
            "Bestelcode",
            "Codice ordine",
            "Código do pedido",
        ),
        "paid": ("Paid", "Bezahlt", "Payé", "Pagado", "Betaald", "Pagato", "Pago"),
        "checked_in": (
            "Checked in",
            "Eingecheckt",
            "Enregistrement effectué",
            "Enregistré",
            "Chequeado",
            "Registrado",
            "Ingecheckt",
            "Check-in effettuato",
            "Check-in realizado",
            "Fez Check-in",
        ),
        "full_name": tuple(dict.fromkeys(name for name, _, _ in _PRETIX_NAME.values())),
        "first_name": tuple(dict.fromkeys(f"{name}: {given}" for name, given, _ in _PRETIX_NAME.values())),
        "last_name": tuple(dict.fromkeys(f"{name}: {family}" for name, _, family in _PRETIX_NAME.values())),
        "registration_type": ("Producto", "Produto"),
        "organization": ("Empresa",),
    },
    identifying=(("order_code", "secret"), ("order_code", "checked_in"), ("order_code", "registration_type")),
    id_fields=("secret", "order_code"),
    status=_from_columns("paid"),
)

WILD_APRICOT = Format(
    name="wildapricot",
    title="Wild Apricot event registrants",
    columns={
        "external_id": ("Registration ID", "Event registration ID", "Registration number"),
        "contact_id": ("User ID", "Contact ID", "Member ID"),
        "event_title": ("Event title", "Event name", "Event ID"),
        # The registration's status (Paid, Unpaid, PartiallyPaid, Canceled, Free, NoInvoice, OnWaitlist) states
        # the registration; Is paid only its invoice: a cancelled registration may be paid, a free one unpaid.
        "registration_status": ("Registration status", "Status"),
        "paid": ("Is paid", "Paid", "Payment state", "Payment status"),
        "waitlist": ("On waitlist", "Waitlist"),
    },
    identifying=(
        ("registration_type", "contact_id"),
        ("registration_type", "event_title"),
        ("external_id", "registration_type"),
    ),
    id_fields=("external_id", "contact_id"),
    status=_first_of("registration_status", "paid"),
)

GENERIC = Format(
    name="generic",
    title="Generic CSV (columns named by --map)",
    columns={
        "external_id": ("Registration ID", "ID", "Registration number", "Reg ID"),
        "ticket_code": ("Ticket code", "Barcode", "Confirmation code"),
        "status": ("Status", "Payment status", "Paid"),
    },
    identifying=(),
    id_fields=("external_id",),
    status=_from_columns("status"),
)

FORMATS = {f.name: f for f in (WILD_APRICOT, EVENTBRITE, PRETIX, GENERIC)}
MAPPABLE_FIELDS = (
    "external_id",
    "ticket_code",
    "first_name",
    "last_name",
    "full_name",
    "email",
    "organization",
    "city",
    "region",
    "registration_type",
    "status",
)

_TYPE_KEYWORDS: tuple[tuple[tuple[str, ...], RegistrationType], ...] = (
    (("nonmember", "nichtmitglied", "nonmembre", "nomiembro"), RegistrationType.NON_MEMBER),
    (("course", "basicsro", "advancedsro", "supervisor", "training only", "kurs"), RegistrationType.COURSE_ONLY),
    (("oneday", "dailypass", "daypass", "singleday", "tageskarte", "tagesticket"), RegistrationType.ONE_DAY),
    (("exhibit", "vendor", "aussteller", "exposant", "booth"), RegistrationType.EXHIBITOR),
    (("sponsor",), RegistrationType.SPONSOR),
    (("speaker", "presenter", "instructor", "referent", "intervenant", "ponente"), RegistrationType.SPEAKER),
    (("staff", "volunteer", "crew", "helfer", "benevole"), RegistrationType.STAFF),
    (("media", "press", "presse", "prensa"), RegistrationType.MEDIA),
    (("guest", "spouse", "companion", "gast", "invite"), RegistrationType.GUEST),
    (("member", "mitglied", "membre", "miembro"), RegistrationType.MEMBER),
)


@functools.lru_cache(maxsize=1024)  # and a handful of ticket names
def canonical_type(ticket: str) -> str:
    """The conference's registration type for a ticket name; the ticket name itself if none fits."""
    key = header_key(ticket)
    for keywords, reg_type in _TYPE_KEYWORDS:
        if any(k.replace(" ", "") in key for k in keywords):
            return reg_type.value
    return ticket


_FORMULA_STARTS = ("=", "+", "-", "@")
_FORMULA = re.compile(r"^[\t\r\n ]*(=|[+\-@]\s*[A-Za-z_][A-Za-z0-9_.]*\s*\(|[+\-@=].*\|.*!)")


def looks_like_formula(cell: str) -> bool:
    """A cell a spreadsheet would run: '=HYPERLINK(...)', '@SUM(...)', '-cmd|...!A0' (not '+1 555 0100')."""
    if cell.lstrip("\t\r\n ")[:1] not in _FORMULA_STARTS:  # most cells, at a glance
        return False
    return bool(_FORMULA.match(cell)) and cell.strip() not in {"=", "-", "+", "@"}
