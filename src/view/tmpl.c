/* Template engine. Compilation runs in passes over one template:
 *   lex        source -> flat tokens (text split per line, tags)
 *   standalone lines holding only whitespace and non-output tags are dropped
 *   build      tokens -> node tree (adjacent text merged, names copied)
 *   html       HTML mode only: follow the markup, pick each variable's escaping
 * Rendering walks the tree; see docs/internals/view.md. */
#include "view/tmpl.h"

#include <dirent.h>
#include <errno.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "core/arena.h"
#include "core/buf.h"
#include "core/err.h"
#include "core/str.h"

#define DELIM_MAX 16
#define DEFAULT_MAX_STEPS (1UL << 24)
#define FILE_MAX ((size_t)8 << 20)
#define DIR_DEPTH_MAX 16
/* Bound on the HTML pass: sections may be walked twice, never more. */
#define HTML_WORK_MAX 50000000UL

/* ------------------------------------------------------------------------ */
/* Compiled form */

enum nkind { N_TEXT, N_VAR, N_SECTION, N_INVERTED, N_PARTIAL, N_PARENT, N_BLOCK, N_TRANS };

enum esc {
	ESC_HTML,     /* text, quoted attribute value, plain mode */
	ESC_RAW,      /* {{{x}}} in text */
	ESC_URL,      /* starts a URL attribute: scheme check, then HTML escape */
	ESC_URL_PART, /* later in a URL attribute: percent-encoded */
	ESC_ATTR,     /* N_TRANS in an attribute: translated literal gets quotes escaped */
};

struct tmpl;

struct node {
	uint8_t kind;
	uint8_t esc;
	bool raw;        /* {{{x}}} or {{&x}} */
	bool bol;        /* starts a source line: gets the indentation of its frame */
	bool standalone; /* partial/parent/block tag sat on a standalone line */
	bool esc_set;    /* the HTML pass has chosen esc (sections are walked twice) */
	unsigned line;
	const char *file;
	const char *s; /* N_TEXT: the text; others: the name as written */
	size_t n;
	struct node *kids; /* body, default content, overrides, msgid parts */
	size_t nkids;
	const char *ind; /* indentation pushed by a standalone partial/parent/block */
	size_t indn;
	const struct tmpl *target; /* partial/parent after linking */
	const char *msgid;         /* N_TRANS */
};

struct tmpl {
	const char *name;
	size_t namelen;
	const char *file;
	struct node *kids;
	size_t nkids;
};

struct tmpl_set {
	unsigned flags;
	struct arena *arena;
	struct tmpl **t;
	size_t nt, capt;
	size_t *hash; /* open addressing; index into t plus one, 0 = free */
	size_t hcap;
};

/* ------------------------------------------------------------------------ */
/* Small helpers */

static char lower(char c) { return (c >= 'A' && c <= 'Z') ? (char)(c + 32) : c; }
static bool is_alpha(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }
static bool is_digit(char c) { return c >= '0' && c <= '9'; }
static bool is_space(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }
static bool is_blank(char c) { return c == ' ' || c == '\t'; }

static unsigned count_nl(const char *s, size_t n)
{
	unsigned k = 0;
	for (const char *e = s + n; (s = memchr(s, '\n', (size_t)(e - s))) != NULL; s++)
		k++;
	return k;
}

static uint64_t name_hash(const char *s, size_t n)
{
	uint64_t h = 14695981039346656037ULL;
	for (size_t i = 0; i < n; i++) {
		h ^= (unsigned char)s[i];
		h *= 1099511628211ULL;
	}
	return h;
}

static struct tmpl *set_find(const struct tmpl_set *set, const char *s, size_t n)
{
	if (!set->hcap)
		return NULL;
	size_t mask = set->hcap - 1;
	for (size_t i = (size_t)name_hash(s, n) & mask;; i = (i + 1) & mask) {
		size_t x = set->hash[i];
		if (!x)
			return NULL;
		struct tmpl *t = set->t[x - 1];
		if (t->namelen == n && memcmp(t->name, s, n) == 0)
			return t;
	}
}

static void set_index(struct tmpl_set *set, size_t idx)
{
	const struct tmpl *t = set->t[idx];
	size_t mask = set->hcap - 1;
	size_t i = (size_t)name_hash(t->name, t->namelen) & mask;
	while (set->hash[i])
		i = (i + 1) & mask;
	set->hash[i] = idx + 1;
}

static void set_insert(struct tmpl_set *set, struct tmpl *t)
{
	if (set->nt == set->capt) {
		set->capt = set->capt ? set->capt * 2 : 16;
		set->t = xrealloc(set->t, set->capt * sizeof *set->t);
	}
	set->t[set->nt++] = t;
	if (set->nt * 2 > set->hcap) {
		free(set->hash);
		set->hcap = set->hcap ? set->hcap * 2 : 32;
		set->hash = xcalloc(set->hcap, sizeof *set->hash);
		for (size_t i = 0; i < set->nt; i++)
			set_index(set, i);
	} else {
		set_index(set, set->nt - 1);
	}
}

/* ------------------------------------------------------------------------ */
/* Compiler state and errors */

enum tkind {
	T_TEXT, T_VAR, T_SECTION, T_INVERTED, T_CLOSE, T_COMMENT, T_PARTIAL, T_DELIM,
	T_BLOCK, T_PARENT, T_TRANS,
};

struct trans;

struct tok {
	uint8_t kind;
	bool raw;
	bool standalone;
	bool removed; /* whitespace of a standalone line */
	bool bol;
	unsigned line;
	const char *s; /* text, or the trimmed tag name */
	size_t n;
	const char *ind; /* leading whitespace of a standalone tag's line */
	size_t indn;
	struct trans *tr;
};

struct trans {
	const char *msgid;
	struct tok *parts; /* T_TEXT and T_VAR */
	size_t nparts;
};

struct comp {
	struct tmpl_set *set;
	const char *file;
	struct buf *err;
	int rc;
	struct tok *tok;
	size_t ntok, captok;
	unsigned last_line;
	unsigned long work;
};

__attribute__((format(printf, 3, 4)))
static int cerr(struct comp *c, unsigned line, const char *fmt, ...)
{
	if (c->rc == 0) {
		c->rc = CAMPUS_EINVAL;
		if (c->err) {
			va_list ap;
			buf_printf(c->err, "%s:%u: ", c->file, line);
			va_start(ap, fmt);
			buf_vprintf(c->err, fmt, ap);
			va_end(ap);
		}
	}
	return c->rc;
}

static void *cmem(struct comp *c, size_t n)
{
	void *p = arena_alloc(c->set->arena, n ? n : 1);
	if (!p && c->rc == 0) {
		c->rc = CAMPUS_ENOMEM;
		if (c->err)
			buf_printf(c->err, "%s: out of template memory", c->file);
	}
	return p;
}

static char *cstrndup(struct comp *c, const char *s, size_t n)
{
	char *d = cmem(c, n + 1);
	if (d) {
		if (n)
			memcpy(d, s, n);
		d[n] = '\0';
	}
	return d;
}

static struct tok *push_tok(struct comp *c, uint8_t kind, unsigned line, const char *s, size_t n)
{
	if (c->ntok == c->captok) {
		c->captok = c->captok ? c->captok * 2 : 256;
		c->tok = xrealloc(c->tok, c->captok * sizeof *c->tok);
	}
	struct tok *t = &c->tok[c->ntok++];
	memset(t, 0, sizeof *t);
	t->kind = kind;
	t->line = line;
	t->s = s;
	t->n = n;
	return t;
}

/* ------------------------------------------------------------------------ */
/* Lexer */

/* Text becomes one token per line so the standalone pass can look at lines. */
static void emit_text(struct comp *c, const char *s, size_t n, unsigned line)
{
	while (n) {
		const char *nl = memchr(s, '\n', n);
		size_t k = nl ? (size_t)(nl - s) + 1 : n;
		push_tok(c, T_TEXT, line, s, k);
		line += nl != NULL;
		s += k;
		n -= k;
	}
}

static void trim(const char **s, size_t *n)
{
	while (*n && is_space(**s)) {
		(*s)++;
		(*n)--;
	}
	while (*n && is_space((*s)[*n - 1]))
		(*n)--;
}

static bool has_space(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (is_space(s[i]))
			return true;
	return false;
}

/* "." or dot-separated parts that are not empty. */
static bool valid_dotted(const char *s, size_t n)
{
	if (n == 1 && s[0] == '.')
		return true;
	if (n == 0 || s[0] == '.' || s[n - 1] == '.')
		return false;
	for (size_t i = 1; i < n; i++)
		if (s[i] == '.' && s[i - 1] == '.')
			return false;
	return true;
}

/* Names that a translated string may use: they are re-parsed at render time. */
static bool valid_trans_name(const char *s, size_t n)
{
	if (!valid_dotted(s, n))
		return false;
	for (size_t i = 0; i < n; i++) {
		char ch = s[i];
		if (!is_alpha(ch) && !is_digit(ch) && ch != '_' && ch != '.' && ch != '-')
			return false;
	}
	return true;
}

