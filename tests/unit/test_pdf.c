/* A4 documents (view/pdf.c): a PDF with headings, paragraphs, a table, a QR
 * code and a logo; its text read back with pdftotext (poppler-utils); the
 * same calls give the same bytes; long text flows onto a second page; a
 * logo that is not a PNG is refused. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cairo.h>

#include "core/buf.h"
#include "core/err.h"
#include "view/pdf.h"

/* Runs a poppler tool on the PDF in b, output into out. */
static void poppler(const char *tool, const struct buf *b, struct buf *out)
{
	char path[] = "/tmp/campus-test-pdf-XXXXXX";
	int fd = mkstemp(path);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, b->data, b->len), (ssize_t)b->len);
	close(fd);
	char cmd[256];
	snprintf(cmd, sizeof cmd, "%s %s %s", tool, path, strcmp(tool, "pdfinfo") ? "-" : "");
	FILE *p = popen(cmd, "r");
	assert_non_null(p);
	char chunk[4096];
	size_t n;
	while ((n = fread(chunk, 1, sizeof chunk, p)) > 0)
		buf_append(out, chunk, n);
	assert_int_equal(pclose(p), 0);
	unlink(path);
}

static cairo_status_t png_out(void *closure, const unsigned char *data, unsigned int n)
{
	return buf_append(closure, data, n) ? CAIRO_STATUS_WRITE_ERROR : CAIRO_STATUS_SUCCESS;
}

/* A small PNG made here, so the test needs no file. */
static void make_png(struct buf *png)
{
	cairo_surface_t *s = cairo_image_surface_create(CAIRO_FORMAT_ARGB32, 40, 20);
	cairo_t *cr = cairo_create(s);
	cairo_set_source_rgb(cr, 0.8, 0.1, 0.2);
	cairo_paint(cr);
	cairo_destroy(cr);
	assert_int_equal(cairo_surface_write_to_png_stream(s, png_out, png), CAIRO_STATUS_SUCCESS);
	cairo_surface_destroy(s);
}

static void render(struct buf *out, const struct buf *png)
{
	struct pdf_meta meta = {.title = "Proefdocument", .author = "Campus",
	                        .created_at = 1796300000};
	struct pdf *d = pdf_open(PDF_PORTRAIT, &meta, out);
	assert_non_null(d);
	assert_true(pdf_width(d) < pdf_height(d));
	double w, h;
	assert_int_equal(pdf_png(d, 56, 20, 120, 30, PDF_LEFT, png->data, png->len, &w, &h), 0);
	assert_true(w > 59 && w < 61 && h > 29 && h < 31); /* 40x20 fits 120x30 as 60x30 */
	pdf_set_y(d, 80);
	pdf_heading(d, 1, "#b3003c", "Studiedossier van Anna Jansen");
	pdf_paragraph(d, NULL, "Dit overzicht toont de “punten” per jaar en per domein.");
	static const struct pdf_col cols[] = {{0.6, PDF_LEFT}, {0.2, PDF_RIGHT}, {0.2, PDF_RIGHT}};
	const char *head[] = {"Module", "Punten", "Datum"};
	const char *row[] = {"Mediawijsheid voor volwassenen", "1,5", "3 december 2026"};
	pdf_table_row(d, cols, 3, head, true);
	pdf_table_row(d, cols, 3, row, false);
	assert_int_equal(pdf_qr(d, 400, 600, 100, "https://campus.example/verify/7K3MQ9XD2HWAFT5R"), 0);
	assert_true(pdf_text_at(d, 400, 710, 0, PDF_FONT " 8", NULL, PDF_LEFT, "7K3M-Q9XD-2HWA-FT5R") > 5);
	assert_int_equal(pdf_close(d), 0);
}

