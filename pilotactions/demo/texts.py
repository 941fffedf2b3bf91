"""What the demo's people write: actions the report describes, indicators, follow-up assessments and exchanges.

The ordinary actions take their titles, descriptions and objectives from the per-sub-theme vocabularies of
`pilotactions.demo.generator`; this module adds the actions the report itself tells about (the Nord's
bus des droits, the mobile team of Seine-Maritime, the halte-garderie of Indre-et-Loire and Tours
Métropole's mobility platform…), the indicators of each sub-theme, and the words of the 2024 follow-up
campaign (assessments, difficulties, comments between the State services and the authorities).
"""

# --- Actions the report tells about (pinned on their authority) ------------------------------------
# Keys: the action's fields as codes; `weight` is its budget relative to the authority's other actions;
# `financers` its third-party financers (cofinanceurs_cls), `place` the commune its bassin de vie centres on.

SHOWCASE = {
    "59": [
        {
            "title": "Référents de parcours pour les familles monoparentales",
            "description": "Des référents de parcours accompagnent les parents isolés bénéficiaires du RSA vers "
            "l’emploi, la garde d’enfants et l’accès aux droits, en lien avec la Caf et France Travail.",
            "objectives": [
                "Proposer un référent unique à chaque parent isolé allocataire du RSA",
                "Trouver une solution de garde dans le mois qui suit l’entrée dans le parcours",
                "Augmenter les sorties vers l’emploi ou la formation",
            ],
            "axis": "AXE1",
            "subtheme": "A1_PARENTALITE",
            "scale": "ECH_DEPARTEMENTALE",
            "implementation": "MO_COLLECTIVITE",
            "qpv": "OUI_EN_PARTIE",
            "rural": "OUI_EN_PARTIE",
            "fields": ["CAP_CLS_21", "CAP_CLS_18", "CAP_CLS_12"],
            "types": ["TA_ETP_ACCOMPAGNEMENT"],
            "publics": ["PUB_FAMILLES_MONOPARENTALES", "PUB_MINIMA_SOCIAUX", "AGE_ADULTE_30P"],
            "pilot": ("PIL_COLLECTIVITE", "Département du Nord – direction enfance-famille"),
            "weight": 1.6,
        },
        {
            "title": "Bus des droits itinérant dans l’Avesnois",
            "description": "Un bus aménagé sillonne les communes rurales de l’Avesnois : accès aux droits, "
            "démarches en ligne et orientation vers les services sociaux, avec des permanences de la Caf, de la "
            "CPAM et de France Travail.",
            "objectives": [
                "Aller au-devant des habitants éloignés des services publics",
                "Réduire le non-recours aux droits sociaux",
                "Accompagner les démarches en ligne",
            ],
            "axis": "AXE3",
            "subtheme": "A3_REPERAGE_ALLER_VERS",
            "scale": "ECH_BASSIN_VIE",
            "place": "Avesnes-sur-Helpe",
            "implementation": "MO_PARTAGEE",
            "qpv": "NON",
            "rural": "OUI_EXCLUSIVEMENT",
            "fields": ["CAP_CLS_21", "CAP_CLS_11"],
            "types": ["TA_ALLER_VERS"],
            "publics": ["AGE_ADULTE_30P", "PUB_MINIMA_SOCIAUX"],
            "pilot": ("PIL_COLLECTIVITE", "Département du Nord – direction de l’action sociale territoriale"),
            "weight": 0.8,
        },
    ],
    "93": [
        {
            "title": "Maraudes sociales renforcées et mise à l’abri des familles à la rue",
            "description": "Deux équipes de maraude supplémentaires, en lien avec le SIAO, vont au-devant des "
            "familles avec enfants sans solution d’hébergement et organisent leur mise à l’abri.",
            "objectives": [
                "Aucune famille avec enfants laissée à la rue",
                "Orienter chaque famille rencontrée vers une solution d’hébergement dans la semaine",
            ],
            "axis": "AXE3",
            "subtheme": "A3_REPERAGE_ALLER_VERS",
            "scale": "ECH_DEPARTEMENTALE",
            "implementation": "MO_OPERATEUR_TIERS",
            "qpv": "OUI_EN_PARTIE",
            "rural": "NON",
            "fields": ["CAP_CLS_09", "CAP_CLS_20", "CAP_CLS_21"],
            "types": ["TA_ALLER_VERS"],
            "publics": ["PUB_RUE_MAL_LOGEMENT", "PUB_PARENTS"],
            "pilot": ("PIL_ASSOCIATION", "SIAO de la Seine-Saint-Denis"),
            "weight": 1.3,
        },
    ],
    "33": [
        {
            "title": "Prévention des expulsions locatives : commission de coordination renforcée",
            "description": "Renfort de l’équipe de prévention des expulsions et visites à domicile dès le premier "
            "impayé, avec la Caf et les bailleurs sociaux.",
            "objectives": [
                "Intervenir dès le premier impayé de loyer",
                "Réduire le nombre de concours de la force publique",
            ],
            "axis": "AXE3",
            "subtheme": "A3_EXPULSIONS",
            "scale": "ECH_DEPARTEMENTALE",
            "implementation": "MO_COLLECTIVITE",
            "qpv": "OUI_EN_PARTIE",
            "rural": "OUI_EN_PARTIE",
            "fields": ["CAP_CLS_20", "CAP_CLS_03"],
            "types": ["TA_ETP_ACCOMPAGNEMENT"],
            "publics": ["PUB_RUE_MAL_LOGEMENT", "AGE_ADULTE_30P"],
            "pilot": ("PIL_COLLECTIVITE", "Département de la Gironde – direction de l’habitat et du logement"),
            "financers": ["COF_07"],
            "weight": 1.2,
        },
    ],
    "76": [
        {
            "title": "Dispositif mobile d’accès aux droits dans les territoires ruraux",
            "description": "Expérimentation d’un dispositif mobile composé d’un conseiller numérique, d’un "
            "secrétaire médico-social et d’un travailleur social, qui aide les habitants des zones rurales dans "
            "leurs démarches pour lutter contre le non-recours, les difficultés de mobilité et l’illectronisme.",
            "objectives": [
                "Réduire le non-recours dans les communes rurales",
                "Accompagner les démarches en ligne des personnes éloignées du numérique",
                "Évaluer l’expérimentation avant son extension",
            ],
            "axis": "AXE3",
            "subtheme": "A3_REPERAGE_ALLER_VERS",
            "scale": "ECH_DEPARTEMENTALE",
            "implementation": "MO_COLLECTIVITE",
            "qpv": "NON",
            "rural": "OUI_EXCLUSIVEMENT",
            "fields": ["CAP_CLS_21", "CAP_CLS_11", "CAP_CLS_19"],
            "types": ["TA_ALLER_VERS", "TA_ETP_ACCOMPAGNEMENT"],
            "publics": ["AGE_ADULTE_30P", "PUB_MINIMA_SOCIAUX"],
            "pilot": ("PIL_COLLECTIVITE", "Département de la Seine-Maritime – direction de l’action sociale"),
            "weight": 1.4,
        },
    ],
    "37": [
        {
            "title": "Halte-garderie pour les parents en parcours d’insertion professionnelle",
            "description": "Une halte-garderie réserve ses places aux enfants de parents en formation ou en "
            "reprise d’emploi ; Tours Métropole et la Caf en cofinancent le fonctionnement.",
            "objectives": [
                "Lever le frein de la garde d’enfants dans les parcours d’insertion",
                "Accueillir l’enfant dans la semaine qui suit l’entrée en formation du parent",
            ],
            "axis": "AXE1",
            "subtheme": "A1_PARENTALITE",
            "scale": "ECH_INTERCOMMUNALE",
            "implementation": "MO_OPERATEUR_TIERS",
            "qpv": "OUI_EN_PARTIE",
            "rural": "NON",
            "fields": ["CAP_CLS_12", "CAP_CLS_18"],
            "types": ["TA_OFFRE_SERVICES"],
            "publics": ["PUB_PARENTS", "PUB_FAMILLES_MONOPARENTALES", "AGE_PETITE_ENFANCE"],
            "place": "Tours Métropole Val de Loire",
            "pilot": ("PIL_COLLECTIVITE", "CCAS de Tours"),
            "financers": ["COF_04", "COF_07"],
            "weight": 1.8,
        },
    ],
    "243700754": [
        {
            "title": "Plateforme mobilité : location de véhicules et conseil en mobilité pour les personnes en insertion",
            "description": "La plateforme mobilité du conseil départemental ouvre une antenne métropolitaine : "
            "diagnostic mobilité, location de scooters et de voitures à petit prix, aide au permis de conduire.",
            "objectives": [
                "Lever le frein de la mobilité dans l’accès à l’emploi",
                "Proposer une solution de déplacement à chaque personne accompagnée",
            ],
            "axis": "AXE4",
            "subtheme": "A4_MOBILITE",
            "scale": "ECH_INTERCOMMUNALE",
            "implementation": "MO_OPERATEUR_TIERS",
            "qpv": "OUI_EN_PARTIE",
            "rural": "NON",
            "fields": ["CAP_CLS_13", "CAP_CLS_18"],
            "types": ["TA_OFFRE_SERVICES"],
            "publics": ["PUB_DEMANDEURS_EMPLOI", "PUB_MINIMA_SOCIAUX", "AGE_JEUNE_18_30"],
            "pilot": ("PIL_ASSOCIATION", "Plateforme mobilité d’Indre-et-Loire"),
            "financers": ["COF_02"],
            "weight": 1.5,
        },
    ],
    "200093201": [
        {
            "title": "Épiceries solidaires et paniers de produits frais dans les quartiers prioritaires",
            "description": "Soutien à six épiceries solidaires de la métropole et distribution de paniers de "
            "produits frais achetés aux producteurs locaux.",
            "objectives": [
                "Améliorer la qualité de l’alimentation des ménages modestes",
                "Soutenir les circuits courts",
            ],
            "axis": "AXE4",
            "subtheme": "A4_ALIMENTATION",
            "scale": "ECH_COMMUNALE",
            "implementation": "MO_OPERATEUR_TIERS",
            "qpv": "OUI_EXCLUSIVEMENT",
            "rural": "NON",
            "fields": ["CAP_CLS_16", "CAP_CLS_19"],
            "types": ["TA_OFFRE_SERVICES"],
            "publics": ["PUB_MINIMA_SOCIAUX", "PUB_PARENTS", "AGE_ADULTE_30P"],
            "financers": ["COF_05"],
            "weight": 0.8,
        },
    ],
}

