#!/usr/bin/env bash
# The seed's story, played against a running `sortie serve` with curl:
#   sortie serve --policies policies/ &        (or scripts/sortie, in another terminal)
#   examples/walkthrough.sh                    (BASE_URL=http://127.0.0.1:8080 by default)
# With credentials, from the repository's root:
#   scripts/dev-credentials .sortie            (once: keys, secrets and .sortie/server.yaml)
#   sortie serve --policies policies/ --config .sortie/server.yaml &
#   SORTIE_CONFIG_DIR=.sortie examples/walkthrough.sh
# it then mints each agent's token with `sortie token` (SORTIE=.build/debug/sortie by default),
# signs the gateway's calls as Standard Webhooks, sends agents' bodies with their state alone,
# and adds the steps that show who may do what. Without SORTIE_CONFIG_DIR it plays the open mode.
# With the example channel gateway too (examples/gateway), from the repository's root:
#   SORTIE_GATEWAY_URL=http://127.0.0.1:8090/sortie scripts/dev-credentials .sortie
#                                               (--force if .sortie/server.yaml has no gateway yet)
#   python3 examples/gateway/gateway.py --secret-file .sortie/gateway.secret \
#     --reply 'Bien reçu, merci.' --log .sortie/gateway.jsonl &
#   sortie serve --policies policies/ --config .sortie/server.yaml &
#   SORTIE_CONFIG_DIR=.sortie SORTIE_GATEWAY=1 SORTIE_GATEWAY_LOG=.sortie/gateway.jsonl examples/walkthrough.sh
# it then waits for the first SMS to be `delivered` (the gateway's receipt) and for the
# customer's reply the gateway posts (SORTIE_GATEWAY_REPLY, the gateway's --reply: 'Bien reçu,
# merci.' by default; empty when it was started without one) to join the conversation, and
# with SORTIE_GATEWAY_LOG finds the message in the gateway's log. Without SORTIE_GATEWAY no
# gateway is assumed, and in the open mode there is none: messages stay `queued`.
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

# With credentials: the dev-credentials folder, the issuer its server.yaml names, and the
# team and site of the story's agents (no profile of policies/ claims them: digital-default).
CONFIG_DIR="${SORTIE_CONFIG_DIR:-}"
SORTIE="${SORTIE:-.build/debug/sortie}"
ISSUER="sortie-dev"
AUDIENCE="sortie"
TEAM="support-fr"
SITE="paris"
if [ -n "$CONFIG_DIR" ]; then
  for file in dev-hs256.key gateway.secret; do
    [ -r "$CONFIG_DIR/$file" ] || { echo "walkthrough: no $CONFIG_DIR/$file; run scripts/dev-credentials $CONFIG_DIR" >&2; exit 1; }
  done
  [ -x "$SORTIE" ] || { echo "walkthrough: no sortie binary at $SORTIE (set SORTIE)" >&2; exit 1; }
fi

# With the example gateway: whether it runs, the reply it posts, its log, and how long to wait.
GATEWAY="${SORTIE_GATEWAY:-0}"
GATEWAY_REPLY="${SORTIE_GATEWAY_REPLY-Bien reçu, merci.}"
GATEWAY_LOG="${SORTIE_GATEWAY_LOG:-}"
AWAIT_SECONDS="${AWAIT_SECONDS:-10}"
case "$GATEWAY" in
  0|"") GATEWAY=0 ;;
  1) [ -n "$CONFIG_DIR" ] || { echo "walkthrough: SORTIE_GATEWAY=1 needs SORTIE_CONFIG_DIR (the open mode has no gateway)" >&2; exit 1; } ;;
  *) echo "walkthrough: SORTIE_GATEWAY is 1 or 0, not $GATEWAY" >&2; exit 1 ;;
esac

# json FIELD.PATH: a value of the last answer (python3 reads the JSON).
json() {
  python3 -c 'import json,sys
value = json.loads(sys.argv[1])
for part in sys.argv[2].split("."):
    value = value[int(part)] if isinstance(value, list) else value.get(part)
print("" if value is None else (json.dumps(value) if isinstance(value, (list, dict)) else value))' "$LAST" "$1"
}

