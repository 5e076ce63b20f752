# Managed dependencies of one Orchestrator deployment (one release per service): PostgreSQL on
# RDS, Redis on ElastiCache, and the secrets the services and `orchestrator migrate`
# read, all encrypted with one customer-managed KMS key. The Kubernetes side (the Helm
# chart in deploy/helm) reads the secrets through Kubernetes Secrets that an operator
# such as External Secrets builds from the ARNs this module outputs.

data "aws_caller_identity" "current" {}
data "aws_partition" "current" {}

locals {
  tags = merge({ "app.kubernetes.io/part-of" = "orchestrator", "orchestrator/deployment" = var.name }, var.tags)
}

# ------------------------------------------------------------------------------- KMS

data "aws_iam_policy_document" "kms" {
  # The account administers and uses the key through IAM policies (AWS's default key
  # policy); RDS, ElastiCache and Secrets Manager use it on the account's behalf.
  # checkov:skip=CKV_AWS_109: A key policy's Resource "*" means this key only; access is delegated to the account's IAM policies, AWS's default key policy.
  # checkov:skip=CKV_AWS_111: Same: kms:* on this key for the account root is AWS's default key policy; IAM policies narrow it per principal.
  # checkov:skip=CKV_AWS_356: Same: in a key policy "*" cannot name anything but the key the policy is attached to.
  statement {
    sid       = "AccountAdministersThroughIAM"
    actions   = ["kms:*"]
    resources = ["*"]
    principals {
      type        = "AWS"
      identifiers = ["arn:${data.aws_partition.current.partition}:iam::${data.aws_caller_identity.current.account_id}:root"]
    }
  }
}

resource "aws_kms_key" "this" {
  description             = "${var.name}: Orchestrator database, Redis and secrets"
  enable_key_rotation     = true
  deletion_window_in_days = 30
  policy                  = data.aws_iam_policy_document.kms.json
  tags                    = local.tags
}

resource "aws_kms_alias" "this" {
  name          = "alias/${var.name}"
  target_key_id = aws_kms_key.this.key_id
}

# --------------------------------------------------------------------------- network

resource "aws_security_group" "db" {
  name        = "${var.name}-postgres"
  description = "PostgreSQL for ${var.name}: reachable from the Orchestrator services only"
  vpc_id      = var.vpc_id
  tags        = local.tags

  ingress {
    description     = "PostgreSQL from the Orchestrator services"
    from_port       = 5432
    to_port         = 5432
    protocol        = "tcp"
    security_groups = var.client_security_group_ids
  }
  # No egress rule: the database starts no connection.
}

resource "aws_security_group" "redis" {
  name        = "${var.name}-redis"
  description = "Redis for ${var.name}: reachable from the Orchestrator services only"
  vpc_id      = var.vpc_id
  tags        = local.tags

  ingress {
    description     = "Redis from the Orchestrator services"
    from_port       = 6379
    to_port         = 6379
    protocol        = "tcp"
    security_groups = var.client_security_group_ids
  }
  # No egress rule: Redis starts no connection.
}

# ------------------------------------------------------------------------ PostgreSQL

resource "aws_db_subnet_group" "this" {
  name        = var.name
  description = "Private subnets of ${var.name}"
  subnet_ids  = var.subnet_ids
  tags        = local.tags
}

resource "aws_db_parameter_group" "this" {
  name        = var.name
  family      = var.db_parameter_group_family
  description = "Orchestrator ${var.name}: TLS only, slow and DDL statements logged"
  tags        = local.tags

  parameter {
    name  = "rds.force_ssl"
    value = "1"
  }
  parameter {
    name  = "log_min_duration_statement"
    value = "500"
  }
  parameter {
    name  = "log_statement"
    value = "ddl"
  }
  parameter {
    name  = "log_connections"
    value = "1"
  }

  lifecycle {
    create_before_destroy = true
  }
}

data "aws_iam_policy_document" "rds_monitoring_assume" {
  statement {
    actions = ["sts:AssumeRole"]
    principals {
      type        = "Service"
      identifiers = ["monitoring.rds.amazonaws.com"]
    }
  }
}

resource "aws_iam_role" "rds_monitoring" {
  name               = "${var.name}-rds-monitoring"
  assume_role_policy = data.aws_iam_policy_document.rds_monitoring_assume.json
  tags               = local.tags
}

resource "aws_iam_role_policy_attachment" "rds_monitoring" {
  role       = aws_iam_role.rds_monitoring.name
  policy_arn = "arn:${data.aws_partition.current.partition}:iam::aws:policy/service-role/AmazonRDSEnhancedMonitoringRole"
}

