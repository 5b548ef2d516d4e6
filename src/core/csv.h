/* CSV files as spreadsheets save them, read whole into an arena (for the
 * members import). Parsing is Debian's libcsv in strict mode (RFC 4180:
 * quoted fields may hold separators, doubled quotes and line breaks); this
 * module adds what libcsv leaves to its caller: a UTF-8 byte order mark is
 * skipped, the separator (',' or ';') is detected from the first record,
 * binary input is refused, and every count has a cap.
 *
 * Cells are kept as bytes (NUL-terminated, no NUL inside): whether they are
 * UTF-8 is for the caller to judge per cell, so one bad cell can be reported
 * with its row instead of refusing the file. Blank lines are skipped; the
 * record number counts records as a spreadsheet numbers rows (the first
 * record is 1, a quoted line break does not start a new one). */
#ifndef CAMPUS_CORE_CSV_H
#define CAMPUS_CORE_CSV_H

#include <stddef.h>

struct arena;

struct csv_cell {
	const char *s; /* NUL-terminated; leading and trailing blanks of unquoted cells dropped */
	size_t len;
};

struct csv_row {
	struct csv_cell *cells;
	unsigned n;      /* cells in this record (records may differ in length) */
	unsigned record; /* 1-based */
};

struct csv_table {
	struct csv_row *rows;
	size_t nrows;
	char sep;        /* ',' or ';' */
	unsigned max_n;  /* the most cells in any record */
};

struct csv_limits {
	size_t max_rows;  /* records, the header included */
	unsigned max_cols;
	size_t max_cell;  /* bytes */
	size_t max_cells; /* in the whole file */
};

/* 20,001 records, 100 columns, 4 KiB a cell, 200,000 cells. */
struct csv_limits csv_limits_default(void);

/* Why csv_read failed: a Dutch msgid and the record it happened in (0: none). */
struct csv_error {
	const char *msgid;
	unsigned record;
};

/* Parses data[0..len). CAMPUS_EINVAL (*err says why) for a NUL byte (not a
 * text file), a quote out of place or never closed, or an empty file;
 * CAMPUS_ETOOBIG for a limit exceeded; CAMPUS_ENOMEM when the arena is full. */
int csv_read(struct arena *a, const char *data, size_t len, const struct csv_limits *lim,
             struct csv_table *out, struct csv_error *err);

/* ',' or ';', whichever occurs more often outside quotes in the first record
 * (',' on a tie). data may start with a byte order mark. */
char csv_detect_separator(const char *data, size_t len);

#endif
