/* Self-reported learning and EVC claims over learning_claims and
 * learning_claim_files. Each change is one write transaction: read, check,
 * write, record, notify, audit; a refusal returns before anything is written
 * and the transaction rolls back whatever a later step refused. */
#include "domain/claim.h"

#include <string.h>

#include "core/arena.h"
#include "core/err.h"
#include "core/str.h"
#include "core/when.h"
#include "db/db.h"
#include "domain/audit.h"
#include "domain/authz.h"
#include "domain/catalog.h"
#include "domain/ctx.h"
#include "domain/notify.h"
#include "domain/progress.h"

/* ---- statements ---- */

DB_STMT(stmt_cl_membership,
        "SELECT o.kind FROM memberships m JOIN organisations o ON o.id = m.org_id "
        "WHERE m.person_id = $1 AND m.org_id = $2 AND m.ended_at IS NULL");
DB_STMT(stmt_cl_domain, "SELECT COUNT(*) FROM tax_domains WHERE id = $1 AND retired_at IS NULL");
DB_STMT(stmt_cl_insert,
        "INSERT INTO learning_claims (person_id, org_id, kind, title, provider_name, description, "
        "hours_tenths, domain_id, learned_at, state, created_at, updated_at) "
        "VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, 'submitted', $10, $10) RETURNING id");
/* Who decides a new claim: the library's managers (external) or the
 * committee's members anywhere (EVC), never the learner themselves. */
DB_STMT(stmt_cl_deciders,
        "SELECT DISTINCT m.person_id FROM memberships m WHERE m.ended_at IS NULL "
        "AND (m.org_id = $1 OR $1 = 0) AND (m.roles & $2) <> 0 AND m.person_id <> $3 "
        "ORDER BY m.person_id LIMIT 200");
DB_STMT(stmt_cl_name, "SELECT name FROM people WHERE id = $1");
DB_STMT(stmt_cl_org_slug, "SELECT slug FROM organisations WHERE id = $1");
DB_STMT(stmt_cl_file_insert,
        "INSERT INTO learning_claim_files (claim_id, name, content_type, size, data, created_at) "
        "VALUES ($1, $2, $3, $4, $5, $6)");

#define CLAIM_SELECT                                                                               \
	"SELECT c.id, c.person_id, c.org_id, p.name, o.name, o.slug, c.kind, c.title, "            \
	"c.provider_name, c.description, c.hours_tenths, COALESCE(c.domain_id, 0), "               \
	"COALESCE(d.name, ''), c.learned_at, c.state, COALESCE(c.points_tenths, -1), c.reason, "   \
	"COALESCE(dp.name, ''), COALESCE(c.decided_at, 0), c.created_at "                          \
	"FROM learning_claims c JOIN people p ON p.id = c.person_id "                              \
	"JOIN organisations o ON o.id = c.org_id LEFT JOIN tax_domains d ON d.id = c.domain_id "   \
	"LEFT JOIN people dp ON dp.id = c.decided_by "

DB_STMT(stmt_cl_get, CLAIM_SELECT "WHERE c.id = $1");
DB_STMT(stmt_cl_mine, CLAIM_SELECT "WHERE c.person_id = $1 ORDER BY c.created_at DESC, c.id DESC "
                                   "LIMIT 500");
DB_STMT(stmt_cl_open_org, CLAIM_SELECT "WHERE c.org_id = $1 AND c.kind = $2 AND c.state = 'submitted' "
                                       "ORDER BY c.created_at, c.id LIMIT 500");
DB_STMT(stmt_cl_decided_org,
        CLAIM_SELECT "WHERE c.org_id = $1 AND c.kind = $2 AND c.state IN ('approved', 'refused') "
                     "ORDER BY c.decided_at DESC, c.id DESC LIMIT $3");
DB_STMT(stmt_cl_open_all, CLAIM_SELECT "WHERE c.kind = $1 AND c.state = 'submitted' "
                                       "ORDER BY c.created_at, c.id LIMIT 500");
DB_STMT(stmt_cl_decided_all,
        CLAIM_SELECT "WHERE c.kind = $1 AND c.state IN ('approved', 'refused') "
                     "ORDER BY c.decided_at DESC, c.id DESC LIMIT $2");
DB_STMT(stmt_cl_files,
        "SELECT id, name, content_type, size FROM learning_claim_files WHERE claim_id = $1 "
        "ORDER BY id");
DB_STMT(stmt_cl_file_data,
        "SELECT id, name, content_type, size, data FROM learning_claim_files "
        "WHERE claim_id = $1 AND id = $2");
DB_STMT(stmt_cl_decide,
        "UPDATE learning_claims SET state = $2, points_tenths = $3, decided_by = $4, "
        "decided_at = $5, reason = $6, updated_at = $5 WHERE id = $1 AND state = 'submitted'");
DB_STMT(stmt_cl_withdraw,
        "UPDATE learning_claims SET state = 'withdrawn', updated_at = $2 "
        "WHERE id = $1 AND person_id = $3 AND state = 'submitted'");

