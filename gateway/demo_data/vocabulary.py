"""Words the demo data is made of: countries, cities, people's names, institutions, streets."""

from __future__ import annotations

from dataclasses import dataclass


def _words(text: str) -> tuple[str, ...]:
    """A list written as text, one item per ``;``, so that long word lists stay compact."""
    return tuple(word.strip() for word in text.split(";") if word.strip())


# (first names, last names) by naming tradition.
_NAMES: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "maghreb": (
        _words("""
            Amina; Yacine; Karim; Nadia; Sofiane; Lina; Mohamed; Fatima; Rachid; Meriem; Walid;
            Imane; Samir; Leila; Hichem; Sarah; Omar; Asma; Riad; Nour; Mehdi; Yasmine; Farid;
            Houda; Anis; Khadidja; Nassim; Selma"""),
        _words("""
            Benali; Haddad; Boudiaf; Mansouri; Belkacem; Cherif; Zerrouki; Khelifi; Saadi;
            Bouzid; Hamidi; Brahimi; Meziane; Ait Ahmed; Belaid; Ouali; Rahmani; Benmoussa; Kaci;
            Larbi; Taleb; Djebbar; Ferhat; Amrani"""),
    ),
    "french": (
        _words("""
            Camille; Julien; Claire; Nicolas; Sophie; Thomas; Élodie; Mathieu; Chloé; Antoine;
            Manon; Hugo; Léa; Pierre; Isabelle; Olivier; Juliette; Maxime; Aurélie; Benoît;
            Gaëlle; François"""),
        _words("""
            Martin; Bernard; Dubois; Robert; Richard; Petit; Durand; Leroy; Moreau; Simon;
            Laurent; Lefèvre; Michel; Fournier; Girard; Bonnet; Dupont; Lambert; Rousseau; Faure;
            Mercier; Blanc"""),
    ),
    "anglo": (
        _words("""
            James; Emily; Michael; Sarah; David; Jessica; Daniel; Laura; Matthew; Hannah;
            Christopher; Rachel; Andrew; Megan; Ryan; Olivia; Jack; Charlotte; Liam; Grace; Noah;
            Chloe"""),
        _words("""
            Smith; Johnson; Williams; Brown; Jones; Miller; Davis; Wilson; Anderson; Taylor;
            Thomas; Moore; Clark; Walker; Hall; Young; King; Wright; Scott; Green; Baker; Evans;
            Turner; Campbell; O'Connor"""),
    ),
    "indian": (
        _words("""
            Aarav; Priya; Rohan; Ananya; Vikram; Sneha; Arjun; Kavya; Rahul; Divya; Aditya; Pooja;
            Karthik; Meera; Sanjay; Lakshmi; Nikhil; Shreya"""),
        _words("""
            Sharma; Patel; Iyer; Reddy; Nair; Gupta; Singh; Kumar; Menon; Rao; Joshi; Desai;
            Mehta; Chatterjee; Pillai; Bhat; D'Souza"""),
    ),
    "brazilian": (
        _words("""
            Lucas; Ana; Gabriel; Juliana; Rafael; Mariana; Pedro; Beatriz; Mateus; Larissa;
            Felipe; Camila; Thiago; Fernanda; Bruno; Isabela; João"""),
        _words("""
            Silva; Santos; Oliveira; Souza; Lima; Pereira; Costa; Ferreira; Almeida; Carvalho;
            Gomes; Ribeiro; Rodrigues; Martins; Araújo"""),
    ),
    "german": (
        _words("""
            Lukas; Anna; Felix; Lena; Jonas; Laura; Maximilian; Sophie; Paul; Hannah; Leon; Marie;
            Tobias; Katharina; Jürgen; Sabine"""),
        _words("""
            Müller; Schmidt; Schneider; Fischer; Weber; Meyer; Wagner; Becker; Schulz; Hoffmann;
            Koch; Richter; Klein; Wolf; Schäfer"""),
    ),
    "spanish": (
        _words("""
            Alejandro; Lucía; Pablo; María; Javier; Carmen; Sergio; Laura; Diego; Elena; Álvaro;
            Marta; Daniel; Paula; Iñaki"""),
        _words("""
            García; Fernández; González; Rodríguez; López; Martínez; Sánchez; Pérez; Gómez;
            Martín; Jiménez; Ruiz; Hernández; Díaz; Muñoz"""),
    ),
    "gulf": (
        _words("""
            Ahmed; Fatima; Khalid; Mariam; Omar; Aisha; Yousef; Noura; Hamdan; Latifa; Saeed;
            Hessa"""),
        _words("""
            Al Mansoori; Al Hashimi; Al Nuaimi; Al Falasi; Al Marri; Al Suwaidi; Al Zaabi;
            Al Ketbi; Al Shamsi; Al Dhaheri"""),
    ),
}


