/* The demo sector's static tables. Library names follow the way Dutch public
 * libraries call themselves ("Bibliotheek <town or region>", a few house
 * names); places and provinces are right, sizes (FTE x 10) are estimates that
 * only need to look like the sector: 1.3 to 200 FTE, a few big city libraries,
 * many small regional ones. The last four providers are invented. */
#include "domain/demo_data.h"

#define N(a) (sizeof(a) / sizeof((a)[0]))

#define GR "Groningen"
#define FR "Fryslân"
#define DR "Drenthe"
#define OV "Overijssel"
#define FL "Flevoland"
#define GE "Gelderland"
#define UT "Utrecht"
#define NH "Noord-Holland"
#define ZH "Zuid-Holland"
#define ZE "Zeeland"
#define NB "Noord-Brabant"
#define LI "Limburg"

const struct demo_org_def demo_campus = {"Campus Bibliotheekbranche", "Den Haag", ZH, 6, "campus"};

const struct demo_org_def demo_libraries[] = {
    /* Groningen */
    {"Bibliotheek Groningen", "Groningen", GR, 950, NULL},
    {"Bibliotheek Het Hogeland", "Winsum", GR, 95, NULL},
    {"Bibliotheek Westerkwartier", "Leek", GR, 110, NULL},
    {"Bibliotheek Midden-Groningen", "Hoogezand", GR, 100, NULL},
    {"Bibliotheek Eemsdelta", "Delfzijl", GR, 85, NULL},
    {"Bibliotheek Oldambt", "Winschoten", GR, 70, NULL},
    {"Bibliotheek Veendam", "Veendam", GR, 55, NULL},
    /* Fryslân */
    {"DBieb", "Leeuwarden", FR, 450, NULL},
    {"Bibliotheek Zuidwest Friesland", "Sneek", FR, 220, NULL},
    {"Bibliotheek Smallingerland", "Drachten", FR, 140, NULL},
    {"Bibliotheek Heerenveen", "Heerenveen", FR, 120, NULL},
    {"Bibliotheken Noardeast-Fryslân", "Dokkum", FR, 100, NULL},
    {"Bibliotheek Opsterland", "Gorredijk", FR, 50, NULL},
    {"Bibliotheek Weststellingwerf", "Wolvega", FR, 45, NULL},
    {"Bibliotheek Ameland", "Nes", FR, 15, NULL},
    {"Bibliotheek Terschelling", "West-Terschelling", FR, 13, NULL},
    /* Drenthe */
    {"Bibliotheek Assen", "Assen", DR, 160, NULL},
    {"Bibliotheek Emmen", "Emmen", DR, 200, NULL},
    {"Bibliotheek Hoogeveen", "Hoogeveen", DR, 110, NULL},
    {"Bibliotheek Meppel", "Meppel", DR, 80, NULL},
    {"Bibliotheek Coevorden", "Coevorden", DR, 50, NULL},
    {"Bibliotheek Tynaarlo", "Vries", DR, 50, NULL},
    {"Bibliotheek Midden-Drenthe", "Beilen", DR, 45, NULL},
    /* Overijssel */
    {"Stadkamer Zwolle", "Zwolle", OV, 350, NULL},
    {"Bibliotheek Deventer", "Deventer", OV, 250, NULL},
    {"Bibliotheek Enschede", "Enschede", OV, 340, NULL},
    {"Bibliotheek Hengelo", "Hengelo", OV, 180, NULL},
    {"Bibliotheek Almelo", "Almelo", OV, 130, NULL},
    {"Bibliotheek Kampen", "Kampen", OV, 70, NULL},
    {"Bibliotheek Rijssen-Holten", "Rijssen", OV, 40, NULL},
    {"Bibliotheek Hof van Twente", "Goor", OV, 35, NULL},
    {"Bibliotheek Oldenzaal", "Oldenzaal", OV, 45, NULL},
    {"Bibliotheek Salland", "Raalte", OV, 60, NULL},
    {"Bibliotheek Hardenberg", "Hardenberg", OV, 70, NULL},
    {"Bibliotheek Steenwijkerland", "Steenwijk", OV, 40, NULL},
    {"Bibliotheek Hellendoorn", "Nijverdal", OV, 40, NULL},
    /* Flevoland */
    {"De Nieuwe Bibliotheek Almere", "Almere", FL, 600, NULL},
    {"Bibliotheek Lelystad", "Lelystad", FL, 100, NULL},
    {"Bibliotheek Dronten", "Dronten", FL, 50, NULL},
    {"Bibliotheek Noordoostpolder", "Emmeloord", FL, 50, NULL},
    {"Bibliotheek Zeewolde", "Zeewolde", FL, 25, NULL},
    {"Bibliotheek Urk", "Urk", FL, 20, NULL},
    /* Gelderland */
    {"Bibliotheek Arnhem", "Arnhem", GE, 450, NULL},
    {"Bibliotheek Gelderland Zuid", "Nijmegen", GE, 650, NULL},
    {"CODA Apeldoorn", "Apeldoorn", GE, 450, NULL},
    {"Bibliotheek Ede", "Ede", GE, 150, NULL},
    {"Bibliotheek Rivierenland", "Tiel", GE, 130, NULL},
    {"Bibliotheek Veluwezoom", "Velp", GE, 80, NULL},
    {"Bibliotheek Zutphen", "Zutphen", GE, 60, NULL},
    {"Bibliotheek West-Achterhoek", "Doetinchem", GE, 90, NULL},
    {"Bibliotheek Oost-Achterhoek", "Groenlo", GE, 50, NULL},
    {"Bibliotheek Montferland", "Didam", GE, 30, NULL},
    {"Bibliotheek Noordwest-Veluwe", "Harderwijk", GE, 80, NULL},
    {"Bibliotheek Barneveld", "Barneveld", GE, 55, NULL},
    {"Bibliotheek Nijkerk", "Nijkerk", GE, 40, NULL},
    {"Bibliotheek Wageningen", "Wageningen", GE, 45, NULL},
    {"Bibliotheek Lingewaard", "Bemmel", GE, 35, NULL},
    {"Bibliotheek Liemers", "Zevenaar", GE, 60, NULL},
    {"Bibliotheek Bommelerwaard", "Zaltbommel", GE, 45, NULL},
    {"Bibliotheek West-Betuwe", "Geldermalsen", GE, 40, NULL},
    {"Bibliotheek Wijchen", "Wijchen", GE, 40, NULL},
    /* Utrecht */
    {"De Bibliotheek Utrecht", "Utrecht", UT, 1500, NULL},
    {"Bibliotheek Eemland", "Amersfoort", UT, 380, NULL},
    {"Bibliotheek Nieuwegein", "Nieuwegein", UT, 110, NULL},
    {"Bibliotheek Veenendaal", "Veenendaal", UT, 70, NULL},
    {"Bibliotheek Zeist", "Zeist", UT, 60, NULL},
    {"Bibliotheek Zuidoost Utrecht", "Driebergen-Rijsenburg", UT, 60, NULL},
    {"Theek 5", "Wijk bij Duurstede", UT, 45, NULL},
    {"Bibliotheek Soest", "Soest", UT, 45, NULL},
    {"Bibliotheek Stichtse Vecht", "Maarssen", UT, 55, NULL},
    {"Bibliotheek Het Groene Hart", "Woerden", UT, 70, NULL},
    {"Bibliotheek Angstel, Vecht en Venen", "Mijdrecht", UT, 45, NULL},
    {"Bibliotheek Lekstroom", "IJsselstein", UT, 65, NULL},
    /* Noord-Holland */
    {"OBA Openbare Bibliotheek Amsterdam", "Amsterdam", NH, 2000, "oba"},
    {"Bibliotheek Zuid-Kennemerland", "Haarlem", NH, 520, NULL},
    {"Bibliotheek Haarlemmermeer", "Hoofddorp", NH, 300, NULL},
    {"Bibliotheek Kennemerwaard", "Alkmaar", NH, 380, NULL},
    {"Bibliotheek Hoorn", "Hoorn", NH, 120, NULL},
    {"Bibliotheek Den Helder", "Den Helder", NH, 90, NULL},
    {"Bibliotheek Amstelland", "Amstelveen", NH, 200, NULL},
    {"Bibliotheek Hilversum", "Hilversum", NH, 120, NULL},
    {"Bibliotheek Gooi en meer", "Bussum", NH, 130, NULL},
    {"Bibliotheek Zaanstad", "Zaandam", NH, 170, NULL},
    {"Bibliotheek Velsen", "IJmuiden", NH, 90, NULL},
    {"Bibliotheek Waterland", "Purmerend", NH, 110, NULL},
    {"Bibliotheek Kop van Noord-Holland", "Schagen", NH, 80, NULL},
    {"Bibliotheek Enkhuizen", "Enkhuizen", NH, 35, NULL},
    {"Bibliotheek Medemblik", "Medemblik", NH, 40, NULL},
    {"Bibliotheek Texel", "Den Burg", NH, 20, NULL},
    {"Bibliotheek Uithoorn", "Uithoorn", NH, 40, NULL},
    {"Bibliotheek Aalsmeer", "Aalsmeer", NH, 30, NULL},
    {"Bibliotheek IJmond Noord", "Beverwijk", NH, 60, NULL},
    /* Zuid-Holland */
    {"Bibliotheek Rotterdam", "Rotterdam", ZH, 1900, NULL},
    {"Bibliotheek Den Haag", "Den Haag", ZH, 1800, NULL},
    {"BplusC", "Leiden", ZH, 450, NULL},
    {"DOK Delft", "Delft", ZH, 320, NULL},
    {"Bibliotheek AanZet", "Dordrecht", ZH, 280, NULL},
    {"Bibliotheek Zoetermeer", "Zoetermeer", ZH, 230, NULL},
    {"Bibliotheek Gouda", "Gouda", ZH, 120, NULL},
    {"Bibliotheek Westland", "Naaldwijk", ZH, 140, NULL},
    {"Bibliotheek Schiedam", "Schiedam", ZH, 90, NULL},
    {"Bibliotheek Vlaardingen", "Vlaardingen", ZH, 90, NULL},
    {"Bibliotheek Maassluis", "Maassluis", ZH, 40, NULL},
    {"Bibliotheek Oostland", "Pijnacker", ZH, 90, NULL},
    {"Bibliotheek Rijswijk", "Rijswijk", ZH, 70, NULL},
    {"Bibliotheek Hoeksche Waard", "Oud-Beijerland", ZH, 90, NULL},
    {"Bibliotheek Voorne-Putten", "Spijkenisse", ZH, 110, NULL},
    {"Bibliotheek Goeree-Overflakkee", "Middelharnis", ZH, 45, NULL},
    {"Bibliotheek Capelle aan den IJssel", "Capelle aan den IJssel", ZH, 90, NULL},
    {"Bibliotheek Krimpenerwaard", "Schoonhoven", ZH, 45, NULL},
    {"Bibliotheek Rijn en Venen", "Alphen aan den Rijn", ZH, 130, NULL},
    {"Bibliotheek Katwijk", "Katwijk", ZH, 50, NULL},
    {"Bibliotheek Noordwijk", "Noordwijk", ZH, 40, NULL},
    {"Bibliotheek Bollenstreek", "Lisse", ZH, 55, NULL},
    {"Bibliotheek Gorinchem", "Gorinchem", ZH, 50, NULL},
    {"Bibliotheek Leidschendam-Voorburg", "Leidschendam", ZH, 70, NULL},
    /* Zeeland */
    {"Bibliotheek Oosterschelde", "Goes", ZE, 70, NULL},
    {"Bibliotheek Vlissingen", "Vlissingen", ZE, 50, NULL},
    {"Bibliotheek Zeeuws-Vlaanderen", "Terneuzen", ZE, 70, NULL},
    {"Bibliotheek Schouwen-Duiveland", "Zierikzee", ZE, 35, NULL},
    {"Bibliotheek Tholen", "Tholen", ZE, 14, NULL},
    /* Noord-Brabant */
    {"Bibliotheek Midden-Brabant", "Tilburg", NB, 800, NULL},
    {"Bibliotheek Eindhoven", "Eindhoven", NB, 750, NULL},
    {"Bibliotheek Breda", "Breda", NB, 450, NULL},
    {"Bibliotheek 's-Hertogenbosch", "'s-Hertogenbosch", NB, 400, "bibliotheek-den-bosch"},
    {"Bibliotheek Helmond-Peel", "Helmond", NB, 180, NULL},
    {"Bibliotheek West-Brabant", "Bergen op Zoom", NB, 250, NULL},
    {"Bibliotheek Oss", "Oss", NB, 100, NULL},
    {"Bibliotheek Meierijstad", "Veghel", NB, 70, NULL},
    {"Bibliotheek Uden", "Uden", NB, 40, NULL},
    {"Bibliotheek Dommeldal", "Valkenswaard", NB, 50, NULL},
    {"Bibliotheek De Kempen", "Bladel", NB, 50, NULL},
    {"Bibliotheek Veldhoven", "Veldhoven", NB, 40, NULL},
    {"Bibliotheek Land van Cuijk", "Cuijk", NB, 60, NULL},
    {"Bibliotheek Waalwijk", "Waalwijk", NB, 40, NULL},
    {"Bibliotheek Oosterhout", "Oosterhout", NB, 50, NULL},
    {"Bibliotheek Etten-Leur", "Etten-Leur", NB, 35, NULL},
    {"Bibliotheek Geldrop-Mierlo", "Geldrop", NB, 35, NULL},
    {"Bibliotheek Altena", "Werkendam", NB, 40, NULL},
    {"Bibliotheek Deurne", "Deurne", NB, 30, NULL},
    /* Limburg */
    {"Centre Céramique", "Maastricht", LI, 350, NULL},
    {"Bibliotheek Venlo", "Venlo", LI, 150, NULL},
    {"Bibliotheek Roermond", "Roermond", LI, 90, NULL},
    {"Bibliotheek Heerlen", "Heerlen", LI, 120, NULL},
    {"Bibliotheek Westelijke Mijnstreek", "Sittard", LI, 110, NULL},
    {"Bibliotheek Kerkrade", "Kerkrade", LI, 45, NULL},
    {"Bibliotheek Weert", "Weert", LI, 60, NULL},
    {"Bibliotheek Venray", "Venray", LI, 40, NULL},
    {"Bibliotheek Peel en Maas", "Panningen", LI, 30, NULL},
    {"Bibliotheek Horst aan de Maas", "Horst", LI, 25, NULL},
};
const size_t demo_nlibraries = N(demo_libraries);

