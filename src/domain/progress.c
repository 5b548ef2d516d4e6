/* Evidence of learning and the points ledger (see progress.h). One function
 * takes every completion; the ledger only grows; balances are sums over its
 * rows, so every point can be shown with where it came from. */
#include "domain/progress.h"

#include <string.h>

#include "core/arena.h"
#include "core/err.h"
#include "core/str.h"
#include "core/when.h"
#include "db/db.h"
#include "domain/audit.h"
#include "domain/credential.h"
#include "domain/ctx.h"

static const char *const source_names[] = {"web", "csv",       "api", "qr",  "elearning",
                                           "connector", "self_report", "evc", "demo"};

const char *evidence_source_name(enum evidence_source s)
{
	return (unsigned)s <= EVIDENCE_DEMO ? source_names[s] : "";
}

static const char *kind_name(enum points_kind k) { return k == POINTS_STUDY ? "study" : "pe"; }

static int refuse(const char **why, const char *msg, int rc)
{
	*why = msg;
	return rc;
}

static struct db_param int_or_null(int64_t v)
{
	return v ? (struct db_param)DBP_INT(v) : (struct db_param)DBP_NULL;
}

static int year_of(int64_t t)
{
	struct when_local l;
	when_to_local(t, &l);
	return l.year;
}

/* [start, end) of an Amsterdam calendar year. */
static void year_bounds(int year, int64_t *start, int64_t *end)
{
	when_from_local(year, 1, 1, 0, 0, start);
	when_from_local(year + 1, 1, 1, 0, 0, end);
}

/* ---- statements ---- */

/* "+l.reverses_id IS NULL": the unary plus keeps SQLite off the UNIQUE index
 * on reverses_id, where IS NULL matches every original row (a scan of the
 * whole ledger per call); it then takes points_ledger_completion (0011). */
DB_STMT(stmt_pr_existing,
        "SELECT c.id, c.points_tenths, c.no_points_reason, "
        "COALESCE((SELECT l.id FROM points_ledger l WHERE l.completion_id = c.id "
        "AND +l.reverses_id IS NULL), 0), "
        "COALESCE(r.id, 0), COALESCE(r.code, '') FROM completions c "
        "LEFT JOIN credentials r ON r.completion_id = c.id WHERE c.evidence_key = $1");
/* What a completion needs to know before it is written, in one round trip:
 * the person (their name for the certificate), the evidence if recorded
 * before (as stmt_pr_existing), and whether module $3 already earned the
 * person points in [$4, $5): a completion of it with a ledger row that was
 * not reversed (the unary plus as above). */
DB_STMT(stmt_pr_lookup,
        "SELECT p.name, COALESCE(c.id, 0), COALESCE(c.points_tenths, 0), "
        "COALESCE(c.no_points_reason, ''), COALESCE((SELECT l.id FROM points_ledger l "
        "WHERE l.completion_id = c.id AND +l.reverses_id IS NULL), 0), "
        "COALESCE(r.id, 0), COALESCE(r.code, ''), "
        "EXISTS (SELECT 1 FROM completions x JOIN points_ledger l ON l.completion_id = x.id "
        "AND +l.reverses_id IS NULL WHERE x.person_id = p.id AND x.module_id = $3 "
        "AND x.completed_at >= $4 AND x.completed_at < $5 "
        "AND NOT EXISTS (SELECT 1 FROM points_ledger v WHERE v.reverses_id = l.id)) "
        "FROM people p LEFT JOIN completions c ON c.evidence_key = $1 "
        "LEFT JOIN credentials r ON r.completion_id = c.id WHERE p.id = $2");
/* The module with the title learners see now and its owner's name. */
DB_STMT(stmt_pr_module,
        "SELECT v.title, o.name, m.points_each_completion FROM modules m "
        "JOIN organisations o ON o.id = m.provider_id "
        "JOIN module_versions v ON v.id = COALESCE(m.published_version_id, m.working_version_id) "
        "WHERE m.id = $1");
/* The version recognised on a date: the newest recognition made on or
 * before it that was still valid then, a version's current one or one a
 * re-review replaced (module_recognition_history), with its points then. */
DB_STMT(stmt_pr_recognised,
        "SELECT v.id, v.title, r.points, r.history_id FROM (SELECT id AS version_id, "
        "points_tenths AS points, recognised_at AS since, 0 AS history_id FROM module_versions "
        "WHERE module_id = $1 AND recognised_at IS NOT NULL AND recognised_at <= $2 "
        "AND valid_until >= $2 AND points_tenths IS NOT NULL "
        "AND state IN ('recognised', 'superseded', 'expired') "
        "UNION ALL SELECT h.version_id, h.points_tenths, h.recognised_at, h.id "
        "FROM module_recognition_history h JOIN module_versions hv ON hv.id = h.version_id "
        "WHERE hv.module_id = $1 AND h.recognised_at <= $2 AND h.valid_until >= $2) r "
        "JOIN module_versions v ON v.id = r.version_id ORDER BY r.since DESC, v.id DESC LIMIT 1");
