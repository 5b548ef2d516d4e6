/* Self-reported learning and EVC (R21): the learner's list, form, claim
 * page, evidence downloads and withdrawal; the library manager's inbox and
 * decision page for external learning; the committee's for EVC. The rules
 * are in domain/claim.h; here only form reading and pages. */
#include <stdio.h>
#include <string.h>

#include "core/arena.h"
#include "core/err.h"
#include "core/str.h"
#include "core/when.h"
#include "domain/catalog.h"
#include "domain/claim.h"
#include "domain/people.h"
#include "domain/progress.h"
#include "domain/taxonomy.h"
#include "http/req.h"
#include "web/web.h"

#define DECIDED_SHOWN 30

static const char *day_text(struct req *r, int64_t t) { return req_when(r, t, WHEN_DATE); }

/* 125 -> "12,5", as every page writes points (tenths_format). */
static const char *size_text(struct req *r, int64_t bytes)
{
	const char *s = bytes >= 1024 * 1024
	                    ? arena_printf(r->arena, "%s MB", tenths_text(r, bytes * 10 / (1024 * 1024)))
	                    : arena_printf(r->arena, "%lld kB", (long long)((bytes + 1023) / 1024));
	return s ? s : "";
}

static const char *type_label(const char *type)
{
	return !strcmp(type, "application/pdf") ? "PDF" : !strcmp(type, "image/png") ? "PNG" : "JPEG";
}

static const char *kind_label(enum claim_kind k)
{
	return k == CLAIM_EVC ? N_("EVC: erkenning van eerder verworven competenties")
	                      : N_("Externe scholing");
}

static json_t *claim_json(struct req *r, const struct claim *c)
{
	json_t *o = json_pack(
	    "{s:I, s:s, s:s, s:b, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:b, s:b, s:b, s:b}",
	    "id", (json_int_t)c->id, "title", c->title, "kind", req_tr(r, kind_label(c->kind)), "evc",
	    c->kind == CLAIM_EVC, "provider", c->provider_name, "description", c->description, "hours",
	    tenths_text(r, c->hours_tenths), "domain", c->domain_name, "learned_on",
	    day_text(r, c->learned_at), "state", req_tr(r, claim_state_label(c->state)), "submitted_on",
	    day_text(r, c->created_at), "person_name", c->person_name, "org_name", c->org_name,
	    "decided_on", day_text(r, c->decided_at), "waiting", !strcmp(c->state, "submitted"),
	    "approved", !strcmp(c->state, "approved"), "refused", !strcmp(c->state, "refused"),
	    "withdrawn", !strcmp(c->state, "withdrawn"));
	if (!o)
		return json_object();
	if (c->points_tenths >= 0)
		json_object_set_new(o, "points", json_string(tenths_text(r, c->points_tenths)));
	if (c->reason[0])
		json_object_set_new(o, "reason", json_string(c->reason));
	if (c->decided_by_name[0])
		json_object_set_new(o, "decided_by", json_string(c->decided_by_name));
	json_t *files = json_array();
	for (size_t i = 0; i < c->nfiles; i++) {
		const struct claim_file_info *f = &c->files[i];
		const char *href = arena_printf(r->arena, "/mijn/scholing/%lld/bestanden/%lld",
		                                (long long)c->id, (long long)f->id);
		json_array_append_new(files, json_pack("{s:s, s:s, s:s, s:s}", "name", f->name, "type",
		                                       type_label(f->content_type), "size",
		                                       size_text(r, f->size), "href", href ? href : ""));
	}
	json_object_set_new(o, "files", files);
	return o;
}

static json_t *claims_json(struct req *r, const struct claim *rows, size_t n, bool waiting)
{
	json_t *list = json_array();
	for (size_t i = 0; i < n; i++)
		if (!strcmp(rows[i].state, "submitted") == waiting)
			json_array_append_new(list, claim_json(r, &rows[i]));
	return list;
}