# The caller of the next steps: "agent ID LICENSE", "admin", "gateway" (the channel gateway's
# signed webhook) or "nobody". In the open mode every caller sends no credential.
CALLER="nobody"
as() { CALLER="$*"; }

# Tokens minted so far, by caller.
declare -A TOKENS=()

# token CALLER: a bearer token for the caller, minted once (agents: their license, team and site).
token() {
  local caller="$1"
  if [ -z "${TOKENS[$caller]:-}" ]; then
    local -a claims
    read -r -a claims <<<"$caller"
    local -a options=(--secret-file "$CONFIG_DIR/dev-hs256.key" --issuer "$ISSUER" --audience "$AUDIENCE" --ttl 15m)
    case "${claims[0]}" in
      agent) options+=(--agent "${claims[1]}" --license "${claims[2]}" --team "$TEAM" --site "$SITE" --roles agent) ;;
      admin) options+=(--agent "walkthrough-admin" --roles admin) ;;
    esac
    TOKENS[$caller]="$("$SORTIE" token "${options[@]}")"
  fi
  printf '%s' "${TOKENS[$caller]}"
}

# webhook_signature SECRET-FILE ID TIMESTAMP BODY: the Standard Webhooks `webhook-signature`,
# v1 and the base64 HMAC-SHA256 of "ID.TIMESTAMP.BODY" keyed by the secret's base64 after whsec_.
webhook_signature() {
  python3 -c 'import base64, hashlib, hmac, os, sys
secret = open(sys.argv[1], "rb").read()
if secret.endswith(b"\n"):
    secret = secret[:-1]
if not secret.startswith(b"whsec_"):
    sys.exit("walkthrough: the webhook secret does not start with whsec_")
key = base64.b64decode(secret[len(b"whsec_"):], validate=True)
content = os.fsencode(sys.argv[2]) + b"." + os.fsencode(sys.argv[3]) + b"." + os.fsencode(sys.argv[4])
print("v1," + base64.b64encode(hmac.new(key, content, hashlib.sha256).digest()).decode())' "$@"
}

# credential BODY: sets HEADERS to the curl options that authenticate CALLER for that body.
HEADERS=()
WEBHOOKS=0
credential() {
  HEADERS=()
  [ -n "$CONFIG_DIR" ] || return 0
  case "$CALLER" in
    nobody) ;;
    gateway)
      WEBHOOKS=$((WEBHOOKS + 1))
      local timestamp id
      timestamp="$(date +%s)"
      id="msg_walk_${RUN}_${timestamp}_$WEBHOOKS"
      HEADERS=(-H "webhook-id: $id" -H "webhook-timestamp: $timestamp"
               -H "webhook-signature: $(webhook_signature "$CONFIG_DIR/gateway.secret" "$id" "$timestamp" "$1")") ;;
    *)
      token "$CALLER" >/dev/null   # minted here, not in the subshell below, so that it is kept
      HEADERS=(-H "authorization: Bearer $(token "$CALLER")") ;;
  esac
}

# agent ID LICENSE STATE: the body's agent. With credentials an agent's token says who it is,
# so its body carries only its state; in the open mode the body says all.
agent() {
  if [ -n "$CONFIG_DIR" ]; then
    printf '{"state":"%s"}' "$3"
  else
    printf '{"id":"%s","license":"%s","state":"%s"}' "$1" "$2" "$3"
  fi
}

# step TITLE EXPECTED-STATUS METHOD PATH [BODY]: sent by CALLER.
step() {
  local title="$1" expected="$2" method="$3" path="$4" body="${5:-}"
  echo "== $title"
  [ -z "$CONFIG_DIR" ] || echo "   as $CALLER"
  echo "   $method $path ${body}"
  credential "$body"
  local out status
  if [ -n "$body" ]; then
    out="$(curl -sS -X "$method" "$BASE_URL$path" "${HEADERS[@]}" -H 'content-type: application/json' --data-binary "$body" -w $'\n%{http_code}')"
  else
    out="$(curl -sS -X "$method" "$BASE_URL$path" "${HEADERS[@]}" -w $'\n%{http_code}')"
  fi
  status="${out##*$'\n'}"
  LAST="${out%$'\n'*}"
  local codes
  codes="$(python3 -c 'import json,sys
d = json.loads(sys.argv[1])
if isinstance(d, dict) and isinstance(d.get("error"), dict):
    print(d["error"].get("code", ""), d["error"].get("field", "") or "")
else:
    d = d.get("decision", d)
    print(" ".join(r["code"] for r in d.get("reasons", [])) if isinstance(d, dict) else "")' "$LAST" 2>/dev/null || true)"
  echo "   -> $status ${codes}"
  if [ "$status" != "$expected" ]; then
    echo "   expected $expected; the answer was: $LAST" >&2
    exit 1
  fi
}

