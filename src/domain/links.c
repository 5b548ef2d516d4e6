/* One-time links e-mailed to people: "forgot my password" and invitations.
 * The link's token is 32 random bytes; one_time_links keeps only its BLAKE2b
 * hash, the purpose, the expiry and when it was used. See domain/auth.h. */
#include <stdio.h>
#include <string.h>

#include <sodium.h>

#include "core/arena.h"
#include "core/err.h"
#include "core/str.h"
#include "db/db.h"
#include "domain/audit.h"
#include "domain/auth.h"
#include "domain/ctx.h"
#include "domain/mail.h"
#include "domain/people.h"
#include "domain/totp.h"

#define NAME_MAX_BYTES 120

DB_STMT(stmt_link_insert,
        "INSERT INTO one_time_links (token_hash, person_id, purpose, created_at, expires_at) "
        "VALUES ($1, $2, $3, $4, $5)");
DB_STMT(stmt_link_get,
        "SELECT l.person_id, l.expires_at, l.used_at, p.email, p.name, p.lang "
        "FROM one_time_links l JOIN people p ON p.id = l.person_id "
        "WHERE l.token_hash = $1 AND l.purpose = $2");
DB_STMT(stmt_link_use,
        "UPDATE one_time_links SET used_at = $3 WHERE token_hash = $1 AND purpose = $2 "
        "AND used_at IS NULL AND expires_at > $3");
DB_STMT(stmt_links_close, "UPDATE one_time_links SET used_at = $2 WHERE person_id = $1 AND used_at IS NULL");
DB_STMT(stmt_lk_person_by_email, "SELECT id, name, lang FROM people WHERE email = $1");
DB_STMT(stmt_lk_person_by_id, "SELECT email, name, lang FROM people WHERE id = $1");
DB_STMT(stmt_lk_password_set, "UPDATE people SET password_hash = $2, updated_at = $3 WHERE id = $1");
DB_STMT(stmt_lk_name_set, "UPDATE people SET name = $2, updated_at = $3 WHERE id = $1");
DB_STMT(stmt_lk_sessions_end, "DELETE FROM sessions WHERE person_id = $1");
DB_STMT(stmt_lk_throttle_get,
        "SELECT failures, window_start, locked_until FROM login_throttle WHERE key = $1");
DB_STMT(stmt_lk_throttle_put,
        "INSERT INTO login_throttle (key, failures, window_start, locked_until) VALUES ($1, $2, $3, $4) "
        "ON CONFLICT (key) DO UPDATE SET failures = excluded.failures, "
        "window_start = excluded.window_start, locked_until = excluded.locked_until");
DB_STMT(stmt_lk_throttle_clear, "DELETE FROM login_throttle WHERE key = $1");
/* The organisation an invitation names: the actor's when the person is a
 * member there, else the person's first (libraries before the campus). */
DB_STMT(stmt_lk_invite_org,
        "SELECT o.name FROM memberships m JOIN organisations o ON o.id = m.org_id "
        "WHERE m.person_id = $1 AND m.ended_at IS NULL "
        "ORDER BY CASE WHEN o.id = $2 THEN 0 WHEN o.kind = 'campus' THEN 2 ELSE 1 END, "
        "m.started_at, m.id LIMIT 1");
DB_STMT(stmt_lk_first_membership,
        "SELECT m.org_id, m.roles FROM memberships m JOIN organisations o ON o.id = m.org_id "
        "WHERE m.person_id = $1 AND m.ended_at IS NULL "
        "ORDER BY CASE o.kind WHEN 'campus' THEN 0 ELSE 1 END, m.started_at, m.id LIMIT 1");

static const char *id_text(struct ctx *ctx, int64_t id)
{
	const char *s = arena_printf(ctx->arena, "%lld", (long long)id);
	return s ? s : "";
}

