/* An edition's participants as its owner and teachers see them: the list
 * and its exports (CSV for Dutch Excel, XLSX), attendance per meeting (web
 * form and CSV upload), results, and the QR self check-in of a meeting.
 * Every handler starts from edition_of_path() (the edition belongs to the
 * organisation of the URL, and the actor manages or teaches it); the domain
 * checks again and refuses a whole batch when one row is wrong. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <xlsxwriter.h>

#include "core/arena.h"
#include "core/buf.h"
#include "core/csv.h"
#include "core/err.h"
#include "core/log.h"
#include "core/str.h"
#include "core/when.h"
#include "domain/enrol.h"
#include "domain/mail.h"
#include "http/req.h"
#include "view/qr.h"
#include "web/web.h"

#define UPLOAD_MAX (1024 * 1024)

static const char *S(const char *s) { return s ? s : ""; }

/* "di 14 apr 2026 09:30" in Dutch local time. */
static const char *time_text(struct req *r, int64_t t) { return req_when(r, t, WHEN_SHORT_TIME); }

/* A booking that has a seat: attendance and results are about these. */
static bool booked(enum enrol_state s)
{
	return s == ENROL_ENROLLED || s == ENROL_ATTENDED || s == ENROL_NO_SHOW ||
	       s == ENROL_COMPLETED || s == ENROL_NOT_COMPLETED;
}

static json_t *page_base(struct req *r, const struct edition *e, const char *here)
{
	struct ctx ctx;
	req_ctx(r, &ctx);
	const char *planning = arena_printf(r->arena, "/b/%s/planning", r->org.slug);
	const char *base = arena_printf(r->arena, "/b/%s/uitvoeringen/%lld", r->org.slug, (long long)e->id);
	json_t *data = json_pack(
	    "{s:s, s:s, s:s, s:[{s:s, s:s}, {s:s, s:s}], s:{s:I, s:s, s:s, s:s, s:b, s:b, s:s}}",
	    "org_name", r->org.name, "org_slug", r->org.slug, "here", here, "breadcrumb", "href",
	    "/mijn", "label", req_tr(r, "Mijn Campus"), "href", planning ? planning : "/mijn", "label",
	    req_tr(r, "Planning"), "edition", "id", (json_int_t)e->id, "module_title",
	    S(e->module_title), "code", S(e->code), "when",
	    e->always_open ? req_tr(r, "Altijd open") : time_text(r, e->starts_at), "cancelled",
	    e->cancelled, "manage", edition_may_manage(&ctx, e), "base", S(base));
	return data;
}

static int load(struct req *r, struct edition *e, struct enrolment **people, size_t *n)
{
	int rc = edition_of_path(r, false, e);
	if (rc)
		return rc;
	struct ctx ctx;
	req_ctx(r, &ctx);
	return enrol_list_edition(&ctx, e->id, people, n);
}

/* ---- participants and exports ---- */

int page_edition_participants(struct req *r)
{
	struct edition e;
	struct enrolment *p;
	size_t n;
	int rc = load(r, &e, &p, &n);
	if (rc)
		return rc;
	json_t *list = json_array();
	for (size_t i = 0; i < n; i++) {
		json_t *row = json_pack(
		    "{s:I, s:s, s:s, s:s, s:s, s:I, s:I, s:I, s:s}", "id", (json_int_t)p[i].id, "name",
		    S(p[i].person_name), "email", S(p[i].person_email), "org", S(p[i].org_name), "state",
		    req_tr(r, enrol_state_label(p[i].state)), "waitlist_pos", (json_int_t)p[i].waitlist_pos,
		    "attended", (json_int_t)p[i].meetings_attended, "total",
		    (json_int_t)p[i].meetings_total, "grade", S(p[i].grade));
		json_object_set_new(row, "booked", json_boolean(booked(p[i].state)));
		json_array_append_new(list, row);
	}
	json_t *data = page_base(r, &e, "deelnemers");
	json_object_set_new(data, "people", list);
	json_object_set_new(data, "count", json_integer((json_int_t)n));
	json_object_set_new(data, "enrolled", json_integer((json_int_t)e.enrolled));
	json_object_set_new(data, "waitlisted", json_integer((json_int_t)e.waitlisted));
	json_object_set_new(data, "requested", json_integer((json_int_t)e.requested));
	json_object_set_new(data, "capacity", json_integer((json_int_t)e.capacity));
	json_object_set_new(data, "seats_left", json_integer((json_int_t)e.seats_left));
	return reply_page(r, 200, "uitvoering-deelnemers", data);
}

/* One cell for Dutch Excel: quoted, quotes doubled, a leading = + - @ defused
 * so a spreadsheet does not run it as a formula. */
