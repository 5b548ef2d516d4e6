/* A library's enrolment policy and training budgets (R12), for its managers:
 * when an enrolment needs approval (and by whom a second time), budgets on or
 * off, the group defaults per year, and every member's account for the year
 * with a personal amount; also as CSV. One POST route, the form's "actie"
 * says which part. */
#include <string.h>
#include <strings.h>

#include "core/arena.h"
#include "core/buf.h"
#include "core/err.h"
#include "core/str.h"
#include "core/when.h"
#include "domain/budget_read.h"
#include "domain/enrol.h"
#include "domain/people.h"
#include "http/req.h"
#include "web/web.h"
#include "view/numbers.h"

#define BUDGET_PER_PAGE 50
#define APPROVERS_MAX 100
#define YEAR_MIN 2000
#define YEAR_MAX 2100
#define DAYS_MAX 365

static const struct {
	const char *key, *value, *label;
} approvals[] = {
    {"nooit", "none", N_("Nooit: inschrijven kan direct (behalve boven het budget)")},
    {"kosten", "cost", N_("Als de uitvoering geld kost")},
    {"altijd", "always", N_("Altijd")},
};

static const struct {
	const char *field, *kind, *label;
} groups[] = {
    {"medewerkers", "employee", N_("Medewerkers")},
    {"vrijwilligers", "volunteer", N_("Vrijwilligers")},
};

static const char *euros(struct req *r, int64_t cents) { return numbers_euros(r->arena, cents); }

/* "350,00": what the form fields show and the CSV holds. */
static const char *amount_text(struct req *r, int64_t cents)
{
	return arena_printf(r->arena, "%lld,%02lld", (long long)(cents / 100), (long long)(cents % 100));
}

static int year_now(struct ctx *ctx)
{
	struct when_local l;
	when_to_local(ctx->now(), &l);
	return l.year;
}

/* ?jaar= or the form's jaar; this year when absent; false when malformed. */
static bool year_param(const char *text, int fallback, int *year)
{
	unsigned long y;
	if (!text || !*text) {
		*year = fallback;
		return true;
	}
	if (!str_to_uint(text, strlen(text), YEAR_MAX, &y) || y < YEAR_MIN)
		return false;
	*year = (int)y;
	return true;
}

static bool days_param(const char *text, int64_t *out)
{
	unsigned long v;
	if (!text || !str_to_uint(text, strlen(text), DAYS_MAX, &v) || v < 1)
		return false;
	*out = (int64_t)v;
	return true;
}

struct errors {
	const char *policy, *defaults, *person, *person_top;
	int64_t person_id;
};

