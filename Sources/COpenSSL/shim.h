#ifndef GUEST_ACCESS_COPENSSL_SHIM_H
#define GUEST_ACCESS_COPENSSL_SHIM_H

#define OPENSSL_API_COMPAT 30000
/* SHA256_Init, _Update and _Final are deprecated in OpenSSL 3 in favour of
 * EVP, but kept in its libcrypto; they are the only SHA-256 calls that work
 * on a context on the stack, with no allocation and no provider lookup. See
 * ga_hmac_sha256 below for why they are used. */
#define OPENSSL_SUPPRESS_DEPRECATED 1

#include <string.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/core_names.h>
#include <openssl/params.h>
#include <openssl/rand.h>
#include <openssl/err.h>
#include <openssl/sha.h>

/* HMAC-SHA256 (RFC 2104) over OpenSSL's SHA-256: the key's inner and outer
 * padded blocks are hashed once, when the key is made, and each message
 * starts from copies of those two states. OpenSSL's EVP_MAC does the same
 * work but duplicates a context of four heap objects per message (dup,
 * update, final, free): 485 ns against 204 ns for a 260-byte message on the
 * development machine, and about a third of the instructions of the token
 * check (BENCHMARKS.md, 2026-11-29 evening). CryptoTests holds this to
 * RFC 4231 and to OpenSSL's own HMAC on random keys and messages. */
typedef struct {
    SHA256_CTX inner;
    SHA256_CTX outer;
} ga_hmac_sha256_key;

/// Prepares `state` for `key` (any length; longer than a block, it is hashed
/// first, as RFC 2104 says). Returns 1 on success.
static inline int ga_hmac_sha256_prepare(ga_hmac_sha256_key *state, const unsigned char *key, size_t key_len) {
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
    return ok;
}

/// HMAC-SHA256 of one message under a prepared key, which is only read (so
/// the call is thread-safe). out must hold 32 bytes. Returns 1 on success.
static inline int ga_hmac_sha256(const ga_hmac_sha256_key *state,
                                 const unsigned char *msg, size_t msg_len,
                                 unsigned char *out) {
    SHA256_CTX ctx = state->inner;
    unsigned char inner[SHA256_DIGEST_LENGTH];
    int ok = SHA256_Update(&ctx, msg, msg_len) && SHA256_Final(inner, &ctx);
    ctx = state->outer;
    ok = ok && SHA256_Update(&ctx, inner, sizeof inner) && SHA256_Final(out, &ctx);
    OPENSSL_cleanse(&ctx, sizeof ctx);
    OPENSSL_cleanse(inner, sizeof inner);
    return ok;
}

/// OpenSSL's own HMAC-SHA256 (EVP_Q_mac), for tests that hold
/// ga_hmac_sha256 to it. out must hold 32 bytes. Returns 1 on success.
static inline int ga_hmac_sha256_openssl(const unsigned char *key, size_t key_len,
                                         const unsigned char *msg, size_t msg_len,
                                         unsigned char *out) {
    size_t out_len = 0;
    static const unsigned char empty = 0;
    return EVP_Q_mac(NULL, "HMAC", NULL, "SHA256", NULL, key_len > 0 ? key : &empty, key_len,
                     msg_len > 0 ? msg : &empty, msg_len, out, 32, &out_len) != NULL && out_len == 32;
}

/// SHA-256 of one message, on a context on the stack (EVP_Digest allocates
/// and frees a context per call: 91 ns against 45 ns for 40 bytes). out must
/// hold 32 bytes. Returns 1 on success.
static inline int ga_sha256(const unsigned char *msg, size_t msg_len, unsigned char *out) {
    SHA256_CTX ctx;
    int ok = SHA256_Init(&ctx) && SHA256_Update(&ctx, msg, msg_len) && SHA256_Final(out, &ctx);
    OPENSSL_cleanse(&ctx, sizeof ctx);
    return ok;
}

#endif