static void document_text_and_determinism(void **state)
{
	(void)state;
	struct buf png, a, b, text;
	buf_init(&png, NULL, 0);
	buf_init(&a, NULL, 0);
	buf_init(&b, NULL, 0);
	buf_init(&text, NULL, 0);
	make_png(&png);
	render(&a, &png);
	render(&b, &png);
	assert_true(a.len > 1000);
	assert_memory_equal(a.data, "%PDF-", 5);
	assert_int_equal(a.len, b.len);
	assert_memory_equal(a.data, b.data, a.len);
	poppler("pdftotext", &a, &text);
	const char *t = buf_cstr(&text);
	assert_non_null(strstr(t, "Studiedossier van Anna Jansen"));
	assert_non_null(strstr(t, "“punten”"));
	assert_non_null(strstr(t, "Mediawijsheid voor volwassenen"));
	assert_non_null(strstr(t, "3 december 2026"));
	assert_non_null(strstr(t, "7K3M-Q9XD-2HWA-FT5R"));
	buf_clear(&text);
	poppler("pdfinfo", &a, &text);
	assert_non_null(strstr(buf_cstr(&text), "Proefdocument"));
	const char *pages = strstr(buf_cstr(&text), "Pages:");
	assert_non_null(pages);
	assert_int_equal(strtol(pages + 6, NULL, 10), 1);
	assert_non_null(strstr(buf_cstr(&text), "A4"));
	buf_fini(&png);
	buf_fini(&a);
	buf_fini(&b);
	buf_fini(&text);
}

static void long_text_flows_onto_pages(void **state)
{
	(void)state;
	struct buf out, text, para;
	buf_init(&out, NULL, 0);
	buf_init(&text, NULL, 0);
	buf_init(&para, NULL, 0);
	for (int i = 0; i < 400; i++)
		buf_printf(&para, "Zin %d van een lange alinea over leren in de bibliotheek. ", i);
	struct pdf *d = pdf_open(PDF_LANDSCAPE, NULL, &out);
	assert_true(pdf_width(d) > pdf_height(d));
	pdf_heading(d, 2, NULL, "Een lange alinea");
	pdf_paragraph(d, PDF_FONT " 11", buf_cstr(&para));
	static const struct pdf_col cols[] = {{0.5, PDF_LEFT}, {0.5, PDF_RIGHT}};
	for (int i = 0; i < 60; i++) {
		char a[32], b[32];
		snprintf(a, sizeof a, "Rij %d", i);
		snprintf(b, sizeof b, "%d,0", i);
		const char *cells[] = {a, b};
		pdf_table_row(d, cols, 2, cells, false);
	}
	assert_int_equal(pdf_close(d), 0);
	poppler("pdfinfo", &out, &text);
	const char *pages = strstr(buf_cstr(&text), "Pages:");
	assert_non_null(pages);
	assert_true(strtol(pages + 6, NULL, 10) >= 4);
	buf_clear(&text);
	poppler("pdftotext", &out, &text);
	assert_non_null(strstr(buf_cstr(&text), "Zin 399 van"));
	assert_non_null(strstr(buf_cstr(&text), "Rij 59"));
	buf_fini(&out);
	buf_fini(&text);
	buf_fini(&para);
}

static void bad_input(void **state)
{
	(void)state;
	struct buf out;
	buf_init(&out, NULL, 0);
	struct pdf *d = pdf_open(PDF_PORTRAIT, NULL, &out);
	static const char notpng[] = "GIF89a this is not a PNG";
	assert_int_equal(pdf_png(d, 0, 0, 10, 10, PDF_LEFT, notpng, sizeof notpng, NULL, NULL),
	                 CAMPUS_EMEDIA);
	/* A PNG signature with garbage after it. */
	static const char broken[] = "\x89PNG\r\n\x1a\nrubbish";
	assert_int_equal(pdf_png(d, 0, 0, 10, 10, PDF_LEFT, broken, sizeof broken, NULL, NULL),
	                 CAMPUS_EMEDIA);
	double r, g, b;
	assert_false(pdf_parse_color("red", &r, &g, &b));
	assert_false(pdf_parse_color("#12345g", &r, &g, &b));
	assert_true(pdf_parse_color("#FF8000", &r, &g, &b));
	assert_true(r == 1.0 && b == 0.0 && g > 0.5 && g < 0.51);
	assert_int_equal(pdf_close(d), 0);
	/* A buffer too small for the document. */
	struct buf small;
	buf_init(&small, NULL, 512);
	d = pdf_open(PDF_PORTRAIT, NULL, &small);
	pdf_paragraph(d, NULL, "Past niet in 512 bytes.");
	assert_int_equal(pdf_close(d), CAMPUS_ENOMEM);
	buf_fini(&small);
	buf_fini(&out);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(document_text_and_determinism),
	    cmocka_unit_test(long_text_flows_onto_pages),
	    cmocka_unit_test(bad_input),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