# message_fact QUERY: from the last answer, a conversation: "status ID" prints message ID's
# status; "reply BODY" prints the id of an inbound message with that body, or nothing.
message_fact() {
  python3 -c 'import json, sys
messages = json.loads(sys.argv[1]).get("messages") or []
kind, value = sys.argv[2].split(" ", 1)
if kind == "status":
    print(next((m.get("status", "") for m in messages if m.get("id") == value), ""))
else:
    print(next((m["id"] for m in messages if m.get("direction") == "inbound" and m.get("body") == value), ""))' "$LAST" "$1"
}

# await_fact TITLE PATH QUERY EXPECTED [HINT]: GETs PATH as CALLER until `message_fact QUERY`
# prints EXPECTED ("any" for anything but nothing), for at most AWAIT_SECONDS; otherwise
# prints the last answer and HINT, and exits 1.
await_fact() {
  local title="$1" path="$2" query="$3" expected="$4" hint="${5:-}"
  echo "== $title"
  [ -z "$CONFIG_DIR" ] || echo "   as $CALLER"
  if [ "$expected" = any ]; then
    echo "   GET $path until there is a $query (${AWAIT_SECONDS} s at most)"
  else
    echo "   GET $path until $query is $expected (${AWAIT_SECONDS} s at most)"
  fi
  local start="$SECONDS" out status fact=""
  while :; do
    credential ""
    out="$(curl -sS "$BASE_URL$path" "${HEADERS[@]}" -w $'\n%{http_code}')"
    status="${out##*$'\n'}"
    LAST="${out%$'\n'*}"
    if [ "$status" = 200 ]; then
      fact="$(message_fact "$query")"
      if { [ "$expected" = any ] && [ -n "$fact" ]; } || [ "$fact" = "$expected" ]; then
        echo "   -> $status ${fact} after $((SECONDS - start)) s"
        return 0
      fi
      # A failed message does not move again: no use waiting.
      if [ "${query%% *}" = status ] && [ "$fact" = failed ]; then
        echo "   the message failed: $LAST" >&2
        [ -z "$hint" ] || echo "   $hint" >&2
        exit 1
      fi
    fi
    if [ $((SECONDS - start)) -ge "$AWAIT_SECONDS" ]; then
      echo "   not within ${AWAIT_SECONDS} s: $query is \"$fact\"; the last answer ($status): $LAST" >&2
      [ -z "$hint" ] || echo "   $hint" >&2
      exit 1
    fi
    sleep 0.25
  done
}

premium="$(agent "$AGENT" premium available)"

as agent "$AGENT" premium
step "What may the agent open? (options)" 200 POST /v1/outbound-options "{\"agent\":$premium}"
echo "   sms limit $(json decision.channels.0.limit), entry points $(json decision.channels.0.entryPoints)"

step "An SMS conversation, with a template as first message" 201 POST /v1/outbound-conversations \
  "{\"agent\":$premium,\"channel\":\"sms\",\"to\":\"$SMS_A\",\"entryPoint\":\"support-sms-fr\",\"message\":{\"template\":\"rappel-rendez-vous\",\"variables\":{\"prenom\":\"Léa\",\"date\":\"3 mars\",\"heure\":\"10h\"}}}"
SMS_CONVERSATION="$(json conversation.id)"
SMS_MESSAGE="$(json message.id)"
SMS_DESTINATION="$(json conversation.destination)"
echo "   conversation $SMS_CONVERSATION to $SMS_DESTINATION, task $(json task.state), message $SMS_MESSAGE $(json message.status)"

