/* E-mail messages as they go over SMTP (RFC 5322 and MIME): plain UTF-8 text,
 * quoted-printable, CRLF line ends, no line longer than 78 characters; with
 * an attachment multipart/mixed (the text, then the attachment in base64).
 * Pure formatting: no network, no database, so it is unit-tested on its own. */
#ifndef CAMPUS_MAIL_MESSAGE_H
#define CAMPUS_MAIL_MESSAGE_H

#include <stddef.h>
#include <stdint.h>

struct buf;

#define MAIL_LINE_MAX 78 /* RFC 5322 2.1.1: SHOULD be no more than 78 characters */

struct mail_message {
	const char *from;       /* "Campus <noreply@campus.example>" or a bare address */
	const char *to;         /* a bare address */
	const char *subject;    /* UTF-8; RFC 2047-encoded when not plain ASCII */
	const char *body;       /* UTF-8 text, "\n" or "\r\n" line ends */
	int64_t date;           /* epoch seconds, written in UTC */
	const char *message_id; /* without angle brackets: "campus.12.1700000000@campus.example" */
	/* Optional: one attachment (NULL name: none). type is the whole MIME
	 * type with parameters, "text/calendar; method=REQUEST; charset=utf-8". */
	const char *attachment_name;
	const char *attachment_type;
	const void *attachment;
	size_t attachment_len;
};

/* The boundary of a multipart message: "=_" never occurs in quoted-printable
 * or base64 text, so it cannot clash with a part's content. */
#define MAIL_BOUNDARY "=_campus_part"

/* The whole message (headers, blank line, body) appended to out. CAMPUS_EINVAL
 * for a CR or LF in a header value, text that is not UTF-8, or an address that
 * is not one; CAMPUS_ENOMEM when out is full. */
int mail_message_format(const struct mail_message *m, struct buf *out);

/* The bare address of "Name <addr>" or "addr" (for MAIL FROM); CAMPUS_EINVAL
 * when there is none or it does not fit. */
int mail_address_of(const char *from, char *out, size_t size);

/* Appends text as RFC 2047 encoded words (UTF-8, base64), folded so that no
 * line is longer than MAIL_LINE_MAX; `used` is what the line holds already
 * ("Subject: " is 9). Plain printable ASCII that fits is written as it is. */
int mail_header_words(struct buf *out, const char *text, size_t used);

/* Appends text as quoted-printable with CRLF line ends (RFC 2045 6.7). */
int mail_quoted_printable(struct buf *out, const char *text);

/* Appends data as base64 in lines of 76 characters with CRLF (RFC 2045 6.8). */
int mail_base64_lines(struct buf *out, const void *data, size_t len);

#endif