/* The nine provincial support organisations (SPN members); size is staff. */
const struct demo_org_def demo_pois[] = {
    {"Probiblio", "Hoofddorp", NH, 30, NULL},
    {"Cubiss", "Tilburg", NB, 28, NULL},
    {"Rijnbrink", "Arnhem", GE, 24, NULL},
    {"Biblionet Groningen", "Groningen", GR, 14, NULL},
    {"Bibliotheekservice Fryslân", "Leeuwarden", FR, 12, NULL},
    {"Biblionet Drenthe", "Assen", DR, 12, NULL},
    {"BiSC", "Utrecht", UT, 10, NULL},
    {"Flevomeer Bibliotheek", "Lelystad", FL, 10, "flevomeer"},
    {"ZB Planbureau en Bibliotheek van Zeeland", "Middelburg", ZE, 12, "zb"},
};
const size_t demo_npois = N(demo_pois);

/* Training providers; size is staff (administrators and teachers). The first
 * one gets the demo log-ins. The last four are invented for the demo. */
const struct demo_org_def demo_providers[] = {
    {"GO Opleidingen", "", "", 16, NULL},
    {"NBD Biblion", "Leidschendam", ZH, 10, NULL},
    {"Kunst van Lezen", "Den Haag", ZH, 6, NULL},
    {"IDO (Informatiepunt Digitale Overheid)", "Den Haag", ZH, 8, "ido"},
    {"Avans+", "Breda", NB, 9, "avans-plus"},
    {"GoodHabitz", "Eindhoven", NB, 5, NULL},
    {"Leeslamp Academie (fictief)", "Zwolle", OV, 7, "leeslamp-academie"},
    {"Kaft & Kennis Opleidingen (fictief)", "Utrecht", UT, 6, "kaft-en-kennis"},
    {"Bureau Buurtverhaal (fictief)", "Groningen", GR, 5, "bureau-buurtverhaal"},
    {"Zoeklicht Trainingen (fictief)", "Maastricht", LI, 6, "zoeklicht-trainingen"},
};
const size_t demo_nproviders = N(demo_providers);