# --- Indicators, per sub-theme -----------------------------------------------------------------------
# (label, unit, target): "people" derives the target from the action's beneficiaries; a pair is a range.

INDICATORS = {
    "A1_PARENTALITE": [
        ("Familles accompagnées", "familles", "people"),
        ("Places d’accueil réservées aux parents en insertion", "places", (6, 40)),
        ("Ateliers parents-enfants organisés", "ateliers", (20, 160)),
    ],
    "A1_DECROCHAGE": [
        ("Jeunes repérés et accompagnés", "jeunes", "people"),
        ("Jeunes raccrochés à une formation ou à la scolarité", "jeunes", (20, 300)),
    ],
    "A1_CULTURE_LOISIRS": [
        ("Enfants ayant bénéficié d’un départ ou d’une activité", "enfants", "people"),
        ("Séjours ou activités proposés", "séjours", (10, 80)),
    ],
    "A1_AUTONOMIE_JEUNES": [
        ("Jeunes accompagnés", "jeunes", "people"),
        ("Jeunes majeurs sortant de l’ASE sans solution", "jeunes", (0, 5)),
        ("Jeunes accédant à un logement autonome", "jeunes", (10, 150)),
    ],
    "A1_SANTE_ENFANTS": [
        ("Enfants et jeunes reçus", "personnes", "people"),
        ("Bilans de santé réalisés", "bilans", (100, 2500)),
    ],
    "A1_AUTRE": [
        ("Familles accompagnées", "familles", "people"),
        ("Mesures de placement évitées", "enfants", (5, 60)),
    ],
    "A2_FREINS_SOCIAUX": [
        ("Personnes accompagnées", "personnes", "people"),
        ("Sorties vers l’emploi ou la formation", "personnes", (20, 400)),
    ],
    "A2_PUBLICS_VULNERABLES": [
        ("Personnes accompagnées", "personnes", "people"),
        ("Heures de travail réalisées en chantier", "heures", (2000, 40000)),
    ],
    "A3_REPERAGE_ALLER_VERS": [
        ("Personnes rencontrées", "personnes", "people"),
        ("Permanences ou tournées réalisées", "permanences", (40, 400)),
        ("Droits ouverts à la suite d’un contact", "droits", (50, 1500)),
    ],
    "A3_OFFRE_ACCOMPAGNEMENT": [
        ("Personnes accompagnées", "personnes", "people"),
        ("Délai moyen du premier rendez-vous", "jours", (5, 21)),
    ],
    "A3_PARTENARIATS_ACCES_DROITS": [
        ("Partenaires signataires de la charte d’accueil", "partenaires", (8, 45)),
        ("Accueillants formés", "professionnels", (20, 300)),
    ],
    "A3_ECHANGE_DONNEES": [
        ("Ménages repérés par croisement des données", "ménages", (200, 3000)),
        ("Ménages ayant ouvert un droit", "ménages", (50, 800)),
    ],
    "A3_EXPULSIONS": [
        ("Ménages accompagnés dès le premier impayé", "ménages", "people"),
        ("Expulsions avec concours de la force publique", "ménages", (5, 120)),
    ],
    "A3_BIDONVILLES": [
        ("Personnes accompagnées sur les lieux de vie", "personnes", "people"),
        ("Enfants scolarisés", "enfants", (10, 120)),
    ],
    "A3_SOUTIEN_PROFESSIONNELS": [
        ("Professionnels formés", "professionnels", (30, 400)),
        ("Séances d’analyse des pratiques", "séances", (10, 80)),
    ],
    "A3_AUTRE": [
        ("Personnes accueillies", "personnes", "people"),
        ("Nuitées ou passages", "passages", (500, 12000)),
    ],
    "A4_PRECARITE_ENERGETIQUE": [
        ("Ménages visités", "ménages", "people"),
        ("Dossiers de rénovation engagés", "dossiers", (10, 150)),
    ],
    "A4_MOBILITE": [
        ("Personnes ayant bénéficié d’une solution de mobilité", "personnes", "people"),
        ("Permis de conduire obtenus", "permis", (10, 120)),
    ],
    "A4_ALIMENTATION": [
        ("Foyers bénéficiaires", "foyers", "people"),
        ("Part des produits frais ou locaux distribués", "%", (20, 60)),
    ],
    "A4_AUTRE": [
        ("Ménages bénéficiaires", "ménages", "people"),
        ("Objets remis en circulation", "objets", (500, 8000)),
    ],
    "STEERING": [
        ("Comités de pilotage du contrat réunis", "réunions", (2, 4)),
        ("Actions du contrat suivies dans le tableau de bord", "%", (80, 100)),
    ],
}

