//! The table of canonical datasets (see `docs/datasets.md`).

use super::{Column, Dataset, Kind, Privacy};

const fn col(
    name: &'static str,
    kind: Kind,
    required: bool,
    aliases: &'static [&'static str],
) -> Column {
    Column {
        name,
        kind,
        required,
        privacy: Privacy::None,
        aliases,
    }
}

const fn personal(
    name: &'static str,
    privacy: Privacy,
    aliases: &'static [&'static str],
) -> Column {
    Column {
        name,
        kind: Kind::Text,
        required: false,
        privacy,
        aliases,
    }
}

const GEMEENTE: Column = col(
    "gemeente",
    Kind::Text,
    false,
    &["Gemeentenaam", "Organisatie"],
);

/// Address parts of a citizen: personal in the case datasets (not in meldingen, where the
/// address is the place of the problem in public space).
pub(super) const CITIZEN_ADDRESS: &[&str] = &[
    "adres",
    "straat",
    "straatnaam",
    "huisnummer",
    "huisnr",
    "toevoeging",
    "postcode",
    "woonplaats",
    "adresclient",
    "woonadres",
];

use Kind::*;

pub static DATASETS: &[Dataset] = &[
    Dataset {
        name: "meldingen",
        description: "meldingen openbare ruimte (Fixi, Signalen, MOR)",
        key: Some("melding_id"),
        personal_drop: &[],
        columns: &[
            GEMEENTE,
            col(
                "melding_id",
                Text,
                true,
                &[
                    "Meldingnummer",
                    "Meldingsnummer",
                    "Nummer",
                    "Melding ID",
                    "publicID",
                    "id",
                    "Zaaknummer",
                    "Melding nr",
                ],
            ),
            col(
                "datum_melding",
                Datetime,
                true,
                &[
                    "Datum melding",
                    "Meldingsdatum",
                    "Aangemaakt",
                    "Aangemaakt op",
                    "Gemeld op",
                    "created_at",
                    "created",
                    "Datum/tijd melding",
                ],
            ),
            col(
                "categorie",
                Text,
                true,
                &["Hoofdcategorie", "category", "Onderwerp", "main_category"],
            ),
            col(
                "subcategorie",
                Text,
                false,
                &["Sub categorie", "subcategory", "sub_category"],
            ),
            col("status", Text, false, &["externeStatus", "state"]),
            col(
                "datum_afgehandeld",
                Datetime,
                false,
                &[
                    "Datum afgehandeld",
                    "Afgehandeld op",
                    "Datum gereed",
                    "Datum afgerond",
                    "closed",
                    "resolved_date",
                    "Afgesloten op",
                ],
            ),
            col("wijk", Text, false, &["Wijknaam", "area", "stadsdeel"]),
            col("buurt", Text, false, &["Buurtnaam"]),
            col(
                "adres",
                Text,
                false,
                &["Straat", "Locatie", "address", "Straatnaam"],
            ),
            col("lat", Number, false, &["latitude", "breedtegraad"]),
            col("lon", Number, false, &["longitude", "lengtegraad", "lng"]),
            col("x", Number, false, &["X-coordinaat", "xcoord"]),
            col("y", Number, false, &["Y-coordinaat", "ycoord"]),
            col(
                "kanaal",
                Text,
                false,
                &["Bron", "source", "Herkomst", "Meldingskanaal"],
            ),
        ],
    },
    Dataset {
        name: "zaken_sociaal",
        description: "Wmo- en Jeugdzaken (en VTH-vergunningen): melding, aanvraag, beschikking",
        key: Some("zaak_id"),
        personal_drop: CITIZEN_ADDRESS,
        columns: &[
            GEMEENTE,
            col(
                "zaak_id",
                Text,
                true,
                &["Zaaknummer", "Dossiernummer", "Aanvraagnummer", "Zaak ID"],
            ),
            personal(
                "client_id",
                Privacy::Pseudonymised,
                &[
                    "BSN",
                    "Burgerservicenummer",
                    "Clientnummer",
                    "Client ID",
                    "BSN client",
                ],
            ),
            col(
                "wet",
                Text,
                true,
                &["Regeling", "Domein", "Wettelijk kader"],
            ),
            col(
                "product",
                Text,
                false,
                &["Voorziening", "Productcategorie", "Zaaktype"],
            ),
            col("team", Text, false, &["Wijkteam", "Afdeling"]),
            personal(
                "consulent",
                Privacy::Employee,
                &["Behandelaar", "Medewerker", "Casemanager"],
            ),
            col(
                "datum_melding",
                Date,
                false,
                &["Datum melding", "Meldingsdatum", "Ontvangstdatum"],
            ),
            col(
                "datum_aanvraag",
                Date,
                false,
                &["Datum aanvraag", "Aanvraagdatum"],
            ),
            col(
                "datum_start_onderzoek",
                Date,
                false,
                &["Start onderzoek", "Datum start onderzoek"],
            ),
            col(
                "datum_einde_onderzoek",
                Date,
                false,
                &["Einde onderzoek", "Datum verslag", "Datum einde onderzoek"],
            ),
            col(
                "datum_beschikking",
                Date,
                false,
                &[
                    "Datum beschikking",
                    "Besluitdatum",
                    "Datum besluit",
                    "Beschikkingsdatum",
                ],
            ),
            col(
                "opschorting_dagen",
                Integer,
                false,
                &["Opschorting", "Dagen opgeschort", "Opschortingsdagen"],
            ),
            col("verdaagd", Boolean, false, &["Verlengd", "Verdaging"]),
            col("uitkomst", Text, false, &["Resultaat", "Besluit"]),
        ],
    },
    Dataset {
        name: "inhuur_contracten",
        description: "contracten van ingehuurd personeel (inhuur)",
        key: Some("contract_id"),
        personal_drop: CITIZEN_ADDRESS,
        columns: &[
            GEMEENTE,
            col(
                "contract_id",
                Text,
                true,
                &[
                    "Contractnummer",
                    "Inkoopordernummer",
                    "Opdrachtnummer",
                    "Contract ID",
                ],
            ),
            col(
                "leverancier",
                Text,
                true,
                &["Crediteur", "Bureau", "Supplier", "Crediteurnaam"],
            ),
            personal(
                "inhuurkracht",
                Privacy::Pseudonymised,
                &[
                    "Naam",
                    "Medewerker",
                    "Kandidaat",
                    "Naam inhuurkracht",
                    "Inhuurkracht",
                ],
            ),
            col("functie", Text, false, &["Rol", "Omschrijving"]),
            col("afdeling", Text, false, &["Team", "Kostenplaats"]),
            col(
                "startdatum",
                Date,
                true,
                &["Ingangsdatum", "Start", "Begindatum"],
            ),
            // Empty or "tot nader order": open-ended (the 48-month rule of `inhuur`).
            col(
                "einddatum",
                Date,
                false,
                &["Tot", "Einde", "Einddatum contract"],
            ),
            col(
                "uurtarief",
                Money,
                false,
                &["Tarief", "Tarief excl btw", "Uurtarief excl btw"],
            ),
            col(
                "max_uren",
                Number,
                false,
                &["Uren", "Max uren", "Maximaal aantal uren"],
            ),
            col(
                "contractwaarde",
                Money,
                false,
                &["Opdrachtwaarde", "Budget", "Waarde"],
            ),
            col(
                "inkoopprocedure",
                Text,
                false,
                &["Procedure", "Inkoopprocedure"],
            ),
        ],
    },
    Dataset {
        name: "inhuur_facturen",
        description: "facturen van inhuur uit het financiele systeem (gerealiseerde kosten)",
        key: Some("factuur_id"),
        personal_drop: CITIZEN_ADDRESS,
        columns: &[
            GEMEENTE,
            col(
                "factuur_id",
                Text,
                true,
                &["Factuurnummer", "Boekstuknummer", "Factuur ID"],
            ),
            col(
                "contract_id",
                Text,
                false,
                &["Contractnummer", "Inkoopordernummer"],
            ),
            col(
                "leverancier",
                Text,
                true,
                &["Crediteur", "Crediteurnaam", "Supplier"],
            ),
            col("factuurdatum", Date, true, &["Boekdatum", "Datum factuur"]),
            col(
                "periode_van",
                Date,
                false,
                &["Periode van", "Prestatieperiode van"],
            ),
            col(
                "periode_tot",
                Date,
                false,
                &["Periode tot", "Prestatieperiode tot"],
            ),
            col(
                "bedrag",
                Money,
                true,
                &["Bedrag excl btw", "Netto", "Bedrag excl", "Netto bedrag"],
            ),
            col("uren", Number, false, &["Aantal uren"]),
            col("afdeling", Text, false, &["Kostenplaats", "Team"]),
        ],
    },
    Dataset {
        name: "reisdocumenten",
        description: "uitgegeven paspoorten en identiteitskaarten (voor de vernieuwingsprognose)",
        key: Some("document_id"),
        personal_drop: CITIZEN_ADDRESS,
        columns: &[
            GEMEENTE,
            personal(
                "document_id",
                Privacy::Pseudonymised,
                &["Documentnummer", "Document nr"],
            ),
            col(
                "soort",
                Text,
                true,
                &["Soort document", "Documentsoort", "Type document"],
            ),
            col(
                "datum_uitgifte",
                Date,
                true,
                &["Uitgiftedatum", "Datum verstrekking", "Datum uitgifte"],
            ),
            col(
                "geldig_tot",
                Date,
                false,
                &["Einddatum geldigheid", "Geldig tot"],
            ),
            col(
                "leeftijd_bij_uitgifte",
                Integer,
                false,
                &["Leeftijd", "Leeftijd bij uitgifte"],
            ),
            col("meerderjarig", Boolean, false, &["Volwassen"]),
        ],
    },
    Dataset {
        name: "projecten",
        description: "projectenlijst met start, eind en status (projecttijdlijn)",
        key: Some("project_id"),
        personal_drop: CITIZEN_ADDRESS,
        columns: &[
            GEMEENTE,
            col(
                "project_id",
                Text,
                true,
                &["Projectnummer", "Project ID", "Projectcode"],
            ),
            col("naam", Text, true, &["Projectnaam", "Project"]),
            col("startdatum", Date, true, &["Start", "Begindatum"]),
            col(
                "einddatum",
                Date,
                true,
                &["Eind", "Gepland gereed", "Einddatum gepland"],
            ),
            col("status", Text, false, &["Fase"]),
            personal(
                "eigenaar",
                Privacy::Employee,
                &["Projectleider", "Eigenaar", "Projectmanager"],
            ),
            col("budget", Money, false, &["Begroting"]),
            col("realisatie", Money, false, &["Besteed", "Realisatie"]),
        ],
    },
];
