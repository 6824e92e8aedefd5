#ifndef GUEST_ACCESS_BENCH_RAW_OPENSSL_H
#define GUEST_ACCESS_BENCH_RAW_OPENSSL_H

#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/sha.h>
#include <openssl/crypto.h>

/// One HMAC-SHA256 with OpenSSL's one-shot API: the least a token check must do.
static inline int raw_hmac_sha256(const unsigned char *key, int key_len, const unsigned char *msg, size_t msg_len,
                                  unsigned char *out) {
    unsigned int out_len = 0;
    return HMAC(EVP_sha256(), key, key_len, msg, msg_len, out, &out_len) != NULL && out_len == 32;
}

/// One SHA-256 with OpenSSL's one-shot API: a tracking lookup's digest.
static inline void raw_sha256(const unsigned char *msg, size_t msg_len, unsigned char *out) { SHA256(msg, msg_len, out); }

#endif