/* Brand colours that read as organisation colours and keep white text legible. */
const char *const demo_colors[] = {
    "#00689e", "#c8102e", "#e4007c", "#d35400", "#007a78", "#5b2a86", "#1f3a5f", "#2e7d32",
    "#8e1b3e", "#0057b8", "#6d4c41", "#00838f", "#ad1457", "#37474f", "#3f51b5", "#b03a2e",
    "#00695c", "#7b1fa2", "#004d40", "#a0522d", "#005f73", "#9b2226", "#283593", "#bb3e03",
};
const size_t demo_ncolors = N(demo_colors);

/* ---- names ------------------------------------------------------------------ */

/* Dutch and Frisian first names over the generations: 63% of library staff is 50+. */
static const char *const nl_first[] = {
    "Anja", "Annemarie", "Anneke", "Ans", "Astrid", "Bianca", "Carla", "Corrie", "Diana", "Els",
    "Esther", "Gerda", "Hanneke", "Hennie", "Ineke", "Ingrid", "Jacqueline", "Janneke", "Jolanda",
    "Joke", "José", "Karin", "Linda", "Margreet", "Marian", "Marja", "Marijke", "Marieke", "Mirjam",
    "Monique", "Nicole", "Petra", "Renate", "Ria", "Rianne", "Sandra", "Saskia", "Sylvia", "Tineke",
    "Wilma", "Yvonne", "Ellen", "Femke", "Inge", "Judith", "Lotte", "Maaike", "Manon", "Mariska",
    "Nienke", "Sanne", "Anouk", "Iris", "Lisa", "Emma", "Julia", "Sophie", "Fleur", "Eva", "Lieke",
    "Noor", "Tess", "Zoë", "Chloë", "Mieke", "Trees", "Riet", "Wytske", "Tjitske", "Baukje",
    "Gerbrich", "Hilde", "Liesbeth", "Margriet", "Mathilde", "Thea", "Wendy", "Brigitte",
    "Jan", "Kees", "Henk", "Wim", "Piet", "Gerard", "Hans", "Peter", "Frank", "Rob", "Ruud", "Erik",
    "Marcel", "Paul", "Johan", "Martin", "René", "Theo", "Ton", "Jeroen", "Bas", "Joost", "Maarten",
    "Mark", "Sander", "Wouter", "Thijs", "Tim", "Daan", "Sem", "Lucas", "Milan", "Bram", "Ruben",
    "Stijn", "Niels", "Jasper", "Koen", "Gijs", "Hidde", "Sjoerd", "Hylke", "Jelle", "Durk",
    "Freek", "Arie", "Dirk", "Gert-Jan", "Jan-Willem", "Noël", "Harm", "Lars", "Luuk", "Michiel",
};