/* The domains of that recognition: the version's own, or those an earlier
 * period was recognised under (0014). */
DB_STMT(stmt_pr_version_domains,
        "SELECT tag_id FROM module_version_tags WHERE version_id = $1 AND kind = 'domain' "
        "ORDER BY tag_id");
DB_STMT(stmt_pr_history_domains,
        "SELECT domain_id FROM module_recognition_history_domains WHERE history_id = $1 "
        "ORDER BY domain_id");
DB_STMT(stmt_pr_domain, "SELECT 1 FROM tax_domains WHERE id = $1");
DB_STMT(stmt_pr_completion_insert,
        "INSERT INTO completions (person_id, module_id, module_version_id, edition_id, "
        "enrolment_id, claim_id, org_id, title, provider_name, source, evidence_key, grade, "
        "points_tenths, no_points_reason, completed_at, registered_at, registered_by, "
        "registered_org_id) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, "
        "$15, $16, $17, $18) ON CONFLICT (evidence_key) DO NOTHING RETURNING id");
DB_STMT(stmt_pr_ledger_insert,
        "INSERT INTO points_ledger (person_id, kind, points_tenths, completion_id, module_id, "
        "title, source, year, earned_at, registered_at, registered_by, reverses_id, reason) "
        "VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13) RETURNING id");
DB_STMT(stmt_pr_ledger_domain,
        "INSERT INTO points_ledger_domains (ledger_id, domain_id) VALUES ($1, $2)");
DB_STMT(stmt_pr_ledger_domains_copy,
        "INSERT INTO points_ledger_domains (ledger_id, domain_id) "
        "SELECT $2, domain_id FROM points_ledger_domains WHERE ledger_id = $1");
DB_STMT(stmt_pr_job_evaluate,
        "INSERT INTO jobs (kind, payload, run_at) VALUES ('diploma.evaluate', $1, $2)");
DB_STMT(stmt_pr_rule_module,
        "SELECT 1 FROM diploma_rule_modules m JOIN diploma_rules r ON r.id = m.rule_id "
        "WHERE m.module_id = $1 AND r.active LIMIT 1");

/* ---- recording ---- */

struct record {
	int64_t version_id, points;
	enum points_kind kind;
	const char *title, *provider, *no_points_why;
	int64_t domains[PROGRESS_DOMAINS_MAX];
	size_t ndomains;
};

struct domain_reader {
	struct record *r;
	int64_t domain;
};

static int collect_domain(void *cls)
{
	struct domain_reader *d = cls;
	/* The committee sets at most a few; a bound all the same. */
	if (d->r->ndomains < PROGRESS_DOMAINS_MAX)
		d->r->domains[d->r->ndomains++] = d->domain;
	return 0;
}

/* What a module completion earns on a date, before "counted this year":
 * read once per module and date in a transaction that has a memo. */
struct module_facts {
	struct record r;
	bool each;
};

struct progress_memo {
	bool valid;
	int64_t module_id, completed_at;
	struct module_facts f;
};

struct progress_memo *progress_memo_new(struct arena *arena)
{
	return arena_zalloc(arena, sizeof(struct progress_memo));
}

static int module_facts(struct ctx *ctx, const struct completion_in *in, struct module_facts *f,
                        const char **why)
{
	struct record *r = &f->r;
	memset(f, 0, sizeof *f);
	int rc = db_query_row(ctx->db, &stmt_pr_module, (const struct db_param[]){DBP_INT(in->module_id), DBP_END},
	                      (const struct db_col[]){DBC_TEXT(&r->title), DBC_TEXT(&r->provider),
	                                              DBC_BOOL(&f->each), DBC_END},
	                      ctx->arena);
	if (rc == CAMPUS_ENOTFOUND)
		return refuse(why, N_("Deze module bestaat niet."), CAMPUS_ENOTFOUND);
	if (rc)
		return rc;
	r->kind = POINTS_PE;
	const char *version_title;
	int64_t history_id; /* 0: the version's current recognition */
	rc = db_query_row(ctx->db, &stmt_pr_recognised,
	                  (const struct db_param[]){DBP_INT(in->module_id), DBP_INT(in->completed_at), DBP_END},
	                  (const struct db_col[]){DBC_INT(&r->version_id), DBC_TEXT(&version_title),
	                                          DBC_INT(&r->points), DBC_INT(&history_id), DBC_END},
	                  ctx->arena);
	if (rc == CAMPUS_ENOTFOUND) {
		r->no_points_why = N_("De module was op die datum niet erkend: geen punten.");
		return 0;
	}
	if (rc)
		return rc;
	r->title = version_title;
	if (r->points <= 0) {
		r->points = 0;
		r->no_points_why = N_("De module was op die datum niet erkend: geen punten.");
		return 0;
	}
	struct domain_reader d = {.r = r};
	return db_query(ctx->db, history_id ? &stmt_pr_history_domains : &stmt_pr_version_domains,
	                (const struct db_param[]){DBP_INT(history_id ? history_id : r->version_id), DBP_END},
	                (const struct db_col[]){DBC_INT(&d.domain), DBC_END}, ctx->arena,
	                collect_domain, &d);
}

