/* /api/v1/provider/completions: a provider's system registers results of
 * its editions in bulk (POST, modules:write; up to 5,000 rows a call) and
 * reads what was recorded for an edition (GET ?edition_id=, modules:read).
 * Every row gets its own answer, accepted or rejected with a code and a
 * Dutch and English text, as the Dutch PE registers' webservice does; a
 * bad row never holds up the others (domain/completion_push.h). Only a
 * body that is not {"rows": [...]} or has too many rows is refused whole.
 * Documented in static/openapi.json. */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "core/arena.h"
#include "core/err.h"
#include "core/str.h"
#include "core/when.h"
#include "domain/completion_push.h"
#include "http/req.h"
#include "view/i18n.h"
#include "web/web.h"

static const char *S(const char *s) { return s ? s : ""; }

static json_t *iso_time(int64_t t)
{
	time_t tt = (time_t)t;
	struct tm tm;
	char text[32];
	if (!t || !gmtime_r(&tt, &tm) || !strftime(text, sizeof text, "%Y-%m-%dT%H:%M:%SZ", &tm))
		return json_null();
	return json_string(text);
}

/* "2027-01-12" (Amsterdam): the moment to record. Today is now; an earlier
 * day its last second; a later day its first (the domain refuses it). */
static bool day_parse(const char *s, int64_t now, int64_t *out)
{
	int64_t first, last;
	if (!s || strlen(s) != 10 || !when_parse(s, "00:00", &first) || !when_parse(s, "23:59", &last))
		return false;
	last += 59;
	*out = first > now ? first : last < now ? last : now;
	return true;
}

static const char *const row_fields[] = {"edition_id", "enrolment_id", "email", "outcome", "grade",
                                         "completed_at"};

/* One row of the body into *in, or the msgid of what is wrong with it. */
static const char *read_row(struct req *r, json_t *row, int64_t now, struct push_row *in)
{
	memset(in, 0, sizeof *in);
	if (!json_is_object(row))
		return N_("Een regel is een object met edition_id, email of enrolment_id, outcome en eventueel grade en completed_at.");
	const char *key;
	json_t *value;
	json_object_foreach(row, key, value) {
		size_t i = 0;
		while (i < sizeof row_fields / sizeof row_fields[0] && strcmp(row_fields[i], key))
			i++;
		if (i == sizeof row_fields / sizeof row_fields[0])
			return N_("De regel heeft een onbekend veld.");
	}
	json_t *ed = json_object_get(row, "edition_id");
	if (!json_is_integer(ed) || json_integer_value(ed) <= 0)
		return N_("Geef edition_id: het nummer van de uitvoering.");
	in->edition_id = json_integer_value(ed);
	json_t *id = json_object_get(row, "enrolment_id");
	json_t *em = json_object_get(row, "email");
	if (id && !json_is_null(id)) {
		if (!json_is_integer(id) || json_integer_value(id) <= 0)
			return N_("enrolment_id moet een nummer zijn.");
		in->enrolment_id = json_integer_value(id);
	} else if (json_is_string(em) && *json_string_value(em)) {
		in->email = json_string_value(em);
	} else
		return N_("Geef email of enrolment_id van de deelnemer.");
	json_t *o = json_object_get(row, "outcome");
	const char *os = json_is_string(o) ? json_string_value(o) : "";
	if (!strcmp(os, "completed"))
		in->outcome = RESULT_COMPLETED;
	else if (!strcmp(os, "not_completed"))
		in->outcome = RESULT_NOT_COMPLETED;
	else if (!strcmp(os, "no_show"))
		in->outcome = RESULT_NO_SHOW;
	else
		return N_("Geef outcome: completed, not_completed of no_show.");
	json_t *g = json_object_get(row, "grade");
	if (g && !json_is_null(g)) {
		if (!json_is_string(g))
			return N_("grade moet tekst zijn.");
		in->grade = *json_string_value(g) ? json_string_value(g) : NULL;
	}
	json_t *at = json_object_get(row, "completed_at");
	if (at && !json_is_null(at) &&
	    (!json_is_string(at) || !day_parse(json_string_value(at), now, &in->completed_at)))
		return N_("Geef completed_at als datum, bijvoorbeeld 2027-01-12.");
	(void)r;
	return NULL;
}

static void set_message(json_t *o, const char *msgid)
{
	json_object_set_new(o, "message", json_string(i18n_gettext(LANG_NL, msgid)));
	json_object_set_new(o, "message_en", json_string(i18n_gettext(LANG_EN, msgid)));
}

