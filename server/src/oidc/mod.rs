//! Gatehouse as an OpenID Connect provider: clients, authorization, tokens,
//! signing keys, claims and the device grant. The room is ready; the protocol
//! arrives with the single sign-on issue, its endpoints under `http::oidc`
//! and its errors answered as JSON by `http::error`.
