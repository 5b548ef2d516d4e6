#include "domain/catalog.h"

#include <stdio.h>
#include <string.h>

#include "core/arena.h"
#include "core/err.h"
#include "core/str.h"
#include "db/db.h"
#include "domain/audit.h"
#include "domain/ctx.h"
#include "domain/people.h"
#include "domain/taxonomy.h"

/* ---- stored values and their labels ---- */

const char *const module_formats[4] = {"classroom", "online_live", "elearning", "blended"};
const char *const module_audiences[3] = {"both", "employees", "volunteers"};
const char *const module_vats[4] = {"crkbo", "21", "9", "0"};
const char *const module_languages[4] = {"nl", "en", "fy", "de"};

struct label {
	const char *value, *msgid;
};

static const char *lookup(const struct label *table, size_t n, const char *value)
{
	for (size_t i = 0; value && i < n; i++)
		if (!strcmp(table[i].value, value))
			return table[i].msgid;
	return NULL;
}
#define LOOKUP(table, value) lookup(table, sizeof table / sizeof table[0], value)

static const struct label format_labels[] = {
    {"classroom", N_("Klassikaal")}, {"online_live", N_("Online live")},
    {"elearning", N_("E-learning")}, {"blended", N_("Blended")}};
static const struct label state_labels[] = {
    {"draft", N_("Concept")},           {"submitted", N_("Ingediend")},
    {"in_review", N_("In behandeling")}, {"returned", N_("Teruggestuurd")},
    {"recognised", N_("Erkend")},       {"rejected", N_("Afgewezen")},
    {"superseded", N_("Vervangen")},    {"expired", N_("Erkenning verlopen")}};
static const struct label audience_labels[] = {
    {"both", N_("Medewerkers en vrijwilligers")},
    {"employees", N_("Medewerkers")},
    {"volunteers", N_("Vrijwilligers")}};
static const struct label vat_labels[] = {
    {"crkbo", N_("Vrijgesteld van btw (CRKBO)")},
    {"21", N_("21% btw")},
    {"9", N_("9% btw")},
    {"0", N_("0% btw")}};
static const struct label language_labels[] = {
    {"nl", N_("Nederlands")}, {"en", N_("Engels")}, {"fy", N_("Fries")}, {"de", N_("Duits")}};

const char *module_format_label(const char *v) { return LOOKUP(format_labels, v); }
const char *module_state_label(const char *v) { return LOOKUP(state_labels, v); }
const char *module_audience_label(const char *v) { return LOOKUP(audience_labels, v); }
const char *module_vat_label(const char *v) { return LOOKUP(vat_labels, v); }
const char *module_language_label(const char *v) { return LOOKUP(language_labels, v); }

const char *tenths_format(int64_t tenths, char *buf, size_t size)
{
	const char *sign = tenths < 0 ? "-" : "";
	int64_t a = tenths < 0 ? -tenths : tenths;
	if (a % 10)
		snprintf(buf, size, "%s%lld,%lld", sign, (long long)(a / 10), (long long)(a % 10));
	else
		snprintf(buf, size, "%s%lld", sign, (long long)(a / 10));
	return buf;
}

bool tenths_parse(const char *text, int64_t *tenths)
{
	if (!text)
		return false;
	while (*text == ' ')
		text++;
	int64_t whole = 0;
	int digits = 0;
	const char *p = text;
	for (; *p >= '0' && *p <= '9'; p++) {
		if (++digits > 7)
			return false;
		whole = whole * 10 + (*p - '0');
	}
	if (!digits)
		return false;
	int64_t frac = 0;
	if (*p == ',' || *p == '.') {
		p++;
		if (!(*p >= '0' && *p <= '9'))
			return false;
		frac = *p++ - '0';
		if (*p == '0')
			p++; /* "1,50" */
	}
	while (*p == ' ')
		p++;
	if (*p)
		return false;
	*tenths = whole * 10 + frac;
	return true;
}

/* ---- statements ---- */

#define VERSION_COLS                                                                        \
	"v.id, v.number, v.state, v.title, v.summary, v.description, v.goals, v.prerequisites, " \
	"v.level, v.format, v.language, v.vat, v.audience, v.place, v.province, v.contact_name, "  \
	"v.contact_email, v.load_tenths, v.price_cents, v.image IS NOT NULL, v.points_tenths, "     \
	"v.recognised_load_tenths, v.recognised_at, v.valid_until, v.updated_at"
#define MODULE_COLS                                                                     \
	"m.id, m.provider_id, p.name, p.slug, COALESCE(m.local_org_id, 0), l.name, "          \
	"COALESCE(m.working_version_id, 0), COALESCE(m.published_version_id, 0), "            \
	"COALESCE(m.recognised_version_id, 0), m.created_at"
