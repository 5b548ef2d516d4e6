/* A4 documents (view/pdf.c): a PDF with headings, paragraphs, a table, a QR
 * code and a logo; its text read back with pdftotext (poppler-utils); the
 * same calls give the same bytes; long text flows onto a second page; a
 * logo that is not a PNG is refused; the QR code read back from the page,
 * rasterised by pdftoppm, is the one libqrencode made, module by module;
 * the per-thread caches of layouts and images never mix two texts or two
 * images; a big image is embedded with the pixels 300 dpi needs, a small one
 * as it is. */
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
#include <qrencode.h>

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
	snprintf(cmd, sizeof cmd, "%s %s %s", tool, path, strcmp(tool, "pdftotext") ? "" : "-");
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
	static const struct pdf_col cols[] = {
	    {0.6, PDF_LEFT, false}, {0.2, PDF_RIGHT, false}, {0.2, PDF_RIGHT, false}};
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
	static const struct pdf_col cols[] = {{0.5, PDF_LEFT, false}, {0.5, PDF_RIGHT, false}};
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

/* The page as a grey map at 72 dpi (one pixel per point) from pdftoppm. */
static unsigned char *raster(const struct buf *b, int *w, int *h)
{
	char path[] = "/tmp/campus-test-pdf-XXXXXX";
	int fd = mkstemp(path);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, b->data, b->len), (ssize_t)b->len);
	close(fd);
	char cmd[256];
	snprintf(cmd, sizeof cmd, "pdftoppm -r 72 -gray -singlefile %s", path);
	FILE *p = popen(cmd, "r");
	assert_non_null(p);
	int maxval;
	assert_int_equal(fscanf(p, "P5 %d %d %d", w, h, &maxval), 3);
	fgetc(p); /* the single white space after the header */
	size_t n = (size_t)*w * (size_t)*h;
	unsigned char *px = malloc(n);
	assert_non_null(px);
	assert_int_equal(fread(px, 1, n, p), n);
	assert_int_equal(pclose(p), 0);
	unlink(path);
	return px;
}

static void qr_reads_back(void **state)
{
	(void)state;
	static const char url[] = "https://campus.example/verify/7K3M-Q9XD-2HWA-FT5R";
	QRcode *qr = QRcode_encodeString(url, 0, QR_ECLEVEL_M, QR_MODE_8, 1);
	assert_non_null(qr);
	int n = qr->width;
	/* Modules of 4 points: 4 pixels each at 72 dpi, read at their centres. */
	const int x0 = 100, y0 = 120, mod = 4;
	struct buf out;
	buf_init(&out, NULL, 0);
	struct pdf *d = pdf_open(PDF_PORTRAIT, NULL, &out);
	assert_int_equal(pdf_qr(d, x0, y0, mod * (n + 8), url), 0);
	assert_int_equal(pdf_close(d), 0);
	int w, h;
	unsigned char *px = raster(&out, &w, &h);
	assert_true(w > x0 + mod * (n + 8) && h > y0 + mod * (n + 8));
	int dark = 0;
	for (int r = -4; r < n + 4; r++)
		for (int c = -4; c < n + 4; c++) {
			int want = r >= 0 && c >= 0 && r < n && c < n && (qr->data[r * n + c] & 1);
			int gx = x0 + (c + 4) * mod + mod / 2, gy = y0 + (r + 4) * mod + mod / 2;
			int got = px[gy * w + gx] < 128;
			if (got != want)
				fail_msg("module %d,%d: %s, want %s", r, c, got ? "dark" : "light",
				         want ? "dark" : "light");
			dark += got;
		}
	assert_true(dark > n * n / 4); /* a real code, not an empty square */
	free(px);
	QRcode_free(qr);
	buf_fini(&out);
}

static cairo_status_t png_into(void *closure, const unsigned char *data, unsigned int n)
{
	return buf_append(closure, data, n) ? CAIRO_STATUS_WRITE_ERROR : CAIRO_STATUS_SUCCESS;
}