int auth_link_issue(struct ctx *ctx, int64_t person_id, const char *purpose, int64_t valid_seconds,
                    char out[AUTH_TOKEN_LEN + 1])
{
	if (!db_in_tx(ctx->db))
		return CAMPUS_EINTERNAL;
	unsigned char hash[32];
	auth_token_new(out);
	auth_token_hash(out, hash);
	int64_t now = ctx->now();
	return db_exec(ctx->db, &stmt_link_insert,
	               (const struct db_param[]){DBP_BLOB(hash, sizeof hash), DBP_INT(person_id),
	                                         DBP_TEXT(purpose), DBP_INT(now),
	                                         DBP_INT(now + valid_seconds), DBP_END},
	               NULL);
}

static const char *link_url(struct ctx *ctx, const char *path, const char *token)
{
	return arena_printf(ctx->arena, "%s%s%s", mail_base_url(), path, token);
}

/* ---- forgotten password ---- */

struct reset_args {
	struct ctx *ctx;
	const char *email;
	const char *email_key, *ip_key;
	bool limited;
};

/* true when key is locked now; reads the row into the outputs (0 when none). */
static int throttle_read(struct ctx *ctx, const char *key, int64_t *failures, int64_t *window_start,
                         int64_t *locked_until)
{
	*failures = *window_start = *locked_until = 0;
	struct db_col cols[] = {DBC_INT(failures), DBC_INT(window_start), DBC_INT(locked_until), DBC_END};
	int rc = db_query_row(ctx->db, &stmt_lk_throttle_get,
	                      (const struct db_param[]){DBP_TEXT(key), DBP_END}, cols, ctx->arena);
	return rc == CAMPUS_ENOTFOUND ? 0 : rc;
}

static int throttle_write(struct ctx *ctx, const char *key, int64_t failures, int64_t window_start,
                          int64_t locked_until)
{
	return db_exec(ctx->db, &stmt_lk_throttle_put,
	               (const struct db_param[]){DBP_TEXT(key), DBP_INT(failures), DBP_INT(window_start),
	                                         DBP_INT(locked_until), DBP_END},
	               NULL);
}

static int reset_tx(struct db_conn *db, void *cls)
{
	(void)db;
	struct reset_args *a = cls;
	struct ctx *ctx = a->ctx;
	int64_t now = ctx->now();
	int64_t ef, ew, el, af, aw, al;
	int rc = throttle_read(ctx, a->email_key, &ef, &ew, &el);
	if (!rc)
		rc = throttle_read(ctx, a->ip_key, &af, &aw, &al);
	if (rc)
		return rc;
	a->limited = el > now || al > now;
	if (a->limited)
		return audit_record(ctx, "person.password_reset_requested", "person", "", "denied",
		                    arena_printf(ctx->arena, "too many requests; e-mail %.100s", a->email));
	/* One e-mail per address per interval; the client address more loosely. */
	rc = throttle_write(ctx, a->email_key, 1, now, now + AUTH_RESET_INTERVAL);
	if (rc)
		return rc;
	if (now - aw > AUTH_RESET_INTERVAL)
		af = 0, aw = now;
	af++;
	rc = throttle_write(ctx, a->ip_key, af, aw, af >= AUTH_RESET_IP_MAX ? now + AUTH_RESET_INTERVAL : 0);
	if (rc)
		return rc;

	int64_t person_id;
	char *name, *lang;
	rc = db_query_row(ctx->db, &stmt_lk_person_by_email,
	                  (const struct db_param[]){DBP_TEXT(a->email), DBP_END},
	                  (const struct db_col[]){DBC_INT(&person_id), DBC_TEXT(&name), DBC_TEXT(&lang), DBC_END},
	                  ctx->arena);
	if (rc == CAMPUS_ENOTFOUND)
		return audit_record(ctx, "person.password_reset_requested", "person", "", "failed",
		                    arena_printf(ctx->arena, "no account; e-mail %.100s", a->email));
	if (rc)
		return rc;
	char token[AUTH_TOKEN_LEN + 1];
	rc = auth_link_issue(ctx, person_id, "reset", AUTH_RESET_SECONDS, token);
	const char *url = link_url(ctx, "/wachtwoord-herstellen/", token);
	sodium_memzero(token, sizeof token);
	if (rc)
		return rc;
	const char *subject = mail_tr(lang, N_("Nieuw wachtwoord voor Campus"));
	const char *text = mail_fill(
	    ctx->arena,
	    mail_tr(lang, N_("Beste {naam},\n\nU heeft gevraagd om een nieuw wachtwoord voor Campus. Kies uw "
	                     "nieuwe wachtwoord via deze link. De link is een uur geldig en werkt één keer.\n\n"
	                     "{link}\n\nHeeft u dit niet gevraagd? Dan hoeft u niets te doen: uw wachtwoord "
	                     "blijft zoals het is.\n\nCampus, het leerplatform van de openbare bibliotheken\n")),
	    "naam", name, "link", url, (const char *)NULL);
	if (!url || !text)
		return CAMPUS_ENOMEM;
	rc = mail_queue(ctx, a->email, subject, text);
	if (!rc)
		rc = audit_record(ctx, "person.password_reset_requested", "person", id_text(ctx, person_id),
		                  "ok", "reset link e-mailed, valid 1 hour");
	return rc;
}

