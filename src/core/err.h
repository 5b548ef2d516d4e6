/* Campus error codes: every function returns 0 or a negative CAMPUS_E*.
 * One table (err.c) maps each code to an HTTP status, a stable machine code for
 * JSON replies and a Dutch message id (translated through i18n). */
#ifndef CAMPUS_CORE_ERR_H
#define CAMPUS_CORE_ERR_H

/* Marks a Dutch msgid for extraction (scripts/po.sh) without translating it. */
#ifndef N_
#define N_(s) (s)
#endif

enum campus_err {
	CAMPUS_OK = 0,
	CAMPUS_EINVAL = -1,      /* input is malformed or fails validation */
	CAMPUS_ENOTFOUND = -2,   /* unknown id, route or file */
	CAMPUS_EMETHOD = -3,     /* route exists, method does not */
	CAMPUS_ETOOBIG = -4,     /* body, field or arena over its cap */
	CAMPUS_EFORBIDDEN = -5,  /* authenticated but not allowed */
	CAMPUS_EUNAUTH = -6,     /* not logged in */
	CAMPUS_ECONFLICT = -7,   /* unique key or state conflict */
	CAMPUS_EBUSY = -8,       /* retryable: SQLITE_BUSY, serialization failure */
	CAMPUS_EDB = -9,         /* database error that is not retryable */
	CAMPUS_EIO = -10,        /* file or network I/O failed */
	CAMPUS_ENOMEM = -11,     /* a capped arena or buffer is full */
	CAMPUS_EUNAVAIL = -12,   /* dependency down (database unreachable) */
	CAMPUS_EINTERNAL = -13,  /* a bug: should not happen */
	CAMPUS_EMEDIA = -14,     /* unsupported content type */
	CAMPUS_EBADCSRF = -15,   /* missing or wrong CSRF token */
};

/* HTTP status for an error code (500 for unknown codes). */
int campus_err_status(int err);
/* Stable snake_case code used in JSON error bodies and logs. */
const char *campus_err_code(int err);
/* Dutch message id, to pass through i18n for the user's language. */
const char *campus_err_msgid(int err);

#endif
