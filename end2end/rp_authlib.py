"""A relying party built on Python's authlib, for the interop tests.

It plays an organisation's web application: discovery, the authorization
code flow with PKCE (the browser, driven by Playwright, signs in on
Gatehouse's pages), ID token verification against JWKS with authlib's own
OpenID Connect claim checks, userinfo, refresh rotation (and the refusal of
a spent refresh token), introspection, revocation, client credentials,
RP-initiated logout, and back-channel logout (its endpoint verifies each
logout token with authlib and keeps what it heard for /logouts). Every
protocol step is authlib's; this file only wires them to a few pages and
reports what happened as JSON in the page.

It is also a support chat (/chat) that hands the customer to their phone
in the same conversation: it asks Gatehouse for a handoff with the
customer's access token (POST /oauth2/handoff), shows the QR code, link and
match code, and confirms once the phone has opened it; the phone arrives at
/initiate (third-party-initiated login: iss, login_hint, target_link_uri)
and signs in with the ordinary code flow, no password.

Environment: RP_ISSUER, RP_CLIENT_ID, RP_CLIENT_SECRET, RP_PORT.
Prints "ready" once it listens on 127.0.0.1:RP_PORT.
"""

import html
import json
import os
import sys
import warnings
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlencode, urlparse

import requests
from authlib.common.security import generate_token
from authlib.integrations.base_client.errors import OAuthError
from authlib.integrations.requests_client import OAuth2Session

# authlib.jose announces its successor (joserfc) on import; it still does
# the verifying here, and the notice is not a test failure.
warnings.filterwarnings("ignore", message=".*authlib.jose.*")
from authlib.jose import JsonWebKey, jwt  # noqa: E402
from authlib.oidc.core import CodeIDToken  # noqa: E402

ISSUER = os.environ["RP_ISSUER"]
CLIENT_ID = os.environ["RP_CLIENT_ID"]
CLIENT_SECRET = os.environ["RP_CLIENT_SECRET"]
PORT = int(os.environ["RP_PORT"])
HERE = f"http://127.0.0.1:{PORT}"

META = requests.get(f"{ISSUER}/.well-known/openid-configuration", timeout=10).json()
# Sign-ins under way, by state: the PKCE verifier and the nonce.
PENDING = {}
# The chat's sign-ins under way, by state: verifier, nonce, where to go.
CHAT_PENDING = {}
# The chat's signed-in browsers, by cookie: tokens, ID token claims, ticket.
CHAT_SESSIONS = {}
# Back-channel logouts heard: the verified claims, or why one was refused.
LOGOUTS = []
BACKCHANNEL_EVENT = "http://schemas.openid.net/event/backchannel-logout"


def session():
    return OAuth2Session(
        CLIENT_ID,
        CLIENT_SECRET,
        scope="openid email profile",
        redirect_uri=f"{HERE}/cb",
        code_challenge_method="S256",
        token_endpoint_auth_method="client_secret_basic",
    )


def keys():
    return JsonWebKey.import_key_set(requests.get(META["jwks_uri"], timeout=10).json())


def verified_id_token(token, nonce):
    """authlib's checks of an ID token: signature (JWKS), iss, aud, exp,
    iat, nonce and at_hash."""
    claims = jwt.decode(
        token["id_token"],
        keys(),
        claims_cls=CodeIDToken,
        claims_options={"iss": {"essential": True, "value": META["issuer"]}},
        claims_params={"nonce": nonce, "client_id": CLIENT_ID, "access_token": token["access_token"]},
    )
    claims.validate(leeway=5)
    return dict(claims)


def verified_logout_token(token):
    """OpenID Connect Back-Channel Logout §2.6, with authlib: signature
    (JWKS), iss, aud, iat and exp; then the event, a sid and no nonce."""
    claims = jwt.decode(
        token,
        keys(),
        claims_options={
            "iss": {"essential": True, "value": META["issuer"]},
            "aud": {"essential": True, "value": CLIENT_ID},
            "iat": {"essential": True},
            "sid": {"essential": True},
            "events": {"essential": True},
        },
    )
    claims.validate(leeway=5)
    if BACKCHANNEL_EVENT not in claims["events"]:
        raise ValueError("no back-channel logout event")
    if "nonce" in claims:
        raise ValueError("a logout token carries no nonce")
    if claims.header.get("typ") != "logout+jwt":
        raise ValueError(f"typ {claims.header.get('typ')!r}")
    return dict(claims)


def refused(call):
    try:
        call()
    except OAuthError as e:
        return e.error
    return None