#define MODULE_FROM                                                                      \
	" FROM modules m JOIN organisations p ON p.id = m.provider_id "                       \
	"LEFT JOIN organisations l ON l.id = m.local_org_id "

DB_STMT(stmt_module_working, "SELECT " MODULE_COLS ", " VERSION_COLS MODULE_FROM
                             "JOIN module_versions v ON v.id = m.working_version_id WHERE m.id = $1");
DB_STMT(stmt_module_published, "SELECT " MODULE_COLS ", " VERSION_COLS MODULE_FROM
                               "JOIN module_versions v ON v.id = m.published_version_id WHERE m.id = $1");
DB_STMT(stmt_module_version, "SELECT " MODULE_COLS ", " VERSION_COLS MODULE_FROM
                             "JOIN module_versions v ON v.module_id = m.id WHERE m.id = $1 AND v.id = $2");
DB_STMT(stmt_version_tags,
        "SELECT t.kind, t.tag_id, COALESCE(d.name, r.name, c.name) FROM module_version_tags t "
        "LEFT JOIN tax_domains d ON t.kind = 'domain' AND d.id = t.tag_id "
        "LEFT JOIN tax_roles r ON t.kind = 'role' AND r.id = t.tag_id "
        "LEFT JOIN tax_competencies c ON t.kind = 'competency' AND c.id = t.tag_id "
        "WHERE t.version_id = $1 "
        "ORDER BY CASE t.kind WHEN 'domain' THEN 0 WHEN 'role' THEN 1 ELSE 2 END, 3");

DB_STMT(stmt_module_insert,
        "INSERT INTO modules (provider_id, local_org_id, created_at, updated_at) "
        "VALUES ($1, $2, $3, $3) RETURNING id");
DB_STMT(stmt_version_insert,
        "INSERT INTO module_versions (module_id, number, state, title, summary, description, goals, "
        "prerequisites, level, format, language, vat, audience, place, province, contact_name, "
        "contact_email, load_tenths, price_cents, image, image_type, created_by, created_at, "
        "updated_at) VALUES ($1, $2, 'draft', $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, "
        "$15, $16, $17, $18, $19, $20, $21, $22, $22) RETURNING id");
DB_STMT(stmt_version_update,
        "UPDATE module_versions SET title = $2, summary = $3, description = $4, goals = $5, "
        "prerequisites = $6, level = $7, format = $8, language = $9, vat = $10, audience = $11, "
        "place = $12, province = $13, contact_name = $14, contact_email = $15, load_tenths = $16, "
        "price_cents = $17, updated_at = $18, state = CASE state WHEN 'returned' THEN 'draft' "
        "ELSE state END WHERE id = $1");
/* The practical details any version shares with the working one. */
DB_STMT(stmt_version_update_details,
        "UPDATE module_versions SET summary = $2, place = $3, province = $4, contact_name = $5, "
        "contact_email = $6, price_cents = $7, vat = $8, updated_at = $9 WHERE id = $1");
DB_STMT(stmt_version_set_image,
        "UPDATE module_versions SET image = $2, image_type = $3 WHERE id = $1");
DB_STMT(stmt_version_copy_image,
        "UPDATE module_versions SET image = (SELECT image FROM module_versions WHERE id = $2), "
        "image_type = (SELECT image_type FROM module_versions WHERE id = $2) WHERE id = $1");
DB_STMT(stmt_tag_insert,
        "INSERT INTO module_version_tags (version_id, kind, tag_id) VALUES ($1, $2, $3) "
        "ON CONFLICT DO NOTHING");
DB_STMT(stmt_tags_clear, "DELETE FROM module_version_tags WHERE version_id = $1");
DB_STMT(stmt_module_set_working,
        "UPDATE modules SET working_version_id = $2, updated_at = $3 WHERE id = $1");
DB_STMT(stmt_module_set_published,
        "UPDATE modules SET published_version_id = $2, updated_at = $3 WHERE id = $1");
DB_STMT(stmt_module_touch, "UPDATE modules SET updated_at = $2 WHERE id = $1");
DB_STMT(stmt_version_image,
        "SELECT image, image_type FROM module_versions WHERE id = $1 AND image IS NOT NULL");
DB_STMT(stmt_is_member,
        "SELECT COUNT(*) FROM memberships WHERE person_id = $1 AND org_id = $2 AND ended_at IS NULL");
DB_STMT(stmt_modules_by_owner,
        "SELECT m.id, v.id, v.number, v.title, v.state, m.published_version_id IS NOT NULL, "
        "m.recognised_version_id IS NOT NULL, m.updated_at FROM modules m "
        "JOIN module_versions v ON v.id = m.working_version_id WHERE m.provider_id = $1 "
        "ORDER BY m.updated_at DESC, m.id DESC LIMIT 2000");

