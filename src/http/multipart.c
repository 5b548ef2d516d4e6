#include "http/multipart.h"

#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/arena.h"
#include "core/buf.h"
#include "core/err.h"
#include "core/str.h"
#include "http/headers.h"

#define BOUNDARY_MAX 70
#define PREAMBLE_MAX 1024 /* bytes ignored before the first boundary */
#define PADDING_MAX 64    /* transport padding after a boundary */
#define WBUF_SIZE ((size_t)64 << 10)

enum mp_state {
	MP_PREAMBLE,    /* looking for the first boundary */
	MP_AFTER_DELIM, /* "--" (close), padding or CRLF */
	MP_CLOSE_DASH,  /* second '-' of the close delimiter */
	MP_PADDING,
	MP_EXPECT_LF,
	MP_HEADERS,
	MP_DATA,
	MP_EPILOGUE, /* after the close delimiter: ignored */
};

struct multipart_parser {
	struct arena *arena;
	struct form *out;
	struct form_limits lim;
	char delim[4 + BOUNDARY_MAX + 1]; /* "\r\n--" boundary */
	size_t dlen;
	size_t match; /* leading delimiter bytes seen and held back */
	enum mp_state state;
	size_t preamble, padding;

	/* current part's headers */
	char line[MULTIPART_LINE_MAX];
	size_t line_len;
	bool line_cr;
	size_t hdr_bytes;
	bool have_disp, have_ctype;
	char *name, *filename, *ctype;

	/* current part's body */
	struct form_field *file; /* NULL: ordinary field */
	struct buf value;
	char *wbuf;
	size_t wlen;
	unsigned files;

	bool finished;
	int err;
};

/* ---- header parameters (Content-Type, Content-Disposition) ---- */

static bool is_ows(char c)
{
	return c == ' ' || c == '\t';
}

static bool is_tchar(unsigned char c)
{
	if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9'))
		return true;
	return c != 0 && strchr("!#$%&'*+-.^_`|~", c) != NULL;
}

static bool ieq(struct str a, const char *b)
{
	return str_ieq_cstr(a, b);
}

/* Reads the next "; name=value" from s[*pos..len). Returns 1 with the name
 * and the raw value (quotes included), 0 at the end, or CAMPUS_EINVAL. Nothing
 * is copied: callers decode only the parameters they want. */
static int next_param(const char *s, size_t len, size_t *pos, struct str *name, struct str *raw)
{
	size_t i = *pos;
	while (i < len && is_ows(s[i]))
		i++;
	if (i == len)
		return 0;
	if (s[i] != ';')
		return CAMPUS_EINVAL;
	i++;
	while (i < len && is_ows(s[i]))
		i++;
	if (i == len) /* a trailing ';' is harmless */
		return 0;
	size_t ns = i;
	while (i < len && is_tchar((unsigned char)s[i]))
		i++;
	if (i == ns)
		return CAMPUS_EINVAL;
	*name = (struct str){s + ns, i - ns};
	while (i < len && is_ows(s[i]))
		i++;
	if (i == len || s[i] != '=')
		return CAMPUS_EINVAL;
	i++;
	while (i < len && is_ows(s[i]))
		i++;
	size_t vs = i;
	if (i < len && s[i] == '"') {
		for (i++;; i++) {
			if (i == len)
				return CAMPUS_EINVAL; /* unterminated */
			if (s[i] == '"')
				break;
			if (s[i] == '\\' && i + 1 < len && (s[i + 1] == '"' || s[i + 1] == '\\'))
				i++;
		}
		i++;
	} else {
		while (i < len && !is_ows(s[i]) && s[i] != ';' && s[i] != '"' &&
		       (unsigned char)s[i] > 0x20 && s[i] != 0x7F)
			i++;
		if (i == vs)
			return CAMPUS_EINVAL;
	}
	*raw = (struct str){s + vs, i - vs};
	*pos = i;
	return 1;
}

/* Copies a raw parameter value into the arena, unquoting it. Quoted values
 * honour \" and \\; any other backslash is kept, because old browsers send
 * Windows paths unescaped. */
