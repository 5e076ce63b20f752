variable "bucket" {
  description = "The bucket's name."
  type        = string
}

variable "kms_key_arn" {
  description = "The KMS key the bucket encrypts with by default."
  type        = string
}

variable "tags" {
  description = "Tags of the bucket."
  type        = map(string)
  default     = {}
}

variable "versioned" {
  description = "Whether the bucket keeps the versions of overwritten and deleted objects."
  type        = bool
}

variable "expirations" {
  description = "Lifecycle rules expiring objects by age: a rule id, the key prefix it covers and the days objects live."
  type = list(object({
    id     = string
    prefix = string
    days   = number
  }))
  default = []
}

variable "noncurrent_days" {
  description = "With expirations on a versioned bucket: how long an expired or overwritten object stays recoverable."
  type        = number
  default     = null
}

variable "access" {
  description = "The policy of the bucket's users (output access_policy_json): the sids of its list and object statements, and the object actions it allows."
  type = object({
    list_sid       = string
    objects_sid    = string
    object_actions = list(string)
  })
}
