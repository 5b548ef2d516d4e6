/* Template engine: Mustache syntax (variables, sections, inverted sections,
 * comments, set delimiters, partials, and the inheritance module's parents
 * and blocks) plus a translation pseudo-section {{#_}}...{{/_}}.
 *
 * Templates are compiled once, at start, into a node tree; rendering walks the
 * tree with jansson data and only appends to the output buffer. In HTML mode
 * (the default) the compiler follows the HTML around every variable and picks
 * the escaping for that spot, or refuses the template when a variable sits
 * where no escaping is safe (inside <script>, an event handler, ...).
 * docs/internals/view.md describes the syntax, the contexts and the errors.
 *
 * A set is built by one thread; after tmpl_set_link it is read-only and any
 * number of threads may render from it at once. */
#ifndef CAMPUS_VIEW_TMPL_H
#define CAMPUS_VIEW_TMPL_H

#include <stdbool.h>
#include <stddef.h>

#include <jansson.h>

struct buf;
struct tmpl_set;

enum {
	/* No HTML context tracking: every {{x}} is HTML-escaped, {{{x}}} is raw,
	 * as in plain Mustache (e-mail and certificate templates). */
	TMPL_PLAIN = 1,
};

/* Most nested sections, partials, parents and blocks while rendering (and
 * most nested sections in one template while compiling). */
#define TMPL_MAX_DEPTH 64

struct tmpl_set *tmpl_set_new(unsigned flags);
void tmpl_set_free(struct tmpl_set *set);

/* Compile src[0..len) under `name`; filename (or name when NULL) prefixes the
 * errors, which read "file:line: message". A name may be added once. */
int tmpl_set_add(struct tmpl_set *set, const char *name, const char *src, size_t len,
                 const char *filename, struct buf *err);
/* Compile every *.html and *.mustache file under dir (recursively, hidden
 * entries skipped); the name is the relative path without the extension,
 * e.g. "layouts/base", "pages/home", "partials/nav". */
int tmpl_set_load_dir(struct tmpl_set *set, const char *dir, struct buf *err);
/* Resolve {{>partial}} and {{<parent}} names once all templates are in. An
 * unknown name is an error (file:line of the reference) in HTML mode; in plain
 * mode it is left for tmpl_render to report. */
int tmpl_set_link(struct tmpl_set *set, struct buf *err);
bool tmpl_set_has(const struct tmpl_set *set, const char *name);

struct tmpl_render_opts {
	/* Translation for a {{#_}} msgid; NULL (or the msgid itself) keeps the
	 * msgid. The result may use {{name}} variables of the msgid. */
	const char *(*translate)(void *cls, const char *msgid);
	void *translate_cls;
	/* Most nodes one render may visit before it fails (0: 16 million); a
	 * guard against templates whose work explodes through recursion. */
	unsigned long max_steps;
};

/* Append the rendering of template `name` to out. data is the root context
 * (NULL: none); opts may be NULL. On error out holds a partial page, err
 * gets "file:line: message", and the result is CAMPUS_ENOTFOUND (unknown
 * template or partial), CAMPUS_ETOOBIG (out's cap or max_steps reached) or
 * CAMPUS_EINVAL (nesting deeper than TMPL_MAX_DEPTH). */
int tmpl_render(const struct tmpl_set *set, const char *name, const json_t *data,
                const struct tmpl_render_opts *opts, struct buf *out, struct buf *err);

/* Call cb for every {{#_}} msgid, in template order, with its file and line
 * (for extracting strings into .po files). */
int tmpl_collect_msgids(const struct tmpl_set *set,
                        void (*cb)(void *cls, const char *msgid, const char *file, int line),
                        void *cls);

#endif