static int parse_delims(struct comp *c, unsigned line, const char *s, size_t n, char *otag,
                        size_t *olen, char *ctag, size_t *clen)
{
	trim(&s, &n);
	size_t i = 0;
	while (i < n && !is_space(s[i]))
		i++;
	const char *b = s + i;
	size_t bn = n - i;
	trim(&b, &bn);
	if (i == 0 || bn == 0 || i > DELIM_MAX || bn > DELIM_MAX || has_space(b, bn) ||
	    memchr(s, '=', i) || memchr(b, '=', bn))
		return cerr(c, line, "bad set-delimiter tag \"%.*s\"", (int)n, s);
	memcpy(otag, s, i);
	*olen = i;
	memcpy(ctag, b, bn);
	*clen = bn;
	return 0;
}

struct tvec {
	struct tok *v;
	size_t n, cap;
};

static struct tok *tvec_push(struct tvec *tv)
{
	if (tv->n == tv->cap) {
		tv->cap = tv->cap ? tv->cap * 2 : 8;
		tv->v = xrealloc(tv->v, tv->cap * sizeof *tv->v);
	}
	struct tok *t = &tv->v[tv->n++];
	memset(t, 0, sizeof *t);
	return t;
}

/* End of a {{#_}}: the parts become one T_TRANS token. Whitespace around the
 * msgid stays outside it, so "{{#_}}\n  Welkom\n{{/_}}" has msgid "Welkom". */
static int finish_trans(struct comp *c, struct tvec *tv, unsigned line)
{
	struct tok *p = tv->v;
	size_t np = tv->n;
	const char *lead = NULL, *tail = NULL;
	size_t leadn = 0, tailn = 0;
	unsigned lead_line = 0, tail_line = 0;
	if (np && p[0].kind == T_TEXT) {
		size_t k = 0;
		while (k < p[0].n && is_space(p[0].s[k]))
			k++;
		lead = p[0].s;
		leadn = k;
		lead_line = p[0].line;
		p[0].s += k;
		p[0].n -= k;
		p[0].line += count_nl(lead, k);
		if (p[0].n == 0) {
			p++;
			np--;
		}
	}
	if (np && p[np - 1].kind == T_TEXT) {
		struct tok *l = &p[np - 1];
		size_t k = l->n;
		while (k && is_space(l->s[k - 1]))
			k--;
		tail = l->s + k;
		tailn = l->n - k;
		tail_line = l->line + count_nl(l->s, k);
		l->n = k;
		if (k == 0)
			np--;
	}
	if (np == 0)
		return cerr(c, line, "empty translation");
	size_t len = 0;
	for (size_t i = 0; i < np; i++) {
		if (p[i].kind == T_VAR && !valid_trans_name(p[i].s, p[i].n))
			return cerr(c, p[i].line, "bad variable name \"%.*s\" inside a translation",
			            (int)p[i].n, p[i].s);
		len += p[i].n + (p[i].kind == T_VAR ? 4 : 0);
	}
	char *msgid = cmem(c, len + 1);
	struct trans *tr = cmem(c, sizeof *tr);
	struct tok *parts = cmem(c, np * sizeof *parts);
	if (!msgid || !tr || !parts)
		return c->rc;
	char *w = msgid;
	for (size_t i = 0; i < np; i++) {
		if (p[i].kind == T_VAR) {
			memcpy(w, "{{", 2);
			w += 2;
		}
		memcpy(w, p[i].s, p[i].n);
		w += p[i].n;
		if (p[i].kind == T_VAR) {
			memcpy(w, "}}", 2);
			w += 2;
		}
		parts[i] = p[i];
	}
	*w = '\0';
	tr->msgid = msgid;
	tr->parts = parts;
	tr->nparts = np;
	if (leadn)
		emit_text(c, lead, leadn, lead_line);
	push_tok(c, T_TRANS, line, "_", 1)->tr = tr;
	if (tailn)
		emit_text(c, tail, tailn, tail_line);
	return 0;
}

static int lex(struct comp *c, const char *src, size_t len)
{
	char otag[DELIM_MAX] = "{{", ctag[DELIM_MAX] = "}}";
	size_t olen = 2, clen = 2;
	size_t pos = 0;
	unsigned line = 1;
	struct tvec tv = {0};
	bool in_tr = false;
	unsigned tr_line = 0;
	int rc = 0;

	while (pos < len && rc == 0) {
		const char *o = memmem(src + pos, len - pos, otag, olen);
		size_t ts = o ? (size_t)(o - src) : len;
		if (ts > pos) {
			if (in_tr) {
				struct tok *t = tvec_push(&tv);
				t->kind = T_TEXT;
				t->line = line;
				t->s = src + pos;
				t->n = ts - pos;
			} else {
				emit_text(c, src + pos, ts - pos, line);
			}
			line += count_nl(src + pos, ts - pos);
		}
		if (!o)
			break;

		size_t i = ts + olen;
		char type = i < len ? src[i] : '\0';
		char close[DELIM_MAX + 1];
		size_t closen = 0;
		size_t cs = i; /* content start */
		if (type == '{' || type == '=') {
			close[0] = type == '{' ? '}' : '=';
			memcpy(close + 1, ctag, clen);
			closen = clen + 1;
			cs = i + 1;
		} else {
			memcpy(close, ctag, clen);
			closen = clen;
			if (type && strchr("#^/!>&<$", type))
				cs = i + 1;
		}
		const char *ce = cs <= len ? memmem(src + cs, len - cs, close, closen) : NULL;
		if (!ce) {
			rc = cerr(c, line, "unclosed tag \"%.*s\"", (int)olen, otag);
			break;
		}
		const char *name = src + cs;
		size_t namen = (size_t)(ce - name);
		size_t end = (size_t)(ce - src) + closen;
		unsigned tline = line;
		line += count_nl(src + ts, end - ts);
		pos = end;

		uint8_t kind;
		bool raw = false;
		switch (type) {
		case '#': kind = T_SECTION; break;
		case '^': kind = T_INVERTED; break;
		case '/': kind = T_CLOSE; break;
		case '!': kind = T_COMMENT; break;
		case '>': kind = T_PARTIAL; break;
		case '=': kind = T_DELIM; break;
		case '<': kind = T_PARENT; break;
		case '$': kind = T_BLOCK; break;
		case '{': case '&': kind = T_VAR; raw = true; break;
		default: kind = T_VAR; break;
		}
		if (kind == T_DELIM) {
			if (in_tr) {
				rc = cerr(c, tline, "only {{name}} variables may appear inside a translation");
				break;
			}
			rc = parse_delims(c, tline, name, namen, otag, &olen, ctag, &clen);
			if (rc == 0)
				push_tok(c, T_DELIM, tline, NULL, 0);
			continue;
		}
		if (kind == T_COMMENT) {
			if (in_tr) {
				rc = cerr(c, tline, "only {{name}} variables may appear inside a translation");
				break;
			}
			push_tok(c, T_COMMENT, tline, NULL, 0);
			continue;
		}
		trim(&name, &namen);
		if (namen == 0) {
			rc = cerr(c, tline, "empty tag");
			break;
		}
		if (has_space(name, namen)) {
			rc = cerr(c, tline, "bad tag name \"%.*s\"", (int)namen, name);
			break;
		}
		if ((kind == T_VAR || kind == T_SECTION || kind == T_INVERTED) &&
		    !valid_dotted(name, namen)) {
			rc = cerr(c, tline, "bad name \"%.*s\"", (int)namen, name);
			break;
		}
		bool is_tr = namen == 1 && name[0] == '_';
		if (in_tr) {
			if (kind == T_CLOSE && is_tr) {
				in_tr = false;
				rc = finish_trans(c, &tv, tr_line);
				tv.n = 0;
			} else if (kind == T_VAR && !raw) {
				struct tok *t = tvec_push(&tv);
				t->kind = T_VAR;
				t->line = tline;
				t->s = name;
				t->n = namen;
			} else {
				rc = cerr(c, tline, "only {{name}} variables may appear inside a translation");
			}
			continue;
		}
		if (kind == T_SECTION && is_tr) {
			in_tr = true;
			tr_line = tline;
			continue;
		}
		push_tok(c, kind, tline, name, namen)->raw = raw;
	}
	if (rc == 0 && in_tr)
		rc = cerr(c, tr_line, "translation {{#_}} is never closed");
	free(tv.v);
	/* The last line with text on it, for "template ends inside ...". */
	c->last_line = line - (line > 1 && len && src[len - 1] == '\n');
	return rc;
}

/* ------------------------------------------------------------------------ */
/* Standalone lines and line starts */

static bool quiet_kind(uint8_t k)
{
	return k == T_SECTION || k == T_INVERTED || k == T_CLOSE || k == T_COMMENT ||
	       k == T_PARTIAL || k == T_DELIM || k == T_BLOCK || k == T_PARENT;
}

/* Spaces and tabs, then maybe the line's "\n" or "\r\n". */
static bool blank_text(const struct tok *t)
{
	size_t n = t->n;
	if (n && t->s[n - 1] == '\n') {
		n--;
		if (n && t->s[n - 1] == '\r')
			n--;
	}
	for (size_t i = 0; i < n; i++)
		if (!is_blank(t->s[i]))
			return false;
	return true;
}

