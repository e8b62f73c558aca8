#!/usr/bin/env python3
"""An example channel gateway for Sortie (SPEC §6), in the Python standard library alone.

Sortie never speaks to carriers or mail servers: it POSTs each outbound message to a channel
gateway, signed as a Standard Webhook, and the gateway reports back. This one stands in for an
SMS provider or an SMTP relay on one machine, for development, the walkthrough and tests:

- it verifies each push (`webhook-id`, `webhook-timestamp`, `webhook-signature`: HMAC-SHA256
  of "id.timestamp.body" keyed by the `whsec_` secret, compared in constant time; the
  timestamp within the tolerance) and answers 401 when it does not hold;
- it logs the message (one line on stdout; with --log, one JSON line in that file) and answers
  200 {"providerMessageId": "gw-<n>"};
- after --receipt-delay seconds it POSTs the `delivered` receipt to
  {SORTIE}/v1/messages/{id}/status, then, with --reply, the customer's answer to
  {SORTIE}/v1/inbound; both are signed with the same secret (or carry --token-file's bearer
  token), each call with a webhook-id of its own;
- a push whose webhook-id it already took (Sortie delivers at least once) is answered as the
  first time and changes nothing: no second log line, no second receipt.

    python3 examples/gateway/gateway.py --secret-file .sortie/gateway.secret --reply 'Bien reçu'

It prints "listening on http://HOST:PORT" once it accepts connections (--port 0 picks a free
port). On SIGTERM or SIGINT it stops taking pushes, lets the call to Sortie under way end (with
no further attempt) and exits 0; receipts not yet due are dropped, and Sortie keeps those
messages `sent`.
"""

import argparse
import base64
import binascii
import collections
import hashlib
import heapq
import hmac
import http.server
import itertools
import json
import os
import signal
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid

# The largest push the gateway reads; Sortie's messages are far smaller.
MAX_BODY_BYTES = 1 << 20
# How many webhook-ids are remembered for dropping repeats (the oldest go first).
REMEMBERED_IDS = 100_000
# Calls to Sortie: how long one may take, and how often one that fails for a reason worth
# retrying (no answer, 408, 429, 5xx) is made again, with the same webhook-id.
SORTIE_TIMEOUT_SECONDS = 10
SORTIE_ATTEMPTS = 4


class SecretError(Exception):
    """The secret file cannot be used; the message never quotes its content."""


def read_secret(path):
    """The HMAC key of a Standard Webhooks secret file: "whsec_" and base64, one final newline allowed.

    Read as Sortie reads it (SortieAccess.SecretFile and WebhookSecret), so that a file one
    accepts the other does too.
    """
    try:
        with open(path, "rb") as file:
            text = file.read()
    except OSError as error:
        raise SecretError(f"cannot read the secret file {path}: {error.strerror}") from None
    if text.endswith(b"\n"):
        text = text[:-1]
    if not text.startswith(b"whsec_"):
        raise SecretError(f"the secret in {path} does not start with whsec_")
    try:
        key = base64.b64decode(text[len(b"whsec_"):], validate=True)
    except binascii.Error:
        raise SecretError(f"the secret in {path} is not whsec_ and base64") from None
    if len(key) < 24:
        raise SecretError(f"the secret's key in {path} must be at least 24 bytes")
    return key


def sign(key, webhook_id, timestamp, body):
    """The `webhook-signature` value: "v1," and the base64 HMAC-SHA256 of "id.timestamp.body"."""
    content = webhook_id.encode() + b"." + str(timestamp).encode() + b"." + body
    return "v1," + base64.b64encode(hmac.new(key, content, hashlib.sha256).digest()).decode()


def verify(key, headers, body, tolerance, now):
    """None when the three headers sign `body` with `key` within `tolerance` seconds of `now`, else why not."""
    webhook_id = headers.get("webhook-id")
    timestamp = headers.get("webhook-timestamp")
    signatures = headers.get("webhook-signature")
    if not webhook_id or timestamp is None or signatures is None:
        return "a webhook-id, webhook-timestamp or webhook-signature header is missing"
    # Digits only, as Sortie sends them: no sign, space or exponent.
    if not (timestamp.isascii() and timestamp.isdigit()) or len(timestamp) > 12:
        return "the webhook-timestamp is not Unix seconds"
    if abs(int(now) - int(timestamp)) > tolerance:
        return "the webhook-timestamp is outside the tolerance"
    content = webhook_id.encode() + b"." + timestamp.encode() + b"." + body
    expected = hmac.new(key, content, hashlib.sha256).digest()
    # One matching v1 entry suffices; each is decoded and compared in constant time, as Sortie does.
    for entry in signatures.split(" "):
        if not entry.startswith("v1,"):
            continue
        try:
            mac = base64.b64decode(entry[len("v1,"):], validate=True)
        except binascii.Error:
            continue
        if hmac.compare_digest(mac, expected):
            return None
    return "no webhook signature matches"


