/* The PDF of a certificate or diploma (credential.h): A4 landscape in the
 * library's colour with its logo, drawn with view/pdf.h. Everything on it
 * comes from the credential row (and the organisation's logo), and the PDF's
 * creation date is issued_at, so one row always gives the same bytes. */
#include "domain/credential.h"
#include "domain/credential_doc.h"

#include <stdio.h>
#include <string.h>

#include "core/arena.h"
#include "core/buf.h"
#include "core/err.h"
#include "core/when.h"
#include "db/db.h"
#include "domain/catalog.h"
#include "domain/ctx.h"
#include "domain/mail.h"
#include "view/pdf.h"

#define SECTOR_COLOR "#00689e" /* the sector's colour when a library has none */
#define INK "#1a1a1a"
#define MUTED "#4d4d4d"
#define REVOKED "#b30000"

void credential_points_text(int64_t tenths, char out[32])
{
	char n[24];
	tenths_format(tenths, n, sizeof n);
	/* Dutch counts up to (not including) two in the singular: "1,5 punt". */
	snprintf(out, 32, "%s %s", n, tenths < 20 && tenths > -20 ? "punt" : "punten");
}

DB_STMT(stmt_cpdf_logo,
        "SELECT logo FROM organisations WHERE id = $1 AND logo IS NOT NULL AND logo_type = 'image/png'");

/* The organisation's logo when it is a PNG; NULL otherwise (then its name). */
static const void *org_logo_png(struct ctx *ctx, int64_t org_id, size_t *len)
{
	void *data = NULL;
	*len = 0;
	if (!org_id || db_query_row(ctx->db, &stmt_cpdf_logo,
	                            (const struct db_param[]){DBP_INT(org_id), DBP_END},
	                            (const struct db_col[]){DBC_BLOB(&data, len), DBC_END}, ctx->arena))
		return NULL;
	return data;
}

/* The lines a diploma lists, as a table on the pages after the first. */
static void diploma_lines(struct ctx *ctx, struct pdf *d, const struct credential *c,
                          const char *color)
{
	pdf_page(d);
	pdf_rect(d, 0, 0, 14, pdf_height(d), color);
	pdf_heading(d, 2, color, "Gevolgde modules");
	static const struct pdf_col cols[] = {
	    {0.64, PDF_LEFT, false}, {0.18, PDF_RIGHT, false}, {0.18, PDF_RIGHT, false}};
	const char *head[] = {"Module", "Punten", "Afgerond op"};
	pdf_table_row(d, cols, 3, head, true);
	for (size_t i = 0; i < c->nlines; i++) {
		char pts[32];
		tenths_format(c->lines[i].points_tenths, pts, sizeof pts);
		const char *date = when_text(ctx->arena, c->lines[i].completed_at, "nl", WHEN_LONG_DATE);
		const char *row[] = {c->lines[i].title, pts, date};
		pdf_table_row(d, cols, 3, row, false);
	}
	char total[32];
	credential_points_text(c->points_tenths, total);
	const char *sum[] = {"Totaal", total, ""};
	pdf_table_row(d, cols, 3, sum, true);
}

