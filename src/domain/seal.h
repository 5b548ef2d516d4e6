/* Secrets at rest: the two-step log-in secrets (totp.c) and the badge
 * signing key (badge.c) are sealed with libsodium's crypto_secretbox under
 * the key of the config setting `secret_key_file`. Without that setting
 * they are stored as they are, and a secret stored so stays readable after
 * a key is set (see docs/internals/auth.md). */
#ifndef CAMPUS_DOMAIN_SEAL_H
#define CAMPUS_DOMAIN_SEAL_H

#include <stdbool.h>
#include <stddef.h>

struct buf;

#define SEAL_KEY_LEN 32
/* Stored form: the secret as it is (no key), or 0x01 || nonce || box. */
#define SEAL_OVERHEAD (1 + 24 + 16) /* crypto_secretbox_NONCEBYTES, _MACBYTES */
#define SEALED_LEN(n) ((n) + SEAL_OVERHEAD)

/* The key: a file of 32 bytes, or of 64 hex digits (and a newline). Errors
 * name the file. seal_key_set(NULL) forgets the key (tests). Set it before
 * any thread seals or opens. */
int seal_key_load(const char *path, struct buf *err);
void seal_key_set(const unsigned char key[SEAL_KEY_LEN]);
bool seal_key_present(void);

/* Seals the len bytes of secret into out (SEALED_LEN(len) bytes); returns
 * the stored length. */
size_t seal(const unsigned char *secret, size_t len, unsigned char *out);
/* Opens a stored secret of len bytes into out; CAMPUS_EINTERNAL when the
 * stored bytes cannot be opened (a wrong or missing key, another length). */
int unseal(const unsigned char *in, size_t in_len, unsigned char *out, size_t len);

#endif