static int push(struct req *r)
{
	if (!(r->actor.flags & ACTOR_API_WRITE))
		return CAMPUS_EFORBIDDEN;
	json_t *rows = json_object_get(r->json, "rows");
	if (!json_is_object(r->json) || !json_is_array(rows) || json_array_size(rows) == 0) {
		r->error = CAMPUS_EINVAL;
		return reply_json(r, 400, json_pack("{s:{s:s, s:s, s:s}}", "error", "code", "invalid",
		                                    "message", req_tr(r, "Geef rows: een lijst van 1 tot 5000 regels."),
		                                    "request_id", r->id));
	}
	size_t n = json_array_size(rows);
	if (n > COMPLETION_PUSH_MAX) {
		r->error = CAMPUS_ETOOBIG;
		return reply_json(r, 413, json_pack("{s:{s:s, s:s, s:s}}", "error", "code", "too_many_rows",
		                                    "message", req_tr(r, "Hoogstens 5000 regels per aanroep; er is niets opgeslagen."),
		                                    "request_id", r->id));
	}
	struct ctx ctx;
	req_ctx(r, &ctx);
	int64_t now = ctx.now();
	struct push_row *in = arena_alloc(r->arena, n * sizeof *in);
	struct push_result *out = arena_alloc(r->arena, n * sizeof *out);
	const char **bad = arena_alloc(r->arena, n * sizeof *bad);
	size_t *pos = arena_alloc(r->arena, n * sizeof *pos);
	if (!in || !out || !bad || !pos)
		return CAMPUS_ENOMEM;
	/* Well-formed rows go to the domain; the others are rejected here. */
	size_t good = 0;
	for (size_t i = 0; i < n; i++) {
		bad[i] = read_row(r, json_array_get(rows, i), now, &in[good]);
		if (!bad[i])
			pos[good++] = i;
	}
	int rc = good ? completion_push(&ctx, ATTEND_API, in, good, out) : 0;
	if (rc)
		return rc;
	json_t *list = json_array();
	size_t accepted = 0, duplicates = 0, k = 0;
	for (size_t i = 0; i < n; i++) {
		json_t *o;
		if (bad[i]) {
			o = json_pack("{s:I, s:s, s:s}", "row", (json_int_t)i, "status", "rejected", "code",
			              "invalid_row");
			set_message(o, bad[i]);
		} else {
			const struct push_result *x = &out[k++];
			if (x->accepted) {
				accepted++;
				duplicates += x->duplicate;
				o = json_pack("{s:I, s:s, s:b, s:I}", "row", (json_int_t)i, "status", "accepted",
				              "duplicate", x->duplicate, "enrolment_id", (json_int_t)x->enrolment_id);
				if (x->completion_id) {
					json_object_set_new(o, "completion_id", json_integer((json_int_t)x->completion_id));
					json_object_set_new(o, "points_tenths", json_integer((json_int_t)x->points_tenths));
					json_object_set_new(o, "certificate_code",
					                    x->certificate_code[0] ? json_string(x->certificate_code)
					                                           : json_null());
				}
				if (x->why)
					set_message(o, x->why);
			} else {
				o = json_pack("{s:I, s:s, s:s}", "row", (json_int_t)i, "status", "rejected", "code",
				              S(x->code));
				if (x->enrolment_id)
					json_object_set_new(o, "enrolment_id", json_integer((json_int_t)x->enrolment_id));
				set_message(o, S(x->why));
			}
		}
		json_array_append_new(list, o);
	}
	return reply_json(r, 200, json_pack("{s:I, s:I, s:I, s:I, s:o}", "count", (json_int_t)n,
	                                    "accepted", (json_int_t)accepted, "rejected",
	                                    (json_int_t)(n - accepted), "duplicates",
	                                    (json_int_t)duplicates, "rows", list));
}

static int list(struct req *r)
{
	const char *s = req_query(r, "edition_id");
	int64_t edition_id = 0;
	if (!s || !str_to_int64(s, strlen(s), &edition_id) || edition_id <= 0)
		return reply_error(r, CAMPUS_EINVAL, req_tr(r, "Geef edition_id: het nummer van de uitvoering."));
	struct ctx ctx;
	req_ctx(r, &ctx);
	struct pushed_completion *c;
	size_t n;
	int rc = completion_push_list(&ctx, edition_id, &c, &n);
	if (rc)
		return rc;
	json_t *arr = json_array();
	for (size_t i = 0; i < n; i++) {
		json_t *o = json_pack(
		    "{s:I, s:o, s:I, s:s, s:s, s:s, s:o, s:I, s:s, s:o, s:o, s:o}", "id", (json_int_t)c[i].id,
		    "enrolment_id",
		    c[i].enrolment_id ? json_integer((json_int_t)c[i].enrolment_id) : json_null(),
		    "person_id", (json_int_t)c[i].person_id, "name", S(c[i].person_name), "email",
		    S(c[i].person_email), "source", S(c[i].source), "grade",
		    c[i].grade && *c[i].grade ? json_string(c[i].grade) : json_null(), "points_tenths",
		    (json_int_t)c[i].points_tenths, "completed_at",
		    when_text(r->arena, c[i].completed_at, "nl", WHEN_ISO_DATE), "registered_at",
		    iso_time(c[i].registered_at), "certificate_code",
		    c[i].certificate_code && *c[i].certificate_code ? json_string(c[i].certificate_code)
		                                                    : json_null(),
		    "no_points_reason",
		    c[i].no_points_why && *c[i].no_points_why
		        ? json_string(i18n_gettext(r->lang, c[i].no_points_why))
		        : json_null());
		json_array_append_new(arr, o);
	}
	return reply_json(r, 200, json_pack("{s:I, s:o, s:I}", "edition_id", (json_int_t)edition_id,
	                                    "completions", arr, "count", (json_int_t)n));
}

int api_provider_completions(struct req *r)
{
	return r->method == HTTP_POST ? push(r) : list(r);
}
