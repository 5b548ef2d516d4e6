/* Amounts as Dutch readers write them: a decimal comma, no needless
 * decimals. Storage keeps euro cents; this is for pages and exports. The
 * result goes in the arena (NULL when full). Tenths of a point: tenths_format
 * in domain/catalog.h. */
#ifndef CAMPUS_VIEW_NUMBERS_H
#define CAMPUS_VIEW_NUMBERS_H

#include <stdint.h>

struct arena;

/* Cents: 35000 -> "€ 350", 35050 -> "€ 350,50", -500 -> "-€ 5". */
const char *numbers_euros(struct arena *a, int64_t cents);

#endif