/* ---- small helpers ---- */

const char *claim_kind_name(enum claim_kind k) { return k == CLAIM_EVC ? "evc" : "external"; }

bool claim_kind_parse(const char *soort, enum claim_kind *out)
{
	if (soort && (!strcmp(soort, "extern") || !strcmp(soort, "external")))
		*out = CLAIM_EXTERNAL;
	else if (soort && !strcmp(soort, "evc"))
		*out = CLAIM_EVC;
	else
		return false;
	return true;
}

const char *claim_state_label(const char *state)
{
	if (!strcmp(state, "submitted"))
		return N_("ingediend, wacht op besluit");
	if (!strcmp(state, "approved"))
		return N_("goedgekeurd");
	if (!strcmp(state, "refused"))
		return N_("afgewezen");
	return N_("ingetrokken");
}

static const char *id_text(struct ctx *ctx, int64_t id)
{
	const char *s = arena_printf(ctx->arena, "%lld", (long long)id);
	return s ? s : "";
}

static struct db_param person_param(int64_t id)
{
	return id ? (struct db_param)DBP_INT(id) : (struct db_param)DBP_NULL;
}

static bool blank(const char *s)
{
	if (!s)
		return true;
	for (; *s; s++)
		if (*s != ' ' && *s != '\t' && *s != '\r' && *s != '\n')
			return false;
	return true;
}

static bool valid_text(const char *s, size_t max)
{
	size_t n = s ? strlen(s) : 0;
	return n <= max && (n == 0 || utf8_valid(s, n));
}

static int refuse(const char **why, const char *msgid, int rc)
{
	*why = msgid;
	return rc;
}

/* "12,5" for 125 tenths, in the arena. */
static const char *tenths_text(struct ctx *ctx, int64_t t)
{
	char buf[24];
	const char *s = arena_strdup(ctx->arena, tenths_format(t, buf, sizeof buf));
	return s ? s : "";
}

/* ---- evidence files ---- */

static bool is_pdf(const unsigned char *d, size_t len)
{
	if (len < 16 || memcmp(d, "%PDF-", 5) != 0)
		return false;
	/* A whole PDF ends with %%EOF (perhaps followed by a line end or a
	 * little padding): a cut-off upload is refused too. */
	size_t tail = len < 1024 ? len : 1024;
	const unsigned char *t = d + len - tail;
	for (size_t i = tail; i >= 5; i--)
		if (memcmp(t + i - 5, "%%EOF", 5) == 0)
			return true;
	return false;
}

static bool is_png(const unsigned char *d, size_t len)
{
	static const unsigned char sig[8] = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1A, '\n'};
	static const unsigned char iend[8] = {'I', 'E', 'N', 'D', 0xAE, 0x42, 0x60, 0x82};
	return len >= 45 && memcmp(d, sig, 8) == 0 && memcmp(d + 12, "IHDR", 4) == 0 &&
	       memcmp(d + len - 8, iend, 8) == 0;
}

static bool is_jpeg(const unsigned char *d, size_t len)
{
	if (len < 32 || d[0] != 0xFF || d[1] != 0xD8 || d[2] != 0xFF)
		return false;
	/* EOI at the end; some cameras pad a few bytes after it. */
	size_t tail = len < 64 ? len : 64;
	for (size_t i = len; i >= len - tail + 2; i--)
		if (d[i - 2] == 0xFF && d[i - 1] == 0xD9)
			return true;
	return false;
}

const char *claim_file_sniff(const unsigned char *data, size_t len)
{
	if (!data)
		return NULL;
	if (is_pdf(data, len))
		return "application/pdf";
	if (is_png(data, len))
		return "image/png";
	if (is_jpeg(data, len))
		return "image/jpeg";
	return NULL;
}

static bool ieq_ext(const char *ext, const char *want)
{
	for (; *ext && *want; ext++, want++) {
		char c = *ext >= 'A' && *ext <= 'Z' ? (char)(*ext - 'A' + 'a') : *ext;
		if (c != *want)
			return false;
	}
	return !*ext && !*want;
}

/* The media type a name's extension claims; "" for no extension, NULL for
 * an extension that is none of ours. */
static const char *ext_type(const char *ext)
{
	if (!ext)
		return "";
	if (ieq_ext(ext, "pdf"))
		return "application/pdf";
	if (ieq_ext(ext, "png"))
		return "image/png";
	if (ieq_ext(ext, "jpg") || ieq_ext(ext, "jpeg"))
		return "image/jpeg";
	return NULL;
}

static const char *type_ext(const char *type)
{
	return !strcmp(type, "application/pdf") ? ".pdf" : !strcmp(type, "image/png") ? ".png" : ".jpg";
}

