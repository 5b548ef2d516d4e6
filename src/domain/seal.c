/* Secrets at rest (seal.h). */
#include "domain/seal.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>

#include <sodium.h>

#include "core/buf.h"
#include "core/err.h"

_Static_assert(SEAL_OVERHEAD == 1 + crypto_secretbox_NONCEBYTES + crypto_secretbox_MACBYTES,
               "SEAL_OVERHEAD follows libsodium");
_Static_assert(SEAL_KEY_LEN == crypto_secretbox_KEYBYTES, "SEAL_KEY_LEN follows libsodium");

static unsigned char seal_key[SEAL_KEY_LEN];
static bool seal_key_is_set;

void seal_key_set(const unsigned char key[SEAL_KEY_LEN])
{
	if (key)
		memcpy(seal_key, key, SEAL_KEY_LEN);
	else
		sodium_memzero(seal_key, sizeof seal_key);
	seal_key_is_set = key != NULL;
}

bool seal_key_present(void) { return seal_key_is_set; }

int seal_key_load(const char *path, struct buf *err)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		buf_printf(err, "secret_key_file %s: %s", path, strerror(errno));
		return CAMPUS_EIO;
	}
	unsigned char raw[160];
	ssize_t n = read(fd, raw, sizeof raw);
	close(fd);
	if (n < 0) {
		buf_printf(err, "secret_key_file %s: %s", path, strerror(errno));
		return CAMPUS_EIO;
	}
	unsigned char key[SEAL_KEY_LEN];
	size_t len = (size_t)n;
	while (len && (raw[len - 1] == '\n' || raw[len - 1] == '\r'))
		len--;
	size_t got = 0;
	int rc = 0;
	if ((size_t)n == SEAL_KEY_LEN) {
		memcpy(key, raw, SEAL_KEY_LEN);
	} else if (len == 2 * SEAL_KEY_LEN &&
	           sodium_hex2bin(key, sizeof key, (const char *)raw, len, NULL, &got, NULL) == 0 &&
	           got == SEAL_KEY_LEN) {
		/* 64 hex digits */
	} else {
		buf_printf(err, "secret_key_file %s: expected 32 bytes or 64 hex digits "
		                "(make one with: head -c 32 /dev/urandom > FILE)", path);
		rc = CAMPUS_EINVAL;
	}
	if (!rc)
		seal_key_set(key);
	sodium_memzero(raw, sizeof raw);
	sodium_memzero(key, sizeof key);
	return rc;
}

size_t seal(const unsigned char *secret, size_t len, unsigned char *out)
{
	if (!seal_key_is_set) {
		memcpy(out, secret, len);
		return len;
	}
	out[0] = 1;
	randombytes_buf(out + 1, crypto_secretbox_NONCEBYTES);
	crypto_secretbox_easy(out + 1 + crypto_secretbox_NONCEBYTES, secret, len, out + 1, seal_key);
	return SEALED_LEN(len);
}

int unseal(const unsigned char *in, size_t in_len, unsigned char *out, size_t len)
{
	if (in_len == len) {
		memcpy(out, in, len);
		return 0;
	}
	if (in_len == SEALED_LEN(len) && in[0] == 1 && seal_key_is_set &&
	    crypto_secretbox_open_easy(out, in + 1 + crypto_secretbox_NONCEBYTES,
	                               in_len - 1 - crypto_secretbox_NONCEBYTES, in + 1, seal_key) == 0)
		return 0;
	return CAMPUS_EINTERNAL;
}
