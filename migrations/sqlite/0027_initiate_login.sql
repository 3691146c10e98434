-- OpenID Connect third-party-initiated login (Core §4): where Gatehouse
-- sends a browser to have the application sign it in (with `iss`,
-- `login_hint` and `target_link_uri`). A customer handed from the
-- application on one device to another arrives there. None: the
-- application cannot ask for a handoff.
ALTER TABLE oidc_clients ADD COLUMN initiate_login_uri TEXT;