/* Points, title and domains of a module completion; counted: the module
 * already earned the person points in the completion's year. */
static int module_record(struct ctx *ctx, const struct completion_in *in, bool counted,
                         struct record *r, const char **why)
{
	struct progress_memo *m = in->memo;
	struct module_facts f;
	if (m && m->valid && m->module_id == in->module_id && m->completed_at == in->completed_at) {
		f = m->f;
	} else {
		int rc = module_facts(ctx, in, &f, why);
		if (rc)
			return rc;
		if (m)
			*m = (struct progress_memo){true, in->module_id, in->completed_at, f};
	}
	*r = f.r;
	if (r->points > 0 && !f.each && counted) {
		r->points = 0;
		r->ndomains = 0;
		r->no_points_why = N_("Deze module telde dit jaar al mee: geen nieuwe punten.");
	}
	return 0;
}

/* Points, title and domains of an approved claim, as its decider set them. */
static int claim_record(struct ctx *ctx, const struct completion_in *in, struct record *r,
                        const char **why)
{
	size_t tlen = in->title ? strlen(in->title) : 0;
	if (!in->claim_id)
		return refuse(why, N_("Geef de module of de aanvraag op."), CAMPUS_EINVAL);
	if (!tlen || tlen > PROGRESS_TITLE_MAX || !utf8_valid(in->title, tlen))
		return refuse(why, N_("Geef een titel van hoogstens 200 tekens."), CAMPUS_EINVAL);
	if (in->points_tenths <= 0 || in->points_tenths > PROGRESS_POINTS_MAX_TENTHS)
		return refuse(why, N_("Het aantal punten moet tussen 0,1 en 1.000 liggen."), CAMPUS_EINVAL);
	if (in->ndomains > PROGRESS_DOMAINS_MAX)
		return refuse(why, N_("Te veel domeinen."), CAMPUS_EINVAL);
	for (size_t i = 0; i < in->ndomains; i++) {
		int rc = db_query_row(ctx->db, &stmt_pr_domain, (const struct db_param[]){DBP_INT(in->domains[i]), DBP_END},
		                      (const struct db_col[]){DBC_SKIP, DBC_END}, ctx->arena);
		if (rc == CAMPUS_ENOTFOUND)
			return refuse(why, N_("Dit domein bestaat niet."), CAMPUS_EINVAL);
		if (rc)
			return rc;
		r->domains[r->ndomains++] = in->domains[i];
	}
	r->kind = in->kind;
	r->points = in->points_tenths;
	r->title = in->title;
	r->provider = in->provider_name ? in->provider_name : "";
	return 0;
}

static int write_ledger(struct ctx *ctx, const struct completion_in *in, const char *source,
                        int64_t completion_id, const struct record *r, int64_t *ledger_id)
{
	int64_t now = ctx->now();
	int rc = db_query_row(
	    ctx->db, &stmt_pr_ledger_insert,
	    (const struct db_param[]){DBP_INT(in->person_id), DBP_TEXT(kind_name(r->kind)),
	                              DBP_INT(r->points), DBP_INT(completion_id),
	                              int_or_null(in->module_id), DBP_TEXT(r->title), DBP_TEXT(source),
	                              DBP_INT(year_of(in->completed_at)), DBP_INT(in->completed_at),
	                              DBP_INT(now), int_or_null(ctx->actor.person_id), DBP_NULL,
	                              DBP_TEXT(""), DBP_END},
	    (const struct db_col[]){DBC_INT(ledger_id), DBC_END}, ctx->arena);
	/* The domains and the job are sent ahead (db_exec_later): nothing here
	 * reads their outcome, and an error still dooms the transaction. */
	for (size_t i = 0; !rc && i < r->ndomains; i++)
		rc = db_exec_later(ctx->db, &stmt_pr_ledger_domain,
		                   (const struct db_param[]){DBP_INT(*ledger_id), DBP_INT(r->domains[i]),
		                                             DBP_END});
	return rc;
}

/* Queues the person's diploma.evaluate job (every rule) after a new ledger
 * row, and after a completion without points of a module an active rule
 * asks for (one not recognised that day still was followed): that
 * completion may be all the person lacked. Sent ahead: nothing reads it. */
