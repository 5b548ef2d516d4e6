/* Word lists for the demo catalogue (demo_catalog.c): per competency of the
 * taxonomy (matched by slug) the phrase parts titles, summaries, learning
 * goals and descriptions are made of. Written for Campus; not lorem ipsum,
 * so that search and the catalogue pages have realistic Dutch text. */
#ifndef CAMPUS_DOMAIN_DEMO_CATALOG_DATA_H
#define CAMPUS_DOMAIN_DEMO_CATALOG_DATA_H

#include <stddef.h>

enum demo_audience_bias { BIAS_STAFF, BIAS_MIXED, BIAS_VOLUNTEERS };

struct demo_comp_text {
	const char *slug;    /* tax_competencies.slug */
	const char *en;      /* English topic, for the English-language modules */
	const char *context; /* one Dutch sentence on why it matters */
	const char *link;    /* NULL or a Markdown link for "meer weten" */
	enum demo_audience_bias bias;
	const char *hooks[4];    /* title heads, capitalised; NULL-terminated */
	const char *subjects[7]; /* lower-case noun phrases; NULL-terminated */
	const char *goals[6];    /* completions of "Je kunt ..."; NULL-terminated */
	const char *items[5];    /* programme items; NULL-terminated */
};

extern const struct demo_comp_text demo_comp_texts[];
extern const size_t demo_ncomp_texts;

#endif