static int param_value(struct arena *a, struct str raw, char **value, size_t *vlen)
{
	char *v = arena_alloc(a, raw.len + 1);
	if (!v)
		return CAMPUS_ENOMEM;
	size_t o = 0;
	if (raw.len >= 2 && raw.ptr[0] == '"') {
		for (size_t i = 1; i + 1 < raw.len; i++) {
			char c = raw.ptr[i];
			if (c == '\\' && i + 2 < raw.len &&
			    (raw.ptr[i + 1] == '"' || raw.ptr[i + 1] == '\\'))
				c = raw.ptr[++i];
			v[o++] = c;
		}
	} else {
		memcpy(v, raw.ptr, raw.len);
		o = raw.len;
	}
	v[o] = '\0';
	*value = v;
	*vlen = o;
	return 0;
}

/* RFC 2046 bchars, at most 70, not ending in a space. */
static bool boundary_ok(const char *b, size_t n)
{
	if (n < 1 || n > BOUNDARY_MAX || b[n - 1] == ' ')
		return false;
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)b[i];
		bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		          (c >= '0' && c <= '9') || (c != 0 && strchr("'()+_,-./:=? ", c) != NULL);
		if (!ok)
			return false;
	}
	return true;
}

int multipart_boundary(const char *content_type, struct arena *a, const char **boundary)
{
	struct str mt;
	if (http_content_type(content_type, &mt) != 0 || !ieq(mt, "multipart/form-data"))
		return CAMPUS_EMEDIA;
	size_t len = strlen(content_type), pos = (size_t)(mt.ptr + mt.len - content_type);
	const char *found = NULL;
	for (;;) {
		struct str name, raw;
		char *v;
		size_t vlen;
		int rc = next_param(content_type, len, &pos, &name, &raw);
		if (rc < 0)
			return rc;
		if (rc == 0)
			break;
		if (!ieq(name, "boundary"))
			continue;
		if (found)
			return CAMPUS_EINVAL;
		if ((rc = param_value(a, raw, &v, &vlen)) != 0)
			return rc;
		if (!boundary_ok(v, vlen))
			return CAMPUS_EINVAL;
		found = v;
	}
	if (!found)
		return CAMPUS_EINVAL;
	*boundary = found;
	return 0;
}

/* ---- parser ---- */

struct multipart_parser *multipart_new(struct arena *a, const char *boundary,
                                       const struct form_limits *limits, struct form *out)
{
	if (!boundary || !out)
		return NULL;
	size_t bl = strlen(boundary);
	if (!boundary_ok(boundary, bl))
		return NULL;
	struct multipart_parser *p = arena_zalloc(a, sizeof *p);
	if (!p)
		return NULL;
	p->arena = a;
	p->out = out;
	p->lim = limits ? *limits : form_limits_default();
	if (!p->lim.tmp_dir)
		p->lim.tmp_dir = "/tmp";
	p->lim.tmp_dir = arena_strdup(a, p->lim.tmp_dir);
	if (!p->lim.tmp_dir)
		return NULL;
	memcpy(p->delim, "\r\n--", 4);
	memcpy(p->delim + 4, boundary, bl);
	p->dlen = 4 + bl;
	/* The first boundary may open the body without a CRLF before it: act as
	 * if one had been seen. */
	p->match = 2;
	p->state = MP_PREAMBLE;
	buf_init(&p->value, a, SIZE_MAX); /* max_value is checked by hand */
	return p;
}

static void reset_part(struct multipart_parser *p)
{
	p->line_len = 0;
	p->line_cr = false;
	p->hdr_bytes = 0;
	p->have_disp = p->have_ctype = false;
	p->name = p->filename = p->ctype = NULL;
	p->file = NULL;
	p->wlen = 0;
	buf_clear(&p->value);
}

/* Appends the gathered bytes to the temp file. Opening per flush means no
 * descriptor outlives a call, whatever the server does with the parser. */
static int flush_file(struct multipart_parser *p)
{
	if (p->wlen == 0)
		return 0;
	int fd = open(p->file->tmp_path, O_WRONLY | O_APPEND | O_CLOEXEC | O_NOFOLLOW);
	if (fd < 0)
		return CAMPUS_EIO;
	size_t off = 0;
	while (off < p->wlen) {
		ssize_t w = write(fd, p->wbuf + off, p->wlen - off);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0) {
			close(fd);
			return CAMPUS_EIO;
		}
		off += (size_t)w;
	}
	p->wlen = 0;
	return close(fd) == 0 ? 0 : CAMPUS_EIO;
}

