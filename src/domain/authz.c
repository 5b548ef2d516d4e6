#include "domain/authz.h"

#include <stdbool.h>

#include "core/err.h"
#include "domain/ctx.h"

static bool is_campus_admin(const struct actor *a) { return (a->roles & ROLE_CAMPUS_ADMIN) != 0; }

int authz_check(const struct actor *a, enum authz_policy policy, int64_t org_id)
{
	if (a->flags & ACTOR_SYSTEM)
		return 0;
	/* A token acts for its organisation through the API only, never as the
	 * person who made it. */
	if (a->flags & ACTOR_API) {
		unsigned need = policy == AZ_API_READ ? ACTOR_API_READ
		                : policy == AZ_API_WRITE ? ACTOR_API_WRITE
		                                         : 0;
		if (policy == AZ_PUBLIC)
			return 0;
		return need && (a->flags & need) && a->org_id ? 0 : CAMPUS_EFORBIDDEN;
	}
	switch (policy) {
	case AZ_PUBLIC:
		return 0;
	case AZ_PERSON:
		return a->person_id ? 0 : CAMPUS_EUNAUTH;
	case AZ_ORG_MANAGER:
		if (!a->person_id)
			return CAMPUS_EUNAUTH;
		if (is_campus_admin(a))
			return 0;
		/* Roles hold in the organisation the person works in now, and only there. */
		return org_id != 0 && a->org_id == org_id && (a->roles & ROLE_MANAGER) ? 0
		                                                                         : CAMPUS_EFORBIDDEN;
	case AZ_CAMPUS_ADMIN:
		if (!a->person_id)
			return CAMPUS_EUNAUTH;
		return is_campus_admin(a) ? 0 : CAMPUS_EFORBIDDEN;
	case AZ_ORG_OFFERING:
		if (!a->person_id)
			return CAMPUS_EUNAUTH;
		if (is_campus_admin(a))
			return 0;
		return org_id != 0 && a->org_id == org_id &&
		               (a->roles & (ROLE_PROVIDER_ADMIN | ROLE_MANAGER))
		           ? 0
		           : CAMPUS_EFORBIDDEN;
	case AZ_COMMITTEE:
		if (!a->person_id)
			return CAMPUS_EUNAUTH;
		return a->roles & (ROLE_COMMITTEE | ROLE_CAMPUS_ADMIN) ? 0 : CAMPUS_EFORBIDDEN;
	case AZ_API_READ:
	case AZ_API_WRITE:
		return CAMPUS_EUNAUTH; /* a session is no token */
	case AZ_ORG_TEACHING:
		if (!a->person_id)
			return CAMPUS_EUNAUTH;
		if (is_campus_admin(a))
			return 0;
		return org_id != 0 && a->org_id == org_id &&
		               (a->roles & (ROLE_PROVIDER_ADMIN | ROLE_MANAGER | ROLE_TEACHER))
		           ? 0
		           : CAMPUS_EFORBIDDEN;
	case AZ_POLICY_COUNT:
		break;
	}
	return CAMPUS_EFORBIDDEN; /* an unknown policy allows nothing */
}

const char *authz_policy_name(enum authz_policy policy)
{
	switch (policy) {
	case AZ_PUBLIC: return "iedereen";
	case AZ_PERSON: return "ingelogd";
	case AZ_ORG_MANAGER: return "manager van de organisatie";
	case AZ_CAMPUS_ADMIN: return "campusbeheerder";
	case AZ_ORG_OFFERING: return "beheerder van het aanbod van de organisatie";
	case AZ_COMMITTEE: return "lid van de toetsingscommissie";
	case AZ_API_READ: return "API-sleutel die modules mag lezen";
	case AZ_API_WRITE: return "API-sleutel die modules mag wijzigen";
	case AZ_ORG_TEACHING: return "beheerder of docent van de uitvoeringen van de organisatie";
	case AZ_POLICY_COUNT: break;
	}
	return "?";
}
