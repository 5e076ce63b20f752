variable "name" {
  description = "Name prefix of every resource, e.g. orchestrator-prod."
  type        = string

  validation {
    condition     = can(regex("^[a-z][a-z0-9-]{1,30}[a-z0-9]$", var.name))
    error_message = "name: 3-32 lower-case letters, digits and dashes, starting with a letter."
  }
}

variable "vpc_id" {
  description = "VPC the database and Redis live in (the Kubernetes cluster's)."
  type        = string
}

variable "subnet_ids" {
  description = "Private subnets, in at least two availability zones, for the database and Redis."
  type        = list(string)

  validation {
    condition     = length(var.subnet_ids) >= 2
    error_message = "Give at least two subnets (two availability zones)."
  }
}

variable "client_security_group_ids" {
  description = "Security groups allowed to reach PostgreSQL and Redis (the cluster's nodes or pods)."
  type        = list(string)
}

variable "tags" {
  description = "Tags added to every resource."
  type        = map(string)
  default     = {}
}

# ------------------------------------------------------------------------ PostgreSQL

variable "db_engine_version" {
  description = "PostgreSQL major version (RDS picks its default minor and upgrades minors)."
  type        = string
  default     = "16"
}

variable "db_parameter_group_family" {
  description = "Parameter group family matching db_engine_version."
  type        = string
  default     = "postgres16"
}

variable "db_instance_class" {
  description = "RDS instance class."
  type        = string
  default     = "db.t4g.medium"
}

variable "db_allocated_storage_gb" {
  description = "Initial storage in GiB."
  type        = number
  default     = 50
}

variable "db_max_allocated_storage_gb" {
  description = "Ceiling for storage autoscaling in GiB."
  type        = number
  default     = 500
}

variable "db_name" {
  description = "Database the services use."
  type        = string
  default     = "orchestrator"
}

variable "db_owner_username" {
  description = "Master user: owns the schema and runs `orchestrator migrate` (ADR 0004). RDS keeps its password in Secrets Manager."
  type        = string
  default     = "orchestrator_owner"
}

variable "db_app_role" {
  description = "Runtime role the services connect as (ORCH_DB_APP_ROLE); `orchestrator migrate` creates it."
  type        = string
  default     = "orchestrator_app"
}

variable "db_app_password_version" {
  description = "Bump to write a new random runtime-role password into its secret (then run `orchestrator migrate`)."
  type        = number
  default     = 1
}

variable "db_multi_az" {
  description = "Standby in a second availability zone."
  type        = bool
  default     = true
}

variable "db_backup_retention_days" {
  description = "Automated backup retention."
  type        = number
  default     = 14
}

variable "db_monitoring_interval" {
  description = "Enhanced monitoring interval in seconds (1, 5, 10, 15, 30 or 60)."
  type        = number
  default     = 60
}

variable "deletion_protection" {
  description = "Refuse to delete the database (turn off only to tear a deployment down)."
  type        = bool
  default     = true
}

# ----------------------------------------------------------------------------- Redis

variable "redis_engine_version" {
  description = "ElastiCache Redis OSS version. The code uses no command newer than Redis 6.2 (ADR 0014)."
  type        = string
  default     = "7.1"
}

variable "redis_parameter_group_name" {
  description = "ElastiCache parameter group matching redis_engine_version."
  type        = string
  default     = "default.redis7"
}

variable "redis_node_type" {
  description = "ElastiCache node type."
  type        = string
  default     = "cache.t4g.small"
}

variable "redis_replicas" {
  description = "Read replicas besides the primary (at least 1 for automatic failover)."
  type        = number
  default     = 1

  validation {
    condition     = var.redis_replicas >= 1 && var.redis_replicas <= 5
    error_message = "redis_replicas: 1 to 5."
  }
}

variable "redis_auth_token" {
  description = "Redis AUTH token (16-128 printable characters, no @ \" /). ElastiCache has no write-only form of it, so it is kept in the Terraform state: keep the state encrypted."
  type        = string
  sensitive   = true

  validation {
    condition     = length(var.redis_auth_token) >= 16 && length(var.redis_auth_token) <= 128 && !can(regex("[@\"/ ]", var.redis_auth_token))
    error_message = "redis_auth_token: 16-128 characters, without @, \", / or spaces."
  }
}

variable "redis_snapshot_retention_days" {
  description = "Daily snapshots kept (the broker's queues survive a restore)."
  type        = number
  default     = 7
}

# --------------------------------------------------------------------------- backups

variable "backup_bucket_name" {
  description = "Name of the bucket `orchestrator backup` writes to; empty: <name>-backups."
  type        = string
  default     = ""
}

variable "backup_retention_days" {
  description = "Days a backup is kept, per environment prefix of the bucket (dev/, prod/)."
  type        = map(number)
  default     = { dev = 7, prod = 35 }

  validation {
    condition     = toset(keys(var.backup_retention_days)) == toset(["dev", "prod"]) && alltrue([for days in values(var.backup_retention_days) : days >= 1])
    error_message = "backup_retention_days: dev and prod, each at least 1 day."
  }
}

variable "backup_noncurrent_days" {
  description = "Days an expired or overwritten backup stays recoverable as a noncurrent version."
  type        = number
  default     = 7
}

# --------------------------------------------------------------------- payload store

variable "payload_bucket_name" {
  description = "Name of the payload store's bucket (ORCH_PAYLOAD_BUCKET); empty: <name>-payloads."
  type        = string
  default     = ""
}
