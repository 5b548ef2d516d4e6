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
    {"Bibliotheek Groningen", "Groningen", GR, 1520, NULL},
    {"Bibliotheek Het Hogeland", "Winsum", GR, 152, NULL},
    {"Bibliotheek Westerkwartier", "Leek", GR, 176, NULL},
    {"Bibliotheek Midden-Groningen", "Hoogezand", GR, 160, NULL},
    {"Bibliotheek Eemsdelta", "Delfzijl", GR, 136, NULL},
    {"Bibliotheek Oldambt", "Winschoten", GR, 112, NULL},
    {"Bibliotheek Veendam", "Veendam", GR, 88, NULL},
    /* Fryslân */
    {"DBieb", "Leeuwarden", FR, 720, NULL},
    {"Bibliotheek Zuidwest Friesland", "Sneek", FR, 352, NULL},
    {"Bibliotheek Smallingerland", "Drachten", FR, 224, NULL},
    {"Bibliotheek Heerenveen", "Heerenveen", FR, 192, NULL},
    {"Bibliotheken Noardeast-Fryslân", "Dokkum", FR, 160, NULL},
    {"Bibliotheek Opsterland", "Gorredijk", FR, 80, NULL},
    {"Bibliotheek Weststellingwerf", "Wolvega", FR, 72, NULL},
    {"Bibliotheek Ameland", "Nes", FR, 15, NULL},
    {"Bibliotheek Terschelling", "West-Terschelling", FR, 13, NULL},
    /* Drenthe */
    {"Bibliotheek Assen", "Assen", DR, 256, NULL},
    {"Bibliotheek Emmen", "Emmen", DR, 320, NULL},
    {"Bibliotheek Hoogeveen", "Hoogeveen", DR, 176, NULL},
    {"Bibliotheek Meppel", "Meppel", DR, 128, NULL},
    {"Bibliotheek Coevorden", "Coevorden", DR, 80, NULL},
    {"Bibliotheek Tynaarlo", "Vries", DR, 80, NULL},
    {"Bibliotheek Midden-Drenthe", "Beilen", DR, 72, NULL},
    /* Overijssel */
    {"Stadkamer Zwolle", "Zwolle", OV, 560, NULL},
    {"Bibliotheek Deventer", "Deventer", OV, 400, NULL},
    {"Bibliotheek Enschede", "Enschede", OV, 544, NULL},
    {"Bibliotheek Hengelo", "Hengelo", OV, 288, NULL},
    {"Bibliotheek Almelo", "Almelo", OV, 208, NULL},
    {"Bibliotheek Kampen", "Kampen", OV, 112, NULL},
    {"Bibliotheek Rijssen-Holten", "Rijssen", OV, 64, NULL},
    {"Bibliotheek Hof van Twente", "Goor", OV, 56, NULL},
    {"Bibliotheek Oldenzaal", "Oldenzaal", OV, 72, NULL},
    {"Bibliotheek Salland", "Raalte", OV, 96, NULL},
    {"Bibliotheek Hardenberg", "Hardenberg", OV, 112, NULL},
    {"Bibliotheek Steenwijkerland", "Steenwijk", OV, 64, NULL},
    {"Bibliotheek Hellendoorn", "Nijverdal", OV, 64, NULL},
    /* Flevoland */
    {"De Nieuwe Bibliotheek Almere", "Almere", FL, 960, NULL},
    {"Bibliotheek Lelystad", "Lelystad", FL, 160, NULL},
    {"Bibliotheek Dronten", "Dronten", FL, 80, NULL},
    {"Bibliotheek Noordoostpolder", "Emmeloord", FL, 80, NULL},
    {"Bibliotheek Zeewolde", "Zeewolde", FL, 40, NULL},
    {"Bibliotheek Urk", "Urk", FL, 20, NULL},
    /* Gelderland */
    {"Bibliotheek Arnhem", "Arnhem", GE, 720, NULL},
    {"Bibliotheek Gelderland Zuid", "Nijmegen", GE, 1040, NULL},
    {"CODA Apeldoorn", "Apeldoorn", GE, 720, NULL},
    {"Bibliotheek Ede", "Ede", GE, 240, NULL},
    {"Bibliotheek Rivierenland", "Tiel", GE, 208, NULL},
    {"Bibliotheek Veluwezoom", "Velp", GE, 128, NULL},
    {"Bibliotheek Zutphen", "Zutphen", GE, 96, NULL},
    {"Bibliotheek West-Achterhoek", "Doetinchem", GE, 144, NULL},
    {"Bibliotheek Oost-Achterhoek", "Groenlo", GE, 80, NULL},
    {"Bibliotheek Montferland", "Didam", GE, 48, NULL},
    {"Bibliotheek Noordwest-Veluwe", "Harderwijk", GE, 128, NULL},
    {"Bibliotheek Barneveld", "Barneveld", GE, 88, NULL},
    {"Bibliotheek Nijkerk", "Nijkerk", GE, 64, NULL},
    {"Bibliotheek Wageningen", "Wageningen", GE, 72, NULL},
    {"Bibliotheek Lingewaard", "Bemmel", GE, 56, NULL},
    {"Bibliotheek Liemers", "Zevenaar", GE, 96, NULL},
    {"Bibliotheek Bommelerwaard", "Zaltbommel", GE, 72, NULL},
    {"Bibliotheek West-Betuwe", "Geldermalsen", GE, 64, NULL},
    {"Bibliotheek Wijchen", "Wijchen", GE, 64, NULL},
    /* Utrecht */
    {"De Bibliotheek Utrecht", "Utrecht", UT, 1700, NULL},
    {"Bibliotheek Eemland", "Amersfoort", UT, 608, NULL},
    {"Bibliotheek Nieuwegein", "Nieuwegein", UT, 176, NULL},
    {"Bibliotheek Veenendaal", "Veenendaal", UT, 112, NULL},
    {"Bibliotheek Zeist", "Zeist", UT, 96, NULL},
    {"Bibliotheek Zuidoost Utrecht", "Driebergen-Rijsenburg", UT, 96, NULL},
    {"Theek 5", "Wijk bij Duurstede", UT, 72, NULL},
    {"Bibliotheek Soest", "Soest", UT, 72, NULL},
    {"Bibliotheek Stichtse Vecht", "Maarssen", UT, 88, NULL},
    {"Bibliotheek Het Groene Hart", "Woerden", UT, 112, NULL},
    {"Bibliotheek Angstel, Vecht en Venen", "Mijdrecht", UT, 72, NULL},
    {"Bibliotheek Lekstroom", "IJsselstein", UT, 104, NULL},
    /* Noord-Holland */
    {"OBA Openbare Bibliotheek Amsterdam", "Amsterdam", NH, 2000, "oba"},
    {"Bibliotheek Zuid-Kennemerland", "Haarlem", NH, 832, NULL},
    {"Bibliotheek Haarlemmermeer", "Hoofddorp", NH, 480, NULL},
    {"Bibliotheek Kennemerwaard", "Alkmaar", NH, 608, NULL},
    {"Bibliotheek Hoorn", "Hoorn", NH, 192, NULL},
    {"Bibliotheek Den Helder", "Den Helder", NH, 144, NULL},
    {"Bibliotheek Amstelland", "Amstelveen", NH, 320, NULL},
    {"Bibliotheek Hilversum", "Hilversum", NH, 192, NULL},
    {"Bibliotheek Gooi en meer", "Bussum", NH, 208, NULL},
    {"Bibliotheek Zaanstad", "Zaandam", NH, 272, NULL},
    {"Bibliotheek Velsen", "IJmuiden", NH, 144, NULL},
    {"Bibliotheek Waterland", "Purmerend", NH, 176, NULL},
    {"Bibliotheek Kop van Noord-Holland", "Schagen", NH, 128, NULL},
    {"Bibliotheek Enkhuizen", "Enkhuizen", NH, 56, NULL},
    {"Bibliotheek Medemblik", "Medemblik", NH, 64, NULL},
    {"Bibliotheek Texel", "Den Burg", NH, 20, NULL},
    {"Bibliotheek Uithoorn", "Uithoorn", NH, 64, NULL},
    {"Bibliotheek Aalsmeer", "Aalsmeer", NH, 48, NULL},
    {"Bibliotheek IJmond Noord", "Beverwijk", NH, 96, NULL},
    /* Zuid-Holland */
    {"Bibliotheek Rotterdam", "Rotterdam", ZH, 1900, NULL},
    {"Bibliotheek Den Haag", "Den Haag", ZH, 1800, NULL},
    {"BplusC", "Leiden", ZH, 720, NULL},
    {"DOK Delft", "Delft", ZH, 512, NULL},
    {"Bibliotheek AanZet", "Dordrecht", ZH, 448, NULL},
    {"Bibliotheek Zoetermeer", "Zoetermeer", ZH, 368, NULL},
    {"Bibliotheek Gouda", "Gouda", ZH, 192, NULL},
    {"Bibliotheek Westland", "Naaldwijk", ZH, 224, NULL},
    {"Bibliotheek Schiedam", "Schiedam", ZH, 144, NULL},
    {"Bibliotheek Vlaardingen", "Vlaardingen", ZH, 144, NULL},
    {"Bibliotheek Maassluis", "Maassluis", ZH, 64, NULL},
    {"Bibliotheek Oostland", "Pijnacker", ZH, 144, NULL},
    {"Bibliotheek Rijswijk", "Rijswijk", ZH, 112, NULL},
    {"Bibliotheek Hoeksche Waard", "Oud-Beijerland", ZH, 144, NULL},
    {"Bibliotheek Voorne-Putten", "Spijkenisse", ZH, 176, NULL},
    {"Bibliotheek Goeree-Overflakkee", "Middelharnis", ZH, 72, NULL},
    {"Bibliotheek Capelle aan den IJssel", "Capelle aan den IJssel", ZH, 144, NULL},
    {"Bibliotheek Krimpenerwaard", "Schoonhoven", ZH, 72, NULL},
    {"Bibliotheek Rijn en Venen", "Alphen aan den Rijn", ZH, 208, NULL},
    {"Bibliotheek Katwijk", "Katwijk", ZH, 80, NULL},
    {"Bibliotheek Noordwijk", "Noordwijk", ZH, 64, NULL},
    {"Bibliotheek Bollenstreek", "Lisse", ZH, 88, NULL},
    {"Bibliotheek Gorinchem", "Gorinchem", ZH, 80, NULL},
    {"Bibliotheek Leidschendam-Voorburg", "Leidschendam", ZH, 112, NULL},
    /* Zeeland */
    {"Bibliotheek Oosterschelde", "Goes", ZE, 112, NULL},
    {"Bibliotheek Vlissingen", "Vlissingen", ZE, 80, NULL},
    {"Bibliotheek Zeeuws-Vlaanderen", "Terneuzen", ZE, 112, NULL},
    {"Bibliotheek Schouwen-Duiveland", "Zierikzee", ZE, 56, NULL},
    {"Bibliotheek Tholen", "Tholen", ZE, 14, NULL},
    /* Noord-Brabant */
    {"Bibliotheek Midden-Brabant", "Tilburg", NB, 1280, NULL},
    {"Bibliotheek Eindhoven", "Eindhoven", NB, 1200, NULL},
    {"Bibliotheek Breda", "Breda", NB, 720, NULL},
    {"Bibliotheek 's-Hertogenbosch", "'s-Hertogenbosch", NB, 640, "bibliotheek-den-bosch"},
    {"Bibliotheek Helmond-Peel", "Helmond", NB, 288, NULL},
    {"Bibliotheek West-Brabant", "Bergen op Zoom", NB, 400, NULL},
    {"Bibliotheek Oss", "Oss", NB, 160, NULL},
    {"Bibliotheek Meierijstad", "Veghel", NB, 112, NULL},
    {"Bibliotheek Uden", "Uden", NB, 64, NULL},
    {"Bibliotheek Dommeldal", "Valkenswaard", NB, 80, NULL},
    {"Bibliotheek De Kempen", "Bladel", NB, 80, NULL},
    {"Bibliotheek Veldhoven", "Veldhoven", NB, 64, NULL},
    {"Bibliotheek Land van Cuijk", "Cuijk", NB, 96, NULL},
    {"Bibliotheek Waalwijk", "Waalwijk", NB, 64, NULL},
    {"Bibliotheek Oosterhout", "Oosterhout", NB, 80, NULL},
    {"Bibliotheek Etten-Leur", "Etten-Leur", NB, 56, NULL},
    {"Bibliotheek Geldrop-Mierlo", "Geldrop", NB, 56, NULL},
    {"Bibliotheek Altena", "Werkendam", NB, 64, NULL},
    {"Bibliotheek Deurne", "Deurne", NB, 48, NULL},
    /* Limburg */
    {"Centre Céramique", "Maastricht", LI, 560, NULL},
    {"Bibliotheek Venlo", "Venlo", LI, 240, NULL},
    {"Bibliotheek Roermond", "Roermond", LI, 144, NULL},
    {"Bibliotheek Heerlen", "Heerlen", LI, 192, NULL},
    {"Bibliotheek Westelijke Mijnstreek", "Sittard", LI, 176, NULL},
    {"Bibliotheek Kerkrade", "Kerkrade", LI, 72, NULL},
    {"Bibliotheek Weert", "Weert", LI, 96, NULL},
    {"Bibliotheek Venray", "Venray", LI, 64, NULL},
    {"Bibliotheek Peel en Maas", "Panningen", LI, 48, NULL},
    {"Bibliotheek Horst aan de Maas", "Horst", LI, 40, NULL},
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

// clang-format off

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

// clang-format on

#define POOL(label, w, f, l)                                                                       \
	{                                                                                          \
		label, w, f, N(f), l, N(l)                                                         \
	}
const struct demo_name_pool demo_name_pools[] = {
    POOL("nl", 820, nl_first, nl_last),   POOL("tr", 40, tr_first, tr_last),
    POOL("ma", 40, ma_first, ma_last),    POOL("sr", 35, sr_first, sr_last),
    POOL("id", 15, id_first, id_last),    POOL("eu", 25, eu_first, eu_last),
    POOL("world", 25, wd_first, wd_last),
};
const size_t demo_nname_pools = N(demo_name_pools);