static const char *const nl_last[] = {
    "de Jong", "Jansen", "de Vries", "van den Berg", "van Dijk", "Bakker", "Janssen", "Visser",
    "Smit", "Meijer", "de Boer", "Mulder", "de Groot", "Bos", "Vos", "Peters", "Hendriks",
    "van Leeuwen", "Dekker", "Brouwer", "de Wit", "Dijkstra", "Smits", "de Graaf", "van der Meer",
    "van der Linden", "Kok", "Jacobs", "de Haan", "Vermeulen", "van den Heuvel", "van der Veen",
    "van den Broek", "de Bruijn", "de Bruin", "van der Heijden", "Schouten", "van Beek", "Willems",
    "van Vliet", "van de Ven", "Hoekstra", "Maas", "Verhoeven", "Koster", "van Dam", "van der Wal",
    "Prins", "Blom", "Huisman", "Peeters", "de Jonge", "Kuipers", "van Veen", "Post", "Kuiper",
    "Veenstra", "Kramer", "van den Brink", "Scholten", "van Wijk", "Postma", "Martens", "Vink",
    "de Ruiter", "Timmermans", "Groen", "Gerritsen", "Jonker", "van Loon", "Boer", "van der Velde",
    "Willemsen", "Smeets", "de Lange", "de Vos", "Bosch", "van Dongen", "Schipper", "de Koning",
    "van der Laan", "Koning", "van der Velden", "Driessen", "van Doorn", "Hermans", "Evers",
    "van den Bosch", "van der Meulen", "Hofman", "Bosman", "Wouters", "Sanders", "van 't Hof",
    "Kuijpers", "Verbeek", "Mertens", "Bosma", "Wijnands", "Ophof", "ter Horst", "van Ommeren",
    "Zwart", "Terpstra", "de Haas", "Sijbesma", "Wiersma", "Hoogendoorn", "Pronk", "Heemskerk",
    "Lammers", "Claassen", "Brinkman", "Nijhuis", "ten Have", "op den Kamp", "in 't Veld",
    "Roelofs", "Teunissen", "Kroon", "Oosterhuis", "Wessels", "Haverkamp", "Stam", "Molenaar",
};