DB_STMT(stmt_latest_review,
        "SELECT r.id, v.number, r.state, r.reason, r.submitted_at, COALESCE(r.decided_at, 0) "
        "FROM reviews r JOIN module_versions v ON v.id = r.version_id WHERE r.module_id = $1 "
        "ORDER BY r.submitted_at DESC, r.id DESC LIMIT 1");

/* ---- reading ---- */

static struct db_col *module_cols(struct module *m, struct db_col *c, bool *null_local,
                                  bool *null_points, bool *null_rload, bool *null_rat,
                                  bool *null_valid, bool *null_level)
{
	struct module_version *v = &m->v;
	const struct db_col cols[] = {
	    DBC_INT(&m->id), DBC_INT(&m->provider_id), DBC_TEXT(&m->provider_name),
	    DBC_TEXT(&m->provider_slug), DBC_INT(&m->local_org_id),
	    DBC_TEXT_OPT(&m->local_org_name, null_local), DBC_INT(&m->working_version_id),
	    DBC_INT(&m->published_version_id), DBC_INT(&m->recognised_version_id),
	    DBC_INT(&m->created_at), DBC_INT(&v->id), DBC_INT(&v->number), DBC_TEXT(&v->state),
	    DBC_TEXT(&v->title), DBC_TEXT(&v->summary), DBC_TEXT(&v->description),
	    DBC_TEXT(&v->goals), DBC_TEXT(&v->prerequisites), DBC_TEXT_OPT(&v->level, null_level),
	    DBC_TEXT(&v->format), DBC_TEXT(&v->language), DBC_TEXT(&v->vat), DBC_TEXT(&v->audience),
	    DBC_TEXT(&v->place), DBC_TEXT(&v->province), DBC_TEXT(&v->contact_name),
	    DBC_TEXT(&v->contact_email), DBC_INT(&v->load_tenths), DBC_INT(&v->price_cents),
	    DBC_BOOL(&v->has_image), DBC_INT_OPT(&v->points_tenths, null_points),
	    DBC_INT_OPT(&v->recognised_load_tenths, null_rload),
	    DBC_INT_OPT(&v->recognised_at, null_rat), DBC_INT_OPT(&v->valid_until, null_valid),
	    DBC_INT(&v->updated_at), DBC_END};
	memcpy(c, cols, sizeof cols);
	return c;
}
#define MODULE_NCOLS 36

struct tag_state {
	struct db_rows rows;
	const char *kind, *name;
	int64_t id;
};

static int collect_tag(void *cls)
{
	struct tag_state *s = cls;
	struct module_tag *t = db_rows_push(&s->rows);
	if (!t)
		return CAMPUS_ENOMEM;
	*t = (struct module_tag){s->kind[0], s->id, s->name};
	return 0;
}

static int load_module(struct ctx *ctx, struct db_stmt *stmt, const struct db_param *params,
                       struct module *out)
{
	memset(out, 0, sizeof *out);
	struct db_col cols[MODULE_NCOLS];
	bool null_local, null_points, null_rload, null_rat, null_valid, null_level;
	int rc = db_query_row(ctx->db, stmt, params,
	                      module_cols(out, cols, &null_local, &null_points, &null_rload, &null_rat,
	                                  &null_valid, &null_level),
	                      ctx->arena);
	if (rc)
		return rc;
	if (null_local)
		out->local_org_name = NULL;
	if (null_level)
		out->v.level = NULL;
	out->v.has_points = !null_points;
	struct tag_state s = {.rows = {.arena = ctx->arena, .size = sizeof(struct module_tag)}};
	rc = db_query(ctx->db, &stmt_version_tags, (const struct db_param[]){DBP_INT(out->v.id), DBP_END},
	              (const struct db_col[]){DBC_TEXT(&s.kind), DBC_INT(&s.id), DBC_TEXT(&s.name),
	                                      DBC_END},
	              ctx->arena, collect_tag, &s);
	out->v.tags = s.rows.data;
	out->v.ntags = s.rows.n;
	return rc;
}

int module_get(struct ctx *ctx, int64_t module_id, enum module_which which, struct module *out)
{
	return load_module(ctx, which == MODULE_PUBLISHED ? &stmt_module_published : &stmt_module_working,
	                   (const struct db_param[]){DBP_INT(module_id), DBP_END}, out);
}

int module_get_version(struct ctx *ctx, int64_t module_id, int64_t version_id, struct module *out)
{
	return load_module(ctx, &stmt_module_version,
	                   (const struct db_param[]){DBP_INT(module_id), DBP_INT(version_id), DBP_END},
	                   out);
}

int module_image(struct ctx *ctx, int64_t version_id, const unsigned char **data, size_t *len,
                 const char **type)
{
	unsigned char *bytes;
	int rc = db_query_row(ctx->db, &stmt_version_image,
	                      (const struct db_param[]){DBP_INT(version_id), DBP_END},
	                      (const struct db_col[]){DBC_BLOB(&bytes, len), DBC_TEXT(type), DBC_END},
	                      ctx->arena);
	*data = bytes;
	return rc;
}