static int queue_evaluate(struct ctx *ctx, const struct completion_in *in, int64_t points)
{
	if (points <= 0) {
		if (!in->module_id)
			return 0;
		int rc = db_query_row(ctx->db, &stmt_pr_rule_module,
		                      (const struct db_param[]){DBP_INT(in->module_id), DBP_END},
		                      (const struct db_col[]){DBC_SKIP, DBC_END}, ctx->arena);
		if (rc == CAMPUS_ENOTFOUND)
			return 0;
		if (rc)
			return rc;
	}
	const char *payload = arena_printf(ctx->arena, "{\"person_id\":%lld}", (long long)in->person_id);
	if (!payload)
		return CAMPUS_ENOMEM;
	return db_exec_later(ctx->db, &stmt_pr_job_evaluate,
	                     (const struct db_param[]){DBP_TEXT(payload), DBP_INT(ctx->now()), DBP_END});
}

static const char *evidence_key(struct ctx *ctx, const struct completion_in *in)
{
	if (in->evidence_key)
		return in->evidence_key;
	if (in->enrolment_id)
		return arena_printf(ctx->arena, "enrolment:%lld", (long long)in->enrolment_id);
	if (in->claim_id)
		return arena_printf(ctx->arena, "claim:%lld", (long long)in->claim_id);
	return NULL;
}

int progress_record_completion(struct ctx *ctx, const struct completion_in *in,
                               struct completion_out *out, const char **why)
{
	*why = NULL;
	memset(out, 0, sizeof *out);
	out->certificate_code = "";
	if (!db_in_tx(ctx->db))
		return CAMPUS_EINTERNAL;
	if ((unsigned)in->source > EVIDENCE_DEMO)
		return CAMPUS_EINVAL;
	const char *key = evidence_key(ctx, in);
	size_t klen = key ? strlen(key) : 0;
	if (!klen || klen > PROGRESS_EVIDENCE_KEY_MAX || !utf8_valid(key, klen))
		return refuse(why, N_("Het kenmerk van dit bewijs ontbreekt of is te lang."), CAMPUS_EINVAL);
	size_t glen = in->grade ? strlen(in->grade) : 0;
	if (glen > 20 || (glen && !utf8_valid(in->grade, glen)))
		return refuse(why, N_("Het cijfer is te lang (hoogstens 20 tekens)."), CAMPUS_EINVAL);
	if (in->completed_at <= 0 || in->completed_at > ctx->now())
		return refuse(why, N_("De datum van afronden ligt in de toekomst of ontbreekt."),
		              CAMPUS_EINVAL);

	/* The same evidence again records nothing and answers as the first time. */
	int64_t start = 0, end = 0;
	if (in->module_id)
		year_bounds(year_of(in->completed_at), &start, &end);
	const char *holder;
	bool counted;
	int rc = db_query_row(
	    ctx->db, &stmt_pr_lookup,
	    (const struct db_param[]){DBP_TEXT(key), DBP_INT(in->person_id), DBP_INT(in->module_id),
	                              DBP_INT(start), DBP_INT(end), DBP_END},
	    (const struct db_col[]){DBC_TEXT(&holder), DBC_INT(&out->completion_id),
	                            DBC_INT(&out->points_tenths), DBC_TEXT(&out->no_points_why),
	                            DBC_INT(&out->ledger_id), DBC_INT(&out->certificate_id),
	                            DBC_TEXT(&out->certificate_code), DBC_BOOL(&counted), DBC_END},
	    ctx->arena);
	if (rc == CAMPUS_ENOTFOUND) {
		/* No such person: still the same answer to evidence recorded before. */
		rc = db_query_row(ctx->db, &stmt_pr_existing, (const struct db_param[]){DBP_TEXT(key), DBP_END},
		                  (const struct db_col[]){DBC_INT(&out->completion_id),
		                                          DBC_INT(&out->points_tenths),
		                                          DBC_TEXT(&out->no_points_why),
		                                          DBC_INT(&out->ledger_id),
		                                          DBC_INT(&out->certificate_id),
		                                          DBC_TEXT(&out->certificate_code), DBC_END},
		                  ctx->arena);
		if (rc == CAMPUS_ENOTFOUND) {
			memset(out, 0, sizeof *out);
			out->certificate_code = "";
			return refuse(why, N_("Deze persoon bestaat niet."), CAMPUS_ENOTFOUND);
		}
	}
	if (rc)
		return rc;
	if (out->completion_id) {
		out->duplicate = true;
		if (!*out->no_points_why)
			out->no_points_why = NULL;
		return 0;
	}

	struct record r = {0};
	rc = in->module_id ? module_record(ctx, in, counted, &r, why) : claim_record(ctx, in, &r, why);
	if (rc)
		return rc;