static const char *const tr_first[] = {
    "Ayşe", "Elif", "Zeynep", "Emine", "Fatma", "Büşra", "Kübra", "Merve", "Esra", "Hatice",
    "Mehmet", "Mustafa", "Ahmet", "Emre", "Burak", "Murat", "Hasan", "Hüseyin", "Kerem", "Yusuf",
};
static const char *const tr_last[] = {
    "Yılmaz", "Kaya", "Demir", "Şahin", "Çelik", "Yıldız", "Yıldırım", "Öztürk", "Aydın", "Özdemir",
    "Arslan", "Doğan", "Kılıç", "Aslan", "Çetin", "Kara", "Koç", "Kurt", "Özkan", "Polat",
};

static const char *const ma_first[] = {
    "Fatima", "Khadija", "Samira", "Nora", "Yasmina", "Imane", "Naima", "Hanan", "Salma", "Meryem",
    "Houda", "Mohamed", "Ahmed", "Youssef", "Ayoub", "Bilal", "Hamza", "Karim", "Rachid", "Said",
    "Anouar", "Ilias", "Soufiane", "Mustapha",
};
static const char *const ma_last[] = {
    "El Amrani", "El Idrissi", "Benali", "Bouzid", "Ouali", "Tahiri", "El Khatib", "Boukhari",
    "Haddou", "Azzouzi", "Aarab", "El Hadioui", "Benaissa", "Chaoui", "Ziani", "Lamrani",
    "Mansouri", "Bakkali", "Ait Brahim", "El Ouardi",
};