static json_t *crumbs(struct req *r, const char *href2, const char *label2)
{
	json_t *b = json_pack("[{s:s, s:s}]", "href", "/mijn", "label", req_tr(r, "Mijn Campus"));
	if (href2)
		json_array_append_new(b, json_pack("{s:s, s:s}", "href", href2, "label", label2));
	return b;
}

static unsigned why_status(int rc)
{
	return rc == CAMPUS_EFORBIDDEN ? 403
	       : rc == CAMPUS_ECONFLICT ? 409
	       : rc == CAMPUS_ENOTFOUND ? 404
	       : rc == CAMPUS_ETOOBIG   ? 413
	                                : 422;
}

/* ---- the learner ---- */

int page_claims(struct req *r)
{
	struct ctx ctx;
	req_ctx(r, &ctx);
	struct claim *rows;
	size_t n;
	int rc = claim_list_mine(&ctx, &rows, &n);
	if (rc)
		return rc;
	json_t *data = json_pack("{s:o, s:o, s:b, s:o}", "open_list", claims_json(r, rows, n, true),
	                         "done", claims_json(r, rows, n, false), "nothing", n == 0,
	                         "breadcrumb", crumbs(r, NULL, NULL));
	return reply_page(r, 200, "mijn-scholing", data);
}

static json_t *domain_choices(struct req *r, struct ctx *ctx, int64_t chosen)
{
	json_t *list = json_array();
	struct tax_entry *all;
	size_t n;
	if (taxonomy_list(ctx, false, &all, &n) != 0)
		return list;
	for (size_t i = 0; i < n; i++)
		if (all[i].kind == TAX_DOMAIN)
			json_array_append_new(list, json_pack("{s:I, s:s, s:b}", "id", (json_int_t)all[i].id,
			                                      "name", all[i].name, "selected",
			                                      all[i].id == chosen));
	(void)r;
	return list;
}

static const char *form_or_empty(struct req *r, const char *name)
{
	const char *v = req_form(r, name);
	return v ? v : "";
}

static int render_new(struct req *r, struct ctx *ctx, enum claim_kind kind, unsigned status,
                      const char *error)
{
	const char *dom = req_form(r, "domein");
	int64_t chosen = 0;
	if (dom && *dom && !str_to_int64(dom, strlen(dom), &chosen))
		chosen = 0;
	struct when_local today;
	when_to_local(ctx->now(), &today);
	const char *max_date =
	    arena_printf(r->arena, "%04d-%02d-%02d", today.year, today.month, today.day);
	json_t *data = json_pack(
	    "{s:b, s:s, s:s, s:s, s:s, s:s, s:s, s:o, s:i, s:s, s:o}", "evc", kind == CLAIM_EVC, "title",
	    form_or_empty(r, "titel"), "provider", form_or_empty(r, "aanbieder"), "description",
	    form_or_empty(r, "beschrijving"), "hours", form_or_empty(r, "uren"), "date",
	    form_or_empty(r, "datum"), "max_date", max_date ? max_date : "", "domains",
	    domain_choices(r, ctx, chosen), "files_max", CLAIM_FILES_MAX, "org_name", "",
	    "breadcrumb", crumbs(r, "/mijn/scholing", req_tr(r, "Scholing en EVC")));
	/* For the library the person works in now; elsewhere the form says so. */
	struct org o;
	if (r->actor.org_id && org_get(ctx, r->actor.org_id, &o) == 0 && !strcmp(o.kind, "library"))
		json_object_set_new(data, "org_name", json_string(o.name));
	else
		json_object_set_new(data, "no_library", json_true());
	if (error) {
		json_object_set_new(data, "error", json_string(error));
		if (r->method == HTTP_POST)
			json_object_set_new(data, "files_again", json_true());
	}
	return reply_page(r, status, "mijn-scholing-nieuw", data);
}

/* The chosen evidence files (field "bestanden", repeated or `multiple`),
 * read into the arena. A file over the cap is refused here, before its bytes
 * are read: *bad names it. */