/* What the bytes are instead, for the message. */
static const char *forged_why(const unsigned char *d, size_t len, const char *claimed)
{
	if (len >= 2 && ((d[0] == 'M' && d[1] == 'Z') ||
	                 (len >= 4 && d[0] == 0x7F && d[1] == 'E' && d[2] == 'L' && d[3] == 'F') ||
	                 (d[0] == '#' && d[1] == '!')))
		return N_("Dit bestand is een programma, geen bewijsstuk. Alleen PDF, PNG en JPEG worden "
		          "aangenomen.");
	if (claimed && !strcmp(claimed, "application/pdf"))
		return N_("Dit bestand heet .pdf maar is geen (volledige) PDF. Alleen echte PDF-, PNG- en "
		          "JPEG-bestanden worden aangenomen.");
	if (claimed && claimed[0])
		return N_("Dit bestand heet een afbeelding maar is geen (volledige) PNG of JPEG. Alleen "
		          "echte PDF-, PNG- en JPEG-bestanden worden aangenomen.");
	return N_("Dit bestand is geen PDF, PNG of JPEG. Alleen die soorten worden aangenomen.");
}

int claim_file_check(struct ctx *ctx, const char *name, const unsigned char *data, size_t len,
                     const char **type, const char **safe_name, const char **why)
{
	*type = *safe_name = NULL;
	*why = NULL;
	if (!data || len == 0)
		return refuse(why, N_("Dit bestand is leeg."), CAMPUS_EINVAL);
	if (len > CLAIM_FILE_MAX_BYTES)
		return refuse(why, N_("Dit bestand is groter dan 5 MB."), CAMPUS_ETOOBIG);
	if (!name)
		name = "";
	const char *base = strrchr(name, '/');
	base = base ? base + 1 : name;
	if (strrchr(base, '\\'))
		base = strrchr(base, '\\') + 1;
	const char *dot = strrchr(base, '.');
	const char *claimed = ext_type(dot && dot != base ? dot + 1 : NULL);
	const char *proven = claim_file_sniff(data, len);
	if (!proven || (claimed && claimed[0] && strcmp(claimed, proven) != 0)) {
		if (proven && claimed && claimed[0])
			return refuse(why, !strcmp(claimed, "application/pdf")
			                       ? N_("Dit bestand heet .pdf maar is een afbeelding. Geef het "
			                            "de naam die bij de inhoud hoort.")
			                       : !strcmp(proven, "application/pdf")
			                             ? N_("Dit bestand heet een afbeelding maar is een PDF. "
			                                  "Geef het de naam die bij de inhoud hoort.")
			                             : N_("Dit bestand heet PNG maar is JPEG, of andersom. Geef "
			                                  "het de naam die bij de inhoud hoort."),
			              CAMPUS_EINVAL);
		return refuse(why, forged_why(data, len, claimed), CAMPUS_EINVAL);
	}
	if (!claimed)
		return refuse(why, N_("Dit bestand heeft een onbekende extensie. Alleen .pdf, .png, .jpg "
		                      "en .jpeg worden aangenomen."),
		              CAMPUS_EINVAL);
	/* The stem: ASCII letters, digits, '-', '_' and '.' kept, runs of
	 * anything else one '_'; no leading dots; the extension the bytes prove. */
	const char *ext = type_ext(proven);
	size_t stem_len = dot && dot != base ? (size_t)(dot - base) : strlen(base);
	size_t cap = CLAIM_FILE_NAME_MAX - strlen(ext);
	char *out = arena_alloc(ctx->arena, CLAIM_FILE_NAME_MAX + 1);
	if (!out)
		return CAMPUS_ENOMEM;
	size_t n = 0;
	for (size_t i = 0; i < stem_len && n < cap; i++) {
		unsigned char c = (unsigned char)base[i];
		bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
		          c == '-' || c == '_' || (c == '.' && n > 0);
		if (ok)
			out[n++] = (char)c;
		else if (n > 0 && out[n - 1] != '_')
			out[n++] = '_';
	}
	while (n > 0 && (out[n - 1] == '_' || out[n - 1] == '.'))
		n--;
	if (n == 0) {
		memcpy(out, "bewijs", 6);
		n = 6;
	}
	memcpy(out + n, ext, strlen(ext) + 1);
	*type = proven;
	*safe_name = out;
	return 0;
}

/* ---- submitting ---- */

struct checked_file {
	const char *name, *type;
	const unsigned char *data;
	size_t len;
};

struct submit_args {
	struct ctx *ctx;
	const struct claim_in *in;
	const struct checked_file *files;
	int64_t id;
};

/* The deciders hear of a new claim on screen (their inbox is the work
 * list; no e-mail for every claim). */
