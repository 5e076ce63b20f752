# The provider and Terraform versions are the root module's (versions.tf): this one is
# only ever called from it.

# One private S3 bucket of the deployment (the backups' and the payload store's): encrypted
# by default with the deployment's KMS key, owned by the bucket's account alone, closed to
# the public and to plain HTTP, unfinished multipart uploads aborted; versioned and objects
# expired by prefix as the caller says.

resource "aws_s3_bucket" "this" {
  # checkov:skip=CKV_AWS_18: Access logging needs a second bucket per deployment; the reads and writes are in CloudTrail's data events when the account enables them.
  # checkov:skip=CKV_AWS_21: Versioning is the caller's choice (var.versioned): the payload store's bucket is not versioned on purpose (payloads.tf), the backups' is.
  # checkov:skip=CKV_AWS_144: Cross-region replication is the caller's choice of a second region and its key; this module keeps one region per deployment.
  # checkov:skip=CKV2_AWS_62: Nothing consumes object events: a missed backup is alerted on from the CronJob's failed Job, and the services write and read their own objects synchronously.
  bucket        = var.bucket
  force_destroy = false
  tags          = var.tags
}

resource "aws_s3_bucket_ownership_controls" "this" {
  bucket = aws_s3_bucket.this.id
  rule {
    object_ownership = "BucketOwnerEnforced"
  }
}

resource "aws_s3_bucket_public_access_block" "this" {
  bucket                  = aws_s3_bucket.this.id
  block_public_acls       = true
  block_public_policy     = true
  ignore_public_acls      = true
  restrict_public_buckets = true
}

resource "aws_s3_bucket_versioning" "this" {
  count  = var.versioned ? 1 : 0
  bucket = aws_s3_bucket.this.id
  versioning_configuration {
    status = "Enabled"
  }
}

resource "aws_s3_bucket_server_side_encryption_configuration" "this" {
  bucket = aws_s3_bucket.this.id
  rule {
    apply_server_side_encryption_by_default {
      sse_algorithm     = "aws:kms"
      kms_master_key_id = var.kms_key_arn
    }
    # One data key per bucket, not per object: fewer KMS requests for the same protection.
    bucket_key_enabled = true
  }
}

resource "aws_s3_bucket_lifecycle_configuration" "this" {
  # checkov:skip=CKV_AWS_300: The abort-incomplete-uploads rule below is there for every bucket; checkov loses a static rule written beside dynamic ones (the backups' expirations).
  bucket = aws_s3_bucket.this.id
  # Versioning must be on first, or a noncurrent-version rule has nothing to act on.
  depends_on = [aws_s3_bucket_versioning.this]

  dynamic "rule" {
    for_each = var.expirations
    content {
      id     = rule.value.id
      status = "Enabled"
      filter {
        prefix = rule.value.prefix
      }
      expiration {
        days = rule.value.days
      }
      # An object expired or overwritten stays recoverable this much longer.
      dynamic "noncurrent_version_expiration" {
        for_each = var.versioned && var.noncurrent_days != null ? [var.noncurrent_days] : []
        content {
          noncurrent_days = noncurrent_version_expiration.value
        }
      }
    }
  }

  # A multipart upload that died half-way (a killed pod, a tool) leaves parts that cost and
  # serve nothing: whatever the prefix.
  rule {
    id     = "abort-incomplete-uploads"
    status = "Enabled"
    filter {}
    abort_incomplete_multipart_upload {
      days_after_initiation = 1
    }
  }
}

data "aws_iam_policy_document" "this" {
  statement {
    sid       = "DenyPlainHTTP"
    effect    = "Deny"
    actions   = ["s3:*"]
    resources = [aws_s3_bucket.this.arn, "${aws_s3_bucket.this.arn}/*"]
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

resource "aws_s3_bucket_policy" "this" {
  bucket = aws_s3_bucket.this.id
  policy = data.aws_iam_policy_document.this.json
  # A bucket policy is refused while the public access block is being applied.
  depends_on = [aws_s3_bucket_public_access_block.this]
}

# What the bucket's users need: list it, act on its objects, and use the key it encrypts with.
data "aws_iam_policy_document" "access" {
  statement {
    sid       = var.access.list_sid
    actions   = ["s3:ListBucket"]
    resources = [aws_s3_bucket.this.arn]
  }
  statement {
    sid       = var.access.objects_sid
    actions   = var.access.object_actions
    resources = ["${aws_s3_bucket.this.arn}/*"]
  }
  statement {
    sid       = "EncryptWithTheDeploymentKey"
    actions   = ["kms:GenerateDataKey", "kms:Decrypt"]
    resources = [var.kms_key_arn]
  }
}
