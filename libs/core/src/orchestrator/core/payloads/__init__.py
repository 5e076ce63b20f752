"""Large payloads in an S3-compatible bucket, sealed under the deployment's KEK (ADR 0089).

A row whose payload passes ``ORCH_PAYLOAD_THRESHOLD_BYTES`` keeps only a reference (the
object's key) and the SHA-256 of the plaintext; the object holds the payload sealed with
envelope encryption, so the bucket never sees plaintext. No bucket configured, no store:
every payload stays inline.
"""