static int tell_deciders(struct ctx *ctx, int64_t id, const struct claim_in *in)
{
	bool evc = in->kind == CLAIM_EVC;
	const char *name = "";
	int rc = db_query_row(ctx->db, &stmt_cl_name,
	                      (const struct db_param[]){DBP_INT(ctx->actor.person_id), DBP_END},
	                      (const struct db_col[]){DBC_TEXT(&name), DBC_END}, ctx->arena);
	if (rc)
		return rc;
	int64_t cur = 0;
	struct db_rows rows = {.arena = ctx->arena, .size = sizeof cur, .cur = &cur};
	rc = db_query(ctx->db, &stmt_cl_deciders,
	              (const struct db_param[]){DBP_INT(evc ? 0 : ctx->actor.org_id),
	                                        DBP_INT(evc ? ROLE_COMMITTEE : ROLE_MANAGER),
	                                        DBP_INT(ctx->actor.person_id), DBP_END},
	              (const struct db_col[]){DBC_INT(&cur), DBC_END}, ctx->arena, db_rows_collect,
	              &rows);
	if (rc)
		return rc;
	const char *slug = NULL;
	if (!evc) {
		rc = db_query_row(ctx->db, &stmt_cl_org_slug,
		                  (const struct db_param[]){DBP_INT(ctx->actor.org_id), DBP_END},
		                  (const struct db_col[]){DBC_TEXT(&slug), DBC_END}, ctx->arena);
		if (rc)
			return rc;
	}
	const char *link = evc ? arena_printf(ctx->arena, "/commissie/evc/%lld", (long long)id)
	                       : arena_printf(ctx->arena, "/b/%s/scholing/%lld", slug, (long long)id);
	if (!link)
		return CAMPUS_ENOMEM;
	const char *vars[] = {"persoon", name, "titel", in->title, NULL};
	struct notify_msg m = {
	    .kind = evc ? "claim.evc_submitted" : "claim.submitted",
	    .subject = evc ? N_("Nieuwe EVC-aanvraag van {persoon}: {titel}")
	                   : N_("{persoon} meldt scholing: {titel}"),
	    .body = evc ? N_("{persoon} vraagt erkenning van eerder verworven competenties: \"{titel}\". "
	                     "De aanvraag wacht op een besluit van de commissie.")
	                : N_("{persoon} heeft scholing gemeld: \"{titel}\". De melding wacht op uw "
	                     "besluit."),
	    .link = link,
	    .vars = vars,
	    .mail = false};
	const int64_t *ids = rows.data;
	for (size_t i = 0; !rc && i < rows.n; i++)
		rc = notify_person(ctx, ids[i], &m);
	return rc;
}

static int submit_tx(struct db_conn *db, void *cls)
{
	struct submit_args *a = cls;
	struct ctx *ctx = a->ctx;
	const struct claim_in *in = a->in;
	int64_t now = ctx->now();
	int rc = db_query_row(
	    db, &stmt_cl_insert,
	    (const struct db_param[]){DBP_INT(ctx->actor.person_id), DBP_INT(ctx->actor.org_id),
	                              DBP_TEXT(claim_kind_name(in->kind)), DBP_TEXT(in->title),
	                              DBP_TEXT(in->provider_name ? in->provider_name : ""),
	                              DBP_TEXT(in->description ? in->description : ""),
	                              DBP_INT(in->hours_tenths), person_param(in->domain_id),
	                              DBP_INT(in->learned_at), DBP_INT(now), DBP_END},
	    (const struct db_col[]){DBC_INT(&a->id), DBC_END}, ctx->arena);
	for (size_t i = 0; !rc && i < in->nfiles; i++)
		rc = db_exec(db, &stmt_cl_file_insert,
		             (const struct db_param[]){DBP_INT(a->id), DBP_TEXT(a->files[i].name),
		                                       DBP_TEXT(a->files[i].type), DBP_INT(a->files[i].len),
		                                       DBP_BLOB(a->files[i].data, a->files[i].len),
		                                       DBP_INT(now), DBP_END},
		             NULL);
	if (!rc)
		rc = tell_deciders(ctx, a->id, in);
	if (!rc) {
		const char *detail = arena_printf(ctx->arena, "kind=%s org=%lld hours=%lld files=%zu",
		                                  claim_kind_name(in->kind), (long long)ctx->actor.org_id,
		                                  (long long)in->hours_tenths, in->nfiles);
		rc = audit_record(ctx, "claim.submit", "learning_claim", id_text(ctx, a->id), "ok",
		                  detail ? detail : "");
	}
	return rc;
}

