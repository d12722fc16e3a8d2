"""The API's OpenAPI schema and its browsable docs, which must work on an intranet without a CDN."""

from __future__ import annotations

import json
import re

import pytest
import yaml
from django.contrib.staticfiles import finders
from drf_spectacular.validation import validate_schema

pytestmark = pytest.mark.django_db


@pytest.fixture
def schema(client_for) -> dict:
    response = client_for("county_cmd").get("/api/v1/schema/")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.oai.openapi")
    return yaml.safe_load(response.content)


def parameters(operation: dict) -> set[str]:
    return {p["name"] for p in operation.get("parameters", [])}


def test_the_schema_is_valid_openapi_3(schema):
    assert schema["openapi"].startswith("3.")
    assert schema["info"]["title"] == "Fugong 复工 API"

    validate_schema(schema)  # raises on any violation of the OpenAPI 3 JSON schema


def test_the_schema_describes_the_enterprise_and_region_endpoints(schema):
    paths = schema["paths"]

    assert {"/api/v1/enterprises/", "/api/v1/enterprises/{id}/", "/api/v1/regions/", "/api/v1/regions/{code}/"} <= set(paths)
    assert set(paths["/api/v1/enterprises/"]) == {"get", "post"}
    assert set(paths["/api/v1/enterprises/{id}/"]) == {"get", "patch"}
    assert set(paths["/api/v1/regions/{code}/"]) == {"get"}


def test_the_enterprise_list_documents_the_filters_shared_with_the_pages(schema):
    listing = schema["paths"]["/api/v1/enterprises/"]["get"]

    assert {"q", "town", "grid", "sector", "size", "status", "essential", "page", "page_size", "ordering"} <= parameters(listing)


def test_the_schema_declares_session_and_token_authentication(schema):
    schemes = schema["components"]["securitySchemes"]

    assert {scheme["type"] for scheme in schemes.values()} >= {"apiKey"}
    assert any(s.get("in") == "cookie" for s in schemes.values())
    assert any(s.get("in") == "header" and s.get("name") == "Authorization" for s in schemes.values())


def test_the_enterprise_request_body_requires_the_credit_code_and_region(schema):
    request = schema["components"]["schemas"]["EnterpriseRequest"]

    assert {"name", "uscc", "sector", "size", "region"} <= set(request["required"])
    assert request["properties"]["uscc"]["maxLength"] == 18


def test_the_schema_is_also_served_as_json(client_for, schema):
    response = client_for("county_cmd").get("/api/v1/schema/", {"format": "json"})

    assert response.status_code == 200
    assert json.loads(response.content) == schema


def test_the_docs_page_renders_with_self_hosted_assets_only(client_for):
    # When the browsable docs are opened
    response = client_for("county_cmd").get("/api/v1/docs/")

    # Then the page renders
    html = response.content.decode()
    assert response.status_code == 200
    assert 'id="swagger-ui"' in html
    # And it loads nothing from another origin (no CDN on a government intranet)
    assert not re.search(r"(?:src|href)=\"(?:https?:)?//", html), html
    assert "cdn" not in html.lower()
    # And every asset it names is one we serve ourselves, from drf-spectacular-sidecar or our static files
    assets = re.findall(r"(?:src|href)=\"(/static/[^\"]+)\"", html)
    assert any("drf_spectacular_sidecar/swagger-ui-dist/swagger-ui-bundle.js" in a for a in assets)
    for asset in assets:
        assert finders.find(asset.removeprefix("/static/")), asset


def test_the_docs_page_runs_no_inline_script_so_our_csp_allows_it(client_for):
    client = client_for("county_cmd")
    response = client.get("/api/v1/docs/")
    html = response.content.decode()

    # No inline script: each <script> loads a file
    assert "script-src 'self'" in response["Content-Security-Policy"]
    assert re.findall(r"<script(?![^>]*\bsrc=)[^>]*>", html) == []
    # And the page's own start-up script is served from our origin and points at our schema
    [script_url] = [u for u in re.findall(r"<script src=\"([^\"]+)\"", html) if not u.startswith("/static/")]
    script = client.get(script_url.replace("&amp;", "&"))
    assert script.status_code == 200
    assert script["Content-Type"].startswith("application/javascript")
    assert "/api/v1/schema/" in script.content.decode()
