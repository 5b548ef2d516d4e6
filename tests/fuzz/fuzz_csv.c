/* The CSV reader of the members import (core/csv.c on libcsv) and the
 * column mapping guessed from its first row: any bytes either parse into
 * NUL-terminated cells whose length is what strlen says, within the limits,
 * or fail with a reason. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/arena.h"
#include "core/csv.h"
#include "core/err.h"
#include "domain/import.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct arena *a = arena_new(1 << 22);
	struct csv_limits lim = {.max_rows = 200, .max_cols = 20, .max_cell = 256, .max_cells = 2000};
	struct csv_table t;
	struct csv_error err;
	char sep = csv_detect_separator((const char *)data, size);
	if (sep != ',' && sep != ';')
		abort();
	int rc = csv_read(a, (const char *)data, size, &lim, &t, &err);
	if (rc == 0) {
		if (t.nrows == 0 || t.nrows > lim.max_rows || t.max_n > lim.max_cols || t.sep != sep)
			abort();
		size_t cells = 0;
		for (size_t i = 0; i < t.nrows; i++) {
			if (t.rows[i].record != i + 1 || t.rows[i].n > t.max_n)
				abort();
			for (unsigned c = 0; c < t.rows[i].n; c++) {
				const struct csv_cell *cl = &t.rows[i].cells[c];
				if (cl->len > lim.max_cell || strlen(cl->s) != cl->len)
					abort();
				cells++;
			}
		}
		if (cells > lim.max_cells)
			abort();
		struct import_map m;
		import_map_guess(&t, &m);
		for (int f = 0; f < IMPORT_NFIELDS; f++)
			if (m.col[f] < -1 || m.col[f] >= (int)t.max_n)
				abort();
		if (m.col[IMPORT_EMAIL] >= 0 && import_map_check(&t, &m) != NULL)
			abort();
	} else if (rc != CAMPUS_EINVAL && rc != CAMPUS_ETOOBIG && rc != CAMPUS_ENOMEM) {
		abort();
	} else if (!err.msgid) {
		abort();
	}
	arena_free(a);
	return 0;
}