/* Part body bytes (or preamble bytes, which are only counted). */
static int sink(struct multipart_parser *p, const char *s, size_t n)
{
	if (n == 0)
		return 0;
	if (p->state == MP_PREAMBLE) {
		p->preamble += n;
		return p->preamble > PREAMBLE_MAX ? CAMPUS_EINVAL : 0;
	}
	if (p->file) {
		if (!p->file->tmp_path) /* filename="" means no file was chosen */
			return CAMPUS_EINVAL;
		if (n > p->lim.max_file - p->file->size)
			return CAMPUS_ETOOBIG;
		p->file->size += n;
		while (n) {
			size_t k = WBUF_SIZE - p->wlen;
			if (k > n)
				k = n;
			memcpy(p->wbuf + p->wlen, s, k);
			p->wlen += k;
			s += k;
			n -= k;
			if (p->wlen == WBUF_SIZE) {
				int rc = flush_file(p);
				if (rc)
					return rc;
			}
		}
		return 0;
	}
	if (n > p->lim.max_value - p->value.len)
		return CAMPUS_ETOOBIG;
	int rc = buf_append(&p->value, s, n);
	return rc == CAMPUS_ETOOBIG ? CAMPUS_ENOMEM : rc;
}

static bool filename_char_ok(unsigned char c)
{
	return c >= 0x20 && c != 0x7F;
}

/* Keeps the last path component: the name is shown to people and maybe used
 * as a hint, never as a path. */
static int clean_filename(char *raw, size_t n, char **out)
{
	size_t start = 0;
	for (size_t i = 0; i < n; i++)
		if (raw[i] == '/' || raw[i] == '\\')
			start = i + 1;
	char *b = raw + start;
	size_t bl = n - start;
	if (n > 0 && bl == 0)
		return CAMPUS_EINVAL; /* "dir/" */
	if (bl > MULTIPART_FILENAME_MAX)
		return CAMPUS_ETOOBIG;
	if (!utf8_valid(b, bl))
		return CAMPUS_EINVAL;
	for (size_t i = 0; i < bl; i++)
		if (!filename_char_ok((unsigned char)b[i]))
			return CAMPUS_EINVAL;
	if ((bl == 1 && b[0] == '.') || (bl == 2 && b[0] == '.' && b[1] == '.'))
		return CAMPUS_EINVAL;
	*out = b;
	return 0;
}

static int parse_disposition(struct multipart_parser *p, const char *v, size_t len)
{
	size_t i = 0;
	while (i < len && is_tchar((unsigned char)v[i]))
		i++;
	if (!ieq((struct str){v, i}, "form-data"))
		return CAMPUS_EINVAL;
	bool seen_name = false, seen_file = false;
	for (;;) {
		struct str name, raw;
		char *val;
		size_t vl;
		int rc = next_param(v, len, &i, &name, &raw);
		if (rc <= 0)
			return rc;
		bool is_name = ieq(name, "name"), is_file = ieq(name, "filename");
		/* Other parameters, "filename*" included (RFC 7578 4.2), are ignored. */
		if (!is_name && !is_file)
			continue;
		if ((is_name && seen_name) || (is_file && seen_file))
			return CAMPUS_EINVAL;
		seen_name |= is_name;
		seen_file |= is_file;
		if ((rc = param_value(p->arena, raw, &val, &vl)) != 0)
			return rc;
		if (is_name) {
			if (vl == 0 || !utf8_valid(val, vl))
				return CAMPUS_EINVAL;
			if (vl > p->lim.max_name)
				return CAMPUS_ETOOBIG;
			p->name = val;
		} else {
			rc = clean_filename(val, vl, &p->filename);
			if (rc)
				return rc;
		}
	}
}