@dataclass(frozen=True, slots=True)
class Country:
    code: str  # ISO 3166-1 alpha-2
    name: str
    weight: int  # relative share of the demo's organizations
    names: str  # naming tradition, a key of _NAMES
    language: str  # a key of _INSTITUTIONS
    cities: tuple[str, ...]
    streets: tuple[str, ...]
    phone: str  # a people.fill pattern; fictional ranges where a country has them


_FR_STREETS = _words("""
    rue de la République; avenue Victor Hugo; boulevard Pasteur; rue Jean Jaurès;
    place de la Mairie; rue des Écoles; avenue de la Gare""")
_EN_STREETS = _words("""
    Main Street; College Avenue; Library Lane; High Street; Park Road; University Drive;
    Church Street; Station Road""")

COUNTRIES: tuple[Country, ...] = (
    Country(
        "DZ",
        "Algeria",
        24,
        "maghreb",
        "fr",
        _words("""
            Alger; Oran; Constantine; Annaba; Blida; Batna; Sétif; Tlemcen; Béjaïa; Tizi Ouzou;
            Biskra; Ouargla; Mostaganem; Djelfa; Skikda; Jijel; Ghardaïa; Tipaza; Médéa; Chlef;
            Boumerdès; Guelma"""),
        _words("""
            rue Didouche Mourad; boulevard Mohamed V; rue Larbi Ben M'hidi; avenue de l'ALN;
            rue Hassiba Ben Bouali; boulevard Zighout Youcef; cité universitaire"""),
        "+213 5## ## ## ##",
    ),
    Country(
        "FR",
        "France",
        12,
        "french",
        "fr",
        _words("""
            Paris; Lyon; Marseille; Toulouse; Lille; Bordeaux; Nantes; Strasbourg; Rennes;
            Montpellier; Grenoble; Dijon; Rouen; Nancy; Poitiers; Limoges; Angers"""),
        _FR_STREETS,
        "+33 6 ## ## ## ##",
    ),
    Country(
        "US",
        "United States",
        14,
        "anglo",
        "en",
        _words("""
            Springfield; Madison; Austin; Portland; Columbus; Ann Arbor; Boulder; Raleigh;
            Sacramento; Tucson; Albany; Burlington; Athens; Lincoln; Salem; Bloomington;
            Berkeley; Ithaca"""),
        _EN_STREETS,
        "+1 %##-555-01##",
    ),
    Country(
        "IN",
        "India",
        10,
        "indian",
        "en-in",
        _words("""
            Mumbai; Delhi; Bengaluru; Chennai; Hyderabad; Pune; Kolkata; Ahmedabad; Jaipur;
            Lucknow; Kochi; Bhopal; Mysuru"""),
        _words("MG Road; Station Road; Nehru Nagar; Gandhi Marg; Park Street"),
        "+91 9#### #####",
    ),
    Country(
        "BR",
        "Brazil",
        7,
        "brazilian",
        "pt",
        _words("""
            São Paulo; Rio de Janeiro; Belo Horizonte; Porto Alegre; Curitiba; Recife; Salvador;
            Fortaleza; Brasília; Campinas; Florianópolis"""),
        _words("Rua das Flores; Avenida Paulista; Rua XV de Novembro; Avenida Brasil"),
        "+55 11 9####-####",
    ),
    Country(
        "AU",
        "Australia",
        5,
        "anglo",
        "en",
        _words("""
            Sydney; Melbourne; Brisbane; Perth; Adelaide; Canberra; Hobart; Darwin; Newcastle;
            Geelong"""),
        _EN_STREETS,
        "+61 2 5550 ####",
    ),
    Country(
        "GB",
        "United Kingdom",
        6,
        "anglo",
        "en",
        _words("""
            London; Manchester; Leeds; Bristol; Edinburgh; Glasgow; Cardiff; York; Oxford;
            Norwich; Durham"""),
        _EN_STREETS,
        "+44 20 7946 0###",
    ),
    Country(
        "DE",
        "Germany",
        5,
        "german",
        "de",
        _words("""
            Berlin; Hamburg; München; Köln; Leipzig; Dresden; Heidelberg; Freiburg; Bonn;
            Münster; Göttingen"""),
        _words("Hauptstraße; Bahnhofstraße; Schillerstraße; Goethestraße; Lindenallee"),
        "+49 30 #######",
    ),
    Country(
        "CA",
        "Canada",
        5,
        "anglo",
        "en",
        _words("Toronto; Montréal; Vancouver; Ottawa; Calgary; Québec; Halifax; Winnipeg"),
        _EN_STREETS,
        "+1 %##-555-01##",
    ),
    Country(
        "MA",
        "Morocco",
        4,
        "maghreb",
        "fr",
        _words("Rabat; Casablanca; Fès; Marrakech; Tanger; Agadir; Oujda; Meknès"),
        _words("avenue Mohammed V; boulevard Hassan II; rue Ibn Battouta"),
        "+212 6## ## ## ##",
    ),
    Country(
        "TN",
        "Tunisia",
        3,
        "maghreb",
        "fr",
        _words("Tunis; Sfax; Sousse; Monastir; Bizerte; Gabès; Kairouan"),
        _words("avenue Habib Bourguiba; rue de Marseille; avenue de la Liberté"),
        "+216 2# ### ###",
    ),
    Country(
        "ES",
        "Spain",
        4,
        "spanish",
        "es",
        _words("Madrid; Barcelona; Valencia; Sevilla; Salamanca; Granada; Bilbao; Zaragoza"),
        _words("Calle Mayor; Avenida de la Constitución; Calle de Alcalá; Plaza de España"),
        "+34 6## ### ###",
    ),
    Country(
        "AE",
        "United Arab Emirates",
        3,
        "gulf",
        "en",
        _words("Dubai; Abu Dhabi; Sharjah; Al Ain; Ajman"),
        _words("Sheikh Zayed Road; Al Wasl Road; Corniche Road"),
        "+971 50 ### ####",
    ),
)
COUNTRY_BY_CODE = {country.code: country for country in COUNTRIES}
EURO_COUNTRIES = frozenset({"FR", "DE", "ES"})


