#ifndef GUEST_ACCESS_BENCH_RAW_OPENSSL_H
#define GUEST_ACCESS_BENCH_RAW_OPENSSL_H

#include <openssl/evp.h>
#include <openssl/hmac.h>

/// One HMAC-SHA256 with OpenSSL's one-shot API: the least a token check must do.
static inline int raw_hmac_sha256(const unsigned char *key, int key_len, const unsigned char *msg, size_t msg_len,
                                  unsigned char *out) {
    unsigned int out_len = 0;
    return HMAC(EVP_sha256(), key, key_len, msg, msg_len, out, &out_len) != NULL && out_len == 32;
}

#endif
