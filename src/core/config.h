/* Settings of one Campus process. Sources, later ones winning: built-in
 * defaults, the config file (--config FILE or CAMPUS_CONFIG), environment
 * variables (CAMPUS_<KEY>), command-line flags. Every source goes through
 * config_set(), so a value is validated the same way wherever it comes from. */
#ifndef CAMPUS_CORE_CONFIG_H
#define CAMPUS_CORE_CONFIG_H

#include <stdbool.h>

struct buf;

struct config {
	char *db;            /* sqlite:PATH or postgres://... */
	char *listen;        /* ADDR:PORT */
	char *templates_dir;
	char *static_dir;
	char *locale_dir;
	char *tmp_dir;       /* uploads stream here */
	char *secret_key_file; /* 32 bytes (raw or 64 hex digits) sealing TOTP secrets; NULL: none */
	unsigned threads;    /* 0: one per core */
	unsigned db_pool;    /* 0: threads + 2 */
	int log_level;
	bool hsts;           /* we are served over TLS (by a proxy in front) */
	bool trust_proxy;    /* honour X-Forwarded-For/-Proto from the proxy */
	char *smtp_url;      /* smtp://host:port or smtps://...; "": mail stays in the outbox */
	char *mail_from;     /* From: of e-mail, "Campus <noreply@campus.example>" */
	char *base_url;      /* where Campus is reached, for links in e-mail */
};

void config_init(struct config *c);
void config_fini(struct config *c);
/* key as in the file ("listen", "db", ...); errors name the key. */
int config_set(struct config *c, const char *key, const char *value, struct buf *err);
/* "key = value" lines, '#' comments; errors say file:line. */
int config_load_file(struct config *c, const char *path, struct buf *err);
/* CAMPUS_DB, CAMPUS_LISTEN, CAMPUS_TEMPLATES_DIR, ... for every key. */
int config_load_env(struct config *c, struct buf *err);
/* Split "ADDR:PORT" ("[::1]:8080" for IPv6). */
int config_parse_listen(const char *listen, char *addr, unsigned addrsize, unsigned *port);

#endif
