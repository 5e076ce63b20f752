output "id" {
  description = "The bucket's name."
  value       = aws_s3_bucket.this.id
}

output "arn" {
  description = "The bucket's ARN."
  value       = aws_s3_bucket.this.arn
}

output "access_policy_json" {
  description = "IAM policy of the bucket's users: list the bucket, the object actions of var.access on its objects, use the KMS key."
  value       = data.aws_iam_policy_document.access.json
}