int auth_reset_request(struct ctx *ctx, const char *email)
{
	const char *normal = email_normalise(ctx, email);
	if (!normal)
		return CAMPUS_EINVAL;
	struct reset_args a = {.ctx = ctx, .email = normal};
	a.email_key = arena_printf(ctx->arena, "w:%s", normal);
	a.ip_key = arena_printf(ctx->arena, "wa:%s", ctx->origin.ip ? ctx->origin.ip : "-");
	if (!a.email_key || !a.ip_key)
		return CAMPUS_ENOMEM;
	int rc = db_tx_run(ctx->db, DB_TX_WRITE, reset_tx, &a);
	if (rc)
		return rc;
	return a.limited ? CAMPUS_EBUSY : 0;
}

/* ---- invitations ---- */

struct invite_args {
	struct ctx *ctx;
	int64_t person_id;
};

static int invite_tx(struct db_conn *db, void *cls)
{
	struct invite_args *a = cls;
	struct ctx *ctx = a->ctx;
	char *email, *name, *lang, *org = NULL;
	int rc = db_query_row(db, &stmt_lk_person_by_id,
	                      (const struct db_param[]){DBP_INT(a->person_id), DBP_END},
	                      (const struct db_col[]){DBC_TEXT(&email), DBC_TEXT(&name), DBC_TEXT(&lang), DBC_END},
	                      ctx->arena);
	if (rc)
		return rc;
	rc = db_query_row(db, &stmt_lk_invite_org,
	                  (const struct db_param[]){DBP_INT(a->person_id), DBP_INT(ctx->actor.org_id), DBP_END},
	                  (const struct db_col[]){DBC_TEXT(&org), DBC_END}, ctx->arena);
	if (rc == CAMPUS_ENOTFOUND)
		org = (char *)"Campus", rc = 0;
	if (rc)
		return rc;
	char token[AUTH_TOKEN_LEN + 1];
	rc = auth_link_issue(ctx, a->person_id, "invite", AUTH_INVITE_SECONDS, token);
	const char *url = link_url(ctx, "/uitnodiging/", token);
	sodium_memzero(token, sizeof token);
	if (rc)
		return rc;
	const char *subject =
	    mail_fill(ctx->arena, mail_tr(lang, N_("U bent uitgenodigd voor Campus door {organisatie}")),
	              "organisatie", org, (const char *)NULL);
	const char *text = mail_fill(
	    ctx->arena,
	    mail_tr(lang, N_("Beste {naam},\n\n{organisatie} nodigt u uit voor Campus, het leerplatform van de "
	                     "openbare bibliotheken. Kies via deze link uw wachtwoord. De link is 14 dagen "
	                     "geldig en werkt één keer.\n\n{link}\n\nU logt in met dit e-mailadres: {email}\n\n"
	                     "Verwacht u deze uitnodiging niet? Dan kunt u deze e-mail negeren.\n")),
	    "naam", name, "organisatie", org, "link", url, "email", email, (const char *)NULL);
	if (!url || !subject || !text)
		return CAMPUS_ENOMEM;
	/* A long organisation name must not make the subject unsendable. */
	if (strlen(subject) > MAIL_SUBJECT_MAX)
		subject = mail_tr(lang, N_("U bent uitgenodigd voor Campus"));
	rc = mail_queue(ctx, email, subject, text);
	if (!rc)
		rc = audit_record(ctx, "person.invited", "person", id_text(ctx, a->person_id), "ok",
		                  arena_printf(ctx->arena, "invitation e-mailed, valid 14 days; by %.120s", org));
	return rc;
}

