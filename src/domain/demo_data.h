/* Static tables for the demo sector (demo.c): organisations and name pools.
 * Written for Campus from public facts about the sector (/work/shared/SECTOR.md);
 * sizes are plausible estimates, not figures of the real organisations. */
#ifndef CAMPUS_DOMAIN_DEMO_DATA_H
#define CAMPUS_DOMAIN_DEMO_DATA_H

#include <stddef.h>

struct demo_org_def {
	const char *name;
	const char *place;
	const char *province;
	unsigned size;    /* libraries: FTE x 10; POIs and providers: staff */
	const char *slug; /* NULL: derived from the name */
};

/* People whose names come from one background. Weights are per thousand
 * people; first names and surnames mostly come from the same pool. */
struct demo_name_pool {
	const char *label;
	unsigned weight;
	const char *const *first;
	size_t nfirst;
	const char *const *last;
	size_t nlast;
};

extern const struct demo_org_def demo_campus;
extern const struct demo_org_def demo_libraries[];
extern const size_t demo_nlibraries;
extern const struct demo_org_def demo_pois[];
extern const size_t demo_npois;
extern const struct demo_org_def demo_providers[];
extern const size_t demo_nproviders;
extern const struct demo_name_pool demo_name_pools[];
extern const size_t demo_nname_pools;
extern const char *const demo_colors[];
extern const size_t demo_ncolors;

#endif
