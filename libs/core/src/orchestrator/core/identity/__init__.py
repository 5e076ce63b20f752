"""Who acts: operators of an organization, platform operators and service identities."""