static int form_files(struct req *r, struct claim_file_in **out, size_t *n, const char **bad,
                      const char **why)
{
	*out = NULL;
	*n = 0;
	*bad = NULL;
	*why = NULL;
	size_t count = 0;
	for (const struct form_field *f = r->form.first; f; f = f->next)
		if (!strcmp(f->name, "bestanden") && f->tmp_path && f->size > 0)
			count++;
	if (count == 0)
		return 0;
	if (count > CLAIM_FILES_MAX) {
		*why = N_("Voeg ten hoogste 5 bestanden toe.");
		return CAMPUS_EINVAL;
	}
	struct claim_file_in *files = arena_zalloc(r->arena, count * sizeof *files);
	if (!files)
		return CAMPUS_ENOMEM;
	for (const struct form_field *f = r->form.first; f; f = f->next) {
		if (strcmp(f->name, "bestanden") != 0 || !f->tmp_path || f->size == 0)
			continue;
		if (f->size > CLAIM_FILE_MAX_BYTES) {
			*bad = f->filename;
			*why = N_("Dit bestand is groter dan 5 MB.");
			return CAMPUS_ETOOBIG;
		}
		unsigned char *bytes = arena_alloc(r->arena, f->size);
		FILE *fp = fopen(f->tmp_path, "rb");
		if (!fp || !bytes) {
			if (fp)
				fclose(fp);
			return fp ? CAMPUS_ENOMEM : CAMPUS_EIO;
		}
		size_t got = fread(bytes, 1, f->size, fp);
		fclose(fp);
		if (got != f->size)
			return CAMPUS_EIO;
		files[*n] = (struct claim_file_in){f->filename, bytes, got};
		(*n)++;
	}
	*out = files;
	return 0;
}

int page_claim_new(struct req *r)
{
	struct ctx ctx;
	req_ctx(r, &ctx);
	enum claim_kind kind = CLAIM_EXTERNAL;
	const char *soort = r->method == HTTP_POST ? req_form(r, "soort") : req_query(r, "soort");
	if (soort && *soort && !claim_kind_parse(soort, &kind)) {
		if (r->method != HTTP_POST)
			kind = CLAIM_EXTERNAL;
		else
			return render_new(r, &ctx, kind, 422, req_tr(r, "Kies externe scholing of EVC."));
	}
	if (r->method != HTTP_POST)
		return render_new(r, &ctx, kind, 200, NULL);

	struct claim_in in = {.kind = kind,
	                      .title = req_form(r, "titel"),
	                      .provider_name = req_form(r, "aanbieder"),
	                      .description = req_form(r, "beschrijving")};
	const char *why = NULL, *bad = NULL;
	int rc = 0;
	const char *hours = req_form(r, "uren");
	const char *date = req_form(r, "datum");
	const char *dom = req_form(r, "domein");
	int y, m, d;
	if (!hours || !*hours || !tenths_parse(hours, &in.hours_tenths)) {
		why = N_("Vul het aantal uren in: meer dan 0 en ten hoogste 1000.");
		rc = CAMPUS_EINVAL;
	} else if (!date || !when_parse_date(date, &y, &m, &d) ||
	           !when_from_local(y, m, d, 0, 0, &in.learned_at)) {
		why = N_("Vul de datum in waarop de scholing afliep, bijvoorbeeld 2026-03-14.");
		rc = CAMPUS_EINVAL;
	} else if (dom && *dom && (!str_to_int64(dom, strlen(dom), &in.domain_id) || in.domain_id <= 0)) {
		why = N_("Kies een domein uit de lijst.");
		rc = CAMPUS_EINVAL;
	}
	struct claim_file_in *files = NULL;
	if (!rc) {
		rc = form_files(r, &files, &in.nfiles, &bad, &why);
		in.files = files;
		if (rc && !why)
			return rc;
	}
	int64_t id = 0;
	if (!rc) {
		int bad_file = -1;
		rc = claim_submit(&ctx, &in, &id, &bad_file, &why);
		if (rc && !why)
			return rc;
		if (bad_file >= 0)
			bad = files[bad_file].name;
	}
	if (rc) {
		r->error = rc;
		const char *msg = req_tr(r, why);
		if (bad)
			msg = arena_printf(r->arena, "%s: %s", bad[0] ? bad : "?", msg);
		return render_new(r, &ctx, kind, why_status(rc), msg);
	}
	req_flash(r, "scholing_ingediend");
	const char *to = arena_printf(r->arena, "/mijn/scholing/%lld", (long long)id);
	return to ? reply_redirect(r, to) : CAMPUS_ENOMEM;
}

