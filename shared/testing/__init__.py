"""Test infrastructure: real PostgreSQL, RabbitMQ, S3 and SMTP servers, and test tokens.

Endpoints come from environment variables when set (TEST_POSTGRES_DSN, TEST_AMQP_URL,
TEST_S3_ENDPOINT); otherwise from testcontainers when a Docker engine answers; S3 falls back to
moto's server and SMTP is always an aiosmtpd server started in the test process.
"""
