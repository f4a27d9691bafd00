"""TLS to a remote engine: the client's context, made once and checked before the first request
(a missing file or a key with a passphrase is said at once, on one line, naming the file), and
each handshake failure said as what it means and what to check.

The engine's certificate is always verified; the CA given (``--tlscacert``, ca.pem) is the only
one trusted, as with the docker CLI. Nothing here ever shows a key's contents or a passphrase.
"""

from __future__ import annotations

import os
import ssl

from .hosts import HostError, TLSConfig


class _Encrypted(Exception):
    """OpenSSL asked for a passphrase: the key is encrypted."""


def _no_passphrase() -> str:
    raise _Encrypted  # never prompt (a kernel has no terminal to prompt on)


def _readable(path: str, what: str) -> None:
    if not os.path.isfile(path):
        raise HostError(f"TLS: the {what} {path} does not exist")
    if not os.access(path, os.R_OK):
        raise HostError(f"TLS: the {what} {path} cannot be read (permission denied)")


def client_context(tls: TLSConfig) -> ssl.SSLContext:
    """The context every TLS connection to this engine uses (the pooled ones and the streams)."""
    if tls.ca_cert:
        _readable(tls.ca_cert, "CA certificate")
    if tls.client_cert:
        _readable(tls.client_cert, "client certificate")
    if tls.client_key:
        _readable(tls.client_key, "client key")
    try:
        ctx = ssl.create_default_context(cafile=tls.ca_cert)
    except ssl.SSLError as exc:
        raise HostError(
            f"TLS: the CA certificate {tls.ca_cert} is not a PEM certificate ({exc.reason or exc})"
        ) from None
    if tls.client_cert:
        try:
            ctx.load_cert_chain(tls.client_cert, tls.client_key, password=_no_passphrase)
        except _Encrypted:
            raise HostError(
                f"TLS: the client key {tls.client_key} is protected by a passphrase, which the "
                "docker CLI cannot use either; decrypt it once: openssl pkey -in KEY -out key.pem"
            ) from None
        except ssl.SSLError as exc:
            why = (
                "the key does not belong to the certificate"
                if "KEY_VALUES_MISMATCH" in str(exc.reason)
                else f"not a PEM certificate and key ({exc.reason or 'unreadable'})"
            )
            raise HostError(
                f"TLS: client certificate {tls.client_cert} and key {tls.client_key}: {why}"
            ) from None
    return ctx


_NO_CLIENT_CERT = (
    "the engine requires a client certificate and none was given",
    "Give --tlscert and --tlskey, or put cert.pem and key.pem in DOCKER_CERT_PATH",
)
_CLIENT_CERT_REFUSED = (
    "the engine refused this client's certificate",
    "cert.pem must be signed by the CA the engine trusts (dockerd --tlscacert) and made for client "
    "use (extendedKeyUsage = clientAuth)",
)

# What the engine's alert says about our side of the handshake: (what it means, what to check).
# A Go engine answers a missing client certificate and a refused one alike (bad_certificate, or
# under TLS 1.3 often a closed connection once the handshake is over): which it is, we know.
_ALERTS = {
    "CERTIFICATE_REQUIRED": None,
    "BAD_CERTIFICATE": None,
    "HANDSHAKE_FAILURE": None,
    "UNKNOWN_CA": (
        "the engine does not trust the CA that signed this client's certificate",
        "cert.pem must be signed by the CA the engine was started with (dockerd --tlscacert)",
    ),
    "UNSUPPORTED_CERTIFICATE": (
        "the engine refused this client's certificate (not made for client use)",
        "Make it with extendedKeyUsage = clientAuth, as Docker's 'Protect the Docker daemon socket' does",
    ),
    "CERTIFICATE_EXPIRED": (
        "the engine says this client's certificate has expired",
        "Make a new cert.pem (or check this machine's clock)",
    ),
    "WRONG_VERSION_NUMBER": (
        "the engine did not answer in TLS",
        "Is this the engine's TLS port (2376)? An engine without --tls is plain tcp:// on 2375",
    ),
}


def tls_failure(cause: BaseException, tls: TLSConfig | None, address: str) -> tuple[str, str]:
    """What a handshake failure means, and what to check, for ``address`` (the engine's host)."""
    if isinstance(cause, ssl.SSLCertVerificationError):
        code, message = cause.verify_code, str(cause.verify_message or cause.reason or cause)
        message = message.rstrip(".")
        trusted = f"{tls.ca_cert}" if tls and tls.ca_cert else "the system's trust store"
        if code in (2, 18, 19, 20, 21):
            return (
                f"the engine's certificate is signed by an authority {trusted} does not hold ({message})",
                "Give the CA that signed the engine's certificate: --tlscacert FILE, or ca.pem in DOCKER_CERT_PATH",
            )
        if code == 10:
            return (
                "the engine's certificate has expired",
                "Renew it on the engine's host (dockerd --tlscert), or check the clocks here and there",
            )
        if code == 9:
            return (
                "the engine's certificate is not valid yet",
                "Check this machine's clock against the engine's",
            )
        if code in (62, 64):  # host name or IP address mismatch
            return (
                f"the engine's certificate does not name {address} ({message})",
                f"Reach it by a name its certificate holds, or reissue it with {address} in its "
                "subjectAltName (DNS:name or IP:address)",
            )
        if code == 26:
            return (
                "the engine's certificate is not made for a server (extendedKeyUsage)",
                "Reissue it with extendedKeyUsage = serverAuth",
            )
        return (
            f"the engine's certificate was refused ({message})",
            "Check its CA, dates and names against --tlscacert and this address",
        )
    reason = str(getattr(cause, "reason", "") or cause)
    client = _CLIENT_CERT_REFUSED if tls and tls.client_cert else _NO_CLIENT_CERT
    if isinstance(cause, ssl.SSLEOFError) or "EOF occurred" in reason:
        return client[0] + " (it closed the connection after the handshake)", client[1]
    for key, said in _ALERTS.items():
        if key in reason:
            what, hint = said or client
            return f"{what} ({reason})", hint
    return (
        f"TLS failure ({reason})",
        "Check DOCKER_CERT_PATH (ca.pem, cert.pem, key.pem) and that the certificate names this host",
    )
