terraform {
  # 1.11: write-only attributes and ephemeral resources, so that generated secrets
  # never reach the state.
  required_version = ">= 1.11"

  required_providers {
    aws = {
      source = "hashicorp/aws"
      # 5.88 added secret_string_wo; checked here against 5.100.
      version = ">= 5.88, < 6.0"
    }
  }
}