	const char *source = evidence_source_name(in->source);
	int64_t now = ctx->now();
	rc = db_query_row(
	    ctx->db, &stmt_pr_completion_insert,
	    (const struct db_param[]){DBP_INT(in->person_id), int_or_null(in->module_id),
	                              int_or_null(r.version_id), int_or_null(in->edition_id),
	                              int_or_null(in->enrolment_id), int_or_null(in->claim_id),
	                              int_or_null(in->org_id), DBP_TEXT(r.title), DBP_TEXT(r.provider),
	                              DBP_TEXT(source), DBP_TEXT(key), DBP_TEXT(glen ? in->grade : NULL),
	                              DBP_INT(r.points), DBP_TEXT(r.no_points_why ? r.no_points_why : ""),
	                              DBP_INT(in->completed_at), DBP_INT(now),
	                              int_or_null(ctx->actor.person_id), int_or_null(ctx->actor.org_id),
	                              DBP_END},
	    (const struct db_col[]){DBC_INT(&out->completion_id), DBC_END}, ctx->arena);
	if (rc == CAMPUS_ENOTFOUND) /* another transaction recorded it first */
		return CAMPUS_EBUSY;
	if (rc)
		return rc;
	out->points_tenths = r.points;
	out->no_points_why = r.no_points_why;
	if (r.points > 0) {
		rc = write_ledger(ctx, in, source, out->completion_id, &r, &out->ledger_id);
		/* A certificate belongs to a recognised module, not to a claim. */
		if (!rc && in->module_id) {
			struct certificate_facts f = {
			    .completion_id = out->completion_id, .person_id = in->person_id,
			    .org_id = in->org_id, .holder = holder, .title = r.title,
			    .provider = r.provider, .points_tenths = r.points,
			    .achieved_at = in->completed_at};
			char *code = arena_alloc(ctx->arena, CREDENTIAL_CODE_LEN + 1);
			rc = code ? credential_issue_certificate_new(ctx, &f, &out->certificate_id, code)
			          : CAMPUS_ENOMEM;
			out->certificate_code = code;
		}
		if (rc)
			return rc;
	}
	if ((rc = queue_evaluate(ctx, in, r.points)) != 0)
		return rc;
	const char *detail = arena_printf(ctx->arena, "person=%lld module=%lld source=%s points=%lld",
	                                  (long long)in->person_id, (long long)in->module_id, source,
	                                  (long long)r.points);
	const char *id = arena_printf(ctx->arena, "%lld", (long long)out->completion_id);
	if (!detail || !id)
		return CAMPUS_ENOMEM;
	return audit_record(ctx, "progress.completion", "completion", id, "ok", detail);
}

/* ---- corrections ---- */

DB_STMT(stmt_pr_ledger_row,
        "SELECT l.person_id, l.kind, l.points_tenths, COALESCE(l.completion_id, 0), "
        "COALESCE(l.module_id, 0), l.title, l.source, l.year, l.earned_at, "
        "l.reverses_id IS NOT NULL, EXISTS (SELECT 1 FROM points_ledger r WHERE r.reverses_id = l.id), "
        "COALESCE(c.registered_org_id, 0), COALESCE((SELECT x.id FROM credentials x "
        "WHERE x.completion_id = l.completion_id AND x.revoked_at IS NULL), 0) "
        "FROM points_ledger l LEFT JOIN completions c ON c.id = l.completion_id WHERE l.id = $1");

struct reverse_args {
	struct ctx *ctx;
	int64_t ledger_id;
	const char *reason;
	int64_t *reversal_id;
	const char **why;
};

static bool may_correct(const struct ctx *ctx, int64_t registered_org_id)
{
	const struct actor *a = &ctx->actor;
	if ((a->flags & ACTOR_SYSTEM) || (a->roles & ROLE_CAMPUS_ADMIN))
		return true;
	return registered_org_id && a->org_id == registered_org_id &&
	       (a->roles & (ROLE_PROVIDER_ADMIN | ROLE_MANAGER));
}