int claim_submit(struct ctx *ctx, const struct claim_in *in, int64_t *id, int *bad_file,
                 const char **why)
{
	*id = 0;
	*bad_file = -1;
	*why = NULL;
	if (!ctx->actor.person_id || !ctx->actor.org_id)
		return refuse(why, N_("Kies eerst de bibliotheek waar je nu werkt."), CAMPUS_EFORBIDDEN);
	const char *org_kind = NULL;
	int rc = db_query_row(ctx->db, &stmt_cl_membership,
	                      (const struct db_param[]){DBP_INT(ctx->actor.person_id),
	                                                DBP_INT(ctx->actor.org_id), DBP_END},
	                      (const struct db_col[]){DBC_TEXT(&org_kind), DBC_END}, ctx->arena);
	if (rc == CAMPUS_ENOTFOUND || (!rc && strcmp(org_kind, "library") != 0))
		return refuse(why, N_("Scholing melden kan alleen voor de bibliotheek waar je nu werkt. "
		                      "Kies eerst die bibliotheek."),
		              CAMPUS_EFORBIDDEN);
	if (rc)
		return rc;
	if (blank(in->title))
		return refuse(why, N_("Vul de titel van de scholing in."), CAMPUS_EINVAL);
	if (!valid_text(in->title, CLAIM_TITLE_MAX))
		return refuse(why, N_("De titel is te lang (ten hoogste 200 tekens)."), CAMPUS_EINVAL);
	if (!valid_text(in->provider_name, CLAIM_PROVIDER_MAX))
		return refuse(why, N_("De naam van de aanbieder is te lang (ten hoogste 200 tekens)."),
		              CAMPUS_EINVAL);
	if (!valid_text(in->description, CLAIM_DESCRIPTION_MAX))
		return refuse(why, N_("De beschrijving is te lang (ten hoogste 4000 tekens)."),
		              CAMPUS_EINVAL);
	if (in->kind == CLAIM_EVC && blank(in->description))
		return refuse(why, N_("Beschrijf wat je hebt geleerd: dat is nodig voor een EVC-aanvraag."),
		              CAMPUS_EINVAL);
	if (in->hours_tenths <= 0 || in->hours_tenths > CLAIM_HOURS_MAX_TENTHS)
		return refuse(why, N_("Vul het aantal uren in: meer dan 0 en ten hoogste 1000."),
		              CAMPUS_EINVAL);
	struct when_local oldest = {0};
	when_to_local(in->learned_at, &oldest);
	if (in->learned_at <= 0 || oldest.year < CLAIM_OLDEST_YEAR)
		return refuse(why, N_("Vul een geldige datum in."), CAMPUS_EINVAL);
	if (in->learned_at > ctx->now())
		return refuse(why, N_("De datum ligt in de toekomst. Meld scholing als je die hebt gevolgd."),
		              CAMPUS_EINVAL);
	if (in->domain_id < 0)
		return refuse(why, N_("Kies een domein uit de lijst."), CAMPUS_EINVAL);
	if (in->domain_id > 0) {
		int64_t n = 0;
		rc = db_query_row(ctx->db, &stmt_cl_domain,
		                  (const struct db_param[]){DBP_INT(in->domain_id), DBP_END},
		                  (const struct db_col[]){DBC_INT(&n), DBC_END}, ctx->arena);
		if (rc)
			return rc;
		if (n != 1)
			return refuse(why, N_("Kies een domein uit de lijst."), CAMPUS_EINVAL);
	}
	if (in->nfiles > CLAIM_FILES_MAX)
		return refuse(why, N_("Voeg ten hoogste 5 bestanden toe."), CAMPUS_EINVAL);
	if (in->kind == CLAIM_EVC && in->nfiles == 0)
		return refuse(why, N_("Voeg ten minste één bewijsstuk toe: dat is nodig voor een "
		                      "EVC-aanvraag."),
		              CAMPUS_EINVAL);
	struct checked_file *files = in->nfiles ? arena_zalloc(ctx->arena, in->nfiles * sizeof *files)
	                                        : NULL;
	if (in->nfiles && !files)
		return CAMPUS_ENOMEM;
	for (size_t i = 0; i < in->nfiles; i++) {
		rc = claim_file_check(ctx, in->files[i].name, in->files[i].data, in->files[i].len,
		                      &files[i].type, &files[i].name, why);
		if (rc) {
			*bad_file = (int)i;
			return rc;
		}
		files[i].data = in->files[i].data;
		files[i].len = in->files[i].len;
	}
	struct submit_args a = {ctx, in, files, 0};
	rc = db_tx_run(ctx->db, DB_TX_WRITE, submit_tx, &a);
	if (!rc)
		*id = a.id;
	return rc;
}

/* ---- reading ---- */

/* The columns of CLAIM_SELECT read into *c_ (the kind as text into *kind_). */
#define CLAIM_COLS(c_, kind_)                                                                      \
	(const struct db_col[])                                                                    \
	{                                                                                          \
		DBC_INT(&(c_)->id), DBC_INT(&(c_)->person_id), DBC_INT(&(c_)->org_id),             \
		    DBC_TEXT(&(c_)->person_name), DBC_TEXT(&(c_)->org_name),                       \
		    DBC_TEXT(&(c_)->org_slug), DBC_TEXT(kind_), DBC_TEXT(&(c_)->title),            \
		    DBC_TEXT(&(c_)->provider_name), DBC_TEXT(&(c_)->description),                  \
		    DBC_INT(&(c_)->hours_tenths), DBC_INT(&(c_)->domain_id),                       \
		    DBC_TEXT(&(c_)->domain_name), DBC_INT(&(c_)->learned_at),                      \
		    DBC_TEXT(&(c_)->state), DBC_INT(&(c_)->points_tenths), DBC_TEXT(&(c_)->reason), \
		    DBC_TEXT(&(c_)->decided_by_name), DBC_INT(&(c_)->decided_at),                  \
		    DBC_INT(&(c_)->created_at), DBC_END                                            \
	}

