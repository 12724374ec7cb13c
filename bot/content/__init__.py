"""The content library: articles, topics, quotes, prompts and reflection models."""