int auth_invite(struct ctx *ctx, int64_t person_id)
{
	struct invite_args a = {ctx, person_id};
	return db_tx_run(ctx->db, DB_TX_WRITE, invite_tx, &a);
}

/* ---- using a link ---- */

static int link_lookup(struct ctx *ctx, const unsigned char hash[32], const char *purpose, int *state,
                       struct auth_link *out)
{
	int64_t used_at = 0;
	bool unused;
	char *email, *name, *lang;
	struct db_col cols[] = {DBC_INT(&out->person_id), DBC_INT(&out->expires_at),
	                        DBC_INT_OPT(&used_at, &unused), DBC_TEXT(&email),
	                        DBC_TEXT(&name), DBC_TEXT(&lang), DBC_END};
	int rc = db_query_row(ctx->db, &stmt_link_get,
	                      (const struct db_param[]){DBP_BLOB(hash, 32), DBP_TEXT(purpose), DBP_END}, cols,
	                      ctx->arena);
	if (rc == CAMPUS_ENOTFOUND) {
		*state = AUTH_LINK_UNKNOWN;
		return 0;
	}
	if (rc)
		return rc;
	out->email = email, out->name = name, out->lang = lang;
	*state = !unused                             ? AUTH_LINK_USED
	         : out->expires_at <= ctx->now()    ? AUTH_LINK_EXPIRED
	                                             : AUTH_LINK_OK;
	return 0;
}