int catalog_may_see(struct ctx *ctx, const struct module *m, bool *may)
{
	*may = false;
	if (!m->published_version_id)
		return 0;
	if (!m->local_org_id || (ctx->actor.roles & ROLE_CAMPUS_ADMIN) ||
	    (ctx->actor.flags & ACTOR_SYSTEM)) {
		*may = true;
		return 0;
	}
	if (!ctx->actor.person_id)
		return 0;
	int64_t n;
	int rc = db_query_row(ctx->db, &stmt_is_member,
	                      (const struct db_param[]){DBP_INT(ctx->actor.person_id),
	                                                DBP_INT(m->local_org_id), DBP_END},
	                      (const struct db_col[]){DBC_INT(&n), DBC_END}, ctx->arena);
	*may = rc == 0 && n > 0;
	return rc;
}

bool catalog_may_edit(const struct actor *a, const struct module *m)
{
	if (a->flags & ACTOR_SYSTEM || a->roles & ROLE_CAMPUS_ADMIN)
		return true;
	return (a->person_id || (a->flags & ACTOR_API)) && a->org_id == m->provider_id &&
	       (a->roles & (ROLE_PROVIDER_ADMIN | ROLE_MANAGER));
}

int module_latest_review(struct ctx *ctx, int64_t module_id, struct review_brief *out)
{
	return db_query_row(ctx->db, &stmt_latest_review,
	                    (const struct db_param[]){DBP_INT(module_id), DBP_END},
	                    (const struct db_col[]){DBC_INT(&out->id), DBC_INT(&out->version_number),
	                                            DBC_TEXT(&out->state), DBC_TEXT(&out->reason),
	                                            DBC_INT(&out->submitted_at),
	                                            DBC_INT(&out->decided_at), DBC_END},
	                    ctx->arena);
}

int module_list_by_owner(struct ctx *ctx, int64_t owner_org_id, struct module_summary **out,
                         size_t *n)
{
	struct module_summary cur;
	struct db_rows rows = {.arena = ctx->arena, .size = sizeof cur, .cur = &cur};
	int rc = db_query(ctx->db, &stmt_modules_by_owner,
	                  (const struct db_param[]){DBP_INT(owner_org_id), DBP_END},
	                  (const struct db_col[]){DBC_INT(&cur.id), DBC_INT(&cur.version_id),
	                                          DBC_INT(&cur.number), DBC_TEXT(&cur.title),
	                                          DBC_TEXT(&cur.state), DBC_BOOL(&cur.published),
	                                          DBC_BOOL(&cur.recognised), DBC_INT(&cur.updated_at),
	                                          DBC_END},
	                  ctx->arena, db_rows_collect, &rows);
	*out = rows.data;
	*n = rows.n;
	return rc;
}

/* ---- validation ---- */

static void problem(struct module_problems *pr, const char *field, const char *msgid)
{
	if (pr->n < MODULE_PROBLEMS_MAX)
		pr->items[pr->n++] = (struct module_problem){field, msgid};
}

static const char *or_empty(const char *s) { return s ? s : ""; }

/* Trimmed length, 0 for NULL. */
static size_t text_len(const char *s)
{
	if (!s)
		return 0;
	while (*s == ' ' || *s == '\n' || *s == '\r' || *s == '\t')
		s++;
	size_t n = strlen(s);
	while (n && (s[n - 1] == ' ' || s[n - 1] == '\n' || s[n - 1] == '\r' || s[n - 1] == '\t'))
		n--;
	return n;
}

static bool one_of(const char *value, const char *const *list, size_t n)
{
	for (size_t i = 0; value && i < n; i++)
		if (!strcmp(value, list[i]))
			return true;
	return false;
}

static void check_text(struct module_problems *pr, const char *field, const char *value,
                       size_t max, bool required, const char *missing, const char *too_long)
{
	size_t n = text_len(value);
	if (required && n == 0)
		problem(pr, field, missing);
	else if (value && strlen(value) > max)
		problem(pr, field, too_long);
	else if (value && !utf8_valid(value, strlen(value)))
		problem(pr, field, N_("Deze tekst bevat ongeldige tekens."));
}

/* Markdown is rendered with raw HTML off, but a description that carries
 * HTML tags or a javascript: link is refused outright, so the owner knows. */
static bool has_markup(const char *s)
{
	for (const char *p = s; p && *p; p++) {
		if (*p == '<' && ((p[1] >= 'a' && p[1] <= 'z') || (p[1] >= 'A' && p[1] <= 'Z') ||
		                  p[1] == '/' || p[1] == '!' || p[1] == '?'))
			return true;
		if ((*p == 'j' || *p == 'J') && !strncasecmp(p, "javascript:", 11))
			return true;
	}
	return false;
}

