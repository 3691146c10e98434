//! Which redirect addresses an application may register, and which
//! requested address matches a registered one.

/// A redirect URI an application may register (RFC 8252 and the OAuth 2.0
/// Security BCP): absolute, no fragment, no credentials; https, http only
/// to a loopback host (native apps on the device), or a private-use scheme
/// with a dot (`com.example.app:/callback`).
pub fn acceptable_redirect_uri(raw: &str) -> bool {
    if raw.len() > 2000 || raw.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return false;
    }
    let Ok(url) = url::Url::parse(raw) else {
        return false;
    };
    if url.fragment().is_some() || !url.username().is_empty() || url.password().is_some() {
        return false;
    }
    // Written out in full, as the parser reads it: "https:///x" and
    // "https:host/x" are repaired by lenient parsing, and a URI compared
    // character for character must not need repair.
    if matches!(url.scheme(), "https" | "http") {
        let written = format!("{}://{}", url.scheme(), url.host_str().unwrap_or_default());
        if !raw
            .get(..written.len())
            .is_some_and(|start| start.eq_ignore_ascii_case(&written))
        {
            return false;
        }
    }
    match url.scheme() {
        "https" => url.host().is_some(),
        "http" => matches!(
            url.host(),
            Some(url::Host::Domain("localhost"))
                | Some(url::Host::Ipv4(std::net::Ipv4Addr::LOCALHOST))
                | Some(url::Host::Ipv6(std::net::Ipv6Addr::LOCALHOST))
        ),
        "javascript" | "data" | "file" | "vbscript" | "blob" | "about" | "ftp" | "ws" | "wss" => {
            false
        }
        scheme => scheme.contains('.'),
    }
}

/// Whether `requested` is the registered redirect URI `registered`: the
/// same string, or for a loopback IP address (a native app listening on
/// whatever port it got) the same but for the port (RFC 8252 §7.3).
pub fn redirect_matches(registered: &str, requested: &str) -> bool {
    if registered == requested {
        return true;
    }
    let (Ok(mut registered), Ok(mut requested)) =
        (url::Url::parse(registered), url::Url::parse(requested))
    else {
        return false;
    };
    let loopback = |url: &url::Url| {
        url.scheme() == "http"
            && match url.host() {
                Some(url::Host::Ipv4(ip)) => ip.is_loopback(),
                Some(url::Host::Ipv6(ip)) => ip.is_loopback(),
                _ => false,
            }
    };
    if !loopback(&registered) || !loopback(&requested) {
        return false;
    }
    // Both parse as http URLs with a host: setting the port cannot fail.
    let _ = registered.set_port(None);
    let _ = requested.set_port(None);
    registered == requested
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn redirect_uris_follow_the_security_bcp() {
        for good in [
            "https://shop.example.com/callback",
            "https://shop.example.com/cb?tenant=1",
            "http://127.0.0.1:8080/cb",
            "http://localhost/cb",
            "http://[::1]:9000/cb",
            "com.example.app:/oauth2redirect",
        ] {
            assert!(acceptable_redirect_uri(good), "{good} should be accepted");
        }
        for bad in [
            "",
            "/relative",
            "http://shop.example.com/cb",
            "https://shop.example.com/cb#frag",
            "https://user:pw@shop.example.com/cb",
            "javascript:alert(1)",
            "data:text/html,hi",
            "myapp:/cb",
            "https://shop.example.com/c b",
            "https://shop.example.com/cb\n",
            "https:///~",
            "https:shop.example.com/cb",
            "https:\\\\shop.example.com\\cb",
        ] {
            assert!(!acceptable_redirect_uri(bad), "{bad:?} should be refused");
        }
    }

    mod properties {
        use super::super::acceptable_redirect_uri;
        use proptest::prelude::*;

        proptest! {
            #![proptest_config(ProptestConfig::with_cases(512))]

            /// Whatever is typed, nothing panics, and what is accepted is
            /// an absolute URI with no fragment, no credentials and no
            /// whitespace, on an allowed scheme.
            #[test]
            fn accepted_redirect_uris_keep_the_rules(raw in "\\PC{0,120}") {
                if acceptable_redirect_uri(&raw) {
                    let url = url::Url::parse(&raw).unwrap();
                    prop_assert!(url.fragment().is_none());
                    prop_assert!(url.username().is_empty() && url.password().is_none());
                    prop_assert!(!raw.chars().any(char::is_whitespace));
                    prop_assert!(url.scheme() == "https" || url.scheme() == "http" || url.scheme().contains('.'));
                }
            }

            /// The same, from pieces a redirect URI is made of, so the
            /// interesting cases come up often.
            #[test]
            fn assembled_redirect_uris_follow_the_bcp(
                scheme in prop::sample::select(vec!["https", "http", "com.example.app", "javascript", "myapp", "data"]),
                host in prop::sample::select(vec!["shop.example.com", "localhost", "127.0.0.1", "[::1]", "10.0.0.1", "user:pw@shop.example.com", ""]),
                path in "(/[a-z0-9._~%-]{0,12}){0,3}",
                query in prop::option::of("[a-z]{1,5}=[a-z0-9]{0,5}"),
                fragment in prop::option::of("[a-z]{0,5}"),
            ) {
                let mut uri = format!("{scheme}://{host}{path}");
                if let Some(q) = &query { uri.push('?'); uri.push_str(q); }
                if let Some(f) = &fragment { uri.push('#'); uri.push_str(f); }
                let loopback = matches!(host, "localhost" | "127.0.0.1" | "[::1]");
                let expected = fragment.is_none()
                    && !host.contains('@')
                    && match scheme {
                        "https" => !host.is_empty(),
                        "http" => loopback,
                        "com.example.app" => url::Url::parse(&uri).is_ok(),
                        _ => false,
                    };
                prop_assert_eq!(acceptable_redirect_uri(&uri), expected, "{}", uri);
            }

        }
    }
}