def outbound_message(body):
    """The `message` of a `message.outbound` push, or raises ValueError with what is wrong."""
    try:
        document = json.loads(body)
    except (UnicodeDecodeError, json.JSONDecodeError):
        raise ValueError("the body is not JSON") from None
    if not isinstance(document, dict) or document.get("type") != "message.outbound":
        raise ValueError('the body is not {"type": "message.outbound", ...}')
    message = document.get("message")
    if not isinstance(message, dict):
        raise ValueError("the body has no message object")
    for field in ("id", "conversationId", "channel", "from", "to", "body"):
        if not isinstance(message.get(field), str):
            raise ValueError(f"message.{field} is not a string")
    for field in ("subject", "inReplyTo"):
        if message.get(field) is not None and not isinstance(message[field], str):
            raise ValueError(f"message.{field} is neither a string nor null")
    if message["channel"] not in ("sms", "email"):
        raise ValueError(f'message.channel "{message["channel"]}" is not sms or email')
    return message


class SortieClient:
    """Calls Sortie's gateway routes, signed with the webhook secret or with a bearer token."""

    def __init__(self, base_url, key, token=None, log=print):
        self.base_url = base_url.rstrip("/")
        self.key = key
        self.token = token
        self.log = log
        # Set at shutdown: a call under way gets no further attempt.
        self.stopping = threading.Event()

    def post(self, path, document, webhook_id):
        """POSTs `document` as JSON; returns the answer's status, or None when none came.

        A call that gets no answer, a 408, a 429 or a 5xx is made again (same webhook-id, a
        fresh timestamp), so Sortie acts on it once even if an earlier attempt did reach it.
        """
        body = json.dumps(document, separators=(",", ":"), ensure_ascii=False).encode()
        status = None
        for attempt in range(1, SORTIE_ATTEMPTS + 1):
            headers = {"content-type": "application/json", "user-agent": "sortie-example-gateway"}
            if self.token is not None:
                headers["authorization"] = "Bearer " + self.token
            else:
                timestamp = int(time.time())
                headers.update({"webhook-id": webhook_id, "webhook-timestamp": str(timestamp),
                                "webhook-signature": sign(self.key, webhook_id, timestamp, body)})
            request = urllib.request.Request(self.base_url + path, data=body, headers=headers, method="POST")
            try:
                with urllib.request.urlopen(request, timeout=SORTIE_TIMEOUT_SECONDS) as answer:
                    answer.read()
                    return answer.status
            except urllib.error.HTTPError as error:
                status = error.code
                text = error.read(500).decode("utf-8", "replace").strip()
                error.close()
                if status not in (408, 429) and status < 500:
                    self.log(f"  POST {path} -> {status} {text}")
                    return status
                self.log(f"  POST {path} -> {status} (attempt {attempt}) {text}")
            except (urllib.error.URLError, OSError) as error:
                status = None
                self.log(f"  POST {path} -> no answer (attempt {attempt}): {getattr(error, 'reason', error)}")
            if attempt == SORTIE_ATTEMPTS or self.stopping.wait(0.5 * 2 ** (attempt - 1)):
                break
        return status


class Scheduler:
    """Runs jobs on one thread at their due time, in that order; the gateway's receipts and replies.

    One thread keeps a message's receipt before its reply, and one message's calls before the
    next's when they fall due in that order.
    """

    def __init__(self):
        self._jobs = []
        self._order = itertools.count()
        self._condition = threading.Condition()
        self._stopping = False
        self._thread = threading.Thread(target=self._run, name="receipts", daemon=True)
        self._thread.start()

    def at(self, due, job):
        with self._condition:
            heapq.heappush(self._jobs, (due, next(self._order), job))
            self._condition.notify()

    def stop(self, timeout):
        """Lets the job under way end (at most `timeout` seconds); returns how many were never run."""
        with self._condition:
            self._stopping = True
            self._condition.notify()
        self._thread.join(timeout)
        with self._condition:
            return len(self._jobs)

    def _run(self):
        while True:
            with self._condition:
                while not self._stopping and (not self._jobs or self._jobs[0][0] > time.monotonic()):
                    self._condition.wait(None if not self._jobs else self._jobs[0][0] - time.monotonic())
                if self._stopping:
                    return
                _, _, job = heapq.heappop(self._jobs)
            try:
                job()
            except Exception as error:  # one job's bug must not stop the receipts of the others
                print(f"gateway: a receipt failed: {error!r}", file=sys.stderr, flush=True)