static int check_tags(struct ctx *ctx, struct module_problems *pr, enum tax_kind kind,
                      const int64_t *ids, size_t n, const char *field)
{
	if (n > MODULE_TAGS_MAX) {
		problem(pr, field, N_("Kies minder onderdelen uit de beroepsprofielen."));
		return 0;
	}
	for (size_t i = 0; i < n; i++) {
		struct tax_entry e;
		int rc = taxonomy_get(ctx, kind, ids[i], &e);
		if (rc == CAMPUS_ENOTFOUND || (rc == 0 && e.retired)) {
			problem(pr, field, N_("Een gekozen onderdeel van het beroepsprofiel bestaat niet (meer)."));
			return 0;
		}
		if (rc)
			return rc;
	}
	return 0;
}

int module_validate(struct ctx *ctx, const struct module_input *in, struct module_problems *pr)
{
	pr->n = 0;
	check_text(pr, "titel", in->title, MODULE_TITLE_MAX, true, N_("Vul een titel in."),
	           N_("De titel is te lang (hoogstens 160 tekens)."));
	check_text(pr, "samenvatting", in->summary, MODULE_SUMMARY_MAX, true,
	           N_("Vul een korte samenvatting in."), N_("De samenvatting is te lang (hoogstens 400 tekens)."));
	check_text(pr, "beschrijving", in->description, MODULE_TEXT_MAX, true,
	           N_("Vul een beschrijving in."), N_("De beschrijving is te lang."));
	if (in->description && has_markup(in->description))
		problem(pr, "beschrijving", N_("De beschrijving mag geen HTML of scripts bevatten; gebruik Markdown."));
	check_text(pr, "leerdoelen", in->goals, MODULE_TEXT_MAX, true,
	           N_("Vul ten minste één leerdoel in."), N_("De leerdoelen zijn te lang."));
	check_text(pr, "voorkennis", in->prerequisites, MODULE_TEXT_MAX, false, NULL,
	           N_("De voorkennis is te lang."));
	if (in->level && *in->level && !taxonomy_level_label(in->level))
		problem(pr, "niveau", N_("Kies een bestaand niveau."));
	if (!one_of(in->format, module_formats, 4))
		problem(pr, "vorm", N_("Kies een vorm."));
	if (!one_of(in->language, module_languages, 4))
		problem(pr, "taal", N_("Kies een taal."));
	if (!one_of(in->vat, module_vats, 4))
		problem(pr, "btw", N_("Kies hoe btw wordt berekend."));
	if (!one_of(in->audience, module_audiences, 3))
		problem(pr, "doelgroep", N_("Kies voor wie de module is."));
	if (in->load_tenths <= 0 || in->load_tenths > MODULE_LOAD_MAX_TENTHS)
		problem(pr, "studielast", N_("Vul een studielast in tussen 0,1 en 1000 uur."));
	if (in->price_cents < 0 || in->price_cents > MODULE_PRICE_MAX_CENTS)
		problem(pr, "prijs", N_("Vul een prijs in tussen 0 en 100.000 euro."));
	check_text(pr, "plaats", in->place, 80, false, NULL, N_("De plaats is te lang."));
	check_text(pr, "provincie", in->province, 40, false, NULL, N_("De provincie is te lang."));
	check_text(pr, "contactpersoon", in->contact_name, 120, false, NULL,
	           N_("De naam van de contactpersoon is te lang."));
	if (text_len(in->contact_email) && !email_normalise(ctx, in->contact_email))
		problem(pr, "contactemail", N_("Vul een geldig e-mailadres in."));
	if (in->ndomains == 0)
		problem(pr, "domein", N_("Kies ten minste één domein."));
	int rc = check_tags(ctx, pr, TAX_DOMAIN, in->domains, in->ndomains, "domein");
	if (!rc)
		rc = check_tags(ctx, pr, TAX_ROLE, in->roles, in->nroles, "rol");
	if (!rc)
		rc = check_tags(ctx, pr, TAX_COMPETENCY, in->competencies, in->ncompetencies, "competentie");
	if (rc)
		return rc;
	if (in->image) {
		if (in->image_len > MODULE_IMAGE_MAX_BYTES)
			problem(pr, "afbeelding", N_("De afbeelding is te groot (hoogstens 1 MB)."));
		else if (!image_sniff(in->image, in->image_len))
			problem(pr, "afbeelding", N_("De afbeelding moet een PNG- of JPEG-bestand zijn."));
	}
	return pr->n ? CAMPUS_EINVAL : 0;
}

/* ---- writing ---- */