static int parse_header_line(struct multipart_parser *p)
{
	const char *s = p->line;
	size_t n = p->line_len;
	const char *colon = memchr(s, ':', n);
	if (!colon || colon == s)
		return CAMPUS_EINVAL;
	struct str hname = {s, (size_t)(colon - s)};
	for (size_t i = 0; i < hname.len; i++)
		if (!is_tchar((unsigned char)s[i]))
			return CAMPUS_EINVAL;
	size_t vs = hname.len + 1, ve = n;
	while (vs < ve && is_ows(s[vs]))
		vs++;
	while (ve > vs && is_ows(s[ve - 1]))
		ve--;
	for (size_t i = vs; i < ve; i++) {
		unsigned char c = (unsigned char)s[i];
		if ((c < 0x20 && c != '\t') || c == 0x7F)
			return CAMPUS_EINVAL;
	}
	if (ieq(hname, "content-disposition")) {
		if (p->have_disp)
			return CAMPUS_EINVAL;
		p->have_disp = true;
		return parse_disposition(p, s + vs, ve - vs);
	}
	if (ieq(hname, "content-type")) {
		if (p->have_ctype)
			return CAMPUS_EINVAL;
		p->have_ctype = true;
		for (size_t i = vs; i < ve; i++)
			if ((unsigned char)s[i] >= 0x80)
				return CAMPUS_EINVAL;
		p->ctype = arena_strndup(p->arena, s + vs, ve - vs);
		if (!p->ctype)
			return CAMPUS_ENOMEM;
		struct str mt;
		return http_content_type(p->ctype, &mt) == 0 ? 0 : CAMPUS_EINVAL;
	}
	return 0; /* other part headers carry nothing we use */
}

static int make_temp(struct multipart_parser *p, char **path)
{
	char *t = arena_printf(p->arena, "%s/campus-upload-XXXXXX", p->lim.tmp_dir);
	if (!t)
		return CAMPUS_ENOMEM;
	int fd = mkostemp(t, O_CLOEXEC); /* mode 0600 */
	if (fd < 0)
		return CAMPUS_EIO;
	close(fd);
	*path = t;
	return 0;
}

/* Headers are complete: set up the sink for the part body. */
static int begin_body(struct multipart_parser *p)
{
	if (!p->have_disp || !p->name)
		return CAMPUS_EINVAL;
	if (p->out->count >= p->lim.max_fields)
		return CAMPUS_ETOOBIG;
	p->state = MP_DATA;
	p->match = 0;
	if (!p->filename)
		return 0;
	struct form_field *f = arena_zalloc(p->arena, sizeof *f);
	if (!f)
		return CAMPUS_ENOMEM;
	f->name = p->name;
	f->filename = p->filename;
	f->content_type = p->ctype;
	if (p->filename[0]) {
		if (p->files >= p->lim.max_files)
			return CAMPUS_ETOOBIG;
		if (!p->wbuf && !(p->wbuf = arena_alloc(p->arena, WBUF_SIZE)))
			return CAMPUS_ENOMEM;
		char *path;
		int rc = make_temp(p, &path);
		if (rc)
			return rc;
		f->tmp_path = path;
		p->files++;
	}
	/* Listed at once, so cleanup finds the file whatever happens next. */
	int rc = form_add(p->out, p->lim.max_fields, f);
	if (rc) {
		if (f->tmp_path)
			unlink(f->tmp_path);
		return rc;
	}
	p->file = f;
	return 0;
}

static int end_part(struct multipart_parser *p)
{
	if (p->file)
		return flush_file(p);
	if (!utf8_valid(buf_cstr(&p->value), p->value.len))
		return CAMPUS_EINVAL;
	struct form_field *f = arena_zalloc(p->arena, sizeof *f);
	if (!f)
		return CAMPUS_ENOMEM;
	f->name = p->name;
	f->value = arena_strndup(p->arena, buf_cstr(&p->value), p->value.len);
	if (!f->value)
		return CAMPUS_ENOMEM;
	f->value_len = p->value.len;
	f->content_type = p->ctype;
	return form_add(p->out, p->lim.max_fields, f);
}

/* Scans for the delimiter in PREAMBLE/DATA. Bytes that cannot start it go to
 * the sink; a partial match is held back (it equals a prefix of delim, so it
 * needs no copy) and released if the match fails. CR appears in the delimiter
 * only at its start, so after a failed match no suffix of the held bytes can
 * begin a new one. Returns bytes consumed; *found when the delimiter ended. */