# --- The 2024 follow-up campaign -------------------------------------------------------------------

ASSESSMENTS = {
    "AV_EN_COURS": [
        "Action lancée au premier trimestre ; la montée en charge suit le calendrier et les partenariats avec la "
        "Caf et les CCAS sont en place.",
        "Le dispositif fonctionne sur l’essentiel du territoire ; deux secteurs restent à couvrir en 2025.",
        "Fréquentation en hausse depuis la rentrée ; l’équipe est au complet depuis septembre.",
        "Premiers résultats encourageants : les orientations vers les partenaires ont doublé au second semestre.",
    ],
    "AV_TERMINEE": [
        "Action menée à son terme en 2024 ; le bilan qualitatif a été présenté au comité de pilotage de décembre.",
        "Objectifs atteints ; l’action est reprise dans le droit commun du département en 2025.",
    ],
    "AV_A_PEINE_LANCEE": [
        "Le marché a été attribué à l’automne : l’action démarre réellement en janvier 2025.",
        "Recrutement finalisé en novembre ; les premières personnes ont été reçues en décembre.",
    ],
    "AV_NON_DEMARREE": [
        "Le partenaire porteur s’est retiré ; un nouvel appel à projets est lancé au premier trimestre 2025.",
        "Démarrage reporté à 2025, dans l’attente de la convention avec la Caf.",
    ],
    "AV_ABANDONNEE": [
        "Action abandonnée : le besoin est désormais couvert par un dispositif national ; les crédits seront "
        "redéployés par avenant.",
    ],
}
DIFFICULTIES = [
    "Recrutements plus longs que prévu.",
    "Difficulté à mobiliser les partenaires associatifs en milieu rural.",
    "Locaux disponibles tardivement.",
    "Délais de conventionnement avec les opérateurs.",
    "Turn-over dans l’équipe au second semestre.",
    "",
    "",
]