/* The actor's own claim named by :id; anyone else's is CAMPUS_ENOTFOUND
 * (deciders have their own pages). */
static int own_claim(struct req *r, struct ctx *ctx, struct claim *c)
{
	int64_t id;
	int rc = path_id(r, "id", &id);
	if (!rc)
		rc = claim_get(ctx, id, c);
	if (!rc && c->person_id != r->actor.person_id)
		rc = CAMPUS_ENOTFOUND;
	return rc;
}

static int render_claim(struct req *r, const struct claim *c, unsigned status, const char *error)
{
	json_t *data = json_pack("{s:o, s:o}", "claim", claim_json(r, c), "breadcrumb",
	                         crumbs(r, "/mijn/scholing", req_tr(r, "Scholing en EVC")));
	if (error)
		json_object_set_new(data, "error", json_string(error));
	return reply_page(r, status, "mijn-scholing-melding", data);
}

int page_claim(struct req *r)
{
	struct ctx ctx;
	req_ctx(r, &ctx);
	struct claim c;
	int rc = own_claim(r, &ctx, &c);
	return rc ? rc : render_claim(r, &c, 200, NULL);
}

int page_claim_withdraw(struct req *r)
{
	struct ctx ctx;
	req_ctx(r, &ctx);
	struct claim c;
	int rc = own_claim(r, &ctx, &c);
	if (rc)
		return rc;
	const char *why;
	rc = claim_withdraw(&ctx, c.id, &why);
	if (rc && why) {
		r->error = rc;
		return render_claim(r, &c, why_status(rc), req_tr(r, why));
	}
	if (rc)
		return rc;
	req_flash(r, "scholing_ingetrokken");
	return reply_redirect(r, "/mijn/scholing");
}

/* A file's name for Content-Disposition: the stored name is sanitised
 * already (letters, digits, '.', '-', '_'), so it needs no quoting. */
int page_claim_file(struct req *r)
{
	struct ctx ctx;
	req_ctx(r, &ctx);
	int64_t id, fid;
	int rc = path_id(r, "id", &id);
	if (!rc)
		rc = path_id(r, "fid", &fid);
	struct claim_file_info info;
	const unsigned char *data = NULL;
	if (!rc)
		rc = claim_file(&ctx, id, fid, &info, &data);
	if (rc)
		return rc;
	const char *disp = arena_printf(r->arena, "attachment; filename=\"%s\"", info.name);
	rc = disp ? req_add_header(r, "Content-Disposition", disp) : CAMPUS_ENOMEM;
	return rc ? rc : reply_text(r, 200, info.content_type, (const char *)data, (size_t)info.size);
}

/* ---- deciders: a library's managers (external), the committee (EVC) ---- */

struct place {
	enum claim_kind kind;
	const char *base;  /* "/b/<slug>/scholing" or "/commissie/evc" */
	json_t *crumbs;
};

static struct place place_of(struct req *r, enum claim_kind kind)
{
	struct place p = {.kind = kind};
	if (kind == CLAIM_EVC) {
		p.base = "/commissie/evc";
		p.crumbs = crumbs(r, "/commissie", req_tr(r, "Toetsingscommissie"));
	} else {
		p.base = arena_printf(r->arena, "/b/%s/scholing", r->org.slug);
		p.crumbs = crumbs(r, NULL, NULL);
	}
	return p;
}

