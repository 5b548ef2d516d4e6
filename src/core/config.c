#include "core/config.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/arena.h"
#include "core/buf.h"
#include "core/err.h"
#include "core/log.h"
#include "core/str.h"

enum key_kind { KEY_STRING, KEY_UINT, KEY_BOOL, KEY_LOGLEVEL };

struct config_key {
	const char *name;
	enum key_kind kind;
	size_t offset;
	unsigned max; /* KEY_UINT */
};

#define KEY(name, kind, field, max) {name, kind, offsetof(struct config, field), max}

static const struct config_key config_keys[] = {
	KEY("db", KEY_STRING, db, 0),
	KEY("listen", KEY_STRING, listen, 0),
	KEY("templates_dir", KEY_STRING, templates_dir, 0),
	KEY("static_dir", KEY_STRING, static_dir, 0),
	KEY("locale_dir", KEY_STRING, locale_dir, 0),
	KEY("tmp_dir", KEY_STRING, tmp_dir, 0),
	KEY("secret_key_file", KEY_STRING, secret_key_file, 0),
	KEY("threads", KEY_UINT, threads, 256),
	KEY("db_pool", KEY_UINT, db_pool, 512),
	KEY("log_level", KEY_LOGLEVEL, log_level, 0),
	KEY("hsts", KEY_BOOL, hsts, 0),
	KEY("trust_proxy", KEY_BOOL, trust_proxy, 0),
	KEY("smtp_url", KEY_STRING, smtp_url, 0),
	KEY("mail_from", KEY_STRING, mail_from, 0),
	KEY("base_url", KEY_STRING, base_url, 0),
};

void config_init(struct config *c)
{
	memset(c, 0, sizeof *c);
	c->db = xstrdup("sqlite:var/campus.db");
	c->listen = xstrdup("127.0.0.1:8080");
	c->templates_dir = xstrdup("templates");
	c->static_dir = xstrdup("static");
	c->locale_dir = xstrdup("build/po");
	c->tmp_dir = xstrdup("/tmp");
	c->log_level = LOG_INFO;
	c->smtp_url = xstrdup("");
	c->mail_from = xstrdup("Campus <noreply@campus.example>");
	c->base_url = xstrdup("http://127.0.0.1:8080");
}

void config_fini(struct config *c)
{
	for (size_t i = 0; i < sizeof config_keys / sizeof config_keys[0]; i++)
		if (config_keys[i].kind == KEY_STRING)
			free(*(char **)((char *)c + config_keys[i].offset));
	memset(c, 0, sizeof *c);
}

int config_parse_listen(const char *listen, char *addr, unsigned addrsize, unsigned *port)
{
	const char *colon = strrchr(listen, ':');
	if (!colon || colon == listen)
		return CAMPUS_EINVAL;
	const char *host = listen;
	size_t hostlen = (size_t)(colon - listen);
	if (host[0] == '[') {
		if (hostlen < 3 || host[hostlen - 1] != ']')
			return CAMPUS_EINVAL;
		host++;
		hostlen -= 2;
	}
	unsigned long p;
	if (hostlen + 1 > addrsize || !str_to_uint(colon + 1, strlen(colon + 1), 65535, &p) || p == 0)
		return CAMPUS_EINVAL;
	memcpy(addr, host, hostlen);
	addr[hostlen] = '\0';
	*port = (unsigned)p;
	return 0;
}