static void csv_cell(struct buf *b, const char *s, bool last)
{
	buf_putc(b, '"');
	if (*s == '=' || *s == '+' || *s == '-' || *s == '@')
		buf_putc(b, '\'');
	for (; *s; s++) {
		if (*s == '"')
			buf_putc(b, '"');
		buf_putc(b, *s);
	}
	buf_puts(b, last ? "\"\r\n" : "\";");
}

#define EXPORT_COLS 7

static void export_head(struct req *r, const char *head[EXPORT_COLS])
{
	head[0] = req_tr(r, "Naam");
	head[1] = req_tr(r, "E-mailadres");
	head[2] = req_tr(r, "Bibliotheek");
	head[3] = req_tr(r, "Status");
	head[4] = req_tr(r, "Plaats op de wachtlijst");
	head[5] = req_tr(r, "Aanwezig (bijeenkomsten)");
	head[6] = req_tr(r, "Cijfer");
}

static void export_row(struct req *r, const struct enrolment *p, const char *cell[EXPORT_COLS])
{
	cell[0] = S(p->person_name);
	cell[1] = S(p->person_email);
	cell[2] = S(p->org_name);
	cell[3] = req_tr(r, enrol_state_label(p->state));
	cell[4] = p->waitlist_pos ? arena_printf(r->arena, "%lld", (long long)p->waitlist_pos) : "";
	cell[5] = arena_printf(r->arena, "%lld/%lld", (long long)p->meetings_attended,
	                       (long long)p->meetings_total);
	cell[6] = S(p->grade);
}

static int attachment(struct req *r, const struct edition *e, const char *ext)
{
	return req_add_header(r, "Content-Disposition",
	                      arena_printf(r->arena, "attachment; filename=\"deelnemers-%lld.%s\"",
	                                   (long long)e->id, ext));
}

int page_edition_participants_csv(struct req *r)
{
	struct edition e;
	struct enrolment *p;
	size_t n;
	int rc = load(r, &e, &p, &n);
	if (rc)
		return rc;
	struct buf b;
	buf_init(&b, r->arena, 16 * 1024 * 1024);
	buf_puts(&b, "\xEF\xBB\xBF"); /* the BOM: Excel then reads UTF-8 */
	const char *cells[EXPORT_COLS];
	export_head(r, cells);
	for (size_t k = 0; k < EXPORT_COLS; k++)
		csv_cell(&b, cells[k], k == EXPORT_COLS - 1);
	for (size_t i = 0; i < n; i++) {
		export_row(r, &p[i], cells);
		for (size_t k = 0; k < EXPORT_COLS; k++)
			csv_cell(&b, cells[k], k == EXPORT_COLS - 1);
	}
	if (b.overflow)
		return CAMPUS_ENOMEM;
	rc = attachment(r, &e, "csv");
	return rc ? rc : reply_text(r, 200, "text/csv; charset=utf-8", b.data, b.len);
}

/* libxlsxwriter 1.1 writes to a file only: a private temporary file, read
 * back into the arena and removed. */
int page_edition_participants_xlsx(struct req *r)
{
	struct edition e;
	struct enrolment *p;
	size_t n;
	int rc = load(r, &e, &p, &n);
	if (rc)
		return rc;
	const char *dir = getenv("TMPDIR");
	char path[512];
	snprintf(path, sizeof path, "%s/campus-xlsx-XXXXXX", dir && *dir ? dir : "/tmp");
	int fd = mkstemp(path);
	if (fd < 0)
		return CAMPUS_EIO;
	close(fd);
	lxw_workbook *wb = workbook_new(path);
	lxw_worksheet *ws = wb ? workbook_add_worksheet(wb, req_tr(r, "Deelnemers")) : NULL;
	if (!ws) {
		if (wb)
			workbook_close(wb);
		unlink(path);
		return CAMPUS_EIO;
	}
	lxw_format *bold = workbook_add_format(wb);
	format_set_bold(bold);
	const char *cells[EXPORT_COLS];
	export_head(r, cells);
	for (size_t k = 0; k < EXPORT_COLS; k++) {
		worksheet_write_string(ws, 0, (lxw_col_t)k, cells[k], bold);
		worksheet_set_column(ws, (lxw_col_t)k, (lxw_col_t)k, k < 3 ? 28 : 16, NULL);
	}
	for (size_t i = 0; i < n; i++) {
		export_row(r, &p[i], cells);
		for (size_t k = 0; k < EXPORT_COLS; k++) {
			/* Text cells as text: a value starting with = stays a value. */
			if (k == 4 && p[i].waitlist_pos)
				worksheet_write_number(ws, (lxw_row_t)(i + 1), (lxw_col_t)k,
				                       (double)p[i].waitlist_pos, NULL);
			else
				worksheet_write_string(ws, (lxw_row_t)(i + 1), (lxw_col_t)k, cells[k], NULL);
		}
	}
	lxw_error err = workbook_close(wb);
	if (err != LXW_NO_ERROR) {
		log_error("xlsx: %s", lxw_strerror(err));
		unlink(path);
		return CAMPUS_EIO;
	}
	FILE *f = fopen(path, "rb");
	unlink(path);
	if (!f)
		return CAMPUS_EIO;
	struct buf b;
	buf_init(&b, r->arena, 32 * 1024 * 1024);
	char chunk[16384];
	size_t got;
	while ((got = fread(chunk, 1, sizeof chunk, f)) > 0)
		buf_append(&b, chunk, got);
	fclose(f);
	if (b.overflow)
		return CAMPUS_ENOMEM;
	rc = attachment(r, &e, "xlsx");
	return rc ? rc
	          : reply_text(r, 200,
	                       "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
	                       b.data, b.len);
}

