#include "view/pdf.h"

#include <math.h>
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
/* cairo's A1 pixels are packed in 32-bit words in the platform's bit order:
 * the leftmost pixel is the low bit on little-endian machines. */
#if __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
#define A1_BIT(i) ((uint32_t)1 << (31 - (i)))
#else
#define A1_BIT(i) ((uint32_t)1 << (i))
#endif
#define FONT_CACHE 24
#define LAYOUT_CACHE 128
#define LAYOUT_CACHE_TEXT 256 /* longer texts (paragraphs) are not kept */
#define IMAGE_CACHE 8
#define IMAGE_CACHE_BYTES (2u << 20)
#define IMAGE_DPI 300 /* images keep this many pixels per inch as drawn, at most */
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
	/* Laid-out text by (font, width, alignment, text): the fixed wording of
	 * a certificate is shaped once per thread, not once per document. A
	 * layout keeps its glyphs; drawing it again gives the same output. */
	struct layout_entry {
		uint64_t hash, used;
		char *key;
		size_t keylen;
		PangoLayout *layout;
	} layouts[LAYOUT_CACHE];
	uint64_t tick;
	/* Decoded PNGs by their bytes (a library's logo on every certificate). */
	struct image_entry {
		unsigned char *png;
		size_t n;
		int tw, th; /* the size it was decoded to */
		cairo_surface_t *surface;
	} images[IMAGE_CACHE];
	size_t nextimage;
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
	for (size_t i = 0; i < LAYOUT_CACHE; i++)
		if (t->layouts[i].layout) {
			free(t->layouts[i].key);
			g_object_unref(t->layouts[i].layout);
		}
	for (size_t i = 0; i < IMAGE_CACHE; i++)
		if (t->images[i].surface) {
			free(t->images[i].png);
			cairo_surface_destroy(t->images[i].surface);
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

static PangoLayout *layout_new(struct pdf *d, double width, const char *font, enum pdf_align align,
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
	pango_layout_set_text(l, text, -1);
	return l;
}

/* The layout of text in that box and font, from the thread's cache or made
 * and kept there; the caller owns a reference (g_object_unref). */
static PangoLayout *layout_for(struct pdf *d, double width, const char *font, enum pdf_align align,
                               const char *text)
{
	if (!text)
		text = "";
	if (!font || !*font)
		font = BODY_FONT;
	size_t tlen = strlen(text), flen = strlen(font);
	if (tlen > LAYOUT_CACHE_TEXT)
		return layout_new(d, width, font, align, text);
	/* key: width in Pango units, alignment, font, NUL, text */
	char key[32 + 64 + LAYOUT_CACHE_TEXT];
	if (flen > 64)
		return layout_new(d, width, font, align, text);
	int w = width > 0 ? (int)(width * PANGO_SCALE) : -1;
	memcpy(key, &w, sizeof w);
	key[sizeof w] = (char)align;
	memcpy(key + sizeof w + 1, font, flen + 1);
	memcpy(key + sizeof w + 2 + flen, text, tlen);
	size_t keylen = sizeof w + 2 + flen + tlen;
	uint64_t h = 14695981039346656037u; /* FNV-1a */
	for (size_t i = 0; i < keylen; i++)
		h = (h ^ (unsigned char)key[i]) * 1099511628211u;
	struct pdf_thread *t = d->t;
	struct layout_entry *slot = NULL; /* a free entry, else the least recently used */
	for (size_t i = 0; i < LAYOUT_CACHE; i++) {
		struct layout_entry *e = &t->layouts[i];
		if (e->layout && e->hash == h && e->keylen == keylen &&
		    !memcmp(e->key, key, keylen)) {
			e->used = ++t->tick;
			return g_object_ref(e->layout);
		}
		if (!slot || (slot->layout && (!e->layout || e->used < slot->used)))
			slot = e;
	}
	PangoLayout *l = layout_new(d, width, font, align, text);
	char *copy = malloc(keylen);
	if (!copy)
		return l;
	if (slot->layout) {
		free(slot->key);
		g_object_unref(slot->layout);
	}
	memcpy(copy, key, keylen);
	*slot = (struct layout_entry){.hash = h, .used = ++t->tick, .key = copy, .keylen = keylen,
	                              .layout = g_object_ref(l)};
	return l;
}

static double layout_height(PangoLayout *l)
{
	int w, h;
	pango_layout_get_size(l, &w, &h);
	return (double)h / PANGO_SCALE;
}

static double text_height(struct pdf *d, double width, const char *font, enum pdf_align align,
                          const char *text)
{
	PangoLayout *l = layout_for(d, width, font, align, text);
	double h = layout_height(l);
	g_object_unref(l);
	return h;
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
	/* The dark modules as a 1-bit stencil, one pixel per module, painted
	 * black through it and scaled without smoothing: the PDF gets a small
	 * image mask (/ImageMask, /Interpolate false) that viewers and printers
	 * draw as sharp squares, instead of a path of hundreds of rectangles
	 * whose coordinates cost most of the page's bytes and time. */
	cairo_surface_t *mask = cairo_image_surface_create(CAIRO_FORMAT_A1, n, n);
	if (cairo_surface_status(mask) != CAIRO_STATUS_SUCCESS) {
		cairo_surface_destroy(mask);
		QRcode_free(qr);
		return CAMPUS_ENOMEM;
	}
	cairo_surface_flush(mask);
	unsigned char *px = cairo_image_surface_get_data(mask);
	int stride = cairo_image_surface_get_stride(mask);
	for (int r = 0; r < n; r++) {
		uint32_t *row = (uint32_t *)(void *)(px + (size_t)r * (size_t)stride);
		for (int c = 0; c < n; c++)
			if (qr->data[r * n + c] & 1)
				row[c / 32] |= A1_BIT(c % 32);
	}
	cairo_surface_mark_dirty(mask);
	cairo_save(cr);
	cairo_translate(cr, x + QR_QUIET * m, y + QR_QUIET * m);
	cairo_scale(cr, m, m);
	cairo_set_source_rgb(cr, 0, 0, 0);
	cairo_pattern_t *pat = cairo_pattern_create_for_surface(mask);
	cairo_pattern_set_filter(pat, CAIRO_FILTER_NEAREST);
	cairo_mask(cr, pat);
	cairo_pattern_destroy(pat);
	cairo_restore(cr);
	cairo_surface_destroy(mask);
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

/* Width and height from a PNG's header (IHDR comes first); false when short. */
static bool png_size(const unsigned char *p, size_t n, int *w, int *h)
{
	if (n < 24 || memcmp(p + 12, "IHDR", 4) != 0)
		return false;
	uint32_t x = (uint32_t)p[16] << 24 | (uint32_t)p[17] << 16 | (uint32_t)p[18] << 8 | p[19];
	uint32_t y = (uint32_t)p[20] << 24 | (uint32_t)p[21] << 16 | (uint32_t)p[22] << 8 | p[23];
	if (x == 0 || y == 0 || x > 1u << 20 || y > 1u << 20)
		return false;
	*w = (int)x;
	*h = (int)y;
	return true;
}

/* The decoded image of a PNG, at most tw x th pixels (a bigger one is scaled
 * down: its pixels beyond IMAGE_DPI would only make every PDF bigger and
 * slower), from the thread's cache when the same bytes came before at that
 * size (compared in full, so another image never passes for it). The caller
 * owns a reference. NULL when the bytes do not decode. */
static cairo_surface_t *png_surface(struct pdf_thread *t, const void *png, size_t n, int tw, int th)
{
	for (size_t i = 0; i < IMAGE_CACHE; i++) {
		struct image_entry *e = &t->images[i];
		if (e->surface && e->n == n && e->tw == tw && e->th == th &&
		    !memcmp(e->png, png, n))
			return cairo_surface_reference(e->surface);
	}
	struct png_reader r = {.p = png, .n = n};
	cairo_surface_t *img = cairo_image_surface_create_from_png_stream(read_png, &r);
	int iw = cairo_image_surface_get_width(img), ih = cairo_image_surface_get_height(img);
	if (cairo_surface_status(img) != CAIRO_STATUS_SUCCESS || iw <= 0 || ih <= 0) {
		cairo_surface_destroy(img);
		return NULL;
	}
	if (iw > tw || ih > th) {
		cairo_surface_t *small =
		    cairo_image_surface_create(cairo_image_surface_get_format(img), tw, th);
		cairo_t *cr = cairo_create(small);
		cairo_scale(cr, (double)tw / iw, (double)th / ih);
		cairo_set_source_surface(cr, img, 0, 0);
		cairo_pattern_set_filter(cairo_get_source(cr), CAIRO_FILTER_GOOD);
		cairo_set_operator(cr, CAIRO_OPERATOR_SOURCE);
		cairo_paint(cr);
		cairo_destroy(cr);
		cairo_surface_destroy(img);
		img = small;
		if (cairo_surface_status(img) != CAIRO_STATUS_SUCCESS) {
			cairo_surface_destroy(img);
			return NULL;
		}
	}
	unsigned char *copy = n <= IMAGE_CACHE_BYTES ? malloc(n) : NULL;
	if (copy) {
		struct image_entry *e = &t->images[t->nextimage++ % IMAGE_CACHE];
		if (e->surface) {
			free(e->png);
			cairo_surface_destroy(e->surface);
		}
		memcpy(copy, png, n);
		*e = (struct image_entry){.png = copy, .n = n, .tw = tw, .th = th,
		                          .surface = cairo_surface_reference(img)};
	}
	return img;
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
	int iw, ih;
	if (!png_size(png, n, &iw, &ih))
		return CAMPUS_EMEDIA;
	double s = max_w / iw < max_h / ih ? max_w / iw : max_h / ih;
	double dw = iw * s, dh = ih * s;
	/* The pixels the drawn size needs at IMAGE_DPI, never more than it has. */
	int tw = (int)ceil(dw * IMAGE_DPI / 72), th = (int)ceil(dh * IMAGE_DPI / 72);
	if (tw >= iw || th >= ih || tw < 1 || th < 1) {
		tw = iw;
		th = ih;
	}
	cairo_surface_t *img = png_surface(d->t, png, n, tw, th);
	if (!img)
		return CAMPUS_EMEDIA;
	if (align == PDF_CENTER)
		x += (max_w - dw) / 2;
	else if (align == PDF_RIGHT)
		x += max_w - dw;
	cairo_save(d->cr);
	cairo_translate(d->cr, x, y);
	cairo_scale(d->cr, dw / cairo_image_surface_get_width(img),
	            dh / cairo_image_surface_get_height(img));
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
	const char *plain = header ? PDF_FONT " Bold 9.5" : PDF_FONT " 9.5";
	const double pad = 4;
	double tw = text_width(d), rh = 0;
#define CELL_FONT(i) (cols[i].code && !header ? PDF_CODE_FONT " Bold 9" : plain)
	for (size_t i = 0; i < n; i++) {
		/* Measured in the alignment it is drawn in: the same cached layout. */
		double h = text_height(d, cols[i].share * tw - 2 * pad, CELL_FONT(i), cols[i].align,
		                       cells[i]);
		if (h > rh)
			rh = h;
	}
	rh += 2 * pad;
	need(d, rh);
	double x = d->left;
	for (size_t i = 0; i < n; i++) {
		double cw = cols[i].share * tw;
		pdf_text_at(d, x + pad, d->y + pad, cw - 2 * pad, CELL_FONT(i), "#1a1a1a",
		            cols[i].align, cells[i]);
		x += cw;
	}
#undef CELL_FONT
	d->y += rh;
	pdf_rect(d, d->left, d->y - (header ? 1 : 0.5), tw, header ? 1 : 0.5,
	         header ? "#1a1a1a" : "#c8c8c8");
}