/* A line holding only whitespace and tags that print nothing is removed
 * entirely, newline included (the spec's standalone rule, applied to lines
 * with several such tags too, so "{{<p}}{{$b}}" on a line is standalone). */
static void mark_standalone(struct comp *c)
{
	size_t i = 0;
	while (i < c->ntok) {
		size_t j = i, ntags = 0;
		bool ok = true;
		while (j < c->ntok) {
			struct tok *t = &c->tok[j++];
			if (t->kind == T_TEXT) {
				if (!blank_text(t))
					ok = false;
				if (t->s[t->n - 1] == '\n')
					break;
			} else {
				ntags++;
				if (!quiet_kind(t->kind))
					ok = false;
			}
		}
		if (ok && ntags) {
			const struct tok *first = &c->tok[i];
			const char *ind = first->kind == T_TEXT ? first->s : NULL;
			size_t indn = 0;
			if (ind)
				while (indn < first->n && is_blank(ind[indn]))
					indn++;
			for (size_t k = i; k < j; k++) {
				struct tok *t = &c->tok[k];
				if (t->kind == T_TEXT) {
					t->removed = true;
				} else {
					t->standalone = true;
					t->ind = ind;
					t->indn = indn;
				}
			}
		}
		i = j;
	}

	bool at_bol = true;
	for (i = 0; i < c->ntok; i++) {
		struct tok *t = &c->tok[i];
		if (t->removed || t->standalone)
			continue;
		switch (t->kind) {
		case T_TEXT:
			t->bol = at_bol;
			at_bol = t->s[t->n - 1] == '\n';
			break;
		case T_COMMENT:
		case T_DELIM:
			break;
		default:
			t->bol = at_bol;
			at_bol = false;
		}
	}
}

static void strip_prefix(const char **s, size_t *n, const char *p, size_t pn)
{
	size_t k = 0;
	while (k < *n && k < pn && (*s)[k] == p[k])
		k++;
	if (k) {
		*s += k;
		*n -= k;
	}
}

static bool opens(uint8_t k) { return k == T_SECTION || k == T_INVERTED || k == T_BLOCK || k == T_PARENT; }

/* A block whose opening tag is standalone carries its own indentation (that
 * of its first line, or of the tag when it is empty). It is removed from the
 * content here and put back where the block is rendered, so an override
 * takes the indentation of the spot it fills. */
static void outdent_block(struct comp *c, size_t open, const char **ind, size_t *indn)
{
	size_t end = open + 1, depth = 0;
	for (; end < c->ntok; end++) {
		uint8_t k = c->tok[end].kind;
		if (opens(k)) {
			depth++;
		} else if (k == T_CLOSE) {
			if (depth == 0)
				break;
			depth--;
		}
	}
	const char *p = c->tok[open].ind;
	size_t pn = c->tok[open].indn;
	for (size_t k = open + 1; k < end; k++) {
		const struct tok *t = &c->tok[k];
		if (t->kind == T_TEXT && t->removed)
			continue;
		if (t->kind == T_COMMENT || t->kind == T_DELIM) {
			if (!t->standalone)
				continue;
		}
		if (t->kind == T_TEXT) {
			p = t->s;
			pn = 0;
			if (t->bol)
				while (pn < t->n && is_blank(p[pn]))
					pn++;
		} else if (t->standalone) {
			p = t->ind;
			pn = t->indn;
		} else {
			pn = 0;
		}
		break;
	}
	for (size_t k = open + 1; k < end; k++) {
		struct tok *t = &c->tok[k];
		if (t->kind == T_TEXT && !t->removed && t->bol)
			strip_prefix(&t->s, &t->n, p, pn);
		else if (t->kind != T_TEXT && t->standalone)
			strip_prefix(&t->ind, &t->indn, p, pn);
	}
	*ind = p;
	*indn = pn;
}

/* ------------------------------------------------------------------------ */
/* Tree building */

struct nvec {
	struct node *v;
	size_t n, cap;
};

static struct node *nvec_push(struct nvec *nv)
{
	if (nv->n == nv->cap) {
		nv->cap = nv->cap ? nv->cap * 2 : 16;
		nv->v = xrealloc(nv->v, nv->cap * sizeof *nv->v);
	}
	struct node *nd = &nv->v[nv->n++];
	memset(nd, 0, sizeof *nd);
	return nd;
}

static const char *open_label(uint8_t kind)
{
	switch (kind) {
	case T_INVERTED: return "inverted section";
	case T_BLOCK: return "block";
	case T_PARENT: return "parent";
	default: return "section";
	}
}

static int set_name(struct comp *c, struct node *nd, const struct tok *t)
{
	nd->s = cstrndup(c, t->s, t->n);
	nd->n = t->n;
	return nd->s ? 0 : c->rc;
}

static int finish_level(struct comp *c, struct nvec *nv, struct node **out, size_t *nout)
{
	*out = NULL;
	*nout = nv->n;
	if (nv->n) {
		*out = cmem(c, nv->n * sizeof **out);
		if (!*out)
			return c->rc;
		memcpy(*out, nv->v, nv->n * sizeof **out);
	}
	return 0;
}

static int build_trans(struct comp *c, struct node *nd, const struct trans *tr)
{
	nd->msgid = tr->msgid;
	nd->kids = cmem(c, tr->nparts * sizeof *nd->kids);
	if (!nd->kids)
		return c->rc;
	nd->nkids = tr->nparts;
	for (size_t i = 0; i < tr->nparts; i++) {
		struct node *k = &nd->kids[i];
		memset(k, 0, sizeof *k);
		k->kind = tr->parts[i].kind == T_VAR ? N_VAR : N_TEXT;
		k->line = tr->parts[i].line;
		k->file = nd->file;
		if (set_name(c, k, &tr->parts[i]))
			return c->rc;
	}
	return 0;
}

/* Build the nodes from tokens[*ip] up to the tag closing `open` (or the end
 * when open is NULL); *ip is left after the closing tag. */
static int build(struct comp *c, size_t *ip, const struct tok *open, unsigned depth,
                 struct node **out, size_t *nout)
{
	struct nvec nv = {0};
	struct buf text;
	buf_init(&text, NULL, 0);
	bool carry_bol = false, closed = false;
	size_t i = *ip;
	int rc = 0;

	while (i < c->ntok && rc == 0) {
		struct tok *t = &c->tok[i];
		if (t->kind == T_TEXT || t->kind == T_COMMENT || t->kind == T_DELIM) {
			/* Merge a run of text; comments and delimiter changes print nothing. */
			bool bol = false, first = true;
			unsigned line = t->line;
			buf_clear(&text);
			for (; i < c->ntok; i++) {
				t = &c->tok[i];
				if (t->kind == T_COMMENT || t->kind == T_DELIM)
					continue;
				if (t->kind != T_TEXT)
					break;
				if (t->removed)
					continue;
				if (t->n == 0) {
					carry_bol |= t->bol;
					continue;
				}
				if (first) {
					bol = t->bol || carry_bol;
					line = t->line;
					first = false;
					carry_bol = false;
				}
				buf_append(&text, t->s, t->n);
			}
			if (text.len) {
				struct node *nd = nvec_push(&nv);
				nd->kind = N_TEXT;
				nd->bol = bol;
				nd->line = line;
				nd->file = c->file;
				nd->s = cstrndup(c, text.data, text.len);
				nd->n = text.len;
				if (!nd->s)
					rc = c->rc;
			}
			continue;
		}
		if (t->kind == T_CLOSE) {
			if (!open) {
				rc = cerr(c, t->line, "closing tag \"%.*s\" has no open section", (int)t->n, t->s);
				break;
			}
			if (t->n != open->n || memcmp(t->s, open->s, t->n) != 0) {
				rc = cerr(c, t->line, "%s \"%.*s\" opened on line %u is closed by \"%.*s\"",
				          open_label(open->kind), (int)open->n, open->s, open->line,
				          (int)t->n, t->s);
				break;
			}
			i++;
			closed = true;
			break;
		}

		struct node *nd = nvec_push(&nv);
		nd->line = t->line;
		nd->file = c->file;
		nd->bol = t->bol || carry_bol;
		carry_bol = false;
		nd->standalone = t->standalone;
		nd->raw = t->raw;
		if (t->kind != T_TRANS && set_name(c, nd, t)) {
			rc = c->rc;
			break;
		}
		switch (t->kind) {
		case T_VAR:
			nd->kind = N_VAR;
			nd->esc = t->raw ? ESC_RAW : ESC_HTML;
			i++;
			break;
		case T_TRANS:
			nd->kind = N_TRANS;
			nd->esc = ESC_HTML;
			rc = build_trans(c, nd, t->tr);
			i++;
			break;
		case T_PARTIAL:
			nd->kind = N_PARTIAL;
			if (t->standalone && t->indn) {
				nd->ind = cstrndup(c, t->ind, t->indn);
				nd->indn = t->indn;
			}
			i++;
			break;
		default: {
			/* section, inverted, block, parent */
			if (depth >= TMPL_MAX_DEPTH) {
				rc = cerr(c, t->line, "sections nested more than %d deep", TMPL_MAX_DEPTH);
				break;
			}
			const char *ind = t->ind;
			size_t indn = t->indn;
			if (t->kind == T_BLOCK && t->standalone)
				outdent_block(c, i, &ind, &indn);
			if ((t->kind == T_BLOCK || t->kind == T_PARENT) && t->standalone && indn) {
				nd->ind = cstrndup(c, ind, indn);
				nd->indn = indn;
			}
			nd->kind = t->kind == T_SECTION   ? N_SECTION
			         : t->kind == T_INVERTED ? N_INVERTED
			         : t->kind == T_BLOCK    ? N_BLOCK
			                                 : N_PARENT;
			const struct tok *o = t;
			i++;
			/* nd may move when nv grows: build the kids into locals first. */
			struct node *kids = NULL;
			size_t nkids = 0;
			rc = build(c, &i, o, depth + 1, &kids, &nkids);
			if (rc)
				break;
			nd = &nv.v[nv.n - 1];
			if (nd->kind == N_PARENT) {
				/* Only the blocks inside a parent tag count; the rest is ignored. */
				size_t k = 0;
				for (size_t j = 0; j < nkids; j++)
					if (kids[j].kind == N_BLOCK)
						kids[k++] = kids[j];
				nkids = k;
			}
			nd->kids = kids;
			nd->nkids = nkids;
		}
		}
	}
	if (rc == 0 && open && !closed)
		rc = cerr(c, open->line, "%s \"%.*s\" is never closed", open_label(open->kind),
		          (int)open->n, open->s);
	buf_fini(&text);
	if (rc == 0)
		rc = finish_level(c, &nv, out, nout);
	free(nv.v);
	*ip = i;
	return rc;
}