/* ---- attendance ---- */

/* The meeting chosen by ?bijeenkomst= or the form's field: its index, or
 * the one that started last (the first when none has). */
static int pick_meeting(struct req *r, const struct edition *e, const char *text, size_t *idx)
{
	if (e->nmeetings == 0)
		return CAMPUS_ENOTFOUND;
	if (text && *text) {
		int64_t id;
		if (!str_to_int64(text, strlen(text), &id))
			return CAMPUS_ENOTFOUND;
		for (size_t i = 0; i < e->nmeetings; i++)
			if (e->meetings[i].id == id) {
				*idx = i;
				return 0;
			}
		return CAMPUS_ENOTFOUND;
	}
	struct ctx ctx;
	req_ctx(r, &ctx);
	int64_t now = ctx.now();
	*idx = 0;
	for (size_t i = 0; i < e->nmeetings; i++)
		if (e->meetings[i].starts_at <= now)
			*idx = i;
	return 0;
}

/* Problems of one refused batch, for the page: "line: reason". */
struct row_problem {
	const char *who;
	const char *why;
};

static int render_attendance(struct req *r, unsigned status, const struct edition *e,
                             const struct enrolment *p, size_t n, size_t m,
                             const struct row_problem *problems, size_t nproblems,
                             const char *error)
{
	struct ctx ctx;
	req_ctx(r, &ctx);
	int *present = NULL;
	int rc = enrol_attendance_grid(&ctx, e->id, p, n, &present);
	if (rc)
		return rc;
	json_t *meetings = json_array();
	for (size_t k = 0; k < e->nmeetings; k++)
		json_array_append_new(meetings, json_pack("{s:I, s:s, s:b, s:I}", "id",
		                                          (json_int_t)e->meetings[k].id, "when",
		                                          time_text(r, e->meetings[k].starts_at),
		                                          "current", k == m, "n", (json_int_t)(k + 1)));
	json_t *people = json_array();
	for (size_t i = 0; i < n; i++) {
		if (!booked(p[i].state))
			continue;
		json_t *marks = json_array();
		for (size_t k = 0; k < e->nmeetings; k++) {
			int v = present[i * e->nmeetings + k];
			json_array_append_new(marks, json_pack("{s:b, s:b}", "present", v == 1, "absent", v == 0));
		}
		int v = present[i * e->nmeetings + m];
		json_array_append_new(people, json_pack("{s:I, s:s, s:s, s:s, s:b, s:b, s:o}", "id",
		                                        (json_int_t)p[i].id, "name", S(p[i].person_name),
		                                        "email", S(p[i].person_email), "org",
		                                        S(p[i].org_name), "present", v == 1, "absent",
		                                        v == 0, "marks", marks));
	}
	json_t *data = page_base(r, e, "aanwezigheid");
	json_object_set_new(data, "meetings", meetings);
	json_object_set_new(data, "meeting",
	                    json_pack("{s:I, s:s}", "id", (json_int_t)e->meetings[m].id, "when",
	                              time_text(r, e->meetings[m].starts_at)));
	json_object_set_new(data, "people", people);
	if (error)
		json_object_set_new(data, "error", json_string(error));
	if (nproblems) {
		json_t *list = json_array();
		for (size_t i = 0; i < nproblems; i++)
			json_array_append_new(list, json_pack("{s:s, s:s}", "who", S(problems[i].who), "why",
			                                      req_tr(r, problems[i].why)));
		json_object_set_new(data, "problems", list);
	}
	return reply_page(r, status, "uitvoering-aanwezigheid", data);
}

