/* E-mail formatting (src/mail/message.c) and the small helpers of
 * domain/mail.h: headers, RFC 2047 subjects, quoted-printable bodies, line
 * lengths, refused header injection, placeholders, the sender's backoff. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "core/arena.h"
#include "core/buf.h"
#include "core/err.h"
#include "domain/mail.h"
#include "mail/message.h"
#include "mail/sender.h"

static const struct mail_message base = {
    .from = "Campus <noreply@campus.example>",
    .to = "lid@bibliotheek.example",
    .subject = "Nieuw wachtwoord voor Campus",
    .body = "Beste lezer,\n\nEen regel.\n",
    .date = 1700000000, /* Tue, 14 Nov 2023 22:13:20 UTC */
    .message_id = "campus.1.1700000000@campus.example",
};

static char *format(const struct mail_message *m, struct buf *b)
{
	buf_init(b, NULL, 1 << 20);
	assert_int_equal(mail_message_format(m, b), 0);
	return (char *)buf_cstr(b);
}

/* Every line ends in CRLF, none is longer than 78, no bare CR or LF. */
static void check_lines(const char *msg)
{
	const char *p = msg;
	while (*p) {
		const char *end = strstr(p, "\r\n");
		assert_non_null(end);
		assert_true((size_t)(end - p) <= MAIL_LINE_MAX);
		for (const char *q = p; q < end; q++)
			assert_true(*q != '\r' && *q != '\n');
		p = end + 2;
	}
}

static const char *header_value(const char *msg, const char *name, char *out, size_t size)
{
	char needle[64];
	snprintf(needle, sizeof needle, "\r\n%s: ", name);
	const char *p = strstr(msg, needle);
	if (!p && strncmp(msg, needle + 2, strlen(needle) - 2) == 0)
		p = msg - 2;
	if (!p)
		return NULL;
	p += strlen(needle);
	const char *end = strstr(p, "\r\n");
	snprintf(out, size, "%.*s", (int)(end - p), p);
	return out;
}

static void test_headers(void **state)
{
	(void)state;
	struct buf b;
	const char *msg = format(&base, &b);
	check_lines(msg);
	char v[200];
	assert_string_equal(header_value(msg, "Date", v, sizeof v), "Tue, 14 Nov 2023 22:13:20 +0000");
	assert_string_equal(header_value(msg, "Message-ID", v, sizeof v),
	                    "<campus.1.1700000000@campus.example>");
	assert_string_equal(header_value(msg, "From", v, sizeof v), "Campus <noreply@campus.example>");
	assert_string_equal(header_value(msg, "To", v, sizeof v), "lid@bibliotheek.example");
	assert_string_equal(header_value(msg, "Subject", v, sizeof v), "Nieuw wachtwoord voor Campus");
	assert_string_equal(header_value(msg, "MIME-Version", v, sizeof v), "1.0");
	assert_string_equal(header_value(msg, "Content-Type", v, sizeof v), "text/plain; charset=utf-8");
	assert_string_equal(header_value(msg, "Content-Transfer-Encoding", v, sizeof v),
	                    "quoted-printable");
	/* Headers, one blank line, the body with CRLF line ends. */
	assert_non_null(strstr(msg, "\r\n\r\nBeste lezer,\r\n\r\nEen regel.\r\n"));
	buf_fini(&b);
}

