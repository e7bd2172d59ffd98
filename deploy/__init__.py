"""Publish the built site to S3 behind CloudFront: by content, in a safe order, and minimally."""
