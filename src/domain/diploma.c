/* Diplomas by rule (diploma.h): the rules campus administrators keep, the
 * evaluation that issues diplomas (one person after a new ledger row,
 * everyone after a rule change) and the progress the dossier shows. */
#include "domain/diploma.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <jansson.h>

#include "core/arena.h"
#include "core/buf.h"
#include "core/err.h"
#include "core/log.h"
#include "core/str.h"
#include "db/db.h"
#include "domain/audit.h"
#include "domain/credential.h"
#include "domain/ctx.h"
#include "domain/jobs.h"
#include "domain/mail.h"
#include "domain/notify.h"
#include "domain/people.h"
#include "domain/progress.h"

/* People per job when a rule is evaluated for everyone. */
#define DIPLOMA_BATCH 100

static bool is_admin(const struct ctx *ctx)
{
	return (ctx->actor.flags & ACTOR_SYSTEM) || (ctx->actor.roles & ROLE_CAMPUS_ADMIN);
}

/* The start of a rule's period: period_months calendar months before now
 * (UTC); 0 (the epoch) for a rule without a period. */
static int64_t period_start(int64_t now, int64_t months)
{
	if (months <= 0)
		return 0;
	time_t t = (time_t)now;
	struct tm tm;
	gmtime_r(&t, &tm);
	int64_t m = (int64_t)tm.tm_year * 12 + tm.tm_mon - months;
	tm.tm_year = (int)(m / 12);
	tm.tm_mon = (int)(m % 12);
	/* 31 March minus one month is 3 March after timegm's normalisation; the
	 * last day of February is what a person means. */
	static const int mdays[12] = {31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
	if (tm.tm_mday > mdays[tm.tm_mon])
		tm.tm_mday = mdays[tm.tm_mon];
	if (tm.tm_mon == 1 && tm.tm_mday == 29) {
		int y = tm.tm_year + 1900;
		if (!((y % 4 == 0 && y % 100 != 0) || y % 400 == 0))
			tm.tm_mday = 28;
	}
	return (int64_t)timegm(&tm);
}

/* ---- rules ---- */

DB_STMT(stmt_rules_all,
        "SELECT r.id, r.slug, r.name, r.description, r.min_points_tenths, r.period_months, "
        "r.for_kind, r.active, r.revision, r.updated_at, "
        "(SELECT COUNT(*) FROM credentials c WHERE c.rule_id = r.id) "
        "FROM diploma_rules r ORDER BY r.active DESC, r.name, r.id");
DB_STMT(stmt_rule_domains_all,
        "SELECT rd.rule_id, rd.domain_id, d.name, rd.min_points_tenths FROM diploma_rule_domains rd "
        "JOIN tax_domains d ON d.id = rd.domain_id ORDER BY rd.rule_id, d.position, d.id");
DB_STMT(stmt_rule_modules_all,
        "SELECT rm.rule_id, rm.module_id, COALESCE(v.title, '') FROM diploma_rule_modules rm "
        "JOIN modules m ON m.id = rm.module_id "
        "LEFT JOIN module_versions v ON v.id = COALESCE(m.recognised_version_id, "
        "m.published_version_id, m.working_version_id) "
        "ORDER BY rm.rule_id, v.title, rm.module_id");

struct domain_row {
	int64_t rule_id;
	struct diploma_rule_domain d;
};
struct module_row {
	int64_t rule_id;
	struct diploma_rule_module m;
};

/* Every rule with its domains and modules (a handful of rules: three
 * queries, joined here). */
static int rules_load(struct ctx *ctx, struct diploma_rule **out, size_t *n)
{
	struct diploma_rule cur = {0};
	struct db_rows rows = {.arena = ctx->arena, .size = sizeof cur, .cur = &cur};
	int rc = db_query(ctx->db, &stmt_rules_all, (const struct db_param[]){DBP_END},
	                  (const struct db_col[]){DBC_INT(&cur.id), DBC_TEXT(&cur.slug),
	                                          DBC_TEXT(&cur.name), DBC_TEXT(&cur.description),
	                                          DBC_INT(&cur.min_points_tenths),
	                                          DBC_INT(&cur.period_months), DBC_TEXT(&cur.for_kind),
	                                          DBC_BOOL(&cur.active), DBC_INT(&cur.revision),
	                                          DBC_INT(&cur.updated_at), DBC_INT(&cur.issued),
	                                          DBC_END},
	                  ctx->arena, db_rows_collect, &rows);
	if (rc)
		return rc;
	struct diploma_rule *rules = rows.data;
	struct domain_row dcur;
	struct db_rows drows = {.arena = ctx->arena, .size = sizeof dcur, .cur = &dcur};
	rc = db_query(ctx->db, &stmt_rule_domains_all, (const struct db_param[]){DBP_END},
	              (const struct db_col[]){DBC_INT(&dcur.rule_id), DBC_INT(&dcur.d.domain_id),
	                                      DBC_TEXT(&dcur.d.name),
	                                      DBC_INT(&dcur.d.min_points_tenths), DBC_END},
	              ctx->arena, db_rows_collect, &drows);
	if (rc)
		return rc;
	struct module_row mcur;
	struct db_rows mrows = {.arena = ctx->arena, .size = sizeof mcur, .cur = &mcur};
	rc = db_query(ctx->db, &stmt_rule_modules_all, (const struct db_param[]){DBP_END},
	              (const struct db_col[]){DBC_INT(&mcur.rule_id), DBC_INT(&mcur.m.module_id),
	                                      DBC_TEXT(&mcur.m.title), DBC_END},
	              ctx->arena, db_rows_collect, &mrows);
	if (rc)
		return rc;
	const struct domain_row *ds = drows.data;
	const struct module_row *ms = mrows.data;
	for (size_t i = 0; i < rows.n; i++) {
		struct diploma_rule *r = &rules[i];
		for (size_t k = 0; k < drows.n; k++)
			r->ndomains += ds[k].rule_id == r->id;
		for (size_t k = 0; k < mrows.n; k++)
			r->nmodules += ms[k].rule_id == r->id;
		r->domains = arena_zalloc(ctx->arena, (r->ndomains + 1) * sizeof *r->domains);
		r->modules = arena_zalloc(ctx->arena, (r->nmodules + 1) * sizeof *r->modules);
		if (!r->domains || !r->modules)
			return CAMPUS_ENOMEM;
		size_t nd = 0, nm = 0;
		for (size_t k = 0; k < drows.n; k++)
			if (ds[k].rule_id == r->id)
				r->domains[nd++] = ds[k].d;
		for (size_t k = 0; k < mrows.n; k++)
			if (ms[k].rule_id == r->id)
				r->modules[nm++] = ms[k].m;
	}
	*out = rules;
	*n = rows.n;
	return 0;
}

int diploma_rules_list(struct ctx *ctx, struct diploma_rule **out, size_t *n)
{
	return rules_load(ctx, out, n);
}

int diploma_rule_get(struct ctx *ctx, int64_t id, struct diploma_rule *out)
{
	struct diploma_rule *rules;
	size_t n;
	int rc = rules_load(ctx, &rules, &n);
	if (rc)
		return rc;
	for (size_t i = 0; i < n; i++)
		if (rules[i].id == id) {
			*out = rules[i];
			return 0;
		}
	return CAMPUS_ENOTFOUND;
}

/* ---- what one person has ---- */

/* "+l.reverses_id": without statistics SQLite would take the UNIQUE index
 * on reverses_id for "IS NULL" (every original row) over the person's
 * index; the unary plus keeps it off that index (PostgreSQL ignores it). */
DB_STMT(stmt_person_live_rows,
        "SELECT l.id, l.points_tenths, l.earned_at, COALESCE(l.completion_id, 0) "
        "FROM points_ledger l WHERE l.person_id = $1 AND l.kind = 'pe' AND +l.reverses_id IS NULL "
        "AND NOT EXISTS (SELECT 1 FROM points_ledger r WHERE r.reverses_id = l.id) "
        "ORDER BY l.earned_at, l.id");
DB_STMT(stmt_person_row_domains,
        "SELECT d.ledger_id, d.domain_id FROM points_ledger_domains d "
        "JOIN points_ledger l ON l.id = d.ledger_id "
        "WHERE l.person_id = $1 AND l.kind = 'pe' AND +l.reverses_id IS NULL");
/* Module completions, except those whose points were reversed (a
 * correction: the completion should not have counted). */
DB_STMT(stmt_person_completions,
        "SELECT c.id, c.module_id, c.completed_at FROM completions c "
        "WHERE c.person_id = $1 AND c.module_id IS NOT NULL AND NOT EXISTS ("
        "SELECT 1 FROM points_ledger l JOIN points_ledger r ON r.reverses_id = l.id "
        "WHERE l.person_id = $1 AND l.completion_id = c.id)");
DB_STMT(stmt_person_kinds,
        "SELECT DISTINCT kind FROM memberships WHERE person_id = $1 AND ended_at IS NULL");
DB_STMT(stmt_person_diplomas,
        "SELECT rule_id, id FROM credentials WHERE person_id = $1 AND kind = 'diploma'");

struct live_row {
	int64_t id, points, earned_at, completion_id;
};
struct row_domain {
	int64_t ledger_id, domain_id;
};
struct module_done {
	int64_t completion_id, module_id, completed_at;
};
struct held {
	int64_t rule_id, credential_id;
};

struct facts {
	int64_t person_id;
	struct live_row *rows;
	size_t nrows;
	struct row_domain *rd;
	size_t nrd;
	struct module_done *done;
	size_t ndone;
	bool employee, volunteer;
	struct held *held;
	size_t nheld;
};

static int facts_load(struct ctx *ctx, int64_t person_id, struct facts *f)
{
	*f = (struct facts){.person_id = person_id};
	const struct db_param p[] = {DBP_INT(person_id), DBP_END};
	struct live_row lr;
	struct db_rows rows = {.arena = ctx->arena, .size = sizeof lr, .cur = &lr};
	int rc = db_query(ctx->db, &stmt_person_live_rows, p,
	                  (const struct db_col[]){DBC_INT(&lr.id), DBC_INT(&lr.points),
	                                          DBC_INT(&lr.earned_at), DBC_INT(&lr.completion_id),
	                                          DBC_END},
	                  ctx->arena, db_rows_collect, &rows);
	if (rc)
		return rc;
	f->rows = rows.data;
	f->nrows = rows.n;
	struct row_domain rd;
	struct db_rows drows = {.arena = ctx->arena, .size = sizeof rd, .cur = &rd};
	rc = db_query(ctx->db, &stmt_person_row_domains, p,
	              (const struct db_col[]){DBC_INT(&rd.ledger_id), DBC_INT(&rd.domain_id), DBC_END},
	              ctx->arena, db_rows_collect, &drows);
	if (rc)
		return rc;
	f->rd = drows.data;
	f->nrd = drows.n;
	struct module_done md;
	struct db_rows mrows = {.arena = ctx->arena, .size = sizeof md, .cur = &md};
	rc = db_query(ctx->db, &stmt_person_completions, p,
	              (const struct db_col[]){DBC_INT(&md.completion_id), DBC_INT(&md.module_id),
	                                      DBC_INT(&md.completed_at), DBC_END},
	              ctx->arena, db_rows_collect, &mrows);
	if (rc)
		return rc;
	f->done = mrows.data;
	f->ndone = mrows.n;
	const char *kind;
	struct db_rows krows = {.arena = ctx->arena, .size = sizeof kind, .cur = &kind};
	rc = db_query(ctx->db, &stmt_person_kinds, p, (const struct db_col[]){DBC_TEXT(&kind), DBC_END},
	              ctx->arena, db_rows_collect, &krows);
	if (rc)
		return rc;
	for (size_t i = 0; i < krows.n; i++) {
		const char *k = ((const char **)krows.data)[i];
		f->employee |= !strcmp(k, "employee");
		f->volunteer |= !strcmp(k, "volunteer");
	}
	struct held h;
	struct db_rows hrows = {.arena = ctx->arena, .size = sizeof h, .cur = &h};
	rc = db_query(ctx->db, &stmt_person_diplomas, p,
	              (const struct db_col[]){DBC_INT(&h.rule_id), DBC_INT(&h.credential_id), DBC_END},
	              ctx->arena, db_rows_collect, &hrows);
	f->held = hrows.data;
	f->nheld = hrows.n;
	return rc;
}

static bool applies(const struct diploma_rule *r, const struct facts *f)
{
	if (!strcmp(r->for_kind, "employee"))
		return f->employee;
	if (!strcmp(r->for_kind, "volunteer"))
		return f->volunteer;
	return true;
}

static int64_t held_of(const struct facts *f, int64_t rule_id)
{
	for (size_t i = 0; i < f->nheld; i++)
		if (f->held[i].rule_id == rule_id)
			return f->held[i].credential_id;
	return 0;
}

static bool row_in_domain(const struct facts *f, int64_t ledger_id, int64_t domain_id)
{
	for (size_t i = 0; i < f->nrd; i++)
		if (f->rd[i].ledger_id == ledger_id && f->rd[i].domain_id == domain_id)
			return true;
	return false;
}

/* One rule against one person's facts: the progress, and what a diploma
 * would list (the completions of the counted rows and of the mandatory
 * modules, their points and the day the last of them was done). */
struct outcome {
	struct diploma_progress p;
	int64_t *completion_ids;
	size_t ncompletions;
	int64_t points, achieved_at;
};

static int add_completion(struct outcome *o, int64_t id)
{
	if (!id)
		return 0;
	for (size_t i = 0; i < o->ncompletions; i++)
		if (o->completion_ids[i] == id)
			return 0;
	o->completion_ids[o->ncompletions++] = id;
	return 0;
}

static int judge(struct ctx *ctx, const struct diploma_rule *r, const struct facts *f,
                 struct outcome *o)
{
	int64_t since = period_start(ctx->now(), r->period_months);
	*o = (struct outcome){0};
	o->p.rule_id = r->id;
	o->p.name = r->name;
	o->p.description = r->description;
	o->p.min_points_tenths = r->min_points_tenths;
	o->p.ndomains = r->ndomains;
	o->p.nmodules = r->nmodules;
	o->p.domains = arena_zalloc(ctx->arena, (r->ndomains + 1) * sizeof *o->p.domains);
	o->p.modules = arena_zalloc(ctx->arena, (r->nmodules + 1) * sizeof *o->p.modules);
	o->completion_ids =
	    arena_alloc(ctx->arena, (f->nrows + f->ndone + 1) * sizeof *o->completion_ids);
	if (!o->p.domains || !o->p.modules || !o->completion_ids)
		return CAMPUS_ENOMEM;
	for (size_t i = 0; i < f->nrows; i++) {
		const struct live_row *lr = &f->rows[i];
		if (lr->earned_at < since)
			continue;
		o->p.points_tenths += lr->points;
		add_completion(o, lr->completion_id);
		if (lr->earned_at > o->achieved_at)
			o->achieved_at = lr->earned_at;
	}
	bool met = o->p.points_tenths >= r->min_points_tenths;
	for (size_t d = 0; d < r->ndomains; d++) {
		struct diploma_domain_need *need = &o->p.domains[d];
		need->domain_id = r->domains[d].domain_id;
		need->name = r->domains[d].name;
		need->min_points_tenths = r->domains[d].min_points_tenths;
		for (size_t i = 0; i < f->nrows; i++)
			if (f->rows[i].earned_at >= since &&
			    row_in_domain(f, f->rows[i].id, need->domain_id))
				need->points_tenths += f->rows[i].points;
		met = met && need->points_tenths >= need->min_points_tenths;
	}
	for (size_t m = 0; m < r->nmodules; m++) {
		struct diploma_module_need *need = &o->p.modules[m];
		need->module_id = r->modules[m].module_id;
		need->title = r->modules[m].title;
		for (size_t i = 0; i < f->ndone; i++)
			if (f->done[i].module_id == need->module_id && f->done[i].completed_at >= since) {
				need->done = true;
				add_completion(o, f->done[i].completion_id);
				if (f->done[i].completed_at > o->achieved_at)
					o->achieved_at = f->done[i].completed_at;
			}
		met = met && need->done;
	}
	o->p.met = met;
	o->p.credential_id = held_of(f, r->id);
	o->points = o->p.points_tenths;
	return 0;
}

int diploma_progress_for(struct ctx *ctx, int64_t person_id, struct diploma_progress **out,
                         size_t *n)
{
	*out = NULL;
	*n = 0;
	struct diploma_rule *rules;
	size_t nrules;
	struct facts f;
	int rc = rules_load(ctx, &rules, &nrules);
	if (!rc)
		rc = facts_load(ctx, person_id, &f);
	if (rc)
		return rc;
	struct diploma_progress *list = arena_zalloc(ctx->arena, (nrules + 1) * sizeof *list);
	if (!list)
		return CAMPUS_ENOMEM;
	size_t k = 0;
	for (size_t i = 0; i < nrules; i++) {
		/* An inactive rule still shows the diploma someone holds. */
		if ((!rules[i].active && !held_of(&f, rules[i].id)) || !applies(&rules[i], &f))
			continue;
		struct outcome o;
		if ((rc = judge(ctx, &rules[i], &f, &o)) != 0)
			return rc;
		list[k++] = o.p;
	}
	*out = list;
	*n = k;
	return 0;
}

/* ---- issuing ---- */

#define DIPLOMA_SUBJECT N_("Gefeliciteerd: je diploma {diploma}")
#define DIPLOMA_BODY                                                                               \
	N_("Je hebt alles gedaan wat het diploma {diploma} vraagt. Het diploma staat bij je "     \
	   "certificaten; daar kun je het als PDF en als Open Badge downloaden.")

/* Issues the diploma, tells the person on screen and queues the e-mail
 * with the PDF as a job of its own: rendering a PDF takes far longer than
 * judging a person, and a rule change may issue thousands at once. */
static int issue(struct ctx *ctx, const struct diploma_rule *r, const struct facts *f,
                 const struct outcome *o)
{
	int64_t cid = 0;
	int rc = credential_issue_diploma(ctx, f->person_id, r->id, o->completion_ids,
	                                  o->ncompletions, o->points,
	                                  o->achieved_at ? o->achieved_at : ctx->now(), &cid);
	if (rc)
		return rc;
	const char *vars[] = {"diploma", r->name, NULL};
	struct notify_msg m = {.kind = "diploma.issued",
	                       .subject = DIPLOMA_SUBJECT,
	                       .body = DIPLOMA_BODY,
	                       .link = "/mijn/certificaten",
	                       .vars = vars};
	if ((rc = notify_person(ctx, f->person_id, &m)) != 0)
		return rc;
	char *payload = arena_printf(ctx->arena, "{\"credential_id\": %lld}", (long long)cid);
	return payload ? jobs_enqueue(ctx, DIPLOMA_MAIL_JOB_KIND, payload, 0, NULL) : CAMPUS_ENOMEM;
}

DB_STMT(stmt_diploma_rule_name,
        "SELECT r.name FROM credentials c JOIN diploma_rules r ON r.id = c.rule_id "
        "WHERE c.id = $1 AND c.kind = 'diploma'");

/* The e-mail of one diploma, in the person's language, with its PDF (the
 * same bytes /mijn/certificaten serves). A diploma revoked before its
 * e-mail went gets none. */
int diploma_mail_job(struct ctx *ctx, const char *payload, const char **why)
{
	json_t *j = json_loads(payload, 0, NULL);
	json_t *v = j ? json_object_get(j, "credential_id") : NULL;
	json_int_t cid = v && json_is_integer(v) ? json_integer_value(v) : 0;
	json_decref(j);
	if (cid <= 0) {
		*why = "payload is not {\"credential_id\": N}";
		return CAMPUS_EINVAL;
	}
	const char *rule_name;
	int rc = db_query_row(ctx->db, &stmt_diploma_rule_name,
	                      (const struct db_param[]){DBP_INT(cid), DBP_END},
	                      (const struct db_col[]){DBC_TEXT(&rule_name), DBC_END}, ctx->arena);
	struct credential c;
	if (!rc)
		rc = credential_get(ctx, cid, &c);
	if (rc == CAMPUS_ENOTFOUND) {
		*why = "no such diploma";
		return CAMPUS_EINVAL;
	}
	if (rc)
		return rc;
	if (c.revoked_at)
		return 0;
	struct person p;
	if ((rc = person_get(ctx, c.person_id, &p)) != 0)
		return rc;
	const char *vars[] = {"diploma", rule_name, NULL};
	char *subject = mail_fill_vars(ctx->arena, mail_tr(p.lang, DIPLOMA_SUBJECT), vars);
	char *body = mail_fill_vars(ctx->arena, mail_tr(p.lang, DIPLOMA_BODY), vars);
	char *text = body ? arena_printf(ctx->arena, "%s\n\n%s/mijn/certificaten\n", body,
	                                 mail_base_url())
	                  : NULL;
	char *name = arena_printf(ctx->arena, "diploma-%s.pdf", c.code);
	if (!subject || !text || !name)
		return CAMPUS_ENOMEM;
	struct buf pdf;
	buf_init(&pdf, ctx->arena, MAIL_ATTACHMENT_MAX);
	/* Without its PDF (a logo too big for an attachment) the e-mail still
	 * goes: the diploma is on the person's page either way. */
	if ((rc = credential_pdf(ctx, &c, &pdf)) != 0) {
		log_warn("msg=diploma_pdf_failed credential=%lld error=%s", (long long)cid,
		         campus_err_code(rc));
		return mail_queue(ctx, p.email, subject, text);
	}
	return mail_queue_attachment(ctx, p.email, subject, text, name, "application/pdf", pdf.data,
	                             pdf.len);
}

/* Issues what person_id meets among rules (one rule when only is nonzero). */
static int evaluate_person(struct ctx *ctx, const struct diploma_rule *rules, size_t nrules,
                           int64_t person_id, int64_t only, unsigned *issued)
{
	struct facts f;
	int rc = facts_load(ctx, person_id, &f);
	if (rc)
		return rc;
	for (size_t i = 0; i < nrules; i++) {
		const struct diploma_rule *r = &rules[i];
		if (!r->active || (only && r->id != only) || !applies(r, &f) || held_of(&f, r->id))
			continue;
		struct outcome o;
		if ((rc = judge(ctx, r, &f, &o)) != 0)
			return rc;
		if (!o.p.met)
			continue;
		if ((rc = issue(ctx, r, &f, &o)) != 0)
			return rc;
		if (issued)
			++*issued;
	}
	return 0;
}

DB_STMT(stmt_person_exists, "SELECT COUNT(*) FROM people WHERE id = $1");

/* person_id against every active rule, or only rule_id when nonzero. */
static int evaluate_one(struct ctx *ctx, int64_t person_id, int64_t rule_id, unsigned *issued)
{
	if (!db_in_tx(ctx->db))
		return CAMPUS_EINTERNAL;
	int64_t exists = 0;
	int rc = db_query_row(ctx->db, &stmt_person_exists,
	                      (const struct db_param[]){DBP_INT(person_id), DBP_END},
	                      (const struct db_col[]){DBC_INT(&exists), DBC_END}, ctx->arena);
	if (rc)
		return rc;
	if (!exists)
		return CAMPUS_ENOTFOUND;
	struct diploma_rule *rules;
	size_t n;
	if ((rc = rules_load(ctx, &rules, &n)) != 0)
		return rc;
	return evaluate_person(ctx, rules, n, person_id, rule_id, issued);
}

int diploma_evaluate_person(struct ctx *ctx, int64_t person_id, unsigned *issued)
{
	return evaluate_one(ctx, person_id, 0, issued);
}

/* Who meets a rule and does not hold it yet, in one statement: the net pe
 * points per person within the period ("live": rows neither reversing nor
 * reversed), the domains whose minimum each reaches, the mandatory modules
 * each completed, the current kind of membership. */
DB_STMT(stmt_rule_candidates,
        "WITH live AS ("
        " SELECT l.id, l.person_id, l.points_tenths FROM points_ledger l"
        " WHERE l.kind = 'pe' AND +l.reverses_id IS NULL AND l.earned_at >= $2"
        " AND NOT EXISTS (SELECT 1 FROM points_ledger r WHERE r.reverses_id = l.id)),"
        "tot AS (SELECT person_id FROM live GROUP BY person_id HAVING SUM(points_tenths) >= $3),"
        "dom AS (SELECT x.person_id, COUNT(*) AS n FROM ("
        " SELECT lv.person_id, rd.domain_id FROM live lv"
        " JOIN points_ledger_domains d ON d.ledger_id = lv.id"
        " JOIN diploma_rule_domains rd ON rd.rule_id = $1 AND rd.domain_id = d.domain_id"
        " GROUP BY lv.person_id, rd.domain_id, rd.min_points_tenths"
        " HAVING SUM(lv.points_tenths) >= rd.min_points_tenths) x GROUP BY x.person_id),"
        "mods AS (SELECT c.person_id, COUNT(DISTINCT c.module_id) AS n FROM completions c"
        " JOIN diploma_rule_modules rm ON rm.rule_id = $1 AND rm.module_id = c.module_id"
        " WHERE c.completed_at >= $2 AND c.id NOT IN (SELECT l.completion_id FROM points_ledger r"
        " JOIN points_ledger l ON l.id = r.reverses_id WHERE l.completion_id IS NOT NULL)"
        " GROUP BY c.person_id) "
        "SELECT t.person_id FROM tot t"
        " LEFT JOIN dom ON dom.person_id = t.person_id"
        " LEFT JOIN mods ON mods.person_id = t.person_id"
        " WHERE COALESCE(dom.n, 0) = $4 AND COALESCE(mods.n, 0) = $5"
        " AND NOT EXISTS (SELECT 1 FROM credentials cr WHERE cr.person_id = t.person_id"
        " AND cr.rule_id = $1)"
        " AND ($6 = 'all' OR EXISTS (SELECT 1 FROM memberships m WHERE m.person_id = t.person_id"
        " AND m.ended_at IS NULL AND m.kind = $6))"
        " ORDER BY t.person_id");

int diploma_evaluate_rule(struct ctx *ctx, int64_t rule_id, unsigned *queued)
{
	if (!db_in_tx(ctx->db))
		return CAMPUS_EINTERNAL;
	struct diploma_rule *rules;
	size_t n;
	int rc = rules_load(ctx, &rules, &n);
	if (rc)
		return rc;
	const struct diploma_rule *r = NULL;
	for (size_t i = 0; i < n; i++)
		if (rules[i].id == rule_id)
			r = &rules[i];
	if (!r)
		return CAMPUS_ENOTFOUND;
	if (!r->active)
		return 0;
	int64_t cur;
	struct db_rows rows = {.arena = ctx->arena, .size = sizeof cur, .cur = &cur};
	rc = db_query(ctx->db, &stmt_rule_candidates,
	              (const struct db_param[]){DBP_INT(r->id),
	                                        DBP_INT(period_start(ctx->now(), r->period_months)),
	                                        DBP_INT(r->min_points_tenths), DBP_INT(r->ndomains),
	                                        DBP_INT(r->nmodules), DBP_TEXT(r->for_kind), DBP_END},
	              (const struct db_col[]){DBC_INT(&cur), DBC_END}, ctx->arena, db_rows_collect,
	              &rows);
	if (rc)
		return rc;
	/* The candidates go in jobs of DIPLOMA_BATCH people each
	 * {"rule_id": R, "people": [...]}, which judge each of them again on
	 * their own rows (the same rule in C, which also gives what the
	 * diploma lists) and issue. This transaction, which reads the whole
	 * ledger, stays short: on PostgreSQL a SERIALIZABLE reader of every
	 * row held open while thousands of diplomas are issued would make
	 * concurrent registrations retry; batches keep SQLite from paying a
	 * commit per diploma. */
	const int64_t *people = rows.data;
	struct buf payload;
	buf_init(&payload, ctx->arena, JOBS_PAYLOAD_MAX);
	for (size_t i = 0; i < rows.n && !rc; i += DIPLOMA_BATCH) {
		buf_clear(&payload);
		rc = buf_printf(&payload, "{\"rule_id\": %lld, \"people\": [", (long long)r->id);
		for (size_t k = i; !rc && k < rows.n && k < i + DIPLOMA_BATCH; k++)
			rc = buf_printf(&payload, "%s%lld", k > i ? "," : "", (long long)people[k]);
		if (!rc)
			rc = buf_puts(&payload, "]}");
		if (!rc)
			rc = jobs_enqueue(ctx, DIPLOMA_JOB_KIND, buf_cstr(&payload), 0, NULL);
	}
	if (!rc && queued)
		*queued += (unsigned)rows.n;
	return rc;
}

/* {"rule_id": R, "people": [...]}: each person against that rule, each in
 * a scratch arena emptied after them. */
static int evaluate_batch(struct ctx *ctx, int64_t rule_id, json_t *people, const char **why)
{
	if (json_array_size(people) == 0 || json_array_size(people) > DIPLOMA_BATCH) {
		*why = "people is not a list of 1 to 100 ids";
		return CAMPUS_EINVAL;
	}
	struct arena *scratch = arena_new(0);
	struct ctx one = *ctx;
	one.arena = scratch;
	int rc = 0;
	for (size_t i = 0; i < json_array_size(people) && !rc; i++) {
		json_t *v = json_array_get(people, i);
		json_int_t id = json_is_integer(v) ? json_integer_value(v) : 0;
		if (id <= 0) {
			*why = "people is not a list of 1 to 100 ids";
			rc = CAMPUS_EINVAL;
			break;
		}
		rc = evaluate_one(&one, id, rule_id, NULL);
		if (rc == CAMPUS_ENOTFOUND) /* gone since: nothing to do for them */
			rc = 0;
		arena_reset(scratch);
	}
	arena_free(scratch);
	return rc;
}

int diploma_evaluate_job(struct ctx *ctx, const char *payload, const char **why)
{
	json_t *j = json_loads(payload, 0, NULL);
	json_t *person = j ? json_object_get(j, "person_id") : NULL;
	json_t *rule = j ? json_object_get(j, "rule_id") : NULL;
	json_t *people = j ? json_object_get(j, "people") : NULL;
	json_int_t person_id = person && json_is_integer(person) ? json_integer_value(person) : 0;
	json_int_t rule_id = rule && json_is_integer(rule) ? json_integer_value(rule) : 0;
	bool ok = (!person || person_id > 0) && (!rule || rule_id > 0) && (person || rule) &&
	          (!people || (json_is_array(people) && rule_id && !person));
	int rc = CAMPUS_EINVAL;
	unsigned n = 0;
	if (!ok)
		*why = "payload is not {\"person_id\": N}, {\"rule_id\": N}, both, or "
		       "{\"rule_id\": N, \"people\": [...]}";
	else if (people)
		rc = evaluate_batch(ctx, rule_id, people, why);
	else if (person_id)
		rc = evaluate_one(ctx, person_id, rule_id, &n);
	else
		rc = diploma_evaluate_rule(ctx, rule_id, &n);
	json_decref(j);
	if (rc == CAMPUS_ENOTFOUND) {
		*why = person_id ? "unknown person" : "unknown rule";
		return CAMPUS_EINVAL;
	}
	return rc;
}

/* ---- saving rules ---- */

DB_STMT(stmt_rule_name_taken,
        "SELECT COUNT(*) FROM diploma_rules WHERE (slug = $1 OR lower(name) = lower($2)) AND id <> $3");
DB_STMT(stmt_rule_insert,
        "INSERT INTO diploma_rules (slug, name, description, min_points_tenths, period_months, "
        "for_kind, active, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $8) "
        "RETURNING id");
DB_STMT(stmt_rule_update,
        "UPDATE diploma_rules SET name = $2, description = $3, min_points_tenths = $4, "
        "period_months = $5, for_kind = $6, active = $7, revision = revision + 1, updated_at = $8 "
        "WHERE id = $1");
DB_STMT(stmt_rule_domains_clear, "DELETE FROM diploma_rule_domains WHERE rule_id = $1");
DB_STMT(stmt_rule_modules_clear, "DELETE FROM diploma_rule_modules WHERE rule_id = $1");
DB_STMT(stmt_rule_domain_add,
        "INSERT INTO diploma_rule_domains (rule_id, domain_id, min_points_tenths) VALUES ($1, $2, $3)");
DB_STMT(stmt_rule_module_add,
        "INSERT INTO diploma_rule_modules (rule_id, module_id) VALUES ($1, $2)");
DB_STMT(stmt_domain_current,
        "SELECT COUNT(*) FROM tax_domains WHERE id = $1 AND retired_at IS NULL");
DB_STMT(stmt_module_exists, "SELECT COUNT(*) FROM modules WHERE id = $1");

static size_t utf8_chars(const char *s)
{
	size_t n = 0;
	for (; *s; s++)
		n += ((unsigned char)*s & 0xC0) != 0x80;
	return n;
}

static int64_t count_of(struct ctx *ctx, struct db_stmt *st, const struct db_param *p, int *rc)
{
	int64_t n = 0;
	*rc = db_query_row(ctx->db, st, p, (const struct db_col[]){DBC_INT(&n), DBC_END}, ctx->arena);
	return n;
}

/* The checks that need no database. */
static const char *rule_problem(const struct diploma_rule_in *in)
{
	const char *name = in->name ? in->name : "";
	if (!utf8_valid(name, strlen(name)) ||
	    (in->description && !utf8_valid(in->description, strlen(in->description))))
		return N_("De tekst bevat ongeldige tekens.");
	if (!*name || strspn(name, " \t") == strlen(name))
		return N_("Geef het diploma een naam.");
	if (utf8_chars(name) > DIPLOMA_NAME_MAX)
		return N_("De naam is te lang (hoogstens 120 tekens).");
	if (in->description && utf8_chars(in->description) > DIPLOMA_DESCRIPTION_MAX)
		return N_("De beschrijving is te lang (hoogstens 1000 tekens).");
	if (in->min_points_tenths <= 0 || in->min_points_tenths > PROGRESS_POINTS_MAX_TENTHS)
		return N_("Het aantal punten moet groter zijn dan 0 en hoogstens 1000.");
	if (in->period_months < 0 || in->period_months > DIPLOMA_PERIOD_MAX)
		return N_("De periode is 0 (altijd) of 1 tot en met 240 maanden.");
	if (!in->for_kind || (strcmp(in->for_kind, "all") && strcmp(in->for_kind, "employee") &&
	                      strcmp(in->for_kind, "volunteer")))
		return N_("Kies voor wie het diploma is.");
	if (in->ndomains > DIPLOMA_DOMAINS_MAX)
		return N_("Te veel domeinen.");
	if (in->nmodules > DIPLOMA_MODULES_MAX)
		return N_("Te veel verplichte modules (hoogstens 20).");
	for (size_t i = 0; i < in->ndomains; i++) {
		if (in->domain_min_tenths[i] <= 0 || in->domain_min_tenths[i] > in->min_points_tenths)
			return N_("Een minimum per domein is groter dan 0 en niet groter dan het totaal.");
		for (size_t k = 0; k < i; k++)
			if (in->domain_ids[k] == in->domain_ids[i])
				return N_("Een domein staat er twee keer in.");
	}
	for (size_t i = 0; i < in->nmodules; i++)
		for (size_t k = 0; k < i; k++)
			if (in->module_ids[k] == in->module_ids[i])
				return N_("Een module staat er twee keer in.");
	return NULL;
}

static bool same_rule(const struct diploma_rule *old, const struct diploma_rule_in *in)
{
	if (strcmp(old->name, in->name) || strcmp(old->description, in->description ? in->description : "") ||
	    old->min_points_tenths != in->min_points_tenths || old->period_months != in->period_months ||
	    strcmp(old->for_kind, in->for_kind) || old->active != in->active ||
	    old->ndomains != in->ndomains || old->nmodules != in->nmodules)
		return false;
	for (size_t i = 0; i < in->ndomains; i++) {
		bool found = false;
		for (size_t k = 0; k < old->ndomains; k++)
			found |= old->domains[k].domain_id == in->domain_ids[i] &&
			         old->domains[k].min_points_tenths == in->domain_min_tenths[i];
		if (!found)
			return false;
	}
	for (size_t i = 0; i < in->nmodules; i++) {
		bool found = false;
		for (size_t k = 0; k < old->nmodules; k++)
			found |= old->modules[k].module_id == in->module_ids[i];
		if (!found)
			return false;
	}
	return true;
}

struct save {
	struct ctx *ctx;
	int64_t id;
	const struct diploma_rule_in *in;
	int64_t out_id;
	bool changed;
	const char *why;
};

static int save_tx(struct db_conn *db, void *cls)
{
	struct save *s = cls;
	struct ctx *ctx = s->ctx;
	const struct diploma_rule_in *in = s->in;
	s->why = NULL;
	s->changed = false;
	int rc = 0;
	struct diploma_rule old = {0};
	if (s->id) {
		rc = diploma_rule_get(ctx, s->id, &old);
		if (rc)
			return rc;
		if (same_rule(&old, in)) {
			s->out_id = s->id;
			return 0;
		}
	}
	char slug[80];
	str_slugify(in->name, slug, sizeof slug);
	int64_t taken = count_of(ctx, &stmt_rule_name_taken,
	                         (const struct db_param[]){DBP_TEXT(s->id ? old.slug : slug),
	                                                   DBP_TEXT(in->name), DBP_INT(s->id), DBP_END},
	                         &rc);
	if (rc)
		return rc;
	if (taken) {
		s->why = N_("Er is al een diploma met deze naam.");
		return CAMPUS_ECONFLICT;
	}
	for (size_t i = 0; i < in->ndomains; i++) {
		int64_t ok = count_of(ctx, &stmt_domain_current,
		                      (const struct db_param[]){DBP_INT(in->domain_ids[i]), DBP_END}, &rc);
		if (rc)
			return rc;
		if (!ok) {
			s->why = N_("Dat domein bestaat niet (meer).");
			return CAMPUS_EINVAL;
		}
	}
	for (size_t i = 0; i < in->nmodules; i++) {
		int64_t ok = count_of(ctx, &stmt_module_exists,
		                      (const struct db_param[]){DBP_INT(in->module_ids[i]), DBP_END}, &rc);
		if (rc)
			return rc;
		if (!ok) {
			s->why = N_("Die module bestaat niet.");
			return CAMPUS_EINVAL;
		}
	}
	const char *desc = in->description ? in->description : "";
	int64_t now = ctx->now();
	if (s->id) {
		rc = db_exec(db, &stmt_rule_update,
		             (const struct db_param[]){DBP_INT(s->id), DBP_TEXT(in->name), DBP_TEXT(desc),
		                                       DBP_INT(in->min_points_tenths),
		                                       DBP_INT(in->period_months), DBP_TEXT(in->for_kind),
		                                       DBP_BOOL(in->active), DBP_INT(now), DBP_END},
		             NULL);
		s->out_id = s->id;
		if (!rc)
			rc = db_exec(db, &stmt_rule_domains_clear,
			             (const struct db_param[]){DBP_INT(s->id), DBP_END}, NULL);
		if (!rc)
			rc = db_exec(db, &stmt_rule_modules_clear,
			             (const struct db_param[]){DBP_INT(s->id), DBP_END}, NULL);
	} else {
		rc = db_query_row(db, &stmt_rule_insert,
		                  (const struct db_param[]){DBP_TEXT(slug), DBP_TEXT(in->name),
		                                            DBP_TEXT(desc), DBP_INT(in->min_points_tenths),
		                                            DBP_INT(in->period_months),
		                                            DBP_TEXT(in->for_kind), DBP_BOOL(in->active),
		                                            DBP_INT(now), DBP_END},
		                  (const struct db_col[]){DBC_INT(&s->out_id), DBC_END}, ctx->arena);
	}
	for (size_t i = 0; !rc && i < in->ndomains; i++)
		rc = db_exec(db, &stmt_rule_domain_add,
		             (const struct db_param[]){DBP_INT(s->out_id), DBP_INT(in->domain_ids[i]),
		                                       DBP_INT(in->domain_min_tenths[i]), DBP_END},
		             NULL);
	for (size_t i = 0; !rc && i < in->nmodules; i++)
		rc = db_exec(db, &stmt_rule_module_add,
		             (const struct db_param[]){DBP_INT(s->out_id), DBP_INT(in->module_ids[i]),
		                                       DBP_END},
		             NULL);
	if (rc)
		return rc;
	s->changed = true;
	/* Everyone again: who meets the new rule gets the diploma; who held it
	 * keeps it (revocation is a person's decision, not a rule's). */
	if (in->active) {
		char *payload = arena_printf(ctx->arena, "{\"rule_id\": %lld}", (long long)s->out_id);
		if (!payload)
			return CAMPUS_ENOMEM;
		if ((rc = jobs_enqueue(ctx, DIPLOMA_JOB_KIND, payload, 0, NULL)) != 0)
			return rc;
	}
	char id_text[24];
	snprintf(id_text, sizeof id_text, "%lld", (long long)s->out_id);
	char *detail = arena_printf(ctx->arena,
	                            "min_points_tenths=%lld period_months=%lld for_kind=%s active=%d "
	                            "domains=%zu modules=%zu",
	                            (long long)in->min_points_tenths, (long long)in->period_months,
	                            in->for_kind, in->active, in->ndomains, in->nmodules);
	return audit_record(ctx, s->id ? "diploma.rule_update" : "diploma.rule_create",
	                    "diploma_rule", id_text, "ok", detail);
}

int diploma_rule_save(struct ctx *ctx, int64_t id, const struct diploma_rule_in *in,
                      int64_t *out_id, const char **why)
{
	*why = NULL;
	if (!is_admin(ctx))
		return CAMPUS_EFORBIDDEN;
	if ((*why = rule_problem(in)) != NULL)
		return CAMPUS_EINVAL;
	struct save s = {.ctx = ctx, .id = id, .in = in};
	int rc = db_tx_run(ctx->db, DB_TX_WRITE, save_tx, &s);
	*why = s.why;
	if (!rc && out_id)
		*out_id = s.out_id;
	return rc;
}

/* ---- issued diplomas ---- */

DB_STMT(stmt_issued_count, "SELECT COUNT(*) FROM credentials WHERE rule_id = $1");
DB_STMT(stmt_issued_list,
        "SELECT id, person_id, holder_name, code, points_tenths, achieved_at, issued_at, "
        "COALESCE(revoked_at, 0), revoke_reason FROM credentials WHERE rule_id = $1 "
        "ORDER BY issued_at DESC, id DESC LIMIT $2 OFFSET $3");

int diploma_issued_list(struct ctx *ctx, int64_t rule_id, size_t offset, size_t limit,
                        struct diploma_issued **out, size_t *n, int64_t *total)
{
	*out = NULL;
	*n = 0;
	*total = 0;
	if (!is_admin(ctx))
		return CAMPUS_EFORBIDDEN;
	int rc;
	*total = count_of(ctx, &stmt_issued_count, (const struct db_param[]){DBP_INT(rule_id), DBP_END},
	                  &rc);
	if (rc)
		return rc;
	struct diploma_issued cur;
	struct db_rows rows = {.arena = ctx->arena, .size = sizeof cur, .cur = &cur};
	rc = db_query(ctx->db, &stmt_issued_list,
	              (const struct db_param[]){DBP_INT(rule_id), DBP_INT(limit), DBP_INT(offset),
	                                        DBP_END},
	              (const struct db_col[]){DBC_INT(&cur.credential_id), DBC_INT(&cur.person_id),
	                                      DBC_TEXT(&cur.holder_name), DBC_TEXT(&cur.code),
	                                      DBC_INT(&cur.points_tenths), DBC_INT(&cur.achieved_at),
	                                      DBC_INT(&cur.issued_at), DBC_INT(&cur.revoked_at),
	                                      DBC_TEXT(&cur.revoke_reason), DBC_END},
	              ctx->arena, db_rows_collect, &rows);
	*out = rows.data;
	*n = rows.n;
	return rc;
}

DB_STMT(stmt_diploma_of_rule,
        "SELECT COUNT(*) FROM credentials WHERE id = $1 AND rule_id = $2 AND kind = 'diploma'");

int diploma_revoke(struct ctx *ctx, int64_t rule_id, int64_t credential_id, const char *reason,
                   const char **why)
{
	*why = NULL;
	if (!is_admin(ctx))
		return CAMPUS_EFORBIDDEN;
	int rc;
	int64_t ok = count_of(ctx, &stmt_diploma_of_rule,
	                      (const struct db_param[]){DBP_INT(credential_id), DBP_INT(rule_id), DBP_END},
	                      &rc);
	if (rc)
		return rc;
	if (!ok)
		return CAMPUS_ENOTFOUND;
	return credential_revoke(ctx, credential_id, reason, why);
}