static void caches_keep_things_apart(void **state)
{
	(void)state;
	struct buf out, text, red, blue;
	buf_init(&out, NULL, 0);
	buf_init(&text, NULL, 0);
	buf_init(&red, NULL, 0);
	buf_init(&blue, NULL, 0);
	make_png(&red);
	/* Another PNG of the same length and size: only its colour differs. */
	cairo_surface_t *s = cairo_image_surface_create(CAIRO_FORMAT_ARGB32, 40, 20);
	cairo_t *cr = cairo_create(s);
	cairo_set_source_rgb(cr, 0.2, 0.1, 0.8);
	cairo_paint(cr);
	cairo_destroy(cr);
	assert_int_equal(cairo_surface_write_to_png_stream(s, png_into, &blue), CAIRO_STATUS_SUCCESS);
	cairo_surface_destroy(s);

	struct pdf *d = pdf_open(PDF_PORTRAIT, NULL, &out);
	/* The same text: one line when wide, several when narrow, taller in a
	 * bigger font; each asked twice, so the second answer comes from the
	 * cache. */
	const char *t = "Mediawijsheid voor volwassenen in de openbare bibliotheek";
	for (int i = 0; i < 2; i++) {
		double wide = pdf_text_height(d, 480, PDF_FONT " 10", t);
		double narrow = pdf_text_height(d, 60, PDF_FONT " 10", t);
		double big = pdf_text_height(d, 480, PDF_FONT " 20", t);
		assert_true(narrow > 2.5 * wide);
		assert_true(big > 1.8 * wide);
	}
	assert_int_equal(pdf_png(d, 56, 60, 40, 20, PDF_LEFT, red.data, red.len, NULL, NULL), 0);
	assert_int_equal(pdf_png(d, 56, 100, 40, 20, PDF_LEFT, blue.data, blue.len, NULL, NULL), 0);
	assert_int_equal(pdf_png(d, 56, 140, 40, 20, PDF_LEFT, red.data, red.len, NULL, NULL), 0);
	assert_int_equal(pdf_close(d), 0);
	int w, h;
	unsigned char *px = raster(&out, &w, &h);
	/* Grey levels of the three images' centres: red, blue, red again. */
	int g1 = px[70 * w + 76], g2 = px[110 * w + 76], g3 = px[150 * w + 76];
	assert_int_equal(g1, g3);
	assert_true(g1 != g2 && g1 < 250 && g2 < 250);
	free(px);
	buf_fini(&out);
	buf_fini(&text);
	buf_fini(&red);
	buf_fini(&blue);
}

static void big_images_scaled_to_300_dpi(void **state)
{
	(void)state;
	struct buf big, small, out, text;
	buf_init(&big, NULL, 0);
	buf_init(&small, NULL, 0);
	buf_init(&out, NULL, 0);
	buf_init(&text, NULL, 0);
	make_png(&small); /* 40 x 20 */
	cairo_surface_t *s = cairo_image_surface_create(CAIRO_FORMAT_RGB24, 2000, 1000);
	cairo_t *cr = cairo_create(s);
	cairo_set_source_rgb(cr, 0.9, 0.9, 0.2);
	cairo_paint(cr);
	cairo_set_source_rgb(cr, 0.1, 0.3, 0.6);
	cairo_rectangle(cr, 500, 250, 1000, 500);
	cairo_fill(cr);
	cairo_destroy(cr);
	assert_int_equal(cairo_surface_write_to_png_stream(s, png_into, &big), CAIRO_STATUS_SUCCESS);
	cairo_surface_destroy(s);

	struct pdf *d = pdf_open(PDF_PORTRAIT, NULL, &out);
	double w, h;
	/* 2000 x 1000 in a 96 x 48 point box: 400 x 200 pixels at 300 dpi. */
	assert_int_equal(pdf_png(d, 56, 56, 96, 60, PDF_LEFT, big.data, big.len, &w, &h), 0);
	assert_true(w > 95.9 && w < 96.1 && h > 47.9 && h < 48.1);
	assert_int_equal(pdf_png(d, 56, 200, 96, 60, PDF_LEFT, small.data, small.len, NULL, NULL), 0);
	assert_int_equal(pdf_close(d), 0);
	poppler("pdfimages -list", &out, &text);
	const char *t = buf_cstr(&text);
	assert_non_null(strstr(t, "   400   200 "));
	assert_non_null(strstr(t, "    40    20 "));
	assert_null(strstr(t, "2000"));
	/* Still the picture: the blue middle and the yellow edge where they were. */
	int pw, ph;
	unsigned char *px = raster(&out, &pw, &ph);
	int middle = px[(56 + 24) * pw + 56 + 48], edge = px[(56 + 3) * pw + 56 + 3];
	assert_true(middle < 110 && edge > 180);
	free(px);
	buf_fini(&big);
	buf_fini(&small);
	buf_fini(&out);
	buf_fini(&text);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(document_text_and_determinism),
	    cmocka_unit_test(long_text_flows_onto_pages),
	    cmocka_unit_test(bad_input),
	    cmocka_unit_test(qr_reads_back),
	    cmocka_unit_test(caches_keep_things_apart),
	    cmocka_unit_test(big_images_scaled_to_300_dpi),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
