/* Loads a policy, decides one request, prints the decision. cc decide.c -I../../include -lSortieC */
#include <stdio.h>
#include <string.h>
#include "sortie.h"

int main(int argc, char **argv) {
    const char *request = argc > 2 ? argv[2]
        : "{\"agent\":{\"id\":\"agent-1\",\"license\":\"premium\",\"state\":\"available\"},\"channel\":\"sms\",\"to\":\"+33612345678\",\"entryPoint\":\"support-sms-fr\"}";
    sortie_policy *policy = NULL;
    char *message = NULL;
    if (sortie_policy_load(argc > 1 ? argv[1] : "policies", &policy, &message) != SORTIE_OK) {
        fprintf(stderr, "%s\n", message ? message : "cannot load the policy");
        sortie_free(message);
        return 1;
    }
    uint8_t *decision = NULL;
    size_t length = 0;
    if (sortie_decide(policy, (const uint8_t *)request, strlen(request), &decision, &length) != SORTIE_OK) return 2;
    printf("%.*s\n", (int)length, (const char *)decision);
    sortie_free(decision);
    sortie_policy_free(policy);
    return 0;
}
