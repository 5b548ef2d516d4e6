/* Modules: what providers place in the catalogue, and libraries for their own
 * people. A module has numbered versions; learners see the published one,
 * its owner edits the working one. While a version has never been
 * recognised by the review committee, the owner edits it in place and may
 * publish it (it shows as "not recognised"). Once a version is recognised, a
 * substantive change (what the committee judged) starts a new working
 * version that must be reviewed again while the recognised version stays
 * published; other changes (contact, price, image...) apply to both.
 *
 * National modules (local_org_id 0) are for the whole sector. A library's
 * local module is seen only by people with a current membership of that
 * library. Who may change a module: the provider administrators of its
 * owner (or, for a library's own modules, its managers) and campus
 * administrators; catalog_may_edit() is that rule. */
#ifndef CAMPUS_DOMAIN_CATALOG_H
#define CAMPUS_DOMAIN_CATALOG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct actor;
struct ctx;

#define MODULE_TITLE_MAX 160
#define MODULE_SUMMARY_MAX 400
#define MODULE_TEXT_MAX 20000     /* description, goals, prerequisites (bytes) */
#define MODULE_LOAD_MAX_TENTHS 10000 /* 1,000 hours */
#define MODULE_PRICE_MAX_CENTS 10000000
#define MODULE_TAGS_MAX 24
#define MODULE_IMAGE_MAX_BYTES (1024 * 1024)

/* What an owner writes. NULL strings count as "". The image is replaced
 * only when image is not NULL; remove_image drops it. */
struct module_input {
	const char *title, *summary, *description, *goals, *prerequisites;
	const char *level;    /* NULL or "": none; else uitvoerend|tactisch|strategisch */
	const char *format;   /* classroom|online_live|elearning|blended */
	const char *language; /* ISO 639-1: nl, en, fy, de, ... */
	const char *vat;      /* crkbo|0|9|21 */
	const char *audience; /* employees|volunteers|both */
	const char *place, *province, *contact_name, *contact_email;
	int64_t load_tenths, price_cents;
	const int64_t *domains, *roles, *competencies;
	size_t ndomains, nroles, ncompetencies;
	const unsigned char *image;
	size_t image_len;
	bool remove_image;
};

/* A refusal names the form field and why (a Dutch msgid). */
struct module_problem {
	const char *field; /* "titel", "samenvatting", ... the form's names */
	const char *msgid;
};
#define MODULE_PROBLEMS_MAX 16
struct module_problems {
	struct module_problem items[MODULE_PROBLEMS_MAX];
	size_t n;
};

struct module_tag {
	char kind; /* 'd' domain, 'r' role, 'c' competency */
	int64_t id;
	const char *name;
};

struct module_version {
	int64_t id, number;
	const char *state; /* draft submitted in_review returned recognised rejected superseded expired */
	const char *title, *summary, *description, *goals, *prerequisites;
	const char *level; /* NULL: none */
	const char *format, *language, *vat, *audience;
	const char *place, *province, *contact_name, *contact_email;
	int64_t load_tenths, price_cents;
	bool has_image;
	/* Set by the committee; has_points false while not recognised. */
	bool has_points;
	int64_t points_tenths, recognised_load_tenths, recognised_at, valid_until;
	struct module_tag *tags;
	size_t ntags;
	int64_t updated_at;
};

struct module {
	int64_t id;
	int64_t provider_id;
	const char *provider_name, *provider_slug;
	int64_t local_org_id; /* 0: national */
	const char *local_org_name;
	int64_t working_version_id, published_version_id, recognised_version_id; /* 0: none */
	struct module_version v; /* the version asked for */
	int64_t created_at;
};

enum module_which { MODULE_PUBLISHED, MODULE_WORKING };

/* Checks every field (and that the taxonomy ids exist and are not retired);
 * 0 when fine, CAMPUS_EINVAL with problems filled otherwise. */
int module_validate(struct ctx *ctx, const struct module_input *in, struct module_problems *pr);

/* A new module of owner_org_id (a provider, or a library for a local module,
 * then local_org_id == owner_org_id). Version 1 is a draft, not published.
 * Audited. */
int module_create(struct ctx *ctx, int64_t owner_org_id, int64_t local_org_id,
                  const struct module_input *in, int64_t *id, struct module_problems *pr);

/* Changes the module as the rules above say. *new_version tells whether a
 * new working version was started (it needs review). CAMPUS_ECONFLICT with a
 * problem when the working version is with the committee. Audited. */
int module_update(struct ctx *ctx, int64_t module_id, const struct module_input *in,
                  bool *new_version, struct module_problems *pr);

/* Makes the working version what learners see, unless a recognised version
 * is published (then only the committee's recognition replaces it:
 * CAMPUS_ECONFLICT, *why says so). module_unpublish hides the module. */
int module_publish(struct ctx *ctx, int64_t module_id, const char **why);
int module_unpublish(struct ctx *ctx, int64_t module_id);

/* The module with the version asked for; CAMPUS_ENOTFOUND when it does not
 * exist or (MODULE_PUBLISHED) is not published. Does not check visibility. */
int module_get(struct ctx *ctx, int64_t module_id, enum module_which which, struct module *out);
int module_get_version(struct ctx *ctx, int64_t module_id, int64_t version_id, struct module *out);
int module_image(struct ctx *ctx, int64_t version_id, const unsigned char **data, size_t *len,
                 const char **type);

/* Whether the actor may see the published module: national, or local to an
 * organisation the actor is a current member of (campus administrators see
 * all). */
int catalog_may_see(struct ctx *ctx, const struct module *m, bool *may);
/* Whether the actor may change it: a provider administrator of the owner,
 * a manager of the library for a local module, or a campus administrator,
 * each working in that organisation (campus administrators anywhere). */
bool catalog_may_edit(const struct actor *actor, const struct module *m);

/* An owner's modules (working versions), newest change first. */
struct module_summary {
	int64_t id, version_id, number;
	const char *title, *state;
	bool published, recognised;
	int64_t updated_at;
};
int module_list_by_owner(struct ctx *ctx, int64_t owner_org_id, struct module_summary **out,
                         size_t *n);

/* The newest review of a module, as its owner sees it. */
struct review_brief {
	int64_t id, version_number;
	const char *state;  /* submitted checked assigned recognised returned rejected withdrawn */
	const char *reason; /* "" unless returned or rejected */
	int64_t submitted_at, decided_at; /* decided_at 0: not yet */
};
/* CAMPUS_ENOTFOUND when the module was never submitted. */
int module_latest_review(struct ctx *ctx, int64_t module_id, struct review_brief *out);

/* Labels (Dutch msgids) for stored values; NULL for an unknown value. */
const char *module_format_label(const char *format);
const char *module_state_label(const char *state);
const char *module_audience_label(const char *audience);
const char *module_vat_label(const char *vat);
const char *module_language_label(const char *language);
extern const char *const module_formats[4];
extern const char *const module_audiences[3];
extern const char *const module_vats[4];
extern const char *const module_languages[4];

/* "1,5" for 15 tenths (Dutch decimal comma); "12" for 120. buf >= 24. */
const char *tenths_format(int64_t tenths, char *buf, size_t size);
/* Parses "1,5", "1.5" or "2" into tenths; false for anything else. */
bool tenths_parse(const char *text, int64_t *tenths);

#endif
