/*
 * sortie.h: Sortie's policy evaluator, callable from C.
 *
 * Link with libSortieC, built by scripts/build-c-library (`swift build -c release --product
 * SortieC -Xswiftc -static-stdlib`): the Swift runtime and Foundation are linked into it, so
 * it needs only libc, libm, libstdc++, libgcc_s and libyaml at run time, not a Swift
 * toolchain. The library holds the engine only (policy compiler and evaluator): no service,
 * no HTTP, no database.
 *
 * Conventions
 * - Every function that can fail returns a sortie_status; SORTIE_OK is 0. Nothing crosses the
 *   boundary as an exception, and no input makes the library abort.
 * - Buffers the library returns (`uint8_t **out`, `char **message`) are allocated with
 *   malloc and owned by the caller: release them with sortie_free.
 * - Request and decision JSON are UTF-8 bytes, not NUL-terminated; their length is passed.
 * - A sortie_policy is immutable once loaded: any number of threads may call the decide
 *   functions on one handle at the same time. Free it once no call on it is running.
 */
#ifndef SORTIE_H
#define SORTIE_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* The ABI this header describes; sortie_abi_version() returns the library's. */
#define SORTIE_ABI_VERSION 1

typedef enum sortie_status {
    SORTIE_OK = 0,
    /* A NULL argument where one is required, or a path that is not UTF-8. */
    SORTIE_INVALID_ARGUMENT = 1,
    /* The policy set does not compile (the message is the diagnostics, as JSON), or the path
       or bundle cannot be read (the message says why). */
    SORTIE_POLICY_ERROR = 2,
    /* sortie_decide_into: the decision does not fit; *written holds the size it needs. */
    SORTIE_BUFFER_TOO_SMALL = 3,
    /* Memory could not be allocated. */
    SORTIE_OUT_OF_MEMORY = 4
} sortie_status;

typedef struct sortie_policy sortie_policy;

/* The library's ABI version: compare it with SORTIE_ABI_VERSION. */
uint32_t sortie_abi_version(void);

/* Loads a policy from a directory of YAML files, one YAML file, or a bundle written by
   `sortie compile`. On SORTIE_POLICY_ERROR, *message (when message is not NULL) is a JSON
   object: {"error": "...", "diagnostics": [...]} with `sortie lint --format json`'s
   diagnostics when the set does not compile. */
sortie_status sortie_policy_load(const char *path, sortie_policy **policy, char **message);

/* Releases a policy loaded by sortie_policy_load. NULL is ignored. */
void sortie_policy_free(sortie_policy *policy);

/* The policy's revision ("sha256:..."), NUL-terminated, in *revision (free it). */
sortie_status sortie_policy_revision(const sortie_policy *policy, char **revision);

/* Decides one request (JSON object bytes): the decision JSON, as `sortie eval` writes it,
   in *out and its length in *out_length. A malformed request is a decision too
   (INVALID_REQUEST), not an error. */
sortie_status sortie_decide(const sortie_policy *policy, const uint8_t *request, size_t length,
                            uint8_t **out, size_t *out_length);

/* As sortie_decide, into the caller's buffer of `capacity` bytes. *written is the decision's
   length; SORTIE_BUFFER_TOO_SMALL when it exceeds capacity (nothing useful in buffer). */
sortie_status sortie_decide_into(const sortie_policy *policy, const uint8_t *request, size_t length,
                                 uint8_t *buffer, size_t capacity, size_t *written);

/* Decides a JSON Lines batch: one decision line per non-blank request line, in order, each
   ending with "\n", exactly as `sortie eval` prints them. */
sortie_status sortie_decide_lines(const sortie_policy *policy, const uint8_t *lines, size_t length,
                                  uint8_t **out, size_t *out_length);

/* As sortie_decide, with the evaluation's steps (`sortie eval --explain`'s "explain"). */
sortie_status sortie_explain(const sortie_policy *policy, const uint8_t *request, size_t length,
                             uint8_t **out, size_t *out_length);

/* Releases a buffer the library returned. NULL is ignored. */
void sortie_free(void *buffer);

#ifdef __cplusplus
}
#endif

#endif /* SORTIE_H */