struct collect {
	struct db_rows rows;
	struct claim cur;
	const char *kind;
};

static int collect_row(void *cls)
{
	struct collect *c = cls;
	c->cur.kind = !strcmp(c->kind, "evc") ? CLAIM_EVC : CLAIM_EXTERNAL;
	struct claim *slot = db_rows_push(&c->rows);
	if (!slot)
		return CAMPUS_ENOMEM;
	*slot = c->cur;
	return 0;
}

static int query_claims(struct ctx *ctx, struct db_stmt *stmt, const struct db_param *params,
                        struct db_rows *rows)
{
	struct collect c = {.rows = {.arena = ctx->arena, .size = sizeof(struct claim)}};
	int rc = db_query(ctx->db, stmt, params, CLAIM_COLS(&c.cur, &c.kind), ctx->arena, collect_row,
	                  &c);
	if (!rc) {
		struct db_rows *dst = rows;
		if (!dst->data) {
			*dst = c.rows;
		} else {
			for (size_t i = 0; i < c.rows.n; i++) {
				struct claim *slot = db_rows_push(dst);
				if (!slot)
					return CAMPUS_ENOMEM;
				*slot = ((struct claim *)c.rows.data)[i];
			}
		}
	}
	return rc;
}

static bool is_admin(const struct ctx *ctx)
{
	return (ctx->actor.flags & ACTOR_SYSTEM) || (ctx->actor.roles & ROLE_CAMPUS_ADMIN);
}

bool claim_may_decide(const struct ctx *ctx, const struct claim *c)
{
	if (ctx->actor.flags & ACTOR_SYSTEM)
		return true;
	if (!ctx->actor.person_id)
		return false;
	if (c->kind == CLAIM_EVC)
		return authz_check(&ctx->actor, AZ_COMMITTEE, 0) == 0;
	return authz_check(&ctx->actor, AZ_ORG_MANAGER, c->org_id) == 0;
}

static bool may_see(const struct ctx *ctx, const struct claim *c)
{
	return is_admin(ctx) || (ctx->actor.person_id && c->person_id == ctx->actor.person_id) ||
	       claim_may_decide(ctx, c);
}

/* The claim without its files, whoever asks. */
static int load_claim(struct ctx *ctx, int64_t id, struct claim *out)
{
	const char *kind = NULL;
	memset(out, 0, sizeof *out);
	int rc = db_query_row(ctx->db, &stmt_cl_get, (const struct db_param[]){DBP_INT(id), DBP_END},
	                      CLAIM_COLS(out, &kind), ctx->arena);
	if (!rc)
		out->kind = !strcmp(kind, "evc") ? CLAIM_EVC : CLAIM_EXTERNAL;
	return rc;
}

int claim_get(struct ctx *ctx, int64_t id, struct claim *out)
{
	int rc = load_claim(ctx, id, out);
	if (rc)
		return rc;
	if (!may_see(ctx, out))
		return CAMPUS_ENOTFOUND;
	struct claim_file_info cur;
	struct db_rows rows = {.arena = ctx->arena, .size = sizeof cur, .cur = &cur};
	rc = db_query(ctx->db, &stmt_cl_files, (const struct db_param[]){DBP_INT(id), DBP_END},
	              (const struct db_col[]){DBC_INT(&cur.id), DBC_TEXT(&cur.name),
	                                      DBC_TEXT(&cur.content_type), DBC_INT(&cur.size), DBC_END},
	              ctx->arena, db_rows_collect, &rows);
	out->files = rows.data;
	out->nfiles = rc ? 0 : rows.n;
	return rc;
}

int claim_list_mine(struct ctx *ctx, struct claim **out, size_t *n)
{
	*out = NULL;
	*n = 0;
	if (!ctx->actor.person_id)
		return CAMPUS_EFORBIDDEN;
	struct db_rows rows = {0};
	int rc = query_claims(ctx, &stmt_cl_mine,
	                      (const struct db_param[]){DBP_INT(ctx->actor.person_id), DBP_END}, &rows);
	*out = rows.data;
	*n = rc ? 0 : rows.n;
	return rc;
}

