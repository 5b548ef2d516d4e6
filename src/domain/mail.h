/* E-mail from the domain: a message is a row in the outbox, written inside the
 * caller's write transaction, so it goes out only if the change it announces
 * commits. Delivery (SMTP) is src/mail/sender.c; the domain knows no curl.
 *
 * Texts are Dutch msgids (N_()) translated for the recipient's language
 * through the translator the program installs with mail_setup(); without
 * one, mail is in Dutch. */
#ifndef CAMPUS_DOMAIN_MAIL_H
#define CAMPUS_DOMAIN_MAIL_H

#include <stddef.h>

struct arena;
struct ctx;

#define MAIL_SUBJECT_MAX 200   /* bytes */
#define MAIL_BODY_MAX 100000   /* bytes */
#define MAIL_BASE_URL_DEFAULT "http://127.0.0.1:8080"

/* Process-wide, set once at start before any thread queues mail: the address
 * links in e-mails start with (no trailing slash needed) and the translator
 * (lang code "nl"/"en", msgid -> text; NULL: Dutch). */
void mail_setup(const char *base_url, const char *(*translate)(const char *lang, const char *msgid));
/* The From of e-mail ("Campus <noreply@campus.example>"), for the ORGANIZER of
 * invitations; set once at start like mail_setup(). */
void mail_set_from(const char *mail_from);
/* Its bare address; "noreply@campus.example" until set. */
const char *mail_from_address(void);
/* base_url without a trailing '/'. */
const char *mail_base_url(void);
/* msgid in lang (the msgid itself when untranslated). */
const char *mail_tr(const char *lang, const char *msgid);
/* Template with {name} placeholders filled from pairs (key, value, ..., NULL;
 * at most MAIL_FILL_PAIRS_MAX, a NULL value is ""), into the arena; unknown
 * placeholders stay as written. */
#define MAIL_FILL_PAIRS_MAX 16
char *mail_fill(struct arena *a, const char *tmpl, ...);
/* The same with the pairs in an array (key, value, ..., NULL); vars may be NULL. */
char *mail_fill_vars(struct arena *a, const char *tmpl, const char *const *vars);

/* Queue one message. Must run inside a write transaction (CAMPUS_EINTERNAL
 * otherwise). CAMPUS_EINVAL for an address that is not one, a subject with a
 * line break or over MAIL_SUBJECT_MAX, text that is not UTF-8. */
int mail_queue(struct ctx *ctx, const char *to, const char *subject, const char *body_text);

#define MAIL_ATTACHMENT_MAX (1024 * 1024) /* bytes */
#define MAIL_ATTACHMENT_NAME_MAX 100
#define MAIL_ATTACHMENT_TYPE_MAX 120

/* The same with one attachment (an iCalendar invitation): name is a file
 * name of letters, digits, '.', '-' and '_'; type a MIME type with its
 * parameters ("text/calendar; method=REQUEST; charset=utf-8"), printable
 * ASCII; data up to MAIL_ATTACHMENT_MAX bytes. name NULL: no attachment.
 * CAMPUS_EINVAL for anything else. */
int mail_queue_attachment(struct ctx *ctx, const char *to, const char *subject,
                          const char *body_text, const char *name, const char *type,
                          const void *data, size_t len);

/* One message of mail_queue_many: mail_queue_attachment's arguments and
 * the ctx whose clock it is queued by. */
struct mail_item {
	struct ctx *ctx;
	const char *to, *subject, *body_text;
	const char *name, *type; /* attachment; name NULL: none */
	const void *data;
	size_t len;
};

/* mail_queue_attachment for n messages at once, in one statement (a batch
 * of enrolments). Every ctx must be on the same connection, inside a write
 * transaction (CAMPUS_EINTERNAL otherwise); every message is checked
 * first, and one bad message (CAMPUS_EINVAL) queues none. */
int mail_queue_many(const struct mail_item *m, size_t n);

#endif