static const char *attendance_path(struct req *r, const struct edition *e, int64_t meeting_id)
{
	return arena_printf(r->arena, "/b/%s/uitvoeringen/%lld/aanwezigheid?bijeenkomst=%lld",
	                    r->org.slug, (long long)e->id, (long long)meeting_id);
}

int page_edition_attendance(struct req *r)
{
	struct edition e;
	struct enrolment *p;
	size_t n, m;
	int rc = load(r, &e, &p, &n);
	if (rc)
		return rc;
	if (e.nmeetings == 0)
		return reply_error(r, CAMPUS_ENOTFOUND,
		                   req_tr(r, "Deze uitvoering heeft geen bijeenkomsten (altijd open)."));
	const char *chosen = r->method == HTTP_POST ? req_form(r, "bijeenkomst") : req_query(r, "bijeenkomst");
	if ((rc = pick_meeting(r, &e, chosen, &m)))
		return rc;
	if (r->method != HTTP_POST)
		return render_attendance(r, 200, &e, p, n, m, NULL, 0, NULL);
	/* One mark per booked participant the form names: p<enrolment id>=ja|nee. */
	struct attendance_mark *marks = arena_alloc(r->arena, (n + 1) * sizeof *marks);
	struct row_problem *problems = arena_alloc(r->arena, (n + 1) * sizeof *problems);
	const struct enrolment **who = arena_alloc(r->arena, (n + 1) * sizeof *who);
	if (!marks || !problems || !who)
		return CAMPUS_ENOMEM;
	size_t nm = 0;
	for (size_t i = 0; i < n; i++) {
		const char *v = req_form(r, arena_printf(r->arena, "p%lld", (long long)p[i].id));
		if (!v || !*v)
			continue;
		if (strcmp(v, "ja") && strcmp(v, "nee"))
			return reply_error(r, CAMPUS_EINVAL, req_tr(r, "Kies aanwezig of afwezig."));
		who[nm] = &p[i];
		marks[nm++] = (struct attendance_mark){.enrolment_id = p[i].id, .present = !strcmp(v, "ja")};
	}
	struct ctx ctx;
	req_ctx(r, &ctx);
	struct attendance_outcome *out = arena_alloc(r->arena, (nm + 1) * sizeof *out);
	if (!out)
		return CAMPUS_ENOMEM;
	memset(out, 0, (nm + 1) * sizeof *out);
	const char *why = NULL;
	rc = nm ? enrol_attendance_set(&ctx, e.meetings[m].id, marks, nm, ATTEND_WEB, out, &why) : 0;
	if (rc && (why || rc == CAMPUS_EINVAL || rc == CAMPUS_ECONFLICT)) {
		size_t np = 0;
		for (size_t i = 0; i < nm; i++)
			if (out[i].why)
				problems[np++] = (struct row_problem){who[i]->person_name, out[i].why};
		r->error = rc;
		return render_attendance(r, rc == CAMPUS_ECONFLICT ? 409 : 422, &e, p, n, m, problems, np,
		                         req_tr(r, why ? why : N_("De aanwezigheid is niet opgeslagen.")));
	}
	if (rc)
		return rc;
	req_flash(r, "aanwezigheid");
	return reply_redirect(r, attendance_path(r, &e, e.meetings[m].id));
}

/* "ja", "nee" and the usual spellings of yes and no; -1 otherwise. */
static int yes_no(const char *s)
{
	static const char *const yes[] = {"ja", "j", "1", "aanwezig", "yes", "y", "true", "x"};
	static const char *const no[] = {"nee", "n", "0", "afwezig", "no", "false", ""};
	for (size_t i = 0; i < sizeof yes / sizeof yes[0]; i++)
		if (!strcasecmp(s, yes[i]))
			return 1;
	for (size_t i = 0; i < sizeof no / sizeof no[0]; i++)
		if (!strcasecmp(s, no[i]))
			return 0;
	return -1;
}

