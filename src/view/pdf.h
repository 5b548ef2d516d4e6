/* A4 documents as PDF (cairo + pango): certificates, diplomas, the study
 * dossier. A document is written into a struct buf; text is laid out by
 * Pango (wrapped at word boundaries, any UTF-8), QR codes
 * come from libqrencode drawn as rectangles, a PNG logo is embedded when
 * given. Lengths are PDF points (1/72 inch); colours "#rrggbb".
 *
 * Two ways to place things: absolutely (pdf_text_at, pdf_qr, pdf_png,
 * pdf_rect) for designed pages such as a certificate, or flowing from a
 * cursor between the margins (pdf_heading, pdf_paragraph, pdf_table_row),
 * which starts a new page when the next block does not fit.
 *
 * Deterministic: the same calls with the same pdf_meta give the same bytes
 * (the creation date is meta.created_at, not the clock). Fonts and the Pango
 * context are set up once per thread and reused, so rendering many
 * documents costs only their layout. See docs/internals/pdf.md. */
#ifndef CAMPUS_VIEW_PDF_H
#define CAMPUS_VIEW_PDF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct buf;
struct pdf;

enum pdf_orientation { PDF_PORTRAIT, PDF_LANDSCAPE };
enum pdf_align { PDF_LEFT, PDF_CENTER, PDF_RIGHT };

/* Font families (Pango descriptions start with one of these). The document
 * font is Open Sans (fonts-open-sans); fontconfig falls back to DejaVu. */
#define PDF_FONT "Open Sans"
/* For what is typed over (codes, links), in Bold only (one face more per
 * document): fixed advances, no kerning, so a copy or pdftotext gets no gap
 * inside a code (Open Sans kerns pairs like "AJ" far enough apart to read as
 * a space). DejaVu Sans Mono is in fonts-dejavu-core. */
#define PDF_CODE_FONT "DejaVu Sans Mono"

struct pdf_meta {
	const char *title, *author, *subject, *keywords; /* NULL: left out */
	int64_t created_at;                                /* UTC epoch; 0: left out */
};

/* Opens a document of A4 pages appended to out (on pdf_close) and starts its
 * first page. Margins default to 56 pt (about 2 cm). NULL when out of memory. */
struct pdf *pdf_open(enum pdf_orientation o, const struct pdf_meta *meta, struct buf *out);
/* Finishes the document into out and frees it: 0, CAMPUS_ENOMEM when out
 * overflowed, CAMPUS_EINTERNAL when cairo failed. Accepts NULL (ENOMEM). */
int pdf_close(struct pdf *d);

double pdf_width(const struct pdf *d);   /* page size in points */
double pdf_height(const struct pdf *d);
void pdf_margins(struct pdf *d, double top, double right, double bottom, double left);
/* A new page; the cursor goes to the top margin. */
void pdf_page(struct pdf *d);
/* The flowing cursor (distance from the top of the page). */
double pdf_y(const struct pdf *d);
void pdf_set_y(struct pdf *d, double y);
/* Moves the cursor down; a new page when that passes the bottom margin. */
void pdf_space(struct pdf *d, double h);

/* ---- placed ---- */

/* Text in box (x, y, width) with a Pango font description ("Open Sans Bold
 * 14"), colour and alignment, wrapped at word boundaries; plain text, not
 * markup. Returns the height used. width <= 0: one line, no wrapping. */
double pdf_text_at(struct pdf *d, double x, double y, double width, const char *font,
                   const char *color, enum pdf_align align, const char *text);
/* Height text would take in that box and font, drawing nothing. */
double pdf_text_height(struct pdf *d, double width, const char *font, const char *text);
/* A filled rectangle; a line is a thin one. */
void pdf_rect(struct pdf *d, double x, double y, double w, double h, const char *color);
/* A QR code of text (error correction M, with its quiet zone) in a square
 * of size points at (x, y). CAMPUS_EINVAL when the text does not fit. */
int pdf_qr(struct pdf *d, double x, double y, double size, const char *text);
/* A PNG image scaled to fit (max_w x max_h) keeping its aspect ratio,
 * aligned left/centre/right in that box. The size drawn goes to *w, *h
 * (may be NULL). CAMPUS_EMEDIA when the bytes are not a PNG. */
int pdf_png(struct pdf *d, double x, double y, double max_w, double max_h, enum pdf_align align,
            const void *png, size_t n, double *w, double *h);

/* ---- flowing, between the margins ---- */

/* A heading (level 1..3) in colour (NULL: near-black); kept with at least
 * one line of what follows. */
void pdf_heading(struct pdf *d, int level, const char *color, const char *text);
/* A paragraph in font (NULL: "Open Sans 10"), wrapped to the margins. */
void pdf_paragraph(struct pdf *d, const char *font, const char *text);

/* A table column: its width as a share of the text width (the shares of a
 * row should add up to 1) and its alignment. */
struct pdf_col {
	double share;
	enum pdf_align align;
	bool code; /* cells (not the header) in PDF_CODE_FONT: codes to type over */
};
/* One table row: cells[i] in column i, wrapped within it; header rows are
 * bold with a rule under them. A row that does not fit starts a new page. */
void pdf_table_row(struct pdf *d, const struct pdf_col *cols, size_t n, const char *const *cells,
                   bool header);

/* "#rrggbb" into 0..1 components; false (and near-black) when malformed. */
bool pdf_parse_color(const char *hex, double *r, double *g, double *b);

#endif
