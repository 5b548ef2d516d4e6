#include "core/err.h"

#include <stddef.h>

struct err_entry {
	int err;
	int status;
	const char *code;
	const char *msgid;
};

static const struct err_entry err_table[] = {
	{CAMPUS_OK, 200, "ok", N_("Gelukt.")},
	{CAMPUS_EINVAL, 400, "invalid_input", N_("De invoer is niet geldig.")},
	{CAMPUS_ENOTFOUND, 404, "not_found", N_("Deze pagina bestaat niet.")},
	{CAMPUS_EMETHOD, 405, "method_not_allowed", N_("Deze actie is hier niet toegestaan.")},
	{CAMPUS_ETOOBIG, 413, "too_large", N_("Wat u verstuurde is te groot.")},
	{CAMPUS_EFORBIDDEN, 403, "forbidden", N_("U hebt geen toegang tot deze pagina.")},
	{CAMPUS_EUNAUTH, 401, "unauthenticated", N_("Log eerst in.")},
	{CAMPUS_ECONFLICT, 409, "conflict", N_("Dit botst met bestaande gegevens.")},
	{CAMPUS_EBUSY, 503, "busy", N_("Het is even te druk. Probeer het zo opnieuw.")},
	{CAMPUS_EDB, 500, "database_error", N_("Er ging iets mis bij het opslaan. Er is niets gewijzigd.")},
	{CAMPUS_EIO, 500, "io_error", N_("Er ging iets mis bij het lezen of schrijven.")},
	{CAMPUS_ENOMEM, 413, "too_large", N_("Wat u verstuurde is te groot.")},
	{CAMPUS_EUNAVAIL, 503, "unavailable", N_("De dienst is tijdelijk niet beschikbaar.")},
	{CAMPUS_EINTERNAL, 500, "internal_error", N_("Er ging iets mis aan onze kant.")},
	{CAMPUS_EMEDIA, 415, "unsupported_media_type", N_("Dit soort inhoud wordt hier niet ondersteund.")},
	{CAMPUS_EBADCSRF, 403, "bad_csrf", N_("Het formulier is verlopen. Laad de pagina opnieuw en probeer het nog eens.")},
};

static const struct err_entry *err_find(int err)
{
	/* Unknown codes are reported as internal errors: EINTERNAL is in the table. */
	for (size_t i = 0; i < sizeof err_table / sizeof err_table[0]; i++)
		if (err_table[i].err == err)
			return &err_table[i];
	return err_find(CAMPUS_EINTERNAL);
}

int campus_err_status(int err) { return err_find(err)->status; }
const char *campus_err_code(int err) { return err_find(err)->code; }
const char *campus_err_msgid(int err) { return err_find(err)->msgid; }
