#include "view/pdf.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cairo-pdf.h>
#include <cairo.h>
#include <pango/pangocairo.h>
#include <qrencode.h>

#include "core/buf.h"
#include "core/err.h"

#define A4_SHORT 595.2756 /* 210 mm in points */
#define A4_LONG 841.8898  /* 297 mm */
#define QR_QUIET 4
#define FONT_CACHE 24
#define BODY_FONT PDF_FONT " 10"

/* Per thread: the font map, its Pango context and parsed font descriptions.
 * Setting these up (fontconfig, font files, shaping caches) costs far more
 * than laying out a page, and Pango objects are not for sharing between
 * threads; so each thread keeps its own, freed when the thread ends. */
struct pdf_thread {
	PangoFontMap *fontmap;
	PangoContext *context;
	struct {
		char *name;
		PangoFontDescription *desc;
	} fonts[FONT_CACHE];
	size_t nfonts, next;
};

static pthread_key_t thread_key;
static pthread_once_t thread_once = PTHREAD_ONCE_INIT;

static void thread_free(void *p)
{
	struct pdf_thread *t = p;
	for (size_t i = 0; i < t->nfonts; i++) {
		free(t->fonts[i].name);
		pango_font_description_free(t->fonts[i].desc);
	}
	g_object_unref(t->context);
	g_object_unref(t->fontmap);
	free(t);
}

static void thread_key_make(void)
{
	pthread_key_create(&thread_key, thread_free);
}

static struct pdf_thread *thread_get(void)
{
	pthread_once(&thread_once, thread_key_make);
	struct pdf_thread *t = pthread_getspecific(thread_key);
	if (t)
		return t;
	t = calloc(1, sizeof *t);
	if (!t)
		return NULL;
	t->fontmap = pango_cairo_font_map_new();
	/* 72 dpi: a font size in points is that many PDF units. */
	pango_cairo_font_map_set_resolution(PANGO_CAIRO_FONT_MAP(t->fontmap), 72.0);
	t->context = pango_font_map_create_context(t->fontmap);
	/* Unhinted outlines and metrics: a PDF is scaled, not a screen grid. */
	cairo_font_options_t *fo = cairo_font_options_create();
	cairo_font_options_set_hint_style(fo, CAIRO_HINT_STYLE_NONE);
	cairo_font_options_set_hint_metrics(fo, CAIRO_HINT_METRICS_OFF);
	pango_cairo_context_set_font_options(t->context, fo);
	cairo_font_options_destroy(fo);
	pango_context_set_language(t->context, pango_language_from_string("nl"));
	pthread_setspecific(thread_key, t);
	return t;
}

static const PangoFontDescription *font_get(struct pdf_thread *t, const char *name)
{
	if (!name || !*name)
		name = BODY_FONT;
	for (size_t i = 0; i < t->nfonts; i++)
		if (strcmp(t->fonts[i].name, name) == 0)
			return t->fonts[i].desc;
	size_t slot = t->nfonts < FONT_CACHE ? t->nfonts++ : (t->next++ % FONT_CACHE);
	if (t->fonts[slot].name) {
		free(t->fonts[slot].name);
		pango_font_description_free(t->fonts[slot].desc);
	}
	char *copy = strdup(name);
	if (!copy) { /* out of memory: the context's default font */
		t->fonts[slot].name = strdup("\x01");
		t->fonts[slot].desc = pango_font_description_new();
		return NULL;
	}
	t->fonts[slot].name = copy;
	t->fonts[slot].desc = pango_font_description_from_string(name);
	return t->fonts[slot].desc;
}

struct pdf {
	struct pdf_thread *t;
	cairo_surface_t *surface;
	cairo_t *cr;
	struct buf *out;
	double w, h;
	double top, right, bottom, left;
	double y;
};

static cairo_status_t write_out(void *closure, const unsigned char *data, unsigned int n)
{
	struct buf *out = closure;
	return buf_append(out, data, n) ? CAIRO_STATUS_WRITE_ERROR : CAIRO_STATUS_SUCCESS;
}