static void test_subject_encoded(void **state)
{
	(void)state;
	struct mail_message m = base;
	m.subject = "U bent uitgenodigd voor Campus door Bibliotheek Súdwest-Fryslân";
	struct buf b;
	const char *msg = format(&m, &b);
	check_lines(msg);
	const char *s = strstr(msg, "\r\nSubject: =?UTF-8?B?");
	assert_non_null(s);
	/* Decode the encoded words back and compare. */
	struct buf dec;
	buf_init(&dec, NULL, 0);
	const char *p = s + strlen("\r\nSubject: ");
	static const char b64[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
	for (;;) {
		assert_memory_equal(p, "=?UTF-8?B?", 10);
		p += 10;
		const char *end = strstr(p, "?=");
		assert_non_null(end);
		assert_true((end - p) % 4 == 0);
		assert_true(end + 2 - (p - 10) <= 75); /* an encoded word is at most 75 characters */
		for (const char *q = p; q < end; q += 4) {
			unsigned v = 0;
			int pad = 0;
			for (int k = 0; k < 4; k++) {
				const char *c = strchr(b64, q[k]);
				if (q[k] == '=')
					pad++, c = b64;
				assert_non_null(c);
				v = v << 6 | (unsigned)(c - b64);
			}
			buf_putc(&dec, (char)(v >> 16));
			if (pad < 2)
				buf_putc(&dec, (char)(v >> 8 & 255));
			if (pad < 1)
				buf_putc(&dec, (char)(v & 255));
		}
		p = end + 2;
		if (strncmp(p, "\r\n ", 3) != 0)
			break;
		p += 3; /* folded: the next word */
	}
	assert_string_equal(buf_cstr(&dec), m.subject);
	buf_fini(&dec);
	buf_fini(&b);
}

static void test_long_ascii_subject_folded(void **state)
{
	(void)state;
	struct mail_message m = base;
	m.subject = "Een heel lange onderwerpregel die langer is dan achtenzeventig tekens, dus gevouwen";
	struct buf b;
	const char *msg = format(&m, &b);
	check_lines(msg);
	assert_non_null(strstr(msg, "Subject: =?UTF-8?B?"));
	buf_fini(&b);
}

static void test_quoted_printable(void **state)
{
	(void)state;
	struct mail_message m = base;
	char body[600];
	snprintf(body, sizeof body,
	         "Één regel met é en = teken \n"
	         ".begint met een punt\nFrom het begin\n"
	         "http://127.0.0.1:8080/wachtwoord-herstellen/%s\n%s\n",
	         "6zZWUOASWn1RMebGQAxxz-cv_qMiOdskOE4ks8BWxJA",
	         "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx");
	m.body = body;
	struct buf b;
	const char *msg = format(&m, &b);
	check_lines(msg);
	const char *text = strstr(msg, "\r\n\r\n") + 4;
	/* é is C3 A9, = is =3D, a trailing space is =20. */
	assert_non_null(strstr(text, "=C3=89=C3=A9n regel met =C3=A9 en =3D teken=20\r\n"));
	assert_non_null(strstr(text, "\r\n=2Ebegint met een punt\r\n"));
	assert_non_null(strstr(text, "\r\n=46rom het begin\r\n"));
	/* Decoding (soft breaks removed) gives the body back with CRLF. */
	struct buf dec;
	buf_init(&dec, NULL, 0);
	for (const char *p = text; *p; p++) {
		if (p[0] == '=' && p[1] == '\r' && p[2] == '\n') {
			p += 2;
		} else if (p[0] == '=') {
			unsigned v;
			assert_int_equal(sscanf(p + 1, "%2X", &v), 1);
			buf_putc(&dec, (char)v);
			p += 2;
		} else if (p[0] == '\r' && p[1] == '\n') {
			buf_putc(&dec, '\n');
			p++;
		} else {
			buf_putc(&dec, *p);
		}
	}
	assert_string_equal(buf_cstr(&dec), body);
	buf_fini(&dec);
	buf_fini(&b);
}

static void test_refused(void **state)
{
	(void)state;
	struct buf b;
	buf_init(&b, NULL, 0);
	struct mail_message m = base;
	m.subject = "Onderwerp\r\nBcc: iemand@example.org";
	assert_int_equal(mail_message_format(&m, &b), CAMPUS_EINVAL);
	m = base;
	m.to = "a@example.org\r\nBcc: b@example.org";
	assert_int_equal(mail_message_format(&m, &b), CAMPUS_EINVAL);
	m = base;
	m.to = "geen adres";
	assert_int_equal(mail_message_format(&m, &b), CAMPUS_EINVAL);
	m = base;
	m.body = "\xff\xfe niet UTF-8";
	assert_int_equal(mail_message_format(&m, &b), CAMPUS_EINVAL);
	m = base;
	m.from = "Campus <noreply@campus.example>\r\nBcc: x@example.org";
	assert_int_equal(mail_message_format(&m, &b), CAMPUS_EINVAL);
	buf_fini(&b);
}

static void test_from_non_ascii(void **state)
{
	(void)state;
	struct mail_message m = base;
	m.from = "Bibliotheek Súdwest <noreply@campus.example>";
	struct buf b;
	const char *msg = format(&m, &b);
	check_lines(msg);
	assert_non_null(strstr(msg, "\r\nFrom: =?UTF-8?B?"));
	assert_non_null(strstr(msg, " <noreply@campus.example>\r\n"));
	char addr[100];
	assert_int_equal(mail_address_of(m.from, addr, sizeof addr), 0);
	assert_string_equal(addr, "noreply@campus.example");
	assert_int_equal(mail_address_of("kaal@example.org", addr, sizeof addr), 0);
	assert_string_equal(addr, "kaal@example.org");
	assert_int_equal(mail_address_of("Naam <geen-adres>", addr, sizeof addr), CAMPUS_EINVAL);
	buf_fini(&b);
}

/* With an attachment: multipart/mixed, the text part as before, then the
 * attachment in base64 lines that decode to the bytes given. */
static void test_attachment(void **state)
{
	(void)state;
	static const char ics[] = "BEGIN:VCALENDAR\r\nMETHOD:REQUEST\r\nSUMMARY:Cursus \xc3\xa9\xc3\xa9n\r\n"
	                          "DESCRIPTION:Een lange regel die in base64 over meer dan zesenzeventig "
	                          "tekens loopt, zodat er regels gebroken worden.\r\nEND:VCALENDAR\r\n";
	struct mail_message m = base;
	m.attachment_name = "uitnodiging.ics";
	m.attachment_type = "text/calendar; method=REQUEST; charset=utf-8";
	m.attachment = ics;
	m.attachment_len = sizeof ics - 1;
	struct buf b;
	char *msg = format(&m, &b);
	check_lines(msg);
	char v[200];
	assert_string_equal(header_value(msg, "Content-Type", v, sizeof v),
	                    "multipart/mixed; boundary=\"" MAIL_BOUNDARY "\"");
	const char *text = strstr(msg, "\r\n--" MAIL_BOUNDARY "\r\nContent-Type: text/plain; charset=utf-8\r\n"
	                               "Content-Transfer-Encoding: quoted-printable\r\n\r\nBeste lezer,");
	assert_non_null(text);
	const char *cal = strstr(text, "\r\n--" MAIL_BOUNDARY "\r\nContent-Type: text/calendar; method=REQUEST;");
	assert_non_null(cal);
	assert_non_null(strstr(cal, "name=\"uitnodiging.ics\"\r\n"));
	assert_non_null(strstr(cal, "Content-Disposition: attachment;\r\n filename=\"uitnodiging.ics\"\r\n"));
	const char *data = strstr(cal, "Content-Transfer-Encoding: base64\r\n\r\n");
	assert_non_null(data);
	data += strlen("Content-Transfer-Encoding: base64\r\n\r\n");
	const char *end = strstr(data, "--" MAIL_BOUNDARY "--\r\n");
	assert_non_null(end);
	assert_string_equal(end, "--" MAIL_BOUNDARY "--\r\n"); /* the last line */
	/* Decode the base64 lines (76 characters each but the last). */
	static const char b64[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
	char out[400];
	size_t n = 0, bits = 0;
	unsigned acc = 0;
	for (const char *p = data; p < end; p++) {
		if (*p == '\r' || *p == '\n' || *p == '=')
			continue;
		const char *k = strchr(b64, *p);
		assert_non_null(k);
		acc = (acc << 6) | (unsigned)(k - b64);
		if ((bits += 6) >= 8) {
			bits -= 8;
			out[n++] = (char)((acc >> bits) & 0xff);
		}
	}
	assert_int_equal(n, sizeof ics - 1);
	assert_memory_equal(out, ics, n);
	assert_int_equal(strchr(data, '\r') - data, 76);
	buf_fini(&b);

	/* Refused: a file name or type that would break the headers. */
	buf_init(&b, NULL, 0);
	m.attachment_name = "uit\"nodiging.ics";
	assert_int_equal(mail_message_format(&m, &b), CAMPUS_EINVAL);
	m.attachment_name = "uitnodiging.ics";
	m.attachment_type = "text/calendar\r\nBcc: x@example.org";
	assert_int_equal(mail_message_format(&m, &b), CAMPUS_EINVAL);
	buf_fini(&b);
}

static void test_fill_and_backoff(void **state)
{
	(void)state;
	struct arena *a = arena_new(0);
	assert_string_equal(mail_fill(a, "Beste {naam}, zie {link} ({onbekend})", "naam", "Jaël", "link",
	                              "http://x/y", (const char *)NULL),
	                    "Beste Jaël, zie http://x/y ({onbekend})");
	arena_free(a);
	assert_int_equal(mail_backoff(1), 5);
	assert_int_equal(mail_backoff(2), 10);
	assert_int_equal(mail_backoff(3), 20);
	assert_int_equal(mail_backoff(12), 3600);
	assert_string_equal(mail_tr("en", "Tekst"), "Tekst"); /* no translator: Dutch */
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_headers),
	    cmocka_unit_test(test_subject_encoded),
	    cmocka_unit_test(test_long_ascii_subject_folded),
	    cmocka_unit_test(test_quoted_printable),
	    cmocka_unit_test(test_refused),
	    cmocka_unit_test(test_from_non_ascii),
	    cmocka_unit_test(test_fill_and_backoff),
	    cmocka_unit_test(test_attachment),
	};
	return cmocka_run_group_tests_name("mail", tests, NULL, NULL);
}
