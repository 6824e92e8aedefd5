#ifndef GUEST_ACCESS_DIGEST_H
#define GUEST_ACCESS_DIGEST_H

#include <stddef.h>

/* SHA-256 and HMAC-SHA256 for the service's hot paths, over OpenSSL's
 * libcrypto (digest.c). The header shows no OpenSSL type: the prepared key is
 * opaque, and the deprecated calls digest.c uses stay in that one file. */

/// An HMAC-SHA256 key prepared for many messages (opaque).
typedef struct ga_hmac_sha256_key ga_hmac_sha256_key;

/// A key prepared from `key` (any length; longer than SHA-256's block, it is
/// hashed first, as RFC 2104 says), or NULL when memory or the digest fails.
/// Free it with ga_hmac_sha256_key_free.
ga_hmac_sha256_key *ga_hmac_sha256_key_new(const unsigned char *key, size_t key_len);

/// Wipes and frees a prepared key. NULL is ignored.
void ga_hmac_sha256_key_free(ga_hmac_sha256_key *key);

/// HMAC-SHA256 of one message under a prepared key, which is only read (so
/// calls on one key may run at once). out must hold 32 bytes. Returns 1 on
/// success.
int ga_hmac_sha256(const ga_hmac_sha256_key *key, const unsigned char *msg, size_t msg_len, unsigned char *out);

/// SHA-256 of one message. out must hold 32 bytes. Returns 1 on success.
int ga_sha256(const unsigned char *msg, size_t msg_len, unsigned char *out);

/// OpenSSL's own HMAC-SHA256 (EVP_Q_mac, through its provider), which keys a
/// new context on every call: for tests that hold ga_hmac_sha256 to it, not
/// for the service. out must hold 32 bytes. Returns 1 on success.
int ga_hmac_sha256_openssl(const unsigned char *key, size_t key_len, const unsigned char *msg, size_t msg_len,
                           unsigned char *out);

#endif
