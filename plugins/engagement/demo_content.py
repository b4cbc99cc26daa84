"""The demonstration data of the engagement plugin: organisations and their offers
across Kreis Coesfeld's 11 Gemeinden, Kreis-wide offers of the Kreis, a Land-wide
offer from Münster, volunteers and their contact requests.

Only the tables; ``demo.py`` writes them (idempotently) through the plugin's domain
functions. (Not named ``demo_data``: a submodule of that name would replace the
plugin's ``demo_data`` hook implementation in the package's namespace.)
"""

from __future__ import annotations

from typing import Any

KREIS = "05558"
MUENSTER = "05515000"

#: Organisations by AGS with their offers:
#: (title, description, fields, skills, plz, schedule, slots or days ahead, reach, extra)
ORGANISATIONS: list[dict[str, Any]] = [
    {
        "ags": "05558012",
        "name": "Tafel Coesfeld e. V.",
        "kind": "verein",
        "verified": True,
        "plz": "48653",
        "offers": [
            (
                "Lebensmittel sortieren und ausgeben",
                "Wir sammeln übrig gebliebene Lebensmittel bei Supermärkten und Bäckereien ein "
                "und geben sie an "
                "Menschen mit wenig Geld aus. Hilf uns beim Sortieren und bei der Ausgabe – "
                "jeden Dienstag und "
                "Donnerstag am Nachmittag.",
                ["social"],
                ["organising"],
                "48653",
                "regular",
                ["tue-afternoon", "thu-afternoon"],
                "local",
                {"hours_per_week": 3, "places": 6, "min_age": 16},
            ),
            (
                "Fahrerin oder Fahrer für die Abholtour",
                "Mit unserem Kühlwagen holst du morgens Spenden bei den Märkten im Stadtgebiet ab. "
                "Führerschein Klasse B genügt.",
                ["social"],
                ["driving_licence"],
                "48653",
                "regular",
                ["mon-morning", "fri-morning"],
                "local",
                {"hours_per_week": 2, "min_age": 21},
            ),
        ],
    },
    {
        "ags": "05558012",
        "name": "Jugendfeuerwehr Coesfeld",
        "kind": "verein",
        "verified": True,
        "plz": "48653",
        "offers": [
            (
                "Betreuerin oder Betreuer in der Jugendfeuerwehr",
                "Begleite Kinder und Jugendliche von 10 bis 17 Jahren bei Übungen, Zeltlagern "
                "und Ausflügen. "
                "Ein erweitertes Führungszeugnis ist nötig.",
                ["civil_protection", "children_youth"],
                ["first_aid", "coaching"],
                "48653",
                "regular",
                ["wed-evening"],
                "local",
                {"hours_per_week": 3, "min_age": 18, "with_children": True},
            ),
        ],
    },
    {
        "ags": "05558016",
        "name": "Lernpaten Dülmen",
        "kind": "initiative",
        "verified": False,
        "plz": "48249",
        "offers": [
            (
                "Lernpatenschaft für Grundschulkinder",
                "Einmal pro Woche eine Stunde lesen, rechnen und zuhören: Lernpatinnen und "
                "Lernpaten begleiten "
                "Kinder an Dülmener Grundschulen.",
                ["education", "children_youth"],
                ["tutoring"],
                "48249",
                "regular",
                ["mon-afternoon", "wed-afternoon"],
                "local",
                {"hours_per_week": 1, "with_children": True, "min_age": 16},
            ),
            (
                "Sprachförderung in der Kita",
                "Mit Kindern spielen, singen und sprechen: Unterstütze die Sprachförderung in "
                "zwei Dülmener Kitas.",
                ["education", "integration"],
                ["languages"],
                "48249",
                "regular",
                ["thu-morning"],
                "local",
                {"hours_per_week": 2, "with_children": True, "min_age": 18, "in_review": True},
            ),
        ],
    },
    {
        "ags": "05558016",
        "name": "Heimatverein Dülmen e. V.",
        "kind": "verein",
        "verified": True,
        "plz": "48249",
        "offers": [
            (
                "Helferinnen und Helfer für den Wildpferdefang",
                "Für das Wochenende des Wildpferdefangs im Merfelder Bruch suchen wir Helfende "
                "für Einlass, "
                "Information und Parkplatz.",
                ["heritage", "culture"],
                ["organising"],
                "48249",
                "one_off",
                "+40",
                "local",
                {"places": 30, "waitlist_open": True},
            ),
        ],
    },
    {
        "ags": "05558004",
        "name": "SV Herbern 1926 e. V.",
        "kind": "verein",
        "verified": False,
        "plz": "59387",
        "offers": [
            (
                "Übungsleitung Kinderturnen",
                "Für unsere Turngruppe der Vier- bis Sechsjährigen suchen wir Unterstützung am "
                "Samstagvormittag.",
                ["sport", "children_youth"],
                ["coaching"],
                "59387",
                "regular",
                ["sat-morning"],
                "local",
                {"hours_per_week": 2, "with_children": True, "min_age": 16},
            ),
        ],
    },
    {
        "ags": "05558008",
        "name": "Bürgerbus Billerbeck e. V.",
        "kind": "verein",
        "verified": True,
        "plz": "48727",
        "offers": [
            (
                "Fahrerin oder Fahrer für den Bürgerbus",
                "Der Bürgerbus verbindet die Bauerschaften mit der Innenstadt. Ein "
                "Personenbeförderungsschein "
                "wird vom Verein bezahlt.",
                ["social", "seniors"],
                ["driving_licence"],
                "48727",
                "regular",
                ["tue-morning", "thu-morning"],
                "local",
                {"hours_per_week": 4, "min_age": 21},
            ),
        ],
    },
    {
        "ags": "05558020",
        "name": "Naturschutzbund Havixbeck",
        "kind": "verein",
        "verified": False,
        "plz": "48329",
        "offers": [
            (
                "Kopfweiden pflegen in den Baumbergen",
                "Im Winter schneiden wir gemeinsam Kopfweiden und pflegen Streuobstwiesen. "
                "Werkzeug ist da.",
                ["environment"],
                ["gardening", "crafts"],
                "48329",
                "one_off",
                "+25",
                "local",
                {"places": 15},
            ),
        ],
    },
    {
        "ags": "05558024",
        "name": "Seniorenhilfe Lüdinghausen",
        "kind": "initiative",
        "verified": True,
        "plz": "59348",
        "offers": [
            (
                "Besuchsdienst für ältere Menschen",
                "Vorlesen, spazieren gehen, zuhören: Besuche einmal in der Woche eine ältere "
                "Person, die allein lebt.",
                ["seniors", "social"],
                ["care"],
                "59348",
                "regular",
                ["wed-afternoon", "sun-afternoon"],
                "local",
                {"hours_per_week": 2, "min_age": 16, "languages": ["de", "tr"]},
            ),
        ],
    },
    {
        "ags": "05558028",
        "name": "Schloss-Gymnasium Nordkirchen",
        "kind": "schule",
        "verified": False,
        "plz": "59394",
        "offers": [
            (
                "Hausaufgabenhilfe Mathematik",
                "Oberstufenschülerinnen und Ehrenamtliche helfen jüngeren Schülern bei den "
                "Hausaufgaben.",
                ["education", "children_youth"],
                ["tutoring"],
                "59394",
                "regular",
                ["tue-afternoon"],
                "local",
                {"hours_per_week": 2, "with_children": True, "min_age": 16},
            ),
        ],
    },
    {
        "ags": "05558032",
        "name": "Willkommen in Nottuln",
        "kind": "initiative",
        "verified": True,
        "plz": "48301",
        "offers": [
            (
                "Sprachcafé für Geflüchtete",
                "Bei Kaffee und Kuchen Deutsch sprechen üben: Wir suchen Menschen, die sich "
                "unterhalten möchten – "
                "gern auch mit Ukrainisch- oder Arabischkenntnissen.",
                ["integration"],
                ["languages"],
                "48301",
                "regular",
                ["thu-evening"],
                "local",
                {"hours_per_week": 2, "languages": ["de", "uk", "ar"]},
            ),
        ],
    },
    {
        "ags": "05558036",
        "name": "Kita St. Vitus Olfen",
        "kind": "kita",
        "verified": False,
        "plz": "59399",
        "offers": [
            (
                "Vorlesepatin oder Vorlesepate",
                "Einmal pro Woche vormittags Bilderbücher vorlesen – für Kinder von drei bis "
                "sechs Jahren.",
                ["education", "children_youth"],
                [],
                "59399",
                "regular",
                ["wed-morning"],
                "local",
                {"hours_per_week": 1, "with_children": True, "min_age": 18},
            ),
        ],
    },
    {
        "ags": "05558040",
        "name": "Musikverein Rosendahl e. V.",
        "kind": "verein",
        "verified": False,
        "plz": "48720",
        "offers": [
            (
                "Helfende für das Sommerkonzert",
                "Aufbau, Getränkeverkauf und Abbau beim Open-Air-Konzert im Ortskern von "
                "Osterwick.",
                ["culture"],
                ["organising", "cooking"],
                "48720",
                "one_off",
                "+60",
                "local",
                {"places": 12},
            ),
        ],
    },
    {
        "ags": "05558044",
        "name": "Repair Café Senden",
        "kind": "initiative",
        "verified": True,
        "plz": "48308",
        "offers": [
            (
                "Reparieren statt wegwerfen",
                "Jeden ersten Samstag im Monat reparieren wir Toaster, Fahrräder und Kleidung "
                "gemeinsam mit den "
                "Besitzerinnen und Besitzern.",
                ["environment", "social"],
                ["crafts", "it"],
                "48308",
                "regular",
                ["sat-morning"],
                "local",
                {"hours_per_week": 1},
            ),
        ],
    },
    {
        "ags": KREIS,
        "name": "Ehrenamtsagentur Kreis Coesfeld",
        "kind": "kommune",
        "verified": True,
        "plz": "48653",
        "offers": [
            (
                "Digitale Sprechstunde für Seniorinnen und Senioren",
                "Smartphone, Tablet und Online-Termine: Hilf älteren Menschen per Video oder "
                "Telefon. "
                "Geht bequem von zu Hause aus.",
                ["digital", "seniors"],
                ["it"],
                None,
                "regular",
                ["mon-evening", "wed-evening"],
                "kreis",
                {"hours_per_week": 1, "remote": True},
            ),
            (
                "Wahlhelferinnen und Wahlhelfer",
                "Für die nächste Wahl suchen alle Städte und Gemeinden im Kreis Menschen für die "
                "Wahlvorstände.",
                ["democracy"],
                ["organising"],
                "48653",
                "one_off",
                "+90",
                "kreis",
                {"places": 200, "min_age": 18},
            ),
        ],
    },
    {
        "ags": MUENSTER,
        "name": "Landesnetzwerk Bürgerschaftliches Engagement",
        "kind": "initiative",
        "verified": True,
        "plz": "48143",
        "offers": [
            (
                "Online-Mentoring für Vereinsvorstände",
                "Erfahrene Vorstände begleiten neue Vereinsvorstände in ganz NRW per "
                "Videogespräch: "
                "Finanzen, Satzung, Mitgliedergewinnung.",
                ["democracy", "digital"],
                ["bookkeeping", "organising"],
                None,
                "regular",
                ["tue-evening"],
                "land",
                {"hours_per_week": 1, "remote": True},
            ),
        ],
    },
    {
        # A private person (fictional): the open data shows "Privatperson" and only the
        # centre of the postcode area for this offer.
        "ags": "05558012",
        "name": "Hildegard Brökelmann",
        "kind": "privatperson",
        "verified": True,
        "plz": "48653",
        "offers": [
            (
                "Vorlesen für Kinder aus der Nachbarschaft",
                "Ich lese samstags Kindern aus der Nachbarschaft vor und suche jemanden, der "
                "sich mit mir abwechselt.",
                ["education", "children_youth"],
                ["tutoring"],
                "48653",
                "regular",
                ["sat-morning"],
                "local",
                {"hours_per_week": 1, "with_children": True, "min_age": 18},
            ),
        ],
    },
]