static const char *const sr_first[] = {
    "Priscilla", "Shanti", "Anita", "Sharmila", "Natasha", "Jennifer", "Denise", "Shirley",
    "Soraya", "Rachna", "Reshma", "Ravi", "Kiran", "Romano", "Glenn", "Roy", "Jurgen", "Ashwin",
    "Vikash", "Orlando",
};
static const char *const sr_last[] = {
    "Ramdin", "Jagesar", "Mahabier", "Baldewsingh", "Ramcharan", "Pinas", "Kromodimedjo", "Sabajo",
    "Martina", "Isenia", "Rosaria", "Winklaar", "Doekhie", "Ramsaran", "Mungra", "Sitaldin",
};

static const char *const id_first[] = {
    "Dewi", "Wulan", "Ratna", "Sandra", "Hendrik", "Eddy", "Ronny", "Frans", "Rudy", "Maria",
};
static const char *const id_last[] = {
    "Latumahina", "Pattiasina", "Tuhumury", "Sahetapy", "Wattimena", "Manuputty", "Lopulalan",
    "Siahaya", "Tahapary", "Hukom",
};

static const char *const eu_first[] = {
    "Agnieszka", "Katarzyna", "Magdalena", "Ewa", "Joanna", "Giulia", "Ana", "Elena", "Piotr",
    "Tomasz", "Marek", "Paweł", "Marco", "João", "Dimitris", "Andrei",
};
static const char *const eu_last[] = {
    "Kowalski", "Nowak", "Wójcik", "Kamiński", "Lewandowski", "Rossi", "Ferreira", "Santos",
    "Popescu", "Papadopoulos", "Müller", "Schneider", "Novák", "García",
};

static const char *const wd_first[] = {
    "Rania", "Lina", "Mariam", "Farida", "Zahra", "Senait", "Feven", "Hodan", "Mei", "Linh",
    "Omar", "Ahmad", "Abdullah", "Hamid", "Yonas", "Wei", "Minh", "Abdi",
};
static const char *const wd_last[] = {
    "Alhassan", "Haddad", "Kassab", "Ahmadi", "Hosseini", "Haidari", "Tesfay", "Berhane", "Chen",
    "Wang", "Nguyen", "Tran", "Pham", "Hassan", "Warsame", "Al-Khatib",
};

#define POOL(label, w, f, l) {label, w, f, N(f), l, N(l)}
const struct demo_name_pool demo_name_pools[] = {
    POOL("nl", 820, nl_first, nl_last),     POOL("tr", 40, tr_first, tr_last),
    POOL("ma", 40, ma_first, ma_last),      POOL("sr", 35, sr_first, sr_last),
    POOL("id", 15, id_first, id_last),      POOL("eu", 25, eu_first, eu_last),
    POOL("world", 25, wd_first, wd_last),
};
const size_t demo_nname_pools = N(demo_name_pools);