resource "aws_db_instance" "this" {
  identifier     = var.name
  engine         = "postgres"
  engine_version = var.db_engine_version
  instance_class = var.db_instance_class
  db_name        = var.db_name
  port           = 5432

  # The owner role (ADR 0004). RDS generates its password and keeps it in Secrets
  # Manager under our KMS key, so it is never in the Terraform state.
  username                      = var.db_owner_username
  manage_master_user_password   = true
  master_user_secret_kms_key_id = aws_kms_key.this.arn
  # The services authenticate with passwords (libpq URLs in DATABASE_URL and
  # ORCH_DATABASE_APP_URL); IAM authentication is available besides, for people.
  iam_database_authentication_enabled = true

  allocated_storage     = var.db_allocated_storage_gb
  max_allocated_storage = var.db_max_allocated_storage_gb
  storage_type          = "gp3"
  storage_encrypted     = true
  kms_key_id            = aws_kms_key.this.arn

  db_subnet_group_name   = aws_db_subnet_group.this.name
  vpc_security_group_ids = [aws_security_group.db.id]
  publicly_accessible    = false
  multi_az               = var.db_multi_az
  parameter_group_name   = aws_db_parameter_group.this.name

  backup_retention_period   = var.db_backup_retention_days
  copy_tags_to_snapshot     = true
  delete_automated_backups  = false
  deletion_protection       = var.deletion_protection
  skip_final_snapshot       = false
  final_snapshot_identifier = "${var.name}-final"

  auto_minor_version_upgrade      = true
  allow_major_version_upgrade     = false
  apply_immediately               = false
  enabled_cloudwatch_logs_exports = ["postgresql", "upgrade"]
  monitoring_interval             = var.db_monitoring_interval
  monitoring_role_arn             = aws_iam_role.rds_monitoring.arn
  performance_insights_enabled    = true
  performance_insights_kms_key_id = aws_kms_key.this.arn

  tags = local.tags

  depends_on = [aws_iam_role_policy_attachment.rds_monitoring]
}

# ----------------------------------------------------------------------------- Redis

resource "aws_elasticache_subnet_group" "this" {
  name        = var.name
  description = "Private subnets of ${var.name}"
  subnet_ids  = var.subnet_ids
  tags        = local.tags
}

resource "aws_elasticache_replication_group" "this" {
  replication_group_id = var.name
  description          = "Orchestrator ${var.name}: Dramatiq broker, pub/sub, rate limits"
  engine               = "redis"
  engine_version       = var.redis_engine_version
  parameter_group_name = var.redis_parameter_group_name
  node_type            = var.redis_node_type
  port                 = 6379

  num_cache_clusters         = var.redis_replicas + 1
  automatic_failover_enabled = true
  multi_az_enabled           = true

  subnet_group_name  = aws_elasticache_subnet_group.this.name
  security_group_ids = [aws_security_group.redis.id]

  at_rest_encryption_enabled = true
  kms_key_id                 = aws_kms_key.this.arn
  transit_encryption_enabled = true # REDIS_URL is rediss://
  auth_token                 = var.redis_auth_token

  snapshot_retention_limit   = var.redis_snapshot_retention_days
  auto_minor_version_upgrade = true
  apply_immediately          = false

  tags = local.tags
}

# --------------------------------------------------------------------------- secrets

# ORCH_KEK (ADR 0008): base64 of 32 random bytes. Terraform creates the secret and never
# its value, so the key that wraps every data key is in no plan and no state. Put it once:
#   aws secretsmanager put-secret-value --secret-id <kek_secret_arn> \
#     --secret-string "$(openssl rand -base64 32)"
resource "aws_secretsmanager_secret" "kek" {
  name        = "${var.name}/kek"
  description = "ORCH_KEK of ${var.name}: base64 of 32 bytes; read by the control-api and the migration Job"
  kms_key_id  = aws_kms_key.this.arn
  # checkov:skip=CKV2_AWS_57: A KEK is rotated by `envelope.rewrap` (ADR 0008) with a new ORCH_KEK_ID, not by a Secrets Manager rotation Lambda.
  tags = local.tags
}

# ORCH_DB_APP_PASSWORD: the runtime role's password, which `orchestrator migrate` sets.
# Generated by Secrets Manager as an ephemeral value and written write-only: never in
# the state. Bump db_app_password_version to write a new one.
ephemeral "aws_secretsmanager_random_password" "db_app" {
  password_length     = 40
  exclude_punctuation = true
}

resource "aws_secretsmanager_secret" "db_app_password" {
  name        = "${var.name}/db-app-password"
  description = "ORCH_DB_APP_PASSWORD of ${var.name}: password of the ${var.db_app_role} runtime role"
  kms_key_id  = aws_kms_key.this.arn
  # checkov:skip=CKV2_AWS_57: Rotating it means writing a new version and running `orchestrator migrate`, which sets it on the role; a rotation Lambda could not do the second step.
  tags = local.tags
}

resource "aws_secretsmanager_secret_version" "db_app_password" {
  secret_id                = aws_secretsmanager_secret.db_app_password.id
  secret_string_wo         = ephemeral.aws_secretsmanager_random_password.db_app.random_password
  secret_string_wo_version = var.db_app_password_version
}

# The Redis AUTH token, for building REDIS_URL in the cluster. Written write-only; the
# version follows the token, so changing redis_auth_token rewrites the secret too.
resource "aws_secretsmanager_secret" "redis_auth" {
  name        = "${var.name}/redis-auth-token"
  description = "AUTH token of ${var.name}'s Redis (REDIS_URL is rediss://:<token>@<endpoint>:6379/0)"
  kms_key_id  = aws_kms_key.this.arn
  # checkov:skip=CKV2_AWS_57: The token is ElastiCache's auth_token; it changes through this module (redis_auth_token), not through a rotation Lambda.
  tags = local.tags
}

resource "aws_secretsmanager_secret_version" "redis_auth" {
  secret_id                = aws_secretsmanager_secret.redis_auth.id
  secret_string_wo         = var.redis_auth_token
  secret_string_wo_version = parseint(substr(sha256(var.redis_auth_token), 0, 8), 16)
}