# People who exchange on the follow-up dossiers (same demo password as the other demo accounts).
# authority code, (e-mail, first name, last name) of its référent, département of the State service,
# (e-mail, first name, last name) of the State service's agent (None: the existing demo account).
EXCHANGE_PEOPLE = [
    ("69M", ("referent.lyon", "Camille", "Rousset"), "69", ("ddets.rhone", "Pierre", "Chabert")),
    ("13", ("referent.bouches-du-rhone", "Karima", "Haddad"), "13", ("ddets.bouches-du-rhone", "Julien", "Giraud")),
    ("243100518", ("referent.toulouse-metropole", "Laure", "Fabre"), "31", ("ddets.haute-garonne", "Marc", "Delmas")),
    ("35", ("referent.ille-et-vilaine", "Yann", "Le Goff"), "35", ("ddets.ille-et-vilaine", "Anne", "Morvan")),
    (
        "244400404",
        ("referent.nantes-metropole", "Sophie", "Guérin"),
        "44",
        ("ddets.loire-atlantique", "Hugo", "Bretin"),
    ),
    ("62", ("referent.pas-de-calais", "Céline", "Lemaire"), "62", ("ddets.pas-de-calais", "François", "Delattre")),
    ("38", ("referent.isere", "Nicolas", "Perrin"), "38", ("ddets.isere", "Élodie", "Vial")),
    ("33", ("referent.gironde", "Isabelle", "Duprat"), "33", None),
]