int claim_inbox(struct ctx *ctx, enum claim_kind kind, int64_t org_id, size_t decided,
                struct claim **out, size_t *n)
{
	*out = NULL;
	*n = 0;
	struct claim probe = {.kind = kind, .org_id = org_id};
	if ((kind == CLAIM_EXTERNAL && org_id <= 0) || (kind == CLAIM_EVC && org_id != 0) ||
	    !claim_may_decide(ctx, &probe))
		return CAMPUS_EFORBIDDEN;
	struct db_rows rows = {0};
	const char *k = claim_kind_name(kind);
	int rc = kind == CLAIM_EVC
	             ? query_claims(ctx, &stmt_cl_open_all, (const struct db_param[]){DBP_TEXT(k), DBP_END},
	                            &rows)
	             : query_claims(ctx, &stmt_cl_open_org,
	                            (const struct db_param[]){DBP_INT(org_id), DBP_TEXT(k), DBP_END},
	                            &rows);
	if (!rc && decided > 0)
		rc = kind == CLAIM_EVC
		         ? query_claims(ctx, &stmt_cl_decided_all,
		                        (const struct db_param[]){DBP_TEXT(k), DBP_INT(decided), DBP_END},
		                        &rows)
		         : query_claims(ctx, &stmt_cl_decided_org,
		                        (const struct db_param[]){DBP_INT(org_id), DBP_TEXT(k),
		                                                  DBP_INT(decided), DBP_END},
		                        &rows);
	*out = rows.data;
	*n = rc ? 0 : rows.n;
	return rc;
}

int claim_file(struct ctx *ctx, int64_t claim_id, int64_t file_id, struct claim_file_info *info,
               const unsigned char **data)
{
	struct claim c;
	int rc = load_claim(ctx, claim_id, &c);
	if (rc)
		return rc;
	if (!may_see(ctx, &c))
		return CAMPUS_ENOTFOUND;
	unsigned char *bytes = NULL;
	size_t len = 0;
	rc = db_query_row(ctx->db, &stmt_cl_file_data,
	                  (const struct db_param[]){DBP_INT(claim_id), DBP_INT(file_id), DBP_END},
	                  (const struct db_col[]){DBC_INT(&info->id), DBC_TEXT(&info->name),
	                                          DBC_TEXT(&info->content_type), DBC_INT(&info->size),
	                                          DBC_BLOB(&bytes, &len), DBC_END},
	                  ctx->arena);
	if (rc)
		return rc;
	info->size = (int64_t)len;
	*data = bytes;
	return 0;
}

/* ---- deciding ---- */

struct decide_args {
	struct ctx *ctx;
	int64_t id;
	bool approve;
	int64_t points;
	const char *reason;
	const char *why;
};

static int tell_learner(struct ctx *ctx, const struct claim *c, bool approve, int64_t points,
                        const char *reason)
{
	const char *link = arena_printf(ctx->arena, "/mijn/scholing/%lld", (long long)c->id);
	if (!link)
		return CAMPUS_ENOMEM;
	const char *vars[] = {"naam", c->person_name, "titel", c->title, "punten",
	                      tenths_text(ctx, points), "reden", reason ? reason : "", NULL};
	struct notify_msg m = {.kind = approve ? "claim.approved" : "claim.refused",
	                       .link = link, .vars = vars, .mail = true};
	if (approve) {
		m.subject = c->kind == CLAIM_EVC ? N_("Je EVC-aanvraag is erkend: {titel}")
		                                 : N_("Je gemelde scholing is goedgekeurd: {titel}");
		m.body = N_("Beste {naam},\n\n\"{titel}\" is goedgekeurd. Je krijgt er {punten} punten voor; "
		            "ze staan in je dossier.");
	} else {
		m.subject = c->kind == CLAIM_EVC ? N_("Je EVC-aanvraag is afgewezen: {titel}")
		                                 : N_("Je gemelde scholing is afgewezen: {titel}");
		m.body = N_("Beste {naam},\n\n\"{titel}\" is afgewezen. De reden:\n\n{reden}");
	}
	return notify_person(ctx, c->person_id, &m);
}