class Gateway:
    """What the gateway remembers and does, apart from HTTP."""

    def __init__(self, key, tolerance, sortie, receipt_delay, reply, log_file):
        self.key = key
        self.tolerance = tolerance
        self.sortie = sortie
        self.receipt_delay = receipt_delay
        self.reply = reply
        self.log_file = log_file
        self.scheduler = Scheduler()
        self._lock = threading.Lock()
        self._taken = collections.OrderedDict()  # webhook-id → providerMessageId
        self._count = 0

    def take(self, webhook_id, message):
        """The providerMessageId for a verified push, and whether it is the first with that id."""
        with self._lock:
            if webhook_id in self._taken:
                return self._taken[webhook_id], False
            self._count += 1
            provider_id = f"gw-{self._count}"
            self._taken[webhook_id] = provider_id
            if len(self._taken) > REMEMBERED_IDS:
                self._taken.popitem(last=False)
            # Under the lock, so that the log's lines are whole and in the order of the ids.
            subject = f' "{message["subject"]}"' if message.get("subject") is not None else ""
            print(f'{message["channel"]} {message["id"]} {message["from"]} -> {message["to"]}{subject}: '
                  f'{json.dumps(message["body"], ensure_ascii=False)} ({provider_id})', flush=True)
            if self.log_file is not None:
                entry = {"receivedAt": time.time(), "webhookId": webhook_id, "providerMessageId": provider_id, "message": message}
                self.log_file.write(json.dumps(entry, ensure_ascii=False) + "\n")
                self.log_file.flush()
        self.scheduler.at(time.monotonic() + self.receipt_delay, lambda: self.report(message, provider_id))
        return provider_id, True

    def report(self, message, provider_id):
        """The `delivered` receipt, then the customer's reply when there is one."""
        status = self.sortie.post(f'/v1/messages/{urllib.parse.quote(message["id"], safe="")}/status',
                                  {"status": "delivered", "providerMessageId": provider_id}, f"rcpt-{uuid.uuid4()}")
        print(f'  receipt {message["id"]} delivered -> {status or "no answer"}', flush=True)
        if self.reply is None or self.sortie.stopping.is_set():
            return
        # The customer answers from the address the message went to, to the entry point's.
        reply = {"channel": message["channel"], "from": message["to"], "to": message["from"], "body": self.reply}
        if message["channel"] == "email":
            if message.get("subject") is not None:
                reply["subject"] = "Re: " + message["subject"]
            reply["inReplyTo"] = message["id"]
        status = self.sortie.post("/v1/inbound", reply, f"reply-{uuid.uuid4()}")
        print(f'  reply {message["to"]} -> {message["from"]} -> {status or "no answer"}', flush=True)


class Handler(http.server.BaseHTTPRequestHandler):
    """POST {path}: a push from Sortie. GET /healthz: 200 once it listens."""

    protocol_version = "HTTP/1.1"
    server_version = "sortie-example-gateway"
    sys_version = ""

    def do_GET(self):
        if self.path == "/healthz":
            self.answer(200, {"status": "ok"})
        else:
            self.answer(404, {"error": f"no route GET {self.path}"})

    def do_POST(self):
        gateway = self.server.gateway
        if self.path != self.server.push_path:
            self.close_connection = True
            self.answer(404, {"error": f"no route POST {self.path}; pushes go to {self.server.push_path}"})
            return
        try:
            length = int(self.headers.get("content-length", ""))
        except ValueError:
            self.close_connection = True
            self.answer(411, {"error": "a push needs a content-length"})
            return
        if not 0 <= length <= MAX_BODY_BYTES:
            self.close_connection = True
            self.answer(413, {"error": f"a push is at most {MAX_BODY_BYTES} bytes"})
            return
        body = self.rfile.read(length)
        problem = verify(gateway.key, self.headers, body, gateway.tolerance, time.time())
        if problem is not None:
            print(f"refused a push: {problem}", flush=True)
            self.answer(401, {"error": problem})
            return
        try:
            message = outbound_message(body)
        except ValueError as error:
            self.answer(400, {"error": str(error)})
            return
        webhook_id = self.headers["webhook-id"]
        # Sortie signs a push with its message's id: another id is a sender that got it wrong.
        if webhook_id != message["id"]:
            self.answer(400, {"error": "the webhook-id is not the message's id"})
            return
        provider_id, first = gateway.take(webhook_id, message)
        if not first:
            print(f"repeat of {webhook_id}: answered as before ({provider_id})", flush=True)
        self.answer(200, {"providerMessageId": provider_id})

    def answer(self, status, document):
        body = json.dumps(document, ensure_ascii=False).encode()
        self.send_response(status)
        self.send_header("content-type", "application/json")
        self.send_header("content-length", str(len(body)))
        if self.close_connection:
            self.send_header("connection", "close")
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format, *args):
        # Each push gets its own line from Gateway.take; the access log would only repeat it.
        pass


