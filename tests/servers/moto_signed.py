#!/usr/bin/env python3
"""Runs moto_server with its SigV4 check working on percent-encoded paths and queries.

moto checks signatures only once an IAM user exists (start it with INITIAL_NO_AUTH_ACTION_COUNT),
and it recomputes the canonical request from the URL after the web server decoded it, so a
correctly signed request for a key holding '+', '%', '%2F' or non-ASCII fails. Here the check
starts from the path exactly as the client sent it (the server's RAW_URI), and path and query
are put into the canonical S3 form (decode once, encode with the SigV4 unreserved set).
Takes moto_server's arguments. Needs the Python that has moto (the pyenv one, first on PATH).
"""
import sys
from urllib.parse import quote, unquote, urlsplit

from moto.core.authorization import ActionAuthenticatorMixin
from moto.iam import access_control


def _canonical_pairs(query):
    for pair in filter(None, query.split("&")):
        name, _, value = pair.partition("=")
        yield quote(unquote(name), safe="-_.~") + "=" + quote(unquote(value), safe="-_.~")


_build_request = access_control.IAMRequestBase._create_aws_request


def _canonical_request(self):
    request = _build_request(self)
    url = urlsplit(request.url)
    query = "&".join(_canonical_pairs(url.query))
    request.url = quote(unquote(url.path), safe="/~") + ("?" + query if query else "")
    return request


access_control.IAMRequestBase._create_aws_request = _canonical_request

_authorize = ActionAuthenticatorMixin._authenticate_and_authorize_action


def _authorize_as_sent(self, iam_request_cls, resource="*"):
    raw_path = getattr(self, "raw_path", None)
    if not raw_path:
        return _authorize(self, iam_request_cls, resource)
    decoded_uri = self.uri
    self.uri = urlsplit(decoded_uri)._replace(path=raw_path).geturl()
    try:
        return _authorize(self, iam_request_cls, resource)
    finally:
        self.uri = decoded_uri


ActionAuthenticatorMixin._authenticate_and_authorize_action = _authorize_as_sent

from moto.server import main  # noqa: E402  (after the patch, so the server uses it)

if __name__ == "__main__":
    sys.exit(main())
