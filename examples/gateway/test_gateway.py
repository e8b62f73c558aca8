"""The example gateway against a fake Sortie: python3 -m unittest examples/gateway/test_gateway.py

gateway.py runs as a subprocess on a free port with a secret of its own; a small http.server in
this process stands in for Sortie and records the receipts and replies it is sent. The
signatures are checked here by code of this file, not the gateway's, so that a mistake made in
both places would not pass unseen.
"""

import base64
import hashlib
import hmac
import http.server
import json
import os
import queue
import secrets
import signal
import subprocess
import sys
import tempfile
import threading
import time
import unittest
import urllib.error
import urllib.request

GATEWAY = os.path.join(os.path.dirname(os.path.abspath(__file__)), "gateway.py")
RECEIPT_DELAY = 0.2
REPLY = "Bien reçu, merci."
# How long to wait for what must come, and to watch for what must not.
WAIT_SECONDS = 10
QUIET_SECONDS = 1.5


def signature(key, webhook_id, timestamp, body):
    content = f"{webhook_id}.{timestamp}.".encode() + body
    return "v1," + base64.b64encode(hmac.new(key, content, hashlib.sha256).digest()).decode()


class FakeSortie:
    """Records every POST; answers 200, or 503 to the first call on a path holding "flaky"."""

    def __init__(self):
        self.calls = []
        self.condition = threading.Condition()
        self.flaky_seen = set()
        fake = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("content-length", "0")))
                status = 200
                with fake.condition:
                    if "flaky" in self.path and self.path not in fake.flaky_seen:
                        fake.flaky_seen.add(self.path)
                        status = 503
                    fake.calls.append({"path": self.path, "headers": {k.lower(): v for k, v in self.headers.items()},
                                       "body": body, "status": status})
                    fake.condition.notify_all()
                answer = b"{}"
                self.send_response(status)
                self.send_header("content-type", "application/json")
                self.send_header("content-length", str(len(answer)))
                self.end_headers()
                self.wfile.write(answer)

            def log_message(self, format, *args):
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"

    def matching(self, predicate):
        with self.condition:
            return [call for call in self.calls if predicate(call)]

    def wait_for(self, predicate, count=1, timeout=WAIT_SECONDS):
        """The first `count` calls that satisfy `predicate`, waiting for them at most `timeout` seconds."""
        deadline = time.monotonic() + timeout
        with self.condition:
            while True:
                found = [call for call in self.calls if predicate(call)]
                if len(found) >= count:
                    return found[:count]
                left = deadline - time.monotonic()
                if left <= 0:
                    raise AssertionError(f"{count} call(s) expected within {timeout} s; got {found}")
                self.condition.wait(left)

    def close(self):
        self.server.shutdown()
        self.server.server_close()


class Gateway:
    """gateway.py as a subprocess, with its stdout read on a thread."""

    def __init__(self, secret_file, sortie_url, log_path, *extra):
        self.process = subprocess.Popen(
            [sys.executable, GATEWAY, "--port", "0", "--secret-file", secret_file, "--sortie", sortie_url,
             "--receipt-delay", str(RECEIPT_DELAY), "--log", log_path, *extra],
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, encoding="utf-8")
        self.lines = queue.Queue()
        self.output = []
        threading.Thread(target=self._read, daemon=True).start()
        deadline = time.monotonic() + WAIT_SECONDS
        while True:
            try:
                line = self.lines.get(timeout=max(0.0, deadline - time.monotonic()))
            except queue.Empty:
                self.process.kill()
                raise AssertionError(f"the gateway did not start: {self.process.stderr.read()}")
            if line is None:
                raise AssertionError(f"the gateway exited: {self.process.stderr.read()}")
            if line.startswith("listening on "):
                self.url = line[len("listening on "):].strip()
                break

    def _read(self):
        for line in self.process.stdout:
            self.output.append(line)
            self.lines.put(line)
        self.lines.put(None)

    def stop(self):
        """SIGTERM; returns the exit status."""
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
        try:
            return self.process.wait(timeout=WAIT_SECONDS)
        finally:
            if self.process.poll() is None:
                self.process.kill()
            self.process.stdout.close()
            self.process.stderr.close()


