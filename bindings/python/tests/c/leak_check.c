/* Every entry point of sortie.h, many times, for valgrind's leak check (test_c_abi.py), and
   the NULL arguments each must refuse with SORTIE_INVALID_ARGUMENT.
   usage: leak_check POLICY_DIR BROKEN_DIR REQUESTS.jsonl ROUNDS */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "sortie.h"

static char *read_file(const char *path, size_t *length) {
    FILE *file = fopen(path, "rb");
    if (!file) return NULL;
    fseek(file, 0, SEEK_END);
    long size = ftell(file);
    fseek(file, 0, SEEK_SET);
    char *bytes = malloc((size_t)size + 1);
    if (!bytes || fread(bytes, 1, (size_t)size, file) != (size_t)size) { fclose(file); free(bytes); return NULL; }
    fclose(file);
    *length = (size_t)size;
    return bytes;
}

int main(int argc, char **argv) {
    if (argc != 5) return 2;
    size_t length = 0;
    char *lines = read_file(argv[3], &length);
    if (!lines) return 2;
    int rounds = atoi(argv[4]);
    /* NULL where a pointer is required is an error code, never a crash. */
    uint8_t *none = NULL;
    size_t none_length = 0;
    if (sortie_policy_load(NULL, NULL, NULL) != SORTIE_INVALID_ARGUMENT) return 11;
    if (sortie_decide(NULL, (const uint8_t *)"{}", 2, &none, &none_length) != SORTIE_INVALID_ARGUMENT) return 12;
    if (sortie_decide_lines(NULL, (const uint8_t *)"{}", 2, &none, &none_length) != SORTIE_INVALID_ARGUMENT) return 13;
    if (sortie_policy_revision(NULL, NULL) != SORTIE_INVALID_ARGUMENT) return 14;
    char *path_error = NULL;
    sortie_policy *invalid = NULL;
    if (sortie_policy_load("\xff\xfe", &invalid, &path_error) != SORTIE_INVALID_ARGUMENT || !path_error) return 15;
    sortie_free(path_error);
    sortie_policy_free(NULL);
    sortie_free(NULL);
    char *message = NULL;
    sortie_policy *broken = NULL;
    if (sortie_policy_load(argv[2], &broken, &message) != SORTIE_POLICY_ERROR || !message) return 3;
    sortie_free(message);
    sortie_policy *policy = NULL;
    if (sortie_policy_load(argv[1], &policy, &message) != SORTIE_OK) return 4;
    char *revision = NULL;
    if (sortie_policy_revision(policy, &revision) != SORTIE_OK) return 5;
    sortie_free(revision);
    uint8_t buffer[65536];
    size_t decisions = 0;
    for (int round = 0; round < rounds; round++) {
        uint8_t *out = NULL;
        size_t out_length = 0;
        if (sortie_decide_lines(policy, (const uint8_t *)lines, length, &out, &out_length) != SORTIE_OK) return 6;
        sortie_free(out);
        if (sortie_decide(policy, NULL, 5, &out, &out_length) != SORTIE_INVALID_ARGUMENT) return 16;
        if (sortie_decide(policy, (const uint8_t *)"{", 1, NULL, &out_length) != SORTIE_INVALID_ARGUMENT) return 17;
        const char *line = lines;
        while (line < lines + length) {
            const char *end = memchr(line, '\n', (size_t)(lines + length - line));
            size_t size = end ? (size_t)(end - line) : (size_t)(lines + length - line);
            if (sortie_decide(policy, (const uint8_t *)line, size, &out, &out_length) != SORTIE_OK) return 7;
            sortie_free(out);
            size_t written = 0;
            sortie_status status = sortie_decide_into(policy, (const uint8_t *)line, size, buffer, sizeof buffer, &written);
            if (status != SORTIE_OK && status != SORTIE_BUFFER_TOO_SMALL) return 8;
            if (sortie_decide_into(policy, (const uint8_t *)line, size, buffer, 4, &written) != SORTIE_BUFFER_TOO_SMALL) return 9;
            if (sortie_explain(policy, (const uint8_t *)line, size, &out, &out_length) != SORTIE_OK) return 10;
            sortie_free(out);
            decisions++;
            line += size + 1;
        }
    }
    sortie_policy_free(policy);
    free(lines);
    printf("%zu\n", decisions);
    return 0;
}