static const char *trimmed(struct ctx *ctx, const char *s)
{
	if (!s)
		return "";
	while (*s == ' ' || *s == '\n' || *s == '\r' || *s == '\t')
		s++;
	size_t n = text_len(s);
	char *out = arena_strndup(ctx->arena, s, n);
	return out ? out : "";
}

static int write_tags(struct ctx *ctx, int64_t version_id, const struct module_input *in)
{
	int rc = db_exec(ctx->db, &stmt_tags_clear,
	                 (const struct db_param[]){DBP_INT(version_id), DBP_END}, NULL);
	static const char *const kinds[] = {"domain", "role", "competency"};
	const int64_t *lists[] = {in->domains, in->roles, in->competencies};
	size_t counts[] = {in->ndomains, in->nroles, in->ncompetencies};
	for (size_t k = 0; !rc && k < 3; k++)
		for (size_t i = 0; !rc && i < counts[k]; i++)
			rc = db_exec(ctx->db, &stmt_tag_insert,
			             (const struct db_param[]){DBP_INT(version_id), DBP_TEXT(kinds[k]),
			                                       DBP_INT(lists[k][i]), DBP_END},
			             NULL);
	return rc;
}

static int write_image(struct ctx *ctx, int64_t version_id, const struct module_input *in)
{
	if (in->image)
		return db_exec(ctx->db, &stmt_version_set_image,
		               (const struct db_param[]){DBP_INT(version_id),
		                                         DBP_BLOB(in->image, in->image_len),
		                                         DBP_TEXT(image_sniff(in->image, in->image_len)),
		                                         DBP_END},
		               NULL);
	if (in->remove_image)
		return db_exec(ctx->db, &stmt_version_set_image,
		               (const struct db_param[]){DBP_INT(version_id), DBP_NULL, DBP_NULL, DBP_END},
		               NULL);
	return 0;
}

static int insert_version(struct ctx *ctx, int64_t module_id, int64_t number,
                          const struct module_input *in, int64_t *version_id)
{
	const char *level = in->level && *in->level ? in->level : NULL;
	struct db_param person = ctx->actor.person_id ? (struct db_param)DBP_INT(ctx->actor.person_id)
	                                              : (struct db_param)DBP_NULL;
	int rc = db_query_row(
	    ctx->db, &stmt_version_insert,
	    (const struct db_param[]){
	        DBP_INT(module_id), DBP_INT(number), DBP_TEXT(trimmed(ctx, in->title)),
	        DBP_TEXT(trimmed(ctx, in->summary)), DBP_TEXT(trimmed(ctx, in->description)),
	        DBP_TEXT(trimmed(ctx, in->goals)), DBP_TEXT(trimmed(ctx, in->prerequisites)),
	        DBP_TEXT(level), DBP_TEXT(in->format), DBP_TEXT(in->language), DBP_TEXT(in->vat),
	        DBP_TEXT(in->audience), DBP_TEXT(trimmed(ctx, in->place)),
	        DBP_TEXT(trimmed(ctx, in->province)), DBP_TEXT(trimmed(ctx, in->contact_name)),
	        DBP_TEXT(or_empty(email_normalise(ctx, in->contact_email))), DBP_INT(in->load_tenths),
	        DBP_INT(in->price_cents), DBP_NULL, DBP_NULL, person, DBP_INT(ctx->now()), DBP_END},
	    (const struct db_col[]){DBC_INT(version_id), DBC_END}, ctx->arena);
	if (!rc)
		rc = write_tags(ctx, *version_id, in);
	if (!rc)
		rc = write_image(ctx, *version_id, in);
	return rc;
}

static int audit_module(struct ctx *ctx, const char *action, int64_t module_id, const char *detail)
{
	char id[24];
	snprintf(id, sizeof id, "%lld", (long long)module_id);
	return audit_record(ctx, action, "module", id, "ok", detail ? detail : "");
}

struct create_args {
	struct ctx *ctx;
	int64_t owner, local;
	const struct module_input *in;
	int64_t *id;
};

static int create_tx(struct db_conn *db, void *cls)
{
	struct create_args *a = cls;
	struct ctx *ctx = a->ctx;
	struct db_param local = a->local ? (struct db_param)DBP_INT(a->local) : (struct db_param)DBP_NULL;
	int64_t version_id;
	int rc = db_query_row(db, &stmt_module_insert,
	                      (const struct db_param[]){DBP_INT(a->owner), local, DBP_INT(ctx->now()),
	                                                DBP_END},
	                      (const struct db_col[]){DBC_INT(a->id), DBC_END}, ctx->arena);
	if (!rc)
		rc = insert_version(ctx, *a->id, 1, a->in, &version_id);
	if (!rc)
		rc = db_exec(db, &stmt_module_set_working,
		             (const struct db_param[]){DBP_INT(*a->id), DBP_INT(version_id),
		                                       DBP_INT(ctx->now()), DBP_END},
		             NULL);
	return rc ? rc : audit_module(ctx, "module.create", *a->id, trimmed(ctx, a->in->title));
}

