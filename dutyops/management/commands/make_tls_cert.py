"""manage.py make_tls_cert DIR: a self-signed certificate for nginx on first start.

The compose topology runs it before nginx. If DIR already holds tls.crt and
tls.key (the real certificate an administrator put there), it changes nothing.
"""

import datetime
import ipaddress
import os
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID
from django.core.management.base import BaseCommand

VALID_DAYS = 825  # the longest lifetime browsers accept for a server certificate


def self_signed(names, now=None):
    """(certificate PEM, private key PEM) for the given DNS names / IP addresses."""
    now = now or datetime.datetime.now(datetime.UTC)
    key = ec.generate_private_key(ec.SECP256R1())
    subject = x509.Name(
        [x509.NameAttribute(NameOID.COMMON_NAME, names[0]), x509.NameAttribute(NameOID.ORGANIZATION_NAME, "DutyOps")]
    )
    alternatives = []
    for name in names:
        try:
            alternatives.append(x509.IPAddress(ipaddress.ip_address(name)))
        except ValueError:
            alternatives.append(x509.DNSName(name))
    certificate = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5))
        .not_valid_after(now + datetime.timedelta(days=VALID_DAYS))
        .add_extension(x509.SubjectAlternativeName(alternatives), critical=False)
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(x509.ExtendedKeyUsage([x509.oid.ExtendedKeyUsageOID.SERVER_AUTH]), critical=False)
        .sign(key, hashes.SHA256())
    )
    key_pem = key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    return certificate.public_bytes(serialization.Encoding.PEM), key_pem


class Command(BaseCommand):
    help = "Write DIR/tls.crt and DIR/tls.key (self-signed) unless a certificate is already there."

    def add_arguments(self, parser):
        parser.add_argument("directory")
        parser.add_argument(
            "--names",
            default=os.environ.get("DUTYOPS_TLS_NAMES") or os.environ.get("DUTYOPS_ALLOWED_HOSTS", "localhost"),
            help="comma-separated host names and addresses the certificate is for",
        )

    def handle(self, directory, names, **options):
        folder = Path(directory)
        crt, key = folder / "tls.crt", folder / "tls.key"
        if crt.exists() and key.exists():
            self.stdout.write(f"{crt}: kept (a certificate is already there)")
            return
        folder.mkdir(parents=True, exist_ok=True)
        cert_pem, key_pem = self_signed([n.strip() for n in names.split(",") if n.strip()] or ["localhost"])
        fd = os.open(key, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "wb") as out:
            out.write(key_pem)
        crt.write_bytes(cert_pem)
        self.stdout.write(f"{crt}: self-signed for {names}; replace tls.crt and tls.key with the real ones")
