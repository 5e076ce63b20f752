"""The workspace status channel: sessions, actions, the live stream, polls and guests."""