static int reverse_tx(struct db_conn *db, void *cls)
{
	(void)db;
	struct reverse_args *a = cls;
	struct ctx *ctx = a->ctx;
	int64_t person, points, completion, module, year, earned, reg_org, certificate;
	const char *kind, *title, *source;
	bool is_reversal, reversed;
	int rc = db_query_row(
	    ctx->db, &stmt_pr_ledger_row, (const struct db_param[]){DBP_INT(a->ledger_id), DBP_END},
	    (const struct db_col[]){DBC_INT(&person), DBC_TEXT(&kind), DBC_INT(&points),
	                            DBC_INT(&completion), DBC_INT(&module), DBC_TEXT(&title),
	                            DBC_TEXT(&source), DBC_INT(&year), DBC_INT(&earned),
	                            DBC_BOOL(&is_reversal), DBC_BOOL(&reversed), DBC_INT(&reg_org),
	                            DBC_INT(&certificate), DBC_END},
	    ctx->arena);
	if (rc == CAMPUS_ENOTFOUND || (!rc && !may_correct(ctx, reg_org)))
		return refuse(a->why, N_("Deze puntenregel bestaat niet."), CAMPUS_ENOTFOUND);
	if (rc)
		return rc;
	if (is_reversal)
		return refuse(a->why, N_("Een correctie kan niet zelf worden teruggedraaid."),
		              CAMPUS_ECONFLICT);
	if (reversed)
		return refuse(a->why, N_("Deze puntenregel is al teruggedraaid."), CAMPUS_ECONFLICT);
	rc = db_query_row(
	    ctx->db, &stmt_pr_ledger_insert,
	    (const struct db_param[]){DBP_INT(person), DBP_TEXT(kind), DBP_INT(-points),
	                              int_or_null(completion), int_or_null(module), DBP_TEXT(title),
	                              DBP_TEXT(source), DBP_INT(year), DBP_INT(earned),
	                              DBP_INT(ctx->now()), int_or_null(ctx->actor.person_id),
	                              DBP_INT(a->ledger_id), DBP_TEXT(a->reason), DBP_END},
	    (const struct db_col[]){DBC_INT(a->reversal_id), DBC_END}, ctx->arena);
	if (!rc)
		rc = db_exec(ctx->db, &stmt_pr_ledger_domains_copy,
		             (const struct db_param[]){DBP_INT(a->ledger_id), DBP_INT(*a->reversal_id), DBP_END},
		             NULL);
	if (!rc && certificate)
		rc = credential_revoke_in_tx(ctx, certificate, a->reason);
	if (rc)
		return rc;
	const char *id = arena_printf(ctx->arena, "%lld", (long long)a->ledger_id);
	const char *detail = arena_printf(ctx->arena, "person=%lld points=%lld reversal=%lld",
	                                  (long long)person, (long long)-points,
	                                  (long long)*a->reversal_id);
	if (!id || !detail)
		return CAMPUS_ENOMEM;
	return audit_record(ctx, "progress.reverse", "points", id, "ok", detail);
}

int progress_reverse(struct ctx *ctx, int64_t ledger_id, const char *reason,
                     int64_t *reversal_id, const char **why)
{
	*why = NULL;
	size_t rlen = reason ? strlen(reason) : 0;
	if (!rlen || rlen > PROGRESS_REASON_MAX || !utf8_valid(reason, rlen))
		return refuse(why, N_("Geef een reden (hoogstens 500 tekens)."), CAMPUS_EINVAL);
	int64_t ignored;
	struct reverse_args a = {ctx, ledger_id, reason, reversal_id ? reversal_id : &ignored, why};
	return db_tx_run(ctx->db, DB_TX_WRITE, reverse_tx, &a);
}

/* ---- reading ---- */

DB_STMT(stmt_pr_membership_window,
        "SELECT started_at, COALESCE(ended_at, 0) FROM memberships "
        "WHERE person_id = $1 AND org_id = $2");

int progress_window(struct ctx *ctx, int64_t person_id, int64_t *since, int64_t *until)
{
	const struct actor *a = &ctx->actor;
	*since = 0;
	*until = INT64_MAX;
	if ((a->person_id && a->person_id == person_id) || (a->flags & ACTOR_SYSTEM) ||
	    (a->roles & ROLE_CAMPUS_ADMIN))
		return 0;
	if (!a->person_id || !a->org_id || !(a->roles & ROLE_MANAGER) || (a->flags & ACTOR_API))
		return CAMPUS_EFORBIDDEN;
	int64_t ended;
	int rc = db_query_row(ctx->db, &stmt_pr_membership_window,
	                      (const struct db_param[]){DBP_INT(person_id), DBP_INT(a->org_id), DBP_END},
	                      (const struct db_col[]){DBC_INT(since), DBC_INT(&ended), DBC_END},
	                      ctx->arena);
	if (rc == CAMPUS_ENOTFOUND)
		return CAMPUS_EFORBIDDEN;
	if (rc)
		return rc;
	if (ended)
		*until = ended;
	return 0;
}

DB_STMT(stmt_pr_rows,
        "SELECT l.id, l.kind, l.points_tenths, COALESCE(l.completion_id, 0), "
        "COALESCE(l.module_id, 0), l.title, l.source, l.year, l.earned_at, l.registered_at, "
        "p.name, COALESCE(l.reverses_id, 0), COALESCE(r.id, 0), l.reason "
        "FROM points_ledger l LEFT JOIN people p ON p.id = l.registered_by "
        "LEFT JOIN points_ledger r ON r.reverses_id = l.id "
        "WHERE l.person_id = $1 AND l.earned_at >= $2 AND l.earned_at < $3 "
        "AND ($4 = 0 OR l.year = $4) ORDER BY l.earned_at DESC, l.id DESC");
DB_STMT(stmt_pr_row_domains,
        "SELECT d.ledger_id, d.domain_id FROM points_ledger_domains d "
        "JOIN points_ledger l ON l.id = d.ledger_id WHERE l.person_id = $1 "
        "ORDER BY d.ledger_id, d.domain_id");

