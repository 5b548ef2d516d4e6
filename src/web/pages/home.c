/* The front page and the accessibility statement. */
#include "http/req.h"
#include "web/web.h"

int page_home(struct req *r)
{
	return reply_page(r, 200, "home", json_object());
}

int page_accessibility(struct req *r)
{
	json_t *data = json_pack("{s:[{s:s, s:s}]}", "breadcrumb", "href", "/", "label",
	                         req_tr(r, "Startpagina"));
	return reply_page(r, 200, "toegankelijkheid", data);
}