if [ "$GATEWAY" = 1 ]; then
  echo "-- the message goes out through the channel gateway and an answer comes back"
  await_fact "The gateway took the SMS and its receipt says delivered" "/v1/conversations/$SMS_CONVERSATION" "status $SMS_MESSAGE" delivered \
    "is the gateway running, and does $CONFIG_DIR/server.yaml have spec.gateway? (SORTIE_GATEWAY_URL=http://127.0.0.1:8090/sortie scripts/dev-credentials --force $CONFIG_DIR)"
  echo "   provider id $(python3 -c 'import json, sys
print(next((m.get("providerMessageId") or "" for m in json.loads(sys.argv[1])["messages"] if m["id"] == sys.argv[2]), ""))' "$LAST" "$SMS_MESSAGE")"
  as nobody
  step "The service's health shows the gateway answering" 200 GET /healthz
  echo "   gateway $(json gateway)"
  [ "$(json gateway)" = ok ] || { echo "   expected the gateway ok" >&2; exit 1; }
  as agent "$AGENT" premium
  if [ -n "$GATEWAY_LOG" ]; then
    echo "== The gateway's log has the message, from the entry point to the normalized destination"
    echo "   $GATEWAY_LOG"
    python3 -c 'import json, sys
path, message, sender, destination = sys.argv[1:]
entries = [json.loads(line) for line in open(path, encoding="utf-8") if line.strip()]
found = [e["message"] for e in entries if e.get("message", {}).get("id") == message]
if len(found) != 1:
    sys.exit(f"   expected one entry for {message}; found {len(found)}")
if (found[0]["channel"], found[0]["from"], found[0]["to"]) != ("sms", sender, destination):
    sys.exit(f"   expected sms from {sender} to {destination}; the entry: {found[0]}")
print("   -> sms " + found[0]["from"] + " -> " + found[0]["to"] + ": " + json.dumps(found[0]["body"], ensure_ascii=False))' \
      "$GATEWAY_LOG" "$SMS_MESSAGE" "+33186950000" "$SMS_DESTINATION"
  fi
  if [ -n "$GATEWAY_REPLY" ]; then
    await_fact "The customer's reply, posted by the gateway, joins the conversation" "/v1/conversations/$SMS_CONVERSATION" "reply $GATEWAY_REPLY" any
  fi
elif [ -z "$CONFIG_DIR" ]; then
  echo "   the open mode has no channel gateway: the message stays queued"
else
  echo "   not followed (SORTIE_GATEWAY=1 follows it through a gateway): without spec.gateway it stays queued"
fi

step "An email conversation" 201 POST /v1/outbound-conversations \
  "{\"agent\":$premium,\"channel\":\"email\",\"to\":\"$EMAIL\",\"entryPoint\":\"service-client\",\"subject\":\"Votre dossier $RUN\",\"message\":{\"body\":\"Bonjour, nous revenons vers vous.\"}}"
EMAIL_MESSAGE="$(json message.id)"

step "A second SMS (the default profile allows two)" 201 POST /v1/outbound-conversations \
  "{\"agent\":$premium,\"channel\":\"sms\",\"to\":\"$SMS_B\",\"entryPoint\":\"support-sms-fr\"}"

echo "-- refusals, one per family of reasons"
as agent "$AGENT-std" standard
step "Eligibility: a standard license" 403 POST /v1/outbound-conversations \
  "{\"agent\":$(agent "$AGENT-std" standard available),\"channel\":\"sms\",\"to\":\"$SMS_C\",\"entryPoint\":\"support-sms-fr\"}"
as agent "$AGENT-idle" premium
step "State: an idle agent" 403 POST /v1/outbound-conversations \
  "{\"agent\":$(agent "$AGENT-idle" premium idle),\"channel\":\"sms\",\"to\":\"$SMS_C\",\"entryPoint\":\"support-sms-fr\"}"
as agent "$AGENT" premium
step "Limit: a third SMS" 403 POST /v1/outbound-conversations \
  "{\"agent\":$premium,\"channel\":\"sms\",\"to\":\"$SMS_C\",\"entryPoint\":\"support-sms-fr\"}"
