/* Pagination for lists: ?pagina=N, and links that keep the other filters
 * (also the API's ?page=N: page_link takes the parameter's name). */
#include <string.h>

#include "core/arena.h"
#include "core/err.h"
#include "core/str.h"
#include "http/req.h"
#include "web/web.h"

int page_param(struct req *r, unsigned *page)
{
	const char *p = req_query(r, "pagina");
	unsigned long v = 1;
	if (p && !str_to_uint(p, strlen(p), 100000, &v))
		return CAMPUS_EINVAL;
	*page = v ? (unsigned)v : 1;
	return 0;
}

const char *page_link(struct req *r, const char *path, const char *const *keep, const char *param,
                      unsigned page)
{
	struct buf b;
	buf_init(&b, r->arena, 4096);
	buf_puts(&b, path);
	char sep = '?';
	for (const char *const *k = keep; *k; k++) {
		const char *v = req_query(r, *k);
		if (!v || !*v)
			continue;
		buf_printf(&b, "%c%s=", sep, *k);
		buf_url_encode(&b, v, strlen(v));
		sep = '&';
	}
	if (page > 1)
		buf_printf(&b, "%c%s=%u", sep, param, page);
	return b.overflow ? path : b.data;
}

json_t *pager_json_links(unsigned page, unsigned per_page, int64_t total,
                         const char *(*link)(void *cls, unsigned page), void *cls)
{
	unsigned pages = total > 0 ? (unsigned)((total + per_page - 1) / per_page) : 1;
	/* Past the end (the list shrank, or a typed URL): no "page 4 of 3", only a
	 * link to the last page there is. */
	bool beyond = page > pages;
	json_t *p = json_pack("{s:i, s:i, s:I, s:b, s:b}", "page", (int)page, "pages", (int)pages,
	                      "total", (json_int_t)total, "several", pages > 1 || beyond, "beyond",
	                      beyond);
	if (beyond)
		json_object_set_new(p, "last", json_string(link(cls, pages)));
	else if (page > 1)
		json_object_set_new(p, "prev", json_string(link(cls, page - 1)));
	if (page < pages)
		json_object_set_new(p, "next", json_string(link(cls, page + 1)));
	return p;
}

struct kept_link {
	struct req *r;
	const char *path;
	const char *const *keep;
};

static const char *kept_link(void *cls, unsigned page)
{
	const struct kept_link *k = cls;
	return page_link(k->r, k->path, k->keep, "pagina", page);
}

json_t *pager_json(struct req *r, const char *path, const char *const *keep, unsigned page,
                   unsigned per_page, int64_t total)
{
	struct kept_link k = {r, path, keep};
	return pager_json_links(page, per_page, total, kept_link, &k);
}
