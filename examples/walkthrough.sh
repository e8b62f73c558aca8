#!/usr/bin/env bash
# The seed's story, played against a running `sortie serve` with curl:
#   sortie serve --policies policies/ &        (or scripts/sortie, in another terminal)
#   examples/walkthrough.sh                    (BASE_URL=http://127.0.0.1:8080 by default)
# Each step prints what it sends and what the service answered, and checks the status: the
# script exits 1 at the first answer that is not the one the story expects.
# Destinations and agents get a per-run suffix, so the story can be played again on the same store.
set -euo pipefail

BASE_URL="${BASE_URL:-http://127.0.0.1:8080}"
RUN="${RUN:-$(printf '%06d' $(( (RANDOM * 32768 + RANDOM) % 1000000 )))}"
AGENT="agent-walk-$RUN"
SMS_A="+33 6 1${RUN} 0"     # the customer we text
SMS_B="+33 6 2${RUN} 0"
SMS_C="+33 6 3${RUN} 0"
EMAIL="client.$RUN@example.fr"
LAST=""

# json FIELD.PATH: a value of the last answer (python3 reads the JSON).
json() {
  python3 -c 'import json,sys
value = json.loads(sys.argv[1])
for part in sys.argv[2].split("."):
    value = value[int(part)] if isinstance(value, list) else value.get(part)
print("" if value is None else (json.dumps(value) if isinstance(value, (list, dict)) else value))' "$LAST" "$1"
}

# step TITLE EXPECTED-STATUS METHOD PATH [BODY]
step() {
  local title="$1" expected="$2" method="$3" path="$4" body="${5:-}"
  echo "== $title"
  echo "   $method $path ${body}"
  local out status
  if [ -n "$body" ]; then
    out="$(curl -sS -X "$method" "$BASE_URL$path" -H 'content-type: application/json' -d "$body" -w $'\n%{http_code}')"
  else
    out="$(curl -sS -X "$method" "$BASE_URL$path" -w $'\n%{http_code}')"
  fi
  status="${out##*$'\n'}"
  LAST="${out%$'\n'*}"
  local codes
  codes="$(python3 -c 'import json,sys
d = json.loads(sys.argv[1]); d = d.get("decision", d)
print(" ".join(r["code"] for r in d.get("reasons", [])) if isinstance(d, dict) else "")' "$LAST" 2>/dev/null || true)"
  echo "   -> $status ${codes}"
  if [ "$status" != "$expected" ]; then
    echo "   expected $expected; the answer was: $LAST" >&2
    exit 1
  fi
}

premium="{\"id\":\"$AGENT\",\"license\":\"premium\",\"state\":\"available\"}"

step "What may the agent open? (options)" 200 POST /v1/outbound-options "{\"agent\":$premium}"
echo "   sms limit $(json decision.channels.0.limit), entry points $(json decision.channels.0.entryPoints)"

step "An SMS conversation, with a template as first message" 201 POST /v1/outbound-conversations \
  "{\"agent\":$premium,\"channel\":\"sms\",\"to\":\"$SMS_A\",\"entryPoint\":\"support-sms-fr\",\"message\":{\"template\":\"rappel-rendez-vous\",\"variables\":{\"prenom\":\"Léa\",\"date\":\"3 mars\",\"heure\":\"10h\"}}}"
SMS_CONVERSATION="$(json conversation.id)"
echo "   conversation $SMS_CONVERSATION to $(json conversation.destination), task $(json task.state), message $(json message.status)"

step "An email conversation" 201 POST /v1/outbound-conversations \
  "{\"agent\":$premium,\"channel\":\"email\",\"to\":\"$EMAIL\",\"entryPoint\":\"service-client\",\"subject\":\"Votre dossier $RUN\",\"message\":{\"body\":\"Bonjour, nous revenons vers vous.\"}}"
EMAIL_MESSAGE="$(json message.id)"

step "A second SMS (the default profile allows two)" 201 POST /v1/outbound-conversations \
  "{\"agent\":$premium,\"channel\":\"sms\",\"to\":\"$SMS_B\",\"entryPoint\":\"support-sms-fr\"}"

