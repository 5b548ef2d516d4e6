/* The personal study dossier (R16): everything about one person's learning
 * that the actor may see, in one read. Points per year and per domain, every
 * ledger row that makes them ("why do I have 37 points"), the modules
 * followed, certificates and diplomas, progress toward each diploma, this
 * year's norm and a few suggestions from the catalogue.
 *
 * The dossier belongs to the person and moves with them: the person and
 * campus administrators see all of it; a manager sees only what falls within
 * the person's membership of the manager's current library
 * (progress_window()). Progress toward diplomas counts points from every
 * period, so a limited view leaves it out; its norm is that library's only.
 * See docs/internals/dossier.md. */
#ifndef CAMPUS_DOMAIN_DOSSIER_H
#define CAMPUS_DOMAIN_DOSSIER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "domain/credential.h"
#include "domain/diploma.h"
#include "domain/norm.h"
#include "domain/progress.h"

struct buf;
struct ctx;

#define DOSSIER_SUGGEST_DOMAINS 2 /* domains suggested from */
#define DOSSIER_SUGGEST_MODULES 3 /* modules per domain */

/* A domain to learn more in and a few recognised modules there that the
 * person has not completed. */
struct dossier_suggestion {
	int64_t domain_id;
	const char *domain_slug, *domain_name;
	int64_t points_tenths; /* the person's pe points in it */
	struct dossier_module {
		int64_t id;
		const char *title, *provider_name;
		int64_t points_tenths;
	} modules[DOSSIER_SUGGEST_MODULES];
	size_t nmodules;
};

struct dossier {
	int64_t person_id;
	const char *name, *email;
	/* What the actor sees: [since, until) on earned and completion dates;
	 * whole when that is everything. */
	int64_t since, until;
	bool whole;
	int year;                 /* this Amsterdam calendar year */
	int64_t year_pe_tenths, year_study_tenths;
	int64_t total_pe_tenths, total_study_tenths;

	struct points_year *years;      /* newest first */
	size_t nyears;
	struct points_domain *domains;  /* most points first */
	size_t ndomains;
	struct points_row *rows;        /* newest first */
	size_t nrows;
	struct completion *completions; /* newest first */
	size_t ncompletions;
	struct credential *credentials; /* newest first */
	size_t ncredentials;
	struct diploma_progress *diplomas; /* whole view only */
	size_t ndiplomas;
	struct norm_status *norms;      /* this year; a manager: their library's */
	size_t nnorms;
	struct dossier_suggestion *suggestions; /* own view only */
	size_t nsuggestions;
};

/* The dossier of person_id as ctx->actor may see it; strings and arrays live
 * in ctx->arena. CAMPUS_ENOTFOUND for an unknown person, CAMPUS_EFORBIDDEN
 * when the actor may see nothing of them (progress_window). */
int dossier_get(struct ctx *ctx, int64_t person_id, struct dossier *out);
/* The same, seen from the library org_id (a manager's team pages): only for
 * someone who is or was a member there (CAMPUS_ENOTFOUND otherwise, also
 * for a campus administrator, who then sees the whole dossier). */
int dossier_member_get(struct ctx *ctx, int64_t org_id, int64_t person_id, struct dossier *out);

/* Where a completion came from (completions.source), as a learner reads
 * it: a Dutch msgid ("de aanbieder (koppeling)"); the key itself when unknown. */
const char *dossier_source_label(const char *source);

/* The dossier as an A4 PDF (src/view/pdf.h), appended to out: the summary,
 * points per year and domain, every ledger row, modules, credentials with
 * their verification codes. */
int dossier_pdf(struct ctx *ctx, const struct dossier *d, struct buf *out);

#endif