static int decide_tx(struct db_conn *db, void *cls)
{
	struct decide_args *a = cls;
	struct ctx *ctx = a->ctx;
	a->why = NULL;
	struct claim c;
	int rc = load_claim(ctx, a->id, &c);
	if (rc == CAMPUS_ENOTFOUND || (!rc && !claim_may_decide(ctx, &c)))
		return refuse(&a->why, N_("Deze melding bestaat niet of u mag er niet over besluiten."),
		              CAMPUS_ENOTFOUND);
	if (rc)
		return rc;
	if (ctx->actor.person_id && c.person_id == ctx->actor.person_id)
		return refuse(&a->why, N_("U kunt niet over uw eigen melding besluiten."),
		              CAMPUS_EFORBIDDEN);
	if (strcmp(c.state, "submitted") != 0)
		return refuse(&a->why,
		              !strcmp(c.state, "withdrawn")
		                  ? N_("De aanvrager heeft deze melding ingetrokken; besluiten kan niet meer.")
		                  : N_("Over deze melding is al besloten."),
		              CAMPUS_ECONFLICT);
	int64_t now = ctx->now(), changes = 0;
	rc = db_exec(db, &stmt_cl_decide,
	             (const struct db_param[]){DBP_INT(a->id), DBP_TEXT(a->approve ? "approved" : "refused"),
	                                       a->approve ? (struct db_param)DBP_INT(a->points)
	                                                  : (struct db_param)DBP_NULL,
	                                       person_param(ctx->actor.person_id), DBP_INT(now),
	                                       DBP_TEXT(a->approve ? "" : a->reason), DBP_END},
	             &changes);
	if (!rc && changes != 1)
		rc = CAMPUS_EBUSY; /* someone else decided in between: read again */
	if (!rc && a->approve) {
		int64_t domain = c.domain_id;
		struct completion_in in = {
		    .person_id = c.person_id,
		    .claim_id = c.id,
		    .title = c.title,
		    .provider_name = c.provider_name,
		    .points_tenths = a->points,
		    .kind = c.kind == CLAIM_EVC ? POINTS_PE : POINTS_STUDY,
		    .domains = domain ? &domain : NULL,
		    .ndomains = domain ? 1 : 0,
		    .org_id = c.org_id,
		    .source = c.kind == CLAIM_EVC ? EVIDENCE_EVC : EVIDENCE_SELF_REPORT,
		    .completed_at = c.learned_at,
		};
		struct completion_out out = {0};
		const char *why = NULL;
		rc = progress_record_completion(ctx, &in, &out, &why);
		if (rc && why)
			a->why = why;
		else if (!rc && out.duplicate)
			rc = refuse(&a->why, N_("Over deze melding is al besloten."), CAMPUS_ECONFLICT);
	}
	if (!rc)
		rc = tell_learner(ctx, &c, a->approve, a->points, a->reason);
	if (!rc) {
		const char *detail =
		    a->approve ? arena_printf(ctx->arena, "approved kind=%s points=%lld",
		                              claim_kind_name(c.kind), (long long)a->points)
		               : arena_printf(ctx->arena, "refused kind=%s", claim_kind_name(c.kind));
		rc = audit_record(ctx, "claim.decide", "learning_claim", id_text(ctx, a->id), "ok",
		                  detail ? detail : "");
	}
	return rc;
}

int claim_decide(struct ctx *ctx, int64_t id, bool approve, int64_t points_tenths,
                 const char *reason, const char **why)
{
	*why = NULL;
	if (approve && (points_tenths <= 0 || points_tenths > PROGRESS_POINTS_MAX_TENTHS))
		return refuse(why, N_("Vul het aantal punten in: meer dan 0 en ten hoogste 1000."),
		              CAMPUS_EINVAL);
	if (!approve && blank(reason))
		return refuse(why, N_("Geef een reden als u afwijst: de aanvrager krijgt die te zien."),
		              CAMPUS_EINVAL);
	if (!valid_text(reason, CLAIM_REASON_MAX))
		return refuse(why, N_("De reden is te lang (ten hoogste 1000 tekens)."), CAMPUS_EINVAL);
	struct decide_args a = {ctx, id, approve, points_tenths, reason, NULL};
	int rc = db_tx_run(ctx->db, DB_TX_WRITE, decide_tx, &a);
	*why = rc ? a.why : NULL;
	if (rc == CAMPUS_EFORBIDDEN && a.why)
		audit_record(ctx, "claim.decide", "learning_claim", id_text(ctx, id), "denied", a.why);
	return rc;
}

struct withdraw_args {
	struct ctx *ctx;
	int64_t id;
	const char *why;
};

static int withdraw_tx(struct db_conn *db, void *cls)
{
	struct withdraw_args *a = cls;
	struct ctx *ctx = a->ctx;
	a->why = NULL;
	struct claim c;
	int rc = load_claim(ctx, a->id, &c);
	if (rc == CAMPUS_ENOTFOUND || (!rc && c.person_id != ctx->actor.person_id))
		return refuse(&a->why, N_("Deze melding bestaat niet."), CAMPUS_ENOTFOUND);
	if (rc)
		return rc;
	if (strcmp(c.state, "submitted") != 0)
		return refuse(&a->why, N_("Over deze melding is al besloten of je hebt haar al ingetrokken."),
		              CAMPUS_ECONFLICT);
	int64_t changes = 0;
	rc = db_exec(db, &stmt_cl_withdraw,
	             (const struct db_param[]){DBP_INT(a->id), DBP_INT(ctx->now()),
	                                       DBP_INT(ctx->actor.person_id), DBP_END},
	             &changes);
	if (!rc && changes != 1)
		rc = CAMPUS_EBUSY;
	if (!rc)
		rc = audit_record(ctx, "claim.withdraw", "learning_claim", id_text(ctx, a->id), "ok", "");
	return rc;
}

int claim_withdraw(struct ctx *ctx, int64_t id, const char **why)
{
	*why = NULL;
	if (!ctx->actor.person_id)
		return refuse(why, N_("Deze melding bestaat niet."), CAMPUS_ENOTFOUND);
	struct withdraw_args a = {ctx, id, NULL};
	int rc = db_tx_run(ctx->db, DB_TX_WRITE, withdraw_tx, &a);
	*why = rc ? a.why : NULL;
	return rc;
}