# The exchanges: authority code → the steps of its follow-up dossier, in order. `{action}` is replaced by
# the title of the action the comment points at (the action of the given sub-theme, or the first one).
EXCHANGES = {
    "69M": [
        (
            "return",
            "state",
            "A1_AUTONOMIE_JEUNES",
            "Pour l’action « {action} », les dépenses réalisées de la "
            "métropole dépassent le budget prévu : pouvez-vous vérifier le montant saisi ?",
        ),
        (
            "comment",
            "authority",
            "A1_AUTONOMIE_JEUNES",
            "Il s’agissait d’une erreur de saisie (un zéro de trop) ; "
            "c’est corrigé. Nous avons aussi complété le bilan qualitatif.",
        ),
        ("submit",),
        ("validate", "Merci pour la correction : suivi 2024 validé."),
    ],
    "13": [
        (
            "return",
            "state",
            "A3_BIDONVILLES",
            "L’action « {action} » est indiquée « terminée » alors que la "
            "convention court jusqu’en 2027 : s’agit-il de la première phase ? Merci de préciser l’état d’avancement "
            "et le nombre de personnes accompagnées.",
        ),
        (
            "comment",
            "authority",
            "A3_BIDONVILLES",
            "C’est bien la première phase (diagnostic des lieux de vie). Nous "
            "corrigeons l’état d’avancement et ajoutons les 64 personnes accompagnées depuis septembre.",
        ),
    ],
    "243100518": [
        (
            "return",
            "state",
            None,
            "Le bilan qualitatif de trois actions portées par des communes tient en deux "
            "mots : pouvez-vous le compléter (réalisations, publics touchés, difficultés) avant de soumettre de "
            "nouveau ?",
        ),
        (
            "comment",
            "authority",
            None,
            "Les communes nous ont transmis leurs bilans, ils sont saisis. Nous soumettons de nouveau le dossier.",
        ),
        ("submit",),
    ],
    "35": [
        (
            "comment",
            "authority",
            "A3_OFFRE_ACCOMPAGNEMENT",
            "L’action « {action} » a démarré en octobre seulement "
            "(recrutement des travailleurs sociaux) : les dépenses 2024 sont donc faibles, le solde sera engagé en 2025.",
        ),
        ("submit",),
        ("validate", "Suivi validé ; le report des crédits 2024 sera examiné au comité de pilotage de mars."),
    ],
    "244400404": [
        (
            "comment",
            "authority",
            None,
            "Les quatorze communes porteuses ont saisi leurs actions ; la métropole a "
            "vérifié les montants avant soumission.",
        ),
        ("submit",),
        (
            "comment",
            "state",
            None,
            "Bien reçu, nous examinons le dossier cette semaine avec le commissaire à la lutte contre la pauvreté.",
        ),
    ],
    "62": [
        (
            "return",
            "state",
            None,
            "Les montants réalisés de l’État dépassent ceux de la maquette pour deux actions : "
            "merci de reprendre les dépenses réalisées à partir des bilans financiers des opérateurs.",
        ),
    ],
    "38": [
        ("submit",),
        ("validate", "Suivi complet, merci. Les indicateurs de l’aller vers seront présentés au comité départemental."),
        (
            "reopen",
            "Le département signale après validation que les bénéficiaires touchés de deux actions ont été "
            "comptés deux fois : dossier rouvert pour qu’il corrige avant la clôture.",
        ),
    ],
    "33": [
        (
            "comment",
            "authority",
            "A3_EXPULSIONS",
            "Pour « {action} », la Caf a confirmé son cofinancement pour "
            "2025 : nous l’indiquerons dans la maquette au prochain avenant.",
        ),
        ("submit",),
        ("validate", "Suivi 2024 validé, merci pour la qualité des bilans."),
    ],
}

