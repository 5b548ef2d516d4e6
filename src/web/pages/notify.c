/* "Meldingen" (the actor's notifications) and "Agenda" (the secret address
 * of their calendar feed, and the feed itself). */
#include <stdio.h>
#include <string.h>

#include "core/arena.h"
#include "core/buf.h"
#include "core/err.h"
#include "core/str.h"
#include "domain/ctx.h"
#include "domain/mail.h"
#include "domain/notify.h"
#include "http/req.h"
#include "web/web.h"

#define LIST_MAX 100

static json_t *breadcrumb(struct req *r)
{
	return json_pack("[{s:s, s:s}, {s:s, s:s}]", "href", "/", "label", req_tr(r, "Startpagina"), "href",
	                 "/mijn", "label", req_tr(r, "Mijn Campus"));
}

int page_notifications(struct req *r)
{
	struct ctx ctx;
	req_ctx(r, &ctx);
	struct notification *list;
	size_t n;
	int64_t unread;
	int rc = notify_list(&ctx, LIST_MAX, &list, &n, &unread);
	if (rc)
		return rc;
	json_t *items = json_array();
	for (size_t i = 0; i < n; i++) {
		json_t *it = json_pack("{s:I, s:s, s:s, s:s, s:b}", "id", (json_int_t)list[i].id, "title",
		                       list[i].title, "body", list[i].body, "when",
		                       req_when(r, list[i].created_at, WHEN_DATE_TIME), "unread", !list[i].read);
		/* Always set: a missing key would be looked up in the outer contexts. */
		json_object_set_new(it, "link", list[i].link && *list[i].link ? json_string(list[i].link)
		                                                              : json_false());
		json_object_set_new(it, "body", *list[i].body ? json_string(list[i].body) : json_false());
		json_array_append_new(items, it);
	}
	json_t *data = json_pack("{s:o, s:I, s:b, s:b, s:o}", "items", items, "unread_count", (json_int_t)unread,
	                         "has_unread", unread > 0, "more", n == LIST_MAX, "breadcrumb",
	                         breadcrumb(r));
	return reply_page(r, 200, "meldingen", data);
}

int page_notifications_read(struct req *r)
{
	const char *id_text = req_form(r, "id");
	int64_t id = 0;
	if (id_text && *id_text && (!str_to_int64(id_text, strlen(id_text), &id) || id <= 0))
		return reply_error(r, CAMPUS_EINVAL, req_tr(r, "Deze melding bestaat niet."));
	struct ctx ctx;
	req_ctx(r, &ctx);
	int rc = notify_mark_read(&ctx, id);
	if (rc == CAMPUS_ENOTFOUND)
		return reply_error(r, rc, req_tr(r, "Deze melding bestaat niet."));
	if (rc)
		return rc;
	return reply_redirect(r, "/mijn/meldingen");
}

/* GET: what the feed is and whether there is one. POST: a new address, shown
 * on this page only (it is not stored, so it cannot be shown again). */
int page_agenda(struct req *r)
{
	struct ctx ctx;
	req_ctx(r, &ctx);
	json_t *data = json_pack("{s:o}", "breadcrumb", breadcrumb(r));
	if (r->method == HTTP_POST) {
		char token[NOTIFY_FEED_TOKEN_LEN + 1];
		int rc = notify_feed_rotate(&ctx, token);
		if (rc) {
			json_decref(data);
			return rc;
		}
		const char *base = mail_base_url();
		const char *url = arena_printf(r->arena, "%s/agenda/%s", base, token);
		json_object_set_new(data, "feed_url", json_string(url));
		json_object_set_new(data, "exists", json_true());
	} else {
		json_object_set_new(data, "exists", json_boolean(notify_feed_exists(&ctx)));
	}
	return reply_page(r, 200, "agenda", data);
}

int page_agenda_feed(struct req *r)
{
	struct ctx ctx;
	req_ctx(r, &ctx);
	struct buf out;
	buf_init(&out, r->arena, 0);
	int rc = notify_feed_ics(&ctx, req_param(r, "token"), &out);
	if (rc)
		return rc;
	req_add_header(r, "Content-Disposition", "inline; filename=\"campus.ics\"");
	return reply_text(r, 200, "text/calendar; charset=utf-8", out.data, out.len);
}
