/* The study dossier as an A4 PDF (view/pdf.h), in Dutch like the
 * certificates: what the dossier page shows, as tables that flow over as many
 * pages as the ledger needs. It renders a dossier already read (and limited)
 * by dossier_get, so it never shows more than the page. */
#include "domain/dossier.h"

#include <string.h>

#include "core/arena.h"
#include "core/buf.h"
#include "core/err.h"
#include "core/when.h"
#include "domain/catalog.h"
#include "domain/ctx.h"
#include "domain/mail.h"
#include "domain/people.h"
#include "view/pdf.h"

#define ACCENT "#00689e"

static const char *pts(struct ctx *ctx, int64_t tenths)
{
	char b[32];
	return arena_strdup(ctx->arena, tenths_format(tenths, b, sizeof b));
}

static const char *date(struct ctx *ctx, int64_t t)
{
	return t ? when_text(ctx->arena, t, "nl", WHEN_SHORT) : "";
}

static const char *orempty(const char *s) { return s ? s : ""; }

static void summary(struct ctx *ctx, struct pdf *p, const struct dossier *d)
{
	pdf_paragraph(p, "Open Sans Bold 11",
	              arena_printf(ctx->arena, "Punten dit jaar (%d): %s erkend%s%s", d->year,
	                           pts(ctx, d->year_pe_tenths), d->year_study_tenths ? ", overig " : "",
	                           d->year_study_tenths ? pts(ctx, d->year_study_tenths) : ""));
	pdf_paragraph(p, "Open Sans Bold 11",
	              arena_printf(ctx->arena, "Punten in totaal: %s erkend%s%s",
	                           pts(ctx, d->total_pe_tenths), d->total_study_tenths ? ", overig " : "",
	                           d->total_study_tenths ? pts(ctx, d->total_study_tenths) : ""));
	for (size_t i = 0; i < d->nnorms; i++) {
		const struct norm_status *n = &d->norms[i];
		struct org o;
		const char *org = org_get(ctx, n->org_id, &o) == 0 ? o.name : "";
		pdf_paragraph(p, NULL,
		              n->state == NORM_NONE
		                  ? arena_printf(ctx->arena, "%s: %s", org, norm_state_label(n->state))
		                  : arena_printf(ctx->arena, "Norm %d, %s (%s): %s van %s punten, %s", n->year,
		                                 org, n->mandatory ? "verplicht" : "advies",
		                                 pts(ctx, n->earned_tenths), pts(ctx, n->required_tenths),
		                                 norm_state_label(n->state)));
	}
}

static void years_and_domains(struct ctx *ctx, struct pdf *p, const struct dossier *d)
{
	pdf_heading(p, 2, ACCENT, "Punten per jaar");
	if (!d->nyears) {
		pdf_paragraph(p, NULL, "Nog geen punten.");
		return;
	}
	static const struct pdf_col yc[] = {
	    {0.4, PDF_LEFT, false}, {0.3, PDF_RIGHT, false}, {0.3, PDF_RIGHT, false}};
	pdf_table_row(p, yc, 3, (const char *const[]){"Jaar", "Erkend (PE)", "Overig leren"}, true);
	for (size_t i = 0; i < d->nyears; i++)
		pdf_table_row(p, yc, 3,
		              (const char *const[]){arena_printf(ctx->arena, "%d", d->years[i].year),
		                                    pts(ctx, d->years[i].pe_tenths),
		                                    pts(ctx, d->years[i].study_tenths)},
		              false);
	if (!d->ndomains)
		return;
	pdf_heading(p, 2, ACCENT, "Erkende punten per domein");
	static const struct pdf_col dc[] = {{0.7, PDF_LEFT, false}, {0.3, PDF_RIGHT, false}};
	pdf_table_row(p, dc, 2, (const char *const[]){"Domein", "Punten"}, true);
	for (size_t i = 0; i < d->ndomains; i++)
		pdf_table_row(p, dc, 2,
		              (const char *const[]){orempty(d->domains[i].name),
		                                    pts(ctx, d->domains[i].pe_tenths)},
		              false);
}

/* Every ledger row: "waarom heb ik deze punten". */
static void ledger(struct ctx *ctx, struct pdf *p, const struct dossier *d)
{
	pdf_heading(p, 2, ACCENT, "Alle puntenregels");
	if (!d->nrows) {
		pdf_paragraph(p, NULL, "Nog geen punten.");
		return;
	}
	static const struct pdf_col c[] = {{0.16, PDF_LEFT, false},
	                                   {0.58, PDF_LEFT, false},
	                                   {0.14, PDF_LEFT, false},
	                                   {0.12, PDF_RIGHT, false}};
	pdf_table_row(p, c, 4, (const char *const[]){"Behaald", "Wat", "Soort", "Punten"}, true);
	for (size_t i = 0; i < d->nrows; i++) {
		const struct points_row *r = &d->rows[i];
		struct buf what;
		buf_init(&what, ctx->arena, 4096);
		buf_printf(&what, "%s\nGeregistreerd %s door %s, via %s", orempty(r->title),
		           date(ctx, r->registered_at),
		           r->registered_by_name && *r->registered_by_name ? r->registered_by_name
		                                                           : "Campus (automatisch)",
		           dossier_source_label(r->source));
		if (r->reverses_id)
			buf_printf(&what, "\nCorrectie: %s", orempty(r->reason));
		if (r->reversed_by_id)
			buf_puts(&what, "\nTeruggedraaid (zie de correctie)");
		pdf_table_row(p, c, 4,
		              (const char *const[]){date(ctx, r->earned_at), buf_cstr(&what),
		                                    r->kind == POINTS_PE ? "erkend" : "overig",
		                                    pts(ctx, r->points_tenths)},
		              false);
	}
}

