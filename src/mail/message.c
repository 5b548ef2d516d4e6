#include "mail/message.h"

#include <stdbool.h>
#include <string.h>
#include <time.h>

#include "core/buf.h"
#include "core/err.h"
#include "core/str.h"

static bool has_crlf(const char *s) { return strpbrk(s, "\r\n") != NULL; }

static bool plain_ascii(const char *s)
{
	for (const unsigned char *p = (const unsigned char *)s; *p; p++)
		if (*p < 0x20 || *p > 0x7e)
			return false;
	return strstr(s, "=?") == NULL; /* would read as the start of an encoded word */
}

/* A bare address: something@something, printable ASCII or UTF-8, no spaces
 * or the characters that end an address in a header. */
static bool address_ok(const char *s)
{
	size_t n = strlen(s);
	const char *at = strchr(s, '@');
	if (n < 3 || n > 254 || !at || at == s || !at[1] || strchr(at + 1, '@') || !utf8_valid(s, n))
		return false;
	for (const unsigned char *p = (const unsigned char *)s; *p; p++)
		if (*p <= ' ' || *p == 0x7f || strchr("<>()[],;:\\\"", *p))
			return false;
	return true;
}

int mail_address_of(const char *from, char *out, size_t size)
{
	if (!from)
		return CAMPUS_EINVAL;
	const char *lt = strrchr(from, '<');
	const char *start = from;
	size_t n = strlen(from);
	if (lt) {
		const char *gt = strchr(lt, '>');
		if (!gt || gt[1] != '\0')
			return CAMPUS_EINVAL;
		start = lt + 1;
		n = (size_t)(gt - start);
	}
	if (n + 1 > size)
		return CAMPUS_EINVAL;
	memcpy(out, start, n);
	out[n] = '\0';
	return address_ok(out) ? 0 : CAMPUS_EINVAL;
}

/* Length of the longest prefix of s (at most max bytes) that ends on a UTF-8
 * character boundary. */
static size_t utf8_cut(const char *s, size_t len, size_t max)
{
	if (len <= max)
		return len;
	size_t n = max;
	while (n > 0 && ((unsigned char)s[n] & 0xc0) == 0x80)
		n--;
	return n ? n : max; /* not UTF-8 (checked before): cut anyway */
}