int page_edition_attendance_csv(struct req *r)
{
	struct edition e;
	struct enrolment *p;
	size_t n, m;
	int rc = load(r, &e, &p, &n);
	if (rc)
		return rc;
	if ((rc = pick_meeting(r, &e, req_form(r, "bijeenkomst"), &m)))
		return rc;
	unsigned char *data;
	size_t len;
	rc = form_file_read(r, "bestand", UPLOAD_MAX, &data, &len);
	const char *refusal = NULL;
	if (rc == CAMPUS_ETOOBIG)
		refusal = N_("Het bestand is te groot (hoogstens 1 MB).");
	else if (rc)
		return rc;
	else if (!data)
		refusal = N_("Kies een CSV-bestand.");
	struct csv_table t = {0};
	struct csv_error cerr = {0};
	if (!refusal) {
		rc = csv_read(r->arena, (const char *)data, len, NULL, &t, &cerr);
		if (rc == CAMPUS_EINVAL || rc == CAMPUS_ETOOBIG)
			refusal = cerr.msgid ? cerr.msgid : N_("Het bestand is geen leesbaar CSV-bestand.");
		else if (rc)
			return rc;
	}
	if (refusal) {
		r->error = CAMPUS_EINVAL;
		return render_attendance(r, 422, &e, p, n, m, NULL, 0, req_tr(r, refusal));
	}
	/* A header row (no @ in its first cell) is skipped. */
	size_t first = t.nrows && t.rows[0].n && !strchr(t.rows[0].cells[0].s, '@') ? 1 : 0;
	size_t rows = t.nrows - first;
	struct attendance_mark *marks = arena_alloc(r->arena, (rows + 1) * sizeof *marks);
	unsigned *line = arena_alloc(r->arena, (rows + 1) * sizeof *line);
	struct row_problem *problems = arena_alloc(r->arena, (rows + 1) * sizeof *problems);
	struct attendance_outcome *out = arena_alloc(r->arena, (rows + 1) * sizeof *out);
	if (!marks || !line || !problems || !out)
		return CAMPUS_ENOMEM;
	memset(out, 0, (rows + 1) * sizeof *out);
	size_t nm = 0, np = 0;
	for (size_t i = first; i < t.nrows; i++) {
		const struct csv_row *row = &t.rows[i];
		const char *who = arena_printf(r->arena, "%s %u", req_tr(r, "Regel"), row->record);
		const char *email = row->n > 0 ? row->cells[0].s : "";
		int present = row->n > 1 ? yes_no(row->cells[1].s) : -1;
		if (!*email || !strchr(email, '@'))
			problems[np++] = (struct row_problem){who, N_("Vul in de eerste kolom een e-mailadres in.")};
		else if (present < 0)
			problems[np++] = (struct row_problem){who, N_("Schrijf in de tweede kolom ja of nee.")};
		else {
			line[nm] = row->record;
			marks[nm++] = (struct attendance_mark){.person_email = email, .present = present == 1};
		}
	}
	if (!np && !nm)
		problems[np++] = (struct row_problem){"", N_("Het bestand bevat geen regels met een e-mailadres.")};
	const char *why = NULL;
	if (!np) {
		struct ctx ctx;
		req_ctx(r, &ctx);
		rc = enrol_attendance_set(&ctx, e.meetings[m].id, marks, nm, ATTEND_CSV, out, &why);
		if (rc && !why && rc != CAMPUS_EINVAL && rc != CAMPUS_ECONFLICT)
			return rc;
		for (size_t i = 0; rc && i < nm; i++)
			if (out[i].why)
				problems[np++] = (struct row_problem){
				    arena_printf(r->arena, "%s %u", req_tr(r, "Regel"), line[i]), out[i].why};
		if (rc && !np && !why)
			why = N_("De aanwezigheid is niet opgeslagen.");
	}
	if (np || why) {
		r->error = CAMPUS_EINVAL;
		return render_attendance(r, 422, &e, p, n, m, problems, np,
		                         req_tr(r, why ? why : N_("Het bestand is geweigerd; er is niets gewijzigd. Verbeter deze regels:")));
	}
	req_flash(r, "aanwezigheid");
	return reply_redirect(r, attendance_path(r, &e, e.meetings[m].id));
}

/* ---- results ---- */

static int render_results(struct req *r, unsigned status, const struct edition *e,
                          const struct enrolment *p, size_t n, const struct row_problem *problems,
                          size_t nproblems, const char *error)
{
	json_t *people = json_array();
	for (size_t i = 0; i < n; i++) {
		if (!booked(p[i].state))
			continue;
		const char *posted = r->method == HTTP_POST
		                         ? req_form(r, arena_printf(r->arena, "r%lld", (long long)p[i].id))
		                         : NULL;
		const char *choice = posted                              ? posted
		                     : p[i].state == ENROL_COMPLETED     ? "behaald"
		                     : p[i].state == ENROL_NOT_COMPLETED ? "niet_behaald"
		                     : p[i].state == ENROL_NO_SHOW       ? "niet_verschenen"
		                                                         : "";
		const char *grade = r->method == HTTP_POST
		                        ? req_form(r, arena_printf(r->arena, "c%lld", (long long)p[i].id))
		                        : p[i].grade;
		json_array_append_new(
		    people, json_pack("{s:I, s:s, s:s, s:s, s:s, s:I, s:I, s:b, s:b, s:b, s:s}", "id",
		                      (json_int_t)p[i].id, "name", S(p[i].person_name), "email",
		                      S(p[i].person_email), "org", S(p[i].org_name), "state",
		                      req_tr(r, enrol_state_label(p[i].state)), "attended",
		                      (json_int_t)p[i].meetings_attended, "total",
		                      (json_int_t)p[i].meetings_total, "completed",
		                      !strcmp(choice, "behaald"), "not_completed",
		                      !strcmp(choice, "niet_behaald"), "no_show",
		                      !strcmp(choice, "niet_verschenen"), "grade", S(grade)));
	}
	json_t *data = page_base(r, e, "resultaten");
	json_object_set_new(data, "people", people);
	if (error)
		json_object_set_new(data, "error", json_string(error));
	if (nproblems) {
		json_t *list = json_array();
		for (size_t i = 0; i < nproblems; i++)
			json_array_append_new(list, json_pack("{s:s, s:s}", "who", S(problems[i].who), "why",
			                                      req_tr(r, problems[i].why)));
		json_object_set_new(data, "problems", list);
	}
	return reply_page(r, status, "uitvoering-resultaten", data);
}

