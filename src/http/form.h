/* Form fields from query strings, application/x-www-form-urlencoded bodies
 * (streaming) and multipart/form-data bodies (see multipart.h). Everything is
 * allocated in the request arena; names and values are decoded, NUL-terminated,
 * valid UTF-8 and free of NUL bytes. Malformed input is CAMPUS_EINVAL, a limit
 * exceeded is CAMPUS_ETOOBIG, a full arena CAMPUS_ENOMEM. */
#ifndef CAMPUS_HTTP_FORM_H
#define CAMPUS_HTTP_FORM_H

#include <stddef.h>

struct arena;

struct form_field {
	const char *name;
	const char *value; /* NULL for file parts */
	size_t value_len;
	/* file parts: */
	const char *filename;     /* basename as sent (UTF-8, no controls); "" when none chosen */
	const char *content_type; /* as sent, NULL when absent */
	const char *tmp_path;     /* temp file holding the bytes; NULL when none chosen */
	size_t size;              /* bytes in tmp_path */
	struct form_field *next;
};

/* Parsers append to a form; start from a zeroed one: struct form f = {0}. */
struct form {
	struct form_field *first, *last;
	unsigned count;
};

struct form_limits {
	unsigned max_fields; /* fields in one form, files included */
	size_t max_name;     /* decoded bytes in a field name */
	size_t max_value;    /* decoded bytes in an ordinary value */
	size_t max_file;     /* bytes in one uploaded file */
	unsigned max_files;  /* uploaded files (temp files) per form */
	const char *tmp_dir; /* where uploads go; NULL means "/tmp" */
};

/* 200 fields, names of 128 bytes, values of 256 KiB, 8 files of 32 MiB, /tmp.
 * A limit of 0 allows nothing (0 fields, empty names...), it is not "unlimited". */
struct form_limits form_limits_default(void);

/* "a=1&b=x+y&c=%C3%A9": '&' separates, the first '=' splits, '+' is a space.
 * Empty pieces ("a=1&&b=2") are skipped; a piece without '=' has an empty
 * value; an empty name is CAMPUS_EINVAL. limits NULL means the defaults. */
int form_parse_query(struct arena *a, const char *qs, size_t len, const struct form_limits *limits,
                     struct form *out);

/* The same grammar fed in chunks that may split anywhere, even inside %XX.
 * Errors are sticky: after one, every call returns it again. */
struct urlenc_parser;
struct urlenc_parser *urlenc_new(struct arena *a, const struct form_limits *limits,
                                 struct form *out); /* NULL when the arena is full */
int urlenc_feed(struct urlenc_parser *p, const char *data, size_t len);
int urlenc_finish(struct urlenc_parser *p);

/* Value of the first ordinary (non-file) field with this name, or NULL. */
const char *form_get(const struct form *f, const char *name);
/* First field of any kind with this name, or NULL. */
const struct form_field *form_get_field(const struct form *f, const char *name);
/* Fields of any kind with this name. */
unsigned form_count(const struct form *f, const char *name);

/* Links an arena-allocated field at the end; used by the parsers.
 * CAMPUS_ETOOBIG when the form already holds max_fields fields. */
int form_add(struct form *f, unsigned max_fields, struct form_field *field);

#endif