class GatewayTests(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.folder = tempfile.TemporaryDirectory()
        cls.key = secrets.token_bytes(32)
        cls.secret_file = os.path.join(cls.folder.name, "gateway.secret")
        with open(cls.secret_file, "w") as file:
            # As scripts/dev-credentials writes it: with a final newline.
            file.write("whsec_" + base64.b64encode(cls.key).decode() + "\n")
        cls.log_path = os.path.join(cls.folder.name, "gateway.jsonl")
        cls.sortie = FakeSortie()
        cls.gateway = Gateway(cls.secret_file, cls.sortie.url, cls.log_path, "--reply", REPLY)

    @classmethod
    def tearDownClass(cls):
        status = cls.gateway.stop()
        cls.sortie.close()
        cls.folder.cleanup()
        assert status == 0, f"the gateway exited {status} on SIGTERM"

    # What Sortie would push.

    counter = 0

    def message(self, channel="sms", **fields):
        """A message of its own id and destination, so that its receipt and reply are told apart."""
        GatewayTests.counter += 1
        number = GatewayTests.counter
        message = {"id": f"msg_test_{os.getpid()}_{number}", "conversationId": "conv_test", "channel": channel,
                   "from": "+33186950000", "to": f"+336123456{number:02d}", "subject": None, "inReplyTo": None, "body": "Bonjour Léa"}
        if channel == "email":
            message.update({"from": "service-client@acme-assurances.fr", "to": f"client.{number}@example.fr", "subject": "Votre dossier"})
        message.update(fields)
        return message

    def push(self, message, key=None, timestamp=None, webhook_id=None, path="/sortie"):
        """POSTs `message` signed (with `key`, the gateway's by default); returns (status, JSON answer)."""
        body = json.dumps({"type": "message.outbound", "message": message}, separators=(",", ":")).encode()
        webhook_id = webhook_id or message["id"]
        timestamp = int(time.time()) if timestamp is None else timestamp
        headers = {"content-type": "application/json", "webhook-id": webhook_id, "webhook-timestamp": str(timestamp),
                   "webhook-signature": signature(key or self.key, webhook_id, timestamp, body)}
        request = urllib.request.Request(self.gateway.url + path, data=body, headers=headers, method="POST")
        try:
            with urllib.request.urlopen(request, timeout=WAIT_SECONDS) as answer:
                return answer.status, json.loads(answer.read())
        except urllib.error.HTTPError as error:
            with error:
                return error.code, json.loads(error.read())

    def assert_signed(self, call):
        """The call to Sortie carries a valid signature of its body, timestamped now."""
        headers = call["headers"]
        self.assertLessEqual(abs(int(headers["webhook-timestamp"]) - time.time()), 60)
        expected = signature(self.key, headers["webhook-id"], headers["webhook-timestamp"], call["body"])
        self.assertIn(expected, headers["webhook-signature"].split(" "))

    def receipts(self, message):
        return lambda call: call["path"] == f"/v1/messages/{message['id']}/status"

    def replies(self, message):
        return lambda call: call["path"] == "/v1/inbound" and json.loads(call["body"]).get("body") == REPLY and \
            json.loads(call["body"])["from"] == message["to"]

    def log_entries(self, message):
        with open(self.log_path, encoding="utf-8") as file:
            return [entry for entry in map(json.loads, file) if entry["message"]["id"] == message["id"]]

    # The tests.

    def test_a_signed_message_is_taken_receipted_and_answered(self):
        message = self.message()
        status, answer = self.push(message)
        self.assertEqual(status, 200)
        self.assertRegex(answer["providerMessageId"], r"^gw-\d+$")

        receipt, = self.sortie.wait_for(self.receipts(message))
        self.assert_signed(receipt)
        self.assertEqual(json.loads(receipt["body"]), {"status": "delivered", "providerMessageId": answer["providerMessageId"]})
        self.assertTrue(receipt["headers"]["webhook-id"].startswith("rcpt-"))

        reply, = self.sortie.wait_for(self.replies(message))
        self.assert_signed(reply)
        self.assertEqual(json.loads(reply["body"]), {"channel": "sms", "from": message["to"], "to": message["from"], "body": REPLY})
        self.assertNotEqual(reply["headers"]["webhook-id"], receipt["headers"]["webhook-id"])
        # The receipt goes before the reply.
        with self.sortie.condition:
            self.assertLess(self.sortie.calls.index(receipt), self.sortie.calls.index(reply))

        entry, = self.log_entries(message)
        self.assertEqual(entry["message"], message)
        self.assertEqual(entry["providerMessageId"], answer["providerMessageId"])
        self.assertEqual(os.stat(self.log_path).st_mode & 0o777, 0o600)

    def test_an_email_reply_is_threaded_to_its_message(self):
        message = self.message("email")
        status, _ = self.push(message)
        self.assertEqual(status, 200)
        reply, = self.sortie.wait_for(self.replies(message))
        self.assertEqual(json.loads(reply["body"]),
                         {"channel": "email", "from": message["to"], "to": "service-client@acme-assurances.fr",
                          "body": REPLY, "subject": "Re: Votre dossier", "inReplyTo": message["id"]})

    def test_a_wrong_signature_is_refused(self):
        message = self.message()
        status, answer = self.push(message, key=secrets.token_bytes(32))
        self.assertEqual(status, 401)
        self.assertEqual(answer, {"error": "no webhook signature matches"})
        time.sleep(RECEIPT_DELAY + QUIET_SECONDS)
        self.assertEqual(self.sortie.matching(self.receipts(message)), [])
        self.assertEqual(self.log_entries(message), [])

    def test_a_stale_timestamp_is_refused(self):
        message = self.message()
        status, answer = self.push(message, timestamp=int(time.time()) - 301)
        self.assertEqual(status, 401)
        self.assertEqual(answer, {"error": "the webhook-timestamp is outside the tolerance"})

    def test_missing_headers_and_another_id_are_refused(self):
        message = self.message()
        body = json.dumps({"type": "message.outbound", "message": message}).encode()
        request = urllib.request.Request(self.gateway.url + "/sortie", data=body, method="POST")
        with self.assertRaises(urllib.error.HTTPError) as raised:
            urllib.request.urlopen(request, timeout=WAIT_SECONDS)
        self.assertEqual(raised.exception.code, 401)
        raised.exception.close()
        # Signed, but not with the message's id: a sender's mistake, refused for good (4xx).
        status, _ = self.push(message, webhook_id="msg_other")
        self.assertEqual(status, 400)

    def test_a_repeated_webhook_id_is_answered_as_the_first_time(self):
        message = self.message()
        first_status, first = self.push(message)
        second_status, second = self.push(message)
        self.assertEqual((first_status, second_status), (200, 200))
        self.assertEqual(first, second)
        self.sortie.wait_for(self.receipts(message))
        time.sleep(RECEIPT_DELAY + QUIET_SECONDS)
        self.assertEqual(len(self.sortie.matching(self.receipts(message))), 1)
        self.assertEqual(len(self.sortie.matching(self.replies(message))), 1)
        self.assertEqual(len(self.log_entries(message)), 1)

    def test_a_receipt_sortie_could_not_take_is_sent_again_with_its_id(self):
        message = self.message(id=f"msg_flaky_{os.getpid()}")
        self.assertEqual(self.push(message)[0], 200)
        first, second = self.sortie.wait_for(self.receipts(message), count=2)
        self.assertEqual((first["status"], second["status"]), (503, 200))
        self.assertEqual(first["headers"]["webhook-id"], second["headers"]["webhook-id"])
        self.assert_signed(second)


class GatewayStartTests(unittest.TestCase):
    def test_a_secret_that_is_not_whsec_stops_the_start(self):
        with tempfile.TemporaryDirectory() as folder:
            secret_file = os.path.join(folder, "secret")
            with open(secret_file, "w") as file:
                file.write("not-a-webhook-secret\n")
            result = subprocess.run([sys.executable, GATEWAY, "--port", "0", "--secret-file", secret_file],
                                    capture_output=True, text=True, timeout=WAIT_SECONDS)
            self.assertEqual(result.returncode, 2)
            self.assertIn("does not start with whsec_", result.stderr)
            self.assertNotIn("not-a-webhook-secret", result.stderr)

    def test_sigterm_stops_it_cleanly(self):
        with tempfile.TemporaryDirectory() as folder:
            secret_file = os.path.join(folder, "secret")
            with open(secret_file, "w") as file:
                file.write("whsec_" + base64.b64encode(secrets.token_bytes(32)).decode())
            # Sortie is nowhere: nothing is pushed, so nothing is sent to it.
            gateway = Gateway(secret_file, "http://127.0.0.1:9", os.path.join(folder, "log.jsonl"))
            self.assertEqual(gateway.stop(), 0)
            self.assertIn("stopped\n", gateway.output)


if __name__ == "__main__":
    unittest.main()