int page_edition_results(struct req *r)
{
	struct edition e;
	struct enrolment *p;
	size_t n;
	int rc = load(r, &e, &p, &n);
	if (rc)
		return rc;
	if (r->method != HTTP_POST)
		return render_results(r, 200, &e, p, n, NULL, 0, NULL);
	struct enrol_result_mark *marks = arena_alloc(r->arena, (n + 1) * sizeof *marks);
	const struct enrolment **who = arena_alloc(r->arena, (n + 1) * sizeof *who);
	struct row_problem *problems = arena_alloc(r->arena, (n + 1) * sizeof *problems);
	if (!marks || !who || !problems)
		return CAMPUS_ENOMEM;
	size_t nm = 0, np = 0;
	for (size_t i = 0; i < n; i++) {
		const char *v = req_form(r, arena_printf(r->arena, "r%lld", (long long)p[i].id));
		const char *grade = req_form(r, arena_printf(r->arena, "c%lld", (long long)p[i].id));
		if (!v || !*v) {
			if (grade && *grade)
				problems[np++] = (struct row_problem){p[i].person_name, N_("Kies een resultaat bij een cijfer.")};
			continue;
		}
		enum enrol_outcome o;
		if (!strcmp(v, "behaald"))
			o = RESULT_COMPLETED;
		else if (!strcmp(v, "niet_behaald"))
			o = RESULT_NOT_COMPLETED;
		else if (!strcmp(v, "niet_verschenen"))
			o = RESULT_NO_SHOW;
		else
			return reply_error(r, CAMPUS_EINVAL, req_tr(r, "Kies een bestaand resultaat."));
		if (grade && strlen(grade) > ENROL_GRADE_MAX) {
			problems[np++] = (struct row_problem){p[i].person_name, N_("Het cijfer is te lang (hoogstens 20 tekens).")};
			continue;
		}
		who[nm] = &p[i];
		marks[nm++] = (struct enrol_result_mark){.enrolment_id = p[i].id, .outcome = o,
		                                         .grade = grade && *grade ? grade : NULL};
	}
	if (np) {
		r->error = CAMPUS_EINVAL;
		return render_results(r, 422, &e, p, n, problems, np,
		                      req_tr(r, "De resultaten zijn niet opgeslagen. Verbeter deze regels:"));
	}
	struct ctx ctx;
	req_ctx(r, &ctx);
	struct attendance_outcome *out = arena_alloc(r->arena, (nm + 1) * sizeof *out);
	if (!out)
		return CAMPUS_ENOMEM;
	memset(out, 0, (nm + 1) * sizeof *out);
	const char *why = NULL;
	rc = nm ? enrol_results_set(&ctx, e.id, marks, nm, ATTEND_WEB, out, &why) : 0;
	if (rc && (why || rc == CAMPUS_EINVAL || rc == CAMPUS_ECONFLICT)) {
		for (size_t i = 0; i < nm; i++)
			if (out[i].why)
				problems[np++] = (struct row_problem){who[i]->person_name, out[i].why};
		r->error = rc;
		return render_results(r, rc == CAMPUS_ECONFLICT ? 409 : 422, &e, p, n, problems, np,
		                      req_tr(r, why ? why : N_("De resultaten zijn niet opgeslagen.")));
	}
	if (rc)
		return rc;
	req_flash(r, "resultaten");
	return reply_redirect(r, arena_printf(r->arena, "/b/%s/uitvoeringen/%lld/resultaten",
	                                      r->org.slug, (long long)e.id));
}

/* The result in a CSV cell: the form's words and the usual spellings; -1
 * when it is none of them. */
