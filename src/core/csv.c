#include "core/csv.h"

#include <csv.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "core/arena.h"
#include "core/err.h"

#define CHUNK ((size_t)64 * 1024)

struct csv_limits csv_limits_default(void)
{
	return (struct csv_limits){.max_rows = 20001, .max_cols = 100, .max_cell = 4096,
	                           .max_cells = 200000};
}

static size_t skip_bom(const char *data, size_t len)
{
	return len >= 3 && (unsigned char)data[0] == 0xEF && (unsigned char)data[1] == 0xBB &&
	               (unsigned char)data[2] == 0xBF
	           ? 3
	           : 0;
}

char csv_detect_separator(const char *data, size_t len)
{
	size_t i = skip_bom(data, len);
	size_t commas = 0, semicolons = 0;
	bool quoted = false;
	for (; i < len; i++) {
		char c = data[i];
		if (c == '"')
			quoted = !quoted; /* a doubled quote toggles twice */
		else if (quoted)
			continue;
		else if (c == ',')
			commas++;
		else if (c == ';')
			semicolons++;
		else if ((c == '\n' || c == '\r') && (commas || semicolons))
			break; /* the end of the first record that has a separator */
	}
	return semicolons > commas ? ';' : ',';
}

struct state {
	struct arena *a;
	const struct csv_limits *lim;
	int rc;
	const char *msgid;
	struct csv_cell *cur; /* the record being read (heap) */
	unsigned ncur, capcur;
	struct csv_row *rows; /* heap until the end */
	size_t nrows, caprows, ncells;
	unsigned max_n;
};

static void fail(struct state *st, int rc, const char *msgid)
{
	if (!st->rc) {
		st->rc = rc;
		st->msgid = msgid;
	}
}

static void on_field(void *s, size_t len, void *cls)
{
	struct state *st = cls;
	if (st->rc)
		return;
	if (len > st->lim->max_cell)
		{ fail(st, CAMPUS_ETOOBIG, N_("Een veld is te lang (hoogstens 4096 tekens).")); return; }
	if (st->ncur >= st->lim->max_cols)
		{ fail(st, CAMPUS_ETOOBIG, N_("Een rij heeft te veel kolommen (hoogstens 100).")); return; }
	if (++st->ncells > st->lim->max_cells)
		{ fail(st, CAMPUS_ETOOBIG, N_("Het bestand heeft te veel velden.")); return; }
	if (st->ncur == st->capcur) {
		st->capcur = st->capcur ? 2 * st->capcur : 8;
		st->cur = xrealloc(st->cur, st->capcur * sizeof *st->cur);
	}
	char *copy = arena_alloc(st->a, len + 1);
	if (!copy)
		{ fail(st, CAMPUS_ENOMEM, N_("Het bestand is te groot om te verwerken.")); return; }
	if (len)
		memcpy(copy, s, len);
	copy[len] = '\0';
	st->cur[st->ncur++] = (struct csv_cell){copy, len};
}

static void on_record(int c, void *cls)
{
	(void)c;
	struct state *st = cls;
	if (st->rc)
		return;
	if (st->nrows >= st->lim->max_rows)
		{ fail(st, CAMPUS_ETOOBIG, N_("Het bestand heeft te veel rijen (hoogstens 20.000).")); return; }
	if (st->nrows == st->caprows) {
		st->caprows = st->caprows ? 2 * st->caprows : 64;
		st->rows = xrealloc(st->rows, st->caprows * sizeof *st->rows);
	}
	struct csv_cell *cells = st->ncur ? arena_memdup(st->a, st->cur, st->ncur * sizeof *st->cur) : NULL;
	if (st->ncur && !cells)
		{ fail(st, CAMPUS_ENOMEM, N_("Het bestand is te groot om te verwerken.")); return; }
	st->rows[st->nrows] = (struct csv_row){cells, st->ncur, (unsigned)st->nrows + 1};
	st->nrows++;
	if (st->ncur > st->max_n)
		st->max_n = st->ncur;
	st->ncur = 0;
}

int csv_read(struct arena *a, const char *data, size_t len, const struct csv_limits *lim,
             struct csv_table *out, struct csv_error *err)
{
	struct csv_limits defaults = csv_limits_default();
	if (!lim)
		lim = &defaults;
	memset(out, 0, sizeof *out);
	err->msgid = NULL;
	err->record = 0;
	size_t start = skip_bom(data, len);
	if (memchr(data, '\0', len)) {
		err->msgid = N_("Dit is geen CSV-bestand: het bevat binaire gegevens.");
		return CAMPUS_EINVAL;
	}
	struct csv_parser p;
	if (csv_init(&p, CSV_STRICT | CSV_STRICT_FINI | CSV_APPEND_NULL) != 0)
		return CAMPUS_ENOMEM;
	char sep = csv_detect_separator(data, len);
	csv_set_delim(&p, (unsigned char)sep);
	struct state st = {.a = a, .lim = lim};
	for (size_t off = start; off < len && !st.rc;) {
		size_t n = len - off < CHUNK ? len - off : CHUNK;
		if (csv_parse(&p, data + off, n, on_field, on_record, &st) != n)
			fail(&st, csv_error(&p) == CSV_EPARSE ? CAMPUS_EINVAL : CAMPUS_ENOMEM,
			     csv_error(&p) == CSV_EPARSE
			         ? N_("De aanhalingstekens in het bestand kloppen niet.")
			         : N_("Het bestand is te groot om te verwerken."));
		off += n;
	}
	if (!st.rc && csv_fini(&p, on_field, on_record, &st) != 0)
		fail(&st, CAMPUS_EINVAL, N_("Een veld tussen aanhalingstekens wordt niet afgesloten."));
	csv_free(&p);
	free(st.cur);
	if (!st.rc && st.nrows == 0)
		fail(&st, CAMPUS_EINVAL, N_("Het bestand is leeg."));
	if (!st.rc) {
		out->rows = arena_memdup(a, st.rows, st.nrows * sizeof *st.rows);
		if (!out->rows)
			fail(&st, CAMPUS_ENOMEM, N_("Het bestand is te groot om te verwerken."));
	}
	if (st.rc) {
		err->msgid = st.msgid;
		err->record = (unsigned)st.nrows + 1;
		free(st.rows);
		memset(out, 0, sizeof *out);
		return st.rc;
	}
	out->nrows = st.nrows;
	out->sep = sep;
	out->max_n = st.max_n;
	free(st.rows);
	return 0;
}