int credential_pdf(struct ctx *ctx, const struct credential *c, struct buf *out)
{
	bool diploma = c->kind == CREDENTIAL_DIPLOMA;
	const char *color = c->org_brand_color;
	double r, g, b;
	if (!pdf_parse_color(color, &r, &g, &b))
		color = SECTOR_COLOR;
	char code[CREDENTIAL_CODE_LEN + 4], pts[32];
	credential_code_display(c->code, code);
	credential_points_text(c->points_tenths, pts);
	const char *achieved = when_text(ctx->arena, c->achieved_at, "nl", WHEN_LONG_DATE);
	const char *issued = when_text(ctx->arena, c->issued_at, "nl", WHEN_LONG_DATE);
	const char *url = arena_printf(ctx->arena, "%s/verify/%s", mail_base_url(), code);
	const char *title = arena_printf(ctx->arena, "%s %s – %s", diploma ? "Diploma" : "Certificaat",
	                                 c->title, c->holder_name);
	size_t logo_len;
	const void *logo = org_logo_png(ctx, c->org_id, &logo_len);
	if (!url || !title)
		return CAMPUS_ENOMEM;

	struct pdf_meta meta = {.title = title, .author = c->org_name ? c->org_name : "Campus",
	                        .subject = diploma ? "Diploma" : "Certificaat",
	                        .keywords = code, .created_at = c->issued_at};
	struct pdf *d = pdf_open(PDF_LANDSCAPE, &meta, out);
	if (!d)
		return CAMPUS_ENOMEM;
	double w = pdf_width(d), h = pdf_height(d);
	const double left = 72, right = w - 64, cw = right - left;
	pdf_margins(d, 56, 64, 56, 72);

	/* The library's colour down the left edge, its logo (or name) top left. */
	pdf_rect(d, 0, 0, 14, h, color);
	double lw = 0, lh = 0;
	if (!logo || pdf_png(d, left, 40, 190, 54, PDF_LEFT, logo, logo_len, &lw, &lh))
		pdf_text_at(d, left, 48, 360, PDF_FONT " Bold 15", color, PDF_LEFT,
		            c->org_name ? c->org_name : "Campus");
	pdf_text_at(d, right, 44, 0, PDF_FONT " Bold 11", INK, PDF_RIGHT, "Campus");
	pdf_text_at(d, right, 60, 0, PDF_FONT " 8.5", MUTED, PDF_RIGHT,
	            "Leerplatform van de openbare bibliotheken");

	if (c->revoked_at) {
		const char *when = when_text(ctx->arena, c->revoked_at, "nl", WHEN_LONG_DATE);
		const char *text = arena_printf(ctx->arena, "INGETROKKEN op %s", when);
		pdf_rect(d, left, 104, cw, 26, REVOKED);
		pdf_text_at(d, left, 109, cw, PDF_FONT " Bold 12", "#ffffff", PDF_CENTER,
		            text ? text : "INGETROKKEN");
	}

	double y = 140;
	y += pdf_text_at(d, left, y, cw, PDF_FONT " Bold 13", color, PDF_CENTER,
	                 diploma ? "D I P L O M A" : "C E R T I F I C A A T");
	y += 14;
	y += pdf_text_at(d, left, y, cw, PDF_FONT " 12", MUTED, PDF_CENTER, "Hierbij verklaren wij dat");
	y += 6;
	y += pdf_text_at(d, left, y, cw, PDF_FONT " Bold 30", INK, PDF_CENTER, c->holder_name);
	y += 6;
	y += pdf_text_at(d, left, y, cw, PDF_FONT " 12", MUTED, PDF_CENTER,
	                 diploma ? "heeft voldaan aan de eisen van het diploma"
	                         : "met goed gevolg heeft afgerond");
	y += 8;
	const char *quoted = arena_printf(ctx->arena, "“%s”", c->title);
	y += pdf_text_at(d, left + 60, y, cw - 120, PDF_FONT " Bold 21", INK, PDF_CENTER,
	                 quoted ? quoted : c->title);
	y += 14;
	const char *facts;
	if (diploma)
		facts = arena_printf(ctx->arena, "%s  ·  behaald op %s  ·  %zu %s", pts, achieved,
		                     c->nlines, c->nlines == 1 ? "module" : "modules");
	else if (c->provider_name && *c->provider_name)
		facts = arena_printf(ctx->arena, "%s  ·  %s  ·  aangeboden door %s", pts, achieved,
		                     c->provider_name);
	else
		facts = arena_printf(ctx->arena, "%s  ·  %s", pts, achieved);
	pdf_text_at(d, left, y, cw, PDF_FONT " 12", INK, PDF_CENTER, facts ? facts : pts);

	/* Foot: who issued it on the left, how to check it on the right. */
	const double qr = 92, fy = h - 56 - qr;
	pdf_rect(d, left, fy - 16, cw, 0.75, "#c8c8c8");
	const char *issuer = c->org_name
	                         ? arena_printf(ctx->arena,
	                                        "Uitgegeven door Campus namens %s op %s, erkend "
	                                        "binnen de bibliotheekbranche.",
	                                        c->org_name, issued)
	                         : arena_printf(ctx->arena,
	                                        "Uitgegeven door Campus op %s, erkend binnen de "
	                                        "bibliotheekbranche.",
	                                        issued);
	pdf_text_at(d, left, fy, cw * 0.45, PDF_FONT " 9.5", MUTED, PDF_LEFT, issuer ? issuer : "");
	double tx = right - qr - 14, tw = cw * 0.42;
	double ty = fy + 4;
	ty += pdf_text_at(d, tx - tw, ty, tw, PDF_FONT " 9.5", MUTED, PDF_RIGHT,
	                  "Controleer de echtheid met de QR-code of op");
	ty += pdf_text_at(d, tx - tw, ty, tw, PDF_CODE_FONT " Bold 8.5", INK, PDF_RIGHT, url);
	ty += 6;
	pdf_text_at(d, tx - tw, ty, tw, PDF_CODE_FONT " Bold 13", INK, PDF_RIGHT, code);
	int rc = pdf_qr(d, right - qr, fy, qr, url);

	if (diploma && c->nlines)
		diploma_lines(ctx, d, c, color);
	int rc2 = pdf_close(d);
	return rc ? rc : rc2;
}