static int outcome_of(const char *s)
{
	static const struct {
		const char *word;
		enum enrol_outcome o;
	} words[] = {{"afgerond", RESULT_COMPLETED},          {"behaald", RESULT_COMPLETED},
	             {"geslaagd", RESULT_COMPLETED},          {"completed", RESULT_COMPLETED},
	             {"niet afgerond", RESULT_NOT_COMPLETED}, {"niet_afgerond", RESULT_NOT_COMPLETED},
	             {"niet behaald", RESULT_NOT_COMPLETED},  {"niet_behaald", RESULT_NOT_COMPLETED},
	             {"not_completed", RESULT_NOT_COMPLETED}, {"niet verschenen", RESULT_NO_SHOW},
	             {"niet_verschenen", RESULT_NO_SHOW},     {"no_show", RESULT_NO_SHOW}};
	for (size_t i = 0; i < sizeof words / sizeof words[0]; i++)
		if (!strcasecmp(s, words[i].word))
			return (int)words[i].o;
	return -1;
}

/* Results as a CSV file: per line an e-mail address, the result and
 * optionally a grade. All or nothing, like the form: enrol_results_set
 * refuses the whole file when one line is wrong, with each line's reason. */
int page_edition_results_csv(struct req *r)
{
	struct edition e;
	struct enrolment *p;
	size_t n;
	int rc = load(r, &e, &p, &n);
	if (rc)
		return rc;
	unsigned char *data;
	size_t len;
	rc = form_file_read(r, "bestand", UPLOAD_MAX, &data, &len);
	const char *refusal = NULL;
	if (rc == CAMPUS_ETOOBIG)
		refusal = N_("Het bestand is te groot (hoogstens 1 MB).");
	else if (rc)
		return rc;
	else if (!data)
		refusal = N_("Kies een CSV-bestand.");
	struct csv_table t = {0};
	struct csv_error cerr = {0};
	if (!refusal) {
		rc = csv_read(r->arena, (const char *)data, len, NULL, &t, &cerr);
		if (rc == CAMPUS_EINVAL || rc == CAMPUS_ETOOBIG)
			refusal = cerr.msgid ? cerr.msgid : N_("Het bestand is geen leesbaar CSV-bestand.");
		else if (rc)
			return rc;
	}
	if (refusal) {
		r->error = CAMPUS_EINVAL;
		return render_results(r, 422, &e, p, n, NULL, 0, req_tr(r, refusal));
	}
	/* A header row (no @ in its first cell) is skipped. */
	size_t first = t.nrows && t.rows[0].n && !strchr(t.rows[0].cells[0].s, '@') ? 1 : 0;
	size_t rows = t.nrows - first;
	struct enrol_result_mark *marks = arena_alloc(r->arena, (rows + 1) * sizeof *marks);
	unsigned *line = arena_alloc(r->arena, (rows + 1) * sizeof *line);
	struct row_problem *problems = arena_alloc(r->arena, (rows + 1) * sizeof *problems);
	struct attendance_outcome *out = arena_alloc(r->arena, (rows + 1) * sizeof *out);
	if (!marks || !line || !problems || !out)
		return CAMPUS_ENOMEM;
	memset(out, 0, (rows + 1) * sizeof *out);
	size_t nm = 0, np = 0;
	for (size_t i = first; i < t.nrows; i++) {
		const struct csv_row *row = &t.rows[i];
		const char *who = arena_printf(r->arena, "%s %u", req_tr(r, "Regel"), row->record);
		const char *email = row->n > 0 ? row->cells[0].s : "";
		int outcome = row->n > 1 ? outcome_of(row->cells[1].s) : -1;
		const char *grade = row->n > 2 ? row->cells[2].s : "";
		if (!*email || !strchr(email, '@'))
			problems[np++] = (struct row_problem){who, N_("Vul in de eerste kolom een e-mailadres in.")};
		else if (outcome < 0)
			problems[np++] = (struct row_problem){
			    who, N_("Schrijf in de tweede kolom afgerond, niet afgerond of niet verschenen.")};
		else if (strlen(grade) > ENROL_GRADE_MAX)
			problems[np++] = (struct row_problem){who, N_("Het cijfer is te lang (hoogstens 20 tekens).")};
		else {
			line[nm] = row->record;
			marks[nm++] = (struct enrol_result_mark){.person_email = email,
			                                         .outcome = (enum enrol_outcome)outcome,
			                                         .grade = *grade ? grade : NULL};
		}
	}
	if (!np && !nm)
		problems[np++] = (struct row_problem){"", N_("Het bestand bevat geen regels met een e-mailadres.")};
	const char *why = NULL;
	if (!np) {
		struct ctx ctx;
		req_ctx(r, &ctx);
		rc = enrol_results_set(&ctx, e.id, marks, nm, ATTEND_CSV, out, &why);
		if (rc && !why && rc != CAMPUS_EINVAL && rc != CAMPUS_ECONFLICT)
			return rc;
		for (size_t i = 0; rc && i < nm; i++)
			if (out[i].why)
				problems[np++] = (struct row_problem){
				    arena_printf(r->arena, "%s %u", req_tr(r, "Regel"), line[i]), out[i].why};
		if (rc && !np && !why)
			why = N_("De resultaten zijn niet opgeslagen.");
	}
	if (np || why) {
		r->error = CAMPUS_EINVAL;
		return render_results(r, 422, &e, p, n, problems, np,
		                      req_tr(r, why ? why : N_("Het bestand is geweigerd; er is niets gewijzigd. Verbeter deze regels:")));
	}
	req_flash(r, "resultaten");
	return reply_redirect(r, arena_printf(r->arena, "/b/%s/uitvoeringen/%lld/resultaten",
	                                      r->org.slug, (long long)e.id));
}

