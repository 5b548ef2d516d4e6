/* API tokens for /api/v1: an organisation (a provider, or a library for its
 * own modules) makes tokens for its own systems. A token is 32 random bytes,
 * shown once as "campus_" + base64url; only its BLAKE2b-256 hash is stored
 * (a token has full entropy, so a fast hash is enough: nothing to guess).
 * Tokens carry scopes, can be revoked, and act for their organisation only;
 * every creation, revocation and refused use is audited. */
#ifndef CAMPUS_DOMAIN_APITOKEN_H
#define CAMPUS_DOMAIN_APITOKEN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct ctx;
struct actor;

enum api_scope {
	API_SCOPE_MODULES_READ = 1,  /* "modules:read" */
	API_SCOPE_MODULES_WRITE = 2, /* "modules:write" */
};
#define API_SCOPES_ALL 3u
#define APITOKEN_PREFIX "campus_"
#define APITOKEN_NAME_MAX 80
#define APITOKEN_PER_ORG_MAX 50

/* "modules:read modules:write" <-> bits; CAMPUS_EINVAL for an unknown scope. */
int api_scopes_parse(const char *text, unsigned *scopes);
const char *api_scopes_text(unsigned scopes); /* static string */

/* A new token for org_id; *token (in ctx->arena) is the only time it is
 * seen. CAMPUS_EINVAL with *why (Dutch msgid) for an empty or long name, no
 * scopes, or too many live tokens. */
int apitoken_create(struct ctx *ctx, int64_t org_id, const char *name, unsigned scopes,
                    int64_t *id, const char **token, const char **why);
/* CAMPUS_ENOTFOUND when org_id has no such live token. */
int apitoken_revoke(struct ctx *ctx, int64_t org_id, int64_t id);

struct apitoken_row {
	int64_t id;
	const char *name;
	unsigned scopes;
	int64_t created_at, last_used_at; /* 0: never */
	const char *created_by;           /* name of the person */
	bool revoked;
};
int apitoken_list(struct ctx *ctx, int64_t org_id, struct apitoken_row **rows, size_t *n);

/* The actor a presented token acts as: the organisation, with the provider
 * role there, flags ACTOR_API and ACTOR_API_READ/WRITE for its scopes, and as person the one who made the
 * token (for the audit log). CAMPUS_EUNAUTH for an unknown, malformed or
 * revoked token (audited as a failed "api.auth"). */
int apitoken_authenticate(struct ctx *ctx, const char *token, struct actor *out);

#endif