echo "-- refusals, one per family of reasons"
step "Eligibility: a standard license" 403 POST /v1/outbound-conversations \
  "{\"agent\":{\"id\":\"$AGENT-std\",\"license\":\"standard\",\"state\":\"available\"},\"channel\":\"sms\",\"to\":\"$SMS_C\",\"entryPoint\":\"support-sms-fr\"}"
step "State: an idle agent" 403 POST /v1/outbound-conversations \
  "{\"agent\":{\"id\":\"$AGENT-idle\",\"license\":\"premium\",\"state\":\"idle\"},\"channel\":\"sms\",\"to\":\"$SMS_C\",\"entryPoint\":\"support-sms-fr\"}"
step "Limit: a third SMS" 403 POST /v1/outbound-conversations \
  "{\"agent\":$premium,\"channel\":\"sms\",\"to\":\"$SMS_C\",\"entryPoint\":\"support-sms-fr\"}"
step "Destination: no country code" 422 POST /v1/outbound-conversations \
  "{\"agent\":{\"id\":\"$AGENT-2\",\"license\":\"premium\",\"state\":\"available\"},\"channel\":\"sms\",\"to\":\"06 12 34 56 78\",\"entryPoint\":\"support-sms-fr\"}"
step "Entry point: none of that name" 422 POST /v1/outbound-conversations \
  "{\"agent\":{\"id\":\"$AGENT-2\",\"license\":\"premium\",\"state\":\"available\"},\"channel\":\"sms\",\"to\":\"$SMS_C\",\"entryPoint\":\"nowhere\"}"
step "Active conversation: another agent texts the same customer" 409 POST /v1/outbound-conversations \
  "{\"agent\":{\"id\":\"$AGENT-2\",\"license\":\"premium\",\"state\":\"available\"},\"channel\":\"sms\",\"to\":\"$SMS_A\",\"entryPoint\":\"support-sms-fr\"}"
step "Subject: an email without one" 422 POST /v1/outbound-conversations \
  "{\"agent\":{\"id\":\"$AGENT-2\",\"license\":\"premium\",\"state\":\"available\"},\"channel\":\"email\",\"to\":\"autre.$RUN@example.fr\",\"entryPoint\":\"service-client\",\"subject\":null}"

step "The customer answers the SMS" 200 POST /v1/inbound \
  "{\"channel\":\"sms\",\"from\":\"$SMS_A\",\"to\":\"+33186950000\",\"body\":\"Merci, je serai là.\"}"
echo "   joined $(json conversation.id) by $(json match)"
[ "$(json conversation.id)" = "$SMS_CONVERSATION" ] || { echo "   the reply did not join its conversation" >&2; exit 1; }

step "The customer answers the email (threaded by In-Reply-To)" 200 POST /v1/inbound \
  "{\"channel\":\"email\",\"from\":\"$EMAIL\",\"to\":\"service-client@acme-assurances.fr\",\"subject\":\"RE: Votre dossier $RUN\",\"body\":\"Merci\",\"inReplyTo\":\"$EMAIL_MESSAGE\"}"
echo "   joined by $(json match)"

step "A transfer is refused on an outbound conversation" 403 POST "/v1/conversations/$SMS_CONVERSATION/operations" '{"operation":"transfer"}'

step "Close with a wrap-up reason" 200 POST "/v1/conversations/$SMS_CONVERSATION/close" '{"wrapUpReason":"resolu"}'

step "A reply after the close opens a new conversation" 201 POST /v1/inbound \
  "{\"channel\":\"sms\",\"from\":\"$SMS_A\",\"to\":\"+33186950000\",\"body\":\"Une autre question\"}"
NEW_CONVERSATION="$(json conversation.id)"
echo "   new conversation $NEW_CONVERSATION follows $(json conversation.previousConversationId)"
[ "$(json conversation.previousConversationId)" = "$SMS_CONVERSATION" ] || { echo "   not linked to the old one" >&2; exit 1; }

step "The new conversation shows the customer's history" 200 GET "/v1/conversations/$NEW_CONVERSATION"
echo "   earlier conversations: $(json earlierConversations.0.id)"

echo "walkthrough complete"
