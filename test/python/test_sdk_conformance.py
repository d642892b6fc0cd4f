"""The SDK conformance scenarios (test/helpers/sdk-conformance.ts) through the official Python SDK.

Run by test/e2e/sdk-python.test.ts, which starts the service and sets:
  KV_VAULT_URL        the service's HTTPS origin (azure-core refuses bearer tokens over plain http)
  KV_TOKEN            a bearer token the service accepts
  REQUESTS_CA_BUNDLE  the CA that signed the service's TLS certificate: requests (azure-core's default
                      transport) reads it, as it would for a user behind a private CA
  KV_RESULTS_FILE     (optional) where to write one JSON outcome per scenario for the wrapper to check

Only the standard library, azure-keyvault-certificates/-secrets/-keys and cryptography are used, so Debian's
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
    CertificateContact,
    CertificatePolicy,
    KeyUsageType,
    KeyVaultCertificate,
)
from azure.keyvault.keys.crypto import CryptographyClient, SignatureAlgorithm
from azure.keyvault.secrets import SecretClient
from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, padding
from cryptography.hazmat.primitives.asymmetric.utils import encode_dss_signature
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
    "properties_updated",
    "policy_updated",
    "certificate_versions_listed",
    "issuer_and_contacts_managed",
    "certificate_imported",
    "certificate_deleted_and_recovered",
    "certificates_listed",
    "backup_restored",
    "key_signs_with_certificate_key",
    "private_ca_issued",
]

KEY_VAULT_SCOPE = "https://vault.azure.net/.default"
# More than a page of the certificate lists holds (25), so the pager follows nextLink.
PENDING_TO_SPAN_PAGES = 26
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


def self_signed_with_key(subject, key):
    """A self-signed certificate for `key`, made here (what a user would import)."""
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, subject)])
    now = datetime.datetime.now(datetime.timezone.utc)
    return (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(hours=1))
        .not_valid_after(now + datetime.timedelta(days=30))
        .sign(key, hashes.SHA256())
    )


def verifies(certificate, algorithm, signature, message):
    """Checks a Key Vault signature with the certificate's own public key. Key Vault's EC signatures are r||s
    (IEEE P1363); `cryptography` takes DER, hence the re-encoding."""
    public_key = certificate.public_key()
    try:
        if algorithm == SignatureAlgorithm.rs256:
            public_key.verify(signature, message, padding.PKCS1v15(), hashes.SHA256())
        else:
            half = len(signature) // 2
            der_signature = encode_dss_signature(int.from_bytes(signature[:half], "big"), int.from_bytes(signature[half:], "big"))
            public_key.verify(der_signature, message, ec.ECDSA(hashes.SHA256()))
        return True
    except InvalidSignature:
        return False


def signed_by(certificate, issuer_public_key):
    """Whether `issuer_public_key` verifies the certificate's signature (cryptography 38 has no
    verify_directly_issued_by, so this is that check for the RSA and EC keys Key Vault makes)."""
    try:
        if isinstance(issuer_public_key, ec.EllipticCurvePublicKey):
            issuer_public_key.verify(certificate.signature, certificate.tbs_certificate_bytes, ec.ECDSA(certificate.signature_hash_algorithm))
        else:
            issuer_public_key.verify(certificate.signature, certificate.tbs_certificate_bytes, padding.PKCS1v15(), certificate.signature_hash_algorithm)
        return True
    except InvalidSignature:
        return False


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

    def create_issued(self, name, **policy):
        client = self.certificates()
        poller = client.begin_create_certificate(
            name, CertificatePolicy(issuer_name="Self", subject=f"CN={name}", **policy), _polling_interval=0.2
        )
        return poller.result()

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


    def test_properties_updated(self):
        name = unique_name("props")
        issued = self.create_issued(name)
        client = self.certificates()

        # No version: the latest (PATCH /certificates/{name}/).
        updated = client.update_certificate_properties(name, enabled=False, tags={"env": "conformance", "sdk": "python"})

        self.assertEqual(updated.properties.version, issued.properties.version)
        self.assertFalse(updated.properties.enabled)
        self.assertEqual(updated.properties.tags, {"env": "conformance", "sdk": "python"})
        read = client.get_certificate(name)
        self.assertFalse(read.properties.enabled)
        self.assertEqual(read.properties.tags, {"env": "conformance", "sdk": "python"})
        with self.assertRaises(HttpResponseError) as raised:
            self.secrets().get_secret(name, issued.properties.version)
        self.assertEqual(raised.exception.status_code, 403)
        self.assertEqual(raised.exception.error.code, "Forbidden")
        self.assertEqual(raised.exception.error.message, "Operation get is not allowed on a disabled secret.")

    def test_policy_updated(self):
        name = unique_name("policy")
        self.create_issued(name, validity_in_months=12)
        client = self.certificates()

        returned = client.update_certificate_policy(
            name, CertificatePolicy(issuer_name="Self", subject="CN=updated.python-sdk.example", validity_in_months=6)
        )

        self.assertEqual(returned.subject, "CN=updated.python-sdk.example")
        policy = client.get_certificate_policy(name)
        self.assertEqual(policy.subject, "CN=updated.python-sdk.example")
        self.assertEqual(policy.validity_in_months, 6)
        # Merged: what the update did not name stays.
        self.assertEqual((policy.issuer_name, policy.key_type, policy.key_size), ("Self", "RSA", 2048))

    def test_certificate_versions_listed(self):
        name = unique_name("versions")
        first = self.create_issued(name)
        second = self.create_issued(name)

        listed = list(self.certificates().list_properties_of_certificate_versions(name))

        versions = sorted([first.properties.version, second.properties.version])
        self.assertEqual(sorted(p.version for p in listed), versions)
        self.assertEqual(sorted(p.id for p in listed), [f"{required_env('KV_VAULT_URL')}/certificates/{name}/{v}" for v in versions])

    def test_issuer_and_contacts_managed(self):
        client = self.certificates()
        issuer = unique_name("issuer")
        created = client.create_issuer(issuer, "Test", account_id="conformance-account", password="issuer-secret", organization_id="org-1")
        self.assertEqual((created.name, created.provider, created.account_id, created.password), (issuer, "Test", "conformance-account", None))
        self.assertEqual(client.get_issuer(issuer).organization_id, "org-1")
        updated = client.update_issuer(issuer, organization_id="org-2")
        self.assertEqual((updated.provider, updated.account_id, updated.organization_id), ("Test", "conformance-account", "org-2"))
        self.assertEqual(client.get_issuer(issuer).organization_id, "org-2")
        self.assertEqual(client.delete_issuer(issuer).name, issuer)
        with self.assertRaises(ResourceNotFoundError) as raised:
            client.get_issuer(issuer)
        self.assertEqual(raised.exception.error.code, "CertificateIssuerNotFound")

        wanted = [("ops@conformance.example", "Ops", "555-0100"), ("only-mail@conformance.example", None, None)]
        contacts = [CertificateContact(email=email, name=name, phone=phone) for email, name, phone in wanted]
        as_tuples = lambda found: [(c.email, c.name, c.phone) for c in found]  # noqa: E731
        self.assertEqual(as_tuples(client.set_contacts(contacts)), wanted)
        self.assertEqual(as_tuples(client.get_contacts()), wanted)
        self.assertEqual(as_tuples(client.delete_contacts()), wanted)
        with self.assertRaises(ResourceNotFoundError) as raised:
            client.get_contacts()
        self.assertEqual(raised.exception.error.code, "ContactsNotFound")

    def test_certificate_imported(self):
        name = unique_name("import")
        key = ec.generate_private_key(ec.SECP256R1())
        certificate = self_signed_with_key("imported.python-sdk.example", key)
        pfx = pkcs12.serialize_key_and_certificates(
            b"imported", key, certificate, None, serialization.BestAvailableEncryption(b"import-pw")
        )
        client = self.certificates()

        imported = client.import_certificate(name, pfx, password="import-pw")

        self.assertEqual(bytes(imported.cer), der(certificate))
        read = client.get_certificate(name)
        self.assertEqual(bytes(read.cer), der(certificate))
        self.assertEqual((read.policy.issuer_name, read.policy.key_type, read.policy.key_curve_name), ("Unknown", "EC", "P-256"))
        secret = self.secrets().get_secret(name)
        secret_key, leaf, _ = pkcs12.load_key_and_certificates(base64.b64decode(secret.value), password=None)
        self.assertEqual(der(leaf), der(certificate))
        self.assertEqual(spki(secret_key.public_key()), spki(key.public_key()), "the secret's key is not the imported key")

    def delete_and_purge(self, name):
        """Soft delete with the SDK's poller waited to completion, then purge: the name is free again."""
        client = self.certificates()
        client.begin_delete_certificate(name, _polling_interval=0.2).wait()
        client.purge_deleted_certificate(name)

    def test_backup_restored(self):
        name = unique_name("backup")
        issued = self.create_issued(name)
        client = self.certificates()

        backup = client.backup_certificate(name)

        self.assertIsInstance(backup, bytes)
        self.assertGreater(len(backup), len(issued.cer))
        # Decoded and authenticated by the service (a blob it cannot open is 400), then refused: the name is live.
        with self.assertRaises(ResourceExistsError) as raised:
            client.restore_certificate_backup(backup)
        self.assertEqual((raised.exception.status_code, raised.exception.error.code), (409, "Conflict"))
        self.delete_and_purge(name)
        with self.assertRaises(ResourceNotFoundError):
            client.get_certificate(name)

        restored = client.restore_certificate_backup(backup)

        self.assertEqual((restored.name, restored.properties.version), (name, issued.properties.version))
        self.assertEqual(restored.properties.vault_url, required_env("KV_VAULT_URL"))
        read = client.get_certificate(name)
        self.assertEqual(read.properties.version, issued.properties.version)
        self.assertEqual(bytes(read.cer), bytes(issued.cer))
        secret = self.secrets().get_secret(name, issued.properties.version)
        secret_key, leaf, _ = pkcs12.load_key_and_certificates(base64.b64decode(secret.value), password=None)
        self.assertEqual(der(leaf), bytes(issued.cer))
        self.assertEqual(spki(secret_key.public_key()), spki(leaf.public_key()))

    def test_certificate_deleted_and_recovered(self):
        name = unique_name("softdelete")
        issued = self.create_issued(name)
        client = self.certificates()
        recovery_id = f"{required_env('KV_VAULT_URL')}/deletedcertificates/{name}"

        # result() is the DELETE's answer; wait() polls GET /deletedcertificates/{name} until it answers.
        poller = client.begin_delete_certificate(name, _polling_interval=0.2)
        poller.wait()

        self.assertTrue(poller.done())
        self.assertEqual((poller.result().name, poller.result().recovery_id), (name, recovery_id))
        read = client.get_deleted_certificate(name)
        self.assertEqual((read.recovery_id, read.properties.version), (recovery_id, issued.properties.version))
        self.assertIsInstance(read.deleted_on, datetime.datetime)
        self.assertGreater(read.scheduled_purge_date, read.deleted_on)
        with self.assertRaises(ResourceNotFoundError) as raised:
            client.get_certificate(name)
        self.assertEqual(raised.exception.error.code, "CertificateNotFound")

        recovering = client.begin_recover_deleted_certificate(name, _polling_interval=0.2)
        recovering.wait()

        self.assertEqual(recovering.result().properties.version, issued.properties.version)
        live = client.get_certificate(name)
        self.assertEqual(live.properties.version, issued.properties.version)
        self.assertEqual(bytes(live.cer), bytes(issued.cer))

        self.delete_and_purge(name)
        with self.assertRaises(ResourceNotFoundError) as raised:
            client.get_deleted_certificate(name)
        self.assertEqual(raised.exception.error.code, "CertificateNotFound")

    def test_certificates_listed(self):
        prefix = unique_name("listed")
        kept, removed = f"{prefix}-kept", f"{prefix}-removed"
        pending = [f"{prefix}-pending-{i:02d}" for i in range(PENDING_TO_SPAN_PAGES)]
        client = self.certificates()
        kept_issued = self.create_issued(kept)
        self.create_issued(removed)
        pending_policy = CertificatePolicy(issuer_name="Unknown", subject="CN=listed.python-sdk.example", key_type="EC", key_curve_name="P-256")
        for name in pending:
            client.begin_create_certificate(name, pending_policy)

        def listed(include_pending):
            names, pages = [], 0
            for page in client.list_properties_of_certificates(include_pending=include_pending).by_page():
                pages += 1
                names.extend(p.name for p in page if p.name.startswith(prefix))
            return sorted(names), pages

        names, pages = listed(True)
        self.assertEqual(names, [kept, *pending, removed])
        self.assertGreater(pages, 1, "the list should span pages")
        self.assertEqual(listed(False)[0], [kept, removed])
        listed_kept = next(p for p in client.list_properties_of_certificates() if p.name == kept)
        # A list item names the certificate, not a version; it carries the thumbprint of the latest version.
        self.assertEqual(listed_kept.id, f"{required_env('KV_VAULT_URL')}/certificates/{kept}")
        self.assertEqual(bytes(listed_kept.x509_thumbprint), bytes(kept_issued.properties.x509_thumbprint))

        client.begin_delete_certificate(removed, _polling_interval=0.2).wait()

        self.assertEqual(listed(True)[0], [kept, *pending])
        deleted = [d for d in client.list_deleted_certificates() if d.name.startswith(prefix)]
        self.assertEqual([(d.name, d.recovery_id) for d in deleted], [(removed, f"{required_env('KV_VAULT_URL')}/deletedcertificates/{removed}")])
        self.assertIsInstance(deleted[0].deleted_on, datetime.datetime)
        self.assertIsInstance(deleted[0].scheduled_purge_date, datetime.datetime)

    def test_key_signs_with_certificate_key(self):
        cases = [
            ("rsa", {"key_type": "RSA", "key_size": 2048}, SignatureAlgorithm.rs256),
            ("ec", {"key_type": "EC", "key_curve_name": "P-256"}, SignatureAlgorithm.es256),
        ]
        for label, policy, algorithm in cases:
            with self.subTest(key=label):
                issued = self.create_issued(unique_name(f"sign-{label}"), **policy)
                crypto = CryptographyClient(issued.key_id, RecordingCredential(required_env("KV_TOKEN")), verify_challenge_resource=False)
                self.addCleanup(crypto.close)
                message = f"signed by the {label} key of a certificate".encode()
                digest = hashes.Hash(hashes.SHA256())
                digest.update(message)

                signed = crypto.sign(algorithm, digest.finalize())

                self.assertEqual(signed.key_id, issued.key_id)
                certificate = x509.load_der_x509_certificate(bytes(issued.cer))
                self.assertTrue(verifies(certificate, algorithm, signed.signature, message), "the certificate's public key does not verify the signature")
                self.assertFalse(verifies(certificate, algorithm, signed.signature, b"something else"))

    def test_private_ca_issued(self):
        client = self.certificates()
        ca_name, issuer_name, leaf_name = unique_name("ca"), unique_name("private-ca"), unique_name("ca-leaf")
        # A CA is a certificate whose policy asks for keyCertSign (docs/private-ca.md); no EKU, which would limit
        # every certificate below it.
        ca_issued = self.create_issued(
            ca_name,
            key_type="EC",
            key_curve_name="P-256",
            key_usage=[KeyUsageType.key_cert_sign, KeyUsageType.crl_sign],
            enhanced_key_usage=[],
        )
        issuer = client.create_issuer(issuer_name, "PrivateCA", account_id=ca_name)
        self.assertEqual((issuer.provider, issuer.account_id), ("PrivateCA", ca_name))

        poller = client.begin_create_certificate(
            leaf_name, CertificatePolicy(issuer_name=issuer_name, subject=f"CN={leaf_name}.python-sdk.example"), _polling_interval=0.2
        )
        issued = poller.result()

        self.assertEqual(poller.status(), "completed")
        self.assertEqual(issued.policy.issuer_name, issuer_name)
        ca = x509.load_der_x509_certificate(bytes(ca_issued.cer))
        leaf = x509.load_der_x509_certificate(bytes(issued.cer))
        self.assertEqual(leaf.subject.rfc4514_string(), f"CN={leaf_name}.python-sdk.example")
        self.assertEqual(leaf.issuer, ca.subject)
        self.assertTrue(signed_by(leaf, ca.public_key()), "the leaf's signature does not verify with the CA's public key")
        self.assertFalse(signed_by(leaf, ec.generate_private_key(ec.SECP256R1()).public_key()), "the leaf verifies with an unrelated key")


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