int mail_header_words(struct buf *out, const char *text, size_t used)
{
	size_t len = strlen(text);
	if (!utf8_valid(text, len) || has_crlf(text))
		return CAMPUS_EINVAL;
	if (plain_ascii(text) && used + len <= MAIL_LINE_MAX)
		return buf_append(out, text, len);
	/* "=?UTF-8?B?" + base64 + "?=": 12 characters around the base64. 42 bytes
	 * make 56 base64 characters, a 68-character word; after "Subject: " (9)
	 * that is 77, on a folded line (" " + word) 69. */
	static const char b64[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
	size_t room = used + 12 + 4 < MAIL_LINE_MAX ? (MAIL_LINE_MAX - used - 12) / 4 * 3 : 3;
	if (room > 42)
		room = 42;
	bool first = true;
	const unsigned char *p = (const unsigned char *)text;
	do {
		size_t chunk = utf8_cut((const char *)p, len, first ? room : 42);
		if (!first)
			buf_puts(out, "\r\n ");
		buf_puts(out, "=?UTF-8?B?");
		for (size_t i = 0; i < chunk; i += 3) {
			unsigned v = (unsigned)p[i] << 16;
			if (i + 1 < chunk)
				v |= (unsigned)p[i + 1] << 8;
			if (i + 2 < chunk)
				v |= p[i + 2];
			buf_putc(out, b64[(v >> 18) & 63]);
			buf_putc(out, b64[(v >> 12) & 63]);
			buf_putc(out, i + 1 < chunk ? b64[(v >> 6) & 63] : '=');
			buf_putc(out, i + 2 < chunk ? b64[v & 63] : '=');
		}
		buf_puts(out, "?=");
		p += chunk;
		len -= chunk;
		first = false;
	} while (len > 0);
	return out->overflow ? CAMPUS_ENOMEM : 0;
}

int mail_quoted_printable(struct buf *out, const char *text)
{
	static const char hex[] = "0123456789ABCDEF";
	size_t col = 0;
	for (const unsigned char *p = (const unsigned char *)text; *p; p++) {
		if (*p == '\r' && p[1] == '\n')
			continue; /* the "\n" writes the line end */
		if (*p == '\n') {
			buf_puts(out, "\r\n");
			col = 0;
			continue;
		}
		bool at_eol = p[1] == '\0' || p[1] == '\n' || (p[1] == '\r' && p[2] == '\n');
		bool literal = (*p >= 33 && *p <= 126 && *p != '=') || ((*p == ' ' || *p == '\t') && !at_eol);
		/* A line starting with "." is doubled by SMTP; "From " is mangled by some
		 * mailboxes: encode both, so the text arrives as written. */
		if (col == 0 && (*p == '.' || (*p == 'F' && strncmp((const char *)p, "From ", 5) == 0)))
			literal = false;
		size_t w = literal ? 1 : 3;
		/* 76 characters at most, the soft break "=" included (RFC 2045). */
		size_t limit = at_eol ? 76 : 75;
		if (col + w > limit) {
			buf_puts(out, "=\r\n");
			col = 0;
		}
		if (literal) {
			buf_putc(out, (char)*p);
		} else {
			buf_putc(out, '=');
			buf_putc(out, hex[*p >> 4]);
			buf_putc(out, hex[*p & 15]);
		}
		col += w;
	}
	return out->overflow ? CAMPUS_ENOMEM : 0;
}

int mail_base64_lines(struct buf *out, const void *data, size_t len)
{
	static const char b64[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
	const unsigned char *p = data;
	size_t col = 0;
	for (size_t i = 0; i < len; i += 3) {
		unsigned v = (unsigned)p[i] << 16;
		if (i + 1 < len)
			v |= (unsigned)p[i + 1] << 8;
		if (i + 2 < len)
			v |= p[i + 2];
		char q[4] = {b64[(v >> 18) & 63], b64[(v >> 12) & 63], i + 1 < len ? b64[(v >> 6) & 63] : '=',
		             i + 2 < len ? b64[v & 63] : '='};
		buf_append(out, q, 4);
		if ((col += 4) == 76) {
			buf_puts(out, "\r\n");
			col = 0;
		}
	}
	if (col)
		buf_puts(out, "\r\n");
	return out->overflow ? CAMPUS_ENOMEM : 0;
}

/* A header "Name: type; a=b; c=d" folded at the "; " between parameters when
 * a line would pass MAIL_LINE_MAX. */
static void put_params_header(struct buf *out, const char *name, const char *value)
{
	buf_printf(out, "%s: ", name);
	size_t col = strlen(name) + 2;
	const char *p = value;
	while (*p) {
		const char *semi = strstr(p, "; ");
		size_t n = semi ? (size_t)(semi - p) + 1 : strlen(p);
		if (p != value && col + 1 + n > MAIL_LINE_MAX) {
			buf_puts(out, "\r\n");
			col = 0;
		}
		if (p != value) {
			buf_putc(out, ' ');
			col++;
		}
		buf_append(out, p, n);
		col += n;
		p += n;
		if (semi)
			p++; /* the space */
	}
	buf_puts(out, "\r\n");
}

/* name: letters, digits, '.', '-', '_'; type: printable ASCII without quotes,
 * backslashes or line breaks (so both go into headers as they are). */
static bool attachment_ok(const struct mail_message *m)
{
	size_t n = strlen(m->attachment_name);
	if (n == 0 || n > 100 || !m->attachment_type || (!m->attachment && m->attachment_len))
		return false;
	for (const char *p = m->attachment_name; *p; p++)
		if (!strchr("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789.-_", *p))
			return false;
	const char *t = m->attachment_type;
	if (strlen(t) > 120 || !strchr(t, '/'))
		return false;
	for (const unsigned char *p = (const unsigned char *)t; *p; p++)
		if (*p < 0x20 || *p > 0x7e || *p == '"' || *p == '\\')
			return false;
	return true;
}

static void put_date(struct buf *out, int64_t t)
{
	static const char *const days[] = {"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};
	static const char *const months[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
	                                     "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
	time_t tt = (time_t)t;
	struct tm tm;
	gmtime_r(&tt, &tm);
	buf_printf(out, "Date: %s, %02d %s %04d %02d:%02d:%02d +0000\r\n", days[tm.tm_wday % 7],
	           tm.tm_mday, months[tm.tm_mon % 12], tm.tm_year + 1900, tm.tm_hour, tm.tm_min,
	           tm.tm_sec);
}

/* "Name <addr>" with the name encoded when it is not plain ASCII. */
static int put_from(struct buf *out, const char *from)
{
	char addr[256];
	int rc = mail_address_of(from, addr, sizeof addr);
	if (rc || has_crlf(from))
		return CAMPUS_EINVAL;
	const char *lt = strrchr(from, '<');
	buf_puts(out, "From: ");
	if (lt) {
		size_t n = (size_t)(lt - from);
		while (n && from[n - 1] == ' ')
			n--;
		char name[200];
		if (n >= sizeof name)
			return CAMPUS_EINVAL;
		memcpy(name, from, n);
		name[n] = '\0';
		if (n) {
			bool quote_free = !strpbrk(name, "\"\\()<>[]:;@,.");
			if (plain_ascii(name) && quote_free && 6 + n + strlen(addr) + 3 <= MAIL_LINE_MAX) {
				buf_puts(out, name);
			} else if ((rc = mail_header_words(out, name, 6)) != 0) {
				return rc;
			}
			/* The address goes on a line of its own if this one is full. */
			buf_puts(out, strlen(addr) + 3 + 40 > MAIL_LINE_MAX ? "\r\n " : " ");
		}
	}
	buf_printf(out, "<%s>\r\n", addr);
	return 0;
}

int mail_message_format(const struct mail_message *m, struct buf *out)
{
	if (!m->from || !m->to || !m->subject || !m->body || !m->message_id)
		return CAMPUS_EINVAL;
	if (!address_ok(m->to) || has_crlf(m->message_id) || strpbrk(m->message_id, "<> ") ||
	    !strchr(m->message_id, '@') || strlen(m->message_id) > 60 ||
	    !utf8_valid(m->body, strlen(m->body)) || (m->attachment_name && !attachment_ok(m)))
		return CAMPUS_EINVAL;
	put_date(out, m->date);
	buf_printf(out, "Message-ID: <%s>\r\n", m->message_id);
	int rc = put_from(out, m->from);
	if (rc)
		return rc;
	if (strlen(m->to) + 4 > MAIL_LINE_MAX)
		buf_printf(out, "To:\r\n %s\r\n", m->to);
	else
		buf_printf(out, "To: %s\r\n", m->to);
	buf_puts(out, "Subject: ");
	if ((rc = mail_header_words(out, m->subject, 9)) != 0)
		return rc;
	buf_puts(out, "\r\nMIME-Version: 1.0\r\n");
	if (m->attachment_name)
		buf_puts(out, "Content-Type: multipart/mixed; boundary=\"" MAIL_BOUNDARY "\"\r\n"
		              "Auto-Submitted: auto-generated\r\n"
		              "\r\n"
		              "--" MAIL_BOUNDARY "\r\n");
	buf_puts(out, "Content-Type: text/plain; charset=utf-8\r\n"
	              "Content-Transfer-Encoding: quoted-printable\r\n");
	if (!m->attachment_name)
		buf_puts(out, "Auto-Submitted: auto-generated\r\n");
	buf_puts(out, "\r\n");
	if ((rc = mail_quoted_printable(out, m->body)) != 0)
		return rc;
	if (out->len < 2 || memcmp(out->data + out->len - 2, "\r\n", 2) != 0)
		buf_puts(out, "\r\n");
	if (m->attachment_name) {
		buf_puts(out, "--" MAIL_BOUNDARY "\r\n");
		struct buf type;
		buf_init(&type, NULL, 512);
		buf_printf(&type, "%s; name=\"%s\"", m->attachment_type, m->attachment_name);
		put_params_header(out, "Content-Type", buf_cstr(&type));
		buf_fini(&type);
		buf_printf(out, "Content-Disposition: attachment;\r\n filename=\"%s\"\r\n"
		                "Content-Transfer-Encoding: base64\r\n\r\n",
		           m->attachment_name);
		if ((rc = mail_base64_lines(out, m->attachment, m->attachment_len)) != 0)
			return rc;
		buf_puts(out, "--" MAIL_BOUNDARY "--\r\n");
	}
	return out->overflow ? CAMPUS_ENOMEM : 0;
}
