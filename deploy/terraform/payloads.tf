# The payload store's bucket (ADR 0089, docs/operations.md "Large payloads"): webhook
# bodies, job payloads and job outputs larger than ORCH_PAYLOAD_THRESHOLD_BYTES, put by the
# control-api, exec-api, webhook-ingress and worker as <prefix><workspace id>/<kind>/<row id>.
# One per deployment, beside the backups' bucket: encrypted by default with the
# deployment's KMS key (each object is also sealed under the KEK before it leaves the
# service, so the bucket never holds plaintext), closed to the public and to plain HTTP,
# owned by the bucket's account alone.
#
# Not versioned: an object lives exactly as long as the row that names it. Retention and
# the DLQ purge delete a batch's objects in the batch's own transaction, rows and objects
# together. Versions would only keep ciphertext that retention deleted, or that a job's
# later attempt replaced, past the retention the deployment promises, and cost for it.
# The price: a database restored from an older backup may name objects deleted since,
# which then read as `payload-unreadable` (docs/operations.md, "Large payloads"). For the
# same reason no lifecycle rule expires objects by age: retention deletes them with their
# rows, and an object expired under a live row would be a payload lost.

module "payload_bucket" {
  source      = "./modules/private-bucket"
  bucket      = coalesce(var.payload_bucket_name, "${var.name}-payloads")
  kms_key_arn = aws_kms_key.this.arn
  tags        = local.tags
  versioned   = false
  # What the services' role (the IRSA role of the control-api, exec-api, webhook-ingress and
  # worker service accounts, say) needs: put, read and delete the objects (retention and the
  # DLQ purge delete them in batches, which S3 authorises as s3:DeleteObject), and use the key
  # the bucket encrypts with. s3:ListBucket only so that a missing object answers NoSuchKey
  # (the services' `payload-unreadable`) rather than AccessDenied, which they would take for
  # a store that is down and retry; it lists keys, never contents.
  access = {
    list_sid       = "TellMissingFromRefused"
    objects_sid    = "PutReadDeletePayloads"
    object_actions = ["s3:PutObject", "s3:GetObject", "s3:DeleteObject"]
  }
}
