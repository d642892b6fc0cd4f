"""The SDK conformance scenarios (test/helpers/sdk-conformance.ts) through the official Python SDK.

Run by test/e2e/sdk-python.test.ts, which starts the service and sets:
  KV_VAULT_URL        the service's HTTPS origin (azure-core refuses bearer tokens over plain http)
  KV_TOKEN            a bearer token the service accepts
  REQUESTS_CA_BUNDLE  the CA that signed the service's TLS certificate: requests (azure-core's default
                      transport) reads it, as it would for a user behind a private CA
  KV_RESULTS_FILE     (optional) where to write one JSON outcome per scenario for the wrapper to check

Only the standard library, azure-keyvault-certificates/-secrets and cryptography are used, so Debian's
python3-azure is all it needs. Clients keep the SDK's default options (its own api-version, transport and
poller) except verify_challenge_resource=False: the challenge names https://vault.azure.net while the
service is on localhost.

Scenarios run in the order of SCENARIOS (as a script, or with `python -m unittest` through load_tests); the
order matters for challenge_handshake only, because azure-keyvault caches a vault's challenge per process.
As a script, each scenario's outcome also goes to $KV_RESULTS_FILE.
"""

import base64
import datetime
import json
import os
import re
import sys
import time
import traceback
import unittest
import uuid

from azure.core.credentials import AccessToken
from azure.core.exceptions import HttpResponseError, ResourceExistsError, ResourceNotFoundError
from azure.keyvault.certificates import (
    CertificateClient,
    CertificatePolicy,
    KeyVaultCertificate,
)
from azure.keyvault.secrets import SecretClient
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.serialization import pkcs12
from cryptography.x509.oid import NameOID

try:  # azure-core >= 1.31 asks get_token_info first when a credential has it; older ones only know get_token.
    from azure.core.credentials import AccessTokenInfo
except ImportError:
    AccessTokenInfo = None

# The same names, in the same order, as SDK_CONFORMANCE_SCENARIOS in test/helpers/sdk-conformance.ts.
SCENARIOS = [
    "challenge_handshake",
    "self_create_polled_to_completion",
    "certificate_and_secret_read",
    "unknown_create_merged",
    "pending_operation_cancelled",
    "pending_operation_deleted",
    "create_while_in_progress_conflicts",
]

KEY_VAULT_SCOPE = "https://vault.azure.net/.default"
RUN_ID = uuid.uuid4().hex[:8]
_counter = 0


def unique_name(prefix):
    global _counter
    _counter += 1
    return f"{prefix}-py-{RUN_ID}-{_counter}"


def required_env(name):
    value = os.environ.get(name)
    if not value:
        raise RuntimeError(f"{name} is not set (test/e2e/sdk-python.test.ts sets it)")
    return value


def token_expiry(token):
    """The JWT's own `exp`, so the SDK refreshes when the service would stop accepting it."""
    payload = token.split(".")[1]
    return int(json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))["exp"])


class RecordingCredential:
    """A TokenCredential holding one token, recording every scope the SDK asks it for."""

    def __init__(self, token):
        self._token = token
        self._expires_on = token_expiry(token)
        self.scopes = []

    def get_token(self, *scopes, **kwargs):
        self.scopes.extend(scopes)
        return AccessToken(self._token, self._expires_on)

    if AccessTokenInfo is not None:

        def get_token_info(self, *scopes, options=None):
            self.scopes.extend(scopes)
            return AccessTokenInfo(self._token, self._expires_on)


def der(certificate):
    """DER bytes of a cryptography certificate (the SDK gives its `cer` as a bytearray: compare with bytes())."""
    return certificate.public_bytes(serialization.Encoding.DER)


def spki(public_key):
    return public_key.public_bytes(serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo)