#: Demo volunteers: (AGS of the home tenant, e-mail, name, birth year, PLZ, fields, skills, slots)
VOLUNTEERS = [
    (
        "05558012",
        "lena.schulte@demo.rathaus.invalid",
        "Lena Schulte",
        1994,
        "48653",
        ["social", "environment"],
        ["driving_licence", "organising"],
        ["tue-afternoon", "sat-morning"],
    ),
    (
        "05558016",
        "mehmet.yilmaz@demo.rathaus.invalid",
        "Mehmet Yılmaz",
        1968,
        "48249",
        ["education", "integration"],
        ["tutoring", "languages"],
        ["mon-afternoon", "thu-evening"],
    ),
    (
        "05558024",
        "anna.brueggemann@demo.rathaus.invalid",
        "Anna Brüggemann",
        1957,
        "59348",
        ["seniors", "digital"],
        ["it", "care"],
        ["mon-evening", "wed-afternoon"],
    ),
]

#: Contact requests between demo volunteers and demo offers:
#: (AGS of the volunteer's tenant, e-mail, offer title, message, accepted by the organisation)
REQUESTS = [
    (
        "05558012",
        "lena.schulte@demo.rathaus.invalid",
        "Lebensmittel sortieren und ausgeben",
        "Hallo, ich habe dienstags nachmittags Zeit und würde gern mithelfen.",
        True,
    ),
    (
        "05558024",
        "anna.brueggemann@demo.rathaus.invalid",
        "Digitale Sprechstunde für Seniorinnen und Senioren",
        "Ich kenne mich mit Tablets gut aus und erkläre gern.",
        False,
    ),
]