static int render(struct req *r, struct ctx *ctx, int year, unsigned status,
                  const struct errors *err)
{
	struct enrol_policy pol;
	int rc = enrol_policy_get(ctx, r->org.id, &pol);
	if (rc)
		return rc;
	bool post = r->method == HTTP_POST;
	const char *actie = post ? req_form(r, "actie") : NULL;
	bool policy_typed = actie && !strcmp(actie, "beleid") && err && err->policy;

	json_t *appr = json_array();
	const char *typed_appr = policy_typed ? req_form(r, "goedkeuring") : NULL;
	for (size_t i = 0; i < sizeof approvals / sizeof approvals[0]; i++) {
		bool sel = typed_appr ? !strcmp(typed_appr, approvals[i].key)
		                      : !strcmp(pol.approval, approvals[i].value);
		json_array_append_new(appr, json_pack("{s:s, s:s, s:b}", "key", approvals[i].key, "label",
		                                      req_tr(r, approvals[i].label), "checked", sel));
	}

	/* The second approver: one of the library's managers (or whoever it is now). */
	struct member_filter f = {.role = ROLE_MANAGER, .limit = APPROVERS_MAX};
	struct member_row *mgr;
	size_t nmgr;
	int64_t total;
	rc = org_members(ctx, r->org.id, &f, &mgr, &nmgr, &total);
	if (rc)
		return rc;
	json_t *approvers = json_array();
	bool current_listed = pol.second_approver_id == 0;
	for (size_t i = 0; i < nmgr; i++) {
		current_listed |= mgr[i].person_id == pol.second_approver_id;
		json_array_append_new(approvers,
		                      json_pack("{s:I, s:s, s:b}", "id", (json_int_t)mgr[i].person_id, "name",
		                                mgr[i].name, "selected", mgr[i].person_id == pol.second_approver_id));
	}
	struct member_row cur;
	if (!current_listed && member_get(ctx, r->org.id, pol.second_approver_id, &cur) == 0)
		json_array_append_new(approvers, json_pack("{s:I, s:s, s:b}", "id", (json_int_t)cur.person_id,
		                                           "name", cur.name, "selected", true));

	json_t *policy = json_pack(
	    "{s:o, s:o, s:b, s:s, s:s}", "approvals", appr, "approvers", approvers, "budgets",
	    policy_typed ? req_form(r, "budgetten") != NULL : pol.budgets, "remind_days",
	    policy_typed && req_form(r, "herinneren") ? req_form(r, "herinneren")
	                                             : arena_printf(r->arena, "%lld", (long long)pol.remind_days),
	    "expire_days",
	    policy_typed && req_form(r, "verlopen") ? req_form(r, "verlopen")
	                                           : arena_printf(r->arena, "%lld", (long long)pol.expire_days));
	json_object_set_new(policy, "no_second", json_boolean(pol.second_approver_id == 0));

	/* Group defaults of the year. */
	json_t *defaults = json_array();
	bool defaults_typed = actie && !strcmp(actie, "standaard") && err && err->defaults;
	for (size_t i = 0; i < sizeof groups / sizeof groups[0]; i++) {
		int64_t cents;
		bool set;
		rc = budget_default_get(ctx, r->org.id, year, groups[i].kind, &cents, &set);
		if (rc) {
			json_decref(policy);
			json_decref(defaults);
			return rc;
		}
		const char *typed = defaults_typed ? req_form(r, groups[i].field) : NULL;
		json_array_append_new(defaults, json_pack("{s:s, s:s, s:s}", "field", groups[i].field,
		                                          "label", req_tr(r, groups[i].label), "value",
		                                          typed ? typed : set ? amount_text(r, cents) : ""));
	}

	/* Everyone's account, searched and paged here (budget_list gives them all). */
	struct budget_row *rows, totals;
	size_t n;
	rc = budget_list(ctx, r->org.id, year, &rows, &n, &totals);
	if (rc) {
		json_decref(policy);
		json_decref(defaults);
		return rc;
	}
	unsigned page = 1;
	if (!post && page_param(r, &page)) {
		json_decref(policy);
		json_decref(defaults);
		return CAMPUS_EINVAL;
	}
	const char *q = post ? NULL : req_query(r, "q");
	json_t *people = json_array();
	size_t shown = 0, first = (size_t)(page - 1) * BUDGET_PER_PAGE;
	for (size_t i = 0; i < n; i++) {
		if (q && *q && !strcasestr(rows[i].name, q))
			continue;
		/* After a refused personal amount, the page shows that row first. */
		bool err_row = err && err->person && rows[i].person_id == err->person_id;
		if (err_row || (shown >= first && shown < first + BUDGET_PER_PAGE)) {
			const char *typed = err_row ? req_form(r, "bedrag") : NULL;
			json_t *o = json_pack(
			    "{s:I, s:s, s:s, s:s, s:s, s:s, s:s, s:b, s:s, s:b}", "id", (json_int_t)rows[i].person_id,
			    "name", rows[i].name, "kind", req_tr(r, membership_kind_label(rows[i].member_kind)),
			    "amount", euros(r, rows[i].amount_cents), "reserved", euros(r, rows[i].reserved_cents),
			    "spent", euros(r, rows[i].spent_cents), "left", euros(r, rows[i].left_cents), "personal",
			    rows[i].personal, "value", typed ? typed : amount_text(r, rows[i].amount_cents),
			    "has_error", err_row);
			if (err_row) {
				json_object_set_new(o, "error", json_string(err->person));
				json_array_insert_new(people, 0, o);
			} else {
				json_array_append_new(people, o);
			}
		}
		shown++;
	}

	json_t *years = json_array();
	int now_year = year_now(ctx);
	for (int y = now_year - 2; y <= now_year + 1; y++)
		json_array_append_new(years, json_pack("{s:i, s:b}", "year", y, "selected", y == year));
	if (year < now_year - 2 || year > now_year + 1)
		json_array_append_new(years, json_pack("{s:i, s:b}", "year", year, "selected", true));

	static const char *const keep[] = {"jaar", "q", NULL};
	json_t *data = json_pack(
	    "{s:s, s:s, s:o, s:o, s:o, s:o, s:i, s:s, s:[{s:s, s:s}, {s:s, s:s}, {s:s, s:s}]}",
	    "org_name", r->org.name, "org_slug", r->org.slug, "policy", policy, "defaults", defaults,
	    "people", people, "years", years, "year", year, "q", q ? q : "", "breadcrumb", "href",
	    "/mijn", "label", req_tr(r, "Mijn Campus"), "href",
	    arena_printf(r->arena, "/b/%s", r->org.slug), "label", r->org.name, "href",
	    arena_printf(r->arena, "/b/%s/team", r->org.slug), "label", req_tr(r, "Team"));
	json_object_set_new(data, "totals",
	                    json_pack("{s:s, s:s, s:s, s:s}", "amount", euros(r, totals.amount_cents),
	                              "reserved", euros(r, totals.reserved_cents), "spent",
	                              euros(r, totals.spent_cents), "left", euros(r, totals.left_cents)));
	json_object_set_new(data, "pager",
	                    pager_json(r, arena_printf(r->arena, "/b/%s/budgetten", r->org.slug), keep,
	                               page, BUDGET_PER_PAGE, (int64_t)shown));
	json_object_set_new(data, "count", json_integer((json_int_t)shown));
	if (err && err->policy)
		json_object_set_new(data, "policy_error", json_string(err->policy));
	if (err && err->defaults)
		json_object_set_new(data, "defaults_error", json_string(err->defaults));
	if (err && err->person_top)
		json_object_set_new(data, "person_error", json_string(err->person_top));
	if (err && (err->policy || err->defaults || err->person || err->person_top))
		json_object_set_new(data, "error", json_string(req_tr(r, "Er is niets gewijzigd.")));
	static const struct {
		const char *key, *msgid;
	} done[] = {{"beleid", N_("Het inschrijfbeleid is opgeslagen.")},
	            {"standaard", N_("De standaardbudgetten zijn opgeslagen.")},
	            {"persoon", N_("Het persoonlijke budget is opgeslagen.")}};
	const char *key = post ? NULL : req_query(r, "gedaan");
	for (size_t i = 0; key && i < sizeof done / sizeof done[0]; i++)
		if (!strcmp(key, done[i].key))
			json_object_set_new(data, "flash", json_string(req_tr(r, done[i].msgid)));
	return reply_page(r, status, "manager-budgetten", data);
}

