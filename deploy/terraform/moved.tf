# Where the buckets' resources went when one module (modules/private-bucket) came to serve
# both: a state written before moves to the module's addresses without a replacement.

moved {
  from = aws_s3_bucket.backups
  to   = module.backup_bucket.aws_s3_bucket.this
}

moved {
  from = aws_s3_bucket_ownership_controls.backups
  to   = module.backup_bucket.aws_s3_bucket_ownership_controls.this
}

moved {
  from = aws_s3_bucket_public_access_block.backups
  to   = module.backup_bucket.aws_s3_bucket_public_access_block.this
}

moved {
  from = aws_s3_bucket_versioning.backups
  to   = module.backup_bucket.aws_s3_bucket_versioning.this[0]
}

moved {
  from = aws_s3_bucket_server_side_encryption_configuration.backups
  to   = module.backup_bucket.aws_s3_bucket_server_side_encryption_configuration.this
}

moved {
  from = aws_s3_bucket_lifecycle_configuration.backups
  to   = module.backup_bucket.aws_s3_bucket_lifecycle_configuration.this
}

moved {
  from = aws_s3_bucket_policy.backups
  to   = module.backup_bucket.aws_s3_bucket_policy.this
}

moved {
  from = aws_s3_bucket.payloads
  to   = module.payload_bucket.aws_s3_bucket.this
}

moved {
  from = aws_s3_bucket_ownership_controls.payloads
  to   = module.payload_bucket.aws_s3_bucket_ownership_controls.this
}

moved {
  from = aws_s3_bucket_public_access_block.payloads
  to   = module.payload_bucket.aws_s3_bucket_public_access_block.this
}

moved {
  from = aws_s3_bucket_server_side_encryption_configuration.payloads
  to   = module.payload_bucket.aws_s3_bucket_server_side_encryption_configuration.this
}

moved {
  from = aws_s3_bucket_lifecycle_configuration.payloads
  to   = module.payload_bucket.aws_s3_bucket_lifecycle_configuration.this
}

moved {
  from = aws_s3_bucket_policy.payloads
  to   = module.payload_bucket.aws_s3_bucket_policy.this
}