/* ------------------------------------------------------------------------ */
/* HTML context tracking (compile time). A small tokenizer after the HTML
 * standard's, just precise enough to know, at each variable, whether it sits
 * in text, in a quoted attribute value (and which attribute), or somewhere we
 * refuse. It runs over the literal text in output order; a variable's own
 * output cannot change the state because it is escaped for its spot. */

enum hst {
	H_DATA, H_TAG_OPEN, H_END_OPEN, H_TAG_NAME, H_BEFORE_ATTR, H_ATTR_NAME, H_AFTER_ATTR,
	H_BEFORE_VAL, H_VAL_DQ, H_VAL_SQ, H_VAL_UNQ, H_MD_OPEN, H_COMMENT_START, H_COMMENT,
	H_BOGUS, H_RAWTEXT,
};

enum { RAW_NONE, RAW_SCRIPT, RAW_STYLE };

enum akind { A_NORMAL, A_URL, A_JS, A_STYLE, A_SRCSET, A_SRCDOC, A_AMBIG };

#define HNAME_MAX 15

struct hs {
	uint8_t st;
	uint8_t raw;  /* in a tag: raw text element it opens; in H_RAWTEXT: which one */
	uint8_t attr; /* enum akind of the attribute whose value we are in */
	uint8_t sub;  /* comment dashes, or progress through "</script" */
	uint8_t sub2; /* progress through "<!--" inside <script> */
	bool end_tag;
	bool ambig;       /* attribute name differs between section branches */
	bool val_started; /* attribute value has content before this point */
	bool url_open;    /* a URL began with a variable and no '/', '?' or '#' followed yet */
	bool long_name;
	uint8_t nlen;
	char name[HNAME_MAX + 1]; /* tag or attribute name, lower case */
};

static void h_goto(struct hs *h, uint8_t st)
{
	h->st = st;
	h->sub = h->sub2 = 0;
}

static void h_name_start(struct hs *h, char c)
{
	h->nlen = 0;
	h->long_name = false;
	h->name[h->nlen++] = lower(c);
}

static void h_name_add(struct hs *h, char c)
{
	if (h->nlen < HNAME_MAX)
		h->name[h->nlen++] = lower(c);
	else
		h->long_name = true;
}

static bool h_name_is(const struct hs *h, const char *s)
{
	size_t n = strlen(s);
	return !h->long_name && h->nlen == n && memcmp(h->name, s, n) == 0;
}

static uint8_t h_attr_kind(const struct hs *h)
{
	static const char *const url_attrs[] = {
		"href", "src", "action", "formaction", "poster", "cite", "data", "background",
		"longdesc", "manifest", "codebase", "classid", "icon", "ping", "profile", "usemap",
		"lowsrc", "dynsrc", "xlink:href", "xml:base",
	};
	if (h->ambig)
		return A_AMBIG;
	if (h->nlen >= 2 && h->name[0] == 'o' && h->name[1] == 'n')
		return A_JS;
	if (h_name_is(h, "style"))
		return A_STYLE;
	if (h_name_is(h, "srcset") || h_name_is(h, "imagesrcset"))
		return A_SRCSET;
	if (h_name_is(h, "srcdoc"))
		return A_SRCDOC;
	for (size_t i = 0; i < sizeof url_attrs / sizeof url_attrs[0]; i++)
		if (h_name_is(h, url_attrs[i]))
			return A_URL;
	return A_NORMAL;
}

static void h_end_tag_name(struct hs *h)
{
	h->raw = RAW_NONE;
	if (!h->end_tag) {
		if (h_name_is(h, "script"))
			h->raw = RAW_SCRIPT;
		else if (h_name_is(h, "style"))
			h->raw = RAW_STYLE;
	}
}

static void h_finish_tag(struct hs *h)
{
	h_goto(h, h->raw ? H_RAWTEXT : H_DATA);
	h->end_tag = h->ambig = h->val_started = h->url_open = false;
}

enum { H_OK, H_SCRIPT_COMMENT, H_URL_SCHEME };

/* Feed one character: H_OK, or why the text is refused. */
static int h_char(struct hs *h, char c)
{
	for (;;) {
		switch (h->st) {
		case H_DATA:
			if (c == '<')
				h_goto(h, H_TAG_OPEN);
			return H_OK;
		case H_TAG_OPEN:
			if (is_alpha(c)) {
				h_name_start(h, c);
				h->end_tag = false;
				h_goto(h, H_TAG_NAME);
			} else if (c == '!') {
				h_goto(h, H_MD_OPEN);
			} else if (c == '/') {
				h_goto(h, H_END_OPEN);
			} else if (c == '?') {
				h_goto(h, H_BOGUS);
			} else {
				h_goto(h, H_DATA);
				continue; /* "<" was text; look at c again */
			}
			return H_OK;
		case H_END_OPEN:
			if (is_alpha(c)) {
				h_name_start(h, c);
				h->end_tag = true;
				h_goto(h, H_TAG_NAME);
			} else {
				h_goto(h, c == '>' ? H_DATA : H_BOGUS);
			}
			return H_OK;
		case H_TAG_NAME:
			if (is_space(c) || c == '\f' || c == '/') {
				h_end_tag_name(h);
				h_goto(h, H_BEFORE_ATTR);
			} else if (c == '>') {
				h_end_tag_name(h);
				h_finish_tag(h);
			} else {
				h_name_add(h, c);
			}
			return H_OK;
		case H_BEFORE_ATTR:
			if (c == '>') {
				h_finish_tag(h);
			} else if (!is_space(c) && c != '\f' && c != '/') {
				h_name_start(h, c);
				h->ambig = false;
				h_goto(h, H_ATTR_NAME);
			}
			return H_OK;
		case H_ATTR_NAME:
			if (is_space(c) || c == '\f') {
				h_goto(h, H_AFTER_ATTR);
			} else if (c == '/') {
				h->ambig = false;
				h_goto(h, H_BEFORE_ATTR);
			} else if (c == '=') {
				h->attr = h_attr_kind(h);
				h_goto(h, H_BEFORE_VAL);
			} else if (c == '>') {
				h_finish_tag(h);
			} else {
				h_name_add(h, c);
			}
			return H_OK;
		case H_AFTER_ATTR:
			if (c == '/') {
				h->ambig = false;
				h_goto(h, H_BEFORE_ATTR);
			} else if (c == '=') {
				h->attr = h_attr_kind(h);
				h_goto(h, H_BEFORE_VAL);
			} else if (c == '>') {
				h_finish_tag(h);
			} else if (!is_space(c) && c != '\f') {
				h_name_start(h, c);
				h->ambig = false;
				h_goto(h, H_ATTR_NAME);
			}
			return H_OK;
		case H_BEFORE_VAL:
			if (c == '"' || c == '\'') {
				h->val_started = h->url_open = false;
				h_goto(h, c == '"' ? H_VAL_DQ : H_VAL_SQ);
			} else if (c == '>') {
				h_finish_tag(h);
			} else if (!is_space(c) && c != '\f') {
				h_goto(h, H_VAL_UNQ);
			}
			return H_OK;
		case H_VAL_DQ:
		case H_VAL_SQ:
			if (c == (h->st == H_VAL_DQ ? '"' : '\'')) {
				h->ambig = h->val_started = h->url_open = false;
				h_goto(h, H_BEFORE_ATTR);
				return H_OK;
			}
			if ((unsigned char)c > 0x20) /* browsers strip leading spaces and controls from URLs */
				h->val_started = true;
			if (h->url_open) {
				/* "{{u}}:x" or "{{u}}&#58;x" would let u="javascript" through. */
				if (c == '/' || c == '?' || c == '#')
					h->url_open = false;
				else if (c == ':' || c == '&')
					return H_URL_SCHEME;
			}
			return H_OK;
		case H_VAL_UNQ:
			if (is_space(c) || c == '\f') {
				h->ambig = false;
				h_goto(h, H_BEFORE_ATTR);
			} else if (c == '>') {
				h_finish_tag(h);
			}
			return H_OK;
		case H_MD_OPEN: /* "<!", sub counts dashes */
			if (c == '-' && h->sub == 0)
				h->sub = 1;
			else if (c == '-')
				h_goto(h, H_COMMENT_START);
			else
				h_goto(h, c == '>' ? H_DATA : H_BOGUS);
			return H_OK;
		case H_COMMENT_START: /* after "<!--": "<!-->" and "<!--->" end at once */
			if (c == '>') {
				h_goto(h, H_DATA);
			} else if (c == '-' && h->sub == 0) {
				h->sub = 1;
			} else {
				uint8_t sub = c == '-' ? 2 : 0;
				h_goto(h, H_COMMENT);
				h->sub = sub;
			}
			return H_OK;
		case H_COMMENT: /* sub: 1 "-", 2 "--", 3 "--!" */
			switch (h->sub) {
			case 0: h->sub = c == '-'; break;
			case 1: h->sub = c == '-' ? 2 : 0; break;
			case 2:
				if (c == '>')
					h_goto(h, H_DATA);
				else if (c == '!')
					h->sub = 3;
				else if (c != '-')
					h->sub = 0;
				break;
			default:
				if (c == '>')
					h_goto(h, H_DATA);
				else
					h->sub = c == '-';
			}
			return H_OK;
		case H_BOGUS:
			if (c == '>')
				h_goto(h, H_DATA);
			return H_OK;
		case H_RAWTEXT: {
			const char *end = h->raw == RAW_SCRIPT ? "</script" : "</style";
			size_t endn = strlen(end);
			if (h->sub == endn) {
				if (is_space(c) || c == '\f' || c == '/' || c == '>') {
					h->raw = RAW_NONE;
					h->end_tag = true;
					h_goto(h, H_BEFORE_ATTR);
					if (c == '>')
						h_finish_tag(h);
					return H_OK;
				}
				h->sub = 0;
			}
			if (lower(c) == end[h->sub])
				h->sub++;
			else
				h->sub = c == '<';
			if (h->raw == RAW_SCRIPT) {
				/* "<!--" in a script switches browsers into states where
				 * "</script>" may not end it; we do not follow those. */
				if (c == "<!--"[h->sub2]) {
					if (++h->sub2 == 4)
						return H_SCRIPT_COMMENT;
				} else {
					h->sub2 = c == '<';
				}
			}
			return H_OK;
		}
		default:
			return H_OK;
		}
	}
}