static void modules(struct ctx *ctx, struct pdf *p, const struct dossier *d)
{
	pdf_heading(p, 2, ACCENT, "Gevolgde modules");
	if (!d->ncompletions) {
		pdf_paragraph(p, NULL, "Nog geen afgeronde modules.");
		return;
	}
	static const struct pdf_col c[] = {{0.16, PDF_LEFT, false},
	                                   {0.46, PDF_LEFT, false},
	                                   {0.26, PDF_LEFT, false},
	                                   {0.12, PDF_RIGHT, false}};
	pdf_table_row(p, c, 4, (const char *const[]){"Afgerond", "Module", "Aanbieder", "Punten"}, true);
	for (size_t i = 0; i < d->ncompletions; i++) {
		const struct completion *m = &d->completions[i];
		pdf_table_row(p, c, 4,
		              (const char *const[]){date(ctx, m->completed_at), orempty(m->title),
		                                    orempty(m->provider_name),
		                                    pts(ctx, m->points_tenths)},
		              false);
	}
}

static void credentials(struct ctx *ctx, struct pdf *p, const struct dossier *d)
{
	pdf_heading(p, 2, ACCENT, "Certificaten en diploma's");
	if (!d->ncredentials) {
		pdf_paragraph(p, NULL, "Nog geen certificaten of diploma's.");
		return;
	}
	/* The code column holds the widest code on one line ("WWWW-MMMM-..."),
	 * in the code face so that it copies without gaps. */
	static const struct pdf_col c[] = {{.share = 0.13, .align = PDF_LEFT},
	                                   {.share = 0.33, .align = PDF_LEFT},
	                                   {.share = 0.18, .align = PDF_LEFT},
	                                   {.share = 0.36, .align = PDF_LEFT, .code = true}};
	pdf_table_row(p, c, 4, (const char *const[]){"Soort", "Titel", "Datum", "Code"}, true);
	for (size_t i = 0; i < d->ncredentials; i++) {
		const struct credential *cr = &d->credentials[i];
		char code[CREDENTIAL_CODE_LEN + 4];
		credential_code_display(cr->code, code);
		const char *title = cr->revoked_at
		                        ? arena_printf(ctx->arena, "%s (ingetrokken: %s)", orempty(cr->title),
		                                       orempty(cr->revoke_reason))
		                        : orempty(cr->title);
		pdf_table_row(p, c, 4,
		              (const char *const[]){cr->kind == CREDENTIAL_DIPLOMA ? "Diploma" : "Certificaat",
		                                    title, date(ctx, cr->achieved_at),
		                                    arena_strdup(ctx->arena, code)},
		              false);
	}
	pdf_paragraph(p, "Open Sans 9",
	              arena_printf(ctx->arena, "Controleer een certificaat of diploma met zijn code op %s/verify.",
	                           mail_base_url()));
}

static void diplomas(struct ctx *ctx, struct pdf *p, const struct dossier *d)
{
	if (!d->ndiplomas)
		return;
	pdf_heading(p, 2, ACCENT, "Op weg naar een diploma");
	for (size_t i = 0; i < d->ndiplomas; i++) {
		const struct diploma_progress *g = &d->diplomas[i];
		pdf_paragraph(p, "Open Sans Bold 10",
		              g->met ? arena_printf(ctx->arena, "%s: behaald", orempty(g->name))
		                     : arena_printf(ctx->arena, "%s: %s van %s punten", orempty(g->name),
		                                    pts(ctx, g->points_tenths),
		                                    pts(ctx, g->min_points_tenths)));
		for (size_t k = 0; k < g->ndomains; k++)
			pdf_paragraph(p, NULL,
			              arena_printf(ctx->arena, "%s: %s van %s", orempty(g->domains[k].name),
			                           pts(ctx, g->domains[k].points_tenths),
			                           pts(ctx, g->domains[k].min_points_tenths)));
		for (size_t k = 0; k < g->nmodules; k++)
			pdf_paragraph(p, NULL,
			              arena_printf(ctx->arena, "%s: %s", orempty(g->modules[k].title),
			                           g->modules[k].done ? "gevolgd" : "nog te volgen"));
	}
}

int dossier_pdf(struct ctx *ctx, const struct dossier *d, struct buf *out)
{
	const char *title = arena_printf(ctx->arena, "Studiedossier %s", orempty(d->name));
	if (!title)
		return CAMPUS_ENOMEM;
	struct pdf_meta meta = {.title = title, .author = "Campus", .subject = "Studiedossier",
	                        .created_at = ctx->now()};
	struct pdf *p = pdf_open(PDF_PORTRAIT, &meta, out);
	if (!p)
		return CAMPUS_ENOMEM;
	pdf_heading(p, 1, ACCENT, title);
	pdf_paragraph(p, NULL,
	              arena_printf(ctx->arena, "%s · opgemaakt op %s", orempty(d->email),
	                           date(ctx, ctx->now())));
	if (!d->whole)
		pdf_paragraph(p, "Open Sans Italic 10",
		              arena_printf(ctx->arena, "Alleen wat geleerd is van %s%s%s.",
		                           date(ctx, d->since), d->until != INT64_MAX ? " tot " : "",
		                           d->until != INT64_MAX ? date(ctx, d->until) : ""));
	pdf_space(p, 6);
	summary(ctx, p, d);
	years_and_domains(ctx, p, d);
	ledger(ctx, p, d);
	modules(ctx, p, d);
	credentials(ctx, p, d);
	diplomas(ctx, p, d);
	return pdf_close(p);
}