/* The policy form -> enrol_policy_set. */
static int save_policy(struct req *r, struct ctx *ctx, const char **why)
{
	struct enrol_policy p = {0};
	const char *appr = req_form(r, "goedkeuring");
	for (size_t i = 0; appr && i < sizeof approvals / sizeof approvals[0]; i++)
		if (!strcmp(appr, approvals[i].key))
			p.approval = approvals[i].value;
	if (!p.approval) {
		*why = N_("Kies wanneer een inschrijving goedkeuring nodig heeft.");
		return CAMPUS_EINVAL;
	}
	const char *second = req_form(r, "tweede");
	if (second && *second && strcmp(second, "0")) {
		struct member_row m;
		if (!str_to_int64(second, strlen(second), &p.second_approver_id) ||
		    p.second_approver_id <= 0 ||
		    member_get(ctx, r->org.id, p.second_approver_id, &m) != 0) {
			*why = N_("De tweede beoordelaar moet een lid van uw organisatie zijn.");
			return CAMPUS_EINVAL;
		}
	}
	p.budgets = req_form(r, "budgetten") != NULL;
	/* The ranges are the domain's (enrol_policy_set says which). */
	if (!days_param(req_form(r, "herinneren"), &p.remind_days) ||
	    !days_param(req_form(r, "verlopen"), &p.expire_days)) {
		*why = N_("Vul het aantal dagen in als een heel getal.");
		return CAMPUS_EINVAL;
	}
	return enrol_policy_set(ctx, r->org.id, &p, why);
}