static bool h_same(const struct hs *a, const struct hs *b)
{
	if (a->st != b->st || a->raw != b->raw || a->sub != b->sub || a->sub2 != b->sub2 ||
	    a->end_tag != b->end_tag || a->ambig != b->ambig)
		return false;
	switch (a->st) {
	case H_TAG_NAME:
	case H_ATTR_NAME:
	case H_AFTER_ATTR:
		return a->nlen == b->nlen && a->long_name == b->long_name &&
		       memcmp(a->name, b->name, a->nlen) == 0;
	case H_BEFORE_VAL:
	case H_VAL_DQ:
	case H_VAL_SQ:
	case H_VAL_UNQ:
		return a->attr == b->attr;
	default:
		return true;
	}
}

static bool h_in_tag(uint8_t st) { return st == H_BEFORE_ATTR || st == H_ATTR_NAME || st == H_AFTER_ATTR; }

/* State after a section that may run zero or more times. Between attributes
 * "<input {{#c}}checked{{/c}}>" is fine: the result is an attribute name we
 * do not know, so no variable may go into its value. */
static bool h_merge(struct hs *out, const struct hs *a, const struct hs *b)
{
	if (h_same(a, b)) {
		*out = *a;
		out->val_started = a->val_started || b->val_started;
		out->url_open = a->url_open || b->url_open;
		return true;
	}
	if (h_in_tag(a->st) && h_in_tag(b->st) && a->raw == b->raw && a->end_tag == b->end_tag) {
		*out = *a;
		h_goto(out, H_ATTR_NAME);
		out->ambig = true;
		out->nlen = 0;
		out->long_name = false;
		return true;
	}
	return false;
}

static const char *h_desc(const struct hs *h)
{
	switch (h->st) {
	case H_DATA: return "text";
	case H_TAG_OPEN:
	case H_END_OPEN:
	case H_TAG_NAME: return "a tag name";
	case H_BEFORE_ATTR:
	case H_ATTR_NAME:
	case H_AFTER_ATTR: return "a tag";
	case H_BEFORE_VAL:
	case H_VAL_UNQ: return "an unquoted attribute value";
	case H_VAL_DQ:
	case H_VAL_SQ: return "an attribute value";
	case H_MD_OPEN:
	case H_BOGUS: return "a markup declaration";
	case H_COMMENT_START:
	case H_COMMENT: return "an HTML comment";
	default: return h->raw == RAW_SCRIPT ? "<script>" : "<style>";
	}
}

/* Escaping for a variable at h, or NULL with *why set. */
static int h_var_esc(const struct hs *h, bool raw, const char **why)
{
	*why = NULL;
	switch (h->st) {
	case H_DATA:
		return raw ? ESC_RAW : ESC_HTML;
	case H_VAL_DQ:
	case H_VAL_SQ:
		if (raw) {
			*why = "is raw inside an attribute value";
			return -1;
		}
		switch (h->attr) {
		case A_NORMAL: return ESC_HTML;
		case A_URL: return h->val_started ? ESC_URL_PART : ESC_URL;
		case A_JS: *why = "inside an event-handler attribute"; break;
		case A_STYLE: *why = "inside a style attribute"; break;
		case A_SRCSET: *why = "inside a srcset attribute"; break;
		case A_SRCDOC: *why = "inside a srcdoc attribute"; break;
		default: *why = "inside an attribute whose name depends on a section"; break;
		}
		return -1;
	case H_RAWTEXT:
		*why = h->raw == RAW_SCRIPT ? "inside <script>" : "inside <style>";
		return -1;
	case H_BEFORE_VAL:
	case H_VAL_UNQ:
		*why = "inside an unquoted attribute value";
		return -1;
	case H_BEFORE_ATTR:
	case H_ATTR_NAME:
	case H_AFTER_ATTR:
		*why = "inside a tag (attribute names must be literal)";
		return -1;
	case H_TAG_OPEN:
	case H_END_OPEN:
	case H_TAG_NAME:
		*why = "inside a tag name";
		return -1;
	case H_COMMENT_START:
	case H_COMMENT:
		*why = "inside an HTML comment";
		return -1;
	default:
		*why = "inside a markup declaration";
		return -1;
	}
}

static int h_walk(struct comp *c, struct node *k, size_t n, struct hs *h, bool in_trans);

static int h_text(struct comp *c, const struct node *nd, struct hs *h)
{
	for (size_t i = 0; i < nd->n; i++) {
		int why = h_char(h, nd->s[i]);
		if (why == H_SCRIPT_COMMENT)
			return cerr(c, nd->line + count_nl(nd->s, i),
			            "an HTML comment \"<!--\" inside <script> is not supported");
		if (why == H_URL_SCHEME)
			return cerr(c, nd->line + count_nl(nd->s, i),
			            "\"%c\" after a variable that starts a URL could complete its scheme; put \"/\", \"?\" or \"#\" first",
			            nd->s[i]);
	}
	return 0;
}

static int h_var(struct comp *c, struct node *nd, struct hs *h, bool in_trans)
{
	const char *why;
	int esc = h_var_esc(h, nd->raw, &why);
	if (esc >= 0 && in_trans && esc != ESC_HTML)
		why = "inside a translation may only sit in text or a plain attribute value";
	if (why)
		return cerr(c, nd->line, "variable \"%s\" %s", nd->s, why);
	if (!nd->esc_set) {
		nd->esc = (uint8_t)esc;
		nd->esc_set = true;
	} else if (nd->esc != esc && !(nd->esc == ESC_URL && esc == ESC_URL_PART)) {
		/* A value that starts a URL the first time stays checked as a URL
		 * when a section repeats; anything else must not change. */
		return cerr(c, nd->line, "variable \"%s\" lands in a different HTML context when its section repeats",
		            nd->s);
	}
	if (h->st == H_VAL_DQ || h->st == H_VAL_SQ)
		h->val_started = true;
	if (esc == ESC_URL)
		h->url_open = true;
	return 0;
}

static bool h_equal(const struct hs *a, const struct hs *b)
{
	return h_same(a, b) && a->val_started == b->val_started && a->url_open == b->url_open;
}

static int h_section(struct comp *c, struct node *nd, struct hs *h)
{
	struct hs s0 = *h, m;
	int rc = h_walk(c, nd->kids, nd->nkids, h, false);
	if (rc)
		return rc;
	if (!h_merge(&m, &s0, h))
		return cerr(c, nd->line, "section \"%s\" starts in %s but ends in %s", nd->s,
		            h_desc(&s0), h_desc(h));
	if (!h_equal(&m, &s0)) {
		/* The body may run again from the merged state: check it there too. */
		struct hs h2 = m, m2;
		rc = h_walk(c, nd->kids, nd->nkids, &h2, false);
		if (rc)
			return rc;
		if (!h_merge(&m2, &m, &h2) || !h_equal(&m2, &m))
			return cerr(c, nd->line, "section \"%s\" changes the HTML context each time it repeats",
			            nd->s);
	}
	*h = m;
	return 0;
}

