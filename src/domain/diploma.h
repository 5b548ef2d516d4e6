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

#endif