/* ---- QR self check-in ---- */

/* POST (a fresh token each time, so the page is never cached or linked):
 * the meeting's QR code to show on a screen in the room. The form names the
 * edition too, so the meeting is looked up inside an edition of this
 * organisation. */
int page_meeting_qr(struct req *r)
{
	int64_t meeting_id, edition_id;
	int rc = path_id(r, "id", &meeting_id);
	if (rc)
		return rc;
	const char *ed = req_form(r, "uitvoering");
	if (!ed || !str_to_int64(ed, strlen(ed), &edition_id) || edition_id <= 0)
		return CAMPUS_ENOTFOUND;
	struct ctx ctx;
	req_ctx(r, &ctx);
	struct edition e;
	if ((rc = edition_get(&ctx, edition_id, &e)))
		return rc;
	if (e.provider_id != r->org.id)
		return CAMPUS_ENOTFOUND;
	if (!edition_may_manage(&ctx, &e) && !edition_may_teach(&ctx, &e))
		return CAMPUS_EFORBIDDEN;
	size_t m = e.nmeetings;
	for (size_t i = 0; i < e.nmeetings; i++)
		if (e.meetings[i].id == meeting_id)
			m = i;
	if (m == e.nmeetings)
		return CAMPUS_ENOTFOUND;
	char token[ENROL_CHECKIN_TOKEN_LEN + 1];
	const char *why = NULL;
	rc = enrol_checkin_token(&ctx, meeting_id, token, &why);
	json_t *data = page_base(r, &e, "qr");
	json_object_set_new(data, "meeting", json_pack("{s:s}", "when", time_text(r, e.meetings[m].starts_at)));
	if (rc && why) {
		r->error = rc;
		json_object_set_new(data, "error", json_string(req_tr(r, why)));
		return reply_page(r, 409, "bijeenkomst-qr", data);
	}
	if (rc) {
		json_decref(data);
		return rc;
	}
	const char *url = arena_printf(r->arena, "%s/inchecken/%s", mail_base_url(), token);
	struct buf svg;
	buf_init(&svg, r->arena, 64 * 1024);
	if ((rc = qr_svg(url, req_tr(r, "QR-code om in te checken voor deze bijeenkomst"), &svg))) {
		json_decref(data);
		return rc;
	}
	json_object_set_new(data, "qr", json_string(buf_cstr(&svg)));
	json_object_set_new(data, "url", json_string(url));
	return reply_page(r, 200, "bijeenkomst-qr", data);
}

/* GET asks (a link preview must not check anyone in); POST checks in. */
int page_checkin(struct req *r)
{
	const char *token = req_param(r, "token");
	if (!token || strlen(token) != ENROL_CHECKIN_TOKEN_LEN)
		return CAMPUS_ENOTFOUND;
	json_t *data = json_pack("{s:s, s:[{s:s, s:s}]}", "token", token, "breadcrumb", "href",
	                         "/mijn", "label", req_tr(r, "Mijn Campus"));
	if (r->method != HTTP_POST)
		return reply_page(r, 200, "inchecken", data);
	struct ctx ctx;
	req_ctx(r, &ctx);
	int64_t meeting_id = 0;
	const char *why = NULL;
	int rc = enrol_checkin(&ctx, token, &meeting_id, &why);
	if (rc && why) {
		r->error = rc;
		json_object_set_new(data, "error", json_string(req_tr(r, why)));
		return reply_page(r, rc == CAMPUS_ENOTFOUND ? 404 : 409, "inchecken", data);
	}
	if (rc) {
		json_decref(data);
		return rc;
	}
	json_object_set_new(data, "done", json_true());
	return reply_page(r, 200, "inchecken", data);
}
