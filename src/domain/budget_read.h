/* Read-only helpers the library manager's pages need beside domain/enrol.h:
 * a library's group default budget as it was set (enrol.h only shows it
 * through each member's row). See docs/internals/manager.md. */
#ifndef CAMPUS_DOMAIN_BUDGET_READ_H
#define CAMPUS_DOMAIN_BUDGET_READ_H

#include <stdbool.h>
#include <stdint.h>

struct ctx;

/* The default for member_kind ("employee" or "volunteer") in year; *set
 * false (and *amount_cents 0) when none was set. Managers of the library and
 * campus administrators only (CAMPUS_EFORBIDDEN otherwise). */
int budget_default_get(struct ctx *ctx, int64_t org_id, int year, const char *member_kind,
                       int64_t *amount_cents, bool *set);

#endif