def code_flow(query):
    state = query["state"][0]
    verifier, nonce = PENDING.pop(state)
    s = session()
    token = s.fetch_token(
        META["token_endpoint"],
        authorization_response=f"{HERE}/cb?{urlencode({k: v[0] for k, v in query.items()})}",
        code_verifier=verifier,
        state=state,
    )
    claims = verified_id_token(token, nonce)
    userinfo = s.get(META["userinfo_endpoint"]).json()
    first_refresh = token["refresh_token"]
    refreshed = s.refresh_token(META["token_endpoint"], refresh_token=first_refresh)
    introspected = s.introspect_token(META["introspection_endpoint"], token=refreshed["access_token"]).json()
    # The spent refresh token is refused, and that ends the whole family:
    # the new refresh token and the access tokens stop working too.
    replay = refused(lambda: session().refresh_token(META["token_endpoint"], refresh_token=first_refresh))
    after_replay = refused(
        lambda: session().refresh_token(META["token_endpoint"], refresh_token=refreshed["refresh_token"])
    )
    after_replay_active = s.introspect_token(META["introspection_endpoint"], token=refreshed["access_token"]).json()
    revoked = s.revoke_token(META["revocation_endpoint"], token=refreshed["access_token"]).status_code
    logout = META["end_session_endpoint"] + "?" + urlencode(
        {"id_token_hint": token["id_token"], "post_logout_redirect_uri": f"{HERE}/bye", "state": "bye-1"}
    )
    return {
        "claims": claims,
        "userinfo": userinfo,
        "rotated": refreshed["refresh_token"] != first_refresh,
        "refreshed_sub": verified_id_token(refreshed, None)["sub"] if "id_token" in refreshed else None,
        "replay": replay,
        "after_replay": after_replay,
        "introspected_active": introspected.get("active"),
        "introspected_sub": introspected.get("sub"),
        "after_replay_active": after_replay_active.get("active"),
        "revoke_status": revoked,
        "logout": logout,
    }


def service():
    s = OAuth2Session(CLIENT_ID, CLIENT_SECRET, token_endpoint_auth_method="client_secret_post")
    token = s.fetch_token(META["token_endpoint"], grant_type="client_credentials")
    claims = jwt.decode(token["access_token"], keys(), claims_options={"iss": {"essential": True, "value": META["issuer"]}})
    claims.validate(leeway=5)
    wrong = OAuth2Session(CLIENT_ID, "not-the-secret")
    return {
        "token_type": token["token_type"],
        "client_id": claims.get("client_id"),
        "wrong_secret": refused(lambda: wrong.fetch_token(META["token_endpoint"], grant_type="client_credentials")),
    }


def chat_session():
    return OAuth2Session(
        CLIENT_ID,
        CLIENT_SECRET,
        scope="openid email",
        redirect_uri=f"{HERE}/chat/cb",
        code_challenge_method="S256",
        token_endpoint_auth_method="client_secret_basic",
    )


def gatehouse(method, path, access_token, data=None):
    """A call to Gatehouse's handoff API with the customer's access token."""
    answer = requests.request(
        method, f"{ISSUER}{path}", data=data, timeout=10,
        headers={"Authorization": f"Bearer {access_token}"},
    )
    return answer.status_code, answer.json()