/* The group defaults form: each filled-in amount -> budget_set_default. All
 * amounts are checked before the first is saved. */
static int save_defaults(struct req *r, struct ctx *ctx, int year, const char **why)
{
	int64_t cents[sizeof groups / sizeof groups[0]];
	bool given[sizeof groups / sizeof groups[0]];
	bool any = false;
	for (size_t i = 0; i < sizeof groups / sizeof groups[0]; i++) {
		const char *text = req_form(r, groups[i].field);
		given[i] = text && *text;
		if (given[i] && !euros_parse(text, &cents[i])) {
			*why = N_("Schrijf het bedrag in euro, bijvoorbeeld 500 of 250,50.");
			return CAMPUS_EINVAL;
		}
		any |= given[i];
	}
	if (!any) {
		*why = N_("Vul ten minste één standaardbudget in.");
		return CAMPUS_EINVAL;
	}
	for (size_t i = 0; i < sizeof groups / sizeof groups[0]; i++)
		if (given[i]) {
			int rc = budget_set_default(ctx, r->org.id, year, groups[i].kind, cents[i], why);
			if (rc)
				return rc;
		}
	return 0;
}

static int save_person(struct req *r, struct ctx *ctx, int year, int64_t *person_id,
                       const char **why)
{
	const char *who = req_form(r, "persoon");
	const char *text = req_form(r, "bedrag");
	struct member_row m;
	if (!who || !str_to_int64(who, strlen(who), person_id) || *person_id <= 0 ||
	    member_get(ctx, r->org.id, *person_id, &m) != 0) {
		*person_id = 0;
		*why = N_("Kies een lid van uw organisatie.");
		return CAMPUS_EINVAL;
	}
	int64_t cents;
	if (!text || !*text || !euros_parse(text, &cents)) { /* euros_parse reads "" as 0 */
		*why = N_("Schrijf het bedrag in euro, bijvoorbeeld 500 of 250,50.");
		return CAMPUS_EINVAL;
	}
	return budget_set_person(ctx, r->org.id, *person_id, year, cents, why);
}

int page_manager_budgets(struct req *r)
{
	struct ctx ctx;
	req_ctx(r, &ctx);
	int year;
	bool post = r->method == HTTP_POST;
	if (!year_param(post ? req_form(r, "jaar") : req_query(r, "jaar"), year_now(&ctx), &year))
		return CAMPUS_EINVAL;
	if (!post)
		return render(r, &ctx, year, 200, NULL);
	const char *actie = req_form(r, "actie");
	const char *why = NULL;
	struct errors err = {0};
	int rc;
	if (actie && !strcmp(actie, "beleid")) {
		rc = save_policy(r, &ctx, &why);
		err.policy = why;
	} else if (actie && !strcmp(actie, "standaard")) {
		rc = save_defaults(r, &ctx, year, &why);
		err.defaults = why;
	} else if (actie && !strcmp(actie, "persoon")) {
		rc = save_person(r, &ctx, year, &err.person_id, &why);
		/* Someone who is not (or no longer) a member has no row to show it at. */
		if (err.person_id)
			err.person = why;
		else
			err.person_top = why;
	} else {
		return CAMPUS_EINVAL;
	}
	if (why) {
		err.policy = err.policy ? req_tr(r, err.policy) : NULL;
		err.defaults = err.defaults ? req_tr(r, err.defaults) : NULL;
		err.person = err.person ? req_tr(r, err.person) : NULL;
		err.person_top = err.person_top ? req_tr(r, err.person_top) : NULL;
		r->error = rc;
		return render(r, &ctx, year,
		              rc == CAMPUS_EINVAL || rc == 0 ? 422 : (unsigned)campus_err_status(rc), &err);
	}
	if (rc)
		return rc;
	return reply_redirect(r, arena_printf(r->arena, "/b/%s/budgetten?jaar=%d&gedaan=%s#%s",
	                                      r->org.slug, year, actie,
	                                      !strcmp(actie, "beleid") ? "beleid"
	                                      : !strcmp(actie, "standaard") ? "standaard" : "personen"));
}

