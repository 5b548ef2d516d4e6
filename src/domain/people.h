/* Organisations, people and their memberships: who someone is, and where
 * they work or volunteer, with which roles. A person is sector-wide: one
 * account whatever the number of organisations. */
#ifndef CAMPUS_DOMAIN_PEOPLE_H
#define CAMPUS_DOMAIN_PEOPLE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct ctx;

struct org {
	int64_t id;
	const char *slug;
	const char *name;
	const char *kind;      /* campus, library, poi, provider */
	const char *place;
	const char *province;
	const char *brand_color; /* NULL: the sector's */
	bool has_logo;
};

struct membership {
	int64_t org_id;
	const char *org_slug;
	const char *org_name;
	const char *org_kind;
	const char *kind;      /* employee, volunteer, external */
	unsigned roles;
};

struct person {
	int64_t id;
	const char *email;
	const char *name;
	const char *lang;
	bool has_password;
	bool totp_enabled;
};

/* Lower-cases and trims an e-mail address into the arena; NULL when it is not
 * one (no '@', spaces inside, too long, not UTF-8). */
const char *email_normalise(struct ctx *ctx, const char *email);

int org_get_by_slug(struct ctx *ctx, const char *slug, struct org *out);
int org_get(struct ctx *ctx, int64_t id, struct org *out);

int person_get(struct ctx *ctx, int64_t id, struct person *out);
/* Change one's own name and language; audited. CAMPUS_EINVAL with *why (a
 * Dutch msgid) for a name that is empty, too long or not UTF-8, or an
 * unknown language. */
int person_update_profile(struct ctx *ctx, const char *name, const char *lang, const char **why);

/* Current memberships (not ended), campus first, then by organisation name. */
int person_memberships(struct ctx *ctx, int64_t person_id, struct membership **out, size_t *n);

/* Members of one organisation, for its managers' list. */
struct member_filter {
	const char *query;     /* part of name or e-mail; NULL: all */
	const char *kind;      /* NULL: all kinds */
	unsigned role;         /* a single role bit; 0: any */
	unsigned offset, limit;
};
struct member_row {
	int64_t person_id;
	const char *name;
	const char *email;
	const char *kind;
	unsigned roles;
	int64_t started_at;
};
int org_members(struct ctx *ctx, int64_t org_id, const struct member_filter *f,
                struct member_row **rows, size_t *n, int64_t *total);

/* People of the whole sector, for campus administrators: name or e-mail
 * contains query; each with the number of current memberships. A query needs
 * PERSON_QUERY_MIN characters (CAMPUS_EINVAL otherwise): shorter ones match
 * nearly everyone and cannot use the trigram index. */
#define PERSON_QUERY_MIN 3
struct person_row {
	int64_t id;
	const char *name;
	const char *email;
	int64_t memberships;
	bool totp_enabled;
};
int person_search(struct ctx *ctx, const char *query, unsigned offset, unsigned limit,
                  struct person_row **rows, size_t *n, int64_t *total);

/* Organisations, for the campus administrators' list. */
int org_search(struct ctx *ctx, const char *query, unsigned offset, unsigned limit,
               struct org **rows, size_t *n, int64_t *total);

/* ---- administration (CLI and, later, the admin pages); each audited ---- */

/* A new organisation: slug [a-z0-9-], 2..60; name 1..120 bytes; kind
 * campus|library|poi|provider. CAMPUS_ECONFLICT when the slug is taken. */
int org_create(struct ctx *ctx, const struct org *in, int64_t *id);
/* A new person without a password (an invitation sets it later).
 * CAMPUS_ECONFLICT when the e-mail address has an account. */
int person_create(struct ctx *ctx, const char *email, const char *name, int64_t *id);
int person_find_by_email(struct ctx *ctx, const char *email, struct person *out);
/* Add a membership or change its kind and roles (a current one). */
int membership_set(struct ctx *ctx, int64_t person_id, int64_t org_id, const char *kind,
                   unsigned roles);
/* Store a new password hash (auth_password_hash) and end the person's sessions. */
int person_set_password_hash(struct ctx *ctx, int64_t person_id, const char *hash);
/* "learner,manager" or "lerende,manager" -> bits; CAMPUS_EINVAL for an unknown name. */
int roles_parse(const char *list, unsigned *roles);

/* ---- branding and details of an organisation ---- */

#define LOGO_MAX_BYTES (512 * 1024)
#define LOGO_MAX_PIXELS 4000

/* The logo's media type when data is a PNG or JPEG of sane dimensions, else
 * NULL. The bytes decide, never a file name or a client's Content-Type. */
const char *logo_sniff(const unsigned char *data, size_t len);
/* The same test without the logo's size limit, for images with a limit of
 * their own (a module's picture). */
const char *image_sniff(const unsigned char *data, size_t len);
/* New colour (#rrggbb, or NULL/"" to use the sector's) and, when logo is not
 * NULL, a new logo (PNG or JPEG). *why: Dutch msgid on refusal. Audited. */
int org_set_branding(struct ctx *ctx, int64_t org_id, const char *color,
                     const unsigned char *logo, size_t logo_len, const char **why);
/* Name, place, province, payroll in cents: campus administrators only. */
int org_set_details(struct ctx *ctx, int64_t org_id, const char *name, const char *place,
                    const char *province, int64_t payroll_cents, const char **why);
int org_logo(struct ctx *ctx, const char *slug, const unsigned char **data, size_t *len,
             const char **type, int64_t *updated_at);
int64_t org_payroll(struct ctx *ctx, int64_t org_id);

/* ---- a manager's work on the members of their organisation ---- */

/* Roles a library's manager may hand out; others only a campus administrator. */
#define ROLES_MANAGER_GRANTS (ROLE_LEARNER | ROLE_MANAGER | ROLE_TEACHER)

/* The current membership of person_id in org_id; CAMPUS_ENOTFOUND when there is
 * none, so an id from another organisation reaches nothing. */
int member_get(struct ctx *ctx, int64_t org_id, int64_t person_id, struct member_row *out);
/* Add a member by e-mail: an existing person gets the membership, an unknown
 * address becomes a new person (without a password: they are invited).
 * CAMPUS_ECONFLICT when they are a current member already. *why: Dutch msgid. */
int member_add(struct ctx *ctx, int64_t org_id, const char *email, const char *name,
               const char *kind, unsigned roles, int64_t *person_id, bool *created,
               const char **why);
/* Change kind and roles. Refused (CAMPUS_EFORBIDDEN) for one's own membership
 * and for roles beyond ROLES_MANAGER_GRANTS unless a campus administrator acts. */
int member_change(struct ctx *ctx, int64_t org_id, int64_t person_id, const char *kind,
                  unsigned roles, const char **why);
/* End the membership (history stays); the person's sessions there end too. */
int member_end(struct ctx *ctx, int64_t org_id, int64_t person_id, const char **why);

/* Dutch labels ("medewerker", "manager (HR/L&D)") as msgids. */
const char *membership_kind_label(const char *kind);
const char *role_label(unsigned role_bit);

#endif