class Handler(BaseHTTPRequestHandler):
    def log_message(self, *args):
        pass

    def page(self, title, body, status=200):
        text = f'<!DOCTYPE html><html lang="en"><head><title>{title}</title></head><body><main><h1>{title}</h1>{body}</main></body></html>'
        data = text.encode()
        self.send_response(status)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def result(self, title, outcome, extra=""):
        body = f'<pre id="result">{html.escape(json.dumps(outcome))}</pre>{extra}'
        self.page(title, body)

    def redirect(self, to, cookie=None, status=302):
        self.send_response(status)
        self.send_header("Location", to)
        if cookie:
            self.send_header("Set-Cookie", f"chat={cookie}; Path=/; HttpOnly; SameSite=Lax")
        self.end_headers()

    def chat_user(self):
        for part in self.headers.get("Cookie", "").split(";"):
            name, _, value = part.strip().partition("=")
            if name == "chat" and value in CHAT_SESSIONS:
                return CHAT_SESSIONS[value]
        return None

    def chat_sign_in(self, target, login_hint=None):
        verifier, nonce = generate_token(48), generate_token(20)
        extra = {"login_hint": login_hint} if login_hint else {}
        location, state = chat_session().create_authorization_url(
            META["authorization_endpoint"], code_verifier=verifier, nonce=nonce, **extra
        )
        CHAT_PENDING[state] = (verifier, nonce, target)
        self.redirect(location)

    def chat_page(self, user):
        ticket = user.get("ticket")
        if not ticket:
            body = (
                f'<p id="who">Signed in as {html.escape(user["claims"]["email"])}</p>'
                '<p>Support: how can we help with order 42?</p>'
                '<form method="post" action="/chat/handoff"><button>Continue on your phone</button></form>'
            )
            return self.page("Support chat", body)
        status, ticket_now = gatehouse("GET", f"/oauth2/handoff?ticket={ticket['ticket']}", user["token"]["access_token"])
        state = ticket_now.get("status") if status == 200 else "gone"
        parts = [f'<p id="status">{html.escape(state)}</p>']
        if state == "waiting":
            parts += [
                ticket["qr_svg"],
                f'<p><label>Or open this link on your phone <input readonly value="{html.escape(ticket["link"])}"></label></p>',
                f'<p>Match code <strong id="match-code">{html.escape(ticket["match_code"])}</strong></p>',
            ]
        elif state == "opened":
            parts += [
                f'<p id="device">{html.escape(ticket_now["device"])} asks to continue, showing '
                f'<strong id="match-code">{html.escape(ticket_now["match_code"])}</strong>.</p>',
                '<form method="post" action="/chat/handoff/answer">'
                '<button name="answer" value="confirm">Yes, continue on that device</button>'
                '<button name="answer" value="refuse">No, this is not my device</button></form>',
            ]
        # Until answered, the page looks again by itself.
        refresh = '<meta http-equiv="refresh" content="1">' if state in ("waiting", "opened") else ""
        self.page("Continue on your phone", refresh + "".join(parts))

    def do_GET(self):
        url = urlparse(self.path)
        query = parse_qs(url.query)
        try:
            if url.path == "/chat":
                user = self.chat_user()
                if user is None:
                    return self.chat_sign_in(f"{HERE}/chat")
                self.chat_page(user)
            elif url.path == "/initiate":
                # Third-party-initiated login: only from our issuer, only to
                # our own pages.
                target = query.get("target_link_uri", [""])[0]
                if query.get("iss", [""])[0] != META["issuer"] or not target.startswith(f"{HERE}/"):
                    return self.page("Refused", "", 400)
                self.chat_sign_in(target, query.get("login_hint", [None])[0])
            elif url.path == "/chat/cb":
                state = query["state"][0]
                verifier, nonce, target = CHAT_PENDING.pop(state)
                token = chat_session().fetch_token(
                    META["token_endpoint"],
                    authorization_response=f"{HERE}/chat/cb?{urlencode({k: v[0] for k, v in query.items()})}",
                    code_verifier=verifier,
                    state=state,
                )
                cookie = generate_token(24)
                CHAT_SESSIONS[cookie] = {"token": token, "claims": verified_id_token(token, nonce)}
                self.redirect(target, cookie)
            elif url.path == "/login":
                verifier = generate_token(48)
                nonce = generate_token(20)
                location, state = session().create_authorization_url(
                    META["authorization_endpoint"], code_verifier=verifier, nonce=nonce
                )
                PENDING[state] = (verifier, nonce)
                self.send_response(302)
                self.send_header("Location", location)
                self.end_headers()
            elif url.path == "/cb":
                outcome = code_flow(query)
                link = f'<p><a href="{html.escape(outcome["logout"])}">Sign out of the shop</a></p>'
                self.result("Signed in to the shop", outcome, link)
            elif url.path == "/bye":
                self.result("Signed out of the shop", {"state": query.get("state", [None])[0]})
            elif url.path == "/service":
                self.result("Service token", service())
            elif url.path == "/logouts":
                self.result("Logouts heard", LOGOUTS)
            else:
                self.page("Not found", "", 404)
        except Exception as e:  # the test reads the failure from the page
            self.page("Relying party error", f'<pre id="error">{html.escape(repr(e))}</pre>', 500)


    def do_POST(self):
        """The back-channel logout endpoint: 200 once the token checks out,
        400 (and the reason kept) otherwise. And the chat's handoff forms."""
        path = urlparse(self.path).path
        length = int(self.headers.get("Content-Length", 0))
        form = parse_qs(self.rfile.read(length).decode())
        if path.startswith("/chat/handoff"):
            user = self.chat_user()
            if user is None:
                return self.page("Not signed in", "", 403)
            access = user["token"]["access_token"]
            if path == "/chat/handoff":
                status, offer = gatehouse("POST", "/oauth2/handoff", access, {"target_link_uri": f"{HERE}/chat"})
                if status != 201:
                    return self.page("Relying party error", f'<pre id="error">{html.escape(json.dumps(offer))}</pre>', 500)
                user["ticket"] = offer
            else:
                gatehouse("POST", "/oauth2/handoff/answer", access,
                          {"ticket": user["ticket"]["ticket"], "answer": form.get("answer", [""])[0]})
            return self.redirect("/chat", status=303)
        if path != "/backchannel-logout":
            return self.page("Not found", "", 404)
        try:
            LOGOUTS.append({"claims": verified_logout_token(form["logout_token"][0])})
            status = 200
        except Exception as e:
            LOGOUTS.append({"error": repr(e)})
            status = 400
        self.send_response(status)
        self.send_header("Cache-Control", "no-store")
        self.send_header("Content-Length", "0")
        self.end_headers()


if __name__ == "__main__":
    server = ThreadingHTTPServer(("127.0.0.1", PORT), Handler)
    print("ready", flush=True)
    sys.stdout.flush()
    server.serve_forever()