static int scan(struct multipart_parser *p, const char *d, size_t len, size_t *used, bool *found)
{
	size_t i = 0, start = 0;
	*found = false;
	while (i < len) {
		if (p->match == 0) {
			const char *cr = memchr(d + i, '\r', len - i);
			if (!cr) {
				i = len;
				break;
			}
			i = (size_t)(cr - d);
			int rc = sink(p, d + start, i - start);
			if (rc)
				return rc;
			p->match = 1;
			start = ++i;
			continue;
		}
		if (d[i] == p->delim[p->match]) {
			p->match++;
			start = ++i;
			if (p->match == p->dlen) {
				p->match = 0;
				*used = i;
				*found = true;
				return 0;
			}
			continue;
		}
		int rc = sink(p, p->delim, p->match);
		if (rc)
			return rc;
		p->match = 0;
	}
	*used = len;
	return sink(p, d + start, len - start);
}

static int header_byte(struct multipart_parser *p, char c)
{
	if (++p->hdr_bytes > MULTIPART_HEADERS_MAX)
		return CAMPUS_ETOOBIG;
	if (p->line_cr) {
		if (c != '\n')
			return CAMPUS_EINVAL;
		p->line_cr = false;
		if (p->line_len == 0)
			return begin_body(p);
		int rc = parse_header_line(p);
		p->line_len = 0;
		return rc;
	}
	if (c == '\r') {
		p->line_cr = true;
		return 0;
	}
	if (c == '\n' || c == '\0')
		return CAMPUS_EINVAL;
	if (p->line_len >= MULTIPART_LINE_MAX)
		return CAMPUS_ETOOBIG;
	p->line[p->line_len++] = c;
	return 0;
}

static int feed(struct multipart_parser *p, const char *d, size_t len)
{
	size_t i = 0;
	while (i < len) {
		char c = d[i];
		switch (p->state) {
		case MP_PREAMBLE:
		case MP_DATA: {
			size_t used;
			bool found;
			int rc = scan(p, d + i, len - i, &used, &found);
			if (rc)
				return rc;
			i += used;
			if (found) {
				if (p->state == MP_DATA && (rc = end_part(p)) != 0)
					return rc;
				p->state = MP_AFTER_DELIM;
				p->padding = 0;
			}
			continue;
		}
		case MP_AFTER_DELIM:
			if (c == '-')
				p->state = MP_CLOSE_DASH;
			else if (is_ows(c))
				p->state = MP_PADDING;
			else if (c == '\r')
				p->state = MP_EXPECT_LF;
			else
				return CAMPUS_EINVAL;
			break;
		case MP_CLOSE_DASH:
			if (c != '-')
				return CAMPUS_EINVAL;
			p->state = MP_EPILOGUE;
			break;
		case MP_PADDING:
			if (c == '\r')
				p->state = MP_EXPECT_LF;
			else if (!is_ows(c) || ++p->padding > PADDING_MAX)
				return CAMPUS_EINVAL;
			break;
		case MP_EXPECT_LF:
			if (c != '\n')
				return CAMPUS_EINVAL;
			reset_part(p);
			p->state = MP_HEADERS;
			break;
		case MP_HEADERS: {
			int rc = header_byte(p, c);
			if (rc)
				return rc;
			break;
		}
		case MP_EPILOGUE:
			return 0;
		}
		i++;
	}
	return 0;
}

int multipart_feed(struct multipart_parser *p, const char *data, size_t len)
{
	if (p->err)
		return p->err;
	if (p->finished)
		return CAMPUS_EINVAL;
	if (len && !data)
		return p->err = CAMPUS_EINVAL;
	return p->err = feed(p, data, len);
}

int multipart_finish(struct multipart_parser *p)
{
	if (p->err || p->finished)
		return p->err;
	p->finished = true;
	if (p->state != MP_EPILOGUE)
		p->err = CAMPUS_EINVAL;
	return p->err;
}

void multipart_cleanup(const struct form *f)
{
	if (!f)
		return;
	for (const struct form_field *x = f->first; x; x = x->next)
		if (x->tmp_path)
			unlink(x->tmp_path);
}