static int render_inbox(struct req *r, enum claim_kind kind)
{
	struct ctx ctx;
	req_ctx(r, &ctx);
	struct claim *rows;
	size_t n;
	int rc = claim_inbox(&ctx, kind, kind == CLAIM_EVC ? 0 : r->org.id, DECIDED_SHOWN, &rows, &n);
	if (rc)
		return rc;
	struct place p = place_of(r, kind);
	json_t *waiting = claims_json(r, rows, n, true);
	json_t *data = json_pack("{s:b, s:s, s:s, s:o, s:o, s:I, s:o}", "evc", kind == CLAIM_EVC,
	                         "org_name", r->org.name ? r->org.name : "", "base", p.base ? p.base : "",
	                         "open_list", waiting, "decided", claims_json(r, rows, n, false), "count",
	                         (json_int_t)json_array_size(waiting), "breadcrumb", p.crumbs);
	return reply_page(r, 200, "scholing-inbox", data);
}

int page_manager_claims(struct req *r) { return render_inbox(r, CLAIM_EXTERNAL); }
int page_committee_claims(struct req *r) { return render_inbox(r, CLAIM_EVC); }

static int render_decision(struct req *r, const struct place *p, const struct claim *c,
                           unsigned status, const char *error)
{
	json_t *crumb = p->crumbs;
	json_array_append_new(crumb, json_pack("{s:s, s:s}", "href", p->base, "label",
	                                       req_tr(r, p->kind == CLAIM_EVC ? "EVC-aanvragen"
	                                                                      : "Gemelde scholing")));
	const char *points = req_form(r, "punten");
	json_t *data = json_pack("{s:o, s:b, s:s, s:s, s:s, s:I, s:o}", "claim", claim_json(r, c), "evc",
	                         p->kind == CLAIM_EVC, "base", p->base, "points",
	                         points ? points : tenths_text(r, c->hours_tenths), "reason",
	                         form_or_empty(r, "reden"), "points_max",
	                         (json_int_t)(PROGRESS_POINTS_MAX_TENTHS / 10), "breadcrumb", crumb);
	if (error)
		json_object_set_new(data, "error", json_string(error));
	return reply_page(r, status, "scholing-besluit", data);
}

static int decision_page(struct req *r, enum claim_kind kind)
{
	struct ctx ctx;
	req_ctx(r, &ctx);
	int64_t id;
	struct claim c;
	int rc = path_id(r, "id", &id);
	if (!rc)
		rc = claim_get(&ctx, id, &c);
	/* Only this place's claims: another library's, or the other kind, is not here. */
	if (!rc && (c.kind != kind || (kind == CLAIM_EXTERNAL && c.org_id != r->org.id) ||
	            !claim_may_decide(&ctx, &c)))
		rc = CAMPUS_ENOTFOUND;
	if (rc)
		return rc;
	struct place p = place_of(r, kind);
	if (!p.base)
		return CAMPUS_ENOMEM;
	if (r->method != HTTP_POST)
		return render_decision(r, &p, &c, 200, NULL);
	const char *besluit = req_form(r, "besluit");
	bool approve = besluit && !strcmp(besluit, "goedkeuren");
	const char *why = NULL;
	int64_t points = 0;
	if (!besluit || (!approve && strcmp(besluit, "afwijzen") != 0)) {
		why = N_("Kies goedkeuren of afwijzen.");
		rc = CAMPUS_EINVAL;
	} else if (approve && !tenths_parse(req_form(r, "punten"), &points)) {
		why = N_("Vul het aantal punten in: meer dan 0 en ten hoogste 1000.");
		rc = CAMPUS_EINVAL;
	} else {
		rc = claim_decide(&ctx, c.id, approve, points, approve ? NULL : req_form(r, "reden"), &why);
		if (rc && !why)
			return rc;
	}
	if (rc) {
		r->error = rc;
		/* Show the claim as it is now (someone may have decided meanwhile). */
		struct claim now;
		if (claim_get(&ctx, c.id, &now) == 0)
			c = now;
		return render_decision(r, &p, &c, why_status(rc), req_tr(r, why));
	}
	req_flash(r, "scholing_besloten");
	return reply_redirect(r, p.base);
}

int page_manager_claim(struct req *r) { return decision_page(r, CLAIM_EXTERNAL); }
int page_committee_claim(struct req *r) { return decision_page(r, CLAIM_EVC); }