/* One CSV cell: quoted, quotes doubled, and a leading = + - @ defused so a
 * spreadsheet does not run it as a formula (as the register's export). */
static void csv_cell(struct buf *b, const char *s, bool last)
{
	buf_putc(b, '"');
	if (*s == '=' || *s == '+' || *s == '-' || *s == '@')
		buf_putc(b, '\'');
	for (; *s; s++) {
		if (*s == '"')
			buf_putc(b, '"');
		buf_putc(b, *s);
	}
	buf_puts(b, last ? "\"\r\n" : "\";");
}

int page_manager_budgets_csv(struct req *r)
{
	struct ctx ctx;
	req_ctx(r, &ctx);
	int year;
	if (!year_param(req_query(r, "jaar"), year_now(&ctx), &year))
		return CAMPUS_EINVAL;
	struct budget_row *rows, totals;
	size_t n;
	int rc = budget_list(&ctx, r->org.id, year, &rows, &n, &totals);
	if (rc)
		return rc;
	struct buf b;
	buf_init(&b, r->arena, 16 * 1024 * 1024);
	const char *head[] = {req_tr(r, "Naam"),         req_tr(r, "Soort"),   req_tr(r, "Budget"),
	                      req_tr(r, "Gereserveerd"), req_tr(r, "Besteed"), req_tr(r, "Over"),
	                      req_tr(r, "Persoonlijk bedrag")};
	for (size_t i = 0; i < 7; i++)
		csv_cell(&b, head[i], i == 6);
	for (size_t i = 0; i < n; i++) {
		csv_cell(&b, rows[i].name, false);
		csv_cell(&b, req_tr(r, membership_kind_label(rows[i].member_kind)), false);
		csv_cell(&b, amount_text(r, rows[i].amount_cents), false);
		csv_cell(&b, amount_text(r, rows[i].reserved_cents), false);
		csv_cell(&b, amount_text(r, rows[i].spent_cents), false);
		csv_cell(&b, amount_text(r, rows[i].left_cents), false);
		csv_cell(&b, rows[i].personal ? req_tr(r, "ja") : req_tr(r, "nee"), true);
	}
	csv_cell(&b, req_tr(r, "Totaal"), false);
	csv_cell(&b, "", false);
	csv_cell(&b, amount_text(r, totals.amount_cents), false);
	csv_cell(&b, amount_text(r, totals.reserved_cents), false);
	csv_cell(&b, amount_text(r, totals.spent_cents), false);
	csv_cell(&b, amount_text(r, totals.left_cents), false);
	csv_cell(&b, "", true);
	if (b.overflow)
		return CAMPUS_ENOMEM;
	const char *disp = arena_printf(r->arena, "attachment; filename=\"budgetten-%s-%d.csv\"",
	                                r->org.slug, year);
	rc = req_add_header(r, "Content-Disposition", disp);
	return rc ? rc : reply_text(r, 200, "text/csv; charset=utf-8", b.data, b.len);
}
