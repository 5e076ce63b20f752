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

resource "aws_s3_bucket" "payloads" {
  # checkov:skip=CKV_AWS_18: Access logging needs a second bucket per deployment; the services' reads and writes are in CloudTrail's data events when the account enables them.
  # checkov:skip=CKV_AWS_21: Not versioned on purpose: objects are deleted with their rows by retention (see above), and versions would keep what retention deleted.
  # checkov:skip=CKV_AWS_144: Cross-region replication is the caller's choice of a second region and its key; this module keeps one region per deployment.
  # checkov:skip=CKV2_AWS_62: Nothing consumes object events; the services write and read their own objects synchronously.
  bucket        = coalesce(var.payload_bucket_name, "${var.name}-payloads")
  force_destroy = false
  tags          = local.tags
}

resource "aws_s3_bucket_ownership_controls" "payloads" {
  bucket = aws_s3_bucket.payloads.id
  rule {
    object_ownership = "BucketOwnerEnforced"
  }
}

resource "aws_s3_bucket_public_access_block" "payloads" {
  bucket                  = aws_s3_bucket.payloads.id
  block_public_acls       = true
  block_public_policy     = true
  ignore_public_acls      = true
  restrict_public_buckets = true
}

resource "aws_s3_bucket_server_side_encryption_configuration" "payloads" {
  bucket = aws_s3_bucket.payloads.id
  rule {
    apply_server_side_encryption_by_default {
      sse_algorithm     = "aws:kms"
      kms_master_key_id = aws_kms_key.this.arn
    }
    # One data key per bucket, not per object: fewer KMS requests for the same protection.
    bucket_key_enabled = true
  }
}

resource "aws_s3_bucket_lifecycle_configuration" "payloads" {
  bucket = aws_s3_bucket.payloads.id

  # The services put each object in one request, but a multipart upload begun by anything
  # else (a copy, a tool) and never finished leaves parts that cost and serve nothing.
  rule {
    id     = "abort-incomplete-uploads"
    status = "Enabled"
    filter {}
    abort_incomplete_multipart_upload {
      days_after_initiation = 1
    }
  }
}

data "aws_iam_policy_document" "payloads_bucket" {
  statement {
    sid       = "DenyPlainHTTP"
    effect    = "Deny"
    actions   = ["s3:*"]
    resources = [aws_s3_bucket.payloads.arn, "${aws_s3_bucket.payloads.arn}/*"]
    principals {
      type        = "*"
      identifiers = ["*"]
    }
    condition {
      test     = "Bool"
      variable = "aws:SecureTransport"
      values   = ["false"]
    }
  }
}

resource "aws_s3_bucket_policy" "payloads" {
  bucket = aws_s3_bucket.payloads.id
  policy = data.aws_iam_policy_document.payloads_bucket.json
  # A bucket policy is refused while the public access block is being applied.
  depends_on = [aws_s3_bucket_public_access_block.payloads]
}

# What the services' role (the IRSA role of the control-api, exec-api, webhook-ingress and
# worker service accounts, say) needs: put, read and delete the objects (retention and the
# DLQ purge delete them in batches, which S3 authorises as s3:DeleteObject), and use the key
# the bucket encrypts with. s3:ListBucket only so that a missing object answers NoSuchKey
# (the services' `payload-unreadable`) rather than AccessDenied, which they would take for
# a store that is down and retry; it lists keys, never contents.
data "aws_iam_policy_document" "payload_access" {
  statement {
    sid       = "TellMissingFromRefused"
    actions   = ["s3:ListBucket"]
    resources = [aws_s3_bucket.payloads.arn]
  }
  statement {
    sid       = "PutReadDeletePayloads"
    actions   = ["s3:PutObject", "s3:GetObject", "s3:DeleteObject"]
    resources = ["${aws_s3_bucket.payloads.arn}/*"]
  }
  statement {
    sid       = "EncryptWithTheDeploymentKey"
    actions   = ["kms:GenerateDataKey", "kms:Decrypt"]
    resources = [aws_kms_key.this.arn]
  }
}
