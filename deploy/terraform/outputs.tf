output "db_address" {
  description = "PostgreSQL host name."
  value       = aws_db_instance.this.address
}

output "db_port" {
  description = "PostgreSQL port."
  value       = aws_db_instance.this.port
}

output "db_name" {
  description = "Database name."
  value       = aws_db_instance.this.db_name
}

output "db_owner_username" {
  description = "Owner role (DATABASE_URL of the migration Job)."
  value       = aws_db_instance.this.username
}

output "db_owner_secret_arn" {
  description = "Secrets Manager secret RDS keeps the owner role's password in (JSON: username, password)."
  value       = aws_db_instance.this.master_user_secret[0].secret_arn
}

output "db_app_role" {
  description = "Runtime role the services connect as (ORCH_DB_APP_ROLE)."
  value       = var.db_app_role
}

output "db_app_password_secret_arn" {
  description = "Secret holding ORCH_DB_APP_PASSWORD."
  value       = aws_secretsmanager_secret.db_app_password.arn
}

output "redis_primary_endpoint" {
  description = "Redis primary endpoint (TLS on port 6379: rediss://)."
  value       = aws_elasticache_replication_group.this.primary_endpoint_address
}

output "redis_port" {
  description = "Redis port."
  value       = aws_elasticache_replication_group.this.port
}

output "redis_auth_secret_arn" {
  description = "Secret holding the Redis AUTH token."
  value       = aws_secretsmanager_secret.redis_auth.arn
}

output "kek_secret_arn" {
  description = "Secret to put ORCH_KEK in (Terraform never writes its value)."
  value       = aws_secretsmanager_secret.kek.arn
}

output "kms_key_arn" {
  description = "KMS key encrypting the database, Redis and the secrets (grant kms:Decrypt to whatever syncs the secrets into Kubernetes)."
  value       = aws_kms_key.this.arn
}

output "db_security_group_id" {
  description = "Security group of the database."
  value       = aws_security_group.db.id
}

output "redis_security_group_id" {
  description = "Security group of Redis."
  value       = aws_security_group.redis.id
}

output "backup_bucket" {
  description = "Bucket of `orchestrator backup` (ORCH_BACKUP_BUCKET; the chart's backup.bucket)."
  value       = module.backup_bucket.id
}

output "backup_bucket_arn" {
  description = "ARN of the backup bucket."
  value       = module.backup_bucket.arn
}

output "backup_writer_policy_json" {
  description = "IAM policy for the backup CronJob's role (its service account's IRSA role, say): list, write and read the bucket, use the KMS key."
  value       = module.backup_bucket.access_policy_json
}

output "payload_bucket" {
  description = "Bucket of the payload store (ORCH_PAYLOAD_BUCKET; the chart's payloads.bucket)."
  value       = module.payload_bucket.id
}

output "payload_bucket_arn" {
  description = "ARN of the payload store's bucket."
  value       = module.payload_bucket.arn
}

output "payload_access_policy_json" {
  description = "IAM policy for the services' role (control-api, exec-api, webhook-ingress and worker; their service accounts' IRSA role, say): put, read and delete the payload objects, use the KMS key."
  value       = module.payload_bucket.access_policy_json
}
