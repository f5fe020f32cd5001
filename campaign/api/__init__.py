"""The read-only JSON API v1 (``/api/v1``), its OpenAPI document and its errors."""