int config_set(struct config *c, const char *key, const char *value, struct buf *err)
{
	const struct config_key *k = NULL;
	for (size_t i = 0; i < sizeof config_keys / sizeof config_keys[0]; i++)
		if (strcmp(config_keys[i].name, key) == 0)
			k = &config_keys[i];
	if (!k) {
		buf_printf(err, "unknown setting \"%s\"", key);
		return CAMPUS_EINVAL;
	}
	void *field = (char *)c + k->offset;
	switch (k->kind) {
	case KEY_STRING:
		if (!*value && strcmp(key, "smtp_url") != 0) { /* empty smtp_url: do not send */
			buf_printf(err, "setting \"%s\" may not be empty", key);
			return CAMPUS_EINVAL;
		}
		if (strcmp(key, "listen") == 0) {
			char addr[256];
			unsigned port;
			if (config_parse_listen(value, addr, sizeof addr, &port)) {
				buf_printf(err, "listen: \"%s\" is not ADDR:PORT (e.g. 127.0.0.1:8080)", value);
				return CAMPUS_EINVAL;
			}
		}
		if (strcmp(key, "db") == 0 && strncmp(value, "sqlite:", 7) != 0 &&
		    strncmp(value, "postgres://", 11) != 0 && strncmp(value, "postgresql://", 13) != 0) {
			buf_puts(err, "db: use sqlite:PATH or postgres://USER@HOST/NAME");
			return CAMPUS_EINVAL;
		}
		if (strcmp(key, "smtp_url") == 0 && *value && strncmp(value, "smtp://", 7) != 0 &&
		    strncmp(value, "smtps://", 8) != 0) {
			buf_puts(err, "smtp_url: use smtp://HOST:PORT or smtps://HOST:PORT (or empty)");
			return CAMPUS_EINVAL;
		}
		if (strcmp(key, "base_url") == 0 && strncmp(value, "http://", 7) != 0 &&
		    strncmp(value, "https://", 8) != 0) {
			buf_puts(err, "base_url: use http://HOST[:PORT] or https://HOST (no path needed)");
			return CAMPUS_EINVAL;
		}
		if (strcmp(key, "mail_from") == 0 && (!strchr(value, '@') || strpbrk(value, "\r\n"))) {
			buf_puts(err, "mail_from: use an address, e.g. Campus <noreply@campus.example>");
			return CAMPUS_EINVAL;
		}
		free(*(char **)field);
		*(char **)field = xstrdup(value);
		return 0;
	case KEY_UINT: {
		unsigned long v;
		if (!str_to_uint(value, strlen(value), k->max, &v)) {
			buf_printf(err, "setting \"%s\" must be a whole number from 0 to %u", key, k->max);
			return CAMPUS_EINVAL;
		}
		*(unsigned *)field = (unsigned)v;
		return 0;
	}
	case KEY_BOOL:
		if (!strcmp(value, "true") || !strcmp(value, "yes") || !strcmp(value, "1")) {
			*(bool *)field = true;
		} else if (!strcmp(value, "false") || !strcmp(value, "no") || !strcmp(value, "0")) {
			*(bool *)field = false;
		} else {
			buf_printf(err, "setting \"%s\" must be true or false", key);
			return CAMPUS_EINVAL;
		}
		return 0;
	case KEY_LOGLEVEL: {
		int level = log_level_parse(value);
		if (level < 0) {
			buf_printf(err, "setting \"%s\" must be debug, info, warn or error", key);
			return CAMPUS_EINVAL;
		}
		*(int *)field = level;
		return 0;
	}
	}
	return CAMPUS_EINTERNAL;
}

static char *trim(char *s)
{
	while (isspace((unsigned char)*s))
		s++;
	char *end = s + strlen(s);
	while (end > s && isspace((unsigned char)end[-1]))
		*--end = '\0';
	return s;
}

int config_load_file(struct config *c, const char *path, struct buf *err)
{
	FILE *f = fopen(path, "r");
	if (!f) {
		buf_printf(err, "%s: %s", path, strerror(errno));
		return CAMPUS_EIO;
	}
	char line[4096];
	int lineno = 0, rc = 0;
	while (!rc && fgets(line, sizeof line, f)) {
		lineno++;
		if (!strchr(line, '\n') && !feof(f)) {
			buf_printf(err, "%s:%d: line too long", path, lineno);
			rc = CAMPUS_EINVAL;
			break;
		}
		char *s = trim(line);
		if (*s == '\0' || *s == '#')
			continue;
		char *eq = strchr(s, '=');
		if (!eq) {
			buf_printf(err, "%s:%d: expected \"key = value\"", path, lineno);
			rc = CAMPUS_EINVAL;
			break;
		}
		*eq = '\0';
		struct buf why;
		buf_init(&why, NULL, 512);
		rc = config_set(c, trim(s), trim(eq + 1), &why);
		if (rc)
			buf_printf(err, "%s:%d: %s", path, lineno, buf_cstr(&why));
		buf_fini(&why);
	}
	fclose(f);
	return rc;
}

int config_load_env(struct config *c, struct buf *err)
{
	for (size_t i = 0; i < sizeof config_keys / sizeof config_keys[0]; i++) {
		char name[64] = "CAMPUS_";
		size_t n = 7;
		for (const char *p = config_keys[i].name; *p && n < sizeof name - 1; p++)
			name[n++] = (char)toupper((unsigned char)*p);
		name[n] = '\0';
		const char *value = getenv(name);
		if (!value)
			continue;
		struct buf why;
		buf_init(&why, NULL, 512);
		int rc = config_set(c, config_keys[i].name, value, &why);
		if (rc)
			buf_printf(err, "%s: %s", name, buf_cstr(&why));
		buf_fini(&why);
		if (rc)
			return rc;
	}
	return 0;
}