struct row_reader {
	struct db_rows rows;
	struct points_row cur;
	const char *kind;
	int64_t year;
	bool no_registrar;
};

static int row_take(void *cls)
{
	struct row_reader *r = cls;
	r->cur.kind = !strcmp(r->kind, "study") ? POINTS_STUDY : POINTS_PE;
	r->cur.year = (int)r->year;
	if (r->no_registrar)
		r->cur.registered_by_name = NULL;
	return db_rows_collect(&r->rows);
}

struct domain_attach {
	struct points_row *rows;
	size_t n;
	int64_t ledger_id, domain_id;
	struct arena *arena;
};

static int domain_take(void *cls)
{
	struct domain_attach *d = cls;
	for (size_t i = 0; i < d->n; i++) {
		struct points_row *row = &d->rows[i];
		if (row->id != d->ledger_id)
			continue;
		int64_t *grown = arena_alloc(d->arena, (row->ndomains + 1) * sizeof *grown);
		if (!grown)
			return CAMPUS_ENOMEM;
		if (row->ndomains)
			memcpy(grown, row->domains, row->ndomains * sizeof *grown);
		grown[row->ndomains++] = d->domain_id;
		row->domains = grown;
		return 0;
	}
	return 0;
}

int progress_rows(struct ctx *ctx, int64_t person_id, int year, struct points_row **out,
                  size_t *n)
{
	*out = NULL;
	*n = 0;
	int64_t since, until;
	int rc = progress_window(ctx, person_id, &since, &until);
	if (rc)
		return rc;
	struct row_reader r = {.rows = {.arena = ctx->arena, .size = sizeof r.cur, .cur = &r.cur}};
	struct points_row *c = &r.cur;
	rc = db_query(ctx->db, &stmt_pr_rows,
	              (const struct db_param[]){DBP_INT(person_id), DBP_INT(since), DBP_INT(until),
	                                        DBP_INT(year), DBP_END},
	              (const struct db_col[]){DBC_INT(&c->id), DBC_TEXT(&r.kind), DBC_INT(&c->points_tenths),
	                                      DBC_INT(&c->completion_id), DBC_INT(&c->module_id),
	                                      DBC_TEXT(&c->title), DBC_TEXT(&c->source), DBC_INT(&r.year),
	                                      DBC_INT(&c->earned_at), DBC_INT(&c->registered_at),
	                                      DBC_TEXT_OPT(&c->registered_by_name, &r.no_registrar),
	                                      DBC_INT(&c->reverses_id), DBC_INT(&c->reversed_by_id),
	                                      DBC_TEXT(&c->reason), DBC_END},
	              ctx->arena, row_take, &r);
	if (rc || !r.rows.n)
		return rc;
	struct domain_attach d = {.rows = r.rows.data, .n = r.rows.n, .arena = ctx->arena};
	rc = db_query(ctx->db, &stmt_pr_row_domains, (const struct db_param[]){DBP_INT(person_id), DBP_END},
	              (const struct db_col[]){DBC_INT(&d.ledger_id), DBC_INT(&d.domain_id), DBC_END},
	              ctx->arena, domain_take, &d);
	if (rc)
		return rc;
	*out = r.rows.data;
	*n = r.rows.n;
	return 0;
}

DB_STMT(stmt_pr_years,
        "SELECT year, COALESCE(SUM(CASE WHEN kind = 'pe' THEN points_tenths ELSE 0 END), 0), "
        "COALESCE(SUM(CASE WHEN kind = 'study' THEN points_tenths ELSE 0 END), 0) "
        "FROM points_ledger WHERE person_id = $1 AND earned_at >= $2 AND earned_at < $3 "
        "GROUP BY year ORDER BY year DESC");
DB_STMT(stmt_pr_domains,
        "SELECT t.id, t.name, SUM(l.points_tenths) FROM points_ledger l "
        "JOIN points_ledger_domains d ON d.ledger_id = l.id JOIN tax_domains t ON t.id = d.domain_id "
        "WHERE l.person_id = $1 AND l.kind = 'pe' AND l.earned_at >= $2 AND l.earned_at < $3 "
        "GROUP BY t.id, t.name, t.position ORDER BY t.position, t.id");

struct year_reader {
	struct db_rows rows;
	struct points_year cur;
	int64_t year;
};

static int year_take(void *cls)
{
	struct year_reader *r = cls;
	r->cur.year = (int)r->year;
	return db_rows_collect(&r->rows);
}