static int h_walk(struct comp *c, struct node *k, size_t n, struct hs *h, bool in_trans)
{
	int rc = 0;
	for (size_t i = 0; i < n && rc == 0; i++) {
		struct node *nd = &k[i];
		if (++c->work > HTML_WORK_MAX)
			return cerr(c, nd->line, "template too complex to check");
		switch (nd->kind) {
		case N_TEXT:
			rc = h_text(c, nd, h);
			break;
		case N_VAR:
			rc = h_var(c, nd, h, in_trans);
			break;
		case N_SECTION:
		case N_INVERTED:
			rc = h_section(c, nd, h);
			break;
		case N_PARTIAL:
			if (h->st != H_DATA)
				rc = cerr(c, nd->line, "partial \"%s\" inside %s", nd->s, h_desc(h));
			break;
		case N_PARENT:
			if (h->st != H_DATA) {
				rc = cerr(c, nd->line, "parent \"%s\" inside %s", nd->s, h_desc(h));
				break;
			}
			for (size_t j = 0; j < nd->nkids && rc == 0; j++) {
				struct hs hb = {0};
				struct node *b = &nd->kids[j];
				rc = h_walk(c, b->kids, b->nkids, &hb, false);
				if (rc == 0 && hb.st != H_DATA)
					rc = cerr(c, b->line, "block \"%s\" ends inside %s", b->s, h_desc(&hb));
			}
			break;
		case N_BLOCK:
			if (h->st != H_DATA) {
				rc = cerr(c, nd->line, "block \"%s\" inside %s", nd->s, h_desc(h));
				break;
			}
			rc = h_walk(c, nd->kids, nd->nkids, h, false);
			if (rc == 0 && h->st != H_DATA)
				rc = cerr(c, nd->line, "block \"%s\" ends inside %s", nd->s, h_desc(h));
			break;
		case N_TRANS: {
			bool attr = h->st == H_VAL_DQ || h->st == H_VAL_SQ;
			if (attr && h->attr != A_NORMAL) {
				rc = cerr(c, nd->line, "translation inside a URL, style or event-handler attribute");
				break;
			}
			if (h->st != H_DATA && !attr) {
				rc = cerr(c, nd->line, "translation inside %s", h_desc(h));
				break;
			}
			nd->esc = attr ? ESC_ATTR : ESC_HTML;
			struct hs s0 = *h;
			rc = h_walk(c, nd->kids, nd->nkids, h, true);
			if (rc == 0 && !h_same(&s0, h))
				rc = cerr(c, nd->line, "translation starts in %s but ends in %s", h_desc(&s0),
				          h_desc(h));
			if (attr)
				h->val_started = true;
			break;
		}
		default:
			break;
		}
	}
	return rc;
}

/* ------------------------------------------------------------------------ */
/* Sets */

struct tmpl_set *tmpl_set_new(unsigned flags)
{
	struct tmpl_set *set = xcalloc(1, sizeof *set);
	set->flags = flags;
	set->arena = arena_new(0);
	return set;
}

void tmpl_set_free(struct tmpl_set *set)
{
	if (!set)
		return;
	arena_free(set->arena);
	free(set->t);
	free(set->hash);
	free(set);
}

bool tmpl_set_has(const struct tmpl_set *set, const char *name)
{
	return set && name && set_find(set, name, strlen(name)) != NULL;
}

int tmpl_set_add(struct tmpl_set *set, const char *name, const char *src, size_t len,
                 const char *filename, struct buf *err)
{
	if (!set || !name || !*name || (!src && len))
		return CAMPUS_EINVAL;
	const char *file = filename ? filename : name;
	const struct tmpl *dup = set_find(set, name, strlen(name));
	if (dup) {
		if (err)
			buf_printf(err, "%s: template \"%s\" is already defined by %s", file, name, dup->file);
		return CAMPUS_ECONFLICT;
	}
	if (len > UINT32_MAX) {
		if (err)
			buf_printf(err, "%s: template too large", file);
		return CAMPUS_ETOOBIG;
	}

	struct comp c = {.set = set, .err = err};
	struct tmpl *t = cmem(&c, sizeof *t);
	char *tname = cstrndup(&c, name, strlen(name));
	c.file = file; /* for the messages below; replaced by the arena copy */
	char *tfile = cstrndup(&c, file, strlen(file));
	if (!t || !tname || !tfile)
		return c.rc;
	memset(t, 0, sizeof *t);
	t->name = tname;
	t->namelen = strlen(tname);
	t->file = c.file = tfile;

	int rc = lex(&c, src ? src : "", len);
	if (rc == 0) {
		size_t i = 0;
		mark_standalone(&c);
		rc = build(&c, &i, NULL, 0, &t->kids, &t->nkids);
	}
	if (rc == 0 && !(set->flags & TMPL_PLAIN)) {
		struct hs h = {0};
		rc = h_walk(&c, t->kids, t->nkids, &h, false);
		if (rc == 0 && h.st != H_DATA)
			rc = cerr(&c, c.last_line, "template ends inside %s", h_desc(&h));
	}
	free(c.tok);
	if (rc)
		return rc;
	set_insert(set, t);
	return 0;
}

static int link_list(struct tmpl_set *set, struct node *k, size_t n, struct buf *err)
{
	for (size_t i = 0; i < n; i++) {
		struct node *nd = &k[i];
		if (nd->kind == N_PARTIAL || nd->kind == N_PARENT) {
			nd->target = set_find(set, nd->s, nd->n);
			if (!nd->target && !(set->flags & TMPL_PLAIN)) {
				if (err)
					buf_printf(err, "%s:%u: unknown %s \"%s\"", nd->file, nd->line,
					           nd->kind == N_PARTIAL ? "partial" : "parent template", nd->s);
				return CAMPUS_ENOTFOUND;
			}
		}
		if (nd->kind != N_TRANS) {
			int rc = link_list(set, nd->kids, nd->nkids, err);
			if (rc)
				return rc;
		}
	}
	return 0;
}

int tmpl_set_link(struct tmpl_set *set, struct buf *err)
{
	if (!set)
		return CAMPUS_EINVAL;
	for (size_t i = 0; i < set->nt; i++) {
		int rc = link_list(set, set->t[i]->kids, set->t[i]->nkids, err);
		if (rc)
			return rc;
	}
	return 0;
}

static void collect_list(const struct node *k, size_t n,
                         void (*cb)(void *, const char *, const char *, int), void *cls)
{
	for (size_t i = 0; i < n; i++) {
		const struct node *nd = &k[i];
		if (nd->kind == N_TRANS)
			cb(cls, nd->msgid, nd->file, (int)nd->line);
		else
			collect_list(nd->kids, nd->nkids, cb, cls);
	}
}

int tmpl_collect_msgids(const struct tmpl_set *set,
                        void (*cb)(void *cls, const char *msgid, const char *file, int line),
                        void *cls)
{
	if (!set || !cb)
		return CAMPUS_EINVAL;
	for (size_t i = 0; i < set->nt; i++)
		collect_list(set->t[i]->kids, set->t[i]->nkids, cb, cls);
	return 0;
}

/* ------------------------------------------------------------------------ */
/* Loading a directory */

