/* Amounts as Dutch readers write them: a decimal comma, no needless
 * decimals. Storage keeps integers (tenths of a point, euro cents); these
 * are for pages, PDFs and e-mail. Results go in the arena (NULL when full). */
#ifndef CAMPUS_VIEW_NUMBERS_H
#define CAMPUS_VIEW_NUMBERS_H

#include <stdint.h>

struct arena;

/* Tenths: 20 -> "2", 25 -> "2,5", -15 -> "-1,5". */
const char *numbers_tenths(struct arena *a, int64_t tenths);
/* Cents: 35000 -> "€ 350", 35050 -> "€ 350,50", -500 -> "-€ 5". */
const char *numbers_euros(struct arena *a, int64_t cents);

#endif