def first_names(country: Country) -> tuple[str, ...]:
    return _NAMES[country.names][0]


def last_names(country: Country) -> tuple[str, ...]:
    return _NAMES[country.names][1]


# Institution name templates by language: (academic institutions, other libraries).
_INSTITUTIONS: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "fr": (
        _words("""
            Université de {city}; Université de {city} {n}; École normale supérieure de {city};
            Institut des sciences humaines de {city}; Centre universitaire de {city};
            École supérieure de bibliothéconomie de {city}"""),
        _words("""
            Bibliothèque municipale de {city}; Médiathèque de {city};
            Archives de la ville de {city}; Bibliothèque du CHU de {city};
            Centre culturel de {city}; Cabinet {last} & Associés; Fondation {last}"""),
    ),
    "en": (
        _words("""
            University of {city}; {city} State University; {city} Community College;
            {city} Institute of Technology; {city} College of Arts"""),
        _words("""
            {city} Public Library; {city} County Library System; {city} Medical Center Library;
            {last} Law Library; {city} Historical Society; {last} & Partners LLP"""),
    ),
    "en-in": (
        _words("""
            University of {city}; {city} Institute of Technology;
            {city} College of Arts and Science; National Law School, {city}"""),
        _words("{city} Public Library; {last} Research Foundation; {city} State Central Library"),
    ),
    "pt": (
        _words("""
            Universidade Federal de {city}; Universidade Estadual de {city};
            Instituto Federal de {city}"""),
        _words("Biblioteca Pública de {city}; Arquivo Municipal de {city}; Fundação {last}"),
    ),
    "de": (
        _words("Universität {city}; Hochschule {city}; Technische Hochschule {city}"),
        _words("Stadtbibliothek {city}; Landesarchiv {city}; Kanzlei {last}"),
    ),
    "es": (
        _words("Universidad de {city}; Universidad Politécnica de {city}"),
        _words("Biblioteca Municipal de {city}; Archivo Histórico de {city}; Fundación {last}"),
    ),
}
FACULTIES = _words("""
    Faculty of Letters; Faculty of Medicine; Faculty of Law; Faculty of Sciences;
    Faculty of Economics; Faculty of Humanities""")


def institution_templates(country: Country, *, academic: bool) -> tuple[str, ...]:
    academic_names, other_names = _INSTITUTIONS[country.language]
    return academic_names if academic else other_names


# Deployment entities (R-LIC-1: one license per library, faculty or campus).
ACADEMIC_ENTITIES = _words("""
    Central Library; Faculty of Letters; Faculty of Medicine; Faculty of Law; Faculty of Sciences;
    Faculty of Economics; School of Engineering Library; Institute of Archaeology; Doctoral School;
    Language Centre; North Campus Library; Main Campus Library; Faculty of Humanities;
    Music Library""")
OTHER_ENTITIES = _words("""
    Central Library; Main Branch; East Branch; West Branch; Children's Library;
    Heritage Collection; Municipal Archives; Research Library; Legal Department; Medical Library;
    Media Library; Mobile Library Service; Reading Room""")

# Card brands with the last 4 digits of the processors' test cards.
CARD_BRANDS: tuple[tuple[str, str], ...] = (
    ("visa", "4242"),
    ("visa", "1881"),
    ("mastercard", "4444"),
    ("mastercard", "5100"),
    ("amex", "8431"),
)