bool pdf_parse_color(const char *hex, double *r, double *g, double *b)
{
	*r = *g = *b = 0.1;
	if (!hex || hex[0] != '#' || strlen(hex) != 7)
		return false;
	unsigned v[3];
	for (int i = 0; i < 3; i++) {
		unsigned x = 0;
		for (int j = 0; j < 2; j++) {
			char c = hex[1 + 2 * i + j];
			unsigned d;
			if (c >= '0' && c <= '9')
				d = (unsigned)(c - '0');
			else if (c >= 'a' && c <= 'f')
				d = (unsigned)(c - 'a' + 10);
			else if (c >= 'A' && c <= 'F')
				d = (unsigned)(c - 'A' + 10);
			else
				return false;
			x = x * 16 + d;
		}
		v[i] = x;
	}
	*r = v[0] / 255.0;
	*g = v[1] / 255.0;
	*b = v[2] / 255.0;
	return true;
}

static void set_color(cairo_t *cr, const char *color)
{
	double r, g, b;
	pdf_parse_color(color, &r, &g, &b);
	cairo_set_source_rgb(cr, r, g, b);
}

static void iso_date(int64_t t, char out[32])
{
	time_t tt = (time_t)t;
	struct tm tm;
	gmtime_r(&tt, &tm);
	strftime(out, 32, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

struct pdf *pdf_open(enum pdf_orientation o, const struct pdf_meta *meta, struct buf *out)
{
	struct pdf_thread *t = thread_get();
	if (!t)
		return NULL;
	struct pdf *d = calloc(1, sizeof *d);
	if (!d)
		return NULL;
	d->t = t;
	d->out = out;
	d->w = o == PDF_LANDSCAPE ? A4_LONG : A4_SHORT;
	d->h = o == PDF_LANDSCAPE ? A4_SHORT : A4_LONG;
	d->top = d->right = d->bottom = d->left = 56;
	d->y = d->top;
	d->surface = cairo_pdf_surface_create_for_stream(write_out, out, d->w, d->h);
	if (meta) {
		/* cairo otherwise stamps the clock: the same row must give the same bytes. */
		char date[32] = "";
		if (meta->created_at)
			iso_date(meta->created_at, date);
		cairo_pdf_surface_set_metadata(d->surface, CAIRO_PDF_METADATA_CREATE_DATE, date);
		if (meta->title)
			cairo_pdf_surface_set_metadata(d->surface, CAIRO_PDF_METADATA_TITLE, meta->title);
		if (meta->author)
			cairo_pdf_surface_set_metadata(d->surface, CAIRO_PDF_METADATA_AUTHOR, meta->author);
		if (meta->subject)
			cairo_pdf_surface_set_metadata(d->surface, CAIRO_PDF_METADATA_SUBJECT, meta->subject);
		if (meta->keywords)
			cairo_pdf_surface_set_metadata(d->surface, CAIRO_PDF_METADATA_KEYWORDS, meta->keywords);
	} else {
		cairo_pdf_surface_set_metadata(d->surface, CAIRO_PDF_METADATA_CREATE_DATE, "");
	}
	cairo_pdf_surface_set_metadata(d->surface, CAIRO_PDF_METADATA_CREATOR, "Campus");
	d->cr = cairo_create(d->surface);
	pango_cairo_update_context(d->cr, t->context);
	return d;
}

int pdf_close(struct pdf *d)
{
	if (!d)
		return CAMPUS_ENOMEM;
	cairo_status_t st = cairo_status(d->cr);
	cairo_destroy(d->cr);
	cairo_surface_finish(d->surface);
	if (st == CAIRO_STATUS_SUCCESS)
		st = cairo_surface_status(d->surface);
	cairo_surface_destroy(d->surface);
	bool overflow = d->out->overflow;
	free(d);
	if (overflow || st == CAIRO_STATUS_WRITE_ERROR || st == CAIRO_STATUS_NO_MEMORY)
		return CAMPUS_ENOMEM;
	return st == CAIRO_STATUS_SUCCESS ? 0 : CAMPUS_EINTERNAL;
}

double pdf_width(const struct pdf *d) { return d->w; }
double pdf_height(const struct pdf *d) { return d->h; }
double pdf_y(const struct pdf *d) { return d->y; }
void pdf_set_y(struct pdf *d, double y) { d->y = y; }

void pdf_margins(struct pdf *d, double top, double right, double bottom, double left)
{
	d->top = top;
	d->right = right;
	d->bottom = bottom;
	d->left = left;
	if (d->y < top)
		d->y = top;
}

void pdf_page(struct pdf *d)
{
	cairo_show_page(d->cr);
	d->y = d->top;
}

void pdf_space(struct pdf *d, double h)
{
	d->y += h;
	if (d->y > d->h - d->bottom)
		pdf_page(d);
}

static PangoLayout *layout_for(struct pdf *d, double width, const char *font, enum pdf_align align,
                               const char *text)
{
	PangoLayout *l = pango_layout_new(d->t->context);
	pango_layout_set_font_description(l, font_get(d->t, font));
	if (width > 0) {
		pango_layout_set_width(l, (int)(width * PANGO_SCALE));
		pango_layout_set_wrap(l, PANGO_WRAP_WORD_CHAR);
	}
	pango_layout_set_alignment(l, align == PDF_CENTER  ? PANGO_ALIGN_CENTER
	                              : align == PDF_RIGHT ? PANGO_ALIGN_RIGHT
	                                                   : PANGO_ALIGN_LEFT);
	pango_layout_set_text(l, text ? text : "", -1);
	return l;
}

static double layout_height(PangoLayout *l)
{
	int w, h;
	pango_layout_get_size(l, &w, &h);
	return (double)h / PANGO_SCALE;
}

double pdf_text_height(struct pdf *d, double width, const char *font, const char *text)
{
	PangoLayout *l = layout_for(d, width, font, PDF_LEFT, text);
	double h = layout_height(l);
	g_object_unref(l);
	return h;
}

double pdf_text_at(struct pdf *d, double x, double y, double width, const char *font,
                   const char *color, enum pdf_align align, const char *text)
{
	PangoLayout *l = layout_for(d, width, font, align, text);
	if (width <= 0 && align != PDF_LEFT) {
		/* One line aligned on x: right edge or centre. */
		int lw, lh;
		pango_layout_get_size(l, &lw, &lh);
		x -= align == PDF_RIGHT ? (double)lw / PANGO_SCALE : (double)lw / PANGO_SCALE / 2;
	}
	set_color(d->cr, color ? color : "#1a1a1a");
	cairo_move_to(d->cr, x, y);
	pango_cairo_show_layout(d->cr, l);
	double h = layout_height(l);
	g_object_unref(l);
	return h;
}

void pdf_rect(struct pdf *d, double x, double y, double w, double h, const char *color)
{
	set_color(d->cr, color);
	cairo_rectangle(d->cr, x, y, w, h);
	cairo_fill(d->cr);
}

int pdf_qr(struct pdf *d, double x, double y, double size, const char *text)
{
	QRcode *qr = QRcode_encodeString(text, 0, QR_ECLEVEL_M, QR_MODE_8, 1);
	if (!qr)
		return CAMPUS_EINVAL;
	int n = qr->width;
	double m = size / (n + 2 * QR_QUIET);
	cairo_t *cr = d->cr;
	cairo_set_source_rgb(cr, 1, 1, 1);
	cairo_rectangle(cr, x, y, size, size);
	cairo_fill(cr);
	cairo_set_source_rgb(cr, 0, 0, 0);
	/* One rectangle per horizontal run of dark modules, filled at once. */
	for (int r = 0; r < n; r++) {
		int c = 0;
		while (c < n) {
			if (!(qr->data[r * n + c] & 1)) {
				c++;
				continue;
			}
			int start = c;
			while (c < n && (qr->data[r * n + c] & 1))
				c++;
			cairo_rectangle(cr, x + (start + QR_QUIET) * m, y + (r + QR_QUIET) * m,
			                (c - start) * m, m);
		}
	}
	cairo_fill(cr);
	QRcode_free(qr);
	return 0;
}

struct png_reader {
	const unsigned char *p;
	size_t n, off;
};

static cairo_status_t read_png(void *closure, unsigned char *data, unsigned int len)
{
	struct png_reader *r = closure;
	if (r->n - r->off < len)
		return CAIRO_STATUS_READ_ERROR;
	memcpy(data, r->p + r->off, len);
	r->off += len;
	return CAIRO_STATUS_SUCCESS;
}

int pdf_png(struct pdf *d, double x, double y, double max_w, double max_h, enum pdf_align align,
            const void *png, size_t n, double *w, double *h)
{
	static const unsigned char sig[8] = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'};
	if (w)
		*w = 0;
	if (h)
		*h = 0;
	if (!png || n < sizeof sig || memcmp(png, sig, sizeof sig) != 0)
		return CAMPUS_EMEDIA;
	struct png_reader r = {.p = png, .n = n};
	cairo_surface_t *img = cairo_image_surface_create_from_png_stream(read_png, &r);
	if (cairo_surface_status(img) != CAIRO_STATUS_SUCCESS) {
		cairo_surface_destroy(img);
		return CAMPUS_EMEDIA;
	}
	int iw = cairo_image_surface_get_width(img), ih = cairo_image_surface_get_height(img);
	if (iw <= 0 || ih <= 0) {
		cairo_surface_destroy(img);
		return CAMPUS_EMEDIA;
	}
	double s = max_w / iw < max_h / ih ? max_w / iw : max_h / ih;
	double dw = iw * s, dh = ih * s;
	if (align == PDF_CENTER)
		x += (max_w - dw) / 2;
	else if (align == PDF_RIGHT)
		x += max_w - dw;
	cairo_save(d->cr);
	cairo_translate(d->cr, x, y);
	cairo_scale(d->cr, s, s);
	cairo_set_source_surface(d->cr, img, 0, 0);
	cairo_pattern_set_filter(cairo_get_source(d->cr), CAIRO_FILTER_GOOD);
	cairo_paint(d->cr);
	cairo_restore(d->cr);
	cairo_surface_destroy(img);
	if (w)
		*w = dw;
	if (h)
		*h = dh;
	return 0;
}

static double text_width(const struct pdf *d)
{
	return d->w - d->left - d->right;
}

/* Starts a new page when h more does not fit below the cursor. */
static void need(struct pdf *d, double h)
{
	if (d->y + h > d->h - d->bottom && d->y > d->top)
		pdf_page(d);
}

void pdf_heading(struct pdf *d, int level, const char *color, const char *text)
{
	const char *font = level <= 1 ? PDF_FONT " Bold 20" : level == 2 ? PDF_FONT " Bold 14"
	                                                                 : PDF_FONT " Bold 11";
	double before = level <= 1 ? 0 : level == 2 ? 14 : 10;
	double th = pdf_text_height(d, text_width(d), font, text);
	if (d->y > d->top)
		d->y += before;
	need(d, th + 18); /* the heading and a line of what follows */
	d->y += pdf_text_at(d, d->left, d->y, text_width(d), font, color, PDF_LEFT, text);
	d->y += level <= 1 ? 8 : 4;
}

void pdf_paragraph(struct pdf *d, const char *font, const char *text)
{
	PangoLayout *l = layout_for(d, text_width(d), font, PDF_LEFT, text);
	/* Line by line, so a long paragraph continues on the next page. */
	PangoLayoutIter *it = pango_layout_get_iter(l);
	set_color(d->cr, "#1a1a1a");
	double base = d->y; /* page y of the layout's top */
	double shift = 0;   /* layout y that sits at base */
	do {
		PangoRectangle ext;
		pango_layout_iter_get_line_extents(it, NULL, &ext);
		double ly = (double)ext.y / PANGO_SCALE, lh = (double)ext.height / PANGO_SCALE;
		if (base + (ly - shift) + lh > d->h - d->bottom && ly > shift) {
			pdf_page(d);
			base = d->y;
			shift = ly;
		}
		PangoLayoutLine *line = pango_layout_iter_get_line_readonly(it);
		int baseline = pango_layout_iter_get_baseline(it);
		cairo_move_to(d->cr, d->left + (double)ext.x / PANGO_SCALE,
		              base + (double)baseline / PANGO_SCALE - shift);
		pango_cairo_show_layout_line(d->cr, line);
		d->y = base + (ly - shift) + lh;
	} while (pango_layout_iter_next_line(it));
	pango_layout_iter_free(it);
	g_object_unref(l);
	d->y += 6;
}

void pdf_table_row(struct pdf *d, const struct pdf_col *cols, size_t n, const char *const *cells,
                   bool header)
{
	const char *font = header ? PDF_FONT " Bold 9.5" : PDF_FONT " 9.5";
	const double pad = 4;
	double tw = text_width(d), rh = 0;
	for (size_t i = 0; i < n; i++) {
		double h = pdf_text_height(d, cols[i].share * tw - 2 * pad, font, cells[i]);
		if (h > rh)
			rh = h;
	}
	rh += 2 * pad;
	need(d, rh);
	double x = d->left;
	for (size_t i = 0; i < n; i++) {
		double cw = cols[i].share * tw;
		pdf_text_at(d, x + pad, d->y + pad, cw - 2 * pad, font, "#1a1a1a", cols[i].align,
		            cells[i]);
		x += cw;
	}
	d->y += rh;
	pdf_rect(d, d->left, d->y - (header ? 1 : 0.5), tw, header ? 1 : 0.5,
	         header ? "#1a1a1a" : "#c8c8c8");
}