class Server(http.server.ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True


def parse_arguments(argv):
    parser = argparse.ArgumentParser(description="An example channel gateway for Sortie (SPEC §6).")
    parser.add_argument("--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1)")
    parser.add_argument("--port", type=int, default=8090, help="port to listen on, 0 for a free one (default 8090)")
    parser.add_argument("--path", default="/sortie", help="the path Sortie pushes to, spec.gateway.url's (default /sortie)")
    parser.add_argument("--secret-file", required=True, help="the Standard Webhooks secret (whsec_...), spec.webhooks.secretFile's")
    parser.add_argument("--tolerance", type=int, default=300, help="seconds a push's timestamp may be off (default 300)")
    parser.add_argument("--sortie", default="http://127.0.0.1:8080", help="Sortie's base URL (default http://127.0.0.1:8080)")
    parser.add_argument("--token-file", help="send an integration bearer token from this file instead of signing receipts and replies")
    parser.add_argument("--receipt-delay", type=float, default=0.5, help="seconds before the delivered receipt (default 0.5)")
    parser.add_argument("--reply", help="after the receipt, post this text as the customer's reply")
    parser.add_argument("--log", help="append each message received to this JSON Lines file")
    arguments = parser.parse_args(argv)
    if arguments.receipt_delay < 0:
        parser.error("--receipt-delay must not be negative")
    if arguments.tolerance <= 0:
        parser.error("--tolerance must be positive")
    if not arguments.path.startswith("/"):
        parser.error("--path must start with /")
    return arguments


def main(argv=None):
    arguments = parse_arguments(sys.argv[1:] if argv is None else argv)
    try:
        key = read_secret(arguments.secret_file)
    except SecretError as error:
        print(f"gateway: {error}", file=sys.stderr)
        return 2
    token = None
    log_file = None
    try:
        if arguments.token_file is not None:
            with open(arguments.token_file, encoding="utf-8") as file:
                token = file.read().strip()
        if arguments.log is not None:
            # The log holds customers' addresses and messages: readable by its owner only.
            log_file = open(os.open(arguments.log, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600), "a", encoding="utf-8")
    except OSError as error:
        print(f"gateway: cannot open {error.filename}: {error.strerror}", file=sys.stderr)
        return 2
    gateway = Gateway(key, arguments.tolerance, SortieClient(arguments.sortie, key, token), arguments.receipt_delay,
                      arguments.reply, log_file)
    try:
        server = Server((arguments.host, arguments.port), Handler)
    except OSError as error:
        print(f"gateway: cannot listen on {arguments.host}:{arguments.port}: {error.strerror}", file=sys.stderr)
        return 1
    server.gateway = gateway
    server.push_path = arguments.path

    def stop(signum, frame):
        # shutdown() waits for serve_forever() to return, which runs on this very thread: ask from another.
        threading.Thread(target=server.shutdown, daemon=True).start()

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    host, port = server.server_address[:2]
    print(f"listening on http://{host}:{port}", flush=True)
    try:
        server.serve_forever()
    finally:
        server.server_close()
        gateway.sortie.stopping.set()
        dropped = gateway.scheduler.stop(timeout=SORTIE_TIMEOUT_SECONDS + 1)
        if log_file is not None:
            log_file.close()
    print("stopped" + (f"; {dropped} receipt(s) not yet due were dropped" if dropped else ""), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