# Articles before a pilot's name (« portée par le CCAS de Rezé »), by the name's first word(s).
ARTICLES = [
    ("Association ", "l’"),
    ("Agence ", "l’"),
    ("ADIL ", "l’"),
    ("UDAF ", "l’"),
    ("École ", "l’"),
    ("Épicerie ", "l’"),
    ("Entreprise ", "l’"),
    ("Eurométropole ", "l’"),
    ("Apprentis ", ""),
    ("Habitat ", ""),
    ("France Travail", ""),
    ("Restos ", "les "),
    ("Compagnons ", "les "),
    ("Ville de Paris", "la "),
    ("Ville ", "la "),
    ("Caf ", "la "),
    ("CPAM ", "la "),
    ("MSA ", "la "),
    ("Mission locale ", "la "),
    ("Maison ", "la "),
    ("Banque ", "la "),
    ("Plateforme ", "la "),
    ("Fondation ", "la "),
    ("Croix-Rouge ", "la "),
    ("Collectivité ", "la "),
    ("Métropole ", "la "),
    ("CU ", "la "),
    ("CA ", "la "),
    ("Régie ", "la "),
    ("SCIC ", "la "),
    ("Direction ", "la "),
    ("CCAS ", "le "),
    ("CIAS ", "le "),
    ("CIDFF ", "le "),
    ("SIAO ", "le "),
    ("Département ", "le "),
    ("Centre ", "le "),
    ("Foyer ", "le "),
    ("Garage ", "le "),
    ("Groupement ", "le "),
    ("Secours ", "le "),
    ("Samu ", "le "),
    ("Service ", "le "),
]


def with_article(name: str) -> str:
    for prefix, article in ARTICLES:
        if name.startswith(prefix):
            return f"{article}{name}"
    return name