static int cmp_names(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static int read_file(const char *path, char **data, size_t *len, struct buf *err)
{
	FILE *f = fopen(path, "rb");
	if (!f) {
		if (err)
			buf_printf(err, "%s: %s", path, strerror(errno));
		return CAMPUS_EIO;
	}
	struct buf b;
	buf_init(&b, NULL, FILE_MAX);
	char chunk[8192];
	size_t k;
	int rc = 0;
	while ((k = fread(chunk, 1, sizeof chunk, f)) > 0)
		if (buf_append(&b, chunk, k)) {
			rc = CAMPUS_ETOOBIG;
			break;
		}
	if (rc == 0 && ferror(f))
		rc = CAMPUS_EIO;
	fclose(f);
	if (rc) {
		if (err)
			buf_printf(err, "%s: %s", path, rc == CAMPUS_EIO ? "read error" : "file too large");
		buf_fini(&b);
		return rc;
	}
	*len = b.len;
	*data = b.data ? b.data : xstrdup("");
	return 0;
}

static bool tmpl_ext(const char *name, size_t *stem)
{
	size_t n = strlen(name);
	if (str_ends_with(name, ".html")) {
		*stem = n - 5;
		return *stem > 0;
	}
	if (str_ends_with(name, ".mustache")) {
		*stem = n - 9;
		return *stem > 0;
	}
	return false;
}

static int load_tree(struct tmpl_set *set, const char *dir, const char *rel, int depth,
                     struct buf *err)
{
	struct buf path;
	buf_init(&path, NULL, 0);
	buf_puts(&path, dir);
	if (*rel) {
		buf_putc(&path, '/');
		buf_puts(&path, rel);
	}
	DIR *d = opendir(buf_cstr(&path));
	if (!d) {
		if (err)
			buf_printf(err, "%s: %s", buf_cstr(&path), strerror(errno));
		buf_fini(&path);
		return CAMPUS_EIO;
	}
	char **names = NULL;
	size_t nnames = 0, cap = 0;
	struct dirent *de;
	while ((de = readdir(d)) != NULL) {
		if (de->d_name[0] == '.')
			continue;
		if (nnames == cap) {
			cap = cap ? cap * 2 : 32;
			names = xrealloc(names, cap * sizeof *names);
		}
		names[nnames++] = xstrdup(de->d_name);
	}
	closedir(d);
	if (nnames)
		qsort(names, nnames, sizeof *names, cmp_names);

	int rc = 0;
	struct buf full, sub;
	buf_init(&full, NULL, 0);
	buf_init(&sub, NULL, 0);
	for (size_t i = 0; i < nnames && rc == 0; i++) {
		buf_clear(&full);
		buf_printf(&full, "%s/%s", buf_cstr(&path), names[i]);
		buf_clear(&sub);
		if (*rel)
			buf_printf(&sub, "%s/", rel);
		struct stat st;
		if (stat(buf_cstr(&full), &st) != 0) {
			if (err)
				buf_printf(err, "%s: %s", buf_cstr(&full), strerror(errno));
			rc = CAMPUS_EIO;
			break;
		}
		size_t stem;
		if (S_ISDIR(st.st_mode)) {
			if (depth >= DIR_DEPTH_MAX) {
				if (err)
					buf_printf(err, "%s: directories nested too deep", buf_cstr(&full));
				rc = CAMPUS_EINVAL;
				break;
			}
			buf_puts(&sub, names[i]);
			rc = load_tree(set, dir, buf_cstr(&sub), depth + 1, err);
		} else if (S_ISREG(st.st_mode) && tmpl_ext(names[i], &stem)) {
			buf_append(&sub, names[i], stem);
			char *data;
			size_t len;
			rc = read_file(buf_cstr(&full), &data, &len, err);
			if (rc)
				break;
			if (!utf8_valid(data, len)) {
				if (err)
					buf_printf(err, "%s: not valid UTF-8", buf_cstr(&full));
				rc = CAMPUS_EINVAL;
			} else {
				rc = tmpl_set_add(set, buf_cstr(&sub), data, len, buf_cstr(&full), err);
			}
			free(data);
		}
	}
	for (size_t i = 0; i < nnames; i++)
		free(names[i]);
	free(names);
	buf_fini(&full);
	buf_fini(&sub);
	buf_fini(&path);
	return rc;
}

int tmpl_set_load_dir(struct tmpl_set *set, const char *dir, struct buf *err)
{
	if (!set || !dir)
		return CAMPUS_EINVAL;
	return load_tree(set, dir, "", 0, err);
}

/* ------------------------------------------------------------------------ */
/* Rendering */

struct seg {
	const char *s;
	size_t n;
};

struct rs {
	const struct tmpl_set *set;
	const struct tmpl_render_opts *opts;
	struct buf *out;
	struct buf *err;
	const json_t *ctx[TMPL_MAX_DEPTH + 2];
	unsigned nctx;
	const struct node *par[TMPL_MAX_DEPTH + 1]; /* parents being rendered, outermost first */
	unsigned npar;
	struct seg ind[TMPL_MAX_DEPTH + 1]; /* indentation; the frame is [ilo, ihi) */
	unsigned ilo, ihi;
	unsigned depth;
	unsigned long steps, max_steps;
};

__attribute__((format(printf, 4, 5)))
static int rerr(struct rs *rs, const struct node *nd, int code, const char *fmt, ...)
{
	if (rs->err) {
		va_list ap;
		buf_printf(rs->err, "%s:%u: ", nd->file, nd->line);
		va_start(ap, fmt);
		buf_vprintf(rs->err, fmt, ap);
		va_end(ap);
	}
	return code;
}

static const json_t *lookup_first(const struct rs *rs, const char *s, size_t n)
{
	for (unsigned i = rs->nctx; i-- > 0;) {
		const json_t *c = rs->ctx[i];
		if (json_is_object(c)) {
			const json_t *v = json_object_getn(c, s, n);
			if (v)
				return v;
		}
	}
	return NULL;
}

static const json_t *child(const json_t *v, const char *s, size_t n)
{
	if (json_is_object(v))
		return json_object_getn(v, s, n);
	if (json_is_array(v) && n && n <= 9) {
		size_t idx = 0;
		for (size_t i = 0; i < n; i++) {
			if (!is_digit(s[i]))
				return NULL;
			idx = idx * 10 + (size_t)(s[i] - '0');
		}
		return json_array_get(v, idx);
	}
	return NULL;
}

/* "." is the top of the stack; "a.b.c" finds "a" from the innermost context
 * outwards and then descends (into objects, or arrays by index). */
static const json_t *lookup(const struct rs *rs, const char *s, size_t n)
{
	if (n == 1 && s[0] == '.')
		return rs->nctx ? rs->ctx[rs->nctx - 1] : NULL;
	const char *dot = memchr(s, '.', n);
	size_t k = dot ? (size_t)(dot - s) : n;
	const json_t *v = lookup_first(rs, s, k);
	while (v && dot) {
		s = dot + 1;
		n -= k + 1;
		dot = memchr(s, '.', n);
		k = dot ? (size_t)(dot - s) : n;
		v = child(v, s, k);
	}
	return v;
}

static bool falsey(const json_t *v)
{
	return !v || json_is_null(v) || json_is_false(v) ||
	       (json_is_array(v) && json_array_size(v) == 0);
}

/* A URL at the start of an attribute may be relative or use an allowed
 * scheme. Browsers skip leading spaces and controls and ignore tabs and
 * newlines inside, so those are skipped here too before reading the scheme;
 * anything odd before the first ':' makes the URL unsafe. */
static bool url_safe(const char *s, size_t n)
{
	static const char *const ok[] = {"http", "https", "mailto", "tel"};
	char scheme[8];
	size_t m = 0, i = 0;
	bool long_scheme = false;
	while (i < n && (unsigned char)s[i] <= 0x20)
		i++;
	for (; i < n; i++) {
		char ch = s[i];
		if (ch == '\t' || ch == '\n' || ch == '\r')
			continue;
		if (ch == ':')
			break;
		if (ch == '/' || ch == '?' || ch == '#')
			return true;
		if (m < sizeof scheme)
			scheme[m++] = lower(ch);
		else
			long_scheme = true;
	}
	if (i == n)
		return true;
	if (long_scheme)
		return false;
	for (size_t j = 0; j < sizeof ok / sizeof ok[0]; j++)
		if (strlen(ok[j]) == m && memcmp(ok[j], scheme, m) == 0)
			return true;
	return false;
}

static size_t fmt_int(char *tmp, size_t cap, json_int_t v)
{
	unsigned long long u = v < 0 ? 0ULL - (unsigned long long)v : (unsigned long long)v;
	size_t i = cap;
	do {
		tmp[--i] = (char)('0' + u % 10);
		u /= 10;
	} while (u);
	if (v < 0)
		tmp[--i] = '-';
	memmove(tmp, tmp + i, cap - i);
	return cap - i;
}

/* Shortest text that reads back as the same double: 1.21, not 1.2099999. */
static size_t fmt_real(char *tmp, size_t cap, double d)
{
	int k = 0;
	for (int prec = 1; prec <= 17; prec++) {
		k = snprintf(tmp, cap, "%.*g", prec, d);
		if (k <= 0 || (size_t)k >= cap)
			return 0;
		for (int i = 0; i < k; i++)
			if (tmp[i] == ',') /* a locale's decimal comma */
				tmp[i] = '.';
		if (strtod(tmp, NULL) == d)
			break;
	}
	return (size_t)k;
}

static void put_value(struct buf *out, const json_t *v, uint8_t esc)
{
	char tmp[48];
	const char *s = tmp;
	size_t n;
	if (!v)
		return;
	switch (json_typeof(v)) {
	case JSON_STRING:
		s = json_string_value(v);
		n = json_string_length(v);
		break;
	case JSON_INTEGER:
		n = fmt_int(tmp, sizeof tmp, json_integer_value(v));
		break;
	case JSON_REAL:
		n = fmt_real(tmp, sizeof tmp, json_real_value(v));
		break;
	case JSON_TRUE:
		s = "true";
		n = 4;
		break;
	case JSON_FALSE:
		s = "false";
		n = 5;
		break;
	default:
		return; /* null, objects and arrays print nothing */
	}
	switch (esc) {
	case ESC_RAW:
		buf_append(out, s, n);
		break;
	case ESC_URL:
		if (url_safe(s, n))
			buf_html_escape(out, s, n);
		else
			buf_puts(out, "about:invalid");
		break;
	case ESC_URL_PART:
		buf_url_encode(out, s, n);
		break;
	default:
		buf_html_escape(out, s, n);
	}
}

/* Literal text of a translation: trusted like template text, but inside an
 * attribute value its quotes must not end the value. */
static void put_literal(struct buf *out, const char *s, size_t n, uint8_t esc)
{
	if (esc != ESC_ATTR) {
		buf_append(out, s, n);
		return;
	}
	size_t start = 0;
	for (size_t i = 0; i < n; i++) {
		if (s[i] == '"' || s[i] == '\'') {
			buf_append(out, s + start, i - start);
			buf_puts(out, s[i] == '"' ? "&quot;" : "&#39;");
			start = i + 1;
		}
	}
	buf_append(out, s + start, n - start);
}

static void put_indent(struct rs *rs)
{
	for (unsigned i = rs->ilo; i < rs->ihi; i++)
		buf_append(rs->out, rs->ind[i].s, rs->ind[i].n);
}

static void put_text_indented(struct rs *rs, const struct node *nd)
{
	const char *s = nd->s, *end = nd->s + nd->n;
	if (nd->bol)
		put_indent(rs);
	while (s < end) {
		const char *nl = memchr(s, '\n', (size_t)(end - s));
		if (!nl) {
			buf_append(rs->out, s, (size_t)(end - s));
			break;
		}
		buf_append(rs->out, s, (size_t)(nl + 1 - s));
		s = nl + 1;
		if (s < end)
			put_indent(rs);
	}
}

static bool trans_name_char(char ch)
{
	return is_alpha(ch) || is_digit(ch) || ch == '_' || ch == '.' || ch == '-';
}

/* A translation may reorder the msgid's {{name}} variables; anything else
 * between braces is printed as it stands. */
static void put_translated(struct rs *rs, const char *s, uint8_t esc)
{
	const char *end = s + strlen(s);
	while (s < end) {
		const char *o = memmem(s, (size_t)(end - s), "{{", 2);
		if (!o) {
			put_literal(rs->out, s, (size_t)(end - s), esc);
			return;
		}
		put_literal(rs->out, s, (size_t)(o - s), esc);
		const char *cl = memmem(o + 2, (size_t)(end - o - 2), "}}", 2);
		if (!cl) {
			put_literal(rs->out, o, (size_t)(end - o), esc);
			return;
		}
		const char *name = o + 2;
		size_t n = (size_t)(cl - name);
		trim(&name, &n);
		bool ok = n > 0 && valid_dotted(name, n);
		for (size_t i = 0; ok && i < n; i++)
			ok = trans_name_char(name[i]);
		if (ok)
			put_value(rs->out, lookup(rs, name, n), ESC_HTML);
		else
			put_literal(rs->out, o, (size_t)(cl + 2 - o), esc);
		s = cl + 2;
	}
}

static void put_trans(struct rs *rs, const struct node *nd)
{
	const char *tr = NULL;
	if (rs->opts && rs->opts->translate)
		tr = rs->opts->translate(rs->opts->translate_cls, nd->msgid);
	if (tr && tr != nd->msgid && strcmp(tr, nd->msgid) != 0) {
		put_translated(rs, tr, nd->esc);
		return;
	}
	for (size_t i = 0; i < nd->nkids; i++) {
		const struct node *p = &nd->kids[i];
		if (p->kind == N_TEXT)
			put_literal(rs->out, p->s, p->n, nd->esc);
		else
			put_value(rs->out, lookup(rs, p->s, p->n), ESC_HTML);
	}
}

static const struct node *find_override(const struct rs *rs, const struct node *blk)
{
	for (unsigned i = 0; i < rs->npar; i++) {
		const struct node *p = rs->par[i];
		for (size_t j = 0; j < p->nkids; j++)
			if (p->kids[j].n == blk->n && memcmp(p->kids[j].s, blk->s, blk->n) == 0)
				return &p->kids[j];
	}
	return NULL;
}

static int render_list(struct rs *rs, const struct node *k, size_t n);

static int too_deep(struct rs *rs, const struct node *nd)
{
	return rerr(rs, nd, CAMPUS_EINVAL, "templates nested more than %d deep at \"%s\" (recursive partial?)",
	            TMPL_MAX_DEPTH, nd->s);
}

static int render_section(struct rs *rs, const struct node *nd)
{
	const json_t *v = lookup(rs, nd->s, nd->n);
	if (falsey(v))
		return 0;
	if (rs->depth >= TMPL_MAX_DEPTH)
		return too_deep(rs, nd);
	int rc = 0;
	rs->depth++;
	if (json_is_array(v)) {
		size_t m = json_array_size(v);
		for (size_t j = 0; j < m && rc == 0; j++) {
			if (++rs->steps > rs->max_steps) {
				rc = rerr(rs, nd, CAMPUS_ETOOBIG, "rendering needs more than %lu steps",
				          rs->max_steps);
				break;
			}
			rs->ctx[rs->nctx++] = json_array_get(v, j);
			rc = render_list(rs, nd->kids, nd->nkids);
			rs->nctx--;
		}
	} else {
		rs->ctx[rs->nctx++] = v;
		rc = render_list(rs, nd->kids, nd->nkids);
		rs->nctx--;
	}
	rs->depth--;
	return rc;
}

/* Partials, parents and blocks render in a new indentation frame: a
 * standalone tag adds its indentation to the current frame; an inline partial
 * starts an empty one (its lines belong to no indented source line). */
static int render_nested(struct rs *rs, const struct node *nd, const struct node *body,
                         size_t nbody, bool inline_empty)
{
	if (rs->depth >= TMPL_MAX_DEPTH)
		return too_deep(rs, nd);
	unsigned lo = rs->ilo, hi = rs->ihi;
	if (nd->standalone) {
		if (nd->indn) {
			rs->ind[hi] = (struct seg){nd->ind, nd->indn};
			rs->ihi = hi + 1;
		}
	} else if (inline_empty) {
		rs->ilo = hi;
	}
	if (nd->kind == N_PARENT)
		rs->par[rs->npar++] = nd;
	rs->depth++;
	int rc = render_list(rs, body, nbody);
	rs->depth--;
	if (nd->kind == N_PARENT)
		rs->npar--;
	rs->ilo = lo;
	rs->ihi = hi;
	return rc;
}

static int render_list(struct rs *rs, const struct node *k, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		const struct node *nd = &k[i];
		int rc = 0;
		if (++rs->steps > rs->max_steps)
			return rerr(rs, nd, CAMPUS_ETOOBIG, "rendering needs more than %lu steps",
			            rs->max_steps);
		if (rs->out->overflow)
			return rerr(rs, nd, CAMPUS_ETOOBIG, "output larger than %zu bytes", rs->out->max);
		bool ind = rs->ihi > rs->ilo;
		if (ind && nd->bol && nd->kind != N_TEXT)
			put_indent(rs);
		switch (nd->kind) {
		case N_TEXT:
			if (ind)
				put_text_indented(rs, nd);
			else
				buf_append(rs->out, nd->s, nd->n);
			break;
		case N_VAR:
			put_value(rs->out, lookup(rs, nd->s, nd->n), nd->esc);
			break;
		case N_SECTION:
			rc = render_section(rs, nd);
			break;
		case N_INVERTED:
			if (falsey(lookup(rs, nd->s, nd->n))) {
				if (rs->depth >= TMPL_MAX_DEPTH)
					return too_deep(rs, nd);
				rs->depth++;
				rc = render_list(rs, nd->kids, nd->nkids);
				rs->depth--;
			}
			break;
		case N_PARTIAL:
		case N_PARENT: {
			const struct tmpl *t = nd->target ? nd->target : set_find(rs->set, nd->s, nd->n);
			if (!t)
				return rerr(rs, nd, CAMPUS_ENOTFOUND, "%s \"%s\" not found",
				            nd->kind == N_PARTIAL ? "partial" : "parent template", nd->s);
			rc = render_nested(rs, nd, t->kids, t->nkids, true);
			break;
		}
		case N_BLOCK: {
			const struct node *ov = find_override(rs, nd);
			const struct node *body = ov ? ov : nd;
			rc = render_nested(rs, nd, body->kids, body->nkids, false);
			break;
		}
		case N_TRANS:
			put_trans(rs, nd);
			break;
		default:
			break;
		}
		if (rc)
			return rc;
	}
	return 0;
}

int tmpl_render(const struct tmpl_set *set, const char *name, const json_t *data,
                const struct tmpl_render_opts *opts, struct buf *out, struct buf *err)
{
	if (!set || !name || !out)
		return CAMPUS_EINVAL;
	const struct tmpl *t = set_find(set, name, strlen(name));
	if (!t) {
		if (err)
			buf_printf(err, "template \"%s\" not found", name);
		return CAMPUS_ENOTFOUND;
	}
	struct rs rs;
	rs.set = set;
	rs.opts = opts;
	rs.out = out;
	rs.err = err;
	rs.nctx = 0;
	rs.npar = 0;
	rs.ilo = rs.ihi = 0;
	rs.depth = 0;
	rs.steps = 0;
	rs.max_steps = opts && opts->max_steps ? opts->max_steps : DEFAULT_MAX_STEPS;
	if (data)
		rs.ctx[rs.nctx++] = data;
	int rc = render_list(&rs, t->kids, t->nkids);
	if (rc == 0 && out->overflow) {
		if (err)
			buf_printf(err, "%s: output larger than %zu bytes", t->file, out->max);
		rc = CAMPUS_ETOOBIG;
	}
	return rc;
}