int module_create(struct ctx *ctx, int64_t owner_org_id, int64_t local_org_id,
                  const struct module_input *in, int64_t *id, struct module_problems *pr)
{
	int rc = module_validate(ctx, in, pr);
	if (rc)
		return rc;
	struct org owner;
	if ((rc = org_get(ctx, owner_org_id, &owner)))
		return rc;
	if (strcmp(owner.kind, "provider") != 0 && strcmp(owner.kind, "library") != 0 &&
	    strcmp(owner.kind, "poi") != 0) {
		problem(pr, "", N_("Alleen aanbieders en bibliotheken plaatsen modules."));
		return CAMPUS_EINVAL;
	}
	if (local_org_id && local_org_id != owner_org_id) {
		problem(pr, "", N_("Een lokale module hoort bij de eigen bibliotheek."));
		return CAMPUS_EINVAL;
	}
	struct create_args a = {ctx, owner_org_id, local_org_id, in, id};
	return db_tx_run(ctx->db, DB_TX_WRITE, create_tx, &a);
}

/* Whether in changes what the committee judged about version v. */
static bool substantive_change(const struct module_version *v, const struct module_input *in,
                               struct ctx *ctx)
{
	const char *level = in->level && *in->level ? in->level : NULL;
	if (strcmp(v->title, trimmed(ctx, in->title)) || strcmp(v->description, trimmed(ctx, in->description)) ||
	    strcmp(v->goals, trimmed(ctx, in->goals)) ||
	    strcmp(v->prerequisites, trimmed(ctx, in->prerequisites)) ||
	    strcmp(or_empty(v->level), or_empty(level)) || strcmp(v->format, in->format) ||
	    strcmp(v->language, in->language) || strcmp(v->audience, in->audience) ||
	    v->load_tenths != in->load_tenths)
		return true;
	/* The same set of tags? */
	size_t ntags = in->ndomains + in->nroles + in->ncompetencies;
	if (ntags != v->ntags)
		return true;
	for (size_t i = 0; i < v->ntags; i++) {
		const int64_t *list = v->tags[i].kind == 'd' ? in->domains
		                      : v->tags[i].kind == 'r' ? in->roles
		                                               : in->competencies;
		size_t n = v->tags[i].kind == 'd' ? in->ndomains
		           : v->tags[i].kind == 'r' ? in->nroles
		                                    : in->ncompetencies;
		bool found = false;
		for (size_t k = 0; k < n && !found; k++)
			found = list[k] == v->tags[i].id;
		if (!found)
			return true;
	}
	return false;
}

struct update_args {
	struct ctx *ctx;
	int64_t id;
	const struct module_input *in;
	bool *new_version;
	struct module_problems *pr;
};

static int update_details(struct ctx *ctx, int64_t version_id, const struct module_input *in)
{
	return db_exec(ctx->db, &stmt_version_update_details,
	               (const struct db_param[]){
	                   DBP_INT(version_id), DBP_TEXT(trimmed(ctx, in->summary)),
	                   DBP_TEXT(trimmed(ctx, in->place)), DBP_TEXT(trimmed(ctx, in->province)),
	                   DBP_TEXT(trimmed(ctx, in->contact_name)),
	                   DBP_TEXT(or_empty(email_normalise(ctx, in->contact_email))),
	                   DBP_INT(in->price_cents), DBP_TEXT(in->vat), DBP_INT(ctx->now()), DBP_END},
	               NULL);
}