class TestCa:
    """A CA of the user's choice, made here: what signs the CSR of a manual (Unknown) request."""

    def __init__(self):
        self.key = ec.generate_private_key(ec.SECP256R1())
        name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, f"Python SDK Test CA {RUN_ID}")])
        now = datetime.datetime.now(datetime.timezone.utc)
        self.certificate = (
            x509.CertificateBuilder()
            .subject_name(name)
            .issuer_name(name)
            .public_key(self.key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(now - datetime.timedelta(hours=1))
            .not_valid_after(now + datetime.timedelta(days=30))
            .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
            .add_extension(
                x509.KeyUsage(
                    digital_signature=False, content_commitment=False, key_encipherment=False,
                    data_encipherment=False, key_agreement=False, key_cert_sign=True, crl_sign=True,
                    encipher_only=False, decipher_only=False,
                ),
                critical=True,
            )
            .sign(self.key, hashes.SHA256())
        )

    def sign(self, csr_der):
        csr = x509.load_der_x509_csr(csr_der)
        assert csr.is_signature_valid, "the service's CSR carries an invalid signature"
        now = datetime.datetime.now(datetime.timezone.utc)
        return (
            x509.CertificateBuilder()
            .subject_name(csr.subject)
            .issuer_name(self.certificate.subject)
            .public_key(csr.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(now - datetime.timedelta(hours=1))
            .not_valid_after(now + datetime.timedelta(days=7))
            .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
            .add_extension(x509.ExtendedKeyUsage([x509.oid.ExtendedKeyUsageOID.SERVER_AUTH]), critical=False)
            .sign(self.key, hashes.SHA256())
        )


def wait_for_operation_to_finish(client, name, give_up_after_seconds=30):
    """Polls the operation faster than the SDK's poller (5 s) for tests that only need the end state."""
    deadline = time.monotonic() + give_up_after_seconds
    while True:
        operation = client.get_certificate_operation(name)
        if operation.status != "inProgress" or time.monotonic() > deadline:
            return operation
        time.sleep(0.2)


MANUAL_POLICY = CertificatePolicy(issuer_name="Unknown", subject="CN=manual.python-sdk.example")


def begin_manual_request(client, name):
    """An Unknown-issuer create. The SDK's poller counts it done at once, without polling, so its result() is
    None in this SDK version: the pending operation is read with get_certificate_operation, as a user would."""
    poller = client.begin_create_certificate(name, MANUAL_POLICY)
    assert poller.done(), "the SDK's poller should not wait on a manual (Unknown) request"
    operation = client.get_certificate_operation(name)
    assert operation.status == "inProgress", f"a new manual request should be inProgress, got {operation.status!r}"
    return operation


class SdkConformance(unittest.TestCase):
    maxDiff = None

    def certificates(self, credential=None):
        credential = credential or RecordingCredential(required_env("KV_TOKEN"))
        client = CertificateClient(required_env("KV_VAULT_URL"), credential, verify_challenge_resource=False)
        self.addCleanup(client.close)
        return client

    def secrets(self):
        credential = RecordingCredential(required_env("KV_TOKEN"))
        client = SecretClient(required_env("KV_VAULT_URL"), credential, verify_challenge_resource=False)
        self.addCleanup(client.close)
        return client

    def test_challenge_handshake(self):
        # azure-keyvault caches a vault's challenge per process: only the first client in the process sends the
        # token-less request, so load_tests puts this scenario first.
        credential = RecordingCredential(required_env("KV_TOKEN"))
        exchanges = []

        def record(pipeline_response):
            request, response = pipeline_response.http_request, pipeline_response.http_response
            exchanges.append(
                {
                    "authorization": request.headers.get("Authorization"),
                    "status": response.status_code,
                    "challenge": response.headers.get("WWW-Authenticate"),
                }
            )

        name = unique_name("handshake")
        with self.assertRaises(ResourceNotFoundError):
            self.certificates(credential).get_certificate(name, raw_response_hook=record)

        self.assertGreaterEqual(len(exchanges), 2, f"expected a challenge and a retry, saw {exchanges}")
        first, retry = exchanges[0], exchanges[1]
        self.assertIsNone(first["authorization"], "the first request carried a token: the challenge was already cached in this process (run challenge_handshake first)")
        self.assertEqual(first["status"], 401)
        self.assertTrue((first["challenge"] or "").startswith("Bearer "), f"WWW-Authenticate: {first['challenge']!r}")
        self.assertEqual(credential.scopes, [KEY_VAULT_SCOPE])
        self.assertEqual(retry["authorization"], f"Bearer {required_env('KV_TOKEN')}")
        # Authenticated, the request reaches the certificate route: the name is simply not there.
        self.assertEqual(retry["status"], 404)
        self.assertEqual(len(exchanges), 2)

    def test_self_create_polled_to_completion(self):
        name = unique_name("self")
        # Self is issued by a job a moment after the 202, so the poller polls; the SDK's own interval is 5 s.
        poller = self.certificates().begin_create_certificate(
            name, CertificatePolicy(issuer_name="Self", subject="CN=self.python-sdk.example"), _polling_interval=0.2
        )
        certificate = poller.result()

        self.assertEqual(poller.status(), "completed")
        self.assertIsInstance(certificate, KeyVaultCertificate)
        self.assertEqual(certificate.name, name)
        # Identifiers sit on the vault URL the client used (https, this host and port), as on Key Vault.
        self.assertRegex(certificate.id, f"^{re.escape(required_env('KV_VAULT_URL'))}/certificates/{name}/[0-9a-f]{{32}}$")
        self.assertTrue(certificate.properties.enabled)
        self.assertEqual(certificate.policy.issuer_name, "Self")
        leaf = x509.load_der_x509_certificate(bytes(certificate.cer))
        self.assertEqual(leaf.subject.rfc4514_string(), "CN=self.python-sdk.example")
        self.assertEqual(leaf.issuer, leaf.subject)

    def test_certificate_and_secret_read(self):
        name = unique_name("read")
        client = self.certificates()
        client.begin_create_certificate(name, CertificatePolicy(issuer_name="Self", subject="CN=read.python-sdk.example"))
        self.assertEqual(wait_for_operation_to_finish(client, name).status, "completed")

        certificate = client.get_certificate(name)
        secret = self.secrets().get_secret(name)

        self.assertEqual(secret.properties.content_type, "application/x-pkcs12")
        self.assertEqual(secret.properties.key_id, certificate.key_id)
        key, leaf, additional = pkcs12.load_key_and_certificates(base64.b64decode(secret.value), password=None)
        self.assertIsNotNone(key, "the PFX has no private key")
        self.assertIsNotNone(leaf, "the PFX has no certificate")
        self.assertEqual(der(leaf), bytes(certificate.cer))
        self.assertEqual(spki(key.public_key()), spki(leaf.public_key()), "the PFX's key does not match its certificate")
        self.assertEqual(additional, [])

    def test_unknown_create_merged(self):
        name = unique_name("merge")
        client = self.certificates()
        ca = TestCa()
        operation = begin_manual_request(client, name)
        self.assertEqual(operation.issuer_name, "Unknown")

        leaf = ca.sign(bytes(operation.csr))
        merged = client.merge_certificate(name, [der(leaf), der(ca.certificate)])

        self.assertEqual(merged.name, name)
        self.assertEqual(bytes(merged.cer), der(leaf))
        self.assertEqual(bytes(client.get_certificate(name).cer), der(leaf))
        self.assertEqual(client.get_certificate_operation(name).status, "completed")

    def test_pending_operation_cancelled(self):
        name = unique_name("cancel")
        client = self.certificates()
        begin_manual_request(client, name)

        cancelled = client.cancel_certificate_operation(name)

        # A manual request has no issuer to ask, so the cancellation takes effect at once.
        self.assertTrue(cancelled.cancellation_requested)
        self.assertEqual(cancelled.status, "cancelled")
        # Read back: the service holds the cancellation. A cancelled operation carries no error, as on Key
        # Vault (the SDK would fail reading one).
        later = client.get_certificate_operation(name)
        self.assertTrue(later.cancellation_requested)
        self.assertEqual(later.status, "cancelled")
        self.assertIsNone(later.error)

    def test_pending_operation_deleted(self):
        name = unique_name("delete")
        client = self.certificates()
        begin_manual_request(client, name)

        deleted = client.delete_certificate_operation(name)

        self.assertEqual(deleted.status, "inProgress")
        self.assertEqual(deleted.issuer_name, "Unknown")
        with self.assertRaises(ResourceNotFoundError) as raised:
            client.get_certificate_operation(name)
        self.assertEqual(raised.exception.status_code, 404)
        self.assertEqual(raised.exception.error.code, "PendingCertificateNotFound")
        self.assertEqual(raised.exception.error.message, f"Pending certificate not found: {name}")

    def test_create_while_in_progress_conflicts(self):
        name = unique_name("conflict")
        client = self.certificates()
        begin_manual_request(client, name)

        with self.assertRaises(ResourceExistsError) as raised:
            client.begin_create_certificate(name, MANUAL_POLICY)

        self.assertIsInstance(raised.exception, HttpResponseError)
        self.assertEqual(raised.exception.status_code, 409)
        self.assertEqual(
            raised.exception.error.message,
            "A new key vault certificate can not be created or imported while a pending key vault certificate's status is inProgress.",
        )


class RecordingResult(unittest.TextTestResult):
    """Keeps one outcome per scenario (the method name without its test_ prefix) for the JSON file."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.outcomes = {}

    def _record(self, test, outcome, detail=None):
        name = test.id().rsplit(".", 1)[-1]
        self.outcomes[name[len("test_"):] if name.startswith("test_") else name] = {"outcome": outcome, "detail": detail}

    def addSuccess(self, test):
        super().addSuccess(test)
        self._record(test, "passed")

    def addFailure(self, test, err):
        super().addFailure(test, err)
        self._record(test, "failed", self._exc_info_to_string(err, test))

    def addError(self, test, err):
        super().addError(test, err)
        self._record(test, "error", self._exc_info_to_string(err, test))

    def addSkip(self, test, reason):
        super().addSkip(test, reason)
        self._record(test, "skipped", reason)


def load_tests(loader, standard_tests, pattern):
    """unittest's hook, so `python -m unittest` runs the scenarios in SCENARIOS order too."""
    defined = sorted(name[len("test_"):] for name in loader.getTestCaseNames(SdkConformance))
    if defined != sorted(SCENARIOS):
        raise RuntimeError(f"SCENARIOS and the test methods differ: {sorted(SCENARIOS)} vs {defined}")
    return unittest.TestSuite(SdkConformance(f"test_{name}") for name in SCENARIOS)


def main():
    suite = load_tests(unittest.TestLoader(), None, None)
    result = unittest.TextTestRunner(stream=sys.stderr, verbosity=2, resultclass=RecordingResult).run(suite)
    results_file = os.environ.get("KV_RESULTS_FILE")
    if results_file:
        with open(results_file, "w", encoding="utf-8") as out:
            json.dump({"python": sys.version, "scenarios": result.outcomes}, out, indent=2)
    return 0 if result.wasSuccessful() else 1


if __name__ == "__main__":
    try:
        sys.exit(main())
    except Exception:  # a broken setup still leaves its reason on stderr for the wrapper to print
        traceback.print_exc()
        sys.exit(2)