static bool token_shape_ok(const char *token)
{
	if (!token || strlen(token) != AUTH_TOKEN_LEN)
		return false;
	for (const char *p = token; *p; p++)
		if (!((*p >= 'A' && *p <= 'Z') || (*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') ||
		      *p == '-' || *p == '_'))
			return false;
	return true;
}

int auth_link_check(struct ctx *ctx, const char *token, const char *purpose, int *state,
                    struct auth_link *out)
{
	memset(out, 0, sizeof *out);
	*state = AUTH_LINK_UNKNOWN;
	if (!token_shape_ok(token))
		return 0;
	unsigned char hash[32];
	auth_token_hash(token, hash);
	return link_lookup(ctx, hash, purpose, state, out);
}

struct redeem_args {
	struct ctx *ctx;
	unsigned char hash[32];
	const char *purpose;
	const char *password_hash;
	const char *name;
	struct auth_link link;
	int state;
	struct auth_session *out;
};

static int redeem_tx(struct db_conn *db, void *cls)
{
	struct redeem_args *a = cls;
	struct ctx *ctx = a->ctx;
	int64_t now = ctx->now(), changes = 0;
	int rc = db_exec(db, &stmt_link_use,
	                 (const struct db_param[]){DBP_BLOB(a->hash, 32), DBP_TEXT(a->purpose), DBP_INT(now),
	                                           DBP_END},
	                 &changes);
	if (rc)
		return rc;
	if (changes != 1) { /* used or expired since it was checked: nothing changes */
		rc = link_lookup(ctx, a->hash, a->purpose, &a->state, &a->link);
		if (!rc && a->state == AUTH_LINK_OK)
			a->state = AUTH_LINK_USED;
		return rc ? rc : CAMPUS_ENOTFOUND;
	}
	int64_t person = a->link.person_id;
	rc = db_exec(db, &stmt_lk_password_set,
	             (const struct db_param[]){DBP_INT(person), DBP_TEXT(a->password_hash), DBP_INT(now), DBP_END},
	             NULL);
	if (!rc && a->name)
		rc = db_exec(db, &stmt_lk_name_set,
		             (const struct db_param[]){DBP_INT(person), DBP_TEXT(a->name), DBP_INT(now), DBP_END},
		             NULL);
	/* Other open links of the person are moot now; their sessions end. */
	if (!rc)
		rc = db_exec(db, &stmt_links_close, (const struct db_param[]){DBP_INT(person), DBP_INT(now), DBP_END},
		             NULL);
	if (!rc)
		rc = db_exec(db, &stmt_lk_sessions_end, (const struct db_param[]){DBP_INT(person), DBP_END}, NULL);
	/* Proving access to the mailbox ends a log-in lock-out of the address. */
	const char *key = arena_printf(ctx->arena, "e:%s", a->link.email);
	if (!rc && key)
		rc = db_exec(db, &stmt_lk_throttle_clear, (const struct db_param[]){DBP_TEXT(key), DBP_END}, NULL);
	int64_t org_id = 0, roles = 0;
	if (!rc) {
		rc = db_query_row(db, &stmt_lk_first_membership, (const struct db_param[]){DBP_INT(person), DBP_END},
		                  (const struct db_col[]){DBC_INT(&org_id), DBC_INT(&roles), DBC_END}, ctx->arena);
		if (rc == CAMPUS_ENOTFOUND)
			rc = 0;
	}
	/* A role that requires two-step log-in still requires it after a reset. */
	if (!rc)
		rc = totp_login_state(ctx, person, &a->out->second_factor);
	if (!rc)
		rc = auth_session_open(ctx, person, org_id, (unsigned)roles & ROLE_ALL, a->out);
	if (!rc) {
		ctx->actor = (struct actor){.person_id = person, .org_id = org_id, .roles = (unsigned)roles & ROLE_ALL};
		bool invite = !strcmp(a->purpose, "invite");
		rc = audit_record(ctx, invite ? "person.invite_accepted" : "person.password_reset", "person",
		                  id_text(ctx, person), "ok",
		                  invite ? (a->name ? "password chosen, name confirmed" : "password chosen")
		                         : "password set through an e-mailed link; other sessions ended");
	}
	return rc;
}

static const char *trimmed(struct ctx *ctx, const char *s)
{
	while (*s == ' ' || *s == '\t')
		s++;
	size_t n = strlen(s);
	while (n && (s[n - 1] == ' ' || s[n - 1] == '\t'))
		n--;
	return arena_strndup(ctx->arena, s, n);
}

static bool name_ok(const char *name)
{
	size_t n = strlen(name);
	if (n == 0 || n > NAME_MAX_BYTES || !utf8_valid(name, n))
		return false;
	for (const unsigned char *p = (const unsigned char *)name; *p; p++)
		if (*p < 0x20 || *p == 0x7f)
			return false;
	return true;
}

int auth_link_redeem(struct ctx *ctx, const char *token, const char *purpose, const char *password,
                     const char *name, const char **why, int *state, struct auth_session *out)
{
	*why = NULL;
	memset(out, 0, sizeof *out);
	struct redeem_args a = {.ctx = ctx, .purpose = purpose, .out = out};
	int rc = auth_link_check(ctx, token, purpose, state, &a.link);
	if (rc)
		return rc;
	if (*state != AUTH_LINK_OK)
		return CAMPUS_ENOTFOUND;
	if (name) {
		name = trimmed(ctx, name);
		if (!name || !name_ok(name)) {
			*why = N_("Vul uw naam in (hoogstens 120 tekens).");
			return CAMPUS_EINVAL;
		}
	}
	if (!password || !*password) {
		*why = N_("Vul een nieuw wachtwoord in.");
		return CAMPUS_EINVAL;
	}
	if (auth_password_policy(password, a.link.email, why) != 0)
		return CAMPUS_EINVAL;
	char hash[AUTH_HASH_MAX];
	rc = auth_password_hash(password, hash); /* outside any transaction: it takes a while */
	if (rc)
		return rc;
	a.password_hash = hash;
	a.name = name;
	auth_token_hash(token, a.hash);
	a.state = AUTH_LINK_OK;
	rc = db_tx_run(ctx->db, DB_TX_WRITE, redeem_tx, &a);
	sodium_memzero(hash, sizeof hash);
	*state = a.state;
	if (rc) {
		memset(out, 0, sizeof *out);
		return rc;
	}
	out->person_id = a.link.person_id;
	out->person_name = a.name ? a.name : a.link.name;
	return 0;
}

/* ---- changing one's e-mail address ---- */

DB_STMT(stmt_ec_person, "SELECT email, name, lang, password_hash FROM people WHERE id = $1");
DB_STMT(stmt_ec_taken, "SELECT COUNT(*) FROM people WHERE email = $1 AND id <> $2");
DB_STMT(stmt_ec_close, "UPDATE email_changes SET used_at = $2 WHERE person_id = $1 AND used_at IS NULL");
DB_STMT(stmt_ec_insert,
        "INSERT INTO email_changes (token_hash, person_id, new_email, created_at, expires_at) "
        "VALUES ($1, $2, $3, $4, $5)");
DB_STMT(stmt_ec_get,
        "SELECT c.person_id, c.new_email, c.expires_at, c.used_at, p.email, p.name "
        "FROM email_changes c JOIN people p ON p.id = c.person_id WHERE c.token_hash = $1");
DB_STMT(stmt_ec_use,
        "UPDATE email_changes SET used_at = $2 WHERE token_hash = $1 AND used_at IS NULL "
        "AND expires_at > $2");
DB_STMT(stmt_ec_email_set, "UPDATE people SET email = $2, updated_at = $3 WHERE id = $1");
DB_STMT(stmt_ec_sessions_end, "DELETE FROM sessions WHERE person_id = $1 AND token_hash <> $2");

#define MSG_EMAIL_TAKEN N_("Dit e-mailadres is al in gebruik voor een ander account. Kies een ander adres.")

struct ec_request_args {
	struct ctx *ctx;
	const char *new_email, *old_email, *name, *lang;
	const char **why;
};

static int ec_request_tx(struct db_conn *db, void *cls)
{
	struct ec_request_args *a = cls;
	struct ctx *ctx = a->ctx;
	int64_t person = ctx->actor.person_id, taken = 0, now = ctx->now();
	const char *id = id_text(ctx, person);
	int rc = db_query_row(db, &stmt_ec_taken,
	                      (const struct db_param[]){DBP_TEXT(a->new_email), DBP_INT(person), DBP_END},
	                      (const struct db_col[]){DBC_INT(&taken), DBC_END}, ctx->arena);
	if (rc)
		return rc;
	if (taken) {
		*a->why = MSG_EMAIL_TAKEN;
		return CAMPUS_ECONFLICT;
	}
	/* One open request at a time: an earlier link stops working. */
	rc = db_exec(db, &stmt_ec_close, (const struct db_param[]){DBP_INT(person), DBP_INT(now), DBP_END}, NULL);
	char token[AUTH_TOKEN_LEN + 1];
	unsigned char hash[32];
	auth_token_new(token);
	auth_token_hash(token, hash);
	if (!rc)
		rc = db_exec(db, &stmt_ec_insert,
		             (const struct db_param[]){DBP_BLOB(hash, sizeof hash), DBP_INT(person),
		                                       DBP_TEXT(a->new_email), DBP_INT(now),
		                                       DBP_INT(now + AUTH_EMAIL_CHANGE_SECONDS), DBP_END},
		             NULL);
	const char *url = link_url(ctx, "/emailadres-bevestigen/", token);
	sodium_memzero(token, sizeof token);
	if (rc)
		return rc;
	const char *text = mail_fill(
	    ctx->arena,
	    mail_tr(a->lang, N_("Beste {naam},\n\nU wilt voortaan met dit e-mailadres inloggen op Campus. "
	                        "Bevestig dat via deze link. De link is 24 uur geldig en werkt één keer.\n\n"
	                        "{link}\n\nTot u de link volgt, blijft uw oude e-mailadres ({oud}) in gebruik.\n\n"
	                        "Heeft u dit niet gevraagd? Dan hoeft u niets te doen.\n\n"
	                        "Campus, het leerplatform van de openbare bibliotheken\n")),
	    "naam", a->name, "link", url, "oud", a->old_email, (const char *)NULL);
	const char *notice = mail_fill(
	    ctx->arena,
	    mail_tr(a->lang, N_("Beste {naam},\n\nIemand die met uw wachtwoord is ingelogd, heeft gevraagd het "
	                        "e-mailadres van uw Campus-account te wijzigen in {nieuw}. Er verandert pas iets "
	                        "als de link in de e-mail aan dat adres wordt gevolgd.\n\n"
	                        "Was u dit niet? Wijzig dan meteen uw wachtwoord op Mijn Campus ({mijn}), of vraag "
	                        "via \"Wachtwoord vergeten?\" op de inlogpagina een nieuw wachtwoord aan.\n\n"
	                        "Campus, het leerplatform van de openbare bibliotheken\n")),
	    "naam", a->name, "nieuw", a->new_email, "mijn", link_url(ctx, "/mijn", ""), (const char *)NULL);
	if (!url || !text || !notice)
		return CAMPUS_ENOMEM;
	rc = mail_queue(ctx, a->new_email, mail_tr(a->lang, N_("Bevestig uw nieuwe e-mailadres voor Campus")),
	                text);
	if (!rc)
		rc = mail_queue(ctx, a->old_email,
		                mail_tr(a->lang, N_("Uw e-mailadres voor Campus wordt mogelijk gewijzigd")), notice);
	if (!rc)
		rc = audit_record(ctx, "person.email_change_requested", "person", id, "ok",
		                  arena_printf(ctx->arena, "confirmation link e-mailed to %.120s, valid 24 hours",
		                               a->new_email));
	return rc;
}

int auth_email_change_request(struct ctx *ctx, const char *password, const char *new_email,
                              const char **why)
{
	*why = NULL;
	if (!ctx->actor.person_id)
		return CAMPUS_EUNAUTH;
	const char *normal = new_email ? email_normalise(ctx, new_email) : NULL;
	if (!normal) {
		*why = N_("Vul een geldig e-mailadres in, bijvoorbeeld naam@bibliotheek.nl.");
		return CAMPUS_EINVAL;
	}
	char *email, *name, *lang, *hash = NULL;
	bool no_hash;
	int rc = db_query_row(ctx->db, &stmt_ec_person,
	                      (const struct db_param[]){DBP_INT(ctx->actor.person_id), DBP_END},
	                      (const struct db_col[]){DBC_TEXT(&email), DBC_TEXT(&name), DBC_TEXT(&lang),
	                                              DBC_TEXT_OPT(&hash, &no_hash), DBC_END},
	                      ctx->arena);
	if (rc)
		return rc;
	if (!strcmp(normal, email)) {
		*why = N_("Dit is al het e-mailadres van uw account.");
		return CAMPUS_EINVAL;
	}
	/* argon2id outside any transaction, as auth_change_password. */
	if (!password || !auth_password_verify(no_hash ? NULL : hash, password)) {
		audit_record(ctx, "person.email_change_requested", "person", id_text(ctx, ctx->actor.person_id),
		             "failed", "password wrong");
		*why = N_("Het wachtwoord klopt niet.");
		return CAMPUS_EUNAUTH;
	}
	struct ec_request_args a = {ctx, normal, email, name, lang, why};
	rc = db_tx_run(ctx->db, DB_TX_WRITE, ec_request_tx, &a);
	if (rc == CAMPUS_ECONFLICT && !*why)
		*why = MSG_EMAIL_TAKEN;
	return rc;
}

static int ec_lookup(struct ctx *ctx, const unsigned char hash[32], int *state, struct auth_email_change *out)
{
	int64_t used_at = 0;
	bool unused;
	char *new_email, *old_email, *name;
	int rc = db_query_row(ctx->db, &stmt_ec_get, (const struct db_param[]){DBP_BLOB(hash, 32), DBP_END},
	                      (const struct db_col[]){DBC_INT(&out->person_id), DBC_TEXT(&new_email),
	                                              DBC_INT(&out->expires_at), DBC_INT_OPT(&used_at, &unused),
	                                              DBC_TEXT(&old_email), DBC_TEXT(&name), DBC_END},
	                      ctx->arena);
	if (rc == CAMPUS_ENOTFOUND) {
		*state = AUTH_LINK_UNKNOWN;
		return 0;
	}
	if (rc)
		return rc;
	out->new_email = new_email, out->old_email = old_email, out->name = name;
	*state = !unused ? AUTH_LINK_USED : out->expires_at <= ctx->now() ? AUTH_LINK_EXPIRED : AUTH_LINK_OK;
	return 0;
}

int auth_email_change_check(struct ctx *ctx, const char *token, int *state, struct auth_email_change *out)
{
	memset(out, 0, sizeof *out);
	*state = AUTH_LINK_UNKNOWN;
	if (!token_shape_ok(token))
		return 0;
	unsigned char hash[32];
	auth_token_hash(token, hash);
	return ec_lookup(ctx, hash, state, out);
}

struct ec_confirm_args {
	struct ctx *ctx;
	unsigned char hash[32], keep[32];
	int state;
	const char **why;
	struct auth_email_change *out;
};

static int ec_confirm_tx(struct db_conn *db, void *cls)
{
	struct ec_confirm_args *a = cls;
	struct ctx *ctx = a->ctx;
	int64_t now = ctx->now(), changes = 0, taken = 0;
	int rc = ec_lookup(ctx, a->hash, &a->state, a->out);
	if (rc)
		return rc;
	if (a->state != AUTH_LINK_OK)
		return CAMPUS_ENOTFOUND;
	int64_t person = a->out->person_id;
	rc = db_exec(db, &stmt_ec_use, (const struct db_param[]){DBP_BLOB(a->hash, 32), DBP_INT(now), DBP_END},
	             &changes);
	if (rc)
		return rc;
	if (changes != 1) {
		a->state = AUTH_LINK_USED;
		return CAMPUS_ENOTFOUND;
	}
	rc = db_query_row(db, &stmt_ec_taken,
	                  (const struct db_param[]){DBP_TEXT(a->out->new_email), DBP_INT(person), DBP_END},
	                  (const struct db_col[]){DBC_INT(&taken), DBC_END}, ctx->arena);
	if (rc)
		return rc;
	if (taken) { /* someone took it since the request: nothing changes (rolled back) */
		*a->why = MSG_EMAIL_TAKEN;
		return CAMPUS_ECONFLICT;
	}
	rc = db_exec(db, &stmt_ec_email_set,
	             (const struct db_param[]){DBP_INT(person), DBP_TEXT(a->out->new_email), DBP_INT(now), DBP_END},
	             NULL);
	/* Links that went to the old address no longer count. */
	if (!rc)
		rc = db_exec(db, &stmt_links_close, (const struct db_param[]){DBP_INT(person), DBP_INT(now), DBP_END},
		             NULL);
	if (!rc)
		rc = db_exec(db, &stmt_ec_close, (const struct db_param[]){DBP_INT(person), DBP_INT(now), DBP_END},
		             NULL);
	if (!rc)
		rc = db_exec(db, &stmt_ec_sessions_end,
		             (const struct db_param[]){DBP_INT(person), DBP_BLOB(a->keep, 32), DBP_END}, NULL);
	if (!rc) {
		struct actor saved = ctx->actor;
		if (!ctx->actor.person_id)
			ctx->actor.person_id = person; /* confirmed from a browser that is not logged in */
		rc = audit_record(ctx, "person.email_changed", "person", id_text(ctx, person), "ok",
		                  arena_printf(ctx->arena, "from %.120s to %.120s through an e-mailed link; "
		                               "other sessions ended", a->out->old_email, a->out->new_email));
		ctx->actor = saved;
	}
	return rc;
}

int auth_email_change_confirm(struct ctx *ctx, const char *token, const char *keep_token, int *state,
                              const char **why, struct auth_email_change *out)
{
	*why = NULL;
	memset(out, 0, sizeof *out);
	*state = AUTH_LINK_UNKNOWN;
	if (!token_shape_ok(token))
		return CAMPUS_ENOTFOUND;
	struct ec_confirm_args a = {.ctx = ctx, .why = why, .out = out};
	auth_token_hash(token, a.hash);
	if (keep_token)
		auth_token_hash(keep_token, a.keep);
	int rc = db_tx_run(ctx->db, DB_TX_WRITE, ec_confirm_tx, &a);
	*state = a.state;
	if (rc == CAMPUS_ECONFLICT && !*why)
		*why = MSG_EMAIL_TAKEN;
	return rc;
}
