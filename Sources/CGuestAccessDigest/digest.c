/* HMAC-SHA256 (RFC 2104) over OpenSSL's SHA-256: the key's inner and outer
 * padded blocks are hashed once, when the key is prepared, and each message
 * starts from copies of those two states on the stack. OpenSSL's EVP_MAC
 * does the same work but duplicated a context of several heap objects per
 * message: 485 ns against 204 ns for a 260-byte message on the development
 * machine (BENCHMARKS.md, 2026-11-29, evening). CryptoTests holds this to
 * RFC 4231 and to OpenSSL's own HMAC on random keys and messages.
 *
 * SHA256_Init, _Update and _Final are deprecated in OpenSSL 3 in favour of
 * EVP but kept in its libcrypto; they are the only SHA-256 calls that work on
 * a context on the stack, with no allocation and no provider lookup. Their
 * deprecation is suppressed in this file only. They bypass OpenSSL's
 * providers, so a provider chosen in openssl.cnf (FIPS, for one) does not
 * apply to these digests; the service makes no FIPS claim. */
#define OPENSSL_API_COMPAT 30000
#define OPENSSL_SUPPRESS_DEPRECATED 1

#include "guest_access_digest.h"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/sha.h>
#include <string.h>

struct ga_hmac_sha256_key {
    SHA256_CTX inner;
    SHA256_CTX outer;
};

ga_hmac_sha256_key *ga_hmac_sha256_key_new(const unsigned char *key, size_t key_len) {
    ga_hmac_sha256_key *state = OPENSSL_malloc(sizeof *state);
    if (state == NULL) return NULL;
    unsigned char block[SHA256_CBLOCK];
    unsigned char pad[SHA256_CBLOCK];
    int ok = 1;
    memset(block, 0, sizeof block);
    if (key_len > SHA256_CBLOCK) {
        SHA256_CTX hashed;
        ok = SHA256_Init(&hashed) && SHA256_Update(&hashed, key, key_len) && SHA256_Final(block, &hashed);
        OPENSSL_cleanse(&hashed, sizeof hashed);
    } else if (key_len > 0) {
        memcpy(block, key, key_len);
    }
    for (size_t i = 0; i < SHA256_CBLOCK; i++) pad[i] = block[i] ^ 0x36;
    ok = ok && SHA256_Init(&state->inner) && SHA256_Update(&state->inner, pad, SHA256_CBLOCK);
    for (size_t i = 0; i < SHA256_CBLOCK; i++) pad[i] = block[i] ^ 0x5c;
    ok = ok && SHA256_Init(&state->outer) && SHA256_Update(&state->outer, pad, SHA256_CBLOCK);
    OPENSSL_cleanse(block, sizeof block);
    OPENSSL_cleanse(pad, sizeof pad);
    if (!ok) {
        ga_hmac_sha256_key_free(state);
        return NULL;
    }
    return state;
}

void ga_hmac_sha256_key_free(ga_hmac_sha256_key *key) {
    if (key != NULL) OPENSSL_clear_free(key, sizeof *key);
}

int ga_hmac_sha256(const ga_hmac_sha256_key *key, const unsigned char *msg, size_t msg_len, unsigned char *out) {
    SHA256_CTX ctx = key->inner;
    unsigned char inner[SHA256_DIGEST_LENGTH];
    int ok = SHA256_Update(&ctx, msg, msg_len) && SHA256_Final(inner, &ctx);
    ctx = key->outer;
    ok = ok && SHA256_Update(&ctx, inner, sizeof inner) && SHA256_Final(out, &ctx);
    OPENSSL_cleanse(&ctx, sizeof ctx);
    OPENSSL_cleanse(inner, sizeof inner);
    return ok;
}

int ga_sha256(const unsigned char *msg, size_t msg_len, unsigned char *out) {
    SHA256_CTX ctx;
    int ok = SHA256_Init(&ctx) && SHA256_Update(&ctx, msg, msg_len) && SHA256_Final(out, &ctx);
    OPENSSL_cleanse(&ctx, sizeof ctx);
    return ok;
}

int ga_hmac_sha256_openssl(const unsigned char *key, size_t key_len, const unsigned char *msg, size_t msg_len,
                           unsigned char *out) {
    static const unsigned char empty = 0;
    size_t out_len = 0;
    return EVP_Q_mac(NULL, "HMAC", NULL, "SHA256", NULL, key_len > 0 ? key : &empty, key_len,
                     msg_len > 0 ? msg : &empty, msg_len, out, 32, &out_len) != NULL
        && out_len == 32;
}
