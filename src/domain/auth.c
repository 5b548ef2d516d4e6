#include "domain/auth.h"

#include <string.h>

#include <sodium.h>

#include "core/err.h"

int auth_password_hash(const char *password, char out[AUTH_HASH_MAX])
{
	_Static_assert(AUTH_HASH_MAX >= crypto_pwhash_STRBYTES, "hash buffer too small");
	if (crypto_pwhash_str_alg(out, password, strlen(password), crypto_pwhash_OPSLIMIT_INTERACTIVE,
	                          crypto_pwhash_MEMLIMIT_INTERACTIVE, crypto_pwhash_ALG_ARGON2ID13) != 0)
		return CAMPUS_ENOMEM; /* libsodium could not get the memory */
	return 0;
}

bool auth_password_verify(const char *hash, const char *password)
{
	return hash && crypto_pwhash_str_verify(hash, password, strlen(password)) == 0;
}
