#ifndef GUEST_ACCESS_COPENSSL_SHIM_H
#define GUEST_ACCESS_COPENSSL_SHIM_H

#define OPENSSL_API_COMPAT 30000
#define OPENSSL_NO_DEPRECATED 1

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/core_names.h>
#include <openssl/params.h>
#include <openssl/rand.h>
#include <openssl/err.h>

/// A keyed HMAC-SHA256 context, ready to be duplicated per message.
/// Returns NULL on failure. The key bytes are copied by OpenSSL.
static inline EVP_MAC_CTX *ga_hmac_sha256_new(const unsigned char *key, size_t key_len) {
    EVP_MAC *mac = EVP_MAC_fetch(NULL, "HMAC", NULL);
    if (mac == NULL) return NULL;
    EVP_MAC_CTX *ctx = EVP_MAC_CTX_new(mac);
    EVP_MAC_free(mac);
    if (ctx == NULL) return NULL;
    char digest[] = "SHA256";
    OSSL_PARAM params[2];
    params[0] = OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST, digest, 0);
    params[1] = OSSL_PARAM_construct_end();
    if (EVP_MAC_init(ctx, key, key_len, params) != 1) {
        EVP_MAC_CTX_free(ctx);
        return NULL;
    }
    return ctx;
}

/// HMAC-SHA256 of one message under a pre-keyed context (duplicated, so the
/// template stays reusable and the call is thread-safe). out must hold 32 bytes.
static inline int ga_hmac_sha256_oneshot(const EVP_MAC_CTX *keyed,
                                         const unsigned char *msg, size_t msg_len,
                                         unsigned char *out) {
    EVP_MAC_CTX *ctx = EVP_MAC_CTX_dup(keyed);
    if (ctx == NULL) return 0;
    size_t out_len = 0;
    int ok = EVP_MAC_update(ctx, msg, msg_len) == 1
          && EVP_MAC_final(ctx, out, &out_len, 32) == 1
          && out_len == 32;
    EVP_MAC_CTX_free(ctx);
    return ok;
}

/// SHA-256 of one message with an already fetched `md` (EVP_MD_fetch once:
/// EVP_sha256() makes EVP_Digest fetch the implementation on every call).
/// out must hold 32 bytes.
static inline int ga_sha256(const EVP_MD *md, const unsigned char *msg, size_t msg_len, unsigned char *out) {
    unsigned int out_len = 0;
    return EVP_Digest(msg, msg_len, out, &out_len, md, NULL) == 1 && out_len == 32;
}

#endif