other="$(agent "$AGENT-2" premium available)"
as agent "$AGENT-2" premium
step "Destination: no country code" 422 POST /v1/outbound-conversations \
  "{\"agent\":$other,\"channel\":\"sms\",\"to\":\"06 12 34 56 78\",\"entryPoint\":\"support-sms-fr\"}"
step "Entry point: none of that name" 422 POST /v1/outbound-conversations \
  "{\"agent\":$other,\"channel\":\"sms\",\"to\":\"$SMS_C\",\"entryPoint\":\"nowhere\"}"
step "Active conversation: another agent texts the same customer" 409 POST /v1/outbound-conversations \
  "{\"agent\":$other,\"channel\":\"sms\",\"to\":\"$SMS_A\",\"entryPoint\":\"support-sms-fr\"}"
step "Subject: an email without one" 422 POST /v1/outbound-conversations \
  "{\"agent\":$other,\"channel\":\"email\",\"to\":\"autre.$RUN@example.fr\",\"entryPoint\":\"service-client\",\"subject\":null}"

if [ -n "$CONFIG_DIR" ]; then
  echo "-- who may do what"
  as nobody
  step "No credential" 401 POST /v1/outbound-options "{\"agent\":$premium}"
  as agent "$AGENT-2" premium
  step "Another agent's conversation is not shown (as an unknown one)" 404 GET "/v1/conversations/$SMS_CONVERSATION"
  as agent "$AGENT-std" standard
  step "An agent cannot claim another license than its token's" 403 POST /v1/outbound-conversations \
    "{\"agent\":{\"state\":\"available\",\"license\":\"premium\"},\"channel\":\"sms\",\"to\":\"$SMS_C\",\"entryPoint\":\"support-sms-fr\"}"
  [ "$(json error.code)" = "identity-mismatch" ] || { echo "   expected identity-mismatch" >&2; exit 1; }
  as agent "$AGENT" premium
  step "An agent may not reload the policies" 403 POST /v1/admin/reload
fi

as gateway
step "The customer answers the SMS" 200 POST /v1/inbound \
  "{\"channel\":\"sms\",\"from\":\"$SMS_A\",\"to\":\"+33186950000\",\"body\":\"Merci, je serai là.\"}"
echo "   joined $(json conversation.id) by $(json match)"
[ "$(json conversation.id)" = "$SMS_CONVERSATION" ] || { echo "   the reply did not join its conversation" >&2; exit 1; }

step "The customer answers the email (threaded by In-Reply-To)" 200 POST /v1/inbound \
  "{\"channel\":\"email\",\"from\":\"$EMAIL\",\"to\":\"service-client@acme-assurances.fr\",\"subject\":\"RE: Votre dossier $RUN\",\"body\":\"Merci\",\"inReplyTo\":\"$EMAIL_MESSAGE\"}"
echo "   joined by $(json match)"

as agent "$AGENT" premium
step "A transfer is refused on an outbound conversation" 403 POST "/v1/conversations/$SMS_CONVERSATION/operations" '{"operation":"transfer"}'

step "Close with a wrap-up reason" 200 POST "/v1/conversations/$SMS_CONVERSATION/close" '{"wrapUpReason":"resolu"}'

as gateway
step "A reply after the close opens a new conversation" 201 POST /v1/inbound \
  "{\"channel\":\"sms\",\"from\":\"$SMS_A\",\"to\":\"+33186950000\",\"body\":\"Une autre question\"}"
NEW_CONVERSATION="$(json conversation.id)"
echo "   new conversation $NEW_CONVERSATION follows $(json conversation.previousConversationId)"
[ "$(json conversation.previousConversationId)" = "$SMS_CONVERSATION" ] || { echo "   not linked to the old one" >&2; exit 1; }

# No agent has taken the new conversation yet: an administrator (or an integration) reads it.
as admin
step "The new conversation shows the customer's history" 200 GET "/v1/conversations/$NEW_CONVERSATION"
echo "   earlier conversations: $(json earlierConversations.0.id)"

step "The administrator reloads the policies (after an edit; SIGHUP does the same)" 200 POST /v1/admin/reload
echo "   revision $(json revision)"

echo "walkthrough complete"