int progress_balances(struct ctx *ctx, int64_t person_id, struct points_year **years,
                      size_t *nyears, struct points_domain **domains, size_t *ndomains)
{
	*years = NULL;
	*domains = NULL;
	*nyears = *ndomains = 0;
	int64_t since, until;
	int rc = progress_window(ctx, person_id, &since, &until);
	if (rc)
		return rc;
	const struct db_param params[] = {DBP_INT(person_id), DBP_INT(since), DBP_INT(until), DBP_END};
	struct year_reader y = {.rows = {.arena = ctx->arena, .size = sizeof y.cur, .cur = &y.cur}};
	rc = db_query(ctx->db, &stmt_pr_years, params,
	              (const struct db_col[]){DBC_INT(&y.year), DBC_INT(&y.cur.pe_tenths),
	                                      DBC_INT(&y.cur.study_tenths), DBC_END},
	              ctx->arena, year_take, &y);
	if (rc)
		return rc;
	struct points_domain d;
	struct db_rows dr = {.arena = ctx->arena, .size = sizeof d, .cur = &d};
	rc = db_query(ctx->db, &stmt_pr_domains, params,
	              (const struct db_col[]){DBC_INT(&d.domain_id), DBC_TEXT(&d.name),
	                                      DBC_INT(&d.pe_tenths), DBC_END},
	              ctx->arena, db_rows_collect, &dr);
	if (rc)
		return rc;
	*years = y.rows.data;
	*nyears = y.rows.n;
	*domains = dr.data;
	*ndomains = dr.n;
	return 0;
}

DB_STMT(stmt_pr_completions,
        "SELECT c.id, c.person_id, COALESCE(c.module_id, 0), COALESCE(c.edition_id, 0), "
        "COALESCE(c.enrolment_id, 0), COALESCE(c.claim_id, 0), c.title, c.provider_name, c.source, "
        "COALESCE(c.grade, ''), c.no_points_reason, c.points_tenths, c.completed_at, "
        "c.registered_at, COALESCE(r.id, 0) FROM completions c "
        "LEFT JOIN credentials r ON r.completion_id = c.id "
        "WHERE c.person_id = $1 AND c.completed_at >= $2 AND c.completed_at < $3 "
        "ORDER BY c.completed_at DESC, c.id DESC");

int progress_completions(struct ctx *ctx, int64_t person_id, struct completion **out, size_t *n)
{
	*out = NULL;
	*n = 0;
	int64_t since, until;
	int rc = progress_window(ctx, person_id, &since, &until);
	if (rc)
		return rc;
	struct completion c;
	struct db_rows rows = {.arena = ctx->arena, .size = sizeof c, .cur = &c};
	rc = db_query(ctx->db, &stmt_pr_completions,
	              (const struct db_param[]){DBP_INT(person_id), DBP_INT(since), DBP_INT(until), DBP_END},
	              (const struct db_col[]){DBC_INT(&c.id), DBC_INT(&c.person_id), DBC_INT(&c.module_id),
	                                      DBC_INT(&c.edition_id), DBC_INT(&c.enrolment_id),
	                                      DBC_INT(&c.claim_id), DBC_TEXT(&c.title),
	                                      DBC_TEXT(&c.provider_name), DBC_TEXT(&c.source),
	                                      DBC_TEXT(&c.grade), DBC_TEXT(&c.no_points_why),
	                                      DBC_INT(&c.points_tenths), DBC_INT(&c.completed_at),
	                                      DBC_INT(&c.registered_at), DBC_INT(&c.certificate_id),
	                                      DBC_END},
	              ctx->arena, db_rows_collect, &rows);
	if (rc)
		return rc;
	struct completion *all = rows.data;
	for (size_t i = 0; i < rows.n; i++) {
		if (!*all[i].grade)
			all[i].grade = NULL;
		if (!*all[i].no_points_why)
			all[i].no_points_why = NULL;
	}
	*out = all;
	*n = rows.n;
	return 0;
}

DB_STMT(stmt_pr_year_totals,
        "SELECT person_id, SUM(CASE WHEN kind = 'pe' THEN points_tenths ELSE 0 END), "
        "SUM(CASE WHEN kind = 'study' THEN points_tenths ELSE 0 END) FROM points_ledger "
        "WHERE year = $1 GROUP BY person_id ORDER BY person_id");

int progress_year_totals(struct ctx *ctx, int year, struct points_total **out, size_t *n)
{
	*out = NULL;
	*n = 0;
	if (!(ctx->actor.flags & ACTOR_SYSTEM) && !(ctx->actor.roles & ROLE_CAMPUS_ADMIN))
		return CAMPUS_EFORBIDDEN;
	struct points_total t;
	struct db_rows rows = {.arena = ctx->arena, .size = sizeof t, .cur = &t};
	int rc = db_query(ctx->db, &stmt_pr_year_totals, (const struct db_param[]){DBP_INT(year), DBP_END},
	                  (const struct db_col[]){DBC_INT(&t.person_id), DBC_INT(&t.pe_tenths),
	                                          DBC_INT(&t.study_tenths), DBC_END},
	                  ctx->arena, db_rows_collect, &rows);
	if (rc)
		return rc;
	*out = rows.data;
	*n = rows.n;
	return 0;
}
