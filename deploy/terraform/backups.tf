# The bucket `orchestrator backup` writes to (docs/backups.md, ADR 0086): one per
# deployment, a prefix per environment (dev/, prod/). Encrypted by default with the
# deployment's KMS key, versioned so that an overwritten or deleted backup can still be
# had back for a while, closed to the public and to plain HTTP, and emptied of old backups
# by a lifecycle rule per environment.

module "backup_bucket" {
  source          = "./modules/private-bucket"
  bucket          = coalesce(var.backup_bucket_name, "${var.name}-backups")
  kms_key_arn     = aws_kms_key.this.arn
  tags            = local.tags
  versioned       = true
  noncurrent_days = var.backup_noncurrent_days
  # What the backup CronJob's role (IRSA, say) needs: write and list its bucket and use
  # the key. A restore needs s3:GetObject too; give that to whoever runs restores.
  access = {
    list_sid       = "ListBackups"
    objects_sid    = "WriteAndReadBackups"
    object_actions = ["s3:PutObject", "s3:GetObject", "s3:AbortMultipartUpload"]
  }
  # One rule per environment, written out: the set is fixed (dev, prod).
  expirations = [
    { id = "expire-dev-backups", prefix = "dev/", days = var.backup_retention_days["dev"] },
    { id = "expire-prod-backups", prefix = "prod/", days = var.backup_retention_days["prod"] },
  ]
}
