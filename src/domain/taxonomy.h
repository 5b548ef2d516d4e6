/* The sector's taxonomy from the Domeinbeschrijvingen: domains, the roles in
 * each domain and the competencies of each role, plus the three levels
 * (uitvoerend, tactisch, strategisch). The sector's profile is seeded by
 * migration 0005 and edited by campus administrators: renamed, reordered and retired, never
 * deleted, so a module keeps what it was tagged with. */
#ifndef CAMPUS_DOMAIN_TAXONOMY_H
#define CAMPUS_DOMAIN_TAXONOMY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct ctx;

enum tax_kind { TAX_DOMAIN, TAX_ROLE, TAX_COMPETENCY };

struct tax_entry {
	enum tax_kind kind;
	int64_t id;
	int64_t parent_id; /* the domain of a role, the role of a competency; 0 for a domain */
	const char *slug;
	const char *name;
	int64_t position;
	bool retired;
};

/* Every entry, domains first, each level in (parent, position) order; with
 * include_retired false the retired ones (and those under a retired parent)
 * are left out. Strings and the array live in ctx->arena. */
int taxonomy_list(struct ctx *ctx, bool include_retired, struct tax_entry **out, size_t *n);
/* One entry; CAMPUS_ENOTFOUND when there is none. */
int taxonomy_get(struct ctx *ctx, enum tax_kind kind, int64_t id, struct tax_entry *out);

/* Campus administrators' edits; audited. CAMPUS_EINVAL with *why (a Dutch
 * msgid) for an empty or too long name, CAMPUS_ENOTFOUND for an unknown id
 * or parent. A new entry goes last under its parent. */
int taxonomy_add(struct ctx *ctx, enum tax_kind kind, int64_t parent_id, const char *name,
                 int64_t *id, const char **why);
int taxonomy_rename(struct ctx *ctx, enum tax_kind kind, int64_t id, const char *name,
                    const char **why);
/* Swaps the entry with its neighbour under the same parent (up: -1, down: +1). */
int taxonomy_move(struct ctx *ctx, enum tax_kind kind, int64_t id, int direction);
/* retire false brings a retired entry back. */
int taxonomy_retire(struct ctx *ctx, enum tax_kind kind, int64_t id, bool retire);

/* The levels, as stored ("uitvoerend"...), and their Dutch labels (msgids). */
extern const char *const taxonomy_levels[3];
const char *taxonomy_level_label(const char *level);
/* Dutch name of a kind ("domein", "rol", "competentie"), a msgid. */
const char *taxonomy_kind_label(enum tax_kind kind);

#endif
