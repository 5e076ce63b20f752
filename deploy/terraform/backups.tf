# The bucket `orchestrator backup` writes to (docs/backups.md, ADR 0086): one per
# deployment, a prefix per environment (dev/, prod/). Encrypted by default with the
# deployment's KMS key, versioned so that an overwritten or deleted backup can still be
# had back for a while, closed to the public and to plain HTTP, and emptied of old backups
# by a lifecycle rule per environment.

resource "aws_s3_bucket" "backups" {
  # checkov:skip=CKV_AWS_18: Access logging needs a second bucket per deployment; the backup CronJob's and the restore's reads and writes are in CloudTrail's data events when the account enables them.
  # checkov:skip=CKV_AWS_144: Cross-region replication is the caller's choice of a second region and its key; this module keeps one region per deployment.
  # checkov:skip=CKV2_AWS_62: Nothing consumes object events; a missed backup is alerted on from the CronJob's failed Job, not from the bucket.
  bucket        = coalesce(var.backup_bucket_name, "${var.name}-backups")
  force_destroy = false
  tags          = local.tags
}

resource "aws_s3_bucket_ownership_controls" "backups" {
  bucket = aws_s3_bucket.backups.id
  rule {
    object_ownership = "BucketOwnerEnforced"
  }
}

resource "aws_s3_bucket_public_access_block" "backups" {
  bucket                  = aws_s3_bucket.backups.id
  block_public_acls       = true
  block_public_policy     = true
  ignore_public_acls      = true
  restrict_public_buckets = true
}

resource "aws_s3_bucket_versioning" "backups" {
  bucket = aws_s3_bucket.backups.id
  versioning_configuration {
    status = "Enabled"
  }
}

resource "aws_s3_bucket_server_side_encryption_configuration" "backups" {
  bucket = aws_s3_bucket.backups.id
  rule {
    apply_server_side_encryption_by_default {
      sse_algorithm     = "aws:kms"
      kms_master_key_id = aws_kms_key.this.arn
    }
    # One data key per bucket, not per object: fewer KMS requests for the same protection.
    bucket_key_enabled = true
  }
}

resource "aws_s3_bucket_lifecycle_configuration" "backups" {
  bucket = aws_s3_bucket.backups.id
  # Versioning must be on first, or the noncurrent-version rule has nothing to act on.
  depends_on = [aws_s3_bucket_versioning.backups]

  # One rule per environment, written out: the set is fixed (dev, prod).
  rule {
    id     = "expire-dev-backups"
    status = "Enabled"
    filter {
      prefix = "dev/"
    }
    expiration {
      days = var.backup_retention_days["dev"]
    }
    # A backup expired or overwritten stays recoverable this much longer.
    noncurrent_version_expiration {
      noncurrent_days = var.backup_noncurrent_days
    }
  }

  rule {
    id     = "expire-prod-backups"
    status = "Enabled"
    filter {
      prefix = "prod/"
    }
    expiration {
      days = var.backup_retention_days["prod"]
    }
    # A backup expired or overwritten stays recoverable this much longer.
    noncurrent_version_expiration {
      noncurrent_days = var.backup_noncurrent_days
    }
  }

  # A backup whose upload died half-way (a killed pod) leaves parts that cost and serve
  # nothing: whatever the prefix.
  rule {
    id     = "abort-incomplete-uploads"
    status = "Enabled"
    filter {}
    abort_incomplete_multipart_upload {
      days_after_initiation = 1
    }
  }
}

data "aws_iam_policy_document" "backups_bucket" {
  statement {
    sid       = "DenyPlainHTTP"
    effect    = "Deny"
    actions   = ["s3:*"]
    resources = [aws_s3_bucket.backups.arn, "${aws_s3_bucket.backups.arn}/*"]
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

resource "aws_s3_bucket_policy" "backups" {
  bucket = aws_s3_bucket.backups.id
  policy = data.aws_iam_policy_document.backups_bucket.json
  # A bucket policy is refused while the public access block is being applied.
  depends_on = [aws_s3_bucket_public_access_block.backups]
}

# What the backup CronJob's role (IRSA, say) needs: write and list its bucket and use the
# key. A restore needs s3:GetObject too; give that to whoever runs restores.
data "aws_iam_policy_document" "backup_writer" {
  statement {
    sid       = "ListBackups"
    actions   = ["s3:ListBucket"]
    resources = [aws_s3_bucket.backups.arn]
  }
  statement {
    sid       = "WriteAndReadBackups"
    actions   = ["s3:PutObject", "s3:GetObject", "s3:AbortMultipartUpload"]
    resources = ["${aws_s3_bucket.backups.arn}/*"]
  }
  statement {
    sid       = "EncryptWithTheDeploymentKey"
    actions   = ["kms:GenerateDataKey", "kms:Decrypt"]
    resources = [aws_kms_key.this.arn]
  }
}
