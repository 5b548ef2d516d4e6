/* The annual PE norm (R10): the sector default (campus organisation's row in
 * pe_norms, advised or mandatory), which a library may raise; separate norms
 * for employees and volunteers; pro rata for people who join during the
 * year; a status per person (met, on track, behind) and a library view;
 * reminders to learner and manager before the year ends.
 * See docs/internals/norm.md. */
#ifndef CAMPUS_DOMAIN_NORM_H
#define CAMPUS_DOMAIN_NORM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct ctx;

enum norm_state { NORM_NONE, NORM_MET, NORM_ON_TRACK, NORM_BEHIND };

struct norm_status {
	int year;
	int64_t org_id;                /* the library whose norm applies */
	const char *member_kind;       /* "employee" or "volunteer" */
	int64_t required_tenths;       /* after pro rata */
	int64_t earned_tenths;         /* pe plus study up to the norm's cap */
	bool mandatory;
	enum norm_state state;
};
/* person_id's status for year at each library they are a member of that
 * year (for the dossier). The caller has checked the actor may see the
 * person. */
int norm_status_for(struct ctx *ctx, int64_t person_id, int year, struct norm_status **out,
                    size_t *n);
/* Dutch msgid for a state ("Gehaald", "Op schema", "Achter", "Geen norm"). */
const char *norm_state_label(enum norm_state s);

#endif