static int update_tx(struct db_conn *db, void *cls)
{
	struct update_args *a = cls;
	struct ctx *ctx = a->ctx;
	struct module m;
	int rc = module_get(ctx, a->id, MODULE_WORKING, &m);
	if (rc)
		return rc;
	const char *state = m.v.state;
	if (!strcmp(state, "submitted") || !strcmp(state, "in_review")) {
		problem(a->pr, "", N_("Deze versie ligt bij de toetsingscommissie en kan nu niet worden gewijzigd."));
		return CAMPUS_ECONFLICT;
	}
	bool editable = !strcmp(state, "draft") || !strcmp(state, "returned");
	bool substantive = substantive_change(&m.v, a->in, ctx);
	int64_t now = ctx->now();
	*a->new_version = false;
	if (editable) {
		const char *level = a->in->level && *a->in->level ? a->in->level : NULL;
		const struct module_input *in = a->in;
		rc = db_exec(db, &stmt_version_update,
		             (const struct db_param[]){
		                 DBP_INT(m.v.id), DBP_TEXT(trimmed(ctx, in->title)),
		                 DBP_TEXT(trimmed(ctx, in->summary)), DBP_TEXT(trimmed(ctx, in->description)),
		                 DBP_TEXT(trimmed(ctx, in->goals)), DBP_TEXT(trimmed(ctx, in->prerequisites)),
		                 DBP_TEXT(level), DBP_TEXT(in->format), DBP_TEXT(in->language),
		                 DBP_TEXT(in->vat), DBP_TEXT(in->audience), DBP_TEXT(trimmed(ctx, in->place)),
		                 DBP_TEXT(trimmed(ctx, in->province)), DBP_TEXT(trimmed(ctx, in->contact_name)),
		                 DBP_TEXT(or_empty(email_normalise(ctx, in->contact_email))),
		                 DBP_INT(in->load_tenths), DBP_INT(in->price_cents), DBP_INT(now), DBP_END},
		             NULL);
		if (!rc)
			rc = write_tags(ctx, m.v.id, in);
		if (!rc)
			rc = write_image(ctx, m.v.id, in);
	} else if (substantive) {
		/* Recognised, rejected or expired: the judged text is frozen; a new
		 * version starts, and the published one stays until it is recognised. */
		int64_t version_id;
		rc = insert_version(ctx, m.id, m.v.number + 1, a->in, &version_id);
		if (!rc && !a->in->image && !a->in->remove_image)
			rc = db_exec(db, &stmt_version_copy_image,
			             (const struct db_param[]){DBP_INT(version_id), DBP_INT(m.v.id), DBP_END},
			             NULL);
		if (!rc)
			rc = db_exec(db, &stmt_module_set_working,
			             (const struct db_param[]){DBP_INT(m.id), DBP_INT(version_id), DBP_INT(now),
			                                       DBP_END},
			             NULL);
		*a->new_version = true;
	} else {
		rc = update_details(ctx, m.v.id, a->in);
		if (!rc)
			rc = write_image(ctx, m.v.id, a->in);
	}
	/* Practical details (price, contact, place) hold for the published version too. */
	if (!rc && m.published_version_id && m.published_version_id != m.v.id) {
		rc = update_details(ctx, m.published_version_id, a->in);
		if (!rc)
			rc = write_image(ctx, m.published_version_id, a->in);
	}
	if (!rc)
		rc = db_exec(db, &stmt_module_touch,
		             (const struct db_param[]){DBP_INT(m.id), DBP_INT(now), DBP_END}, NULL);
	return rc ? rc
	          : audit_module(ctx, *a->new_version ? "module.new_version" : "module.update", m.id,
	                         substantive ? "substantive" : "details");
}

int module_update(struct ctx *ctx, int64_t module_id, const struct module_input *in,
                  bool *new_version, struct module_problems *pr)
{
	*new_version = false;
	int rc = module_validate(ctx, in, pr);
	if (rc)
		return rc;
	struct update_args a = {ctx, module_id, in, new_version, pr};
	return db_tx_run(ctx->db, DB_TX_WRITE, update_tx, &a);
}

struct publish_args {
	struct ctx *ctx;
	int64_t id;
	bool publish;
	const char **why;
};

static int publish_tx(struct db_conn *db, void *cls)
{
	struct publish_args *a = cls;
	struct ctx *ctx = a->ctx;
	struct module m;
	int rc = module_get(ctx, a->id, MODULE_WORKING, &m);
	if (rc)
		return rc;
	int64_t target = 0;
	if (a->publish) {
		if (m.recognised_version_id && m.published_version_id == m.recognised_version_id &&
		    m.working_version_id != m.published_version_id) {
			*a->why = N_("De erkende versie blijft zichtbaar tot de commissie de nieuwe versie heeft erkend.");
			return CAMPUS_ECONFLICT;
		}
		if (!strcmp(m.v.state, "rejected")) {
			*a->why = N_("Een afgewezen versie kan niet worden gepubliceerd.");
			return CAMPUS_ECONFLICT;
		}
		target = m.working_version_id;
	}
	struct db_param version = target ? (struct db_param)DBP_INT(target) : (struct db_param)DBP_NULL;
	rc = db_exec(db, &stmt_module_set_published,
	             (const struct db_param[]){DBP_INT(m.id), version, DBP_INT(ctx->now()), DBP_END},
	             NULL);
	return rc ? rc : audit_module(ctx, a->publish ? "module.publish" : "module.unpublish", m.id, "");
}

int module_publish(struct ctx *ctx, int64_t module_id, const char **why)
{
	*why = NULL;
	struct publish_args a = {ctx, module_id, true, why};
	return db_tx_run(ctx->db, DB_TX_WRITE, publish_tx, &a);
}

int module_unpublish(struct ctx *ctx, int64_t module_id)
{
	const char *why = NULL;
	struct publish_args a = {ctx, module_id, false, &why};
	return db_tx_run(ctx->db, DB_TX_WRITE, publish_tx, &a);
}
