/* Diplomas by rule (R9, R19): rules held by the campus organisation
 * ("Nascholing Bibliothecaris", "Branche-opleiding Bibliothecaris", the
 * domain diplomas) combine minimum points, a period, per-domain minimums and
 * mandatory modules (migration 0009, diploma_rules*). A person who meets an
 * active rule gets the diploma from a background job ("diploma.evaluate",
 * queued by every new ledger row and, for everyone, by a rule change):
 * issued once (credential_issue_diploma), listing the completions that
 * count, e-mailed with its PDF. See docs/internals/diploma.md. */
#ifndef CAMPUS_DOMAIN_DIPLOMA_H
#define CAMPUS_DOMAIN_DIPLOMA_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct ctx;

/* How far person_id is toward each active rule that applies to them: for the
 * dossier. The caller has checked the actor may see the person. */
struct diploma_progress {
	int64_t rule_id;
	const char *name, *description;
	int64_t points_tenths, min_points_tenths;  /* counted within the rule's period */
	struct diploma_domain_need {
		int64_t domain_id;
		const char *name;
		int64_t points_tenths, min_points_tenths;
	} *domains;
	size_t ndomains;
	struct diploma_module_need {
		int64_t module_id;
		const char *title;
		bool done;
	} *modules;
	size_t nmodules;
	bool met;
	int64_t credential_id; /* 0: not issued (yet) */
};
int diploma_progress_for(struct ctx *ctx, int64_t person_id, struct diploma_progress **out,
                         size_t *n);

/* ---- rules (campus administrators) ---- */

#define DIPLOMA_JOB_KIND "diploma.evaluate"
#define DIPLOMA_MAIL_JOB_KIND "diploma.mail"
#define DIPLOMA_NAME_MAX 120         /* characters */
#define DIPLOMA_DESCRIPTION_MAX 1000 /* characters */
#define DIPLOMA_PERIOD_MAX 240       /* months (20 years) */
#define DIPLOMA_DOMAINS_MAX 8
#define DIPLOMA_MODULES_MAX 20

struct diploma_rule {
	int64_t id;
	const char *slug, *name, *description;
	int64_t min_points_tenths;
	int64_t period_months;   /* 0: ever */
	const char *for_kind;    /* "all", "employee", "volunteer" */
	bool active;
	int64_t revision, updated_at;
	struct diploma_rule_domain {
		int64_t domain_id;
		const char *name;
		int64_t min_points_tenths;
	} *domains;
	size_t ndomains;
	struct diploma_rule_module {
		int64_t module_id;
		const char *title;
	} *modules;
	size_t nmodules;
	int64_t issued;          /* diplomas issued under it, revoked ones included */
};
/* Every rule (inactive ones too), active first, by name. Anyone may read
 * them: they are the sector's published requirements. */
int diploma_rules_list(struct ctx *ctx, struct diploma_rule **out, size_t *n);
/* One rule; CAMPUS_ENOTFOUND when there is none. */
int diploma_rule_get(struct ctx *ctx, int64_t id, struct diploma_rule *out);

struct diploma_rule_in {
	const char *name, *description;
	int64_t min_points_tenths;   /* > 0 */
	int64_t period_months;       /* 0..DIPLOMA_PERIOD_MAX */
	const char *for_kind;
	bool active;
	const int64_t *domain_ids, *domain_min_tenths; /* pairs; each minimum > 0 */
	size_t ndomains;
	const int64_t *module_ids;
	size_t nmodules;
};
/* Creates a rule (id 0) or changes one (campus administrator or system).
 * A change that alters anything raises revision; an active rule, new or
 * changed, queues a re-evaluation of everyone ({"rule_id": id}) in the same
 * transaction. Refused with *why (a Dutch msgid), changing nothing: a name
 * empty or too long or taken, minimum points not above 0 or over
 * PROGRESS_POINTS_MAX_TENTHS, a period out of range, an unknown or retired
 * domain, a domain twice, an unknown module, too many of either.
 * Diplomas issued stay. Audited. */
int diploma_rule_save(struct ctx *ctx, int64_t id, const struct diploma_rule_in *in,
                      int64_t *out_id, const char **why);

/* ---- issued diplomas ---- */

struct diploma_issued {
	int64_t credential_id, person_id;
	const char *holder_name, *code;
	int64_t points_tenths, achieved_at, issued_at;
	int64_t revoked_at;          /* 0: valid */
	const char *revoke_reason;
};
/* The diplomas of a rule, newest first, limit from offset; total counts
 * them all. Campus administrators only. */
int diploma_issued_list(struct ctx *ctx, int64_t rule_id, size_t offset, size_t limit,
                        struct diploma_issued **out, size_t *n, int64_t *total);
/* Revokes a diploma of rule_id with a reason (campus administrator):
 * credential_revoke(), after checking the credential is a diploma of that
 * rule (CAMPUS_ENOTFOUND otherwise). A reversal of points never revokes a
 * diploma: that is a human decision. */
int diploma_revoke(struct ctx *ctx, int64_t rule_id, int64_t credential_id, const char *reason,
                   const char **why);

/* ---- evaluation ---- */

/* Evaluates every active rule for one person and issues what they meet and
 * do not hold yet; *issued (nullable) counts the new diplomas. Inside the
 * caller's write transaction. */
int diploma_evaluate_person(struct ctx *ctx, int64_t person_id, unsigned *issued);
/* One rule and everyone: one grouped query finds who meets it and does not
 * hold it; they go in jobs {"rule_id": R, "people": [up to 100 ids]} that
 * judge each again and issue (*queued, nullable, counts the people).
 * Inside the caller's write transaction, which stays short. */
int diploma_evaluate_rule(struct ctx *ctx, int64_t rule_id, unsigned *queued);
/* The job handler (jobs.h) of DIPLOMA_JOB_KIND: payload {"person_id": N}
 * (every rule), {"rule_id": N} (everyone), both (that person, that rule) or
 * {"rule_id": N, "people": [...]} (those people, that rule). Each new diploma gets an on-screen notification at
 * once and a DIPLOMA_MAIL_JOB_KIND job for its e-mail. */
int diploma_evaluate_job(struct ctx *ctx, const char *payload, const char **why);
/* The handler of DIPLOMA_MAIL_JOB_KIND, payload {"credential_id": N}: the
 * e-mail with the diploma's PDF attached (none once revoked). */
int diploma_mail_job(struct ctx *ctx, const char *payload, const char **why);

#endif
