/* Dutch amounts (numbers.h). */
#include "view/numbers.h"

#include "core/arena.h"

const char *numbers_euros(struct arena *a, int64_t cents)
{
	const char *sign = cents < 0 ? "-" : "";
	unsigned long long c = cents < 0 ? 0ULL - (unsigned long long)cents : (unsigned long long)cents;
	return c % 100 ? arena_printf(a, "%s€ %llu,%02llu", sign, c / 100, c % 100)
	               : arena_printf(a, "%s€ %llu", sign, c / 100);
}
